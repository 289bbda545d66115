// Operations against a real server (issue 10): /health, /ready, Prometheus /metrics parsed
// back with an independent parser, structured JSON logs, first-party usage analytics that
// survive a restart, and the admins' error list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, cleanup, tempDir } from './lib.mjs';

let srv, anon, admin, buyer, data;

before(async () => {
  data = tempDir();
  srv = await startServer({ data, demo: true, extra: ['--log-format', 'json'] });
  anon = new Client(srv.url);
  admin = anon.as((await login(anon, ...DEMO.admin)).access_token);
  buyer = anon.as((await login(anon, ...DEMO.buyer)).access_token);
});
after(async () => { await srv?.stop(); cleanup(data); });

// Prometheus text format 0.0.4, parsed strictly: every sample line must belong to a
// family declared by # TYPE, label values unescaped.
function parseProm(text) {
  assert.ok(text.endsWith('\n'), 'exposition ends with a newline');
  const types = new Map();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type), line);
      assert.ok(!types.has(name), `duplicate TYPE ${name}`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/);
    assert.ok(m, `malformed sample line: ${line}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < m[3].length) {
        re.lastIndex = pos;
        const l = re.exec(m[3]);
        assert.ok(l, `bad labels in ${line}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
        pos = re.lastIndex;
      }
    }
    const value = Number(m[4].replace('+Inf', 'Infinity'));
    assert.ok(!Number.isNaN(value) || m[4] === 'NaN', line);
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(m[1]) || (types.get(base) === 'histogram'), `sample of undeclared family: ${m[1]}`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}
const find = (p, name, want = {}) =>
  p.samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));

test('health and readiness', async () => {
  const h = await anon.get('/health');
  assert.equal(h.status, 200);
  assert.equal(h.json.status, 'ok');
  const r = await anon.get('/ready');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ready, true);
});

test('/metrics: Prometheus text with request histograms per route template', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await anon.get('/api/v1/projects/1')).status, 200);
  assert.equal((await anon.get('/api/v1/no/such/route')).status, 404);
  // A request is counted once its answer is written: poll until the last one is in.
  let r, p;
  for (let i = 0; i < 50; i++) {
    r = await anon.get('/metrics');
    p = parseProm(r.text);
    const got = find(p, 'cx_http_requests_total', { route: '/api/v1/projects/{id}', method: 'GET', class: '2xx' })[0]?.value ?? 0;
    if (got >= 3 && (find(p, 'cx_http_requests_total', { route: 'unmatched', class: '4xx' })[0]?.value ?? 0) >= 1) break;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.equal(p.types.get('cx_http_requests_total'), 'counter');
  assert.equal(p.types.get('cx_http_request_seconds'), 'histogram');
  // The template, not the concrete path: ids never become label values.
  const c = find(p, 'cx_http_requests_total', { route: '/api/v1/projects/{id}', method: 'GET', class: '2xx' });
  assert.equal(c.length, 1);
  assert.ok(c[0].value >= 3);
  assert.equal(find(p, 'cx_http_requests_total', { route: '/api/v1/projects/1' }).length, 0);
  assert.ok(find(p, 'cx_http_requests_total', { route: 'unmatched', class: '4xx' })[0].value >= 1);
  // Histogram: cumulative buckets ending in +Inf == _count.
  const buckets = find(p, 'cx_http_request_seconds_bucket', { route: '/api/v1/projects/{id}', class: '2xx' });
  assert.ok(buckets.length > 3);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
  const inf = buckets.find((b) => b.labels.le === '+Inf');
  assert.equal(inf.value, find(p, 'cx_http_request_seconds_count', { route: '/api/v1/projects/{id}', class: '2xx' })[0].value);
  // Engine and edge gauges.
  for (const name of ['cx_engine_queue_depth', 'cx_journal_committed_seq', 'cx_matches_per_second', 'cx_websocket_clients'])
    assert.equal(p.types.get(name), 'gauge', name);
  assert.ok(find(p, 'cx_journal_committed_seq')[0].value > 0);
  assert.equal(p.types.get('cx_engine_commit_seconds'), 'histogram');
  assert.ok(find(p, 'cx_engine_commit_seconds_count')[0].value > 0, 'demo commands were timed to their commit');
});

test('structured JSON logs: one object per line with request id, route, status, latency, user', async () => {
  const r = await buyer.req('GET', '/api/v1/me', undefined, { headers: { 'x-request-id': 'test-req-42' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-request-id'), 'test-req-42');
  const gen = await anon.get('/api/v1/projects');
  assert.match(gen.headers.get('x-request-id'), /^[0-9a-f]{8}-\d+$/);
  await new Promise((ok) => setTimeout(ok, 200));
  const lines = srv.log().split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.length > 5);
  const objs = lines.map((l) => JSON.parse(l));
  for (const o of objs) {
    assert.equal(typeof o.ts, 'string');
    assert.match(o.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(['info', 'warn', 'error'].includes(o.level));
    assert.equal(typeof o.msg, 'string');
  }
  const mine = objs.find((o) => o.request_id === 'test-req-42');
  assert.ok(mine, 'the request is logged under its id');
  assert.equal(mine.route, '/api/v1/me');
  assert.equal(mine.status, 200);
  assert.equal(typeof mine.latency_ms, 'number');
  assert.ok(mine.user_id > 0, 'the signed-in user is named by id');
  assert.ok(objs.some((o) => o.msg.startsWith('serving http://')), 'start-up line is JSON too');
  // Nothing personal beyond the user id: no token, no email in the request lines.
  assert.ok(!lines.some((l) => l.includes('Bearer') || l.includes('@carbonx.demo')));
});

test('usage analytics: page views by route name, API counts, admins only, kept across restart', async () => {
  assert.equal((await anon.post('/api/v1/usage/page', { route: '/markets/:id' })).status, 204);
  assert.equal((await anon.post('/api/v1/usage/page', { route: '/markets/:id' })).status, 204);
  assert.equal((await buyer.post('/api/v1/usage/page', { route: '/portfolio' })).status, 204);
  // Route names only: queries, spaces, e-mail addresses are refused.
  for (const route of ['/markets?user=alice', 'markets', '/a b', '/x@y.z', '', '/' + 'a'.repeat(120)]) {
    const r = await anon.post('/api/v1/usage/page', { route });
    assert.equal(r.status, 400, route);
    assert.equal(r.json.code, 'REQUEST_INVALID_FIELD');
  }
  assert.equal((await anon.post('/api/v1/usage/page', {})).status, 400);
  assert.equal((await anon.get('/api/v1/admin/usage')).status, 401);
  assert.equal((await buyer.get('/api/v1/admin/usage')).status, 403);
  const u = await admin.get('/api/v1/admin/usage');
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(u.json.pages.find((p) => p.route === '/markets/:id'), { route: '/markets/:id', count: 2 });
  assert.equal(u.json.pages.find((p) => p.route === '/portfolio').count, 1);
  const api = u.json.api.find((a) => a.route === 'GET /api/v1/projects/{id}');
  assert.ok(api && api.count >= 3, JSON.stringify(u.json.api));
  // Restart on the same data directory: the counts are still there.
  await srv.stop();
  srv = await startServer({ data, demo: true });
  anon = new Client(srv.url);
  admin = anon.as((await login(anon, ...DEMO.admin)).access_token);
  buyer = anon.as((await login(anon, ...DEMO.buyer)).access_token);
  const u2 = await admin.get('/api/v1/admin/usage');
  assert.equal(u2.json.pages.find((p) => p.route === '/markets/:id').count, 2);
  assert.equal(u2.json.since, u.json.since);
});

test('error tracking is listed to admins only', async () => {
  assert.equal((await anon.get('/api/v1/admin/errors')).status, 401);
  assert.equal((await buyer.get('/api/v1/admin/errors')).status, 403);
  const e = await admin.get('/api/v1/admin/errors');
  assert.equal(e.status, 200);
  assert.ok(Array.isArray(e.json.items));
  // 4xx are the client's business, not server errors.
  assert.ok(!e.json.items.some((i) => i.status < 500 && i.status !== 0));
});
