// KYC/AML and the payment processor, against a real server: cases with sealed personal
// details, sanctions screening (a hit needs an admin's override), admin decisions, limits
// per level on deposits, withdrawals and orders, the KYC provider's signed webhook, and
// the payment webhook (good, replayed, bad signature, stale, held over the limit,
// SQL metacharacters and 1 MB fields).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, login, DEMO, cleanup, ROOT, signWebhook, kycVerify, e2ePaper, problem } from './lib.mjs';

let srv, anon;
const tok = {};
const users = {};
let kycSecret, paySecret;
const as = (who) => anon.as(tok[who]);

// A 1 MB field is refused either by the route's body limit (413) or by the field check (400).
function tooBig(r, field) {
  if (r.status === 413) return problem(r, 413, 'REQUEST_TOO_LARGE');
  return problem(r, 400, 'REQUEST_INVALID_FIELD', field);
}

async function newUser(name) {
  const email = `${name}.${process.pid}.${Date.now()}@example.org`;
  const r = await anon.post('/api/v1/auth/register', { email, password: 'correct horse battery', roles: ['trader'] });
  assert.equal(r.status, 201, r.text);
  const l = await login(anon, email, 'correct horse battery');
  tok[name] = l.access_token;
  users[name] = l.user;
  return l.user;
}

const seqNow = async () => (await anon.get('/api/v1/health')).json.committed_seq;
async function cash(who, currency = 'USD') {
  const r = await as(who).get(`/api/v1/accounts/${users[who].account}/cash`);
  assert.equal(r.status, 200, r.text);
  const b = r.json.balances.find((x) => x.currency === currency);
  return b ? b.available_minor : 0;
}
const deposit = (account, amount, currency = 'USD') => as('admin').post('/api/v1/cash/deposits', { account, currency, amount });
const details = (legal_name, more = {}) => ({
  requested_level: 'basic', legal_name, date_of_birth: '1979-03-14', country: 'FR', address: '12 rue de Test, 75001 Paris', ...more,
});

function hook(path, secret, event, { t, header } = {}) {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const name = path.endsWith('payments') ? 'stripe-signature' : 'cx-signature';
  const headers = { [name]: header ?? signWebhook(body, secret, t) };
  return anon.req('POST', path, body, { raw: true, headers });
}
const payEvent = (id, intent, amount, metadata, type = 'payment_intent.succeeded', currency = 'usd') => ({
  id, type, data: { object: { id: intent, object: 'payment_intent', amount, currency, metadata } },
});

before(async () => {
  srv = await startServer({ demo: true, extra: ['--sanctions', join(ROOT, 'backend/testdata/sanctions-sample.csv')] });
  assert.match(srv.log(), /sanctions screening: 6 names/);
  anon = new Client(srv.url);
  for (const who of ['admin', 'auditor', 'buyer', 'seller']) {
    const l = await login(anon, DEMO[who][0], DEMO[who][1]);
    tok[who] = l.access_token;
    users[who] = l.user;
  }
  kycSecret = readFileSync(join(srv.data, 'kyc-webhook.key'), 'utf8').trim();
  paySecret = readFileSync(join(srv.data, 'payments-webhook.key'), 'utf8').trim();
});
after(async () => { await srv.stop(); cleanup(srv.data); });

test('a new user has level none: no deposits until verified', async () => {
  const u = await newUser('newbie');
  const me = await as('newbie').get('/api/v1/kyc/me');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.level, 'none');
  assert.equal(me.json.case, null);
  assert.equal(me.json.limits.deposit_24h, '0.00');
  const before = await seqNow();
  problem(await deposit(u.account, '10.00'), 422, 'RISK_LIMIT_EXCEEDED', 'amount');
  assert.equal(await seqNow(), before, 'refusals write nothing');
  // The demo's traders are verified (full).
  assert.equal((await as('buyer').get('/api/v1/kyc/me')).json.level, 'full');
});

const paper = (who) => e2ePaper(as(who), users.admin.id);

test('submit, screening clean, admin decision, and limits on deposits, withdrawals and orders', async () => {
  const u = await newUser('basic');
  const name = `Amélie Dupont-${process.pid}`;
  // Papers must be the applicant's own end-to-end documents with an envelope.
  problem(await as('basic').post('/api/v1/kyc/cases', details(name, { documents: ['bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'] })),
    400, 'REQUEST_INVALID_FIELD', 'documents');
  problem(await as('basic').post('/api/v1/kyc/cases', details(name, { documents: [await paper('buyer')] })), 400, 'REQUEST_INVALID_FIELD', 'documents');
  const plain = await fetch(`${srv.url}/api/v1/documents`, {
    method: 'POST', body: 'a clear-text paper', headers: { authorization: `Bearer ${tok.basic}`, 'content-type': 'text/plain' },
  });
  assert.equal(plain.status, 201);
  problem(await as('basic').post('/api/v1/kyc/cases', details(name, { documents: [(await plain.json()).cid] })), 400, 'REQUEST_INVALID_FIELD', 'documents');
  assert.equal((await as('basic').get('/api/v1/kyc/me')).json.level, 'none');
  const c = await as('basic').post('/api/v1/kyc/cases', details(name, { documents: [await paper('basic')] }));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.status, 'pending');
  assert.equal(c.json.screening.hit, false);
  assert.equal(c.json.legal_name, name);
  assert.equal(c.json.documents.length, 1);
  assert.equal((await as('basic').get('/api/v1/kyc/me')).json.level, 'pending');
  problem(await as('basic').post('/api/v1/kyc/cases', details(name)), 409, 'REQUEST_CONFLICT');
  // Reviewers see the details; other users do not see the case at all.
  const list = await as('auditor').get('/api/v1/kyc/cases?status=pending');
  assert.equal(list.status, 200, list.text);
  const mine = list.json.items.find((x) => x.id === c.json.id);
  assert.equal(mine.legal_name, name);
  assert.equal(mine.address, '12 rue de Test, 75001 Paris');
  problem(await as('buyer').get('/api/v1/kyc/cases'), 403, 'AUTH_FORBIDDEN');
  problem(await as('buyer').get(`/api/v1/kyc/cases/${c.json.id}`), 404, 'REQUEST_NOT_FOUND');
  assert.equal((await as('basic').get(`/api/v1/kyc/cases/${c.json.id}`)).json.date_of_birth, '1979-03-14');
  problem(await as('buyer').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level: 'basic' }), 403, 'AUTH_FORBIDDEN');
  problem(await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'reject' }), 400, 'REQUEST_MISSING_FIELD', 'reason');
  const d = await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level: 'basic', reason: 'documents match' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.status, 'approved');
  assert.equal(d.json.level, 'basic');
  assert.equal(d.json.reviewer, users.admin.id);
  const me = await as('basic').get('/api/v1/kyc/me');
  assert.equal(me.json.level, 'basic');
  assert.equal(me.json.limits.deposit_24h, '10000.00');

  // Deposits: 10,000.00 per rolling 24 h.
  assert.equal((await deposit(u.account, '6000.00')).status, 201);
  const over = await deposit(u.account, '4000.01');
  problem(over, 422, 'RISK_LIMIT_EXCEEDED', 'amount');
  assert.match(over.json.detail || over.json.message || over.text, /4000\.00 left/);
  assert.equal((await deposit(u.account, '4000.00')).status, 201);
  // Withdrawals: 10,000.00 per rolling 24 h (a rejected request stops counting).
  const w1 = await as('basic').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '9000.00' });
  assert.equal(w1.status, 201, w1.text);
  problem(await as('basic').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '1000.01' }), 422, 'RISK_LIMIT_EXCEEDED', 'amount');
  assert.equal((await as('admin').post(`/api/v1/cash/withdrawals/${w1.json.id}/reject`, { reason: 'test' })).status, 200);
  assert.equal((await as('basic').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '1000.01' })).status, 201);
  // Orders: a buy up to 10,000.00 of value. (More cash than a day's deposits first: a payment
  // held over the limit and released by an admin.)
  const pay = await hook('/api/v1/webhooks/payments', paySecret, payEvent(`evt_t2_${process.pid}`, `pi_t2_${process.pid}`, 500_000, { account: String(u.account) }));
  assert.equal(pay.json.payment.status, 'held', pay.text);
  assert.equal((await as('admin').post(`/api/v1/payments/${pay.json.payment.id}/release`, {})).status, 200);
  problem(await as('basic').post('/api/v1/orders', { instrument: 1, side: 'buy', price: '20.00', quantity: '501.000' }), 422,
    'RISK_LIMIT_EXCEEDED', 'quantity');
  const o = await as('basic').post('/api/v1/orders', { instrument: 1, side: 'buy', price: '20.00', quantity: '400.000' });
  assert.equal(o.status, 201, o.text);
  // ... and replacing it above the limit is refused too.
  problem(await as('basic').post(`/api/v1/orders/${o.json.id}/replace`, { price: '20.00', quantity: '600.000' }), 422,
    'RISK_LIMIT_EXCEEDED', 'quantity');

  // Personal details never reach the journal in clear.
  const db = readFileSync(join(srv.data, 'carbonx.db'));
  const wal = existsSync(join(srv.data, 'carbonx.db-wal')) ? readFileSync(join(srv.data, 'carbonx.db-wal')) : Buffer.alloc(0);
  for (const f of [db, wal]) {
    assert.ok(!f.includes(Buffer.from(name)), 'legal name in the journal');
    assert.ok(!f.includes(Buffer.from('12 rue de Test')), 'address in the journal');
    assert.ok(!f.includes(Buffer.from('1979-03-14')), 'date of birth in the journal');
  }
});

test('a sanctions screening hit keeps the case pending, alerts admins and needs an override', async () => {
  await newUser('flagged');
  const c = await as('flagged').post('/api/v1/kyc/cases', details('ivan SANCTIONOV', { requested_level: 'full' }));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.status, 'pending');
  assert.equal(c.json.screening.hit, true);
  assert.equal(c.json.screening.matches[0].name, 'SANCTIONOV, Ivan Petrovich');
  assert.equal(c.json.screening.matches[0].list, 'sanctions-sample.csv');
  assert.ok(c.json.screening.matches[0].score >= 0.9);
  const alerts = await as('admin').get('/api/v1/alerts?kind=sanctions_hit');
  assert.equal(alerts.status, 200, alerts.text);
  assert.ok(alerts.json.items.some((a) => a.accounts.includes(users.flagged.account) && /SANCTIONOV/.test(a.evidence)), alerts.text);
  // Diacritics, punctuation and order do not hide a name.
  await newUser('flagged2');
  const c2 = await as('flagged2').post('/api/v1/kyc/cases', details('Jurgen MULLER schwarz'));
  assert.equal(c2.json.screening.hit, true, c2.text);
  // Neither the provider nor a plain approval clears a hit.
  const ev = { id: `evt_hit_${process.pid}`, type: 'verification.completed', data: { case_id: c.json.id, result: 'approved', level: 'full' } };
  problem(await hook('/api/v1/webhooks/kyc', kycSecret, ev), 409, 'REGISTRY_BAD_STATE');
  problem(await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level: 'full' }), 409, 'REGISTRY_BAD_STATE', 'override');
  problem(await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'approve', level: 'full', override: true }), 409,
    'REGISTRY_BAD_STATE', 'override');
  assert.equal((await as('flagged').get('/api/v1/kyc/me')).json.level, 'pending');
  const ok = await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`,
    { decision: 'approve', level: 'full', override: true, reason: 'false positive: different date of birth and nationality' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.override, true);
  const rej = await as('admin').post(`/api/v1/kyc/cases/${c2.json.id}/decision`, { decision: 'reject', reason: 'listed person' });
  assert.equal(rej.json.status, 'rejected');
  const audit = await as('auditor').get(`/api/v1/audit?user=${users.flagged.id}`);
  assert.ok(audit.json.items.some((e) => e.kind === 'kyc_approved' && /overriding/.test(e.detail)), audit.text);
});

test('the KYC provider webhook: signed, idempotent by event id, refusing bad and stale signatures', async () => {
  await newUser('viaprovider');
  const c = await as('viaprovider').post('/api/v1/kyc/cases', details(`Zoë Provider ${process.pid}`, { requested_level: 'full' }));
  assert.equal(c.status, 201, c.text);
  const ev = { id: `evt_kyc_${process.pid}`, type: 'verification.completed', data: { case_id: c.json.id, result: 'approved', level: 'full' } };
  const before = await seqNow();
  problem(await hook('/api/v1/webhooks/kyc', 'not-the-secret-at-all', ev), 400, 'REQUEST_INVALID_FIELD', 'CX-Signature');
  problem(await hook('/api/v1/webhooks/kyc', kycSecret, ev, { t: Math.floor(Date.now() / 1000) - 3600 }), 400, 'REQUEST_INVALID_FIELD', 'CX-Signature');
  problem(await hook('/api/v1/webhooks/kyc', kycSecret, ev, { header: 'garbage' }), 400, 'REQUEST_INVALID_FIELD', 'CX-Signature');
  problem(await anon.post('/api/v1/webhooks/kyc', ev), 400, 'REQUEST_INVALID_FIELD', 'CX-Signature');
  assert.equal(await seqNow(), before, 'nothing changes on a bad signature');
  const r = await hook('/api/v1/webhooks/kyc', kycSecret, ev);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.duplicate, false);
  const me = await as('viaprovider').get('/api/v1/kyc/me');
  assert.equal(me.json.level, 'full');
  assert.equal(me.json.case.source, 'provider');
  const again = await hook('/api/v1/webhooks/kyc', kycSecret, ev);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.duplicate, true);
  const other = await hook('/api/v1/webhooks/kyc', kycSecret, { id: 'evt_other', type: 'applicant.created', data: {} });
  assert.equal(other.json.ignored, true);
  problem(await hook('/api/v1/webhooks/kyc', kycSecret, { ...ev, id: `evt_missing_${process.pid}`, data: { ...ev.data, case_id: 999999 } }), 404, 'REQUEST_NOT_FOUND');
});

test('the payment webhook credits once, holds over the limit, and refuses bad signatures', async () => {
  const acct = users.buyer.account;
  const before = await cash('buyer');
  const ev = payEvent(`evt_pay_${process.pid}`, `pi_${process.pid}`, 123456, { account: String(acct) });
  const r = await hook('/api/v1/webhooks/payments', paySecret, ev);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.payment.status, 'credited');
  assert.equal(r.json.payment.amount, '1234.56');
  assert.equal(await cash('buyer'), before + 123456);
  // Replays: the same event, and the same payment in another event, credit nothing.
  const seq = await seqNow();
  assert.equal((await hook('/api/v1/webhooks/payments', paySecret, ev)).json.duplicate, true);
  assert.equal((await hook('/api/v1/webhooks/payments', paySecret, { ...ev, id: `evt_pay2_${process.pid}` })).json.duplicate, true);
  assert.equal(await cash('buyer'), before + 123456);
  // Bad signature, stale timestamp, missing header: 400 and nothing changes.
  const ev3 = payEvent(`evt_pay3_${process.pid}`, `pi3_${process.pid}`, 500, { account: String(acct) });
  problem(await hook('/api/v1/webhooks/payments', 'whsec_wrong', ev3), 400, 'REQUEST_INVALID_FIELD', 'Stripe-Signature');
  problem(await hook('/api/v1/webhooks/payments', paySecret, ev3, { t: Math.floor(Date.now() / 1000) - 301 }), 400, 'REQUEST_INVALID_FIELD', 'Stripe-Signature');
  problem(await anon.post('/api/v1/webhooks/payments', ev3), 400, 'REQUEST_INVALID_FIELD', 'Stripe-Signature');
  // A body altered after signing.
  const signed = JSON.stringify(ev3);
  const header = signWebhook(signed, paySecret);
  problem(await anon.req('POST', '/api/v1/webhooks/payments', signed.replace('500', '50000'), { raw: true, headers: { 'stripe-signature': header } }),
    400, 'REQUEST_INVALID_FIELD', 'Stripe-Signature');
  assert.equal(await seqNow(), seq);
  assert.equal(await cash('buyer'), before + 123456);
  // Other event types are acknowledged and ignored.
  const ign = await hook('/api/v1/webhooks/payments', paySecret, payEvent('evt_refund', 'pi_x', 1, {}, 'charge.refunded'));
  assert.equal(ign.status, 200, ign.text);
  assert.equal(ign.json.ignored, true);
  // metadata.user works too; unknown accounts are refused.
  const byUser = await hook('/api/v1/webhooks/payments', paySecret, payEvent(`evt_u_${process.pid}`, `pi_u_${process.pid}`, 100, { user: String(users.buyer.id) }));
  assert.equal(byUser.json.payment.account, acct);
  problem(await hook('/api/v1/webhooks/payments', paySecret, payEvent('evt_nobody', 'pi_nobody', 100, { account: '999999' })), 404, 'REGISTRY_UNKNOWN_ACCOUNT');
  problem(await hook('/api/v1/webhooks/payments', paySecret, payEvent('evt_neg', 'pi_neg', -5, { account: String(acct) })), 400, 'REQUEST_INVALID_FIELD', 'data.object.amount');

  // Over the deposit limit the payment is held, not lost; an admin releases or refunds it.
  const u = await newUser('payee');
  await kycVerify(as('admin'), as('payee'), 'basic');
  const big = await hook('/api/v1/webhooks/payments', paySecret, payEvent(`evt_big_${process.pid}`, `pi_big_${process.pid}`, 1_500_000, { account: String(u.account) }));
  assert.equal(big.status, 200, big.text);
  assert.equal(big.json.payment.status, 'held');
  assert.match(big.json.payment.reason, /limit/);
  assert.equal(await cash('payee'), 0);
  const small = await hook('/api/v1/webhooks/payments', paySecret, payEvent(`evt_small_${process.pid}`, `pi_small_${process.pid}`, 2_000, { account: String(u.account) }));
  assert.equal(small.json.payment.status, 'credited');
  const held = await as('admin').get('/api/v1/payments?status=held');
  assert.ok(held.json.items.some((p) => p.id === big.json.payment.id));
  problem(await as('buyer').get('/api/v1/payments'), 403, 'AUTH_FORBIDDEN');
  problem(await as('payee').post(`/api/v1/payments/${big.json.payment.id}/release`, {}), 403, 'AUTH_FORBIDDEN');
  const rel = await as('admin').post(`/api/v1/payments/${big.json.payment.id}/release`, { reason: 'source of funds verified' });
  assert.equal(rel.status, 200, rel.text);
  assert.equal(rel.json.status, 'released');
  assert.equal(await cash('payee'), 1_502_000);
  problem(await as('admin').post(`/api/v1/payments/${big.json.payment.id}/refund`, { reason: 'x' }), 409, 'REGISTRY_BAD_STATE');
  const big2 = await hook('/api/v1/webhooks/payments', paySecret, payEvent(`evt_big2_${process.pid}`, `pi_big2_${process.pid}`, 10, { account: String(u.account) }));
  assert.equal(big2.json.payment.status, 'held');
  problem(await as('admin').post(`/api/v1/payments/${big2.json.payment.id}/refund`, {}), 400, 'REQUEST_MISSING_FIELD', 'reason');
  assert.equal((await as('admin').post(`/api/v1/payments/${big2.json.payment.id}/refund`, { reason: 'over the limit' })).json.status, 'refunded');
  assert.equal(await cash('payee'), 1_502_000);
});

test('SQL metacharacters and 1 MB strings in KYC and webhook fields', async () => {
  await newUser('nasty');
  const sql = `Robert'); DROP TABLE journal;-- "x" \\ %_`;
  const c = await as('nasty').post('/api/v1/kyc/cases', details(sql, { address: `1' OR '1'='1; DELETE FROM users` }));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.legal_name, sql);
  assert.equal((await as('auditor').get(`/api/v1/kyc/cases/${c.json.id}`)).json.legal_name, sql);
  const huge = 'x'.repeat(1 << 20);
  tooBig(await as('nasty').post('/api/v1/kyc/cases', details(huge)), 'legal_name');
  tooBig(await as('admin').post(`/api/v1/kyc/cases/${c.json.id}/decision`, { decision: 'reject', reason: huge }), 'reason');
  // Just under a body limit, still far over the field's.
  problem(await as('nasty').post('/api/v1/kyc/cases', details('y'.repeat(20000))), 400, 'REQUEST_INVALID_FIELD', 'legal_name');
  const ev = payEvent(`evt_'; DROP TABLE journal;--${process.pid}`, `pi_"sql"_${process.pid}`, 1, { account: String(users.buyer.account) });
  const r = await hook('/api/v1/webhooks/payments', paySecret, ev);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.payment.event_id, ev.id);
  tooBig(await hook('/api/v1/webhooks/payments', paySecret, payEvent(huge, 'pi_huge', 1, { account: String(users.buyer.account) })), 'id');
  tooBig(await hook('/api/v1/webhooks/kyc', kycSecret, { id: huge, type: 'verification.completed', data: { case_id: c.json.id, result: 'approved' } }), 'id');
  problem(await hook('/api/v1/webhooks/payments', paySecret, payEvent('e'.repeat(5000), 'pi_long', 1, { account: String(users.buyer.account) })), 400,
    'REQUEST_INVALID_FIELD', 'id');
  // The server still answers and its journal verifies.
  assert.equal((await anon.get('/api/v1/health')).status, 200);
});

test('limits per level: listed to users, changed by admins only', async () => {
  const l = await as('buyer').get('/api/v1/kyc/limits');
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.none.deposit_24h, '0.00');
  assert.equal(l.json.basic.order_quantity, '1000.000');
  assert.equal(l.json.full.deposit_24h, '10000000.00');
  const body = { level: 'basic', deposit_24h: '20000.00', withdrawal_24h: null, order_notional: '15000.00', order_quantity: '1500.000' };
  problem(await as('buyer').put('/api/v1/kyc/limits', body), 403, 'AUTH_FORBIDDEN');
  problem(await as('admin').put('/api/v1/kyc/limits', { ...body, deposit_24h: 20000 }), 400, 'REQUEST_INVALID_FIELD', 'deposit_24h');
  problem(await as('admin').put('/api/v1/kyc/limits', { level: 'basic' }), 400, 'REQUEST_MISSING_FIELD', 'deposit_24h');
  const p = await as('admin').put('/api/v1/kyc/limits', body);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.basic.deposit_24h, '20000.00');
  assert.equal(p.json.basic.withdrawal_24h, null);
  // An admin can also set a level directly (an offline review, or a freeze).
  const u = await newUser('frozen');
  const s = await as('admin').post(`/api/v1/kyc/users/${u.id}/level`, { level: 'basic', reason: 'reviewed in branch' });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.level, 'basic');
  assert.equal((await deposit(u.account, '15000.00')).status, 201);
  assert.equal((await as('admin').post(`/api/v1/kyc/users/${u.id}/level`, { level: 'none', reason: 'frozen' })).json.level, 'none');
  problem(await deposit(u.account, '1.00'), 422, 'RISK_LIMIT_EXCEEDED', 'amount');
  // Frozen with cash: no orders, no withdrawals.
  problem(await as('frozen').post('/api/v1/orders', { instrument: 1, side: 'buy', price: '20.00', quantity: '1.000' }), 422,
    'RISK_LIMIT_EXCEEDED', 'quantity');
  problem(await as('frozen').post('/api/v1/cash/withdrawals', { currency: 'USD', amount: '1.00' }), 422, 'RISK_LIMIT_EXCEEDED', 'amount');
  problem(await as('frozen').post(`/api/v1/kyc/users/${u.id}/level`, { level: 'full' }), 403, 'AUTH_FORBIDDEN');
});
