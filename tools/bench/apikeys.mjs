// API-key authentication cost over HTTP (issue 4): signed GET /api/v1/me (HMAC-SHA256 key
// derivation + request MAC + replay cache + scope) against the same GET with a bearer JWT,
// on one carbonx --demo started here, keep-alive, CONC requests in flight from node's fetch.
// Client signing runs in this process on the same machine, so the figures are end to end.
// Prints BENCH http_apikey_get_per_s, http_bearer_get_per_s and their ratio.
import { createHash, createHmac } from 'node:crypto';
import { startServer, Client, login, DEMO, cleanup } from '../../backend/tests/api/lib.mjs';

const SECONDS = Number(process.env.CX_APIKEY_BENCH_SECONDS || 3);
const CONC = Number(process.env.CX_APIKEY_BENCH_CONC || 16);
const srv = await startServer({ demo: true, extra: ['--rate-limit-key', '0'] });
try {
  const anon = new Client(srv.url);
  const tok = (await login(anon, DEMO.buyer[0], DEMO.buyer[1])).access_token;
  const key = (await anon.as(tok).post('/api/v1/auth/api-keys', { label: 'bench', scopes: ['read'] })).json;
  const emptyHash = createHash('sha256').update('').digest('hex');
  let last = 0;
  const signedHeaders = () => {
    const ts = (last = Math.max(Date.now(), last + 1));
    const sig = createHmac('sha256', key.secret).update(`${ts}\nGET\n/api/v1/me\n${emptyHash}`).digest('hex');
    return { 'x-cx-key': key.id, 'x-cx-timestamp': String(ts), 'x-cx-signature': sig };
  };
  async function rate(headers) {
    let n = 0, bad = 0;
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CONC }, async () => {
      while (Date.now() < end) {
        const r = await fetch(srv.url + '/api/v1/me', { headers: headers() });
        await r.arrayBuffer();
        if (r.status === 200) n++; else bad++;
      }
    }));
    if (bad) throw new Error(`${bad} requests failed`);
    return n / SECONDS;
  }
  await rate(() => ({ authorization: `Bearer ${tok}` }));  // warm-up
  const bearer = await rate(() => ({ authorization: `Bearer ${tok}` }));
  const keyed = await rate(signedHeaders);
  console.log(`BENCH http_apikey_get_per_s ${Math.round(keyed)} req/s`);
  console.log(`BENCH http_bearer_get_per_s ${Math.round(bearer)} req/s`);
  console.log(`BENCH http_apikey_vs_bearer ${(keyed / bearer).toFixed(2)} ratio`);
} finally {
  await srv.stop();
  cleanup(srv.data);
}
