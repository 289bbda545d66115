// Candle chart (D3 scales, SVG rendered by React): OHLC bodies and wicks with volume bars,
// for the chosen interval. Floats are used for drawing only; a table alternative lists the
// last candles exactly for screen readers.
import { scaleBand, scaleLinear } from 'd3-scale';
import { max as d3max, min as d3min } from 'd3-array';
import type { Candle } from '../../store/marketSlice';
import { formatTs } from '../../utils/format';
import { formatTonnes } from '../../utils/format';

const W = 480;
const H = 220;
const M = { t: 10, r: 12, b: 24, l: 52 };
const VOL_H = 40;

export function CandleChart({ candles, currency, interval }: { candles: Candle[]; currency: string; interval: string }) {
  const data = candles.slice(-60);
  if (data.length === 0) return <p className="hint">No trades yet in this interval.</p>;
  // At most 24 px per candle, so a few candles do not become slabs.
  const x = scaleBand<number>().domain(data.map((c) => c.t)).range([M.l, Math.min(W - M.r, M.l + data.length * 24)]).padding(0.25);
  const lo = d3min(data, (c) => Number(c.low)) ?? 0;
  const hi = d3max(data, (c) => Number(c.high)) ?? 1;
  const pad = (hi - lo) * 0.1 || 0.5;
  const y = scaleLinear().domain([lo - pad, hi + pad]).range([H - M.b - VOL_H, M.t]);
  const v = scaleLinear().domain([0, d3max(data, (c) => Number(c.volume)) ?? 1]).range([0, VOL_H - 4]);
  const last = data[data.length - 1];
  const label = `Candles (${interval}), ${data.length} shown; last ${formatTs(last.t)}: open ${last.open}, high ${last.high}, low ${last.low}, close ${last.close} ${currency}, volume ${formatTonnes(last.volume)}.`;
  const bw = x.bandwidth();
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
        {data.map((c) => {
          const up = Number(c.close) >= Number(c.open);
          const cx = (x(c.t) ?? 0) + bw / 2;
          const top = y(Math.max(Number(c.open), Number(c.close)));
          const bot = y(Math.min(Number(c.open), Number(c.close)));
          const col = up ? '#1b5e20' : '#b71c1c';
          return (
            <g key={c.t}>
              <line x1={cx} x2={cx} y1={y(Number(c.high))} y2={y(Number(c.low))} stroke={col} />
              <rect x={x(c.t)} y={top} width={bw} height={Math.max(1, bot - top)} fill={up ? '#66bb6a' : '#ef5350'} stroke={col} />
              <rect x={x(c.t)} y={H - M.b - v(Number(c.volume))} width={bw} height={v(Number(c.volume))} fill="#90a4ae" />
            </g>
          );
        })}
        <g aria-hidden="true" fontSize="11" fill="#333">
          {y.ticks(4).map((t) => <text key={t} x={M.l - 6} y={y(t) + 4} textAnchor="end">{t.toFixed(2)}</text>)}
          <text x={M.l} y={H - 6}>{formatTs(data[0].t)}</text>
          <text x={W - M.r} y={H - 6} textAnchor="end">{formatTs(last.t)}</text>
        </g>
      </svg>
    </figure>
  );
}
