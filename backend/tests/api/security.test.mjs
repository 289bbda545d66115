// Second factor (TOTP, RFC 6238) end to end: enrollment with a QR code, confirmation,
// sign-in with a code or a recovery code, replay refusal, audit, and withdrawals approved
// by an admin with a step-up code. Codes are computed here independently (node:crypto).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, cleanup, problem, totp } from './lib.mjs';

let srv, anon, tok = {}, users = {};

before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  for (const role of ['admin', 'auditor', 'buyer', 'seller']) {
    const l = await login(anon, DEMO[role][0], DEMO[role][1]);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const as = (role) => anon.as(tok[role]);




test('TOTP enrollment: QR code, confirmation, recovery codes; sign-in then needs the code', async () => {
  const st0 = await as('seller').get('/api/v1/auth/mfa');
  assert.equal(st0.status, 200, st0.text);
  assert.equal(st0.json.enabled, false);
  problem(await as('seller').post('/api/v1/auth/mfa/confirm', { code: '123456' }), 409, 'REGISTRY_BAD_STATE', 'code');
  const e = await as('seller').post('/api/v1/auth/mfa/enroll');
  assert.equal(e.status, 201, e.text);
  assert.match(e.json.secret, /^[A-Z2-7]{32}$/);
  assert.ok(e.json.otpauth_uri.startsWith('otpauth://totp/CarbonXchange:'), e.json.otpauth_uri);
  assert.ok(e.json.otpauth_uri.includes(`secret=${e.json.secret}`));
  assert.match(e.json.qr_svg, /^<\?xml|^<svg/);
  const png = await fetch(srv.url + '/api/v1/auth/mfa/qr?format=png', { headers: { authorization: `Bearer ${tok.seller}` } });
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  const bytes = Buffer.from(await png.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const svg = await fetch(srv.url + '/api/v1/auth/mfa/qr?format=svg', { headers: { authorization: `Bearer ${tok.seller}` } });
  assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
  problem(await as('seller').get('/api/v1/auth/mfa/qr?format=gif'), 400, 'REQUEST_INVALID_FIELD', 'format');
  // A wrong code does not confirm; a right one does and returns ten recovery codes.
  const wrong = totp(e.json.secret, 5);
  problem(await as('seller').post('/api/v1/auth/mfa/confirm', { code: wrong }), 401, 'AUTH_BAD_CREDENTIALS', 'code');
  const c = await as('seller').post('/api/v1/auth/mfa/confirm', { code: totp(e.json.secret) });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.recovery_codes.length, 10);
  problem(await as('seller').post('/api/v1/auth/mfa/enroll'), 409, 'REQUEST_CONFLICT', 'user');
  // Sign-in: the password alone is not enough any more.
  const [email, pw] = DEMO.seller;
  problem(await anon.post('/api/v1/auth/login', { email, password: pw }), 401, 'AUTH_MFA_REQUIRED', 'otp');
  problem(await anon.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret, 7) }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
  const ok = await anon.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret, 1) });
  assert.equal(ok.status, 200, ok.text);
  // The same code again is a replay; the step used at confirmation is older still.
  problem(await anon.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret, 1) }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
  problem(await anon.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret) }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
  // A recovery code works once.
  const rc = c.json.recovery_codes[0];
  const r1 = await anon.post('/api/v1/auth/login', { email, password: pw, recovery_code: rc });
  assert.equal(r1.status, 200, r1.text);
  problem(await anon.post('/api/v1/auth/login', { email, password: pw, recovery_code: rc }), 401, 'AUTH_BAD_CREDENTIALS', 'recovery_code');
  const st = await as('seller').get('/api/v1/auth/mfa');
  assert.equal(st.json.enabled, true);
  assert.equal(st.json.recovery_codes_left, 9);
  // The audit shows the enrollment, the failed second factor and the recovery code, and
  // never a code or a secret.
  let a;
  for (let i = 0; i < 40; i++) {
    a = await as('auditor').get(`/api/v1/audit?user=${users.seller.id}&page_size=50`);
    if (a.json.items.some((x) => x.detail === 'wrong second factor')) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const kinds = a.json.items.map((x) => x.kind);
  for (const k of ['mfa_enrollment_started', 'mfa_enabled', 'recovery_code_used', 'login_failed', 'login']) assert.ok(kinds.includes(k), k);
  assert.ok(!JSON.stringify(a.json).includes(e.json.secret));
  // Turning it off needs a current code.
  problem(await as('seller').post('/api/v1/auth/mfa/disable', {}), 400, 'REQUEST_MISSING_FIELD', 'code');
  const off = await as('seller').post('/api/v1/auth/mfa/disable', { code: totp(e.json.secret, -1) });
  problem(off, 401, 'AUTH_BAD_CREDENTIALS', 'code');  // an older step than the last used one
  const off2 = await as('seller').post('/api/v1/auth/mfa/disable', { recovery_code: c.json.recovery_codes[1] });
  assert.equal(off2.status, 200, off2.text);
  const again = await anon.post('/api/v1/auth/login', { email, password: pw });
  assert.equal(again.status, 200, again.text);
});

test('withdrawals: the owner requests, cash is locked; an admin approves only with a step-up code', async () => {
  const acct = users.buyer.account;
  const cash = async () => (await as('buyer').get(`/api/v1/accounts/${acct}/cash`)).json.balances.find((b) => b.currency === 'USD');
  const before = await cash();
  const w = await as('buyer').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '100.00', reference: 'payout' });
  assert.equal(w.status, 201, w.text);
  const during = await cash();
  assert.equal(during.locked_minor - before.locked_minor, 10000);
  assert.equal(before.available_minor - during.available_minor, 10000);
  problem(await as('buyer').post(`/api/v1/cash/withdrawals/${w.json.id}/approve`, {}), 403, 'AUTH_FORBIDDEN');
  // The admin has no second factor yet: refused, nothing changes.
  problem(await as('admin').post(`/api/v1/cash/withdrawals/${w.json.id}/approve`, {}), 401, 'AUTH_MFA_REQUIRED', 'otp');
  const e = await as('admin').post('/api/v1/auth/mfa/enroll');
  assert.equal(e.status, 201, e.text);
  const c = await as('admin').post('/api/v1/auth/mfa/confirm', { code: totp(e.json.secret) });
  assert.equal(c.status, 200, c.text);
  problem(await as('admin').post(`/api/v1/cash/withdrawals/${w.json.id}/approve`, {}), 401, 'AUTH_MFA_REQUIRED', 'otp');
  problem(await as('admin').post(`/api/v1/cash/withdrawals/${w.json.id}/approve`, { otp: totp(e.json.secret) }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
  const pend = await as('admin').get('/api/v1/cash/withdrawals?status=pending');
  assert.ok(pend.json.items.some((x) => x.id === w.json.id));
  problem(await as('admin').get('/api/v1/cash/withdrawals?status=maybe'), 400, 'REQUEST_INVALID_FIELD', 'status');
  const ap = await as('admin').post(`/api/v1/cash/withdrawals/${w.json.id}/approve`, { otp: totp(e.json.secret, 1) });
  assert.equal(ap.status, 200, ap.text);
  assert.equal(ap.json.status, 'approved');
  const after = await cash();
  assert.equal(after.locked_minor, before.locked_minor);
  assert.equal(before.available_minor - after.available_minor, 10000);
  problem(await as('admin').post(`/api/v1/cash/withdrawals/${w.json.id}/reject`, { reason: 'late' }), 409, 'REGISTRY_BAD_STATE', 'withdrawal');
  problem(await as('admin').post('/api/v1/cash/withdrawals/999999/reject', { reason: 'x' }), 404, 'REQUEST_NOT_FOUND', 'withdrawal');
  const a = await as('auditor').get('/api/v1/audit?kind=withdrawal_approved');
  assert.ok(a.json.items.some((x) => x.actor === users.admin.id && x.user === users.buyer.id));
});

// Sign-In with Ethereum with a real wallet library: ethers signs EIP-4361 messages.
import { Wallet } from 'ethers';

function siweMessage({ domain, address, uri, chainId, nonce, issuedAt, expirationTime }) {
  return `${domain} wants you to sign in with your Ethereum account:\n${address}\n\nSign in to CarbonXchange.\n\n` +
    `URI: ${uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${nonce}\nIssued At: ${issuedAt}` +
    (expirationTime ? `\nExpiration Time: ${expirationTime}` : '');
}

async function signedIn(wallet, overrides = {}) {
  const n = (await anon.get('/api/v1/auth/siwe/nonce')).json;
  const msg = siweMessage({
    domain: n.domain, address: wallet.address, uri: srv.url, chainId: n.chain_id, nonce: n.nonce,
    issuedAt: new Date().toISOString(), ...overrides,
  });
  return { msg, sig: await wallet.signMessage(msg), nonce: n };
}

test('SIWE: sign up and in with a wallet; replayed nonce, wrong domain, expired message and another key are refused', async () => {
  const w = Wallet.createRandom();
  // Unknown wallet without signup: refused (and the nonce is spent).
  let s = await signedIn(w);
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig }), 404, 'REGISTRY_UNKNOWN_USER', 'signature');
  s = await signedIn(w);
  const up = await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig, signup: true, display_name: 'Bot trader' });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.json.wallet, w.address.toLowerCase());
  assert.ok(up.json.access_token && up.json.refresh_token);
  const me = await anon.as(up.json.access_token).get('/api/v1/me');
  assert.equal(me.status, 200, me.text);
  // The same signed message again: its nonce is used.
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig }), 401, 'AUTH_BAD_TOKEN', 'nonce');
  // A fresh nonce signs in the same account.
  s = await signedIn(w);
  const again = await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.user.id, up.json.user.id);
  // Made for another site.
  s = await signedIn(w, { domain: 'evil.example' });
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig }), 401, 'AUTH_BAD_TOKEN', 'domain');
  // Expired.
  s = await signedIn(w, { issuedAt: new Date(Date.now() - 3600e3).toISOString(), expirationTime: new Date(Date.now() - 60e3).toISOString() });
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig }), 401, 'AUTH_TOKEN_EXPIRED', 'expiration_time');
  // Signed by another key than the address in the message.
  s = await signedIn(w);
  const other = Wallet.createRandom();
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: await other.signMessage(s.msg) }), 401, 'AUTH_BAD_CREDENTIALS', 'signature');
  // A nonce this server never issued.
  const fake = siweMessage({ domain: s.nonce.domain, address: w.address, uri: srv.url, chainId: s.nonce.chain_id, nonce: 'abcdef0123456789', issuedAt: new Date().toISOString() });
  problem(await anon.post('/api/v1/auth/siwe', { message: fake, signature: await w.signMessage(fake) }), 401, 'AUTH_BAD_TOKEN', 'nonce');
  // Another chain.
  s = await signedIn(w, { chainId: 999 });
  problem(await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig }), 401, 'AUTH_BAD_TOKEN', 'chain_id');
  problem(await anon.post('/api/v1/auth/siwe', { message: 'not a siwe message', signature: '0x00' }), 400, 'REQUEST_INVALID_FIELD', 'message');
});

test('SIWE: a signed-in user links a wallet, then signs in with it; a linked wallet cannot be linked twice', async () => {
  const w = Wallet.createRandom();
  let s = await signedIn(w);
  const link = await as('buyer').post('/api/v1/auth/siwe/link', { message: s.msg, signature: s.sig });
  assert.equal(link.status, 200, link.text);
  assert.ok(link.json.wallets.includes(w.address.toLowerCase()));
  s = await signedIn(w);
  const li = await anon.post('/api/v1/auth/siwe', { message: s.msg, signature: s.sig });
  assert.equal(li.status, 200, li.text);
  assert.equal(li.json.user.id, users.buyer.id);
  s = await signedIn(w);
  problem(await as('seller').post('/api/v1/auth/siwe/link', { message: s.msg, signature: s.sig }), 409, 'REQUEST_CONFLICT', 'address');
  const me = await as('buyer').get('/api/v1/me');
  assert.ok(me.json.wallets.includes(w.address.toLowerCase()), me.text);
  const a = await as('auditor').get(`/api/v1/audit?user=${users.buyer.id}&kind=wallet_linked`);
  assert.ok(a.json.items.some((x) => x.detail === w.address.toLowerCase()));
});

test('rate limits: per user, per IP and on sign-in; 429 with Retry-After, and nothing is written', async () => {
  const s2 = await startServer({ demo: true, limits: true, extra: ['--rate-limit-user', '5', '--rate-limit-ip', '5', '--rate-limit-auth', '2'] });
  try {
    const c = new Client(s2.url);
    // Sign-in attempts per IP: burst 4, then 429.
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await c.post('/api/v1/auth/login', { email: DEMO.buyer[0], password: 'wrong-password' })).status);
    assert.ok(codes.includes(429), codes.join());
    const r = await c.post('/api/v1/auth/login', { email: DEMO.buyer[0], password: 'wrong-password' });
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'REQUEST_RATE_LIMITED');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    // Anonymous reads per IP: burst 10.
    let limited = 0;
    for (let i = 0; i < 15; i++) if ((await c.get('/api/v1/projects')).status === 429) limited++;
    assert.ok(limited >= 3, `limited ${limited}`);
    await new Promise((res) => setTimeout(res, 2200));  // the sign-in bucket refills
    const l = await login(c, ...DEMO.buyer);
    const me = c.as(l.access_token);
    const seq0 = (await c.get('/api/v1/health')).json;
    let refused = 0;
    for (let i = 0; i < 15; i++) {
      const x = await me.post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '0.01' });
      if (x.status === 429) refused++; else assert.equal(x.status, 201, x.text);
    }
    assert.ok(refused >= 3, `refused ${refused}`);
    assert.ok(seq0);
  } finally {
    await s2.stop();
    cleanup(s2.data);
  }
});

test('sessions: listed per user, one ends another device\'s session; its refresh token stops working', async () => {
  const a = await login(anon, DEMO.seller[0], DEMO.seller[1]);
  const b = await login(anon, DEMO.seller[0], DEMO.seller[1]);
  const list = await anon.as(a.access_token).get('/api/v1/auth/sessions');
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.length >= 2);
  assert.ok(list.json.items.every((x) => typeof x.id === 'number'));
  const newest = list.json.items[0];
  assert.equal(newest.active, true);
  // Another user's session is not found for me.
  problem(await as('buyer').req('DELETE', `/api/v1/auth/sessions/${newest.id}`), 404, 'REQUEST_NOT_FOUND', 'id');
  const del = await anon.as(a.access_token).req('DELETE', `/api/v1/auth/sessions/${newest.id}`);
  assert.equal(del.status, 200, del.text);
  problem(await anon.as(a.access_token).req('DELETE', `/api/v1/auth/sessions/${newest.id}`), 409, 'REGISTRY_BAD_STATE', 'id');
  // b was the newest sign-in: its refresh token no longer works; a's still does.
  problem(await anon.post('/api/v1/auth/refresh', { refresh_token: b.refresh_token }), 401, 'AUTH_BAD_TOKEN', 'refresh_token');
  const ok = await anon.post('/api/v1/auth/refresh', { refresh_token: a.refresh_token });
  assert.equal(ok.status, 200, ok.text);
});

test('second-factor guessing is bounded: after five wrong codes the account\'s codes are refused for a while', async () => {
  const s3 = await startServer({ demo: true });
  try {
    const c = new Client(s3.url);
    const l = await login(c, ...DEMO.buyer);
    const me = c.as(l.access_token);
    const e = await me.post('/api/v1/auth/mfa/enroll');
    assert.equal(e.status, 201, e.text);
    assert.equal((await me.post('/api/v1/auth/mfa/confirm', { code: totp(e.json.secret) })).status, 200);
    const [email, pw] = DEMO.buyer;
    for (let i = 0; i < 5; i++)
      problem(await c.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret, 9 + i) }), 401, 'AUTH_BAD_CREDENTIALS', 'otp');
    // Now even the right code is refused until the window passes.
    problem(await c.post('/api/v1/auth/login', { email, password: pw, otp: totp(e.json.secret, 1) }), 429, 'REQUEST_RATE_LIMITED', 'otp');
  } finally {
    await s3.stop();
    cleanup(s3.data);
  }
});

test('password guessing locks the account for a while, from any address, without costing a hash', async () => {
  const s4 = await startServer({ demo: true });
  try {
    const c = new Client(s4.url);
    const [email, pw] = DEMO.seller;
    // Another account is not affected by the lock.
    const other = await login(c, ...DEMO.buyer);
    for (let i = 0; i < 10; i++)
      problem(await c.post('/api/v1/auth/login', { email, password: `wrong-${i}-password` }), 401, 'AUTH_BAD_CREDENTIALS');
    // The eleventh attempt is refused even with the right password, and says when to retry.
    const r = await c.post('/api/v1/auth/login', { email, password: pw });
    problem(r, 429, 'REQUEST_RATE_LIMITED', 'password');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 900, `Retry-After ${retry}`);
    assert.ok(!r.json.access_token);
    assert.ok(other.access_token);
    assert.equal((await c.post('/api/v1/auth/login', { email: DEMO.buyer[0], password: DEMO.buyer[1] })).status, 200);
    // The ten failures are in the security audit (the lock itself writes nothing).
    const aud = await login(c, ...DEMO.auditor);
    let fails = 0;
    for (let i = 0; i < 40 && fails < 10; i++) {
      const a = await c.as(aud.access_token).get('/api/v1/audit?page_size=200');
      assert.equal(a.status, 200, a.text);
      fails = a.json.items.filter((x) => x.kind === 'login_failed' && x.detail === 'wrong password').length;
      if (fails < 10) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(fails, 10);
  } finally {
    await s4.stop();
    cleanup(s4.data);
  }
});

test('admins and verifiers act only after a second factor: their roles are withheld until they enroll', async () => {
  const s5 = await startServer({ demo: true, mfa: true });
  try {
    const c = new Client(s5.url);
    for (const [role, probe] of [['admin', (me, uid) => me.req('PUT', `/api/v1/users/${uid}/roles`, { roles: ['trader'] })],
                                 ['verifier', (me) => me.post('/api/v1/issuances/999999/approve', {})]]) {
      const l = await login(c, ...DEMO[role]);
      assert.deepEqual(l.withheld_roles, [role]);
      assert.ok(l.user.roles.includes(role));  // still the user's role, just not in this token
      const me = c.as(l.access_token);
      const buyer = await login(new Client(s5.url), ...DEMO.buyer);
      assert.deepEqual(buyer.withheld_roles, []);
      problem(await probe(me, buyer.user.id), 403, 'AUTH_FORBIDDEN');
      // A refresh does not restore the role either.
      const r = await c.post('/api/v1/auth/refresh', { refresh_token: l.refresh_token });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.withheld_roles, [role]);
      // Enrolling (the confirmation proves the factor) lifts the hold: the next sign-in
      // needs the code and carries the role.
      const e = await me.post('/api/v1/auth/mfa/enroll');
      assert.equal(e.status, 201, e.text);
      assert.equal((await me.post('/api/v1/auth/mfa/confirm', { code: totp(e.json.secret) })).status, 200);
      problem(await c.post('/api/v1/auth/login', { email: DEMO[role][0], password: DEMO[role][1] }), 401, 'AUTH_MFA_REQUIRED', 'otp');
      const l2 = await c.post('/api/v1/auth/login', { email: DEMO[role][0], password: DEMO[role][1], otp: totp(e.json.secret, 1) });
      assert.equal(l2.status, 200, l2.text);
      assert.deepEqual(l2.json.withheld_roles, []);
      const p2 = await probe(c.as(l2.json.access_token), buyer.user.id);
      assert.notEqual(p2.status, 403, p2.text);  // past the role check: 200 for roles, 404 for the unknown issuance
    }
  } finally {
    await s5.stop();
    cleanup(s5.data);
  }
});
