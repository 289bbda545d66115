// Recent trades of one instrument, newest first (live from trades:<id>).
import type { Trade } from '../../store/marketSlice';
import { formatPrice } from '../../utils/decimal';
import { formatTonnes } from '../../utils/format';
import { TableWrap } from './common';

function time(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(11, 19);
}

export function TradeTape({ trades, currency }: { trades: Trade[]; currency: string }) {
  return (
    <TableWrap label="Recent trades (scrollable)" className="tape">
      <table>
        <caption>Recent trades ({currency})</caption>
        <thead><tr><th scope="col">Time (UTC)</th><th scope="col" className="num">Price</th><th scope="col" className="num">Quantity</th><th scope="col">Taker</th></tr></thead>
        <tbody>
          {trades.slice(0, 25).map((t) => (
            <tr key={t.id} className={t.side === 'sell' ? 'down' : 'up'}>
              <td>{time(t.ts)}</td><td className="num">{formatPrice(t.price)}</td><td className="num">{formatTonnes(t.qty)}</td><td>{t.side}</td>
            </tr>
          ))}
          {trades.length === 0 ? <tr><td colSpan={4}>No trades yet.</td></tr> : null}
        </tbody>
      </table>
    </TableWrap>
  );
}
