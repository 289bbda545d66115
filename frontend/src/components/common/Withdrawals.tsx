// Cash withdrawals: the owner's request form (currency from their balances, amount as an
// exact decimal string, checked against the available balance in integer minor units) and
// the list of their withdrawals with status; the admins' queue of pending withdrawals with
// approve (asks for the admin's current one-time code: step-up) and reject (reason required).
// Auditors see the queue read-only.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useCashQuery, useDecideWithdrawalMutation, useRequestWithdrawalMutation, useWithdrawalsQuery, type Withdrawal } from '../../services/api';
import { formatMoney, toScaled } from '../../utils/decimal';
import { formatTs } from '../../utils/format';
import { Field } from './Field';
import { FormStatus } from './FormStatus';
import { Pager } from './Pager';
import { QueryState, StatusBadge } from './Loading';
import { clientError, useFormAction } from './useFormAction';

const FIELDS = ['currency', 'amount', 'reference'];

/** Validates a withdrawal amount typed by a person against the available minor units. */
export function checkWithdrawalAmount(input: string, availableMinor: number | bigint): { ok: true; amount: string } | { ok: false; message: string } {
  const clean = input.trim().replace(/,/g, '');
  const v = toScaled(clean, 2);
  if (v === null) return { ok: false, message: 'Enter an amount with at most 2 decimals, e.g. 150.00' };
  if (v <= 0n) return { ok: false, message: 'Enter an amount above zero' };
  if (v > BigInt(availableMinor)) return { ok: false, message: 'More than your available cash' };
  return { ok: true, amount: clean };
}

export function WithdrawalForm({ account }: { account: number }) {
  const cash = useCashQuery(account);
  const [request] = useRequestWithdrawalMutation();
  const balances = cash.data?.balances ?? [];
  const f = useFormAction<Withdrawal>(async (v, form) => {
    const b = balances.find((x) => x.currency === v.currency);
    if (!b) throw clientError('currency', 'Pick a currency you hold');
    const a = checkWithdrawalAmount(v.amount, b.available_minor);
    if (!a.ok) throw clientError('amount', a.message);
    const w = await request({ currency: v.currency, amount: a.amount, ...(v.reference ? { reference: v.reference } : {}) }).unwrap();
    form.reset();
    return w;
  });
  if (cash.isLoading || cash.error) return <QueryState isLoading={cash.isLoading} error={cash.error} />;
  if (balances.length === 0) return <p>You have no cash to withdraw.</p>;
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Request a withdrawal">
      <Field label="Currency" name="currency" error={f.error} options={balances.map((b) => ({ value: b.currency, label: `${b.currency} (${formatMoney(b.available)} available)` }))} />
      <Field label="Amount" name="amount" required error={f.error} inputMode="decimal" placeholder="150.00" />
      <Field label="Reference" name="reference" error={f.error} hint="Shown on the payout, e.g. your bank reference." />
      <FormStatus error={f.error} fields={FIELDS} busy={f.busy}
        success={f.result ? <p>Withdrawal #{f.result.id} of {formatMoney(f.result.amount, f.result.currency)} requested: the amount is locked until an administrator decides.</p> : null} />
      <button type="submit" disabled={f.busy}>Request withdrawal</button>
    </form>
  );
}

function Rows({ items, admin }: { items: Withdrawal[]; admin?: boolean }) {
  return (
    <>
      {items.map((w) => (
        <tr key={w.id}>
          <td>{w.id}</td>
          {admin ? <td>{w.account}</td> : null}
          <td className="num">{formatMoney(w.amount, w.currency)}</td>
          <td>{w.reference || '—'}</td>
          <td>{formatTs(w.created_us)}</td>
          <td><StatusBadge status={w.status} />{w.reason ? <><br /><small>Reason: {w.reason}</small></> : null}</td>
        </tr>
      ))}
    </>
  );
}

export function MyWithdrawals() {
  const [page, setPage] = useState(1);
  const q = useWithdrawalsQuery({ page, page_size: 10 }, { pollingInterval: 15000 });
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <>
          <div className="table-wrap">
            <table data-testid="withdrawals">
              <caption>Your withdrawals</caption>
              <thead><tr><th scope="col">#</th><th scope="col" className="num">Amount</th><th scope="col">Reference</th><th scope="col">Requested</th><th scope="col">Status</th></tr></thead>
              <tbody>
                <Rows items={q.data.items} />
                {q.data.items.length === 0 ? <tr><td colSpan={5}>No withdrawals yet.</td></tr> : null}
              </tbody>
            </table>
          </div>
          {q.data.total > q.data.page_size ? <Pager label="Withdrawals" page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} /> : null}
        </>
      ) : null}
    </>
  );
}

function Decide({ w }: { w: Withdrawal }) {
  const [decide] = useDecideWithdrawalMutation();
  const label = `withdrawal ${w.id}`;
  const approve = useFormAction(async (v) => {
    const otp = v.otp.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(otp)) throw clientError('otp', 'Enter the 6-digit code from your authenticator app');
    return decide({ id: w.id, action: 'approve', otp }).unwrap();
  });
  const reject = useFormAction(async (v) => decide({ id: w.id, action: 'reject', reason: v.reason }).unwrap());
  return (
    <li aria-label={`Withdrawal ${w.id}`} className="card">
      <p><strong>#{w.id}</strong>: {formatMoney(w.amount, w.currency)} from account {w.account}{w.reference ? ` · ${w.reference}` : ''} · {formatTs(w.created_us)}</p>
      <div className="grid">
        <form onSubmit={approve.onSubmit} noValidate aria-label={`Approve ${label}`}>
          <Field label={`Your current code to approve ${label}`} name="otp" required error={approve.error} inputMode="numeric" autoComplete="one-time-code" />
          <FormStatus error={approve.error} fields={['otp']} busy={approve.busy} />
          {approve.error?.code === 'AUTH_MFA_REQUIRED' ? <p><Link to="/settings">Set up your second factor</Link> to approve withdrawals.</p> : null}
          <button type="submit" disabled={approve.busy}>Approve</button>
        </form>
        <form onSubmit={reject.onSubmit} noValidate aria-label={`Reject ${label}`}>
          <Field label={`Reason to reject ${label}`} name="reason" required error={reject.error} />
          <FormStatus error={reject.error} fields={['reason']} busy={reject.busy} />
          <button type="submit" className="danger" disabled={reject.busy}>Reject</button>
        </form>
      </div>
    </li>
  );
}

export function WithdrawalQueue({ canDecide }: { canDecide: boolean }) {
  const [page, setPage] = useState(1);
  const pending = useWithdrawalsQuery({ status: 'pending', page, page_size: 10 }, { pollingInterval: 15000 });
  const decided = useWithdrawalsQuery({ page: 1, page_size: 10 });
  const recent = (decided.data?.items ?? []).filter((w) => w.status !== 'pending');
  return (
    <>
      <QueryState isLoading={pending.isLoading} error={pending.error} />
      {pending.data ? (
        pending.data.items.length === 0 ? <p data-testid="withdrawal-queue-empty">No withdrawals waiting.</p> : canDecide ? (
          <ul className="cards" aria-label="Pending withdrawals">{pending.data.items.map((w) => <Decide key={w.id} w={w} />)}</ul>
        ) : (
          <div className="table-wrap"><table><caption>Pending withdrawals</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Account</th><th scope="col" className="num">Amount</th><th scope="col">Reference</th><th scope="col">Requested</th><th scope="col">Status</th></tr></thead>
            <tbody><Rows items={pending.data.items} admin /></tbody></table></div>
        )
      ) : null}
      {pending.data && pending.data.total > pending.data.page_size ? <Pager label="Pending withdrawals" page={page} pageSize={pending.data.page_size} total={pending.data.total} onPage={setPage} /> : null}
      {recent.length ? (
        <div className="table-wrap"><table data-testid="withdrawals-decided"><caption>Recently decided</caption>
          <thead><tr><th scope="col">#</th><th scope="col">Account</th><th scope="col" className="num">Amount</th><th scope="col">Reference</th><th scope="col">Requested</th><th scope="col">Status</th></tr></thead>
          <tbody><Rows items={recent} admin /></tbody></table></div>
      ) : null}
    </>
  );
}
