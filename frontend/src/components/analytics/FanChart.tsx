// Forecast fan chart (D3 scales and shapes, SVG rendered by React): recent daily closes,
// then the point forecast at 1, 5 and 20 trading days with its 80 % interval as a shaded fan,
// and the naive forecast (the last close held flat) beside it. Floats are for drawing only;
// the table next to it (ForecastTable) gives the exact numbers, and the SVG has a summary.
import { scaleLinear } from 'd3-scale';
import { area, line } from 'd3-shape';
import type { MlForecast } from '../../services/api';
import { fanData, formatNum, modelRows, type FanBand, type FanPoint } from './analytics';
import { formatDate } from '../../utils/format';
import { TableWrap } from '../trading/common';

function Swatch({ color, dash }: { color: string; dash?: string }) {
  return <svg width="22" height="10" aria-hidden="true"><line x1="0" x2="22" y1="5" y2="5" stroke={color} strokeWidth="2" strokeDasharray={dash} /></svg>;
}

const W = 640;
const H = 260;
const M = { t: 12, r: 16, b: 34, l: 56 };

export function FanChart({ forecast, history }: { forecast: MlForecast; history: { date: string; price: number }[] }) {
  const d = fanData(history, forecast);
  if (!d) return <p className="hint">Nothing to draw yet.</p>;
  const x = scaleLinear().domain(d.xDomain).range([M.l, W - M.r]);
  const y = scaleLinear().domain(d.yDomain).range([H - M.b, M.t]).nice();
  const ln = line<FanPoint>().x((p) => x(p.x)).y((p) => y(p.y));
  const fan = area<FanBand>().x((b) => x(b.x)).y0((b) => y(b.lo)).y1((b) => y(b.hi));
  const cur = forecast.series.currency ?? '';
  const far = forecast.horizons.reduce((a, h) => (h.horizon > (a?.horizon ?? 0) ? h : a), forecast.horizons[0]);
  const label = `Forecast fan chart of ${forecast.series.name}: ${d.history.length} recent daily closes up to ${formatNum(d.last)} ${cur}`
    + (far ? `; at ${far.horizon} trading days the forecast is ${formatNum(far.forecast)} (80 % interval ${formatNum(far.interval.lo)} to ${formatNum(far.interval.hi)}), naive ${formatNum(far.naive)}.` : '.');
  const first = d.history[0];
  return (
    <figure className="chart fan">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
        <path d={fan(d.band) ?? ''} fill="#1565c0" fillOpacity={0.18} stroke="#1565c0" strokeOpacity={0.4} />
        <line x1={x(0)} x2={x(0)} y1={M.t} y2={H - M.b} stroke="#9e9e9e" strokeDasharray="2 3" />
        {d.history.length > 1 ? <path d={ln(d.history) ?? ''} fill="none" stroke="#263238" strokeWidth={1.5} /> : null}
        <path d={ln(d.naive) ?? ''} fill="none" stroke="#6d4c41" strokeWidth={1.5} strokeDasharray="6 4" />
        <path d={ln(d.forecast) ?? ''} fill="none" stroke="#0d47a1" strokeWidth={2} />
        {d.forecast.slice(1).map((p) => <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={3.5} fill="#0d47a1" />)}
        <g aria-hidden="true" fontSize="11" fill="#333">
          <line x1={M.l} x2={W - M.r} y1={H - M.b} y2={H - M.b} stroke="#777" />
          {y.ticks(5).map((t) => <text key={`y${t}`} x={M.l - 6} y={y(t) + 4} textAnchor="end">{t.toFixed(2)}</text>)}
          {first && first.x < 0 ? <text x={x(first.x)} y={H - 18} textAnchor="start">{formatDate(first.date)}</text> : null}
          <text x={x(0)} y={H - 18} textAnchor="middle">last close</text>
          {forecast.horizons.map((h) => <text key={`h${h.horizon}`} x={x(h.horizon)} y={H - 4} textAnchor="middle">+{h.horizon}</text>)}
          <text x={W - M.r} y={H - 18} textAnchor="end">trading days</text>
        </g>
      </svg>
      <figcaption className="legend">
        <span><Swatch color="#263238" /> daily closes</span>
        <span><Swatch color="#0d47a1" /> forecast</span>
        <span><svg width="22" height="10" aria-hidden="true"><rect width="22" height="10" fill="#1565c0" fillOpacity={0.25} /></svg> 80 % interval</span>
        <span><Swatch color="#6d4c41" dash="6 4" /> naive (last close)</span>
      </figcaption>
    </figure>
  );
}

/** The exact numbers behind the fan: per horizon naive, forecast, interval, backtest MASE. */
export function ForecastTable({ forecast }: { forecast: MlForecast }) {
  const cur = forecast.series.currency ? ` (${forecast.series.currency})` : '';
  return (
    <TableWrap label="Forecast table">
      <table>
        <caption>Forecast by horizon{cur}</caption>
        <thead>
          <tr>
            <th scope="col">Horizon</th><th scope="col" className="num">Naive</th><th scope="col" className="num">Forecast</th>
            <th scope="col" className="num">80 % interval</th><th scope="col" className="num"><abbr title="walk-forward mean absolute scaled error (naive = 1)">MASE</abbr></th><th scope="col">Beats naive</th>
          </tr>
        </thead>
        <tbody>
          {[...forecast.horizons].sort((a, b) => a.horizon - b.horizon).map((h) => (
            <tr key={h.horizon}>
              <th scope="row">{h.horizon} {h.horizon === 1 ? 'day' : 'days'}</th>
              <td className="num">{formatNum(h.naive)}</td>
              <td className="num">{formatNum(h.forecast)}</td>
              <td className="num">{formatNum(h.interval.lo)} – {formatNum(h.interval.hi)}</td>
              <td className="num">{formatNum(h.backtest_mase, 3)}</td>
              <td>{h.beats_naive ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Every model's forecast per horizon beside naive, with its walk-forward MASE when known. */
export function ModelTable({ forecast, mase }: { forecast: MlForecast; mase?: Record<string, Record<string, number>> }) {
  const rows = modelRows(forecast, mase);
  const hs = rows[0]?.cells.map((c) => c.horizon) ?? [];
  return (
    <details className="advanced">
      <summary>Each model</summary>
      <TableWrap label="Forecast by model table">
        <table>
          <caption>Forecast by model{mase ? ' (walk-forward MASE in brackets)' : ''}</caption>
          <thead><tr><th scope="col">Model</th>{hs.map((h) => <th key={h} scope="col" className="num">{h} {h === 1 ? 'day' : 'days'}</th>)}</tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.model}>
                <th scope="row">{r.model}</th>
                {r.cells.map((c) => <td key={c.horizon} className="num">{formatNum(c.forecast)}{c.mase !== null ? ` (${formatNum(c.mase, 3)})` : ''}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </details>
  );
}
