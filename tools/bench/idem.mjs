// Idempotent order entry (issue 10), over HTTP on one carbonx --demo started here, CONC
// requests in flight for SECONDS each:
//  - http_orders_no_client_id_per_s: resting limit buys without a client_order_id;
//  - http_orders_client_id_per_s: the same with a fresh client_order_id each (index insert);
//  - http_order_replays_per_s: retries of one existing client_order_id (200 Idempotent-Replay,
//    no journal write: an engine lookup and a render);
//  - http_order_replay_p50_ms: median latency of such a retry.
// CX_IDEM_BENCH_SECONDS (default 3), CX_IDEM_BENCH_CONC (16).
import { startServer, Client, login, DEMO, cleanup } from '../../backend/tests/api/lib.mjs';

const SECONDS = Number(process.env.CX_IDEM_BENCH_SECONDS || 3);
const CONC = Number(process.env.CX_IDEM_BENCH_CONC || 16);

const srv = await startServer({ demo: true });
try {
  const anon = new Client(srv.url);
  const admin = anon.as((await login(anon, ...DEMO.admin)).access_token);
  const b = await login(anon, ...DEMO.buyer);
  const buyer = anon.as(b.access_token);
  const dep = await admin.post('/api/v1/cash/deposits', { account: b.user.account, currency: 'USD', amount: '9000000.00' });
  if (dep.status !== 201) throw new Error(dep.text);
  const inst = await admin.post('/api/v1/instruments', { kind: 'contract', symbol: 'IDEM-BENCH', criteria: { countries: ['BR'] } });
  if (inst.status !== 201) throw new Error(inst.text);
  const body = (cid) => ({ instrument: inst.json.id, side: 'buy', price: '1.00', quantity: '1.000', ...(cid ? { client_order_id: cid } : {}) });

  // Runs `make()` requests CONC at a time for SECONDS; every answer must have `status`.
  async function run(make, status) {
    const lat = [];
    let n = 0;
    const end = Date.now() + SECONDS * 1000;
    const worker = async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const r = await make();
        lat.push(performance.now() - t);
        if (r.status !== status) throw new Error(`${r.status} ${r.text}`);
        n++;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONC }, worker));
    lat.sort((x, y) => x - y);
    return { per_s: n / ((performance.now() - t0) / 1000), p50: lat[Math.floor(lat.length / 2)] };
  }
  let k = 0;
  const plain = await run(() => buyer.post('/api/v1/orders', body(null)), 201);
  const fresh = await run(() => buyer.post('/api/v1/orders', body(`bench-${++k}`)), 201);
  const first = await buyer.post('/api/v1/orders', body('bench-replay'));
  if (first.status !== 201) throw new Error(first.text);
  const replay = await run(() => buyer.post('/api/v1/orders', body('bench-replay')), 200);
  console.log(`BENCH http_orders_no_client_id_per_s ${plain.per_s.toFixed(0)} req/s`);
  console.log(`BENCH http_orders_client_id_per_s ${fresh.per_s.toFixed(0)} req/s`);
  console.log(`BENCH http_order_replays_per_s ${replay.per_s.toFixed(0)} req/s`);
  console.log(`BENCH http_order_replay_p50_ms ${replay.p50.toFixed(2)} ms`);
} finally {
  await srv.stop();
  cleanup(srv.data);
}
