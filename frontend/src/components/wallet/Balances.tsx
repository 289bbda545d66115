// On-chain ERC-1155 balances of the connected wallet for every batch the exchange mirrored on
// chain (CarbonCreditToken.balanceOfBatch on the status' rpc_url), beside the exchange's
// custody of each batch. 1 token unit = 1 kg; shown in tonnes, exactly.
import { useCallback, useEffect, useState } from 'react';
import type { Address } from 'viem';
import type { ChainBatch, ChainStatus } from '../../services/chain.api';
import type { ChainSession } from '../../services/wallet';
import { formatKg } from '../../utils/format';
import { TableWrap } from '../trading/common';
import { StatusBadge } from '../common/Loading';

export interface OnChainBalances { byToken: Record<string, bigint>; error: string; loading: boolean; refresh: () => void }

export function useOnChainBalances(session: ChainSession | null, address: Address | null, batches: ChainBatch[] | undefined): OnChainBalances {
  const [byToken, setByToken] = useState<Record<string, bigint>>({});
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);
  const [n, setN] = useState(0);
  const refresh = useCallback(() => setN((x) => x + 1), []);
  const key = (batches ?? []).map((b) => b.token_id).join(',');
  useEffect(() => {
    if (!session || !address || !key) { setByToken({}); return undefined; }
    let live = true;
    const ids = key.split(',');
    setLoading(true);
    session.balances(address, ids.map((i) => BigInt(i))).then((r) => {
      if (!live) return;
      const out: Record<string, bigint> = {};
      ids.forEach((id, i) => { out[id] = r[i]; });
      setByToken(out);
      setError('');
    }).catch((e: Error) => { if (live) setError(`Could not read balances from the chain: ${e.message}`); })
      .finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, [session, address, key, n]);
  return { byToken, error, loading, refresh };
}

export function Balances({ batches, bal, connected }: { status: ChainStatus; batches: ChainBatch[]; bal: OnChainBalances; connected: boolean }) {
  return (
    <section aria-labelledby="h-bal">
      <h2 id="h-bal">On-chain balances</h2>
      {!connected ? <p className="hint">Connect your wallet to see its balances.</p> : null}
      {bal.error ? <p className="form-error" role="alert">{bal.error}</p> : null}
      {batches.length === 0 ? <p>No batch is on chain yet.</p> : (
        <TableWrap label="On-chain balances">
          <table data-testid="chain-balances">
            <caption>Credits per batch: in your wallet, and held by the exchange (custody)</caption>
            <thead><tr><th scope="col">Batch</th><th scope="col">Token id</th><th scope="col" className="num">In your wallet</th><th scope="col" className="num">Exchange custody</th><th scope="col" className="num">Minted</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {batches.map((b) => (
                <tr key={b.token_id} data-token={b.token_id}>
                  <td>#{b.batch}</td>
                  <td className="mono">{b.token_id}</td>
                  <td className="num" data-testid={`wallet-balance-${b.batch}`}>{connected && bal.byToken[b.token_id] !== undefined ? formatKg(bal.byToken[b.token_id]) : '—'}</td>
                  <td className="num">{formatKg(b.custody_kg)}</td>
                  <td className="num">{formatKg(b.minted_kg)}</td>
                  <td><StatusBadge status={b.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {connected ? <button type="button" onClick={bal.refresh} disabled={bal.loading}>{bal.loading ? 'Reading the chain…' : 'Refresh balances'}</button> : null}
    </section>
  );
}
