// The analytics and audit endpoints of the API slice against a real carbonx --demo, with the
// dashboard's shaping applied to the real answers: the fan chart from the reference forecast
// and trend history, the risk factors adding up to the score, exact VaR/ES decimals, the
// role gates of alerts and audit, and the audit trail's filters and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStore, type AppStore } from '../store';
import { signedIn, signedOut } from '../store/authSlice';
import { api } from './api';
import { setApiBase } from './reauth';
import { toFormError } from '../utils/problem';
import { toScaled } from '../utils/decimal';
import { factorRows, factorTotal, fanData } from '../components/analytics/analytics';
import { isExpectedGap } from '../components/analytics/MlState';
import { startCarbonx } from '../../e2e/carbonx.mjs';

let server: Awaited<ReturnType<typeof startCarbonx>>;
let store: AppStore;

async function signInAs(email: string, password: string) {
  store.dispatch(signedOut());
  const t = await store.dispatch(api.endpoints.login.initiate({ email, password })).unwrap();
  store.dispatch(signedIn(t));
  store.dispatch(api.util.resetApiState());
}

beforeAll(async () => {
  server = await startCarbonx({ demo: true });
  setApiBase(`${server.url}/api/v1`);
  store = makeStore();
  // The reference model trains at start-up (a few seconds on the demo data).
  for (let i = 0; i < 240; i++) {
    const s = await store.dispatch(api.endpoints.mlStatus.initiate(undefined, { forceRefetch: true })).unwrap();
    if (s.model.status !== 'training') break;
    await new Promise((r) => setTimeout(r, 250));
  }
}, 90000);
afterAll(async () => { await server?.stop(); });

describe('analytics endpoints', () => {
  it('shapes the reference forecast and trend history into a fan that opens at the last close', async () => {
    const status = await store.dispatch(api.endpoints.mlStatus.initiate()).unwrap();
    expect(status.model.status).toBe('ready');
    const f = await store.dispatch(api.endpoints.mlForecast.initiate('reference')).unwrap();
    const t = await store.dispatch(api.endpoints.mlTrend.initiate('reference')).unwrap();
    expect(f.horizons.map((h) => h.horizon)).toEqual([1, 5, 20]);
    expect(f.verdict.length).toBeGreaterThan(10);
    const d = fanData(t.history ?? [], f)!;
    expect(d.history.length).toBe(t.history!.length);
    expect(d.history.length).toBeGreaterThan(20);
    expect(d.history[d.history.length - 1]).toMatchObject({ x: 0, y: f.series.last, date: f.series.to });
    expect(d.band[0]).toEqual({ x: 0, lo: f.series.last, hi: f.series.last });
    for (const h of f.horizons) {
      expect(h.naive).toBe(f.series.last);
      expect(h.interval.lo).toBeLessThanOrEqual(h.forecast);
      expect(h.forecast).toBeLessThanOrEqual(h.interval.hi);
      expect(d.yDomain[0]).toBeLessThan(h.interval.lo);
      expect(d.yDomain[1]).toBeGreaterThan(h.interval.hi);
    }
    const v = await store.dispatch(api.endpoints.mlVolatility.initiate('reference')).unwrap();
    expect(v.per_day.ewma).toBeGreaterThan(0);
    expect(v.garch.alpha + v.garch.beta).toBeLessThan(1);
  });

  it('reports a young instrument\'s missing history as an expected gap, with its liquidity', async () => {
    const r = await store.dispatch(api.endpoints.mlForecast.initiate('instrument:1'));
    expect(toFormError(r.error).code).toBe('ML_INSUFFICIENT_DATA');
    expect(isExpectedGap(r.error)).toBe(true);
    const t = await store.dispatch(api.endpoints.mlTrend.initiate('instrument:1')).unwrap();
    expect(t.liquidity?.currency).toBe('USD');
    expect(toScaled(t.liquidity!.best_ask, 2)).toBeGreaterThan(toScaled(t.liquidity!.best_bid, 2)!);
    const bad = await store.dispatch(api.endpoints.mlTrend.initiate('instrument:999'));
    expect(isExpectedGap(bad.error)).toBe(false);
  });

  it('lists the project risk factors so that they add up to the score', async () => {
    const r = await store.dispatch(api.endpoints.projectRisk.initiate(1)).unwrap();
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThanOrEqual(100);
    expect(Math.abs(factorTotal(r.factors) - r.score)).toBeLessThan(0.015);
    const rows = factorRows(r.factors);
    expect(rows.length).toBe(r.factors.length);
    expect(rows.every((x) => x.share >= 0 && x.share <= 1)).toBe(true);
  });

  it('gives a holder exact VaR / ES and keeps alerts and audit for admins and auditors', async () => {
    await signInAs('buyer@carbonx.demo', 'demo-buyer-2026');
    const p = await store.dispatch(api.endpoints.portfolioRisk.initiate({ level: '0.99' })).unwrap();
    for (const k of ['value', 'var_historical', 'es_historical', 'var_parametric', 'es_parametric'] as const)
      expect(p[k]).toMatch(/^\d+\.\d{2}$/);
    expect(toScaled(p.es_historical, 2)!).toBeGreaterThanOrEqual(toScaled(p.var_historical, 2)!);
    expect(toScaled(p.var_historical, 2)!).toBeLessThan(toScaled(p.value, 2)!);
    const a = await store.dispatch(api.endpoints.fraudAlerts.initiate({}));
    expect(toFormError(a.error).code).toBe('AUTH_FORBIDDEN');
    const au = await store.dispatch(api.endpoints.audit.initiate({}));
    expect(toFormError(au.error).code).toBe('AUTH_FORBIDDEN');
  });

  it('pages and filters the audit trail for an auditor', async () => {
    await signInAs('auditor@carbonx.demo', 'demo-auditor-2026');
    const alerts = await store.dispatch(api.endpoints.fraudAlerts.initiate({ kind: 'selftrade' })).unwrap();
    expect(alerts.items.every((x) => x.kind === 'selftrade')).toBe(true);
    const all = await store.dispatch(api.endpoints.audit.initiate({ page_size: 2 })).unwrap();
    expect(all.total).toBeGreaterThanOrEqual(4);  // logins of this test + demo deposits
    expect(all.items.length).toBe(2);
    expect(all.items[0].seq).toBeGreaterThanOrEqual(all.items[1].seq);  // newest first
    const p2 = await store.dispatch(api.endpoints.audit.initiate({ page_size: 2, page: 2 })).unwrap();
    expect(p2.items[0].seq).toBeLessThan(all.items[1].seq + 1);
    const me = store.getState().auth.user!;
    const logins = await store.dispatch(api.endpoints.audit.initiate({ kind: 'login', user: me.id })).unwrap();
    expect(logins.total).toBeGreaterThanOrEqual(1);
    expect(logins.items.every((x) => x.kind === 'login' && x.user === me.id)).toBe(true);
    const bad = await store.dispatch(api.endpoints.audit.initiate({ user: 'abc' }));
    expect(toFormError(bad.error).field).toBe('user');
  });
});
