// X-Forwarded-For is believed only from trusted proxies (--trusted-proxy CIDR, default
// 127.0.0.1/32 and ::1; api/client_address.h): the right-most untrusted hop is the client
// for rate limits, audit, API-key allow-lists and logs. Observed here through the
// per-IP rate limit of anonymous requests (--rate-limit-ip 1: a burst of 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, cleanup, runCli } from './lib.mjs';

async function burst(c, xff, n = 3) {
  const out = [];
  for (let i = 0; i < n; ++i) out.push((await c.get('/api/v1/instruments', { headers: xff ? { 'x-forwarded-for': xff } : {} })).status);
  return out;
}

test('from a trusted proxy (loopback by default) each forwarded client has its own bucket', async () => {
  const srv = await startServer({ demo: false, extra: ['--rate-limit-ip', '1', '--rate-limit-user', '0', '--rate-limit-auth', '0'], limits: true });
  try {
    const c = new Client(srv.url);
    assert.deepEqual(await burst(c, '198.51.100.1'), [200, 200, 429]);
    // Another client behind the proxy is not limited by the first one's bucket.
    assert.deepEqual((await burst(c, '198.51.100.2', 1)), [200]);
    // A forged left-most entry does not help: the right-most untrusted hop counts.
    assert.deepEqual((await burst(c, '203.0.113.50, 198.51.100.1', 1)), [429]);
    // A trusted hop on the right (127.0.0.1, another local proxy) is skipped.
    assert.deepEqual((await burst(c, '198.51.100.1, 127.0.0.1', 1)), [429]);
  } finally { await srv.stop(); cleanup(srv.data); }
});

test('with --trusted-proxy none (or a peer outside the list) X-Forwarded-For is ignored', async () => {
  const srv = await startServer({ demo: false, extra: ['--rate-limit-ip', '1', '--rate-limit-user', '0', '--rate-limit-auth', '0', '--trusted-proxy', 'none'], limits: true });
  try {
    const c = new Client(srv.url);
    assert.deepEqual(await burst(c, '198.51.100.1', 2), [200, 200]);
    assert.deepEqual((await burst(c, '198.51.100.2', 1)), [429]);  // same peer, same bucket
  } finally { await srv.stop(); cleanup(srv.data); }
  const other = await startServer({ demo: false, extra: ['--rate-limit-ip', '1', '--rate-limit-user', '0', '--rate-limit-auth', '0', '--trusted-proxy', '10.0.0.0/8'], limits: true });
  try {
    const c = new Client(other.url);
    assert.deepEqual(await burst(c, '198.51.100.1', 2), [200, 200]);
    assert.deepEqual((await burst(c, '198.51.100.2', 1)), [429]);
  } finally { await other.stop(); cleanup(other.data); }
});

test('a bad --trusted-proxy is refused at start', () => {
  const r = runCli(['serve', '--data', '/nonexistent-cx', '--trusted-proxy', '10.0.0.0/33']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /trusted-proxy/);
});
