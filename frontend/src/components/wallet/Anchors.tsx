// Journal block roots anchored in JournalAnchor: height, the events it covers, the root and
// the anchoring transaction (linked to the network's block explorer when it has one).
import { useAnchorsQuery, type ChainStatus } from '../../services/chain.api';
import { QueryState, StatusBadge } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { shortHex } from '../../utils/chain';
import { TxLink } from './common';

export function Anchors({ status }: { status: ChainStatus }) {
  const q = useAnchorsQuery(undefined, { pollingInterval: 10000 });
  return (
    <section aria-labelledby="h-anchors">
      <h2 id="h-anchors">Anchored journal blocks</h2>
      <p className="hint">Each sealed block of the exchange's journal has its Merkle root posted to JournalAnchor, so a certificate's proof can be checked against the chain.</p>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data && q.data.length === 0 ? <p>No block anchored yet.</p> : null}
      {q.data && q.data.length ? (
        <TableWrap label="Anchored journal blocks">
          <table data-testid="chain-anchors">
            <caption>Journal block roots on chain, newest first</caption>
            <thead><tr><th scope="col" className="num">Height</th><th scope="col">Events</th><th scope="col">Root</th><th scope="col">Transaction</th><th scope="col" className="num">Block</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {[...q.data].sort((a, b) => b.height - a.height).slice(0, 50).map((a) => (
                <tr key={a.height}>
                  <td className="num">{a.height}</td><td>{a.first_seq}–{a.last_seq}</td><td><span className="mono" title={a.root}>{shortHex(a.root, 8)}</span></td>
                  <td><TxLink hash={a.tx_hash} status={status} /></td><td className="num">{a.block_number ?? '—'}</td><td><StatusBadge status={a.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
