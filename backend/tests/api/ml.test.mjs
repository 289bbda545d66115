// HTTP tests of the analytics API (/api/v1/ml/...) against a real carbonx started with
// --demo: the forecast model trained at start-up on the reference series, forecasts beside
// naive with intervals, volatility, trend and liquidity from the demo market's book and
// trades, project risk from registry facts (and how a reversal or a flagged methodology
// moves it), portfolio VaR/ES at last prices, market-abuse alerts on a self-trade made
// here, and every refusal (unknown instrument or project, too little data, forbidden).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, Client, login, DEMO, cleanup, tempDir, runCli, ROOT, problem } from './lib.mjs';

let srv, anon, tok = {}, users = {};
const hits = new Set();
const INST = 1;  // the demo's listed batch 1 (a few trades at start-up, all on one day)
const as = (role) => anon.as(tok[role]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  srv = await startServer({ demo: true, extra: ['--alert-scan-seconds', '1'] });
  anon = new Client(srv.url);
  anon.hits = hits;
  for (const [role, [email, pw]] of Object.entries(DEMO)) {
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
});
after(async () => { await srv.stop(); cleanup(srv.data); });

async function ok(r) {
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('status: the reference series is read and the model is trained once at start-up', async () => {
  const first = await ok(await anon.get('/api/v1/ml/status'));
  assert.ok(['training', 'ready'].includes(first.model.status), JSON.stringify(first));
  assert.ok(first.reference.days >= 110, JSON.stringify(first.reference));
  assert.ok(first.reference.from < first.reference.to);
  // Until the model is ready, the reference forecast says so (503), never a made-up number.
  if (first.model.status === 'training') {
    const r = await anon.get('/api/v1/ml/forecast');
    if (r.status !== 200) problem(r, 503, 'UNAVAILABLE');
  }
  const end = Date.now() + 240000;
  let s = first;
  while (s.model.status === 'training' && Date.now() < end) {
    await sleep(500);
    s = await ok(await anon.get('/api/v1/ml/status'));
  }
  assert.equal(s.model.status, 'ready', JSON.stringify(s.model));
  assert.match(s.model.detail, /trained at start-up.*saved to/);
  assert.equal(s.model.meta.data_to, s.reference.to);
  assert.equal(Number(s.model.meta.n_prices), s.reference.days);
  assert.ok(s.model.models.includes('naive'));
  for (const h of ['1', '5', '20']) assert.equal(typeof s.model.backtest_mase[h].ensemble, 'number');
});

test('forecast: the ensemble beside naive with an 80 % interval and a verdict, per horizon', async () => {
  const st = (await anon.get('/api/v1/ml/status')).json;
  const all = await ok(await anon.get('/api/v1/ml/forecast?series=reference'));
  assert.equal(all.series.kind, 'reference');
  assert.equal(all.series.last, st.reference.last);
  assert.deepEqual(all.horizons.map((h) => h.horizon), [1, 5, 20]);
  assert.ok(all.sigma_daily > 0);
  assert.ok(all.verdict.length > 20);
  for (const h of all.horizons) {
    assert.equal(h.naive, st.reference.last, 'naive = the last price at every horizon');
    assert.equal(h.by_model.naive, h.naive);
    assert.equal(h.interval.level, 0.8);
    assert.ok(h.interval.lo < h.forecast && h.forecast < h.interval.hi, JSON.stringify(h));
    assert.equal(h.beats_naive, h.backtest_mase < 0.99);
    assert.equal(h.backtest_mase, st.model.backtest_mase[String(h.horizon)].ensemble);
  }
  // The verdict says what the backtest showed.
  if (all.horizons.every((h) => !h.beats_naive)) assert.match(all.verdict, /nothing beat the naive forecast/);
  // Wider interval further ahead.
  const w = (h) => h.interval.hi - h.interval.lo;
  assert.ok(w(all.horizons[2]) > w(all.horizons[0]));
  const one = await ok(await anon.get('/api/v1/ml/forecast?horizon=5'));
  assert.equal(one.horizons.length, 1);
  assert.deepEqual(one.horizons[0], all.horizons[1]);
});

test('forecast refusals: bad horizon or series, unknown instrument, too few daily closes', async () => {
  problem(await anon.get('/api/v1/ml/forecast?horizon=3'), 400, 'REQUEST_INVALID_FIELD', 'horizon');
  problem(await anon.get('/api/v1/ml/forecast?series=eua'), 400, 'REQUEST_INVALID_FIELD', 'series');
  problem(await anon.get('/api/v1/ml/forecast?series=instrument:x'), 400, 'REQUEST_INVALID_FIELD', 'series');
  problem(await anon.get('/api/v1/ml/forecast?series=instrument:999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'series');
  // The demo market traded on one day only: one daily close.
  const r = await anon.get(`/api/v1/ml/forecast?series=instrument:${INST}&horizon=1`);
  problem(r, 422, 'ML_INSUFFICIENT_DATA', 'series');
  assert.match(r.json.detail, /has 1 daily close .* needs at least 110/);
  // A contract with no trades at all.
  const r3 = await anon.get('/api/v1/ml/forecast?series=instrument:3');
  problem(await anon.get('/api/v1/ml/forecast?series=instrument:2'), 422, 'ML_INSUFFICIENT_DATA', 'series');
  problem(r3, 422, 'ML_INSUFFICIENT_DATA');
});

test('volatility: EWMA, GARCH(1,1) and realized, per day and annualised; refusals', async () => {
  const v = await ok(await anon.get('/api/v1/ml/volatility'));
  assert.equal(v.series.kind, 'reference');
  for (const k of ['ewma', 'garch_next', 'garch_5', 'garch_20', 'realized_20']) {
    assert.ok(v.per_day[k] > 0 && v.per_day[k] < 0.5, `${k} ${v.per_day[k]}`);
    assert.ok(Math.abs(v.annualised[k] - v.per_day[k] * Math.sqrt(252)) < 1e-5, k);
  }
  const g = v.garch;
  assert.ok(g.omega > 0 && g.alpha >= 0 && g.beta >= 0 && g.persistence < 1, JSON.stringify(g));
  assert.ok(Math.abs(g.persistence - g.alpha - g.beta) < 1e-5);
  // Multi-step GARCH forecasts revert towards the unconditional volatility.
  const toward = (x) => Math.abs(x - g.unconditional_vol);
  assert.ok(toward(v.per_day.garch_20) <= toward(v.per_day.garch_next) + 1e-9);
  assert.equal(v.history.length, 60);
  const last = v.history[v.history.length - 1];
  assert.equal(last.date, v.series.to);
  // Realized volatility of the last 20 returns, recomputed here from the history.
  const r20 = v.history.slice(-20).map((h) => h.return);
  const rv = Math.sqrt(r20.reduce((a, x) => a + x * x, 0) / 20);
  assert.ok(Math.abs(rv - v.per_day.realized_20) < 1e-5, `${rv} vs ${v.per_day.realized_20}`);
  problem(await anon.get(`/api/v1/ml/volatility?series=instrument:${INST}`), 422, 'ML_INSUFFICIENT_DATA', 'series');
  problem(await anon.get('/api/v1/ml/volatility?series=instrument:999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT');
  problem(await anon.get('/api/v1/ml/volatility?series=x'), 400, 'REQUEST_INVALID_FIELD', 'series');
});

test('trend: regime, momentum, drawdown of the reference index; liquidity from the book and trades', async () => {
  const t = await ok(await anon.get('/api/v1/ml/trend?series=reference'));
  assert.ok(['up', 'down', 'sideways'].includes(t.trend.regime));
  assert.ok(t.trend.drawdown <= 0 && t.trend.max_drawdown <= t.trend.drawdown);
  assert.equal(t.history.length, 60);
  assert.equal(t.history[0].index, 100);
  const h = t.history[t.history.length - 1];
  assert.equal(h.regime, t.trend.regime);
  assert.ok(Math.abs(h.index - (100 * h.price) / t.history[0].price) < 1e-3);
  assert.ok(Math.abs(t.trend.momentum_20 - (h.price / t.history[t.history.length - 21].price - 1)) < 1e-5);
  assert.equal(t.liquidity, undefined);

  // An instrument: liquidity from the exchange itself, checked against the book and trades routes.
  const book = (await anon.get(`/api/v1/markets/${INST}/book`)).json;
  const trades = (await anon.get(`/api/v1/markets/${INST}/trades?limit=1000`)).json;
  const li = await ok(await anon.get(`/api/v1/ml/trend?series=instrument:${INST}`));
  assert.equal(li.series.days, 1);
  assert.equal(li.trend, null);
  assert.match(li.note, /needs at least 2/);
  const L = li.liquidity;
  assert.equal(L.best_bid, book.bids[0].price);
  assert.equal(L.best_ask, book.asks[0].price);
  const bid = Number(L.best_bid), ask = Number(L.best_ask);
  assert.ok(Math.abs(L.spread_bps - (1e4 * (ask - bid)) / ((ask + bid) / 2)) < 0.01, `${L.spread_bps}`);
  const kgOf = (t) => Math.round(Number(t) * 1000);
  const cents = (d) => Math.round(Number(d) * 100);
  const day = Date.now() * 1000 - 86400e6;
  const items = trades.trades.filter((x) => x.ts >= day);
  assert.ok(items.length >= 2, 'the demo market traded');
  assert.equal(L.trades_24h, items.length);
  assert.equal(L.volume_24h_kg, items.reduce((a, x) => a + kgOf(x.qty), 0));
  assert.equal(L.turnover_24h_minor, items.reduce((a, x) => a + cents(x.notional), 0));
  // Depth within 5 % of the best price, from the book's levels.
  const within = (levels, best) => levels.filter((l) => Math.abs(Number(l.price) - best) <= 0.05 * best)
    .reduce((a, l) => a + kgOf(l.quantity), 0);
  assert.equal(L.depth_bid_kg, within(book.bids, bid));
  assert.equal(L.depth_ask_kg, within(book.asks, ask));
  problem(await anon.get('/api/v1/ml/trend?series=instrument:999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT');
});

test('project risk: factors from registry facts; a flagged methodology and a reversal raise it', async () => {
  const r = await ok(await anon.get('/api/v1/ml/risk/projects/1'));
  assert.equal(r.project.id, 1);
  assert.equal(r.factors.length, 9);
  const sum = r.factors.reduce((a, f) => a + f.points, 0);
  assert.ok(Math.abs(sum - r.score) < 0.02, `${sum} vs ${r.score}`);
  for (const f of r.factors) assert.ok(f.points >= 0 && f.points <= f.max_points && f.detail, JSON.stringify(f));
  const by = Object.fromEntries(r.factors.map((f) => [f.name, f]));
  // The demo project: a nature-based removal (VM0047 ARR), vintage 2024, 20 % buffer,
  // one issuance approved, the developer holding most of the credits.
  assert.equal(r.inputs.removal, true);
  assert.equal(r.inputs.nature_based, true);
  assert.equal(by.removal_vs_reduction.points, 2);
  assert.equal(by.permanence.points, 10);
  assert.equal(by.methodology.points, 0);
  assert.equal(r.inputs.vintage, 2024);
  assert.equal(r.inputs.buffer_share, 0.2);
  assert.equal(by.buffer.points, 0);
  assert.equal(r.inputs.verifications, 1);
  assert.equal(by.verification_history.points, 3);
  assert.equal(r.inputs.reversals, 0);
  assert.ok(r.inputs.largest_holder_share > 0.5 && r.inputs.largest_holder_share < 1);
  assert.ok(['low', 'medium', 'high', 'severe'].includes(r.band));

  // A reversal (admin) is counted and raises the score.
  const rev = await as('admin').post('/api/v1/reversals', { project: 1, quantity: '250.000', reason: 'wildfire (test)' });
  assert.equal(rev.status, 201, rev.text);
  const r2 = await ok(await anon.get('/api/v1/ml/risk/projects/1'));
  assert.equal(r2.inputs.reversals, 1);
  assert.equal(r2.inputs.reversed_share, 0.01);  // 250 t of 25,000 t
  const rv = r2.factors.find((f) => f.name === 'reversals');
  assert.ok(Math.abs(rv.points - (3 + 40 * 0.01)) < 1e-9, JSON.stringify(rv));
  assert.ok(r2.score > r.score);

  // An HFC-23 destruction project (technical reduction, never verified) scores higher.
  const p = await as('developer').post('/api/v1/projects', { name: 'Refrigerant plant abatement', country: 'CN', methodology: 'AM0001 HFC-23 destruction', mitigation: 'reduction', nature: 'technical' });
  assert.equal(p.status, 201, p.text);
  const h = await ok(await anon.get(`/api/v1/ml/risk/projects/${p.json.id}`));
  assert.equal(h.inputs.methodology_flags.hfc23_destruction, true);
  assert.deepEqual(h.inputs.methodology_flags.matched, ['am0001', 'hfc-23']);
  const hb = Object.fromEntries(h.factors.map((f) => [f.name, f]));
  assert.equal(hb.methodology.points, 20);
  assert.equal(hb.verification_history.points, 10);
  assert.equal(hb.vintage_age.detail, 'no batch issued yet: vintage unknown');
  assert.equal(h.inputs.vintage, null);
  assert.ok(h.score > r.score);

  problem(await anon.get('/api/v1/ml/risk/projects/99999'), 404, 'REGISTRY_UNKNOWN_PROJECT', 'id');
  problem(await anon.get('/api/v1/ml/risk/projects/abc'), 400, 'REQUEST_INVALID_FIELD', 'id');
});

test('portfolio risk: the caller\'s holdings at last prices, VaR/ES historical and parametric', async () => {
  problem(await anon.get('/api/v1/ml/risk/portfolio'), 401, 'AUTH_UNAUTHENTICATED');
  const p = await ok(await as('buyer').get('/api/v1/ml/risk/portfolio'));
  assert.equal(p.account, users.buyer.account);
  assert.equal(p.level, 0.99);
  assert.equal(p.horizon_days, 1);
  // Values recomputed from the holdings and the instrument's last price.
  const hold = (await as('admin').get(`/api/v1/accounts/${users.buyer.account}/holdings`)).json.items;
  const inst = (await anon.get(`/api/v1/instruments/${INST}`)).json;
  const pos = p.positions.find((x) => x.batch === 1);
  const h1 = hold.find((x) => x.batch === 1);
  assert.equal(pos.quantity_kg, h1.tradable_kg + h1.escrowed_kg);
  assert.equal(pos.instrument, INST);
  assert.equal(pos.price, inst.reference_price);
  assert.equal(pos.value_minor, Math.floor((pos.price_minor * pos.quantity_kg) / 1000));
  assert.equal(p.value_minor, p.positions.reduce((a, x) => a + x.value_minor, 0));
  assert.equal(p.value, (p.value_minor / 100).toFixed(2));
  // One day of trading: the reference series stands in for the return history, and says so.
  assert.match(p.returns_source, /^proxy: the reference series/);
  assert.ok(p.returns >= 20);
  for (const k of ['var_historical', 'es_historical', 'var_parametric', 'es_parametric']) {
    assert.ok(p[`${k}_minor`] > 0 && p[`${k}_minor`] < p.value_minor, `${k} ${p[k]}`);
    assert.equal(p[k], (p[`${k}_minor`] / 100).toFixed(2));
  }
  assert.ok(p.es_historical_minor >= p.var_historical_minor);
  assert.ok(p.es_parametric_minor >= p.var_parametric_minor);
  // A lower level and a longer horizon move VaR the way they must.
  const p95 = await ok(await as('buyer').get('/api/v1/ml/risk/portfolio?level=0.95'));
  assert.ok(p95.var_parametric_minor < p.var_parametric_minor);
  const p10 = await ok(await as('buyer').get('/api/v1/ml/risk/portfolio?horizon_days=10'));
  assert.ok(p10.var_parametric_minor > p.var_parametric_minor);
  // Oversight may look at any account; others only at their own.
  const byAdmin = await ok(await as('admin').get(`/api/v1/ml/risk/portfolio?account=${users.buyer.account}`));
  assert.equal(byAdmin.value_minor, p.value_minor);
  problem(await as('buyer').get(`/api/v1/ml/risk/portfolio?account=${users.seller.account}`), 403, 'AUTH_FORBIDDEN', 'account');
  problem(await as('admin').get('/api/v1/ml/risk/portfolio?account=424242'), 404, 'REGISTRY_UNKNOWN_ACCOUNT', 'account');
  problem(await as('buyer').get('/api/v1/ml/risk/portfolio?level=0.5'), 400, 'REQUEST_INVALID_FIELD', 'level');
  problem(await as('buyer').get('/api/v1/ml/risk/portfolio?horizon_days=99'), 400, 'REQUEST_INVALID_FIELD', 'horizon_days');
  // Nothing held: nothing to value.
  problem(await as('verifier').get('/api/v1/ml/risk/portfolio'), 422, 'ML_INSUFFICIENT_DATA', 'account');
});

test('fraud alerts: admins and auditors only; a self-trade and a double issuance made here are reported with evidence', async () => {
  problem(await anon.get('/api/v1/ml/fraud/alerts'), 401, 'AUTH_UNAUTHENTICATED');
  for (const role of ['buyer', 'seller', 'developer', 'verifier'])
    problem(await as(role).get('/api/v1/ml/fraud/alerts'), 403, 'AUTH_FORBIDDEN');
  const before = await ok(await as('admin').get('/api/v1/ml/fraud/alerts'));
  assert.ok(before.summary.orders > 0 && before.summary.trades > 0, JSON.stringify(before.summary));
  assert.equal(before.items.filter((a) => a.kind === 'selftrade').length, 0, 'the demo market is clean');

  // The buyer trades with itself (self-trade prevention switched off on both orders).
  const ask = await as('buyer').post('/api/v1/orders', { instrument: INST, side: 'sell', price: '24.00', quantity: '1.000', batch: 1, stp: 'none' });
  assert.equal(ask.status, 201, ask.text);
  const bid = await as('buyer').post('/api/v1/orders', { instrument: INST, side: 'buy', price: '24.00', quantity: '1.000', stp: 'none' });
  assert.equal(bid.status, 201, bid.text);
  assert.equal(bid.json.fills.length, 1, bid.text);
  const fill = bid.json.fills[0];

  const after = await ok(await as('auditor').get('/api/v1/ml/fraud/alerts?kind=selftrade'));
  assert.equal(after.total, 1, JSON.stringify(after));
  const a = after.items[0];
  assert.equal(a.kind, 'selftrade');
  assert.equal(a.trade, fill.id);
  assert.deepEqual(a.accounts, [users.buyer.account]);
  assert.equal(a.users[0].email, DEMO.buyer[0]);
  assert.ok(a.evidence.length > 0 && a.score > 0, JSON.stringify(a));
  assert.equal(after.summary.trades, before.summary.trades + 1);
  // The server's detector scan (every second here) journals it once as an alert for admins.
  let journaled;
  for (let i = 0; i < 100 && !journaled; i++) {
    const l = await as('admin').get('/api/v1/alerts?kind=selftrade');
    assert.equal(l.status, 200, l.text);
    journaled = l.json.items.find((x) => x.accounts.includes(users.buyer.account));
    if (!journaled) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(journaled, 'the self-trade was journaled as an alert');
  assert.ok(journaled.evidence.length > 0 && journaled.score > 0);
  await new Promise((r) => setTimeout(r, 1500));  // another scan: raised once, not again
  const again = await as('auditor').get('/api/v1/alerts?kind=selftrade');
  assert.equal(again.json.items.filter((x) => x.accounts.includes(users.buyer.account)).length, 1);
  problem(await as('buyer').get('/api/v1/alerts'), 403, 'AUTH_FORBIDDEN');
  // Filtered to another instrument: not there.
  const other = await ok(await as('admin').get('/api/v1/ml/fraud/alerts?instrument=2&kind=selftrade'));
  assert.equal(other.total, 0);
  problem(await as('admin').get('/api/v1/ml/fraud/alerts?kind=insider'), 400, 'REQUEST_INVALID_FIELD', 'kind');

  // Double issuance: a project registered here under the name and country of an imported
  // ACR project, credited for the same vintage as one of its imported batches.
  const imported = (await anon.get('/api/v1/batches/2')).json;
  assert.equal(imported.origin_registry, 'acr');
  const none = await ok(await as('admin').get('/api/v1/ml/fraud/alerts?kind=duplicate_issuance'));
  assert.equal(none.total, 0, JSON.stringify(none.items));
  assert.equal(none.summary.batches, (await anon.get('/api/v1/batches?page_size=1')).json.total);
  const gs = (await anon.get('/api/v1/credit-classes')).json.items.find((c) => c.code === 'GS');
  const p = await as('developer').post('/api/v1/projects', { name: `The ${imported.project_name.toUpperCase()}`, country: imported.country, methodology: 'ACR mine methane', mitigation: 'reduction', nature: 'technical', credit_class: gs.id });
  assert.equal(p.status, 201, p.text);
  await as('developer').post(`/api/v1/projects/${p.json.id}/submit`);
  assert.equal((await as('verifier').post(`/api/v1/projects/${p.json.id}/validate`)).json.status, 'validated');
  const v = imported.vintage;
  const iss = await as('developer').post('/api/v1/issuances', { project: p.json.id, vintage: v, period_start: `${v}-01-01`, period_end: `${v}-12-31`, quantity: '10.000', report: 'dup-report', verification_body: 'VVB' });
  assert.equal(iss.status, 201, iss.text);
  const appr = await as('verifier').post(`/api/v1/issuances/${iss.json.id}/approve`);
  assert.equal(appr.json.status, 'issued', appr.text);
  const dupBatch = appr.json.batch_detail.id;
  const dup = await ok(await as('admin').get('/api/v1/ml/fraud/alerts?kind=duplicate_issuance'));
  const mine = dup.items.filter((a) => a.batches.includes(dupBatch));
  assert.ok(mine.length >= 1, JSON.stringify(dup));
  assert.ok(mine.some((a) => a.batches.includes(imported.id)), JSON.stringify(mine));
  assert.match(mine[0].evidence, /\(acr\).*\(carbonx\)|\(carbonx\).*\(acr\)/);
  assert.equal(dup.summary.by_kind.duplicate_issuance, dup.total);
  // Registry-wide findings are not part of one instrument's market.
  assert.equal((await ok(await as('admin').get('/api/v1/ml/fraud/alerts?instrument=1&kind=duplicate_issuance'))).total, 0);
  problem(await as('admin').get('/api/v1/ml/fraud/alerts?instrument=999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument');
});

test('a model trained by `carbonx ml train` into DATA/models/reference is loaded at start, and forecasts alike', async () => {
  const st = (await anon.get('/api/v1/ml/status')).json;
  const eua = st.reference.file === 'eua_front_2008_2021.csv';
  const csv = eua ? join(process.env.CX_SHARED || join(ROOT, '..', 'shared'), 'data', 'prices', st.reference.file)
    : join(ROOT, 'ml', 'data', st.reference.file);
  const data = tempDir();
  const tr = runCli(['ml', 'train', '--csv', csv, '--date-column', eua ? 'datetime' : 'date', '--price-column', st.reference.column,
    '--out', join(data, 'models', 'reference')]);
  assert.equal(tr.status, 0, tr.stderr);
  const srv2 = await startServer({ data, demo: false });
  try {
    const c2 = new Client(srv2.url);
    const s2 = await ok(await c2.get('/api/v1/ml/status'));
    assert.equal(s2.model.status, 'ready', 'loaded synchronously at start');
    assert.match(s2.model.detail, /^loaded from .*models\/reference$/);
    assert.equal(s2.model.meta.data_to, st.reference.to);
    // The same data and options give the same model, whether the CLI or the server trained it.
    const a = (await anon.get('/api/v1/ml/forecast')).json, b = await ok(await c2.get('/api/v1/ml/forecast'));
    assert.equal(b.verdict, a.verdict);
    for (let i = 0; i < 3; i++) {
      for (const k of ['forecast', 'naive']) assert.ok(Math.abs(b.horizons[i][k] - a.horizons[i][k]) < 1e-4 * a.horizons[i][k], k);
      assert.ok(Math.abs(b.horizons[i].interval.hi - a.horizons[i].interval.hi) < 1e-4 * a.horizons[i].interval.hi);
      assert.equal(b.horizons[i].backtest_mase, a.horizons[i].backtest_mase);
    }
  } finally {
    await srv2.stop();
    cleanup(data);
  }
});

test('every analytics route is documented in the OpenAPI document and was exercised', async () => {
  const o = await ok(await anon.get('/api/v1/openapi.json'));
  const ml = Object.keys(o.paths).filter((p) => p.startsWith('/api/v1/ml/'));
  assert.deepEqual(ml.sort(), ['/api/v1/ml/forecast', '/api/v1/ml/fraud/alerts', '/api/v1/ml/risk/portfolio',
    '/api/v1/ml/risk/projects/{id}', '/api/v1/ml/status', '/api/v1/ml/trend', '/api/v1/ml/volatility']);
  for (const p of ml) assert.ok(o.paths[p].get.summary.length > 20, p);
  assert.ok(o.components.schemas.MlForecast && o.components.schemas.MlAlerts);
  const norm = (p) => p.replace(/\/\d+(?=\/|$)/g, '/{}');
  const seen = new Set([...hits].map((h) => norm(h.split(' ')[1])));
  for (const p of ml) assert.ok(seen.has(p.replace(/\{[^}]+\}/g, '{}')), `not exercised: ${p}`);
});
