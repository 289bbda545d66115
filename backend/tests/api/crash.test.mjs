// Crash test: drive thousands of commands over HTTP, kill the server with SIGKILL at
// random moments, restart it, and find every acknowledged command in the state; then
// `carbonx verify` must be clean. The seed is printed (CX_SEED to repeat).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, runCli, tempDir, cleanup } from './lib.mjs';

const SEED = Number(process.env.CX_SEED || Math.floor(Math.random() * 2 ** 31));
const LONG = process.env.CX_LONG === '1';
let rng = SEED;
const rand = () => { rng = (rng * 1103515245 + 12345) % 2147483648; return rng / 2147483648; };

test(`acknowledged commands survive SIGKILL (seed ${SEED})`, { timeout: 600000 }, async () => {
  console.log(`crash test seed ${SEED}`);
  const data = tempDir('cx-crash-');
  let srv = await startServer({ data, demo: true });
  let c = new Client(srv.url);
  const dev = await login(c, ...DEMO.developer);
  const buyer = await login(c, ...DEMO.buyer);
  const seller = await login(c, ...DEMO.seller);
  const batch = 1;  // the demo project's batch, held by the developer
  const acked = { transfers: [], retirements: [] };
  let attempted = 0, failed = 0;
  const rounds = LONG ? 30 : 10;
  const workers = 8;
  for (let round = 0; round < rounds; round++) {
    c = new Client(srv.url);
    let stop = false;
    const killAfter = 300 + Math.floor(rand() * 1000);
    const worker = async (w) => {
      while (!stop) {
        attempted++;
        const r = rand();
        try {
          if (r < 0.7) {
            const to = rand() < 0.5 ? buyer.user.account : seller.user.account;
            const kg = 1 + Math.floor(rand() * 5000);
            const res = await c.as(dev.access_token).post('/api/v1/transfers', { to_account: to, batch, quantity: (kg / 1000).toFixed(3) });
            if (res.status === 201) acked.transfers.push({ seq: res.json.seq, to, kg });
          } else {
            const res = await c.as(buyer.access_token).post('/api/v1/retirements', { batch, quantity: '0.001', beneficiary: `crash-${w}` });
            if (res.status === 201) acked.retirements.push({ id: res.json.id, seq: res.json.seq });
          }
        } catch {
          failed++;  // connection reset by the kill: not acknowledged
          if (stop) return;
        }
      }
    };
    const running = Array.from({ length: workers }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, killAfter));
    await srv.kill();
    stop = true;
    await Promise.all(running);
    srv = await startServer({ data, demo: false });
  }
  c = new Client(srv.url);
  console.log(`attempted ${attempted}, acknowledged ${acked.transfers.length + acked.retirements.length}, cut off ${failed}`);
  assert.ok(acked.transfers.length + acked.retirements.length > (LONG ? 10000 : 2000), 'too few acknowledged commands');
  // Every acknowledged transfer is in the journal at its seq with its amount.
  const auditor = await login(c, ...DEMO.auditor);
  const ac = c.as(auditor.access_token);
  for (const t of acked.transfers) {
    const p = await ac.get(`/api/v1/proofs/${t.seq}`);
    assert.equal(p.status, 200, `transfer at seq ${t.seq} lost`);
    assert.equal(p.json.type, 'CreditsTransferred');
    assert.equal(p.json.event.to, t.to);
    const kg = p.json.event.ranges.reduce((s, [a, b]) => s + b - a, 0);
    assert.equal(kg, t.kg);
  }
  for (const r of acked.retirements) {
    const g = await c.get(`/api/v1/retirements/${r.id}`);
    assert.equal(g.status, 200, `retirement ${r.id} lost`);
    assert.equal(g.json.seq, r.seq);
  }
  // Balances agree with the acknowledged history (nothing extra either: every journal
  // transfer to the buyer/seller since the demo either was acknowledged or was cut off).
  await srv.stop();
  const v = runCli(['verify', '--data', data]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /journal OK/);
  cleanup(data);
});
