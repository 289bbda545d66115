// Emergency runbook (docs/operations.md): tools/ops/halt-all.sh halts every instrument of a
// running server with an admin token (orders then refused with MATCHING_MARKET_HALTED, each halt
// journaled), refuses a non-admin token, and `resume` reopens every market.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, Client, login, DEMO, cleanup, problem, ROOT } from './lib.mjs';

let srv, anon, admin, buyer;
const script = join(ROOT, 'tools', 'ops', 'halt-all.sh');
const run = (token, action) => spawnSync('bash', [script, action], {
  encoding: 'utf8', env: { ...process.env, CX_URL: srv.url, CX_TOKEN: token },
});

before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  admin = anon.as((await login(anon, ...DEMO.admin)).access_token);
  buyer = anon.as((await login(anon, ...DEMO.buyer)).access_token);
});
after(async () => { await srv.stop(); cleanup(srv.data); });

test('halt-all halts every market; a trader is refused; resume reopens them', async () => {
  const list = (await anon.get('/api/v1/instruments')).json.items;
  assert.ok(list.length >= 2, 'the demo has several instruments');

  const denied = run(buyer.token, 'halt');
  assert.notEqual(denied.status, 0, 'a trader token halts nothing');
  assert.match(denied.stdout, /halt-all: 0 of \d+ halted/);

  const r = run(admin.token, 'halt');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`halt-all: ${list.length} of ${list.length} halted`));
  for (const i of list) {
    const s = (await anon.get(`/api/v1/instruments/${i.id}`)).json;
    assert.equal(s.phase, 'halted', JSON.stringify(s));
  }
  problem(await buyer.post('/api/v1/orders', { instrument: list[0].id, side: 'buy', price: '10.00', quantity: '1.000' }),
    422, 'MATCHING_MARKET_HALTED', 'instrument');

  const back = run(admin.token, 'resume');
  assert.equal(back.status, 0, back.stdout + back.stderr);
  for (const i of list) assert.notEqual((await anon.get(`/api/v1/instruments/${i.id}`)).json.phase, 'halted');
});
