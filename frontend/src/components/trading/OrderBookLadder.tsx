// Order-book ladder: asks above (best ask nearest the middle), bids below, from the live
// book in the market slice. Each price is a button that fills the order ticket (an ask
// fills a buy, a bid a sell). Bars show each level's share of the largest visible level.
import type { Book } from '../../store/marketSlice';
import { formatPrice, fromScaled, toScaled } from '../../utils/decimal';
import { formatTonnes } from '../../utils/format';

const ROWS = 10;

function share(qty: string, max: bigint): number {
  const q = toScaled(qty, 3) ?? 0n;
  return max > 0n ? Number((q * 100n) / max) : 0;  // a display percentage only
}

export function OrderBookLadder({ book, currency, onPick, status }: {
  book: Book | undefined; currency: string; onPick: (side: 'buy' | 'sell', price: string) => void; status: string;
}) {
  const asks = (book?.asks ?? []).slice(0, ROWS).reverse();
  const bids = (book?.bids ?? []).slice(0, ROWS);
  let max = 0n;
  for (const [, q] of [...asks, ...bids]) { const v = toScaled(q, 3) ?? 0n; if (v > max) max = v; }
  const bestBid = bids[0]?.[0];
  const bestAsk = book?.asks[0]?.[0];
  const spread = bestBid && bestAsk ? (toScaled(bestAsk, 2)! - toScaled(bestBid, 2)!) : null;
  const row = (side: 'ask' | 'bid', [price, qty]: [string, string]) => (
    <tr key={`${side}${price}`} className={`ladder-${side}`}>
      <td>
        <button type="button" className="price-btn" onClick={() => onPick(side === 'ask' ? 'buy' : 'sell', price)}
          aria-label={`${side === 'ask' ? 'Ask' : 'Bid'} ${price} ${currency}, ${formatTonnes(qty)}: use this price to ${side === 'ask' ? 'buy' : 'sell'}`}>
          {formatPrice(price)}
        </button>
      </td>
      <td className="num bar-cell"><span className="bar" style={{ width: `${share(qty, max)}%` }} aria-hidden="true" /><span className="bar-text">{formatTonnes(qty, false)}</span></td>
    </tr>
  );
  return (
    <div className="table-wrap ladder">
      <table aria-describedby="ladder-status">
        <caption>Order book ({currency} per tonne; quantities in tonnes)</caption>
        <thead><tr><th scope="col">Price</th><th scope="col" className="num">Quantity</th></tr></thead>
        <tbody>
          {asks.map((l) => row('ask', l))}
          {asks.length === 0 ? <tr><td colSpan={2}>No offers.</td></tr> : null}
          <tr className="spread"><th scope="row" colSpan={2}>Spread {spread !== null ? formatPrice(fromScaled(spread, 2)) : '—'}</th></tr>
          {bids.map((l) => row('bid', l))}
          {bids.length === 0 ? <tr><td colSpan={2}>No bids.</td></tr> : null}
        </tbody>
      </table>
      <p id="ladder-status" className="hint" role="status">{status}</p>
    </div>
  );
}
