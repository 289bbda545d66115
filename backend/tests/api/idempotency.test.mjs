// Server-side idempotency of order entry (issue 10, registry/market.cc, app/market_routes.cc):
// client_order_id is unique per account. A retry with the same id and the same terms is
// answered 200 with the original order and `Idempotent-Replay: true`, without a journal
// event; the same id with other terms is 409 REQUEST_CONFLICT (field client_order_id).
// The index is engine state: it holds for concurrent retries and across a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, cleanup, problem, runCli } from './lib.mjs';

let srv, anon, tok = {}, users = {}, inst;

async function signIn() {
  anon = new Client(srv.url);
  for (const role of ['admin', 'buyer', 'seller']) {
    const l = await login(anon, ...DEMO[role]);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
}
const as = (role) => anon.as(tok[role]);
const seqNow = async () => (await anon.get('/api/v1/health')).json.committed_seq;

before(async () => {
  srv = await startServer({ demo: true });
  await signIn();
  const d = await as('admin').post('/api/v1/cash/deposits', { account: users.buyer.account, currency: 'USD', amount: '100000.00' });
  assert.equal(d.status, 201, d.text);
  const r = await as('admin').post('/api/v1/instruments', {
    kind: 'contract', symbol: 'IDEM-1', criteria: { countries: ['BR'], nature: 'nature', vintage_from: 2019 } });
  assert.equal(r.status, 201, r.text);
  inst = r.json.id;
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const order = (more = {}) => ({ instrument: inst, side: 'buy', price: '10.00', quantity: '2.000', client_order_id: 'idem-1', ...more });

test('a retry with the same client_order_id and terms returns the original order (200, Idempotent-Replay)', async () => {
  const first = await as('buyer').post('/api/v1/orders', order());
  assert.equal(first.status, 201, first.text);
  assert.equal(first.headers.get('idempotent-replay'), null);
  const seq = await seqNow();
  const again = await as('buyer').post('/api/v1/orders', order());
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers.get('idempotent-replay'), 'true');
  assert.equal(again.json.id, first.json.id);
  assert.equal(again.json.client_order_id, 'idem-1');
  assert.equal(again.json.status, 'open');
  assert.deepEqual(again.json.fills, []);
  assert.equal(await seqNow(), seq, 'a replay journals nothing');
  // The terms are compared as parsed: "10.0" and "2" are the same order.
  const same = await as('buyer').post('/api/v1/orders', order({ price: '10.0', quantity: '2' }));
  assert.equal(same.status, 200, same.text);
  assert.equal(same.json.id, first.json.id);
  const mine = (await as('buyer').get('/api/v1/orders?status=all&page_size=500')).json.items.filter((o) => o.client_order_id === 'idem-1');
  assert.equal(mine.length, 1);
});

test('the same client_order_id with other terms is 409 on field client_order_id and changes nothing', async () => {
  const seq = await seqNow();
  for (const other of [{ price: '10.01' }, { quantity: '3.000' }, { side: 'sell', batch: 1 }, { time_in_force: 'ioc' }])
    problem(await as('buyer').post('/api/v1/orders', order(other)), 409, 'REQUEST_CONFLICT', 'client_order_id');
  assert.equal(await seqNow(), seq);
  // Another account may use the same id.
  const r = await as('seller').post('/api/v1/orders', { instrument: inst, side: 'sell', price: '50.00', quantity: '1.000', batch: 1, client_order_id: 'idem-1' });
  assert.equal(r.status, 201, r.text);
  problem(await as('buyer').post('/api/v1/orders', order({ client_order_id: 'primary-auction' })), 400, 'REQUEST_INVALID_FIELD', 'client_order_id');
});

test('a replay shows the order as it is now, with its fills', async () => {
  const b = await as('buyer').post('/api/v1/orders', order({ client_order_id: 'idem-fill', price: '20.00' }));
  assert.equal(b.status, 201, b.text);
  const s = await as('seller').post('/api/v1/orders', { instrument: inst, side: 'sell', price: '20.00', quantity: '2.000', batch: 1 });
  assert.equal(s.status, 201, s.text);
  const again = await as('buyer').post('/api/v1/orders', order({ client_order_id: 'idem-fill', price: '20.00' }));
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.status, 'filled');
  assert.equal(again.json.fills.length, 1);
  assert.equal(again.json.fills[0].quantity, '2.000');
});

test('an order the book refused on entry is answered with the same refusal on retry', async () => {
  const body = order({ client_order_id: 'idem-fok', price: '1.00', time_in_force: 'fok' });
  const first = await as('buyer').post('/api/v1/orders', body);
  assert.ok(first.status >= 400 && first.status < 500, first.text);
  const seq = await seqNow();
  const again = await as('buyer').post('/api/v1/orders', body);
  assert.equal(again.status, first.status, again.text);
  assert.equal(again.json.code, first.json.code);
  assert.equal(await seqNow(), seq);
});

test('concurrent duplicates place one order', async () => {
  const seq = await seqNow();
  const rs = await Promise.all(Array.from({ length: 8 }, () => as('buyer').post('/api/v1/orders', order({ client_order_id: 'idem-race', price: '9.00' }))));
  const created = rs.filter((r) => r.status === 201);
  const replays = rs.filter((r) => r.status === 200);
  assert.equal(created.length, 1, rs.map((r) => r.status).join(','));
  assert.equal(replays.length, 7);
  for (const r of replays) {
    assert.equal(r.json.id, created[0].json.id);
    assert.equal(r.headers.get('idempotent-replay'), 'true');
  }
  assert.ok(await seqNow() > seq);
});

test('the index survives a restart: journal replay, then a snapshot', async () => {
  const first = (await as('buyer').get('/api/v1/orders?status=all&page_size=500')).json.items.find((o) => o.client_order_id === 'idem-1');
  for (const how of ['replay', 'snapshot']) {
    await srv.stop();
    if (how === 'snapshot') {
      const r = runCli(['snapshot', '--data', srv.data]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /snapshot written/);
    }
    srv = await startServer({ data: srv.data, demo: false });
    await signIn();
    const again = await as('buyer').post('/api/v1/orders', order());
    assert.equal(again.status, 200, `${how}: ${again.text}`);
    assert.equal(again.headers.get('idempotent-replay'), 'true');
    assert.equal(again.json.id, first.id);
    problem(await as('buyer').post('/api/v1/orders', order({ price: '11.00' })), 409, 'REQUEST_CONFLICT', 'client_order_id');
  }
});
