// Disaster recovery: a backup taken while the server trades, the data directory destroyed,
// `carbonx restore`, and the same journal (tail seq and hash, `carbonx verify`) and the same
// balances, holdings and orders as at the backup. Then a point-in-time restore to a journal
// seq, and the refusals (damaged backup, non-empty target, seq out of range).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, Client, login, DEMO, cleanup, runCli, tempDir, ROOT } from './lib.mjs';

let srv, anon, tok = {}, users = {};
const as = (role) => anon.as(tok[role]);
const work = tempDir('cx-backup-');

async function signIn() {
  anon = new Client(srv.url);
  for (const role of ['admin', 'buyer', 'seller']) {
    const [email, pw] = DEMO[role];
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
}

// Everything a user would check after a restore: cash, holdings and orders of both traders.
async function picture() {
  const out = {};
  for (const role of ['buyer', 'seller']) {
    const acc = users[role].account;
    const c = await as('admin').get(`/api/v1/accounts/${acc}/cash`);
    const h = await as('admin').get(`/api/v1/accounts/${acc}/holdings`);
    const o = await as(role).get('/api/v1/orders');
    assert.equal(c.status, 200, c.text);
    assert.equal(h.status, 200, h.text);
    assert.equal(o.status, 200, o.text);
    out[role] = { cash: c.json, holdings: h.json, orders: o.json };
  }
  return out;
}

function proofHash(data, seq) {
  const r = runCli(['proof', '--data', data, String(seq)]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.match(/event_hash ([0-9a-f]{64})/)[1];
}

before(async () => {
  srv = await startServer({ demo: true });
  await signIn();
  for (const role of ['buyer', 'seller'])
    assert.equal((await as('admin').post('/api/v1/cash/deposits', { account: users[role].account, currency: 'USD', amount: '50000.00' })).status, 201);
  const inst = await as('admin').post('/api/v1/instruments', {
    kind: 'contract', symbol: 'DR-1', criteria: { countries: ['BR'], nature: 'nature', vintage_from: 2019 },
  });
  assert.equal(inst.status, 201, inst.text);
  const id = inst.json.id;
  const order = (role, side, price, quantity) =>
    as(role).post('/api/v1/orders', { instrument: id, side, price, quantity, ...(side === 'sell' ? { batch: 1 } : {}) });
  assert.equal((await order('seller', 'sell', '12.00', '5.000')).status, 201);
  assert.equal((await order('buyer', 'buy', '12.00', '2.000')).status, 201);  // trades 2 t
  assert.equal((await order('buyer', 'buy', '11.00', '1.000')).status, 201);  // rests
});
after(async () => { await srv.stop().catch(() => {}); cleanup(srv.data); cleanup(work); });

test('backup while serving, destroy, restore: same journal, balances, holdings and orders', async () => {
  const before = await picture();
  const seq = (await anon.get('/api/v1/health')).json.committed_seq;
  const out = join(work, 'b1');
  const b = runCli(['backup', '--data', srv.data, '--out', out]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /verified/);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.format, 'carbonx-backup/1');
  assert.ok(manifest.journal.last_seq >= seq, 'the backup holds every acknowledged event');
  const backupSeq = manifest.journal.last_seq;
  const tailHash = manifest.journal.last_hash;
  // Personal data, keys and the journal travel together.
  for (const f of ['data/carbonx.db', 'data/pii.db', 'data/pii.key', 'data/jwt.key'])
    assert.ok(manifest.files.some((x) => x.path === f), f);

  // A change after the backup is not in the restored world.
  const later = await as('seller').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '1.00' });
  assert.ok([201, 202].includes(later.status), later.text);
  await srv.kill();
  rmSync(srv.data, { recursive: true, force: true });
  assert.ok(!existsSync(srv.data));

  const r = runCli(['restore', '--from', out, '--data', srv.data]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`last seq ${backupSeq},.*last hash ${tailHash}`));
  const v = runCli(['verify', '--data', srv.data]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`journal OK: ${backupSeq} events`));

  srv = await startServer({ data: srv.data, demo: false });
  assert.equal((await new Client(srv.url).get('/api/v1/health')).json.committed_seq, backupSeq);
  await signIn();  // (signing in journals new sessions)
  assert.deepEqual(await picture(), before);
});

test('point-in-time restore to a journal seq', async () => {
  const out = join(work, 'b2');
  assert.equal(runCli(['backup', '--data', srv.data, '--out', out]).status, 0);
  const last = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).journal.last_seq;
  const k = Math.floor(last / 2);
  const want = proofHash(srv.data, k);
  const dir = join(work, 'pit');
  const r = runCli(['restore', '--from', out, '--data', dir, '--to-seq', String(k)]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`last seq ${k},.*last hash ${want}`));
  assert.equal(runCli(['verify', '--data', dir]).status, 0);
  const after = runCli(['proof', '--data', dir, String(k + 1)]);
  assert.notEqual(after.status, 0, 'events after the restore point are gone');
  // The cut journal serves: the server recovers the state as of seq k.
  const s2 = await startServer({ data: dir, demo: false });
  try {
    assert.equal((await new Client(s2.url).get('/api/v1/health')).json.committed_seq, k);
  } finally { await s2.stop(); }
});

test('refusals: existing backup dir, damaged file, non-empty target, seq out of range', async () => {
  const out = join(work, 'b3');
  assert.equal(runCli(['backup', '--data', srv.data, '--out', out]).status, 0);
  const again = runCli(['backup', '--data', srv.data, '--out', out]);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /not empty/);
  const last = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).journal.last_seq;

  const range = runCli(['restore', '--from', out, '--data', join(work, 'x1'), '--to-seq', String(last + 1)]);
  assert.notEqual(range.status, 0);
  assert.match(range.stderr, /REQUEST_INVALID_FIELD: --to-seq/);
  assert.ok(!existsSync(join(work, 'x1')), 'a refused restore writes nothing');

  const busy = runCli(['restore', '--from', out, '--data', srv.data]);
  assert.notEqual(busy.status, 0);
  assert.match(busy.stderr, /not empty/);

  const key = join(out, 'data', 'jwt.key');
  writeFileSync(key, readFileSync(key, 'utf8') + 'x');
  const bad = runCli(['restore', '--from', out, '--data', join(work, 'x2')]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /damaged.*data\/jwt\.key/);
  assert.ok(!existsSync(join(work, 'x2')), 'a damaged backup restores nothing');

  const none = runCli(['restore', '--from', join(work, 'nothing'), '--data', join(work, 'x3')]);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /not a carbonx backup/);
});

test('PostgreSQL store: backup (pg_dump), drop the database, restore: same journal and balances', async () => {
  const sh = (cmd) => spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: ROOT });
  const st = sh(`eval "$(tools/pg-throwaway.sh start --fsync=off --owner-pid ${process.pid})" && echo "$PG_URL $PG_DIR"`);
  assert.equal(st.status, 0, st.stderr);
  const [pgUrl, pgDir] = st.stdout.trim().split(/\s+/).slice(-2);
  const db = (name) => {
    const r = sh(`PG_URL='${pgUrl}' tools/pg-throwaway.sh createdb ${name}`);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim().split('\n').pop();
  };
  const url = db('dr_a');
  const data = join(work, 'pg-data');
  let s = await startServer({ data, demo: true, extra: ['--store', url] });
  try {
    const c = new Client(s.url);
    const a = c.as((await login(c, ...DEMO.admin)).access_token);
    const buyer = (await login(c, ...DEMO.buyer)).user;
    assert.equal((await a.post('/api/v1/cash/deposits', { account: buyer.account, currency: 'USD', amount: '777.00' })).status, 201);
    const cashBefore = (await a.get(`/api/v1/accounts/${buyer.account}/cash`)).json;
    const out = join(work, 'pg-backup');
    const b = runCli(['backup', '--data', data, '--store', url, '--out', out]);
    assert.equal(b.status, 0, b.stderr);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(m.store, 'postgres');
    assert.ok(m.files.some((f) => f.path === 'db.pgdump'));
    await s.kill();
    // Destroy: the database's tables and the data directory.
    const drop = sh(`psql -X -q -d '${url}' -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'`);
    assert.equal(drop.status, 0, drop.stderr);
    rmSync(data, { recursive: true, force: true });
    const r = runCli(['restore', '--from', out, '--data', data, '--store', url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`last seq ${m.journal.last_seq},.*last hash ${m.journal.last_hash}`));
    const v = runCli(['verify', '--store', url]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    s = await startServer({ data, demo: false, extra: ['--store', url] });
    const c2 = new Client(s.url);
    assert.equal((await c2.get('/api/v1/health')).json.committed_seq, m.journal.last_seq);
    const a2 = c2.as((await login(c2, ...DEMO.admin)).access_token);
    assert.deepEqual((await a2.get(`/api/v1/accounts/${buyer.account}/cash`)).json, cashBefore);
  } finally {
    await s.stop().catch(() => {});
    sh(`tools/pg-throwaway.sh stop '${pgDir}'`);
  }
});
