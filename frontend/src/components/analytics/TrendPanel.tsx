// Trend and regime section: moving-average regime, momentum, drawdown (with the rule), the
// price with its 20/50-day averages, and for an instrument its liquidity from the exchange's
// own book and trades (spread, depth, 24 h turnover).
import { useMlTrendQuery } from '../../services/api';
import { LineChart } from './LineChart';
import { MlState } from './MlState';
import { formatNum, formatPct, regimeText } from './analytics';
import { formatMoney, formatPrice } from '../../utils/decimal';
import { formatTonnes } from '../../utils/format';

export function TrendPanel({ series }: { series: string }) {
  const q = useMlTrendQuery(series);
  const t = q.data;
  const tr = t?.trend;
  const h = t?.history ?? [];
  const liq = t?.liquidity;
  return (
    <>
      <MlState isLoading={q.isLoading || q.isFetching} error={q.error} what="trend" />
      {t && !q.isFetching ? (
        <>
          {tr ? (
            <>
              <dl className="summary">
                <div><dt>Regime</dt><dd><span className={`badge regime-${tr.regime}`} data-testid="regime">{regimeText[tr.regime] ?? tr.regime}</span></dd></div>
                <div><dt>Momentum 20 d</dt><dd>{formatPct(tr.momentum_20, 1, true)}</dd></div>
                <div><dt>Momentum 60 d</dt><dd>{formatPct(tr.momentum_60, 1, true)}</dd></div>
                <div><dt>Drawdown</dt><dd>{formatPct(tr.drawdown, 1)}</dd></div>
                <div><dt>Max drawdown</dt><dd>{formatPct(tr.max_drawdown, 1)}</dd></div>
                <div><dt>Realized vol 20 d</dt><dd>{formatPct(tr.realized_vol_20)} a day</dd></div>
              </dl>
              {tr.rule ? <p className="hint">Rule: {tr.rule}.</p> : null}
              <LineChart
                dates={h.map((p) => p.date)}
                series={[
                  { name: 'price', color: '#263238', values: h.map((p) => p.price) },
                  { name: 'MA 20', color: '#0d47a1', dash: '6 3', values: h.map((p) => p.ma20) },
                  { name: 'MA 50', color: '#e65100', dash: '2 2', values: h.map((p) => p.ma50) },
                ]}
                label={`Price with 20 and 50-day moving averages over ${h.length} days${h.length ? `; last ${formatNum(h[h.length - 1].price)} ${t.series.currency ?? ''} on ${h[h.length - 1].date}` : ''}; regime ${tr.regime}.`}
              />
            </>
          ) : <p className="notice" data-testid="ml-gap">No trend yet{t.note ? `: ${t.note}` : ''}.</p>}
          {liq ? (
            <>
              <h3>Liquidity</h3>
              <dl className="summary" data-testid="liquidity">
                <div><dt>Best bid</dt><dd>{formatPrice(liq.best_bid)}</dd></div>
                <div><dt>Best ask</dt><dd>{formatPrice(liq.best_ask)}</dd></div>
                <div><dt>Spread</dt><dd>{liq.spread_bps === null ? '—' : `${formatNum(liq.spread_bps, 1)} bp`}</dd></div>
                <div><dt>Bid depth</dt><dd>{formatTonnes(liq.depth_bid)}</dd></div>
                <div><dt>Ask depth</dt><dd>{formatTonnes(liq.depth_ask)}</dd></div>
                <div><dt>24 h turnover</dt><dd>{formatMoney(liq.turnover_24h, liq.currency)}</dd></div>
                <div><dt>24 h volume</dt><dd>{formatTonnes(liq.volume_24h)} in {liq.trades_24h} {liq.trades_24h === 1 ? 'trade' : 'trades'}</dd></div>
              </dl>
              <p className="hint">Depth: {liq.depth_band}.</p>
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
}
