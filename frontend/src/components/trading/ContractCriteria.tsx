// A standard contract's criteria in words: what any delivered batch must satisfy.
import type { Criteria } from '../../services/api';
import { describeCriteria } from '../../utils/eligibility';

export function ContractCriteria({ criteria, symbol }: { criteria: Criteria; symbol: string }) {
  return (
    <section aria-labelledby="h-criteria" className="criteria">
      <h2 id="h-criteria">Standard contract {symbol}: delivery criteria</h2>
      <p>A buyer bids on these criteria; a seller delivers any eligible batch, and every fill names the batch and serials delivered.</p>
      <dl className="facts">
        {describeCriteria(criteria).map(([k, v]) => (<div key={k} className="contents"><dt>{k}</dt><dd>{v}</dd></div>))}
      </dl>
    </section>
  );
}
