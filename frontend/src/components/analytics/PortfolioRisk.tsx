// Portfolio risk of the signed-in holder: value at last prices, value at risk and expected
// shortfall, historical and parametric, at a chosen level and horizon; the positions and where
// the returns come from. Money is shown exactly as the server's decimal strings.
import { useState } from 'react';
import { usePortfolioRiskQuery } from '../../services/api';
import { MlState } from './MlState';
import { formatNum, formatPct } from './analytics';
import { formatMoney, formatPrice } from '../../utils/decimal';
import { formatTonnes } from '../../utils/format';
import { TableWrap } from '../trading/common';

const LEVELS = ['0.95', '0.975', '0.99'];

export function PortfolioRisk() {
  const [level, setLevel] = useState('0.99');
  const [horizon, setHorizon] = useState(1);
  const q = usePortfolioRiskQuery({ level, horizon_days: horizon });
  const r = q.data;
  return (
    <>
      <form className="filters" aria-label="Portfolio risk settings" onSubmit={(e) => e.preventDefault()}>
        <div className="field"><label htmlFor="pr-level">Confidence level</label>
          <select id="pr-level" value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => <option key={l} value={l}>{formatPct(Number(l), 1)}</option>)}
          </select></div>
        <div className="field"><label htmlFor="pr-h">Horizon (trading days)</label>
          <select id="pr-h" value={horizon} onChange={(e) => setHorizon(Number(e.target.value))}>
            {[1, 5, 10, 20].map((h) => <option key={h} value={h}>{h}</option>)}
          </select></div>
      </form>
      <MlState isLoading={q.isLoading || q.isFetching} error={q.error} what="portfolio risk" />
      {r && !q.isFetching ? (
        <>
          <TableWrap label="Value at risk table">
            <table className="narrow-table" data-testid="portfolio-risk">
              <caption>Value {formatMoney(r.value, r.currency)}: loss not exceeded with {formatPct(r.level, 1)} confidence over {r.horizon_days} {r.horizon_days === 1 ? 'day' : 'days'}</caption>
              <thead><tr><th scope="col">Method</th><th scope="col" className="num">Value at risk</th><th scope="col" className="num">Expected shortfall</th></tr></thead>
              <tbody>
                <tr><th scope="row">Historical</th><td className="num">{formatMoney(r.var_historical, r.currency)}</td><td className="num">{formatMoney(r.es_historical, r.currency)}</td></tr>
                <tr><th scope="row">Parametric (normal)</th><td className="num">{formatMoney(r.var_parametric, r.currency)}</td><td className="num">{formatMoney(r.es_parametric, r.currency)}</td></tr>
              </tbody>
            </table>
          </TableWrap>
          <p className="hint">Daily volatility {formatNum(r.volatility_daily * 100, 2)} %. Returns: {r.returns_source}.</p>
          <TableWrap label="Positions table">
            <table>
              <caption>Positions valued</caption>
              <thead><tr><th scope="col">Instrument</th><th scope="col">Batch</th><th scope="col" className="num">Quantity</th><th scope="col" className="num">Last price</th><th scope="col" className="num">Value</th><th scope="col" className="num">Own history</th></tr></thead>
              <tbody>
                {r.positions.map((p) => (
                  <tr key={`${p.instrument}-${p.batch}`}>
                    <td>{p.symbol}</td><td>#{p.batch}</td><td className="num">{formatTonnes(p.quantity)}</td>
                    <td className="num">{formatPrice(p.price)}</td><td className="num">{formatMoney(p.value, r.currency)}</td>
                    <td className="num">{p.own_history_days} {p.own_history_days === 1 ? 'day' : 'days'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {r.unpriced_batches?.length ? <p className="hint">Not valued (no market price): batches {r.unpriced_batches.join(', ')}.</p> : null}
        </>
      ) : null}
    </>
  );
}
