// KYC and payments (issue 4), end to end over HTTP on one carbonx --demo started here:
//  - payment_webhooks_per_s: distinct signed `payment_intent.succeeded` events (HMAC check,
//    JSON decode, engine decision with the deposit limit window, journal commit), CONC in flight;
//  - kyc_submit_ms: median time to submit a KYC case (seal with the user's key + sanctions
//    screening of the legal name against a synthetic OFAC-format list of NAMES entries + commit).
// CX_KYC_BENCH_SECONDS (default 3), CX_KYC_BENCH_CONC (16), CX_KYC_BENCH_NAMES (20000).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, login, DEMO, cleanup, tempDir, signWebhook } from '../../backend/tests/api/lib.mjs';

const SECONDS = Number(process.env.CX_KYC_BENCH_SECONDS || 3);
const CONC = Number(process.env.CX_KYC_BENCH_CONC || 16);
const NAMES = Number(process.env.CX_KYC_BENCH_NAMES || 20000);

// A deterministic list in the layout of OFAC's sdn.csv (about the real list's size).
let seed = 1;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const syl = ['al', 'ba', 'ker', 'mo', 'ra', 'shi', 'tan', 'vo', 'zel', 'din', 'hu', 'sa', 'nov', 'ri', 'gor', 'lin'];
const word = () => { let w = ''; for (let i = 0, n = 2 + rnd(2); i < n; i++) w += syl[rnd(syl.length)]; return w; };
const listDir = tempDir('cx-kyc-bench-');
const list = join(listDir, 'sdn.csv');
const rows = [];
for (let i = 0; i < NAMES; i++)
  rows.push(`${i + 1},"${word().toUpperCase()}, ${word()} ${word()}","individual","TEST",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `);
writeFileSync(list, rows.join('\r\n') + '\r\n');

const srv = await startServer({ demo: true, extra: ['--sanctions', list] });
try {
  const anon = new Client(srv.url);
  const { readFileSync } = await import('node:fs');
  const secret = readFileSync(join(srv.data, 'payments-webhook.key'), 'utf8').trim();
  const buyer = (await login(anon, DEMO.buyer[0], DEMO.buyer[1])).user;
  let n = 0;
  const post = async (i) => {
    const body = JSON.stringify({ id: `evt_b${i}`, type: 'payment_intent.succeeded',
      data: { object: { id: `pi_b${i}`, amount: 1, currency: 'usd', metadata: { account: String(buyer.account) } } } });
    const r = await fetch(srv.url + '/api/v1/webhooks/payments', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signWebhook(body, secret) }, body });
    const j = await r.json();
    if (r.status !== 200 || j.payment?.status !== 'credited') throw new Error(`webhook ${r.status} ${JSON.stringify(j)}`);
  };
  async function rate() {
    let done = 0;
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONC }, async () => { while (Date.now() < end) { await post(++n); done++; } }));
    return done / SECONDS;
  }
  await rate();  // warm-up
  const perS = await rate();
  // KYC submissions: fresh users (sign-up and sign-in are not timed).
  const times = [];
  for (let i = 0; i < 15; i++) {
    const email = `kycbench${i}.${process.pid}@example.org`;
    await anon.post('/api/v1/auth/register', { email, password: 'correct horse battery', roles: ['trader'] });
    const u = anon.as((await login(anon, email, 'correct horse battery')).access_token);
    const t0 = process.hrtime.bigint();
    const r = await u.post('/api/v1/kyc/cases', { requested_level: 'basic', legal_name: `${word()} ${word()} ${word()}`,
      date_of_birth: '1980-01-01', country: 'DE', address: 'Benchstrasse 1', documents: [] });
    if (r.status !== 201) throw new Error(`kyc ${r.status} ${r.text}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`BENCH payment_webhooks_per_s ${Math.round(perS)} events/s`);
  console.log(`BENCH kyc_submit_ms ${times[Math.floor(times.length / 2)].toFixed(2)} ms (screened against ${NAMES} names)`);
} finally {
  await srv.stop();
  cleanup(srv.data);
  cleanup(listDir);
}
