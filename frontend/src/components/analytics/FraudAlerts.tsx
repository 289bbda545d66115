// Market-abuse alerts for admins and auditors: kind, who (accounts and users), what (trade,
// order, batches), score and the detector's evidence; filtered by kind.
import { useState } from 'react';
import { useFraudAlertsQuery } from '../../services/api';
import { MlState } from './MlState';
import { alertKindLabel, alertKinds, alertSubject, formatNum } from './analytics';
import { TableWrap } from '../trading/common';

export function FraudAlerts() {
  const [kind, setKind] = useState('');
  const q = useFraudAlertsQuery({ kind, limit: 200 }, { pollingInterval: 30000 });
  const a = q.data;
  const by = a ? Object.entries(a.summary.by_kind) : [];
  return (
    <>
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <div className="field"><label htmlFor="fa-kind">Kind</label>
          <select id="fa-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">Any</option>
            {alertKinds.map((k) => <option key={k} value={k}>{alertKindLabel(k)}</option>)}
          </select></div>
      </form>
      <MlState isLoading={q.isLoading} error={q.error} what="alerts" />
      {a ? (
        <>
          <p className="hint">
            Scanned {a.summary.orders ?? 0} orders, {a.summary.trades ?? 0} trades and {a.summary.batches ?? 0} batches.
            {by.length ? ` Found: ${by.map(([k, n]) => `${alertKindLabel(k)} ${n}`).join(', ')}.` : ' No finding.'}
          </p>
          <TableWrap label="Alerts table">
            <table>
              <caption>Alerts ({a.total}{a.items.length < a.total ? `, first ${a.items.length} shown` : ''})</caption>
              <thead><tr><th scope="col">Kind</th><th scope="col">Who</th><th scope="col">What</th><th scope="col" className="num">Score</th><th scope="col">Evidence</th></tr></thead>
              <tbody>
                {a.items.map((x, i) => (
                  <tr key={`${x.kind}-${x.trade ?? ''}-${x.order ?? ''}-${i}`}>
                    <td>{alertKindLabel(x.kind)}</td>
                    <td>{x.users.length ? x.users.map((u) => <div key={u.account}>{u.email} <small>(account {u.account})</small></div>)
                      : x.accounts.length ? `accounts ${x.accounts.join(', ')}` : '—'}</td>
                    <td>{alertSubject(x)}</td>
                    <td className="num">{formatNum(x.score, 2)}</td>
                    <td>{x.evidence}</td>
                  </tr>
                ))}
                {a.items.length === 0 ? <tr><td colSpan={5}>No alert{kind ? ` of this kind` : ''}.</td></tr> : null}
              </tbody>
            </table>
          </TableWrap>
        </>
      ) : null}
    </>
  );
}
