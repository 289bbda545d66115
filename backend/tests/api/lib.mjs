// Test helpers: start a real `carbonx serve` on a free port with a throwaway data
// directory, and a small JSON client with bearer tokens.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, createHmac, randomBytes, webcrypto } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
export const BIN = process.env.CARBONX_BIN || join(process.env.BUILD || join(ROOT, 'build'), 'app', 'carbonx');

export function tempDir(prefix = 'cx-api-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Starts the server; resolves to {url, proc, data, stop(), kill()}.
// Rate limits are off unless `limits` is set: these tests drive the server far faster
// than one user would (security.test.mjs tests the limits themselves). Likewise the
// second factor required of admins and verifiers is off unless `mfa` is set
// (security.test.mjs tests it): the other tests act as the demo admin and verifier.
export async function startServer({ data = tempDir(), demo = true, extra = [], limits = false, mfa = false } = {}) {
  const off = limits ? [] : ['--rate-limit-user', '0', '--rate-limit-ip', '0', '--rate-limit-auth', '0'];
  if (!mfa) off.push('--mfa-required-roles', 'none');
  const args = ['serve', '--data', data, '--listen', '127.0.0.1:0', ...(demo ? ['--demo'] : []), ...off, ...extra];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start: ' + out)), 60000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(/serving (https?:\/\/[0-9.]+:\d+)\//);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => { out += d.toString(); });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}: ${out}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.on('exit', r));
  return {
    url, proc, data, log: () => out,
    async stop() { proc.kill('SIGTERM'); await exited; },
    async kill() { proc.kill('SIGKILL'); await exited; },
  };
}

export function runCli(args) {
  return spawnSync(BIN, args, { encoding: 'utf8' });
}

export function cleanup(dir) { rmSync(dir, { recursive: true, force: true }); }

export class Client {
  constructor(url, token = null) { this.url = url; this.token = token; this.hits = null; }
  async req(method, path, body, { raw = false, headers = {} } = {}) {
    const h = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    let payload;
    if (body !== undefined) {
      payload = raw ? body : JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (this.hits) this.hits.add(`${method} ${path.split('?')[0]}`);
    return { status: res.status, json, text, headers: res.headers };
  }
  get(p, o) { return this.req('GET', p, undefined, o); }
  post(p, b, o) { return this.req('POST', p, b, o); }
  put(p, b, o) { return this.req('PUT', p, b, o); }
  as(token) { const c = new Client(this.url, token); c.hits = this.hits; return c; }
}

export async function login(client, email, password) {
  const r = await client.post('/api/v1/auth/login', { email, password });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
  return r.json;
}

export const DEMO = {
  admin: ['admin@carbonx.demo', 'demo-admin-2026'],
  auditor: ['auditor@carbonx.demo', 'demo-auditor-2026'],
  verifier: ['verifier@carbonx.demo', 'demo-verifier-2026'],
  verifier2: ['verifier2@carbonx.demo', 'demo-verifier-2026'],
  developer: ['developer@carbonx.demo', 'demo-developer-2026'],
  buyer: ['buyer@carbonx.demo', 'demo-buyer-2026'],
  seller: ['seller@carbonx.demo', 'demo-seller-2026'],
};

// Merkle verification per docs/formats.md, written independently of the server.
const sha = (...parts) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
export function verifyProof(eventHashHex, proofHex, rootHex) {
  let h = sha(Buffer.from([0]), Buffer.from(eventHashHex, 'hex'));
  for (const s of proofHex) {
    const b = Buffer.from(s, 'hex');
    const [lo, hi] = Buffer.compare(h, b) <= 0 ? [h, b] : [b, h];
    h = sha(Buffer.from([1]), lo, hi);
  }
  return h.toString('hex') === rootHex;
}

// KYC through the real API (kyc.test.mjs tests it): `user` (a Client with the user's
// token) submits a case and `admin` approves it at `level`. Returns the approved case.
// Cash and orders need a KYC level; the demo's developer, buyer and seller are verified.
let kycSeq = 0;
export async function kycVerify(admin, user, level = 'full', details = {}) {
  const n = ++kycSeq;
  const c = await user.post('/api/v1/kyc/cases', {
    requested_level: level, legal_name: `Test Person ${process.pid} ${n}`, date_of_birth: '1985-05-17',
    country: 'DE', address: `Teststrasse ${n}, 10115 Berlin`, documents: [], ...details,
  });
  if (c.status !== 201) throw new Error(`kyc submit: ${c.status} ${c.text}`);
  const d = await admin.post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level, reason: 'test' });
  if (d.status !== 200) throw new Error(`kyc decision: ${d.status} ${d.text}`);
  return d.json;
}

// An end-to-end encrypted KYC paper of the user signed in on `client`: random bytes stand in
// for the browser's ciphertext, with an envelope wrapped to `reviewer` (a user id) under a
// fresh P-256 key (e2e_docs.test.mjs and the browser test check the real cryptography).
// Resolves to the document's CID.
export async function e2ePaper(client, reviewer) {
  const up = await client.req('POST', '/api/v1/documents?e2e=true', randomBytes(3000),
    { raw: true, headers: { 'content-type': 'application/octet-stream' } });
  if (up.status !== 201) throw new Error(`e2e upload: ${up.status} ${up.text}`);
  const k = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const jwk = await webcrypto.subtle.exportKey('jwk', k.publicKey);
  const b64u = (b) => Buffer.from(b).toString('base64url');
  const env = {
    v: 1, alg: 'ECDH-P256+HKDF-SHA256+A256KW', enc: 'A256GCM', iv: b64u(randomBytes(12)), meta_iv: b64u(randomBytes(12)),
    meta: b64u(randomBytes(60)),
    recipients: [{ user: reviewer, kid: 'k'.repeat(43), epk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, wrapped_key: b64u(randomBytes(40)) }],
  };
  const r = await client.put(`/api/v1/documents/${up.json.cid}/envelope`, env);
  if (r.status !== 200) throw new Error(`envelope: ${r.status} ${r.text}`);
  return up.json.cid;
}

// A webhook signature header `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (Stripe's scheme).
export function signWebhook(body, secret, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

// Asserts an RFC 9457 problem answer: status, media type, stable code and (when given) the
// field at fault.
export function problem(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
}

// RFC 6238 one-time code (HMAC-SHA-1, 6 digits, 30 s steps) for a base32 secret, `offset`
// steps from now, computed independently of the server.
export function totp(secretB32, offset = 0) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const key = [];
  for (const ch of secretB32.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alpha.indexOf(ch);
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const h = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1e6).padStart(6, '0');
}
