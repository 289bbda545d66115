// Privacy (GDPR) end to end against a real server: a user with a unique email and display
// name signs up, trades a little, gives a consent, downloads their data, then erases it.
// The raw data directory (journal, WAL, snapshot, vault) is searched byte for byte: the
// email and the name are never there in clear (they are sealed); after erasure the user's
// vault key is gone from pii.db, sign-in fails like a wrong password, the same email can
// sign up again and `carbonx verify` still accepts the journal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, Client, login, DEMO, cleanup, runCli, e2ePaper, problem } from './lib.mjs';

let srv, anon;
const tag = randomBytes(6).toString('hex');
const EMAIL = `privacy-${tag}@example.org`;
const NAME = `Zephyrine Quillfeather ${tag}`;
const PASSWORD = 'correct horse battery staple';

before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
});
after(async () => { await srv?.stop().catch(() => {}); if (srv) cleanup(srv.data); });

// Every file under the data directory, recursively (journal, -wal/-shm, snapshots, vault).
function files(dir) {
  const out = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}
// Files holding `needle` (as UTF-8 bytes, also upper/lower-cased variants).
function holders(dir, needle) {
  const variants = [...new Set([needle, needle.toLowerCase(), needle.toUpperCase()])].map((s) => Buffer.from(s, 'utf8'));
  return files(dir).filter((f) => {
    const b = readFileSync(f);
    return variants.some((v) => b.includes(v));
  });
}

// KYC: verified identity is needed for cash and orders. The paper is an end-to-end
// document whose envelope erasure must delete. Resolves to the paper's CID.
async function verifyIdentity(me, admin, adminId) {
  const paper = await e2ePaper(me, adminId);
  const c = await me.post('/api/v1/kyc/cases', {
    requested_level: 'full', legal_name: NAME, date_of_birth: '1990-01-01', country: 'FR', address: `1 rue ${tag}`, documents: [paper],
  });
  assert.equal(c.status, 201, c.text);
  const d = await admin.post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level: 'full', reason: 'test' });
  assert.equal(d.status, 200, d.text);
  return paper;
}

test('export everything, erase, and nothing personal is left readable', async () => {
  const adminLogin = await login(anon, ...DEMO.admin);
  const admin = anon.as(adminLogin.access_token);
  const seller = anon.as((await login(anon, ...DEMO.seller)).access_token);

  // Sign up with mixed case: the address is normalised before it is keyed.
  const reg = await anon.post('/api/v1/auth/register', { email: EMAIL.toUpperCase(), password: PASSWORD, display_name: NAME });
  assert.equal(reg.status, 201, reg.text);
  assert.equal(reg.json.email, EMAIL);
  assert.equal(reg.json.display_name, NAME);
  problem(await anon.post('/api/v1/auth/register', { email: EMAIL, password: PASSWORD }), 409, 'AUTH_EMAIL_TAKEN', 'email');
  problem(await anon.post('/api/v1/auth/register', { email: 'not-an-email', password: PASSWORD }), 400, 'REQUEST_INVALID_FIELD', 'email');
  const l = await login(anon, EMAIL, PASSWORD);
  const me = anon.as(l.access_token);
  const uid = reg.json.id;
  const account = reg.json.account;

  // Admins find the user by exact email (through the index) and by display name.
  const byEmail = await admin.get(`/api/v1/users?q=${encodeURIComponent(EMAIL)}`);
  assert.equal(byEmail.status, 200, byEmail.text);
  assert.deepEqual(byEmail.json.items.map((u) => u.id), [uid]);
  const byName = await admin.get(`/api/v1/users?q=${encodeURIComponent('quillfeather ' + tag)}`);
  assert.deepEqual(byName.json.items.map((u) => u.id), [uid]);

  // Trade a little: cash in, buy one tonne from the demo seller's offer, retire part of it.
  const paper = await verifyIdentity(me, admin, adminLogin.user.id);
  assert.equal((await me.get(`/api/v1/documents/${paper}/envelope`)).status, 200);
  const dep = await admin.post('/api/v1/cash/deposits', { account, currency: 'USD', amount: '1000.00' });
  assert.equal(dep.status, 201, dep.text);
  const inst = (await anon.get('/api/v1/instruments')).json.items.find((i) => i.kind !== 'contract' && i.batch === 1);
  assert.ok(inst, 'the demo lists batch 1');
  const ask = await seller.post('/api/v1/orders', { instrument: inst.id, side: 'sell', price: '25.00', quantity: '1', batch: 1 });
  assert.equal(ask.status, 201, ask.text);
  const bid = await me.post('/api/v1/orders', { instrument: inst.id, side: 'buy', price: '25.00', quantity: '1', time_in_force: 'ioc' });
  assert.equal(bid.status, 201, bid.text);
  const fills = await me.get('/api/v1/fills');
  assert.ok(fills.json.items.length >= 1, fills.text);
  const ret = await me.post('/api/v1/retirements', { batch: 1, quantity: '0.5', beneficiary: 'ACME Corp', reason: 'test' });
  assert.equal(ret.status, 201, ret.text);
  const cons = await me.post('/api/v1/me/consents', { purpose: 'marketing_email', granted: true, policy_version: '2026-01' });
  assert.equal(cons.status, 201, cons.text);
  assert.equal(cons.json.current.marketing_email.granted, true);
  problem(await me.post('/api/v1/me/consents', { purpose: 'Bad Purpose', granted: true, policy_version: '1' }), 400, 'REQUEST_INVALID_FIELD', 'purpose');
  const mine = await me.get('/api/v1/me/consents');
  assert.equal(mine.status, 200, mine.text);
  assert.deepEqual(mine.json.items.map((c) => [c.purpose, c.granted, c.policy_version]), [['marketing_email', true, '2026-01']]);

  // Export: one JSON download with every part.
  const ex = await me.get('/api/v1/me/export');
  assert.equal(ex.status, 200, ex.text);
  assert.match(ex.headers.get('content-disposition'), /attachment; filename="carbonxchange-export-\d+\.json"/);
  const x = ex.json;
  for (const k of ['profile', 'roles', 'consents', 'sessions', 'wallets', 'mfa', 'api_keys', 'cash', 'holdings', 'orders',
    'fills', 'retirements', 'withdrawals', 'audit'])
    assert.ok(k in x, `export has ${k}`);
  assert.equal(x.profile.email, EMAIL);
  assert.equal(x.profile.display_name, NAME);
  assert.deepEqual(x.roles, ['trader']);
  assert.equal(x.consents.items.length, 1);
  assert.ok(x.sessions.length >= 1);
  assert.equal(x.mfa.enabled, false);
  assert.ok(!JSON.stringify(x.mfa).includes('secret'));
  assert.ok(x.cash.USD.available_minor > 0);
  assert.ok(x.holdings.items.some((h) => h.batch === 1 && h.held_serials.length >= 1), JSON.stringify(x.holdings));
  assert.ok(x.orders.length >= 1 && x.fills.length >= 1 && x.retirements.length === 1);
  assert.ok(x.audit.some((a) => a.kind === 'consent'));
  assert.ok(!JSON.stringify(x).includes('$argon2'), 'never the password hash');
  const key = x.profile.personal_data_key;
  assert.match(key, /^[0-9a-f]{32}$/);

  // Before erasure: the raw files hold the email and the name only sealed.
  // Control: the search does see journal text (a retirement's beneficiary is public data).
  assert.ok(holders(srv.data, 'ACME Corp').length >= 1, 'the search reads the journal');
  assert.deepEqual(holders(srv.data, EMAIL), [], 'email in clear');
  assert.deepEqual(holders(srv.data, NAME), [], 'display name in clear');
  assert.ok(holders(srv.data, key).some((f) => f.endsWith('pii.db')), 'the vault holds the key');

  // Erasure waits for open orders; a wrong password is refused.
  const rest = await me.post('/api/v1/orders', { instrument: inst.id, side: 'buy', price: '24.00', quantity: '1' });
  assert.equal(rest.status, 201, rest.text);
  problem(await me.post('/api/v1/me/erase', { password: PASSWORD }), 409, 'REQUEST_CONFLICT', 'open_orders');
  problem(await me.post('/api/v1/me/erase', {}), 400, 'REQUEST_MISSING_FIELD', 'password');
  const cancel = await me.req('DELETE', `/api/v1/orders/${rest.json.id}`);
  assert.equal(cancel.status, 200, cancel.text);
  problem(await me.post('/api/v1/me/erase', { password: 'wrong password!' }), 401, 'AUTH_BAD_CREDENTIALS', 'password');
  const er = await me.post('/api/v1/me/erase', { password: PASSWORD });
  assert.equal(er.status, 200, er.text);
  // The KYC paper's envelope (the only copy of its file key) is gone: nobody can read it.
  const env = await admin.get(`/api/v1/documents/${paper}/envelope`);
  assert.equal(env.status, 404, env.text);
  assert.equal(er.json.status, 'erased');

  // After: the key left the vault file; sign-in fails exactly like a wrong password.
  assert.deepEqual(holders(srv.data, key).filter((f) => f.includes('pii.db')), [], 'key shredded');
  const bad = await anon.post('/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
  const wrong = await anon.post('/api/v1/auth/login', { email: DEMO.buyer[0], password: 'wrong password!' });
  assert.equal(bad.status, wrong.status);
  assert.equal(bad.json.code, wrong.json.code);
  assert.equal(bad.json.detail ?? bad.json.title, wrong.json.detail ?? wrong.json.title);
  problem(await anon.post('/api/v1/auth/refresh', { refresh_token: l.refresh_token }), 401, 'AUTH_BAD_TOKEN', 'refresh_token');
  const shown = await admin.get('/api/v1/users?q=' + encodeURIComponent('erased user #' + uid));
  assert.deepEqual(shown.json.items.map((u) => [u.id, u.display_name, u.email, u.erased]), [[uid, `erased user #${uid}`, '', true]]);
  // The legal record stays under the pseudonymous id: the retirement is still public.
  assert.equal((await anon.get(`/api/v1/retirements/${ret.json.id}`)).status, 200);
  // The same email may sign up again: a new user.
  const again = await anon.post('/api/v1/auth/register', { email: EMAIL, password: PASSWORD, display_name: 'Again' });
  assert.equal(again.status, 201, again.text);
  assert.notEqual(again.json.id, uid);

  // Stopped, with a snapshot written: still no clear email or name anywhere; the journal verifies.
  await srv.stop();
  const snap = runCli(['snapshot', '--data', srv.data]);
  assert.equal(snap.status, 0, snap.stdout + snap.stderr);
  assert.deepEqual(holders(srv.data, EMAIL), []);
  assert.deepEqual(holders(srv.data, NAME), []);
  const v = runCli(['verify', '--data', srv.data]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /journal OK/);
  // A restart replays the erasure (the user stays erased; the new sign-up works).
  srv = await startServer({ data: srv.data, demo: false });
  anon = new Client(srv.url);
  problem(await anon.post('/api/v1/auth/login', { email: 'nobody-' + EMAIL, password: PASSWORD }), 401, 'AUTH_BAD_CREDENTIALS');
  assert.equal((await login(anon, EMAIL, PASSWORD)).user.id, again.json.id);
});
