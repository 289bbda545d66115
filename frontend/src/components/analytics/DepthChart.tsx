// Depth chart (D3 scales and shapes, SVG rendered by React): cumulative bid quantity
// falling to the left of the spread, cumulative ask quantity rising to the right. Numbers
// are converted to floats here for drawing only; the text alternative states the exact
// best prices and totals.
import { scaleLinear } from 'd3-scale';
import { area, curveStepAfter, curveStepBefore } from 'd3-shape';
import { max as d3max } from 'd3-array';
import type { Book } from '../../store/marketSlice';
import { formatTonnes } from '../../utils/format';

const W = 480;
const H = 200;
const M = { t: 10, r: 24, b: 28, l: 52 };

function cumulate(levels: [string, string][]): Array<{ p: number; q: number }> {
  let acc = 0;
  return levels.slice(0, 50).map(([p, q]) => ({ p: Number(p), q: (acc += Number(q)) }));
}

export function DepthChart({ book, currency }: { book: Book | undefined; currency: string }) {
  const bids = cumulate(book?.bids ?? []);
  const asks = cumulate(book?.asks ?? []);
  const label = `Depth chart: ${book?.bids.length ?? 0} bid levels down from ${book?.bids[0]?.[0] ?? 'none'}, `
    + `${book?.asks.length ?? 0} ask levels up from ${book?.asks[0]?.[0] ?? 'none'} ${currency}.`;
  if (bids.length + asks.length === 0) return <p className="hint">No orders in the book.</p>;
  const prices = [...bids, ...asks].map((d) => d.p);
  const lo = Math.min(...prices);
  const hi = Math.max(...prices);
  const pad = (hi - lo) * 0.05 || 1;
  const x = scaleLinear().domain([lo - pad, hi + pad]).range([M.l, W - M.r]);
  const y = scaleLinear().domain([0, (d3max([...bids, ...asks], (d) => d.q) ?? 1) * 1.1]).range([H - M.b, M.t]).nice();
  const bidArea = area<{ p: number; q: number }>().x((d) => x(d.p)).y0(y(0)).y1((d) => y(d.q)).curve(curveStepBefore);
  const askArea = area<{ p: number; q: number }>().x((d) => x(d.p)).y0(y(0)).y1((d) => y(d.q)).curve(curveStepAfter);
  // Extend each side to the chart edge so the step reads as "all this quantity up to here".
  const bidPts = bids.length ? [...bids, { p: lo - pad, q: bids[bids.length - 1].q }].reverse() : [];
  const askPts = asks.length ? [...asks, { p: hi + pad, q: asks[asks.length - 1].q }] : [];
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
        <path d={bidArea(bidPts) ?? ''} fill="#2e7d32" fillOpacity={0.35} stroke="#1b5e20" />
        <path d={askArea(askPts) ?? ''} fill="#c62828" fillOpacity={0.3} stroke="#b71c1c" />
        <g aria-hidden="true" fontSize="11" fill="#333">
          <line x1={M.l} x2={W - M.r} y1={H - M.b} y2={H - M.b} stroke="#777" />
          {x.ticks(5).map((t) => <text key={`x${t}`} x={x(t)} y={H - 8} textAnchor="middle">{t.toFixed(2)}</text>)}
          {y.ticks(4).map((t) => <text key={`y${t}`} x={M.l - 6} y={y(t) + 4} textAnchor="end">{t}</text>)}
        </g>
      </svg>
      <figcaption className="hint">Cumulative tonnes by price ({currency}). Bids {formatTonnes(String(book?.bids.length ? bids[bids.length - 1].q.toFixed(3) : '0'))}, asks {formatTonnes(String(book?.asks.length ? asks[asks.length - 1].q.toFixed(3) : '0'))} shown.</figcaption>
    </figure>
  );
}
