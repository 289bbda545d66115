// HTTPS and CORS against a real carbonx (issue 4, "HTTP hardening"):
//  - a self-signed certificate made here with `openssl req` (P-256, SAN 127.0.0.1); the
//    server runs with --tls-cert/--tls-key and every client below trusts exactly that
//    certificate (and one that does not trust it is refused, so the trust is real);
//  - HTTPS requests (sign-in, an authenticated call), Strict-Transport-Security, and a
//    wss:// WebSocket (the npm package `ws`) subscribing to the user's private channel;
//  - plain HTTP (and ws://) to the TLS port gets no HTTP answer; TLS 1.1 and TLS 1.0 hellos
//    are refused by the server (a protocol_version alert), so is a CBC-only TLS 1.2 hello;
//    TLS 1.2 and 1.3 negotiate ECDHE with an AEAD cipher;
//  - CORS (--cors-origin, twice): preflights from the allowed origins are answered with
//    the route's methods and the Authorization / X-CX-* headers; other origins get no CORS
//    header at all; every API answer says Vary: Origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer, cleanup, tempDir, DEMO } from './lib.mjs';

const ALLOWED = 'https://app.example.test';
const ALLOWED2 = 'http://localhost:5173';
let srv, dir, ca, host, port;

before(async () => {
  dir = tempDir('cx-tls-');
  const cert = join(dir, 'cert.pem'), key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=carbonx test',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  ca = readFileSync(cert);
  srv = await startServer({ demo: true, extra: ['--tls-cert', cert, '--tls-key', key,
    '--cors-origin', ALLOWED, '--cors-origin', ALLOWED2] });
  ({ hostname: host, port } = new URL(srv.url));
});
after(async () => { await srv?.stop(); if (srv) cleanup(srv.data); cleanup(dir); });

// One HTTPS request trusting only our certificate; resolves {status, headers, text, json}.
function https(method, path, { body, headers = {}, trust = true } = {}) {
  return new Promise((ok, fail) => {
    const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    if (data !== undefined) { h['content-type'] = 'application/json'; h['content-length'] = Buffer.byteLength(data); }
    const rq = httpsRequest({ host, port, method, path, headers: h, ...(trust ? { ca } : {}) }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => {
        let json = null;
        try { json = t ? JSON.parse(t) : null; } catch { json = null; }
        ok({ status: res.statusCode, headers: res.headers, text: t, json });
      });
    });
    rq.on('error', fail);
    rq.end(data);
  });
}

// A raw TLS connection attempt; resolves {ok, protocol, cipher, code}.
function handshake(options) {
  return new Promise((ok) => {
    const s = tlsConnect({ host, port, ca, servername: 'localhost', ...options }, () => {
      const r = { ok: true, protocol: s.getProtocol(), cipher: s.getCipher() };
      s.end();
      ok(r);
    });
    s.on('error', (e) => ok({ ok: false, code: e.code, message: e.message }));
  });
}

test('the server announces an https:// URL and answers over TLS with HSTS and the security headers', async () => {
  assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const r = await https('GET', '/api/v1/health');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ok');
  assert.match(r.headers['strict-transport-security'] ?? '', /^max-age=\d{7,}; includeSubDomains$/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['cache-control'], 'no-store');
});

test('a client that does not trust the certificate is refused (the trust above is real)', async () => {
  await assert.rejects(https('GET', '/api/v1/health', { trust: false }), (e) => /SELF_SIGNED|self-signed/i.test(`${e.code} ${e.message}`));
});

test('sign in and call an authenticated route over HTTPS; keep-alive requests reuse the TLS session', async () => {
  const l = await https('POST', '/api/v1/auth/login', { body: { email: DEMO.buyer[0], password: DEMO.buyer[1] } });
  assert.equal(l.status, 200, l.text);
  const me = await https('GET', '/api/v1/me', { headers: { authorization: `Bearer ${l.json.access_token}` } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.id, l.json.user.id);
  const bad = await https('GET', '/api/v1/me', { headers: { authorization: 'Bearer nope' } });
  assert.equal(bad.status, 401);
  assert.match(bad.headers['content-type'], /^application\/problem\+json/);
});

test('wss://: a WebSocket over the same TLS port subscribes to the private orders channel', async () => {
  const l = await https('POST', '/api/v1/auth/login', { body: { email: DEMO.buyer[0], password: DEMO.buyer[1] } });
  const uid = l.json.user.id;
  const ws = new WebSocket(`wss://${host}:${port}/api/v1/ws?access_token=${encodeURIComponent(l.json.access_token)}`, { ca });
  const msgs = [];
  const got = (pred) => new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`no message; got ${JSON.stringify(msgs)}`)), 5000);
    const check = () => { const m = msgs.find(pred); if (m) { clearTimeout(t); ok(m); } else setTimeout(check, 20); };
    check();
  });
  ws.on('message', (d) => msgs.push(JSON.parse(d.toString())));
  await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
  ws.send(JSON.stringify({ op: 'subscribe', channel: `orders:${uid}` }));
  const sub = await got((m) => m.type === 'subscribed');
  assert.equal(sub.channel, `orders:${uid}`);
  ws.send(JSON.stringify({ op: 'subscribe', channel: 'alerts' }));  // admins and auditors only
  const refused = await got((m) => m.type === 'error' && m.channel === 'alerts');
  assert.equal(refused.detail, 'AUTH_FORBIDDEN');
  ws.close();
  // ws:// (no TLS) to the same port never opens.
  const plain = new WebSocket(`ws://${host}:${port}/api/v1/ws`);
  const outcome = await new Promise((ok) => {
    plain.once('open', () => ok('open'));
    plain.once('error', (e) => ok(`error ${e.code ?? e.message}`));
    plain.once('unexpected-response', (_q, res) => ok(`http ${res.statusCode}`));
  });
  assert.match(outcome, /^error/);
});

test('plain HTTP to the TLS port gets no HTTP answer', async () => {
  const raw = await new Promise((ok) => {
    const s = netConnect({ host, port }, () => s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'));
    let buf = Buffer.alloc(0);
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    s.on('error', () => {});
    s.on('close', () => ok(buf));
    setTimeout(() => s.destroy(), 8000);
  });
  assert.ok(!raw.toString('latin1').includes('HTTP/1.'), `got an HTTP answer: ${raw.toString('latin1').slice(0, 80)}`);
  // Whatever came back (nothing, or a TLS alert record) is not a response node can parse.
  await assert.rejects(new Promise((ok, fail) => {
    const rq = httpRequest({ host, port, path: '/api/v1/health' }, (res) => ok(res.statusCode));
    rq.on('error', fail);
    rq.setTimeout(8000, () => rq.destroy(new Error('timeout')));
    rq.end();
  }));
});

test('TLS 1.2 and 1.3 negotiate ECDHE with AEAD ciphers', async () => {
  const t13 = await handshake({ minVersion: 'TLSv1.3' });
  assert.ok(t13.ok, t13.message);
  assert.equal(t13.protocol, 'TLSv1.3');
  const t12 = await handshake({ maxVersion: 'TLSv1.2' });
  assert.ok(t12.ok, t12.message);
  assert.equal(t12.protocol, 'TLSv1.2');
  assert.match(t12.cipher.name, /^ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
});

test('TLS 1.1, TLS 1.0 and CBC-only TLS 1.2 hellos are refused by the server', async () => {
  // SECLEVEL=0 lets this client offer the old versions at all (OpenSSL 3 refuses them
  // locally otherwise); the refusal must then come from the server, as an alert.
  for (const v of ['TLSv1.1', 'TLSv1']) {
    const r = await handshake({ minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.equal(r.ok, false, `${v} was accepted (${r.protocol})`);
    assert.match(`${r.code} ${r.message}`, /ALERT_PROTOCOL_VERSION|protocol version/i, `${v}: ${r.code} ${r.message}`);
  }
  // Control: the same client settings with TLS 1.2 allowed do connect.
  const control = await handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' });
  assert.ok(control.ok, control.message);
  assert.equal(control.protocol, 'TLSv1.2');
  const cbc = await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' });
  assert.equal(cbc.ok, false, `CBC cipher accepted: ${cbc.cipher?.name}`);
  assert.match(`${cbc.code} ${cbc.message}`, /HANDSHAKE_FAILURE|handshake failure|no shared cipher/i);
});

test('CORS: preflight from an allowed origin lists the methods and the auth headers', async () => {
  for (const origin of [ALLOWED, ALLOWED2]) {
    const r = await https('OPTIONS', '/api/v1/orders', { headers: { origin, 'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-cx-key,x-cx-timestamp,x-cx-signature' } });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.headers['access-control-allow-origin'], origin);
    const methods = r.headers['access-control-allow-methods'].split(/,\s*/);
    assert.ok(methods.includes('POST') && methods.includes('GET'), methods.join());
    assert.ok(!methods.includes('PUT'), 'PUT is not a method of /orders');
    const allowed = r.headers['access-control-allow-headers'].toLowerCase().split(/,\s*/);
    for (const h of ['authorization', 'content-type', 'x-cx-key', 'x-cx-timestamp', 'x-cx-signature']) assert.ok(allowed.includes(h), h);
    assert.match(r.headers.vary, /Origin/);
    assert.equal(r.headers['access-control-allow-credentials'], undefined);
  }
  // The actual request then carries the grant.
  const g = await https('GET', '/api/v1/projects', { headers: { origin: ALLOWED } });
  assert.equal(g.status, 200);
  assert.equal(g.headers['access-control-allow-origin'], ALLOWED);
  assert.match(g.headers['access-control-expose-headers'], /Retry-After/);
  assert.match(g.headers.vary, /Origin/);
});

test('CORS: other origins get no CORS headers, and their preflights are refused', async () => {
  for (const origin of ['https://evil.example', `${ALLOWED}.evil.example`, 'http://app.example.test', 'null']) {
    const pre = await https('OPTIONS', '/api/v1/orders', { headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 403, `${origin}: ${pre.status}`);
    assert.equal(pre.headers['access-control-allow-origin'], undefined, origin);
    assert.equal(pre.headers['access-control-allow-methods'], undefined, origin);
    const g = await https('GET', '/api/v1/projects', { headers: { origin } });
    assert.equal(g.status, 200);
    assert.equal(g.headers['access-control-allow-origin'], undefined, origin);
    assert.match(g.headers.vary, /Origin/);
  }
  // No Origin at all (same-origin pages, curl, bots): answered as before, no grant.
  const same = await https('GET', '/api/v1/projects');
  assert.equal(same.headers['access-control-allow-origin'], undefined);
});
