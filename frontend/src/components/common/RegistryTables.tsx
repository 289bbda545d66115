// Tables of issuances and credit batches (used on the project page and the queues).
import type { Batch, Issuance } from '../../services/api';
import { formatPeriod, formatTonnes, formatTs } from '../../utils/format';
import { StatusBadge } from './Loading';

export function IssuanceTable({ items, caption }: { items: Issuance[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Vintage</th><th scope="col">Monitoring period</th><th scope="col" className="num">Quantity</th><th scope="col">Verification</th><th scope="col">Status</th><th scope="col">Approvals</th></tr></thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>{i.id}</td><td>{i.vintage}</td><td>{formatPeriod(i.period_start, i.period_end)}</td>
              <td className="num">{formatTonnes(i.quantity)}</td>
              <td>{i.verification_body || '—'}<br /><small>report {i.report}</small></td>
              <td><StatusBadge status={i.status} />{i.reason ? <><br /><small>Reason: {i.reason}</small></> : null}</td>
              <td>{i.approvals.length} of {i.required_approvals}</td>
            </tr>
          ))}
          {items.length === 0 ? <tr><td colSpan={7}>None yet.</td></tr> : null}
        </tbody>
      </table>
    </div>
  );
}

export function BatchTable({ items, caption }: { items: Batch[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead><tr><th scope="col">Batch</th><th scope="col">Vintage</th><th scope="col">Serials</th><th scope="col" className="num">Quantity</th><th scope="col" className="num">Buffer</th><th scope="col" className="num">Retired</th><th scope="col" className="num">Cancelled</th><th scope="col">Issued</th></tr></thead>
        <tbody>
          {items.map((b) => (
            <tr key={b.id}>
              <td>{b.id}<br /><small className="mono">{b.serial || b.serial_space}</small></td><td>{b.vintage}</td>
              <td className="mono">{b.serial_start}–{b.serial_end}</td>
              <td className="num">{formatTonnes(b.quantity)}</td><td className="num">{formatTonnes(b.buffer)}</td>
              <td className="num">{formatTonnes(b.retired)}</td><td className="num">{formatTonnes(b.cancelled)}</td>
              <td>{formatTs(b.issued_ts)}</td>
            </tr>
          ))}
          {items.length === 0 ? <tr><td colSpan={8}>None yet.</td></tr> : null}
        </tbody>
      </table>
    </div>
  );
}

