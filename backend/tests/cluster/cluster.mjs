// Cluster test helper (issue 10): starts, on loopback and in temp dirs, one PostgreSQL
// (tools/pg-throwaway.sh), one redis-server, carbonx nodes (leader, standby, API nodes)
// sharing one --store postgres://... and the same keys, and nginx in front of the API
// nodes from deploy/nginx/carbonx.conf.template. Everything is killed at exit.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../../..');
export const BIN = process.env.CARBONX_BIN || join(process.env.BUILD || join(ROOT, 'build'), 'app', 'carbonx');
const PSQL = '/usr/lib/postgresql/15/bin/psql';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
    s.on('error', fail);
  });
}

const children = new Set();
const dirs = new Set();
let pgDir = null;
function cleanupAll() {
  for (const c of children) { try { c.kill(c.spawnfile === 'nginx' ? 'SIGTERM' : 'SIGKILL'); } catch { /* gone */ } }
  if (pgDir) spawnSync('bash', [join(ROOT, 'tools/pg-throwaway.sh'), 'stop', pgDir]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanupAll(); process.exit(1); });

export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(d);
  return d;
}

export function startPostgres() {
  const r = spawnSync('bash', [join(ROOT, 'tools/pg-throwaway.sh'), 'start', '--fsync=off', '--owner-pid', String(process.pid)],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('PostgreSQL did not start: ' + r.stderr);
  const v = {};
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^(\w+)='?([^']*)'?$/);
    if (m) v[m[1]] = m[2];
  }
  pgDir = v.PG_DIR;
  return { url: v.PG_URL, dir: v.PG_DIR };
}

export function psql(url, sql) {
  const r = spawnSync(PSQL, [url, '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('psql: ' + r.stderr);
  return r.stdout.trim();
}

function track(proc, name) {
  children.add(proc);
  let out = '';
  proc.stdout?.on('data', (d) => { out += d.toString(); });
  proc.stderr?.on('data', (d) => { out += d.toString(); });
  const exited = new Promise((r) => proc.on('exit', (code, sig) => { children.delete(proc); r({ code, sig }); }));
  return { name, proc, exited, log: () => out };
}

export async function startRedis() {
  const port = await freePort();
  const dir = tempDir('cx-redis-');
  const p = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] }), 'redis');
  for (let i = 0; i < 100 && !/Ready to accept connections/.test(p.log()); i++) await sleep(50);
  return { ...p, url: `redis://127.0.0.1:${port}/0`, port };
}

// Does this build know --redis (G's work)? Then nodes use it.
let redisFlag = null;
export function hasRedisFlag() {
  if (redisFlag === null) {
    const r = spawnSync(BIN, ['serve', '--help'], { encoding: 'utf8' });
    redisFlag = /--redis\b/.test(r.stdout + r.stderr);
  }
  return redisFlag;
}

// One carbonx node. The first node of a cluster (keysFrom null) creates the keys; the
// others copy them (a deployment distributes them).
export async function startNode({ name, role, store, secretFile, leaseMs = 1500, demo = false, keysFrom = null,
  redis = null, extra = [] }) {
  const data = tempDir(`cx-node-${name}-`);
  if (keysFrom) for (const f of readdirSync(keysFrom)) if (f.endsWith('.key')) copyFileSync(join(keysFrom, f), join(data, f));
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const args = ['serve', '--data', data, '--listen', addr, '--store', store, '--role', role, '--node-id', name,
    '--advertise', addr, '--lease-ms', String(leaseMs), '--cluster-secret-file', secretFile,
    '--rate-limit-user', '0', '--rate-limit-ip', '0', '--rate-limit-auth', '0', '--rate-limit-key', '0',
    '--mfa-required-roles', 'none', '--io-threads', '4', '--alert-scan-seconds', '86400', ...(demo ? ['--demo'] : []),
    ...(redis && hasRedisFlag() ? ['--redis', redis] : []), ...extra];
  const n = track(spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] }), name);
  const t0 = Date.now();
  while (!/serving http/.test(n.log())) {
    if (Date.now() - t0 > 90000) throw new Error(`node ${name} did not start:\n${n.log()}`);
    if (n.proc.exitCode !== null) throw new Error(`node ${name} exited ${n.proc.exitCode}:\n${n.log()}`);
    await sleep(50);
  }
  return {
    ...n, data, port, url: `http://${addr}`, args,
    kill: async (sig = 'SIGKILL') => { n.proc.kill(sig); if (sig === 'SIGKILL' || sig === 'SIGTERM') await n.exited; },
  };
}

export async function startNginx(upstreams) {
  const run = tempDir('cx-nginx-');
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(run, d));
  const port = await freePort();
  const conf = readFileSync(join(ROOT, 'deploy/nginx/carbonx.conf.template'), 'utf8')
    .replaceAll('@LISTEN@', `127.0.0.1:${port}`)
    .replaceAll('@RUNDIR@', run)
    .replaceAll('@UPSTREAMS@', upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join('\n'));
  writeFileSync(join(run, 'nginx.conf'), conf);
  const t = spawnSync('nginx', ['-t', '-c', join(run, 'nginx.conf'), '-p', run], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error('nginx -t: ' + t.stderr);
  const n = track(spawn('nginx', ['-c', join(run, 'nginx.conf'), '-p', run, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] }), 'nginx');
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(url + '/api/v1/health'); break; } catch { await sleep(50); }
  }
  return { ...n, url, port, conf };
}

// JSON over fetch with a bearer token. Network errors come back as status 0.
export async function req(base, method, path, body, token, headers = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  try {
    const res = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15000) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, json, text, headers: res.headers };
  } catch (e) {
    return { status: 0, json: null, text: String(e) };
  }
}

export async function login(base, email, password) {
  for (let i = 0; i < 100; i++) {
    const r = await req(base, 'POST', '/api/v1/auth/login', { email, password });
    if (r.status === 200) return r.json;
    if (r.status !== 503 && r.status !== 0) throw new Error(`login ${email}: ${r.status} ${r.text}`);
    await sleep(100);
  }
  throw new Error('login: no leader');
}

export const DEMO = {
  admin: ['admin@carbonx.demo', 'demo-admin-2026'],
  buyer: ['buyer@carbonx.demo', 'demo-buyer-2026'],
  seller: ['seller@carbonx.demo', 'demo-seller-2026'],
  developer: ['developer@carbonx.demo', 'demo-developer-2026'],
};

// A whole cluster: PostgreSQL, Redis, leader (with the demo data), standby, two API nodes
// and nginx over the API nodes.
export async function startCluster({ leaseMs = 1500, apiNodes = 2 } = {}) {
  const pg = startPostgres();
  const redis = await startRedis();
  const secretDir = tempDir('cx-secret-');
  const secretFile = join(secretDir, 'cluster.secret');
  writeFileSync(secretFile, 'cluster-secret-' + Math.random().toString(36).slice(2) + '-0123456789\n', { mode: 0o600 });
  const common = { store: pg.url, secretFile, leaseMs, redis: redis.url };
  const leader = await startNode({ ...common, name: 'leader', role: 'leader', demo: true });
  const standby = await startNode({ ...common, name: 'standby', role: 'standby', keysFrom: leader.data });
  const api = [];
  for (let i = 0; i < apiNodes; i++)
    api.push(await startNode({ ...common, name: `api${String.fromCharCode(97 + i)}`, role: 'api', keysFrom: leader.data }));
  const nginx = await startNginx(api.map((n) => `127.0.0.1:${n.port}`));
  return { pg, redis, secretFile, leader, standby, api, nginx, common };
}

// Sets up trading: the buyer funded, a contract instrument; returns tokens and ids.
export async function setupMarket(base) {
  const admin = await login(base, ...DEMO.admin);
  const buyer = await login(base, ...DEMO.buyer);
  const seller = await login(base, ...DEMO.seller);
  const acct = (s) => s.user?.account ?? s.account;
  let r = await req(base, 'POST', '/api/v1/cash/deposits',
    { account: acct(buyer), currency: 'USD', amount: '5000000.00' }, admin.access_token);
  if (r.status !== 201) throw new Error('deposit: ' + r.status + ' ' + r.text);
  const symbol = 'CL-' + Math.random().toString(36).slice(2, 8).toUpperCase();
  r = await req(base, 'POST', '/api/v1/instruments', { kind: 'contract', symbol, criteria: { countries: ['BR'] },
    tick: '1.00', lot: '0.010', band_bp: 0, halt_bp: 0 }, admin.access_token);
  if (r.status !== 201) throw new Error('instrument: ' + r.status + ' ' + r.text);
  return { admin, buyer, seller, instrument: r.json.id, symbol };
}

// Journal rows of `type` whose payload contains `needle` (bytes of an ASCII string).
export function journalCount(url, type, needle) {
  const hex = Buffer.from(needle).toString('hex');
  return Number(psql(url, `SELECT count(*) FROM journal WHERE type = '${type}' AND position('\\x${hex}'::bytea in payload) > 0`));
}

export function verify(store) {
  return spawnSync(BIN, ['verify', '--store', store], { encoding: 'utf8' });
}
