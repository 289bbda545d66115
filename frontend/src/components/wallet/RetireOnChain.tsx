// Retire credits on chain from the wallet: CarbonCreditToken.retire(id, kg, beneficiary,
// reason) burns them and mints the soulbound certificate; the exchange indexes the Retired
// event (GET /chain/retirements lists them).
import { useState } from 'react';
import { chainApi, useChainRetirementsQuery, type ChainBatch, type ChainStatus } from '../../services/chain.api';
import { useAppDispatch } from '../../store/hooks';
import { Field } from '../common/Field';
import { QueryState } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { formatKg, formatTonnes } from '../../utils/format';
import { parseChainQuantity } from '../../utils/chain';
import type { FormError } from '../../utils/problem';
import { Addr, TxLink, TxStatus, useTxRun } from './common';
import type { ChainWallet } from './useChainWallet';
import type { OnChainBalances } from './Balances';

export function RetireForm({ status, batches, w, bal }: { status: ChainStatus; batches: ChainBatch[]; w: ChainWallet; bal: OnChainBalances }) {
  const dispatch = useAppDispatch();
  const r = useTxRun<string>();
  const [err, setErr] = useState<FormError | null>(null);
  const held = batches.filter((b) => (bal.byToken[b.token_id] ?? 0n) > 0n);
  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData(e.currentTarget);
    const b = batches.find((x) => x.token_id === String(fd.get('token')));
    setErr(null);
    if (!b || !w.session || !w.address) return;
    const q = parseChainQuantity(String(fd.get('quantity') ?? ''), bal.byToken[b.token_id] ?? 0n);
    if (!q.ok) { setErr({ message: q.message, field: 'quantity' }); return; }
    const beneficiary = String(fd.get('beneficiary') ?? '').trim();
    const reason = String(fd.get('reason') ?? '').trim();
    if (!beneficiary) { setErr({ message: 'Name the beneficiary of the retirement', field: 'beneficiary' }); return; }
    await r.run(async (step) => {
      const h = await w.session!.retire(w.address!, BigInt(b.token_id), q.value, beneficiary, reason, step);
      bal.refresh();
      dispatch(chainApi.util.invalidateTags(['ChainRetirement', 'ChainBatch']));
      return h;
    });
  }
  if (!w.address || !w.onChain) return <p className="hint">Connect your wallet on this exchange's chain to retire from it.</p>;
  if (!held.length) return <p>Your wallet holds no credits to retire.</p>;
  return (
    <form onSubmit={submit} noValidate aria-label="Retire on chain" className="narrow">
      <Field label="Batch" name="token" options={held.map((b) => ({ value: b.token_id, label: `Batch #${b.batch} — ${formatKg(bal.byToken[b.token_id])} in your wallet` }))} />
      <Field label="Quantity to retire (t)" name="quantity" required inputMode="decimal" error={err} />
      <Field label="Beneficiary" name="beneficiary" required error={err} />
      <Field label="Reason" name="reason" error={err} />
      <TxStatus r={r} status={status} success={r.result ? <p>Retired on chain (<TxLink hash={r.result} status={status} />). The certificate token is in your wallet.</p> : null} />
      <button type="submit" disabled={r.busy}>Retire on chain</button>
    </form>
  );
}

export function ChainRetirements({ status }: { status: ChainStatus }) {
  const q = useChainRetirementsQuery(undefined, { pollingInterval: 5000 });
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data && q.data.length === 0 ? <p>No on-chain retirements yet.</p> : null}
      {q.data && q.data.length ? (
        <TableWrap label="On-chain retirements">
          <table data-testid="chain-retirements">
            <caption>Retirements made on chain</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Batch</th><th scope="col" className="num">Quantity</th><th scope="col">Holder</th><th scope="col">Beneficiary</th><th scope="col">Reason</th><th scope="col">Transaction</th></tr></thead>
            <tbody>
              {q.data.map((x) => (
                <tr key={x.retirement_id}>
                  <td>{x.retirement_id}</td><td>{x.batch ? `#${x.batch}` : x.token_id}</td><td className="num">{formatTonnes(x.quantity)}</td>
                  <td><Addr a={x.holder} /></td><td>{x.beneficiary}</td><td>{x.reason}</td><td><TxLink hash={x.tx_hash} status={status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
