// Portfolio: cash balances (available and locked), open orders and fills on every market
// (live), withdrawals (request, status), holdings per batch with serial ranges, retirement (beneficiary, reason,
// consumption country and period) leading to the certificate, and transfers.
import { Link } from 'react-router-dom';
import { useHoldingsQuery, useInstrumentsQuery, useRetireMutation, type Holding, type Retirement } from '../services/api';
import { Field } from '../components/common/Field';
import { FormStatus } from '../components/common/FormStatus';
import { QueryState } from '../components/common/Loading';
import { RequireRole } from '../components/common/RequireRole';
import { TransferForm } from '../components/common/TransferForm';
import { MyWithdrawals, WithdrawalForm } from '../components/common/Withdrawals';
import { CashBalances } from '../components/trading/CashBalances';
import { OpenOrders } from '../components/trading/OpenOrders';
import { Fills } from '../components/trading/Fills';
import { useMarketChannels } from '../services/ws';
import { clientError, useFormAction } from '../components/common/useFormAction';
import { useAppSelector } from '../store/hooks';
import { formatRanges, formatTonnes, parseTonnes } from '../utils/format';

const RETIRE_FIELDS = ['batch', 'quantity', 'beneficiary', 'reason', 'country', 'period_start', 'period_end'];

function Holdings({ items }: { items: Holding[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>Holdings per batch</caption>
        <thead><tr><th scope="col">Batch</th><th scope="col">Serial ranges held</th><th scope="col" className="num">Tradable</th><th scope="col" className="num">Escrowed</th><th scope="col" className="num">Retired</th></tr></thead>
        <tbody>
          {items.map((h) => (
            <tr key={h.batch}>
              <td>#{h.batch} {h.project_name}<br /><small>vintage {h.vintage} · <span className="mono">{h.serial}</span></small></td>
              <td className="mono">{formatRanges(h.tradable_serials).map((s) => <div key={s}>{s}</div>)}{h.tradable_serials.length === 0 ? '—' : null}</td>
              <td className="num">{formatTonnes(h.tradable)}</td><td className="num">{formatTonnes(h.escrowed)}</td><td className="num">{formatTonnes(h.retired)}</td>
            </tr>
          ))}
          {items.length === 0 ? <tr><td colSpan={5}>No credits yet.</td></tr> : null}
        </tbody>
      </table>
    </div>
  );
}

function RetireForm({ holdings }: { holdings: Holding[] }) {
  const [retire] = useRetireMutation();
  const f = useFormAction<Retirement>(async (v, form) => {
    const q = parseTonnes(v.quantity);
    if (!q.ok) throw clientError('quantity', q.message);
    if (!v.beneficiary) throw clientError('beneficiary', 'Name who the retirement is for');
    const body: Record<string, unknown> = { ...v, batch: Number(v.batch), quantity: v.quantity.replace(/,/g, '') };
    for (const k of Object.keys(body)) if (body[k] === '') delete body[k];
    const r = await retire(body).unwrap();
    form.reset();
    return r;
  });
  if (holdings.length === 0) return <p>You hold no tradable credits to retire.</p>;
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Retire credits">
      <Field label="Batch" name="batch" error={f.error} options={holdings.map((h) => ({ value: String(h.batch), label: `#${h.batch} ${h.project_name} ${h.vintage} (${formatTonnes(h.tradable)} tradable)` }))} />
      <Field label="Quantity (tonnes)" name="quantity" required error={f.error} inputMode="decimal" placeholder="2.500" />
      <Field label="Beneficiary" name="beneficiary" required error={f.error} />
      <Field label="Reason" name="reason" error={f.error} placeholder="2025 scope 1 emissions" />
      <Field label="Consumption country (ISO code)" name="country" error={f.error} placeholder="FR" />
      <Field label="Consumption period start" name="period_start" type="date" error={f.error} />
      <Field label="Consumption period end" name="period_end" type="date" error={f.error} />
      <FormStatus error={f.error} fields={RETIRE_FIELDS} busy={f.busy}
        success={f.result ? <p>Retired {formatTonnes(f.result.quantity)} for {f.result.beneficiary}. <Link to={`/certificates/${f.result.id}`}>View certificate CX-RET-{f.result.id}</Link></p> : null} />
      <button type="submit" disabled={f.busy}>Retire</button>
    </form>
  );
}

function Portfolio({ account, userId }: { account: number; userId: number }) {
  const h = useHoldingsQuery(account);
  const inst = useInstrumentsQuery();
  const symbols = Object.fromEntries((inst.data?.items ?? []).map((i) => [i.id, i.symbol]));
  useMarketChannels([`orders:${userId}`]);  // live order and fill updates
  const tradable = (h.data?.items ?? []).filter((x) => x.tradable_kg > 0);
  return (
    <>
      <h1>Portfolio</h1>
      <p>Your account number: <strong data-testid="account">{account}</strong></p>
      <section aria-labelledby="h-cash"><h2 id="h-cash">Cash</h2><CashBalances account={account} />
        <p className="hint">Locked cash backs your open buy orders (notional plus fee at the limit) and pending withdrawals. Deposits are booked by an administrator; <Link to="/markets">trade on the markets</Link>.</p></section>
      <div className="grid">
        <section aria-labelledby="h-wd"><h2 id="h-wd">Withdraw cash</h2><WithdrawalForm account={account} />
          <p className="hint">An administrator approves each withdrawal with their second factor.</p></section>
        <section aria-labelledby="h-wds"><h2 id="h-wds">Withdrawals</h2><MyWithdrawals /></section>
      </div>
      <QueryState isLoading={h.isLoading} error={h.error} />
      {h.data ? (
        <>
          <section aria-labelledby="h-hold"><h2 id="h-hold">Holdings</h2><Holdings items={h.data.items} />
            <p className="hint"><Link to="/analytics">Value at risk of your holdings</Link> and the risk score of each project are on the analytics page.</p></section>
          <div className="grid">
            <section aria-labelledby="h-ret"><h2 id="h-ret">Retire credits</h2><RetireForm holdings={tradable} /></section>
            <section aria-labelledby="h-tr"><h2 id="h-tr">Transfer credits</h2><TransferForm holdings={tradable} /></section>
          </div>
        </>
      ) : null}
      <div className="grid">
        <section aria-labelledby="h-open"><h2 id="h-open">Open orders</h2><OpenOrders /></section>
        <section aria-labelledby="h-fills"><h2 id="h-fills">Fills</h2><Fills symbols={symbols} /></section>
      </div>
    </>
  );
}

export default function PortfolioPage() {
  const user = useAppSelector((s) => s.auth.user);
  return <RequireRole roles={[]} title="Portfolio">{user ? <Portfolio account={user.account} userId={user.id} /> : null}</RequireRole>;
}
