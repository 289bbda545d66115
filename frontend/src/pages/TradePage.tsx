// Trading page of one instrument (/markets/:id; a lazy chunk, with the D3 charts): summary
// (phase, last, 24 h change and volume, best bid/offer), order-book ladder (a click fills
// the ticket), candle and depth charts, order ticket with the cash balance, open orders,
// fills (delivered batch and serials) and the trade tape -- all live from the WebSocket.
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useInstrumentQuery, useMarketStatsQuery } from '../services/api';
import { useMarketChannels } from '../services/ws';
import { useAppSelector } from '../store/hooks';
import { QueryState } from '../components/common/Loading';
import { OrderBookLadder } from '../components/trading/OrderBookLadder';
import { OrderTicket, type Prefill } from '../components/trading/OrderTicket';
import { OpenOrders } from '../components/trading/OpenOrders';
import { Fills } from '../components/trading/Fills';
import { TradeTape } from '../components/trading/TradeTape';
import { CashBalances } from '../components/trading/CashBalances';
import { ContractCriteria } from '../components/trading/ContractCriteria';
import { formatBp, PhaseBadge } from '../components/trading/common';
import { DepthChart } from '../components/analytics/DepthChart';
import { CandleChart } from '../components/analytics/CandleChart';
import { formatMoney, formatPrice } from '../utils/decimal';
import { formatTonnes } from '../utils/format';
import { OnChainVenue } from '../components/wallet/OnChainVenue';

const INTERVALS = ['1m', '5m', '1h', '1d'];
const EMPTY: never[] = [];

export default function TradePage() {
  const id = Number(useParams().id);
  const inst = useInstrumentQuery(id, { pollingInterval: 10000 });
  const restStats = useMarketStatsQuery(id);
  const user = useAppSelector((s) => s.auth.user);
  const [iv, setIv] = useState('1m');
  useMarketChannels([`depth:${id}`, `bbo:${id}`, `trades:${id}`, `candles:${id}:${iv}`, `stats:${id}`, ...(user ? [`orders:${user.id}`] : [])]);
  const book = useAppSelector((s) => s.market.books[id]);
  const bbo = useAppSelector((s) => s.market.bbo[id]);
  const trades = useAppSelector((s) => s.market.trades[id] ?? EMPTY);
  const candles = useAppSelector((s) => s.market.candles[`${id}:${iv}`] ?? EMPTY);
  const stats = useAppSelector((s) => s.market.stats[id]) ?? restStats.data;
  const connection = useAppSelector((s) => s.market.connection);
  const depthState = useAppSelector((s) => s.market.channels[`depth:${id}`]?.status);
  const [prefill, setPrefill] = useState<Prefill | undefined>(undefined);
  const onPick = useCallback((side: 'buy' | 'sell', price: string) => setPrefill((p) => ({ side, price, n: (p?.n ?? 0) + 1 })), []);

  const i = inst.data;
  if (!i) return <><h1>Market #{id}</h1><QueryState isLoading={inst.isLoading} error={inst.error} /></>;
  const status = connection !== 'open' ? (connection === 'closed' ? 'Connection lost: reconnecting…' : 'Connecting…')
    : depthState === 'live' ? 'Live.' : depthState === 'resync' ? 'Missed an update: resynchronising…' : 'Loading the book…';
  const bid = bbo ? bbo.bid : null;
  const ask = bbo ? bbo.ask : null;
  return (
    <>
      <p className="crumbs"><Link to="/markets">Markets</Link> › {i.symbol} · <Link to={`/analytics?series=instrument:${id}`}>Analytics of {i.symbol}</Link></p>
      <h1>{i.symbol} <small className="sub">{i.kind === 'batch' ? `${i.project_name ?? ''} · vintage ${i.vintage ?? ''} · batch #${i.batch}` : 'standard contract'}</small></h1>
      <dl className="summary">
        <div><dt>Phase</dt><dd><PhaseBadge phase={i.phase} reason={i.phase_reason} /></dd></div>
        <div><dt>Last</dt><dd data-testid="last">{formatPrice(stats?.last ?? null)} {i.currency}</dd></div>
        <div><dt>24 h change</dt><dd>{stats?.change ? `${formatPrice(stats.change)} (${formatBp(stats.change_bp)})` : '—'}</dd></div>
        <div><dt>24 h volume</dt><dd>{stats ? formatTonnes(stats.volume) : '—'}</dd></div>
        <div><dt>VWAP 24 h</dt><dd>{formatPrice(stats?.vwap ?? null)}</dd></div>
        <div><dt>Best bid</dt><dd>{bid ? `${formatPrice(bid[0])} × ${formatTonnes(bid[1])}` : formatPrice(i.best_bid)}</dd></div>
        <div><dt>Best ask</dt><dd>{ask ? `${formatPrice(ask[0])} × ${formatTonnes(ask[1])}` : formatPrice(i.best_ask)}</dd></div>
        <div><dt>Fees</dt><dd>maker {i.maker_fee_bp} bp, taker {i.taker_fee_bp} bp</dd></div>
      </dl>
      {i.phase === 'auction' ? <p className="notice">Call auction running{i.auction_end_us ? ' until the end time' : ''}: limit orders are collected and the market uncrosses at one price.</p> : null}
      <div className="trade-grid">
        <section aria-labelledby="h-book" className="area-book">
          <h2 id="h-book">Order book</h2>
          <OrderBookLadder book={book} currency={i.currency} onPick={onPick} status={status} />
        </section>
        <section aria-labelledby="h-ticket" className="area-ticket">
          <h2 id="h-ticket">Place an order</h2>
          {user ? (
            <>
              <OrderTicket instrument={i} account={user.account} prefill={prefill} />
              <CashBalances account={user.account} caption="Your cash" compact />
            </>
          ) : <p><Link to="/signin">Sign in</Link> to trade.</p>}
        </section>
        <section aria-labelledby="h-charts" className="area-charts">
          <h2 id="h-charts">Charts</h2>
          <fieldset className="intervals">
            <legend>Candle interval</legend>
            {INTERVALS.map((x) => (
              <label key={x} className="check"><input type="radio" name="interval" value={x} checked={iv === x} onChange={() => setIv(x)} /> {x}</label>
            ))}
          </fieldset>
          <CandleChart candles={candles} currency={i.currency} interval={iv} />
          <DepthChart book={book} currency={i.currency} />
        </section>
      </div>
      {i.kind === 'contract' && i.criteria ? <ContractCriteria criteria={i.criteria} symbol={i.symbol} /> : null}
      {user ? (
        <div className="grid">
          <section aria-labelledby="h-open"><h2 id="h-open">Open orders</h2><OpenOrders instrument={id} symbol={i.symbol} /></section>
          <section aria-labelledby="h-fills"><h2 id="h-fills">Fills</h2><Fills instrument={id} /></section>
        </div>
      ) : null}
      <section aria-labelledby="h-tape"><h2 id="h-tape">Trades</h2><TradeTape trades={trades} currency={i.currency} /></section>
      {i.kind === 'batch' ? <OnChainVenue batch={i.batch} /> : null}
      <p className="hint">Tick {i.tick} {i.currency}, lot {formatTonnes(i.lot)}; price band ±{i.band_bp / 100} % around the reference price {formatMoney(i.reference_price ?? '', i.currency)}.</p>
    </>
  );
}
