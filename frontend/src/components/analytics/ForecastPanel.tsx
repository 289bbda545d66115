// Forecast section: the verdict (does anything beat naive?), the fan chart and the table of
// horizons. History for the chart comes from the trend view of the same series.
import { useMlForecastQuery, useMlStatusQuery, useMlTrendQuery } from '../../services/api';
import { FanChart, ForecastTable, ModelTable } from './FanChart';
import { MlState } from './MlState';
import { formatNum } from './analytics';

export function ForecastPanel({ series }: { series: string }) {
  // The reference forecast needs the model trained at server start-up: wait for it (the
  // status is polled while it trains) instead of showing a 503.
  const status = useMlStatusQuery();
  const model = status.data?.model;
  const waiting = series === 'reference' && model !== undefined && model.status === 'training';
  const f = useMlForecastQuery(series, { skip: waiting || (series === 'reference' && !model) });
  const t = useMlTrendQuery(series);
  const d = f.data;
  const beats = d?.horizons.some((h) => h.beats_naive) ?? false;
  return (
    <>
      {waiting ? <p role="status">The forecast model is training on the reference series ({model?.detail}); this takes a minute after the server starts.</p> : null}
      <MlState isLoading={f.isLoading || f.isFetching} error={f.error} what="forecast" />
      {d && !f.isFetching ? (
        <>
          <p className={beats ? 'verdict verdict-beats' : 'verdict'} data-testid="verdict">
            <strong>{beats ? 'A model beats naive: ' : 'Nothing beats naive: '}</strong>{d.verdict}.
          </p>
          <FanChart forecast={d} history={t.data?.history ?? []} />
          <ForecastTable forecast={d} />
          <ModelTable forecast={d} mase={series === 'reference' ? model?.backtest_mase : undefined} />
          <p className="hint">
            {d.model}. Daily volatility used for the intervals {formatNum(d.sigma_daily * 100, 2)} %.
            MASE is the walk-forward mean absolute error over naive's: below 1 beats naive.
          </p>
        </>
      ) : null}
    </>
  );
}
