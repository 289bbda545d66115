// Small multi-line chart over dated points (D3 scales and shapes, SVG rendered by React),
// used for volatility and trend history. Missing values (null) break a line. The caller
// gives the text alternative (`label`) with the exact latest values.
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { extent } from 'd3-array';
import { formatDate } from '../../utils/format';

export interface LineSeries { name: string; color: string; dash?: string; values: (number | null)[] }

const W = 640;
const H = 200;
const M = { t: 10, r: 16, b: 24, l: 56 };

export function LineChart({ dates, series, label, tick = (v) => v.toFixed(2) }: {
  dates: string[]; series: LineSeries[]; label: string; tick?: (v: number) => string;
}) {
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (dates.length < 2 || all.length === 0) return null;
  const [lo, hi] = extent(all) as [number, number];
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  const x = scaleLinear().domain([0, dates.length - 1]).range([M.l, W - M.r]);
  const y = scaleLinear().domain([lo - pad, hi + pad]).range([H - M.b, M.t]).nice();
  const path = line<number | null>()
    .defined((v) => v !== null && Number.isFinite(v))
    .x((_, i) => x(i))
    .y((v) => y(v as number));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
        {series.map((s) => (
          <path key={s.name} d={path(s.values) ?? ''} fill="none" stroke={s.color} strokeWidth={1.6} strokeDasharray={s.dash} />
        ))}
        <g aria-hidden="true" fontSize="11" fill="#333">
          <line x1={M.l} x2={W - M.r} y1={H - M.b} y2={H - M.b} stroke="#777" />
          {y.ticks(4).map((t) => <text key={t} x={M.l - 6} y={y(t) + 4} textAnchor="end">{tick(t)}</text>)}
          <text x={M.l} y={H - 6}>{formatDate(dates[0])}</text>
          <text x={W - M.r} y={H - 6} textAnchor="end">{formatDate(dates[dates.length - 1])}</text>
        </g>
      </svg>
      <figcaption className="legend">
        {series.map((s) => (
          <span key={s.name}>
            <svg width="22" height="10" aria-hidden="true"><line x1="0" x2="22" y1="5" y2="5" stroke={s.color} strokeWidth="2" strokeDasharray={s.dash} /></svg> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
