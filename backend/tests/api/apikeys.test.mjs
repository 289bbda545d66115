// API keys for bots (issue 4) against a real carbonx: the client here is not ours -- it
// signs with node's own crypto exactly as README / auth/api_key.h describe:
//   X-CX-Key: cxk_...   X-CX-Timestamp: <unix ms>
//   X-CX-Signature: hex HMAC-SHA256(secret, ts \n METHOD \n path?query \n hex sha256(body))
// Covered: creation (secret shown once, never listed, never journaled), a signed read
// and a signed order; every refusal (wrong signature, stale timestamp, replay, revoked,
// expired, IP not allowed, missing scope, a key trying to manage keys) with its stable
// code and no journal change; the owner's CURRENT roles; the second factor for creation;
// the route x scope policy on every route of the OpenAPI table; the per-key 429; and that
// keys survive a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, login, DEMO, cleanup, problem, totp } from './lib.mjs';

let srv, anon;
const tok = {}, users = {};
const as = (role) => anon.as(tok[role]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function signIn() {
  anon = new Client(srv.url);
  for (const [role, [email, pw]] of Object.entries(DEMO)) {
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
}

before(async () => {
  // No trusted proxy: this client on loopback is the peer, whatever X-Forwarded-For says
  // (with the default, loopback is a trusted proxy: api/client_address.h, trusted_proxy.test.mjs).
  srv = await startServer({ demo: true, extra: ['--trusted-proxy', 'none'] });
  await signIn();
  const d = await as('admin').post('/api/v1/cash/deposits', { account: users.buyer.account, currency: 'USD', amount: '100000.00' });
  assert.equal(d.status, 201, d.text);
});
after(async () => { await srv.stop(); cleanup(srv.data); });


// ---- an independent client
let lastTs = 0;
const freshTs = () => (lastTs = Math.max(Date.now(), lastTs + 1));
function signature(secret, ts, method, target, body) {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret).update(`${ts}\n${method}\n${target}\n${bodyHash}`).digest('hex');
}
// Sends `method target` signed with `key` ({id, secret}); `body` an object or a string.
// Options override what is sent: ts, sig, keyId, headers.
async function signed(url, key, method, target, body, o = {}) {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const ts = o.ts ?? freshTs();
  const sig = o.sig ?? signature(key.secret, ts, method, target, text);
  const headers = { 'x-cx-key': o.keyId ?? key.id, 'x-cx-timestamp': String(ts), 'x-cx-signature': sig, ...(o.headers ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + target, { method, headers, body: body === undefined ? undefined : text });
  const t = await res.text();
  let json = null;
  try { json = t ? JSON.parse(t) : null; } catch { json = null; }
  return { status: res.status, json, text: t, headers: res.headers, ts, sig, body: text };
}
const call = (key, method, target, body, o) => signed(srv.url, key, method, target, body, o);

async function newKey(role, body, status = 201) {
  const r = await as(role).post('/api/v1/auth/api-keys', { label: 'bot', scopes: ['read'], ...body });
  assert.equal(r.status, status, r.text);
  return r.json;
}
// What a refused request could have changed for a user: orders, cash, keys, audit entries.
// (The journal's sequence number is no measure: the market timer and the alert scanner
// write on their own.)
async function state(client = as('buyer')) {
  const me = (await client.get('/api/v1/me')).json;
  const orders = (await client.get('/api/v1/orders?page_size=1')).json?.total;
  const cash = (await as('admin').get(`/api/v1/accounts/${me.account}/cash`)).text;
  const keys = (await client.get('/api/v1/auth/api-keys')).json.items.length;
  const audit = (await as('auditor').get(`/api/v1/audit?user=${me.id}&page_size=1`)).json.total;
  return JSON.stringify({ orders, cash, keys, audit });
}

let nContracts = 0;
async function contract() {
  const r = await as('admin').post('/api/v1/instruments', {
    kind: 'contract', symbol: `K-${++nContracts}`, criteria: { countries: ['BR'], nature: 'nature', vintage_from: 2019 },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

test('creating a key: the secret is in the answer once, never listed, never in the journal', async () => {
  const k = await newKey('buyer', { label: 'market maker', scopes: ['read', 'trade'], allow_ips: ['127.0.0.1', '10.0.0.0/8'] });
  assert.match(k.id, /^cxk_[0-9a-f]{24}$/);
  assert.match(k.secret, /^cxs_[0-9a-f]{64}$/);
  assert.deepEqual(k.scopes, ['read', 'trade']);
  assert.deepEqual(k.allow_ips, ['127.0.0.1', '10.0.0.0/8']);
  assert.equal(k.status, 'active');
  // Default expiry: 90 days.
  const days = (k.expires_at_ms - Date.now()) / 86400e3;
  assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);
  const list = await as('buyer').get('/api/v1/auth/api-keys');
  assert.equal(list.status, 200, list.text);
  const mine = list.json.items.find((x) => x.id === k.id);
  assert.equal(mine.label, 'market maker');
  assert.equal(mine.secret, undefined);
  assert.ok(!list.text.includes(k.secret));
  // Others do not see it.
  assert.ok(!(await as('seller').get('/api/v1/auth/api-keys')).json.items.some((x) => x.id === k.id));
  // Nothing on disk holds the secret (it is derived from DIR/apikey.key, mode 0600).
  for (const f of ['carbonx.db', 'carbonx.db-wal']) {
    const p = join(srv.data, f);
    if (existsSync(p)) assert.ok(!readFileSync(p).includes(k.secret.slice(4)), `${f} holds the secret`);
  }
  assert.equal(statSync(join(srv.data, 'apikey.key')).mode & 0o777, 0o600);
});

test('validation: each bad field is named', async () => {
  const bad = async (body, code, field) => problem(await as('buyer').post('/api/v1/auth/api-keys', body), 400, code, field);
  await bad({ scopes: ['read'] }, 'REQUEST_MISSING_FIELD', 'label');
  await bad({ label: 'x' }, 'REQUEST_MISSING_FIELD', 'scopes');
  await bad({ label: 'x', scopes: [] }, 'REQUEST_INVALID_FIELD', 'scopes');
  await bad({ label: 'x', scopes: ['admin'] }, 'REQUEST_INVALID_FIELD', 'scopes');
  await bad({ label: 'x'.repeat(101), scopes: ['read'] }, 'REQUEST_INVALID_FIELD', 'label');
  await bad({ label: 'x', scopes: ['read'], expires_at: '2020-01-01T00:00:00Z' }, 'REQUEST_INVALID_FIELD', 'expires_at');
  await bad({ label: 'x', scopes: ['read'], expires_at: Date.now() + 400 * 86400e3 }, 'REQUEST_INVALID_FIELD', 'expires_at');
  await bad({ label: 'x', scopes: ['read'], expires_at: 'tomorrow' }, 'REQUEST_INVALID_FIELD', 'expires_at');
  await bad({ label: 'x', scopes: ['read'], expires_at: '2027-02-30' }, 'REQUEST_INVALID_FIELD', 'expires_at');
  await bad({ label: 'x', scopes: ['read'], allow_ips: ['10.0.0.1/8'] }, 'REQUEST_INVALID_FIELD', 'allow_ips');
  await bad({ label: 'x', scopes: ['read'], allow_ips: ['not-an-ip'] }, 'REQUEST_INVALID_FIELD', 'allow_ips');
  // ISO-8601 with an offset is accepted and normalised to UTC.
  const y = new Date().getUTCFullYear() + 1;
  const k = await newKey('buyer', { label: 'iso', expires_at: `${y}-01-02T03:04:05+02:00` });
  assert.equal(k.expires_at, `${y}-01-02T01:04:05Z`);
  assert.equal((await as('buyer').req('DELETE', `/api/v1/auth/api-keys/${k.id}`)).status, 200);
});

test('a signed GET and a signed order act as the owner', async () => {
  const k = await newKey('buyer', { scopes: ['read', 'trade'] });
  const me = await call(k, 'GET', '/api/v1/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.id, users.buyer.id);
  const q = await call(k, 'GET', '/api/v1/orders?page=1&page_size=5');
  assert.equal(q.status, 200, q.text);
  const head = await call(k, 'HEAD', '/api/v1/me');
  assert.equal(head.status, 200);
  const inst = await contract();
  const o = await call(k, 'POST', '/api/v1/orders', { instrument: inst, side: 'buy', price: '10.00', quantity: '1.000' });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.account, users.buyer.account);
  const seen = await as('buyer').get(`/api/v1/orders/${o.json.id}`);
  assert.equal(seen.status, 200, seen.text);
  // Cancel by key as well.
  const del = await call(k, 'DELETE', `/api/v1/orders/${o.json.id}`);
  assert.equal(del.status, 200, del.text);
});

test('refusals: each with its code, and nothing changes', async () => {
  const k = await newKey('buyer', { scopes: ['read', 'trade'] });
  const inst = await contract();
  const body = { instrument: inst, side: 'buy', price: '10.00', quantity: '1.000' };
  const before = await state();
  // Wrong signature (signed with another secret; and a tampered body).
  problem(await call({ ...k, secret: 'cxs_' + '0'.repeat(64) }, 'POST', '/api/v1/orders', body), 401, 'AUTH_BAD_TOKEN', 'signature');
  const good = signature(k.secret, freshTs(), 'POST', '/api/v1/orders', JSON.stringify(body));
  problem(await call(k, 'POST', '/api/v1/orders', { ...body, quantity: '9.000' }, { ts: lastTs, sig: good }), 401, 'AUTH_BAD_TOKEN', 'signature');
  // Signed for another path.
  const other = signature(k.secret, freshTs(), 'GET', '/api/v1/me', '');
  problem(await call(k, 'GET', '/api/v1/orders', undefined, { ts: lastTs, sig: other }), 401, 'AUTH_BAD_TOKEN', 'signature');
  // Stale and future timestamps.
  problem(await call(k, 'POST', '/api/v1/orders', body, { ts: Date.now() - 31_000 }), 401, 'AUTH_BAD_TOKEN', 'timestamp');
  problem(await call(k, 'POST', '/api/v1/orders', body, { ts: Date.now() + 31_000 }), 401, 'AUTH_BAD_TOKEN', 'timestamp');
  problem(await call(k, 'GET', '/api/v1/me', undefined, { ts: 'yesterday' }), 401, 'AUTH_BAD_TOKEN', 'timestamp');
  // Unknown key, missing headers, both a token and a key.
  problem(await call({ ...k, id: 'cxk_' + '0'.repeat(24) }, 'GET', '/api/v1/me'), 401, 'AUTH_BAD_TOKEN', 'key_id');
  const noSig = await fetch(srv.url + '/api/v1/me', { headers: { 'x-cx-key': k.id, 'x-cx-timestamp': String(Date.now()) } });
  assert.equal(noSig.status, 401);
  assert.equal((await noSig.json()).field, 'signature');
  problem(await call(k, 'GET', '/api/v1/me', undefined, { headers: { authorization: `Bearer ${tok.buyer}` } }), 401, 'AUTH_BAD_TOKEN', 'key_id');
  assert.equal(await state(), before, 'a refused request changed something');
  // Replay: the same signed order twice -> one order.
  const first = await call(k, 'POST', '/api/v1/orders', body);
  assert.equal(first.status, 201, first.text);
  const after1 = await state();
  const again = await call(k, 'POST', '/api/v1/orders', body, { ts: first.ts, sig: first.sig });
  problem(again, 401, 'AUTH_BAD_TOKEN', 'replay');
  assert.equal(await state(), after1);
  // Missing scope: a read-only key cannot trade or withdraw.
  const ro = await newKey('buyer', { scopes: ['read'] });
  const tr = await newKey('buyer', { scopes: ['trade'] });
  const s0 = await state();
  problem(await call(ro, 'POST', '/api/v1/orders', body), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'POST', '/api/v1/cash/withdrawals', { currency: 'USD', amount: '1.00' }), 403, 'AUTH_FORBIDDEN', 'scope');
  // A trade-only key cannot read.
  problem(await call(tr, 'GET', '/api/v1/me'), 403, 'AUTH_FORBIDDEN', 'scope');
  assert.equal(await state(), s0);
});

test('a key cannot manage keys, roles, MFA, sessions or wallets, whatever its scopes', async () => {
  const k = await newKey('buyer', { scopes: ['read', 'trade', 'withdraw'] });
  const s0 = await state();
  problem(await call(k, 'POST', '/api/v1/auth/api-keys', { label: 'child', scopes: ['read'] }), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'GET', '/api/v1/auth/api-keys'), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'DELETE', `/api/v1/auth/api-keys/${k.id}`), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'POST', '/api/v1/auth/mfa/enroll'), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'GET', '/api/v1/auth/sessions'), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'PUT', `/api/v1/users/${users.buyer.id}/roles`, { roles: ['admin'] }), 403, 'AUTH_FORBIDDEN', 'scope');
  problem(await call(k, 'POST', '/api/v1/auth/siwe/link', { message: 'x', signature: 'y' }), 403, 'AUTH_FORBIDDEN', 'scope');
  assert.equal(await state(), s0);
  assert.equal((await as('buyer').get('/api/v1/auth/api-keys')).json.items.filter((x) => x.label === 'child').length, 0);
  // A withdraw-scoped key may request a withdrawal (the owner's cash is locked).
  const w = await call(k, 'POST', '/api/v1/cash/withdrawals', { currency: 'USD', amount: '1.00', reference: 'bot' });
  assert.equal(w.status, 201, w.text);
});

test('revoked and expired keys are refused', async () => {
  const k = await newKey('buyer', { scopes: ['read'] });
  assert.equal((await call(k, 'GET', '/api/v1/me')).status, 200);
  problem(await as('seller').req('DELETE', `/api/v1/auth/api-keys/${k.id}`), 404, 'REQUEST_NOT_FOUND', 'id');
  const del = await as('buyer').req('DELETE', `/api/v1/auth/api-keys/${k.id}`);
  assert.equal(del.status, 200, del.text);
  assert.equal(del.json.status, 'revoked');
  const s0 = await state();
  problem(await call(k, 'GET', '/api/v1/me'), 401, 'AUTH_BAD_TOKEN', 'revoked');
  problem(await as('buyer').req('DELETE', `/api/v1/auth/api-keys/${k.id}`), 409, 'REGISTRY_BAD_STATE', 'id');
  assert.equal(await state(), s0);
  // Expiry given in unix ms.
  const e = await newKey('buyer', { scopes: ['read'], expires_at: Date.now() + 1500 });
  assert.equal((await call(e, 'GET', '/api/v1/me')).status, 200);
  await sleep(2100);
  problem(await call(e, 'GET', '/api/v1/me'), 401, 'AUTH_TOKEN_EXPIRED', 'expires_at');
  const list = (await as('buyer').get('/api/v1/auth/api-keys')).json.items;
  assert.equal(list.find((x) => x.id === e.id).status, 'expired');
  assert.equal(list.find((x) => x.id === k.id).status, 'revoked');
});

test('the IP allow-list is checked against the peer address', async () => {
  const far = await newKey('buyer', { scopes: ['read'], allow_ips: ['203.0.113.0/24', '2001:db8::/32'] });
  problem(await call(far, 'GET', '/api/v1/me'), 403, 'AUTH_FORBIDDEN', 'ip');
  // A forged X-Forwarded-For does not help.
  problem(await call(far, 'GET', '/api/v1/me', undefined, { headers: { 'x-forwarded-for': '203.0.113.5' } }), 403, 'AUTH_FORBIDDEN', 'ip');
  const near = await newKey('buyer', { scopes: ['read'], allow_ips: ['127.0.0.0/8'] });
  assert.equal((await call(near, 'GET', '/api/v1/me')).status, 200);
});

test('the principal has the owner\'s current roles', async () => {
  const k = await newKey('seller', { scopes: ['read'] });
  problem(await call(k, 'GET', '/api/v1/audit'), 403, 'AUTH_FORBIDDEN');
  const up = await as('admin').put(`/api/v1/users/${users.seller.id}/roles`, { roles: ['trader', 'auditor'] });
  assert.equal(up.status, 200, up.text);
  const a = await call(k, 'GET', '/api/v1/audit?kind=api_key_created');
  assert.equal(a.status, 200, a.text);
  assert.ok(a.json.items.some((x) => x.detail.includes(k.id)), a.text);
  const down = await as('admin').put(`/api/v1/users/${users.seller.id}/roles`, { roles: ['trader'] });
  assert.equal(down.status, 200, down.text);
  problem(await call(k, 'GET', '/api/v1/audit'), 403, 'AUTH_FORBIDDEN');
});

test('creation and revocation are audited for auditors', async () => {
  const k = await newKey('buyer', { label: 'audited', scopes: ['read'] });
  assert.equal((await as('buyer').req('DELETE', `/api/v1/auth/api-keys/${k.id}`)).status, 200);
  const r = await as('auditor').get(`/api/v1/audit?user=${users.buyer.id}`);
  assert.equal(r.status, 200, r.text);
  const kinds = r.json.items.filter((x) => x.detail.includes(k.id)).map((x) => x.kind).sort();
  assert.deepEqual(kinds, ['api_key_created', 'api_key_revoked']);
});


test('with a second factor enabled, creating a key needs a current code', async () => {
  const email = `bot-${Date.now()}@example.org`;
  const reg = await anon.post('/api/v1/auth/register', { email, password: 'correct horse battery 9', display_name: 'Bot owner' });
  assert.ok([200, 201].includes(reg.status), reg.text);
  const t = (await login(anon, email, 'correct horse battery 9')).access_token;
  const me = anon.as(t);
  const e = await me.post('/api/v1/auth/mfa/enroll');
  assert.equal(e.status, 201, e.text);
  assert.equal((await me.post('/api/v1/auth/mfa/confirm', { code: totp(e.json.secret) })).status, 200);
  const s0 = await state(me);
  problem(await me.post('/api/v1/auth/api-keys', { label: 'b', scopes: ['read'] }), 401, 'AUTH_MFA_REQUIRED', 'otp');
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totp(e.json.secret, d)));
  const wrongCode = ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !near.has(c));
  problem(await me.post('/api/v1/auth/api-keys', { label: 'b', scopes: ['read'], otp: wrongCode }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
  assert.equal(await state(me), s0);
  const ok = await me.post('/api/v1/auth/api-keys', { label: 'b', scopes: ['read'], otp: totp(e.json.secret, 1) });
  assert.equal(ok.status, 201, ok.text);
  const who = await call(ok.json, 'GET', '/api/v1/me');
  assert.equal(who.status, 200, who.text);
  assert.equal(who.json.email ?? email, email);
});

// The policy a key is held to, restated from README (API keys): GET/HEAD need read; order
// entry, cancel, replace and mass cancel need trade; a withdrawal request needs withdraw;
// anything else, and anything under /auth/, /kyc, /me/, /privacy, /users, /webhooks, is refused.
function expectedScope(method, pattern) {
  if (/^\/api\/v1\/(auth\/|kyc|me\/|privacy|users|webhooks)/.test(pattern)) return null;
  const trade = ['POST /api/v1/orders', 'DELETE /api/v1/orders', 'DELETE /api/v1/orders/{id}', 'POST /api/v1/orders/{id}/replace'];
  if (trade.includes(`${method} ${pattern}`)) return 'trade';
  if (`${method} ${pattern}` === 'POST /api/v1/cash/withdrawals') return 'withdraw';
  if (method === 'GET' || method === 'HEAD') return 'read';
  return null;
}

test('route x scope: every route of the table, called with keys, follows the policy', async () => {
  const doc = (await anon.get('/api/v1/openapi.json')).json;
  const all = await newKey('developer', { scopes: ['read', 'trade', 'withdraw'] });
  const none = { read: await newKey('developer', { scopes: ['trade', 'withdraw'] }),
    trade: await newKey('developer', { scopes: ['read', 'withdraw'] }),
    withdraw: await newKey('developer', { scopes: ['read', 'trade'] }) };
  const wrong = [];
  let n = 0;
  for (const [pattern, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const method = m.toUpperCase();
      const path = pattern.replace(/\{[^}]+\}/g, '999999');
      const body = op.requestBody ? {} : undefined;
      const want = expectedScope(method, pattern);
      const r = await call(all, method, path, body);
      n++;
      const name = `${method} ${pattern}`;
      if (r.status === 401 || r.status >= 500 && r.status !== 503) wrong.push(`${name}: ${r.status} ${r.text}`);
      if (want === null) {
        if (r.status !== 403 || r.json?.field !== 'scope') wrong.push(`${name}: want 403 scope, got ${r.status} ${r.json?.field}`);
      } else {
        if (r.status === 403 && r.json?.field === 'scope') wrong.push(`${name}: refused for scope though ${want} is held`);
        // Without that scope, refused.
        const r2 = await call(none[want], method, path, body);
        if (r2.status !== 403 || r2.json?.field !== 'scope') wrong.push(`${name} without ${want}: ${r2.status} ${r2.json?.field}`);
      }
    }
  }
  assert.ok(n >= 50, `only ${n} operations`);
  assert.deepEqual(wrong, []);
});

test('per-key rate limit: 429 with Retry-After; other keys unaffected; keys survive a restart', async () => {
  const k = await newKey('buyer', { scopes: ['read'] });
  const k2 = await newKey('buyer', { scopes: ['read'] });
  const revoked = await newKey('buyer', { scopes: ['read'] });
  assert.equal((await as('buyer').req('DELETE', `/api/v1/auth/api-keys/${revoked.id}`)).status, 200);
  const data = srv.data;
  await srv.stop();
  srv = await startServer({ data, demo: false, extra: ['--rate-limit-key', '2'] });
  anon = new Client(srv.url);
  // After the restart (state recovered from the journal): the key works, the revoked one not.
  problem(await call(revoked, 'GET', '/api/v1/me'), 401, 'AUTH_BAD_TOKEN', 'revoked');
  const codes = [];
  for (let i = 0; i < 8; i++) codes.push(await call(k, 'GET', '/api/v1/me'));
  assert.equal(codes[0].status, 200, codes[0].text);
  const limited = codes.filter((r) => r.status === 429);
  assert.ok(limited.length >= 3, codes.map((r) => r.status).join(','));
  assert.equal(limited[0].json.code, 'REQUEST_RATE_LIMITED');
  assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
  assert.equal((await call(k2, 'GET', '/api/v1/me')).status, 200);
});
