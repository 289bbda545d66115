// Verifier page, on chain: batches being mirrored on chain whose issuance collects verifiers'
// EIP-712 approvals (GET /chain/batches, then GET /chain/approvals/{issuance} for each batch
// not yet minted). "Sign with my wallet" checks the typed data
// (Approval type, the registry's domain, this chain), asks the linked wallet for
// eth_signTypedData_v4, checks the signature recovers to it, and posts it; the row shows k of
// n. viem loads only when a verifier signs (dynamic import), not with the page.
import { useState } from 'react';
import { useMeQuery } from '../../services/api';
import { useChainApprovalQuery, useChainBatchesQuery, useChainStatusQuery, useSubmitChainApprovalMutation, type ChainBatch, type ChainStatus } from '../../services/chain.api';
import { quorumText, sameAddress, sameChain, validateApprovalTypedData } from '../../utils/chain';
import { formatKg } from '../../utils/format';
import { toFormError } from '../../utils/problem';
import { StatusBadge } from '../common/Loading';
import { Addr } from './common';

function ApprovalRow({ b, issuance, status, wallets }: { b: ChainBatch; issuance: number; status: ChainStatus; wallets: string[] }) {
  const q = useChainApprovalQuery(issuance, { pollingInterval: 10000 });
  const [submit] = useSubmitChainApprovalMutation();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const [done, setDone] = useState('');
  if (q.isError || !q.data) return null;  // not mirrored on chain (404) or still loading
  const a = q.data;
  const check = validateApprovalTypedData(a.typed_data, { chainId: status.chain_id ?? 0, registry: status.contracts?.VerificationRegistry });
  const signedByMe = a.signatures.some((s) => wallets.some((w) => sameAddress(w, s.address)));
  async function sign() {
    setBusy(true); setErr(''); setDone('');
    try {
      if (!check.ok) throw new Error(`Refusing to sign: ${check.message}`);
      const { ChainSession } = await import('../../services/wallet');
      const session = new ChainSession(status);
      const addr = await session.connect();
      if (!wallets.some((w) => sameAddress(w, addr))) throw new Error(`The wallet's account ${addr} is not linked to your account: link it on the Wallet page first.`);
      if (!sameChain(await session.walletChainId(), status.chain_id)) await session.switchChain();
      const signature = await session.signTypedData(addr, a.typed_data);
      const r = await submit({ issuance, signature }).unwrap();
      setDone(`Signed: ${quorumText(r.signatures.length, a.threshold)}${r.status ? ` (${r.status.replace(/_/g, ' ')})` : ''}.`);
    } catch (e) {
      setErr(toFormError(e).message);
    } finally { setBusy(false); }
  }
  return (
    <li className="card" aria-label={`On-chain approval of issuance ${issuance}`} data-testid={`chain-approval-${issuance}`}>
      <h3>Issuance #{issuance}: batch #{b.batch} (token {b.token_id})</h3>
      <p>{check.ok ? formatKg(check.value.amountKg) : '—'} · <strong data-testid="quorum">{quorumText(a.signatures.length, a.threshold)}</strong> · <StatusBadge status={a.status} /></p>
      {a.signatures.length ? <p>Signed by: {a.signatures.map((s, k) => <span key={s.address}>{k ? ', ' : ''}<Addr a={s.address} /></span>)}</p> : null}
      {!check.ok ? <p className="form-error">The approval data is not what a verifier should sign: {check.message}</p> : null}
      {check.ok && !signedByMe && a.signatures.length < a.threshold ? (
        <button type="button" disabled={busy} onClick={sign}>Sign the approval with my wallet</button>
      ) : null}
      <div aria-live="polite">
        {busy ? <p className="busy" role="status">Waiting for the wallet…</p> : null}
        {err ? <p className="form-error" role="alert">{err}</p> : null}
        {done ? <p className="success" role="status">{done}</p> : null}
      </div>
    </li>
  );
}

export function ChainApprovals() {
  const st = useChainStatusQuery();
  const batches = useChainBatchesQuery(undefined, { skip: !st.data?.enabled });
  const me = useMeQuery();
  const wallets = (me.data as { wallets?: string[] } | undefined)?.wallets ?? [];
  if (!st.data?.enabled) return null;
  // Batches still on their way to being minted (the list is read once per visit, so a row
  // stays on screen after its quorum is reached).
  const open = (batches.data ?? []).filter((b) => b.issuance && b.status !== 'minted' && b.status !== 'failed');
  return (
    <section aria-labelledby="h-chain-appr">
      <h2 id="h-chain-appr">On-chain approvals</h2>
      <p className="hint">Issued credits are minted on chain only up to what k verifiers signed (EIP-712, with your linked wallet).</p>
      {batches.data && open.length === 0 ? <p>No issuance is waiting for on-chain approval.</p> : null}
      <ul className="cards">{open.map((b) => <ApprovalRow key={b.batch} b={b} issuance={b.issuance!} status={st.data!} wallets={wallets} />)}</ul>
    </section>
  );
}
