// The on-chain venue beside the exchange's book: CarbonMarket listings and fills as the
// exchange indexed them (GET /chain/market/listings, /chain/market/fills), and buying from a
// listing with the user's own wallet (PaymentToken.approve when needed, then
// CarbonMarket.fillListing(id, kg, maxTotalCost) with maxTotalCost = kg * unit price, exact).
// Prices are payment-token minor units per kg on chain; shown per tonne in the token's units
// (symbol and decimals read from the token with one eth_call each, no wallet library).
// viem loads only when someone buys (dynamic import).
import { useEffect, useState } from 'react';
import { chainApi, useChainFillsQuery, useChainListingsQuery, useChainStatusQuery, type ChainListing, type ChainStatus } from '../../services/chain.api';
import { useAppDispatch } from '../../store/hooks';
import { QueryState, StatusBadge } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { formatTonnes } from '../../utils/format';
import { formatUnitsExact, listingCost, parseChainQuantity, sameChain, tonnesToKg } from '../../utils/chain';
import { Addr, TxLink, TxStatus, useTxRun } from './common';

interface TokenInfo { symbol: string; decimals: number }

async function ethCall(url: string, to: string, data: string): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to, data }, 'latest'] }) });
  const j = await r.json() as { result?: string; error?: { message: string } };
  if (!j.result) throw new Error(j.error?.message ?? 'eth_call failed');
  return j.result;
}

/** ABI-decodes a single `string` return value. */
export function decodeAbiString(hex: string): string {
  const h = hex.replace(/^0x/, '');
  const len = Number(BigInt('0x' + h.slice(64, 128)));
  const bytes = h.slice(128, 128 + len * 2).match(/../g) ?? [];
  return new TextDecoder().decode(new Uint8Array(bytes.map((b) => parseInt(b, 16))));
}

function usePaymentToken(status: ChainStatus | undefined): TokenInfo | null {
  const [info, setInfo] = useState<TokenInfo | null>(null);
  const url = status?.rpc_url;
  const token = status?.contracts?.PaymentToken;
  useEffect(() => {
    if (!url || !token) return;
    let live = true;
    Promise.all([ethCall(url, token, '0x95d89b41'), ethCall(url, token, '0x313ce567')])
      .then(([s, d]) => { if (live) setInfo({ symbol: decodeAbiString(s), decimals: Number(BigInt(d)) }); })
      .catch(() => { /* prices stay in minor units */ });
    return () => { live = false; };
  }, [url, token]);
  return info;
}

function price(minorPerKg: string, t: TokenInfo | null): string {
  if (!/^\d+$/.test(minorPerKg)) return minorPerKg;
  const perTonne = BigInt(minorPerKg) * 1000n;
  return t ? `${formatUnitsExact(perTonne, t.decimals)} ${t.symbol}/t` : `${perTonne.toString()} minor units/t`;
}

function FillForm({ l, status, token }: { l: ChainListing; status: ChainStatus; token: TokenInfo | null }) {
  const dispatch = useAppDispatch();
  const r = useTxRun<string>();
  const [qty, setQty] = useState('');
  const [err, setErr] = useState('');
  const remaining = tonnesToKg(l.remaining);
  async function buy(e: React.FormEvent) {
    e.preventDefault();
    setErr('');
    const q = parseChainQuantity(qty, remaining.ok ? remaining.value : 0n);
    if (!q.ok) { setErr(q.message); return; }
    const min = tonnesToKg(l.min_fill);
    if (min.ok && q.value < min.value && q.value !== (remaining.ok ? remaining.value : -1n)) { setErr(`The minimum fill is ${formatTonnes(l.min_fill)}`); return; }
    const cost = listingCost(q.value, l.unit_price);
    if (cost === null) { setErr('This listing has no integer unit price.'); return; }
    await r.run(async (step) => {
      const { ChainSession } = await import('../../services/wallet');
      const s = new ChainSession(status);
      const buyer = await s.connect();
      if (!sameChain(await s.walletChainId(), status.chain_id)) { step('Switch your wallet to this chain…'); await s.switchChain(); }
      const h = await s.fillListing(buyer, BigInt(l.listing_id), q.value, cost, step);
      dispatch(chainApi.util.invalidateTags(['ChainListing']));
      return h;
    });
  }
  const id = `fill-${l.listing_id}`;
  const cost = (() => { const q = parseChainQuantity(qty); const c = q.ok ? listingCost(q.value, l.unit_price) : null; return c === null ? '' : token ? `${formatUnitsExact(c, token.decimals)} ${token.symbol}` : `${c} minor units`; })();
  return (
    <form onSubmit={buy} noValidate aria-label={`Buy from listing ${l.listing_id}`} className="inline-form">
      <label htmlFor={id}>Tonnes to buy from listing {l.listing_id}</label>
      <input id={id} name="quantity" inputMode="decimal" value={qty} onChange={(e) => setQty(e.target.value)} aria-invalid={err ? true : undefined} aria-describedby={err ? `${id}-e` : undefined} />
      {cost ? <small> costs {cost}</small> : null}
      {err ? <p id={`${id}-e`} className="field-error" role="alert">{err}</p> : null}
      <button type="submit" disabled={r.busy}>Buy with my wallet</button>
      <TxStatus r={r} status={status} success={r.result ? <p>Bought (<TxLink hash={r.result} status={status} />).</p> : null} />
    </form>
  );
}

export function OnChainVenue({ batch }: { batch?: number }) {
  const st = useChainStatusQuery();
  const status = st.data;
  const on = !!status?.enabled;
  const listings = useChainListingsQuery({ status: 'open' }, { skip: !on, pollingInterval: 10000 });
  const fills = useChainFillsQuery(undefined, { skip: !on, pollingInterval: 10000 });
  const token = usePaymentToken(on ? status : undefined);
  if (!on || !status) return null;
  const ls = (listings.data ?? []).filter((l) => batch === undefined || l.batch === batch);
  const listingIds = new Set(ls.map((l) => String(l.listing_id)));
  const fs = (fills.data ?? []).filter((f) => batch === undefined || listingIds.has(String(f.listing_id))).slice(0, 20);
  return (
    <section aria-labelledby="h-onchain" data-testid="onchain-venue">
      <h2 id="h-onchain">On-chain</h2>
      <p className="hint">Listings on the CarbonMarket contract ({status.network}), paid in {token ? token.symbol : 'the payment token'} from your own wallet. Settled on chain, outside the exchange's book.</p>
      <QueryState isLoading={listings.isLoading} error={listings.error} />
      {listings.data && ls.length === 0 ? <p>No open on-chain listing.</p> : null}
      {ls.length ? (
        <TableWrap label="On-chain listings">
          <table data-testid="chain-listings">
            <caption>Open on-chain listings</caption>
            <thead><tr><th scope="col">Listing</th><th scope="col">Batch</th><th scope="col">Seller</th><th scope="col" className="num">Remaining</th><th scope="col" className="num">Price</th><th scope="col" className="num">Min fill</th><th scope="col">Status</th><th scope="col">Buy</th></tr></thead>
            <tbody>
              {ls.map((l) => (
                <tr key={l.listing_id}>
                  <td>{l.listing_id}</td><td>{l.batch ? `#${l.batch}` : l.token_id}</td><td><Addr a={l.seller} /></td>
                  <td className="num">{formatTonnes(l.remaining)}</td><td className="num">{price(l.unit_price, token)}</td><td className="num">{formatTonnes(l.min_fill)}</td>
                  <td><StatusBadge status={l.status} /></td><td><FillForm l={l} status={status} token={token} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {fs.length ? (
        <TableWrap label="On-chain fills">
          <table data-testid="chain-fills">
            <caption>Recent on-chain fills</caption>
            <thead><tr><th scope="col">Listing</th><th scope="col">Buyer</th><th scope="col" className="num">Quantity</th><th scope="col" className="num">Cost</th><th scope="col">Transaction</th></tr></thead>
            <tbody>
              {fs.map((f) => (
                <tr key={`${f.tx_hash}:${f.listing_id}`}>
                  <td>{f.listing_id}</td><td><Addr a={f.buyer} /></td><td className="num">{formatTonnes(f.quantity)}</td>
                  <td className="num">{/^\d+$/.test(f.cost) && token ? `${formatUnitsExact(BigInt(f.cost), token.decimals)} ${token.symbol}` : f.cost}</td>
                  <td><TxLink hash={f.tx_hash} status={status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </section>
  );
}
