// WebSocket market data with a client the project did not write (the npm package `ws`):
// subscribe, snapshot then deltas with seq strictly +1, a local book built from them that
// equals GET /markets/{id}/book, an injected gap detected and repaired by resubscribing,
// and the private orders:<user> channel (own orders and fills only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, Client, login, DEMO, cleanup } from './lib.mjs';

let srv, anon, tok = {}, users = {}, inst;
const BATCH = 1;

before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  for (const [role, [email, pw]] of Object.entries(DEMO)) {
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
  const c = await anon.as(tok.admin).post('/api/v1/instruments', { kind: 'contract', symbol: 'WS-1', criteria: { countries: ['BR'] } });
  assert.equal(c.status, 201, c.text);
  inst = c.json.id;
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const as = (role) => anon.as(tok[role]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function placeOk(role, body) {
  const r = await as(role).post('/api/v1/orders', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const sell = (price, quantity, more = {}) => placeOk('seller', { instrument: inst, side: 'sell', price, quantity, batch: BATCH, ...more });
const buy = (price, quantity, more = {}) => placeOk('buyer', { instrument: inst, side: 'buy', price, quantity, ...more });
async function restBook() {
  const r = await anon.get(`/api/v1/markets/${inst}/book?depth=1000`);
  assert.equal(r.status, 200, r.text);
  const side = (a) => a.map((l) => [l.price, l.quantity]);
  return { bids: side(r.json.bids), asks: side(r.json.asks) };
}

// A WebSocket connection that queues messages and lets a test wait for one.
class Feed {
  static open(token, { header = false } = {}) {
    const base = srv.url.replace(/^http/, 'ws') + '/api/v1/ws';
    const url = token && !header ? `${base}?access_token=${encodeURIComponent(token)}` : base;
    const ws = new WebSocket(url, header && token ? { headers: { authorization: `Bearer ${token}` } } : {});
    const f = new Feed(ws);
    return new Promise((ok, fail) => {
      ws.once('open', () => ok(f));
      ws.once('unexpected-response', (req, res) => fail(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', fail);
    });
  }
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.tap = null;  // optional hook: (msg) => true to drop the message
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (this.tap && this.tap(m)) return;
      this.queue.push(m);
      this.wake();
    });
  }
  wake() {
    for (const w of [...this.waiters]) {
      const i = this.queue.findIndex(w.pred);
      if (i >= 0) {
        const [m] = this.queue.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.ok(m);
      }
    }
  }
  // The first queued (or next arriving) message matching pred.
  next(pred = () => true, ms = 5000) {
    const i = this.queue.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((ok, fail) => {
      const w = { pred, ok };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        fail(new Error(`no message within ${ms} ms; queued: ${JSON.stringify(this.queue).slice(0, 500)}`));
      }, ms);
      this.waiters.push(w);
    });
  }
  take(channel) {  // every queued message of a channel, in arrival order
    const out = this.queue.filter((m) => m.channel === channel);
    this.queue = this.queue.filter((m) => m.channel !== channel);
    return out;
  }
  send(op, channel) { this.ws.send(JSON.stringify({ op, channel })); }
  async subscribe(channel) {
    this.send('subscribe', channel);
    const ack = await this.next((m) => m.channel === channel && (m.type === 'subscribed' || m.type === 'error'));
    if (ack.type === 'error') return ack;
    return this.next((m) => m.channel === channel);  // the snapshot follows the ack
  }
  close() { this.ws.close(); }
}

// Client-side depth mirror: snapshot + deltas, gap detection by seq (as a trading client does).
class DepthMirror {
  constructor() { this.seq = null; this.bids = new Map(); this.asks = new Map(); this.gaps = 0; this.applied = []; }
  snapshot(m) {
    this.seq = m.seq;
    this.bids = new Map(m.bids);
    this.asks = new Map(m.asks);
    this.needsResync = false;
  }
  delta(m) {
    if (this.seq === null || this.needsResync) return 'needs_snapshot';
    if (m.seq <= this.seq) return 'stale';
    if (m.seq !== this.seq + 1) { this.gaps++; this.needsResync = true; return 'gap'; }
    for (const [side, levels] of [[this.bids, m.bids], [this.asks, m.asks]])
      for (const [p, q] of levels) { if (Number(q) === 0) side.delete(p); else side.set(p, q); }
    this.seq = m.seq;
    this.applied.push(m.seq);
    return 'applied';
  }
  book() {
    const by = (desc) => (a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]));
    return { bids: [...this.bids].sort(by(true)), asks: [...this.asks].sort(by(false)) };
  }
}

async function waitMirror(feed, mirror, channel, want, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    for (const m of feed.take(channel)) if (m.type === 'delta') mirror.delta(m);
    if (JSON.stringify(mirror.book()) === JSON.stringify(want)) return;
    if (Date.now() > end) assert.deepEqual(mirror.book(), want, 'the mirrored book never matched REST');
    await sleep(50);
  }
}

test('depth and trades: snapshot, then deltas with seq +1; the mirrored book equals REST', async () => {
  const f = await Feed.open(tok.buyer);
  const depthCh = `depth:${inst}`, tradesCh = `trades:${inst}`;
  await sell('30.00', '1.000');  // a level before the snapshot
  // The feed publishes after the durable commit, a moment after the REST reply: a
  // snapshot taken right away may predate it; then unsubscribe and take another.
  let snap;
  for (let i = 0; ; i++) {
    snap = await f.subscribe(depthCh);
    assert.equal(snap.type, 'snapshot');
    assert.equal(snap.channel, depthCh);
    if (snap.asks.length || i === 20) break;
    f.send('unsubscribe', depthCh);
    await f.next((m) => m.type === 'unsubscribed' && m.channel === depthCh);
    await sleep(100);
    f.take(depthCh);
  }
  assert.deepEqual(snap.asks, [['30.00', '1.000']]);
  assert.deepEqual(snap.bids, []);
  assert.ok(snap.seq >= 1);
  const tsnap = await f.subscribe(tradesCh);
  assert.equal(tsnap.type, 'snapshot');
  assert.deepEqual(tsnap.data.trades, []);
  const mirror = new DepthMirror();
  mirror.snapshot(snap);

  // Resting orders on both sides, an iceberg, a replace, a cancel and crossing orders.
  await sell('30.50', '2.000');
  await sell('31.00', '5.000', { display_quantity: '1.000' });
  const b1 = await buy('29.00', '1.000');
  await buy('29.50', '2.000');
  await buy('29.50', '1.000');
  await as('buyer').post(`/api/v1/orders/${b1.id}/replace`, { price: '29.10', quantity: '3.000' });
  const b4 = await buy('28.00', '1.000');
  await as('buyer').req('DELETE', `/api/v1/orders/${b4.id}`);
  const t1 = await buy('30.50', '2.000');  // takes 1 t at 30.00 and 1 t at 30.50
  assert.equal(t1.fills.length, 2);
  const t2 = await buy('31.00', '2.000');  // 1 t at 30.50, then 1 t of the iceberg (which refills)
  assert.equal(t2.fills.length, 2);
  await placeOk('seller', { instrument: inst, side: 'sell', price: '29.50', quantity: '2.000', batch: BATCH });  // sells into the bids

  const want = await restBook();
  await waitMirror(f, mirror, depthCh, want);
  assert.ok(mirror.applied.length >= 10, `only ${mirror.applied.length} deltas`);
  for (let i = 0; i < mirror.applied.length; i++) assert.equal(mirror.applied[i], snap.seq + 1 + i, 'depth seq strictly +1');
  assert.equal(mirror.gaps, 0);
  assert.deepEqual(want.asks, [['31.00', '1.000']]);

  // Trades: one message per fill, seq +1 from the snapshot's, same as REST.
  const rest = (await anon.get(`/api/v1/markets/${inst}/trades`)).json.trades;
  assert.equal(rest.length, 5);  // 2 + 2 + 1 (the last sale fills one 2 t bid)
  let got = [];
  const end = Date.now() + 5000;
  while (got.length < rest.length && Date.now() < end) {
    got = got.concat(f.take(tradesCh));
    await sleep(50);
  }
  assert.equal(got.length, rest.length);
  got.forEach((m, i) => {
    assert.equal(m.type, 'trade');
    assert.equal(m.seq, tsnap.seq + 1 + i, 'trades seq strictly +1');
  });
  const byId = (a) => [...a].sort((x, y) => x.id - y.id).map((t) => [t.id, t.price, t.qty]);
  assert.deepEqual(byId(got.map((m) => m.trade)), byId(rest));
  f.close();
});

test('an injected gap is detected, and a resubscribe snapshot repairs the book', async () => {
  const f = await Feed.open(null);  // public channels need no token
  const ch = `depth:${inst}`;
  const mirror = new DepthMirror();
  mirror.snapshot(await f.subscribe(ch));
  assert.deepEqual(mirror.book(), await restBook());
  // Drop the first delta after this point, as a lossy link would.
  let dropped = null;
  f.tap = (m) => {
    if (!dropped && m.channel === ch && m.type === 'delta') { dropped = m; return true; }
    return false;
  };
  await buy('27.00', '1.000');  // this delta is lost
  await buy('27.10', '1.000');  // this one reveals the gap
  const d = await f.next((m) => m.channel === ch && m.type === 'delta');
  assert.ok(dropped, 'a delta was dropped');
  assert.equal(dropped.seq, mirror.seq + 1);
  assert.equal(mirror.delta(d), 'gap');
  assert.equal(mirror.gaps, 1);
  // Without the lost delta the mirror is wrong: 27.00 is missing.
  assert.ok(!mirror.bids.has('27.00'));
  // Resync: unsubscribe, subscribe again, take the fresh snapshot; later deltas apply.
  f.send('unsubscribe', ch);
  await f.next((m) => m.type === 'unsubscribed' && m.channel === ch);
  f.take(ch);
  const snap = await f.subscribe(ch);
  assert.ok(snap.seq >= d.seq, `fresh snapshot at seq ${snap.seq} covers the delta at ${d.seq}`);
  mirror.snapshot(snap);
  assert.equal(mirror.bids.get('27.00'), '1.000');
  assert.deepEqual(mirror.book(), await restBook());
  await buy('27.20', '1.000');
  const want = await restBook();
  await waitMirror(f, mirror, ch, want);
  assert.equal(mirror.applied.at(-1), snap.seq + 1);
  assert.equal(mirror.gaps, 1);
  f.close();
});

test('private orders:<user> channel: own orders and fills with seq +1; others refused', async () => {
  const c = await as('admin').post('/api/v1/instruments', { kind: 'contract', symbol: 'WS-2', criteria: { countries: ['BR'] } });
  assert.equal(c.status, 201, c.text);
  inst = c.json.id;  // an empty book without a reference price
  const f = await Feed.open(tok.buyer, { header: true });  // token in the Authorization header
  const mine = `orders:${users.buyer.id}`;
  const snap = await f.subscribe(mine);
  assert.equal(snap.type, 'snapshot');
  const s0 = snap.seq;
  const ask = await sell('26.00', '1.000');
  const bid = await buy('26.00', '1.000');
  assert.equal(bid.status, 'filled');
  const fillId = bid.fills[0].id;
  const msgs = [];
  const end = Date.now() + 5000;
  while (!(msgs.some((m) => m.type === 'fill') && msgs.some((m) => m.type === 'order')) && Date.now() < end) {
    msgs.push(...f.take(mine));
    await sleep(50);
  }
  await sleep(200);
  msgs.push(...f.take(mine));
  msgs.forEach((m, i) => assert.equal(m.seq, s0 + 1 + i, 'private seq strictly +1'));
  const fills = msgs.filter((m) => m.type === 'fill');
  assert.equal(fills.length, 1);
  assert.equal(fills[0].data.id, fillId);
  assert.equal(fills[0].data.side, 'buy');
  assert.equal(fills[0].data.fee, bid.fills[0].fee);
  const orders = msgs.filter((m) => m.type === 'order');
  assert.ok(orders.length >= 1);
  assert.ok(orders.every((m) => m.data.account === users.buyer.account), 'only my own orders');
  assert.ok(!orders.some((m) => m.data.id === ask.id), "the seller's order is not on my channel");
  assert.equal(orders.at(-1).data.id, bid.id);
  assert.equal(orders.at(-1).data.status, 'filled');
  // A resting order and its cancel.
  const rest = await buy('20.00', '1.000');
  await as('buyer').req('DELETE', `/api/v1/orders/${rest.id}`);
  const cm = await f.next((m) => m.channel === mine && m.type === 'order' && m.data.id === rest.id && m.data.status === 'cancelled');
  assert.ok(cm.seq > s0 + msgs.length);

  // Someone else's channel: refused, on this connection and anonymously.
  const other = `orders:${users.seller.id}`;
  const e = await f.subscribe(other);
  assert.equal(e.type, 'error');
  assert.equal(e.detail, 'AUTH_FORBIDDEN');
  const a = await Feed.open(null);
  const e2 = await a.subscribe(mine);
  assert.equal(e2.type, 'error');
  assert.equal(e2.detail, 'AUTH_FORBIDDEN');
  // Unknown instruments and malformed requests are errors too; the connection stays usable.
  const e3 = await a.subscribe('depth:99999');
  assert.equal(e3.type, 'error');
  assert.equal(e3.detail, 'MATCHING_UNKNOWN_INSTRUMENT');
  a.ws.send('not json');
  const e4 = await a.next((m) => m.type === 'error');
  assert.match(e4.detail, /subscribe/);
  assert.equal((await a.subscribe(`bbo:${inst}`)).type, 'bbo');
  a.close();
  f.close();
  // A bad token is refused at the upgrade.
  await assert.rejects(Feed.open('garbage'), (err) => err.status === 401);
});
