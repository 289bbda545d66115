// Notifications over the WebSocket private channel notifications:<user> (issue 9), with a
// client the project did not write (npm `ws`): an exchange fill notifies both sides (seq +1
// per channel), a third user hears nothing and may not subscribe to another's channel, the
// REST history GET /api/v1/notifications holds the same messages, and it survives a restart
// (rebuilt from the journal). The trade prints with venue "exchange".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, Client, login, DEMO, cleanup } from './lib.mjs';

let srv, anon, tok = {}, users = {}, inst;

async function signIn() {
  anon = new Client(srv.url);
  for (const [role, [email, pw]] of Object.entries(DEMO)) {
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
}
before(async () => {
  srv = await startServer({ demo: true });
  await signIn();
  const c = await anon.as(tok.admin).post('/api/v1/instruments', { kind: 'contract', symbol: 'NT-1', criteria: { countries: ['BR'] } });
  assert.equal(c.status, 201, c.text);
  inst = c.json.id;
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const as = (role) => anon.as(tok[role]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A WebSocket connection collecting messages.
async function openWs(token) {
  const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/api/v1/ws?access_token=${encodeURIComponent(token)}`);
  const msgs = [];
  ws.on('message', (d) => msgs.push(JSON.parse(d.toString())));
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  const waitFor = async (pred, ms = 5000) => {
    const end = Date.now() + ms;
    for (;;) {
      const m = msgs.find(pred);
      if (m) return m;
      if (Date.now() > end) throw new Error(`no message within ${ms} ms; got ${JSON.stringify(msgs).slice(0, 800)}`);
      await sleep(30);
    }
  };
  const subscribe = async (channel) => {
    ws.send(JSON.stringify({ op: 'subscribe', channel }));
    const ack = await waitFor((m) => m.channel === channel && (m.type === 'subscribed' || m.type === 'error'));
    if (ack.type === 'error') return ack;
    return waitFor((m) => m.channel === channel && m.type === 'snapshot');
  };
  const on = (channel) => msgs.filter((m) => m.channel === channel && m.type !== 'subscribed' && m.type !== 'snapshot');
  return { ws, msgs, waitFor, subscribe, on, close: () => ws.close() };
}

test('an exchange fill notifies buyer and seller on their own channel, nobody else', async () => {
  const chB = `notifications:${users.buyer.id}`, chS = `notifications:${users.seller.id}`, chA = `notifications:${users.auditor.id}`;
  const b = await openWs(tok.buyer), s = await openWs(tok.seller), third = await openWs(tok.auditor);
  const snapB = await b.subscribe(chB), snapS = await s.subscribe(chS), snapA = await third.subscribe(chA);
  for (const x of [snapB, snapS, snapA]) assert.equal(x.type, 'snapshot');
  // Another user's channel, or the bare name: refused.
  const e1 = await third.subscribe(chB);
  assert.equal(e1.type, 'error');
  assert.equal(e1.detail, 'AUTH_FORBIDDEN');
  const e2 = await third.subscribe('notifications');
  assert.equal(e2.type, 'error');

  const ask = await as('seller').post('/api/v1/orders', { instrument: inst, side: 'sell', price: '31.00', quantity: '2.000', batch: 1 });
  assert.equal(ask.status, 201, ask.text);
  const bid = await as('buyer').post('/api/v1/orders', { instrument: inst, side: 'buy', price: '31.00', quantity: '2.000' });
  assert.equal(bid.status, 201, bid.text);
  assert.equal(bid.json.status, 'filled');
  const fillId = bid.json.fills[0].id;

  const nb = await b.waitFor((m) => m.channel === chB && m.type === 'order.filled');
  assert.equal(nb.seq, snapB.seq + 1, 'seq = snapshot seq + 1');
  assert.equal(nb.data.fill, String(fillId));
  assert.equal(nb.data.order, String(bid.json.id));
  assert.equal(nb.data.side, 'buy');
  assert.equal(nb.data.quantity, '2.000');
  assert.equal(nb.data.price, '31.00');
  assert.equal(nb.link, `/markets/${inst}`);
  assert.ok(nb.title.length > 0 && typeof nb.ts === 'number');
  const ns = await s.waitFor((m) => m.channel === chS && m.type === 'order.filled');
  assert.equal(ns.data.side, 'sell');
  assert.equal(ns.data.order, String(ask.json.id));
  await sleep(300);
  assert.equal(third.on(chA).length, 0, 'a third user hears nothing');
  assert.ok(!b.msgs.some((m) => m.channel === chS), 'the buyer never sees the seller channel');

  // A cancel: only its owner hears of it.
  const rest = await as('buyer').post('/api/v1/orders', { instrument: inst, side: 'buy', price: '20.00', quantity: '1.000' });
  assert.equal(rest.status, 201, rest.text);
  await as('buyer').req('DELETE', `/api/v1/orders/${rest.json.id}`);
  const nc = await b.waitFor((m) => m.channel === chB && m.type === 'order.cancelled');
  assert.equal(nc.seq, nb.seq + 1);
  assert.equal(nc.data.order, String(rest.json.id));
  await sleep(200);
  assert.equal(s.on(chS).length, 1);

  // The trade prints in market data with its venue.
  const tr = await anon.get(`/api/v1/markets/${inst}/trades`);
  assert.equal(tr.status, 200, tr.text);
  assert.equal(tr.json.trades[0].venue, 'exchange');

  // REST history: the same messages; bounded paging; authentication required.
  const h = await as('buyer').get('/api/v1/notifications?limit=200');
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.channel, chB);
  assert.equal(h.json.seq, nc.seq);
  assert.deepEqual(h.json.items.slice(-2), [nb, nc]);
  const h2 = await as('buyer').get(`/api/v1/notifications?after_seq=${nb.seq}`);
  assert.deepEqual(h2.json.items, [nc]);
  const bad = await as('buyer').get('/api/v1/notifications?limit=-1');
  assert.equal(bad.status, 400);
  assert.equal((await anon.get('/api/v1/notifications')).status, 401);
  for (const x of [b, s, third]) x.close();

  // A restart rebuilds the history from the journal.
  const before = (await as('seller').get('/api/v1/notifications?limit=200')).json;
  await srv.stop();
  srv = await startServer({ data: srv.data, demo: false });
  await signIn();
  const again = (await as('seller').get('/api/v1/notifications?limit=200')).json;
  assert.deepEqual(again, before);
  assert.ok(again.items.some((m) => m.type === 'order.filled'));
});
