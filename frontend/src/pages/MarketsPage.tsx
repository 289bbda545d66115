// Markets: every instrument with its phase, last or reference price, best bid and offer and
// 24 h change and volume (REST /markets/{id}/stats, then live from stats:<id> and bbo:<id>),
// the category price indices (live), and the call auctions running.
import { Link } from 'react-router-dom';
import { useInstrumentsQuery, useMarketStatsQuery, type Instrument } from '../services/api';
import { useMarketChannels } from '../services/ws';
import { useAppSelector } from '../store/hooks';
import { QueryState } from '../components/common/Loading';
import { AuctionsList } from '../components/trading/Auctions';
import { formatBp, PhaseBadge, TableWrap } from '../components/trading/common';
import { formatMoney, formatPrice } from '../utils/decimal';
import { formatTonnes } from '../utils/format';
import { OnChainVenue } from '../components/wallet/OnChainVenue';

function Row({ i }: { i: Instrument }) {
  const rest = useMarketStatsQuery(i.id);
  const liveStats = useAppSelector((s) => s.market.stats[i.id]);
  const bbo = useAppSelector((s) => s.market.bbo[i.id]);
  const st = liveStats ?? rest.data;
  const bid = bbo ? bbo.bid?.[0] ?? null : i.best_bid;
  const ask = bbo ? bbo.ask?.[0] ?? null : i.best_ask;
  const last = st?.last ?? null;
  return (
    <tr>
      <th scope="row"><Link to={`/markets/${i.id}`}>{i.symbol}</Link><br />
        <small>{i.kind === 'batch' ? `${i.project_name ?? 'batch'} · ${i.country ?? ''} · vintage ${i.vintage ?? '—'}` : 'standard contract (buy by criteria)'}</small></th>
      <td><PhaseBadge phase={i.phase} /></td>
      <td className="num">{last ? formatPrice(last) : <>{formatPrice(i.reference_price)}{i.reference_price ? <small> ref.</small> : null}</>}</td>
      <td className="num">{formatPrice(bid)}</td>
      <td className="num">{formatPrice(ask)}</td>
      <td className={`num ${st?.change_bp ? (st.change_bp > 0 ? 'up' : 'down') : ''}`}>{st?.change ? `${formatPrice(st.change)} (${formatBp(st.change_bp)})` : '—'}</td>
      <td className="num">{st ? formatTonnes(st.volume) : '—'}</td>
      <td className="num">{st?.notional ? formatMoney(st.notional, i.currency) : '—'}</td>
    </tr>
  );
}

const INDICES: Array<[string, string]> = [['all', 'All credits'], ['nature', 'Nature-based'], ['technical', 'Technology-based'], ['removal', 'Removals']];

function Indices() {
  const idx = useAppSelector((s) => s.market.indices);
  return (
    <TableWrap label="Price indices (scrollable)">
      <table>
        <caption>Price indices (volume-weighted, 24 h, USD per tonne)</caption>
        <thead><tr><th scope="col">Index</th><th scope="col" className="num">Value</th><th scope="col" className="num">Volume</th><th scope="col" className="num">Trades</th></tr></thead>
        <tbody>
          {INDICES.map(([k, label]) => (
            <tr key={k}><th scope="row">{label}</th><td className="num">{formatPrice(idx[k]?.value)}</td><td className="num">{idx[k] ? formatTonnes(idx[k].volume) : '—'}</td><td className="num">{idx[k]?.trades ?? '—'}</td></tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

export default function MarketsPage() {
  const q = useInstrumentsQuery(undefined, { pollingInterval: 15000 });
  const ids = (q.data?.items ?? []).map((i) => i.id);
  useMarketChannels([...ids.flatMap((id) => [`stats:${id}`, `bbo:${id}`]), ...INDICES.map(([k]) => `index:${k}`)]);
  return (
    <>
      <h1>Markets</h1>
      <p>Credits trade on central limit order books: one per listed batch, and standard contracts where a buyer bids on criteria and any eligible batch can be delivered. Prices in USD per tonne CO₂e; figures update live.</p>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <TableWrap label="Instruments (scrollable)">
          <table>
            <caption>Instruments</caption>
            <thead><tr>
              <th scope="col">Market</th><th scope="col">Phase</th><th scope="col" className="num">Last</th><th scope="col" className="num">Best bid</th>
              <th scope="col" className="num">Best ask</th><th scope="col" className="num">24 h change</th><th scope="col" className="num">24 h volume</th><th scope="col" className="num">24 h value</th>
            </tr></thead>
            <tbody>
              {q.data.items.map((i) => <Row key={i.id} i={i} />)}
              {q.data.items.length === 0 ? <tr><td colSpan={8}>No instrument listed yet.</td></tr> : null}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <section aria-labelledby="h-auc"><h2 id="h-auc">Auctions</h2><AuctionsList /></section>
      <section aria-labelledby="h-idx" className="narrow-table"><h2 id="h-idx">Indices</h2><Indices /></section>
      <OnChainVenue />
    </>
  );
}
