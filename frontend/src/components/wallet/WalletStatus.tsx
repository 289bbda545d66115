// The chain and the wallet: network, chain id, head and lag of the exchange's chain; connect
// the injected wallet; offer wallet_switchEthereumChain when it is on another chain; link the
// connected wallet to the account with Sign-In with Ethereum (the same SIWE link as Settings)
// when it is not linked yet, since withdrawals go to and approvals come from linked wallets.
import { useState } from 'react';
import { useMeQuery, useSiweLinkMutation } from '../../services/api';
import type { ChainStatus } from '../../services/chain.api';
import { useWalletSignature } from '../security/useWallet';
import { sameAddress } from '../../utils/chain';
import { toFormError } from '../../utils/problem';
import { Addr } from './common';
import type { ChainWallet } from './useChainWallet';

/** The wallets linked to the signed-in account (from /me). */
export function useLinkedWallets(): { wallets: string[]; refetch: () => void } {
  const me = useMeQuery();
  const wallets = ((me.data as { wallets?: string[] } | undefined)?.wallets ?? []).map((w) => w.toLowerCase());
  return { wallets, refetch: () => { void me.refetch(); } };
}

export function WalletStatus({ status, w }: { status: ChainStatus; w: ChainWallet }) {
  const { wallets, refetch } = useLinkedWallets();
  const sign = useWalletSignature();
  const [link] = useSiweLinkMutation();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');
  const linked = !!w.address && wallets.some((x) => sameAddress(x, w.address));

  async function act(f: () => Promise<unknown>, done: string) {
    setBusy(true); setErr(''); setMsg('');
    try { await f(); setMsg(done); } catch (e) { setErr(toFormError(e).message); } finally { setBusy(false); }
  }

  return (
    <section aria-labelledby="h-chain">
      <h2 id="h-chain">Chain and wallet</h2>
      <dl className="facts" data-testid="chain-status">
        <dt>Network</dt><dd>{status.network ?? '—'} (chain id {status.chain_id})</dd>
        <dt>Head block</dt><dd>{status.head ?? '—'}{status.lag_blocks ? ` (${status.lag_blocks} behind)` : ''}</dd>
        <dt>Confirmations</dt><dd>{status.confirmations ?? '—'}</dd>
        <dt>Your wallet</dt>
        <dd data-testid="wallet-address">{w.address ? <Addr a={w.address} /> : 'not connected'}
          {w.address ? (linked ? <> · <span className="success">linked to your account</span></> : <> · <span className="failed">not linked</span></>) : null}</dd>
        <dt>Wallet network</dt>
        <dd data-testid="wallet-chain">{w.walletChain === null ? '—' : `chain id ${w.walletChain.toString()}`}
          {w.address && w.walletChain !== null && !w.onChain ? <> · <span className="failed">not this exchange's chain</span></> : null}</dd>
      </dl>
      {w.unavailable ? <p className="hint" role="status">{w.unavailable}</p> : (
        <div className="actions">
          {!w.address ? <button type="button" disabled={busy} onClick={() => act(w.connect, 'Wallet connected.')}>Connect wallet</button> : null}
          {w.address && !w.onChain ? (
            <button type="button" disabled={busy} onClick={() => act(w.switchChain, `Wallet switched to chain ${status.chain_id}.`)}>Switch the wallet to {status.network ?? `chain ${status.chain_id}`}</button>
          ) : null}
          {w.address && !linked ? (
            <button type="button" disabled={busy} onClick={() => act(async () => {
              const s = await sign();
              if (!sameAddress(s.address, w.address)) throw new Error(`The wallet signed with ${s.address}, not the connected ${w.address}.`);
              await link({ message: s.message, signature: s.signature }).unwrap();
              refetch();
            }, 'Wallet linked to your account.')}>Link this wallet to my account</button>
          ) : null}
        </div>
      )}
      <div aria-live="polite">
        {busy ? <p className="busy" role="status">Waiting for the wallet…</p> : null}
        {err ? <p className="form-error" role="alert">{err}</p> : null}
        {msg && !busy && !err ? <p className="success" role="status">{msg}</p> : null}
      </div>
    </section>
  );
}
