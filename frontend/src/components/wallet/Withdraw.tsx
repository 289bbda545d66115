// Withdraw credits from the exchange to a wallet (POST /chain/withdrawals: escrow in the
// engine, the operator's transaction, confirmation) and the caller's withdrawals with their
// live status (polled while one is still moving).
import { useEffect, useRef, useState } from 'react';
import { useChainWithdrawalsQuery, useChainWithdrawMutation, type ChainBatch, type ChainStatus } from '../../services/chain.api';
import type { Holding } from '../../services/api';
import { Field } from '../common/Field';
import { FormStatus } from '../common/FormStatus';
import { clientError, useFormAction } from '../common/useFormAction';
import { QueryState, StatusBadge } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { formatTonnes, formatTs } from '../../utils/format';
import { isAddress, isFinalStatus, parseChainQuantity } from '../../utils/chain';
import { Addr, TxLink } from './common';

export function WithdrawForm({ batches, holdings, defaultTo }: { batches: ChainBatch[]; holdings: Holding[]; defaultTo: string }) {
  const [withdraw] = useChainWithdrawMutation();
  const held = new Map(holdings.map((h) => [h.batch, h]));
  const options = batches.map((b) => ({ value: String(b.batch), label: `Batch #${b.batch} — ${held.get(b.batch) ? formatTonnes(held.get(b.batch)!.tradable) : '0.000 t'} available` }));
  const f = useFormAction(async (v) => {
    const h = held.get(Number(v.batch));
    const q = parseChainQuantity(v.quantity ?? '', h ? BigInt(h.tradable_kg) : 0n);
    if (!q.ok) throw clientError('quantity', q.message);
    if (v.to && !isAddress(v.to)) throw clientError('to', 'Enter a 0x address of 40 hex digits, or leave empty for your linked wallet');
    return (await withdraw({ batch: Number(v.batch), quantity: v.quantity.replace(/,/g, ''), ...(v.to ? { to: v.to } : {}) }).unwrap()).withdrawal;
  });
  if (!batches.length) return <p>No batch can be withdrawn yet (none is on chain).</p>;
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Withdraw to a wallet" className="narrow">
      <Field label="Batch" name="batch" options={options} error={f.error} />
      <Field label="Quantity (t)" name="quantity" required inputMode="decimal" error={f.error} hint="Up to 3 decimals (kilograms)." />
      <Field label="To address" name="to" error={f.error} defaultValue={defaultTo} hint="Empty: your linked wallet." autoComplete="off" />
      <FormStatus error={f.error} fields={['batch', 'quantity', 'to']} busy={f.busy}
        success={f.result ? <p>Withdrawal #{f.result.id} requested: {formatTonnes(f.result.quantity)} to <Addr a={f.result.to} />.</p> : null} />
      <button type="submit" disabled={f.busy}>Withdraw</button>
    </form>
  );
}

export function WithdrawalList({ status, onConfirmed }: { status: ChainStatus; onConfirmed: () => void }) {
  const [poll, setPoll] = useState(0);
  const q = useChainWithdrawalsQuery(undefined, { pollingInterval: poll });
  const moving = (q.data ?? []).some((w) => !isFinalStatus(w.status));
  useEffect(() => setPoll(moving ? 1500 : 0), [moving]);
  // Refresh the on-chain balances when a withdrawal confirms.
  const confirmed = (q.data ?? []).filter((w) => w.status === 'confirmed').length;
  const last = useRef(confirmed);
  useEffect(() => { if (confirmed !== last.current) { last.current = confirmed; onConfirmed(); } }, [confirmed, onConfirmed]);
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data && q.data.length === 0 ? <p>No withdrawals yet.</p> : null}
      {q.data && q.data.length ? (
        <TableWrap label="Your withdrawals">
          <table data-testid="chain-withdrawals">
            <caption>Your withdrawals{moving ? ' (updating)' : ''}</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Batch</th><th scope="col" className="num">Quantity</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Transaction</th><th scope="col">Requested</th></tr></thead>
            <tbody>
              {q.data.map((w) => (
                <tr key={w.id} data-status={w.status}>
                  <td>{w.id}</td><td>#{w.batch}</td><td className="num">{formatTonnes(w.quantity)}</td><td><Addr a={w.to} /></td>
                  <td><StatusBadge status={w.status} /></td><td><TxLink hash={w.tx_hash} status={status} /></td><td>{formatTs(w.created_ts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
