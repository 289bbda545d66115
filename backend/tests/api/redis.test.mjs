// Two carbonx processes sharing one real redis-server (started here on a free port in a
// temp dir): a private order feed published on node A reaches a WebSocket client on node B,
// rate limits are shared, a token revoked by signing out on A is refused by B at once,
// and all of it again after Redis restarts. Skipped when redis-server is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { startServer, Client, login, DEMO, cleanup, tempDir } from './lib.mjs';

const haveRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

let redis, redisPort, redisDir;
async function startRedis() {
  redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--dir', redisDir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error('redis did not start: ' + out)), 10000);
    redis.stdout.on('data', (d) => { out += d; if (/Ready to accept connections/.test(out)) { clearTimeout(t); ok(); } });
    redis.on('exit', (c) => { clearTimeout(t); fail(new Error('redis exited ' + c + out)); });
  });
  redis.removeAllListeners('exit');
}
async function stopRedis() {
  if (!redis) return;
  const done = new Promise((r) => redis.once('exit', r));
  redis.kill('SIGKILL');
  await done;
  redis = null;
}

let A, B, dataA, dataB;
const secret = 'x'.repeat(8) + 'shared-jwt-secret-for-the-redis-test-0123456789';

before(async () => {
  if (!haveRedis) return;
  redisPort = await freePort();
  redisDir = tempDir('cx-redis-');
  await startRedis();
  process.env.CARBONX_JWT_SECRET = secret;  // every node shares the JWT key
  dataA = tempDir();
  dataB = tempDir();
  const extra = ['--redis', `redis://127.0.0.1:${redisPort}/0`];
  [A, B] = await Promise.all([
    startServer({ data: dataA, demo: true, extra, limits: true }),
    startServer({ data: dataB, demo: true, extra: [...extra], limits: true }),
  ]);
});
after(async () => {
  await A?.stop();
  await B?.stop();
  await stopRedis();
  delete process.env.CARBONX_JWT_SECRET;
  for (const d of [dataA, dataB, redisDir]) if (d) cleanup(d);
});

class Feed {
  static open(url, token) {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/v1/ws?access_token=' + encodeURIComponent(token));
    const f = new Feed();
    f.ws = ws;
    f.msgs = [];
    ws.on('message', (d) => f.msgs.push(JSON.parse(d.toString())));
    return new Promise((ok, fail) => { ws.once('open', () => ok(f)); ws.once('error', fail); });
  }
  async waitFor(pred, ms = 8000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const m = this.msgs.find(pred);
      if (m) return m;
      await sleep(25);
    }
    throw new Error('no such message; got ' + JSON.stringify(this.msgs.slice(-5)));
  }
  close() { this.ws.close(); }
}

async function metric(url, name) {
  const r = await fetch(url + '/metrics');
  const line = (await r.text()).split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').pop()) : undefined;
}

test('both nodes report Redis up', { skip: !haveRedis }, async () => {
  for (const n of [A, B]) {
    let up;
    for (let i = 0; i < 100 && up !== 1; i++) { up = await metric(n.url, 'cx_redis_up'); if (up !== 1) await sleep(50); }
    assert.equal(up, 1);
  }
});

async function orderFeedCrossesNodes() {
  const anonA = new Client(A.url);
  const anonB = new Client(B.url);
  const buyerA = anonA.as((await login(anonA, ...DEMO.buyer)).access_token);
  const adminA = anonA.as((await login(anonA, ...DEMO.admin)).access_token);
  const tokB = (await login(anonB, ...DEMO.buyer));
  const feed = await Feed.open(B.url, tokB.access_token);
  const channel = `orders:${tokB.user.id}`;
  feed.ws.send(JSON.stringify({ op: 'subscribe', channel }));
  await feed.waitFor((m) => m.type === 'subscribed' || m.channel === channel);
  await sleep(300);  // the subscription is in place on B; Redis subscriptions are long up
  const sym = 'RX-' + Date.now();
  const inst = await adminA.post('/api/v1/instruments', { kind: 'contract', symbol: sym, criteria: { countries: ['BR'] } });
  assert.equal(inst.status, 201, inst.text);
  const o = await buyerA.post('/api/v1/orders', { instrument: inst.json.id, side: 'buy', price: '1.00', quantity: '1.000' });
  assert.equal(o.status, 201, o.text);
  // Node B never saw this order (its own journal), yet its client hears about it.
  const m = await feed.waitFor((x) => x.channel === channel && x.type === 'order' && x.data?.id === o.json.id);
  assert.equal(m.data.instrument, inst.json.id);
  feed.close();
}

test('a private order update made on node A reaches a WebSocket client on node B', { skip: !haveRedis }, orderFeedCrossesNodes);

async function revocationCrossesNodes() {
  const anonA = new Client(A.url);
  const anonB = new Client(B.url);
  const l = await login(anonA, ...DEMO.seller);
  const onB = anonB.as(l.access_token);
  assert.equal((await onB.get('/api/v1/me')).status, 200, 'one JWT key: B accepts A\'s token');
  const out = await anonA.as(l.access_token).post('/api/v1/auth/logout', { refresh_token: l.refresh_token });
  assert.equal(out.status, 200, out.text);
  let st;
  for (let i = 0; i < 40; i++) { st = (await onB.get('/api/v1/me')).status; if (st === 401) break; await sleep(25); }
  assert.equal(st, 401, 'B refuses the signed-out token');
  const r = await onB.get('/api/v1/me');
  assert.equal(r.json.code, 'AUTH_BAD_TOKEN');
  assert.equal((await anonA.as(l.access_token).get('/api/v1/me')).status, 401, 'and so does A');
}

test('signing out on A revokes the access token on B too', { skip: !haveRedis }, revocationCrossesNodes);

test('rate limits are shared by both nodes', { skip: !haveRedis }, async () => {
  // Anonymous requests: 200/s per IP, burst 400, across the cluster -- not per node.
  const hit = (n) => fetch(n.url + '/api/v1/projects?page_size=1').then((r) => r.status);
  const statuses = [];
  const t0 = Date.now();
  // 1500 requests: per node (750 each) a private bucket would pass them all within ~3 s;
  // one shared bucket passes at most 400 + 200/s.
  for (let i = 0; i < 75; i++) statuses.push(...await Promise.all([...Array(20)].map((_, j) => hit(j % 2 ? A : B))));
  const secs = (Date.now() - t0) / 1000;
  const ok = statuses.filter((s) => s === 200).length;
  const limited = statuses.filter((s) => s === 429).length;
  assert.equal(ok + limited, statuses.length);
  // One bucket: at most burst + rate * elapsed (+ slack) pass, far fewer than 2 x burst.
  assert.ok(ok <= 400 + 200 * secs + 20, `ok ${ok} in ${secs}s`);
  assert.ok(limited > 0, `nothing was limited (ok ${ok} in ${secs}s)`);
  assert.ok(statuses.slice(0, 350).every((s) => s === 200), 'the burst passes');
  await sleep(2500);  // let the shared bucket refill for the next test
});

test('after a Redis restart the nodes reconnect: feed and revocation work again', { skip: !haveRedis }, async () => {
  await stopRedis();
  // Down: requests still served (local fallbacks).
  for (let i = 0; i < 50 && (await metric(A.url, 'cx_redis_up')) !== 0; i++) await sleep(50);
  assert.equal(await metric(A.url, 'cx_redis_up'), 0);
  assert.equal((await fetch(A.url + '/api/v1/projects?page_size=1')).status, 200);
  await startRedis();
  for (const n of [A, B]) {
    let up;
    for (let i = 0; i < 200 && up !== 1; i++) { up = await metric(n.url, 'cx_redis_up'); if (up !== 1) await sleep(50); }
    assert.equal(up, 1);
  }
  assert.ok((await metric(A.url, 'cx_redis_reconnects_total')) >= 1);
  await orderFeedCrossesNodes();
  await revocationCrossesNodes();
});
