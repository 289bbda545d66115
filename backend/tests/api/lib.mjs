// Test helpers: start a real `carbonx serve` on a free port with a throwaway data
// directory, and a small JSON client with bearer tokens.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
export const BIN = process.env.CARBONX_BIN || join(process.env.BUILD || join(ROOT, 'build'), 'app', 'carbonx');

export function tempDir(prefix = 'cx-api-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Starts the server; resolves to {url, proc, data, stop(), kill()}.
// Rate limits are off unless `limits` is set: these tests drive the server far faster
// than one user would (security.test.mjs tests the limits themselves).
export async function startServer({ data = tempDir(), demo = true, extra = [], limits = false } = {}) {
  const off = limits ? [] : ['--rate-limit-user', '0', '--rate-limit-ip', '0', '--rate-limit-auth', '0'];
  const args = ['serve', '--data', data, '--listen', '127.0.0.1:0', ...(demo ? ['--demo'] : []), ...off, ...extra];
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('server did not start: ' + out)), 60000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(/serving (http:\/\/[0-9.]+:\d+)\//);
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
