// Volatility section: EWMA, GARCH(1,1) (next day and 5 / 20-day forecasts) and 20-day
// realized volatility, per day and annualised; the fitted GARCH parameters; recent history.
import { useMlVolatilityQuery } from '../../services/api';
import { LineChart } from './LineChart';
import { MlState } from './MlState';
import { formatNum, formatPct } from './analytics';
import { TableWrap } from '../trading/common';

const ROWS: [keyof import('../../services/api').MlVolatility['per_day'], string][] = [
  ['ewma', 'EWMA (λ 0.94)'],
  ['garch_next', 'GARCH(1,1), next day'],
  ['garch_5', 'GARCH(1,1), 5-day average'],
  ['garch_20', 'GARCH(1,1), 20-day average'],
  ['realized_20', 'Realized, last 20 days'],
];

export function VolatilityPanel({ series }: { series: string }) {
  const q = useMlVolatilityQuery(series);
  const v = q.data;
  const h = v?.history ?? [];
  const lastH = h[h.length - 1];
  return (
    <>
      <MlState isLoading={q.isLoading || q.isFetching} error={q.error} what="volatility" />
      {v && !q.isFetching ? (
        <>
          <TableWrap label="Volatility table">
            <table className="narrow-table">
              <caption>Volatility of daily log returns</caption>
              <thead><tr><th scope="col">Measure</th><th scope="col" className="num">Per day</th><th scope="col" className="num">Annualised</th></tr></thead>
              <tbody>
                {ROWS.map(([k, name]) => (
                  <tr key={k}><th scope="row">{name}</th><td className="num">{formatPct(v.per_day[k])}</td><td className="num">{formatPct(v.annualised[k], 1)}</td></tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p className="hint">
            GARCH(1,1) by maximum likelihood ({v.garch.innovations.replace('_', '-')} innovations{v.garch.nu ? `, ν ${formatNum(v.garch.nu, 1)}` : ''}):
            ω {v.garch.omega.toExponential(2)}, α {formatNum(v.garch.alpha, 3)}, β {formatNum(v.garch.beta, 3)},
            persistence {formatNum(v.garch.persistence, 3)}, long-run volatility {formatPct(v.garch.unconditional_vol)} a day.
          </p>
          <LineChart
            dates={h.map((p) => p.date)}
            series={[
              { name: 'EWMA', color: '#0d47a1', values: h.map((p) => p.ewma) },
              { name: 'GARCH', color: '#b71c1c', dash: '6 3', values: h.map((p) => p.garch) },
              { name: 'realized 20 d', color: '#2e7d32', dash: '2 2', values: h.map((p) => p.realized_20) },
            ]}
            tick={(t) => `${(t * 100).toFixed(1)} %`}
            label={`Daily volatility over the last ${h.length} days${lastH ? `, on ${lastH.date}: EWMA ${formatPct(lastH.ewma)}, GARCH ${formatPct(lastH.garch)}, realized ${formatPct(lastH.realized_20)}` : ''}.`}
          />
        </>
      ) : null}
    </>
  );
}
