// Analytics dashboard (/analytics; a lazy chunk with the D3 charts): for a chosen series (the
// reference index or any instrument) the forecast fan chart beside naive with the verdict,
// volatility (EWMA, GARCH(1,1), realized), trend / regime and liquidity; a project's risk
// score with its factors; the signed-in holder's portfolio VaR / ES; and for admins and
// auditors the market-abuse alerts. The series and project are kept in the URL
// (?series=reference|instrument:<id>&project=<id>), so a view can be linked.
import { useEffect, useState } from 'react';
import { useSearchParams, Link } from 'react-router-dom';
import { useInstrumentsQuery, useMlStatusQuery, useProjectsQuery } from '../services/api';
import { useAppSelector } from '../store/hooks';
import { hasRole } from '../store/authSlice';
import { ForecastPanel } from '../components/analytics/ForecastPanel';
import { VolatilityPanel } from '../components/analytics/VolatilityPanel';
import { TrendPanel } from '../components/analytics/TrendPanel';
import { ProjectRisk } from '../components/analytics/ProjectRisk';
import { PortfolioRisk } from '../components/analytics/PortfolioRisk';
import { FraudAlerts } from '../components/analytics/FraudAlerts';
import { normaliseSeries, seriesOptions } from '../components/analytics/analytics';
import { formatDate } from '../utils/format';

function ModelStatus() {
  const [poll, setPoll] = useState(5000);
  const s = useMlStatusQuery(undefined, { pollingInterval: poll });
  const m = s.data?.model;
  useEffect(() => setPoll(m && m.status === 'training' ? 5000 : 0), [m]);
  if (!m) return null;
  const ref = s.data?.reference;
  return (
    <p className="hint" data-testid="ml-status">
      Forecast model: <strong>{m.status}</strong> ({m.detail}).
      {ref && 'name' in ref && ref.name ? ` Reference index: ${ref.name}, ${ref.days} daily closes ${formatDate(ref.from)} – ${formatDate(ref.to)}.` : ''}
    </p>
  );
}

export default function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const user = useAppSelector((s) => s.auth.user);
  const series = normaliseSeries(params.get('series'));
  const projectParam = Number(params.get('project') ?? '');
  const status = useMlStatusQuery();
  const inst = useInstrumentsQuery();
  const projects = useProjectsQuery({ page_size: 500 });
  const refName = status.data?.reference && 'name' in status.data.reference ? status.data.reference.name : undefined;
  const options = seriesOptions(refName, inst.data?.items ?? []);
  const projectList = projects.data?.items ?? [];
  const project = Number.isInteger(projectParam) && projectParam > 0 ? projectParam : projectList[0]?.id ?? 0;
  const set = (k: string, v: string) => setParams((p) => { const n = new URLSearchParams(p); n.set(k, v); return n; }, { replace: true });
  const seriesLabel = options.find((o) => o.value === series)?.label ?? series;

  return (
    <>
      <h1>Analytics</h1>
      <ModelStatus />
      <form className="filters" aria-label="Choose a price series" onSubmit={(e) => e.preventDefault()}>
        <div className="field"><label htmlFor="an-series">Price series</label>
          <select id="an-series" value={series} onChange={(e) => set('series', e.target.value)}>
            {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            {options.some((o) => o.value === series) ? null : <option value={series}>{series}</option>}
          </select></div>
        {series.startsWith('instrument:') ? <p><Link to={`/markets/${series.slice('instrument:'.length)}`}>Open this market</Link></p> : null}
      </form>
      <div className="grid">
        <section aria-labelledby="h-forecast">
          <h2 id="h-forecast">Forecast</h2>
          <p className="sub-series">{seriesLabel}</p>
          <ForecastPanel series={series} />
        </section>
        <section aria-labelledby="h-vol">
          <h2 id="h-vol">Volatility</h2>
          <VolatilityPanel series={series} />
        </section>
      </div>
      <section aria-labelledby="h-trend">
        <h2 id="h-trend">Trend and regime</h2>
        <TrendPanel series={series} />
      </section>
      <section aria-labelledby="h-prisk">
        <h2 id="h-prisk">Project risk</h2>
        <form className="filters" aria-label="Choose a project" onSubmit={(e) => e.preventDefault()}>
          <div className="field"><label htmlFor="an-project">Project</label>
            <select id="an-project" value={project || ''} onChange={(e) => set('project', e.target.value)}>
              {projectList.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.country}, {p.methodology})</option>)}
              {project && !projectList.some((p) => p.id === project) ? <option value={project}>project {project}</option> : null}
            </select></div>
          {project ? <p><Link to={`/projects/${project}`}>Project page</Link></p> : null}
        </form>
        {project ? <ProjectRisk id={project} /> : null}
      </section>
      <section aria-labelledby="h-port">
        <h2 id="h-port">Your portfolio risk</h2>
        {user ? <PortfolioRisk /> : <p><Link to="/signin">Sign in</Link> to see the value at risk of your holdings.</p>}
      </section>
      {hasRole(user, 'admin', 'auditor') ? (
        <section aria-labelledby="h-alerts">
          <h2 id="h-alerts">Market-abuse alerts</h2>
          <FraudAlerts />
        </section>
      ) : null}
      <p className="hint">Forecasts and risk figures are statistical estimates computed by the platform from past prices; they are not advice.</p>
    </>
  );
}
