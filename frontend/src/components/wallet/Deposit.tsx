// Deposit credits from the wallet back to the exchange: the wallet calls
// CarbonMarket.deposit(tokenId, kg, account_ref) (after setApprovalForAll when the market may
// not move its credits yet); the exchange credits the account at N confirmations. The
// caller's deposits are listed with their confirmations until credited.
import { useEffect, useState } from 'react';
import type { Hex } from 'viem';
import { chainApi, useChainDepositsQuery, useDepositAddressQuery, type ChainBatch, type ChainStatus } from '../../services/chain.api';
import { useAppDispatch } from '../../store/hooks';
import { Field } from '../common/Field';
import { QueryState, StatusBadge } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { formatKg, formatTonnes } from '../../utils/format';
import { isBytes32, isFinalStatus, parseChainQuantity } from '../../utils/chain';
import { Addr, TxLink, TxStatus, useTxRun } from './common';
import type { ChainWallet } from './useChainWallet';
import type { OnChainBalances } from './Balances';

export function DepositForm({ status, batches, w, bal }: { status: ChainStatus; batches: ChainBatch[]; w: ChainWallet; bal: OnChainBalances }) {
  const addr = useDepositAddressQuery();
  const dispatch = useAppDispatch();
  const r = useTxRun<string>();
  const [qtyError, setQtyError] = useState('');
  const held = batches.filter((b) => (bal.byToken[b.token_id] ?? 0n) > 0n);
  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const b = batches.find((x) => x.token_id === String(fd.get('token')));
    setQtyError('');
    if (!b || !w.session || !w.address) return;
    const q = parseChainQuantity(String(fd.get('quantity') ?? ''), bal.byToken[b.token_id] ?? 0n);
    if (!q.ok) { setQtyError(q.message); return; }
    const ref = addr.data?.account_ref;
    if (!isBytes32(ref)) { r.reset(); setQtyError('The exchange gave no deposit reference for your account.'); return; }
    await r.run(async (step) => {
      const h = await w.session!.deposit(w.address!, BigInt(b.token_id), q.value, ref as Hex, step);
      dispatch(chainApi.util.invalidateTags(['ChainDeposit', 'ChainBatch']));
      bal.refresh();
      return h;
    });
  }
  if (!w.address) return <p className="hint">Connect your wallet to deposit.</p>;
  if (!w.onChain) return <p className="hint">Switch your wallet to this exchange's chain to deposit.</p>;
  if (!held.length) return <p>Your wallet holds no credits of a batch on this exchange.</p>;
  return (
    <form onSubmit={submit} noValidate aria-label="Deposit to the exchange" className="narrow">
      <QueryState isLoading={addr.isLoading} error={addr.error} />
      <Field label="Batch" name="token" options={held.map((b) => ({ value: b.token_id, label: `Batch #${b.batch} — ${formatKg(bal.byToken[b.token_id])} in your wallet` }))} />
      <Field label="Quantity to deposit (t)" name="quantity" required inputMode="decimal" error={qtyError ? { message: qtyError, field: 'quantity' } : null} />
      <TxStatus r={r} status={status} success={r.result ? <p>Deposit sent (<TxLink hash={r.result} status={status} />): credited after {status.confirmations ?? 'the required'} confirmations.</p> : null} />
      <button type="submit" disabled={r.busy}>Deposit</button>
    </form>
  );
}

export function DepositList({ status }: { status: ChainStatus }) {
  const [poll, setPoll] = useState(0);
  const q = useChainDepositsQuery(undefined, { pollingInterval: poll });
  const moving = (q.data ?? []).some((d) => !isFinalStatus(d.status));
  // A deposit sent from the wallet shows up only once the exchange has seen its log: keep
  // polling slowly even when nothing is pending, faster while one waits for confirmations.
  useEffect(() => setPoll(moving ? 1500 : 4000), [moving]);
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data && q.data.length === 0 ? <p>No deposits yet.</p> : null}
      {q.data && q.data.length ? (
        <TableWrap label="Your deposits">
          <table data-testid="chain-deposits">
            <caption>Your deposits{moving ? ' (waiting for confirmations)' : ''}</caption>
            <thead><tr><th scope="col">Transaction</th><th scope="col">Batch</th><th scope="col" className="num">Quantity</th><th scope="col">From</th><th scope="col" className="num">Confirmations</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {q.data.map((d) => (
                <tr key={`${d.tx_hash}:${d.log_index}`} data-status={d.status}>
                  <td><TxLink hash={d.tx_hash} status={status} /></td><td>#{d.batch}</td><td className="num">{formatTonnes(d.quantity)}</td>
                  <td><Addr a={d.from} /></td><td className="num">{d.confirmations}{status.confirmations ? ` of ${status.confirmations}` : ''}</td>
                  <td><StatusBadge status={d.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
