// Cluster benchmark (issue 10; tools/bench/cluster.sh). Starts the loopback cluster of
// cluster.mjs and prints, from one run:
//   BENCH http_orders_per_s_one_node   limit orders/s sent straight to the leader
//   BENCH http_orders_per_s_two_nodes  the same load through nginx over the two API nodes
//                                      (each forwards to the leader)
//   BENCH failover_seconds             leader SIGKILLed under load -> first order
//                                      acknowledged (through nginx, by the standby)
// Closed loop: CONNS requests in flight, keep-alive (node's http.Agent). Only 201s count.
import http from 'node:http';
import { startCluster, setupMarket, sleep } from './cluster.mjs';

const SECONDS = Number(process.env.CX_CLUSTER_BENCH_SECONDS || 5);
const CONNS = Number(process.env.CX_CLUSTER_BENCH_CONNS || 32);
const LEASE_MS = Number(process.env.CX_CLUSTER_BENCH_LEASE_MS || 3000);

function post(agent, base, path, body, token) {
  const u = new URL(base + path);
  const data = JSON.stringify(body);
  return new Promise((ok) => {
    const r = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${token}` } },
    (res) => { res.resume(); res.on('end', () => ok(res.statusCode)); });
    r.on('error', () => ok(0));
    r.setTimeout(15000, () => r.destroy());
    r.end(data);
  });
}

let n = 0;
function order(M, w) {
  const buy = w % 2 === 0;
  const cross = ++n % 10 === 0;
  const price = buy ? (cross ? 175 : 100 + (n % 50)) : (cross ? 125 : 151 + (n % 50));
  return [{ instrument: M.instrument, side: buy ? 'buy' : 'sell', price: `${price}.00`, quantity: '0.010',
    ...(buy ? {} : { batch: 1 }) }, buy ? M.buyer.access_token : M.seller.access_token];
}

async function phase(base, M, seconds, conns, events = null) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  let ok = 0, bad = 0, stop = false;
  const end = Date.now() + seconds * 1000;
  const worker = async (w) => {
    while (!stop && Date.now() < end) {
      const [b, t] = order(M, w);
      const sent = Date.now();
      const s = await post(agent, base, '/api/v1/orders', b, t);
      if (s === 201) ok++; else bad++;
      if (events) events.push({ sent, t: Date.now(), s });
      if (s !== 201) await sleep(20);
    }
  };
  const t0 = Date.now();
  await Promise.all([...Array(conns).keys()].map(worker));
  const secs = (Date.now() - t0) / 1000;
  agent.destroy();
  return { ok, bad, rate: ok / secs, stop: () => { stop = true; } };
}

const C = await startCluster({ leaseMs: LEASE_MS });
try {
  const M = await setupMarket(C.nginx.url);
  await phase(C.leader.url, M, 1, CONNS);  // warm-up
  const one = await phase(C.leader.url, M, SECONDS, CONNS);
  await phase(C.nginx.url, M, 1, CONNS);
  const two = await phase(C.nginx.url, M, SECONDS, CONNS);
  console.error(`cluster bench: one node ${one.ok} ok / ${one.bad} bad; two API nodes via nginx ${two.ok} ok / ${two.bad} bad; ${CONNS} connections, ${SECONDS} s each`);
  if (one.bad || two.bad || !one.ok || !two.ok) throw new Error('non-201 answers in a throughput phase');
  // Failover: light load through nginx, SIGKILL the leader, first 201 after it.
  const events = [];
  const p = phase(C.nginx.url, M, 30, 4, events);
  await sleep(1000);
  const killedAt = Date.now();
  C.leader.proc.kill('SIGKILL');
  let first = 0;
  while (!first && Date.now() - killedAt < 25000) {
    const e = events.find((x) => x.sent > killedAt && x.s === 201);
    if (e) first = e.t;
    await sleep(10);
  }
  if (!first) throw new Error('no order acknowledged within 25 s of the kill');
  console.log(`BENCH http_orders_per_s_one_node ${one.rate.toFixed(0)} orders/s`);
  console.log(`BENCH http_orders_per_s_two_nodes ${two.rate.toFixed(0)} orders/s`);
  console.log(`BENCH failover_seconds ${((first - killedAt) / 1000).toFixed(2)} s`);
  console.error(`cluster bench: lease ${LEASE_MS} ms`);
  C.nginx.proc.kill('SIGTERM');
  process.exit(0);
} catch (e) {
  console.error('cluster bench failed:', e);
  C.nginx.proc.kill('SIGTERM');
  process.exit(1);
}
