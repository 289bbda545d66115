// HTTP tests of every exchange route (instruments, orders, fills, market data, indices,
// primary auctions) against a real carbonx started with --demo on a throwaway data
// directory: exact cash / fee / credit movements per fill, every order type, refusals
// that leave the journal untouched, halts, a primary auction uncrossed by the server's
// market timer, and an acknowledged order surviving SIGKILL.
//
// Most groups trade on their own standard contract (admin-defined, criteria met by the
// demo batch 1), so each group starts with an empty book and no reference trades.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, cleanup, problem } from './lib.mjs';

let srv, anon, tok = {}, users = {};
const hits = new Set();
const BATCH = 1;  // the demo batch: developer ~14,000 t, seller 5,000 t, buyer 749.5 t
const FEE_ACCOUNT = 10;

async function signIn() {
  anon = new Client(srv.url);
  anon.hits = hits;
  for (const [role, [email, pw]] of Object.entries(DEMO)) {
    const l = await login(anon, email, pw);
    tok[role] = l.access_token;
    users[role] = l.user;
  }
}

before(async () => {
  srv = await startServer({ demo: true });
  await signIn();
  for (const role of ['buyer', 'seller', 'developer'])
    assert.equal((await as('admin').post('/api/v1/cash/deposits', { account: users[role].account, currency: 'USD', amount: '1000000.00' })).status, 201);
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const as = (role) => anon.as(tok[role]);
const seqNow = async () => (await anon.get('/api/v1/health')).json.committed_seq;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowS = () => Math.floor(Date.now() / 1000);


// USD balance of an account in minor units (admin view).
async function cash(account) {
  const r = await as('admin').get(`/api/v1/accounts/${account}/cash`);
  assert.equal(r.status, 200, r.text);
  const b = r.json.balances.find((x) => x.currency === 'USD') || { available_minor: 0, locked_minor: 0 };
  return { available: b.available_minor, locked: b.locked_minor };
}
const cashOf = (role) => cash(users[role].account);
async function holding(role, batch = BATCH) {
  const r = await as('admin').get(`/api/v1/accounts/${users[role].account}/holdings`);
  assert.equal(r.status, 200, r.text);
  const h = r.json.items.find((x) => x.batch === batch);
  return h ? { tradable: h.tradable_kg, escrowed: h.escrowed_kg } : { tradable: 0, escrowed: 0 };
}

let nContracts = 0;
// A fresh standard contract that batch 1 (BR, nature-based removal, vintage 2024) meets.
async function contract(extra = {}) {
  const r = await as('admin').post('/api/v1/instruments', {
    kind: 'contract', symbol: `T-${++nContracts}`,
    criteria: { countries: ['BR'], nature: 'nature', vintage_from: 2019 }, ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
const place = (role, body) => as(role).post('/api/v1/orders', body);
async function placeOk(role, body) {
  const r = await place(role, body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const sell = (inst, price, quantity, more = {}) => placeOk('seller', { instrument: inst, side: 'sell', price, quantity, batch: BATCH, ...more });
const buy = (inst, price, quantity, more = {}) => placeOk('buyer', { instrument: inst, side: 'buy', price, quantity, ...more });
async function book(inst) {
  const r = await anon.get(`/api/v1/markets/${inst}/book`);
  assert.equal(r.status, 200, r.text);
  const side = (a) => a.map((l) => [l.price, l.quantity, l.orders]);
  return { bids: side(r.json.bids), asks: side(r.json.asks), phase: r.json.phase };
}
async function order(role, id) {
  const r = await as(role).get(`/api/v1/orders/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
async function until(what, fn, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(150);
  }
}
// Fees as the server states them: basis points of the notional, floored per fill.
const fee = (notional, bp) => Math.floor((notional * bp) / 10000);

// Issues a fresh batch of `tonnes` to the developer (GS class: one verifier, no buffer).
async function issueBatch(project, vintage, tonnes) {
  const iss = await as('developer').post('/api/v1/issuances', { project, vintage, period_start: `${vintage}-01-01`, period_end: `${vintage}-12-31`, quantity: tonnes, report: `report-${vintage}`, verification_body: 'VVB' });
  assert.equal(iss.status, 201, iss.text);
  const a = await as('verifier').post(`/api/v1/issuances/${iss.json.id}/approve`);
  assert.equal(a.json.status, 'issued', a.text);
  return a.json.batch_detail.id;
}

let auctionBatch = 0, auctionInst = 0;
test('listing: a holder, the developer or an admin lists a batch, others may not; contracts are admin-only', async () => {
  // Two fresh batches of a new project of the developer.
  const gs = (await anon.get('/api/v1/credit-classes')).json.items.find((c) => c.code === 'GS');
  const p = await as('developer').post('/api/v1/projects', { name: 'Cerrado ARR', country: 'BR', methodology: 'AR-ACM0003', mitigation: 'removal', nature: 'nature_based', credit_class: gs.id });
  assert.equal(p.status, 201, p.text);
  await as('developer').post(`/api/v1/projects/${p.json.id}/submit`);
  assert.equal((await as('verifier').post(`/api/v1/projects/${p.json.id}/validate`)).json.status, 'validated');
  auctionBatch = await issueBatch(p.json.id, 2023, '100.000');
  const heldBatch = await issueBatch(p.json.id, 2024, '100.000');
  assert.equal((await as('developer').post('/api/v1/transfers', { to_account: users.seller.account, batch: heldBatch, quantity: '10.000' })).status, 201);

  const s0 = await seqNow();
  problem(await as('buyer').post('/api/v1/instruments', { batch: heldBatch }), 403, 'AUTH_FORBIDDEN', 'batch');
  problem(await as('buyer').post('/api/v1/instruments', { batch: 2 }), 403, 'AUTH_FORBIDDEN', 'batch');
  problem(await as('buyer').post('/api/v1/instruments', { kind: 'contract', symbol: 'NOPE', criteria: { countries: ['BR'] } }), 403, 'AUTH_FORBIDDEN', 'kind');
  problem(await as('admin').post('/api/v1/instruments', { batch: 99999 }), 404, 'REGISTRY_UNKNOWN_BATCH', 'batch');
  problem(await as('admin').post('/api/v1/instruments', {}), 400, 'REQUEST_MISSING_FIELD', 'batch');
  problem(await as('admin').post('/api/v1/instruments', { kind: 'option', batch: 2 }), 400, 'REQUEST_INVALID_FIELD', 'kind');
  problem(await as('admin').post('/api/v1/instruments', { kind: 'contract' }), 400, 'REQUEST_MISSING_FIELD', 'criteria');
  problem(await as('admin').post('/api/v1/instruments', { batch: 2, tick: '0.03', lot: '0.001' }), 400, 'REQUEST_INVALID_FIELD', 'lot_kg');
  problem(await as('admin').post('/api/v1/instruments', { batch: 2, symbol: 'bad symbol' }), 400, 'REQUEST_INVALID_FIELD', 'symbol');
  problem(await as('admin').post('/api/v1/instruments', { kind: 'contract', symbol: 'V', criteria: { vintage_from: 2030, vintage_to: 2020 } }), 400, 'REQUEST_INVALID_FIELD', 'criteria.vintage_to');
  problem(await as('admin').post('/api/v1/instruments', { kind: 'contract', symbol: 'V', criteria: { mitigation: 'both' } }), 400, 'REQUEST_INVALID_FIELD', 'mitigation');
  problem(await as('admin').post('/api/v1/instruments', { batch: 2, maker_fee_bp: 5000 }), 400, 'REQUEST_INVALID_FIELD', 'maker_fee_bp');
  problem(await as('admin').post('/api/v1/instruments', { batch: BATCH }), 409, 'REQUEST_CONFLICT', 'batch');  // the demo listed it
  assert.equal(await seqNow(), s0, 'refused listings must not write to the journal');

  // The seller holds the batch (not its developer, not an admin).
  const r = await as('seller').post('/api/v1/instruments', { batch: heldBatch, symbol: 'SDM-24', reference_price: '10.00' });
  assert.equal(r.status, 201, r.text);
  const i = r.json;
  assert.equal(i.kind, 'batch');
  assert.equal(i.batch, heldBatch);
  assert.equal(i.vintage, 2024);
  assert.equal(i.country, 'BR');
  assert.equal(i.project, p.json.id);
  assert.equal(i.tick, '0.01');
  assert.equal(i.lot, '1.000');
  assert.equal(i.lot_kg, 1000);
  assert.equal(i.maker_fee_bp, 10);
  assert.equal(i.taker_fee_bp, 20);
  assert.equal(i.phase, 'continuous');
  assert.equal(i.reference_price, '10.00');
  assert.equal(i.best_bid, null);
  problem(await as('admin').post('/api/v1/instruments', { batch: heldBatch }), 409, 'REQUEST_CONFLICT', 'batch');
  // Its developer lists the other one.
  const d = await as('developer').post('/api/v1/instruments', { batch: auctionBatch, symbol: 'CER-23', reference_price: '10.00' });
  assert.equal(d.status, 201, d.text);
  auctionInst = d.json.id;
  // An admin lists a batch it does not hold.
  const r2 = await as('admin').post('/api/v1/instruments', { batch: 2 });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.symbol, 'BATCH-2');
  problem(await as('admin').post('/api/v1/instruments', { kind: 'contract', symbol: 'SDM-24', criteria: {} }), 409, 'REQUEST_CONFLICT', 'symbol');

  // A standard contract by criteria (admin).
  const c = await as('admin').post('/api/v1/instruments', {
    kind: 'contract', symbol: 'NBS-BR-19', currency: 'USD', tick: '0.05', lot: '1.000', maker_fee_bp: 5, taker_fee_bp: 25,
    criteria: { standards: ['CX-NBS'], methodologies: ['VM0047'], countries: ['BR', 'CO', 'PE'], vintage_from: 2019,
      mitigation: 'removal', nature: 'nature', corsia: true },
  });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.kind, 'contract');
  assert.deepEqual(c.json.criteria, {
    standards: ['CX-NBS'], methodologies: ['VM0047'], countries: ['BR', 'CO', 'PE'], vintage_from: 2019, vintage_to: null,
    mitigation: 'removal', nature: 'nature', corsia: 'yes', corresponding_adjustment: 'any',
  });
  assert.equal(c.json.tick_minor, 5);
  assert.equal(c.json.maker_fee_bp, 5);

  const all = await anon.get('/api/v1/instruments');
  const syms = all.json.items.map((x) => x.symbol);
  for (const x of ['SERRA-24', 'SDM-24', 'CER-23', 'BATCH-2', 'NBS-BR-19']) assert.ok(syms.includes(x), x);
  const only = await anon.get('/api/v1/instruments?kind=contract');
  assert.ok(only.json.items.every((x) => x.kind === 'contract'));
  assert.ok(only.json.items.some((x) => x.symbol === 'NBS-BR-19'));
  assert.ok(!only.json.items.some((x) => x.symbol === 'SDM-24'));
  const one = await anon.get(`/api/v1/instruments/${c.json.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.symbol, 'NBS-BR-19');
  problem(await anon.get('/api/v1/instruments/99999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'id');

  // A sell into the contract names an eligible batch; the fill says what was delivered.
  const s1 = await seqNow();
  problem(await place('seller', { instrument: c.json.id, side: 'sell', price: '12.00', quantity: '1.000' }), 400, 'REQUEST_MISSING_FIELD', 'batch');
  problem(await place('admin', { instrument: c.json.id, side: 'sell', price: '12.00', quantity: '1.000', batch: 2 }), 400, 'REQUEST_INVALID_FIELD', 'batch');
  assert.equal(await seqNow(), s1);
  const ask = await sell(c.json.id, '12.00', '2.000');
  assert.equal(ask.batch, BATCH);
  const bid = await buy(c.json.id, '12.00', '1.000');
  assert.equal(bid.status, 'filled');
  assert.equal(bid.fills.length, 1);
  assert.equal(bid.fills[0].batch, BATCH);
  assert.equal(bid.fills[0].kg_ranges.reduce((s, [a, b]) => s + b - a, 0), 1000);
  // the sell order's resting remainder, then mass cancel it
  assert.equal((await as('seller').req('DELETE', `/api/v1/orders?instrument=${c.json.id}`)).json.cancelled, 1);
  assert.equal((await order('seller', ask.id)).status, 'cancelled');
});

test('a fill moves exactly notional + fee from the buyer, notional - fee to the seller, credits buyer-ward', async () => {
  const inst = await contract({ maker_fee_bp: 10, taker_fee_bp: 20 });
  const b0 = await cashOf('buyer'), s0 = await cashOf('seller');
  const hb0 = await holding('buyer'), hs0 = await holding('seller');

  // The seller rests 3 t at 12.99: credits move to escrow, no cash moves.
  const ask = await sell(inst, '12.99', '3.000');
  assert.equal(ask.status, 'open');
  assert.equal(ask.open_kg, 3000);
  assert.deepEqual(await holding('seller'), { tradable: hs0.tradable - 3000, escrowed: hs0.escrowed + 3000 });
  assert.deepEqual(await cashOf('seller'), s0);

  // A resting buy locks price x qty + the larger fee; a cancel gives it back.
  const rest = await buy(inst, '12.00', '1.000');
  const lock = 1200 + fee(1200, 20);
  assert.equal(rest.cash_locked, (lock / 100).toFixed(2));
  assert.deepEqual(await cashOf('buyer'), { available: b0.available - lock, locked: b0.locked + lock });
  const del = await as('buyer').req('DELETE', `/api/v1/orders/${rest.id}`);
  assert.equal(del.status, 200, del.text);
  assert.equal(del.json.status, 'cancelled');
  assert.deepEqual(await cashOf('buyer'), b0);

  // The buyer takes 2 t: notional 25.98; taker fee floor(2598 * 20 / 10^4) = 5 (5.196),
  // maker fee floor(2598 * 10 / 10^4) = 2 (2.598): rounding is down, per fill.
  const take = await buy(inst, '12.99', '2.000');
  assert.equal(take.status, 'filled');
  assert.equal(take.fills.length, 1);
  const f = take.fills[0];
  const notional = 2598, takerFee = fee(notional, 20), makerFee = fee(notional, 10);
  assert.equal(takerFee, 5);
  assert.equal(makerFee, 2);
  assert.equal(f.price, '12.99');
  assert.equal(f.quantity_kg, 2000);
  assert.equal(f.notional, '25.98');
  assert.equal(f.fee, '0.05');
  assert.equal(f.side, 'buy');
  assert.equal(f.liquidity, 'taker');
  assert.equal(take.fees, '0.05');
  assert.equal(take.average_price, '12.99');
  assert.equal(take.cash_locked, '0.00');
  assert.deepEqual(await cashOf('buyer'), { available: b0.available - notional - takerFee, locked: b0.locked });
  assert.deepEqual(await cashOf('seller'), { available: s0.available + notional - makerFee, locked: s0.locked });
  // Credits: 2,000 kg from the seller's escrow to the buyer's tradable holding.
  assert.deepEqual(await holding('seller'), { tradable: hs0.tradable - 3000, escrowed: hs0.escrowed + 1000 });
  assert.deepEqual(await holding('buyer'), { tradable: hb0.tradable + 2000, escrowed: hb0.escrowed });
  const kg = f.kg_ranges.reduce((s, [a, b]) => s + b - a, 0);
  assert.equal(kg, 2000);

  // Both sides see the fill in /fills with their own fee and liquidity.
  const fb = await as('buyer').get(`/api/v1/fills?instrument=${inst}`);
  assert.equal(fb.status, 200, fb.text);
  assert.equal(fb.json.total, 1);
  assert.equal(fb.json.items[0].id, f.id);
  const fs = await as('seller').get(`/api/v1/fills?instrument=${inst}`);
  assert.equal(fs.json.items[0].side, 'sell');
  assert.equal(fs.json.items[0].liquidity, 'maker');
  assert.equal(fs.json.items[0].fee, '0.02');
  assert.deepEqual(fs.json.items[0].kg_ranges, f.kg_ranges);
  const fAll = await as('seller').get('/api/v1/fills?page_size=500');
  assert.ok(fAll.json.items.some((x) => x.id === f.id));
  assert.equal((await as('developer').get(`/api/v1/fills?instrument=${inst}`)).json.total, 0);
  // The maker's order shows what is left.
  const a1 = await order('seller', ask.id);
  assert.equal(a1.open_kg, 1000);
  assert.equal(a1.filled_kg, 2000);
  assert.equal(a1.fees, '0.02');
  assert.equal(a1.status, 'open');
  // Two fills in one order: fees are floored per fill, 2 x floor(1299 * 20 / 10^4) = 2 x 2 = 4;
  // flooring the order's total (2598 * 20 / 10^4 = 5.196) would give 5.
  await sell(inst, '12.99', '1.000');  // second maker order at the same price
  const b1 = await cashOf('buyer');
  const two = await buy(inst, '12.99', '2.000');
  assert.equal(two.fills.length, 2);
  for (const x of two.fills) assert.equal(x.fee, '0.02');  // floor(1299 * 20 / 10^4) = 2 (2.598)
  assert.equal(two.fees, '0.04');
  assert.deepEqual(await cashOf('buyer'), { available: b1.available - 2 * 1299 - 2 * 2, locked: b1.locked });
});

test('fees are credited to the fee account (10), visible to an admin', async () => {
  // Every fill so far (the demo market's and the tests' above) was between the buyer and
  // the seller, so the fee account (10) holds exactly the sum of both sides' fees.
  const fills = [];
  for (const role of ['buyer', 'seller']) {
    const r = await as(role).get('/api/v1/fills?page_size=500');
    for (const x of r.json.items) fills.push(x);
  }
  const total = fills.reduce((s, x) => s + Math.round(Number(x.fee) * 100), 0);
  assert.ok(total > 0);
  const r = await as('admin').get(`/api/v1/accounts/${FEE_ACCOUNT}/cash`);
  assert.equal(r.status, 200, `GET /accounts/10/cash: ${r.text}`);
  assert.equal(r.json.balances.find((x) => x.currency === 'USD').available_minor, total);
});

test('fee schedule (admin): new orders lock and pay the new rates, resting ones never pay more', async () => {
  const inst = await contract({ maker_fee_bp: 10, taker_fee_bp: 20 });
  const path = `/api/v1/instruments/${inst}/fees`;
  problem(await as('buyer').req('PUT', path, { maker_fee_bp: 0, taker_fee_bp: 0 }), 403, 'AUTH_FORBIDDEN');
  problem(await as('admin').req('PUT', path, { maker_fee_bp: 10, taker_fee_bp: 1001 }), 400, 'REQUEST_INVALID_FIELD', 'taker_fee_bp');
  problem(await as('admin').req('PUT', path, { maker_fee_bp: 10 }), 400, 'REQUEST_MISSING_FIELD', 'taker_fee_bp');
  problem(await as('admin').req('PUT', `/api/v1/instruments/999999/fees`, { maker_fee_bp: 1, taker_fee_bp: 2 }), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument');
  const bid = await buy(inst, '10.00', '5');  // rests: locks 50.00 + 20 bp
  const raised = await as('admin').req('PUT', path, { maker_fee_bp: 50, taker_fee_bp: 100 });
  assert.equal(raised.status, 200, raised.text);
  assert.equal(raised.json.maker_fee_bp, 50);
  assert.equal(raised.json.taker_fee_bp, 100);
  await sell(inst, '10.00', '5');  // the seller takes at the new 100 bp; the bid pays its 20 bp cap
  const f = (await as('buyer').get(`/api/v1/fills?instrument=${inst}`)).json.items;
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0].buy_order, bid.id, JSON.stringify(f));
  assert.equal(f[0].fee, '0.10');
  const sf = (await as('seller').get(`/api/v1/fills?instrument=${inst}`)).json.items;
  assert.equal(sf.length, 1, JSON.stringify(sf));
  assert.equal(sf[0].fee, '0.50');
  // The change is in the security audit with its old and new rates.
  const a = await as('auditor').get('/api/v1/audit?kind=fees_changed&page_size=50');
  assert.equal(a.status, 200, a.text);
  assert.ok(a.json.items.some((x) => x.detail.includes(`instrument ${inst}`) && x.detail.includes('taker 20 -> 100')), a.text);
});

test('order types: market, IOC, FOK, post-only, iceberg, stop, stop-limit, GTT', async () => {
  const inst = await contract({ reference_price: '20.00', band_bp: 1000 });  // band 18.00 .. 22.00
  const b0 = await cashOf('buyer');

  // Market buy: protected at the band edge (22.00), fills at the resting price.
  await sell(inst, '20.00', '1.000');
  const m = await placeOk('buyer', { instrument: inst, side: 'buy', type: 'market', quantity: '1.000' });
  assert.equal(m.type, 'market');
  assert.equal(m.time_in_force, 'ioc');
  assert.equal(m.protection_price, '22.00');
  assert.equal(m.status, 'filled');
  assert.equal(m.fills[0].price, '20.00');
  assert.equal(m.cash_locked, '0.00');
  assert.deepEqual(await cashOf('buyer'), { available: b0.available - 2000 - fee(2000, 20), locked: b0.locked });
  problem(await place('buyer', { instrument: inst, side: 'buy', type: 'market', quantity: '1.000', price: '20.00' }), 400, 'REQUEST_INVALID_FIELD', 'price');
  // Market into an empty side: nothing to trade, cancelled, nothing locked afterwards.
  const m2 = await placeOk('buyer', { instrument: inst, side: 'buy', type: 'market', quantity: '1.000' });
  assert.equal(m2.status, 'cancelled');
  assert.equal(m2.filled_kg, 0);

  // IOC: takes what is there, the rest is cancelled.
  await sell(inst, '20.10', '1.000');
  const ioc = await buy(inst, '20.10', '3.000', { time_in_force: 'ioc' });
  assert.equal(ioc.status, 'cancelled');
  assert.equal(ioc.filled_kg, 1000);
  assert.equal(ioc.open_kg, 0);
  assert.equal(ioc.cash_locked, '0.00');

  // FOK: all or nothing; refused with its code, nothing traded, nothing stays locked.
  await sell(inst, '20.20', '1.000');
  const before = await cashOf('buyer');
  problem(await place('buyer', { instrument: inst, side: 'buy', price: '20.20', quantity: '2.000', time_in_force: 'fok' }), 422, 'MATCHING_FOK_NOT_FILLED', 'order');
  assert.deepEqual(await cashOf('buyer'), before);
  assert.deepEqual((await book(inst)).asks, [['20.20', '1.000', 1]]);
  const fok = await buy(inst, '20.20', '1.000', { time_in_force: 'fok' });
  assert.equal(fok.status, 'filled');

  // Post-only: refused when it would take, rests otherwise.
  await sell(inst, '20.50', '1.000');
  problem(await place('buyer', { instrument: inst, side: 'buy', price: '20.50', quantity: '1.000', post_only: true }), 422, 'MATCHING_POST_ONLY_WOULD_TRADE', 'order');
  const po = await buy(inst, '20.40', '1.000', { post_only: true });
  assert.equal(po.status, 'open');
  assert.equal(po.post_only, true);

  // Iceberg: 5 t showing 1 t; a 2 t buy takes two slices, 1 t shows again.
  const ice = await sell(inst, '21.00', '5.000', { display_quantity: '1.000' });
  assert.equal(ice.display_quantity, '1.000');
  let bk = await book(inst);
  assert.deepEqual(bk.asks, [['20.50', '1.000', 1], ['21.00', '1.000', 1]]);
  await as('buyer').req('DELETE', `/api/v1/orders/${po.id}`);
  const take = await buy(inst, '21.00', '3.000');  // 1 t at 20.50, then 2 t of the iceberg
  assert.equal(take.status, 'filled');
  assert.deepEqual(take.fills.map((x) => [x.price, x.quantity]), [['20.50', '1.000'], ['21.00', '1.000'], ['21.00', '1.000']]);
  assert.deepEqual((await book(inst)).asks, [['21.00', '1.000', 1]]);
  assert.equal((await order('seller', ice.id)).open_kg, 3000);
  problem(await place('seller', { instrument: inst, side: 'sell', price: '21.00', quantity: '1.000', batch: BATCH, display_quantity: '2.000' }), 422, 'REGISTRY_BAD_QUANTITY', 'display_quantity');
  await as('seller').req('DELETE', `/api/v1/orders?instrument=${inst}`);

  // The last trade was at 21.00. Stop-limit buy at 21.20 (limit 21.30): pending until a
  // trade at or above 21.20.
  const sl = await buy(inst, '21.30', '1.000', { type: 'stop_limit', stop_price: '21.20' });
  assert.equal(sl.status, 'pending_stop');
  assert.equal(sl.stop_price, '21.20');
  assert.equal(sl.cash_locked, ((2130 + fee(2130, 20)) / 100).toFixed(2));
  // Stop (market) sell at 20.00: pending until a trade at or below 20.00; protected at
  // the band below its stop price (20.00 - 10 % = 18.00).
  const st = await placeOk('seller', { instrument: inst, side: 'sell', type: 'stop', stop_price: '20.00', quantity: '1.000', batch: BATCH });
  assert.equal(st.status, 'pending_stop');
  assert.equal(st.protection_price, '18.00');
  assert.equal(st.time_in_force, 'ioc');
  await sell(inst, '21.20', '2.000');
  const trig = await buy(inst, '21.20', '1.000');  // trades at 21.20: the stop-limit buy triggers
  assert.equal(trig.status, 'filled');
  const sl1 = await order('buyer', sl.id);
  assert.equal(sl1.status, 'filled');
  assert.equal(sl1.filled_kg, 1000);
  assert.equal(sl1.average_price, '21.20');
  assert.equal((await order('seller', st.id)).status, 'pending_stop');
  // A sale into a bid at 19.90 (a trade at 19.90) triggers the stop sell, which then
  // sells into the next bid at 19.80.
  await buy(inst, '19.90', '1.000');
  await buy(inst, '19.80', '1.000');
  await placeOk('seller', { instrument: inst, side: 'sell', price: '19.90', quantity: '1.000', batch: BATCH });
  const st1 = await order('seller', st.id);
  assert.equal(st1.status, 'filled');
  assert.equal(st1.average_price, '19.80');
  problem(await place('buyer', { instrument: inst, side: 'buy', type: 'stop', quantity: '1.000' }), 400, 'REQUEST_MISSING_FIELD', 'stop_price');
  problem(await place('buyer', { instrument: inst, side: 'buy', price: '19.00', stop_price: '19.00', quantity: '1.000' }), 400, 'REQUEST_INVALID_FIELD', 'stop_price');

  // Self-trade prevention: the buyer's own offer is never hit by the buyer's bid.
  const own = await placeOk('buyer', { instrument: inst, side: 'sell', price: '20.30', quantity: '1.000', batch: BATCH });
  const newest = await buy(inst, '20.30', '1.000');  // stp cancel_newest (the default)
  assert.equal(newest.stp, 'cancel_newest');
  assert.equal(newest.filled_kg, 0);
  assert.equal(newest.status, 'cancelled');
  assert.equal((await order('buyer', own.id)).status, 'open');
  const oldest = await buy(inst, '20.30', '1.000', { stp: 'cancel_oldest' });
  assert.equal(oldest.filled_kg, 0);
  assert.equal(oldest.status, 'open');
  assert.equal((await order('buyer', own.id)).status, 'cancelled');
  await as('buyer').req('DELETE', `/api/v1/orders/${oldest.id}`);
  // Good-till-time: rests until expire_at, then the market timer expires it and frees its lock.
  const c0 = await cashOf('buyer');
  problem(await place('buyer', { instrument: inst, side: 'buy', price: '19.00', quantity: '1.000', time_in_force: 'gtt' }), 400, 'REQUEST_MISSING_FIELD', 'expire_at');
  problem(await place('buyer', { instrument: inst, side: 'buy', price: '19.00', quantity: '1.000', expire_at: nowS() + 60 }), 400, 'REQUEST_INVALID_FIELD', 'expire_at');
  const gtt = await buy(inst, '19.00', '1.000', { time_in_force: 'gtt', expire_at: nowS() + 3, client_order_id: 'gtt-1' });
  assert.equal(gtt.status, 'open');
  assert.equal(gtt.client_order_id, 'gtt-1');
  assert.ok(gtt.expire_at_us > Date.now() * 1000);
  assert.equal((await cashOf('buyer')).locked, c0.locked + 1900 + fee(1900, 20));
  await until('the GTT order to expire', async () => (await order('buyer', gtt.id)).status === 'expired');
  assert.equal((await cashOf('buyer')).locked, c0.locked);
  assert.ok(!(await book(inst)).bids.some((l) => l[0] === '19.00'));
  await as('buyer').req('DELETE', '/api/v1/orders');
  await as('seller').req('DELETE', '/api/v1/orders');
});

test('minimum fill: an order that cannot fill min_quantity at once is refused and trades nothing', async () => {
  const inst = await contract();
  const ask = await sell(inst, '20.30', '1.000');
  const cm = await cashOf('buyer');
  // Only 1 t is offered: a 3 t bid with a 2 t minimum must not trade.
  const r = await place('buyer', { instrument: inst, side: 'buy', price: '20.30', quantity: '3.000', min_quantity: '2.000', time_in_force: 'ioc' });
  const late = await order('seller', ask.id);
  await as('seller').req('DELETE', `/api/v1/orders?instrument=${inst}`);
  problem(r, 422, 'MATCHING_MIN_FILL_NOT_MET', 'order');
  assert.equal(late.filled_kg, 0, 'the offer must not have traded');
  assert.deepEqual(await cashOf('buyer'), cm);
});

test('cancel, replace, mass cancel and order lists', async () => {
  const inst = await contract({ tick: '0.05' });
  const b0 = await cashOf('buyer');
  const o1 = await buy(inst, '10.00', '1.000', { client_order_id: 'a' });
  const o2 = await buy(inst, '10.00', '2.000');
  const o3 = await buy(inst, '9.50', '1.000');
  assert.deepEqual((await book(inst)).bids, [['10.00', '3.000', 2], ['9.50', '1.000', 1]]);

  // Replace: same price, smaller quantity keeps priority; a new price moves the lock.
  const r1 = await as('buyer').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.00', quantity: '1.000' });
  assert.equal(r1.status, 200, r1.text);
  assert.equal(r1.json.open_kg, 1000);
  assert.equal(r1.json.cash_locked, ((1000 + fee(1000, 20)) / 100).toFixed(2));
  const r2 = await as('buyer').post(`/api/v1/orders/${o3.id}/replace`, { price: '9.75', quantity: '3.000' });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.price, '9.75');
  assert.equal(r2.json.open_kg, 3000);
  const locked = [1000, 1000, 2925].reduce((s, n) => s + n + fee(n, 20), 0);
  assert.deepEqual(await cashOf('buyer'), { available: b0.available - locked, locked: b0.locked + locked });
  assert.deepEqual((await book(inst)).bids, [['10.00', '2.000', 2], ['9.75', '3.000', 1]]);
  // Priority kept by o1 then o2 at 10.00: a sale of 1 t fills o1.
  await sell(inst, '10.00', '1.000');
  assert.equal((await order('buyer', o1.id)).status, 'filled');
  assert.equal((await order('buyer', o2.id)).status, 'open');
  const s0 = await seqNow();
  problem(await as('buyer').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.01', quantity: '1.000' }), 422, 'MATCHING_OFF_TICK', 'price');
  problem(await as('buyer').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.00', quantity: '1.500' }), 422, 'MATCHING_OFF_LOT', 'quantity');
  problem(await as('buyer').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.00' }), 400, 'REQUEST_MISSING_FIELD', 'quantity');
  problem(await as('buyer').post(`/api/v1/orders/${o1.id}/replace`, { price: '10.00', quantity: '1.000' }), 409, 'REGISTRY_BAD_STATE', 'order');
  problem(await as('seller').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.00', quantity: '1.000' }), 403, 'REGISTRY_NOT_HOLDER');
  problem(await as('buyer').post('/api/v1/orders/99999/replace', { price: '10.00', quantity: '1.000' }), 404, 'MATCHING_UNKNOWN_ORDER', 'order');
  problem(await as('buyer').post(`/api/v1/orders/${o2.id}/replace`, { price: '10.00', quantity: '99999999.000' }), 422, 'RISK_INSUFFICIENT_FUNDS', 'quantity');
  problem(await as('seller').req('DELETE', `/api/v1/orders/${o2.id}`), 403, 'REGISTRY_NOT_HOLDER');
  problem(await as('buyer').req('DELETE', '/api/v1/orders/99999'), 404, 'MATCHING_UNKNOWN_ORDER', 'order');
  problem(await as('buyer').req('DELETE', `/api/v1/orders/${o1.id}`), 409, 'REGISTRY_BAD_STATE', 'order');
  problem(await as('buyer').req('DELETE', '/api/v1/orders?instrument=99999'), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument');
  assert.equal(await seqNow(), s0, 'refused cancels and replaces must not write to the journal');

  // Lists: mine only, newest first, filters.
  const open = await as('buyer').get(`/api/v1/orders?instrument=${inst}&status=open`);
  assert.equal(open.status, 200, open.text);
  assert.deepEqual(open.json.items.map((x) => x.id), [o3.id, o2.id]);
  const closed = await as('buyer').get(`/api/v1/orders?instrument=${inst}&status=closed`);
  assert.deepEqual(closed.json.items.map((x) => x.id), [o1.id]);
  assert.equal((await as('buyer').get(`/api/v1/orders?instrument=${inst}`)).json.total, 3);
  assert.ok((await as('buyer').get('/api/v1/orders')).json.total >= 3);
  problem(await as('buyer').get('/api/v1/orders?status=maybe'), 400, 'REQUEST_INVALID_FIELD', 'status');
  problem(await as('buyer').get(`/api/v1/orders?account=${users.seller.account}`), 403, 'AUTH_FORBIDDEN', 'account');
  const audit = await as('auditor').get(`/api/v1/orders?account=${users.buyer.account}&instrument=${inst}`);
  assert.equal(audit.json.total, 3);
  problem(await as('seller').get(`/api/v1/orders/${o2.id}`), 404, 'MATCHING_UNKNOWN_ORDER', 'id');
  assert.equal((await as('auditor').get(`/api/v1/orders/${o2.id}`)).status, 200);
  problem(await anon.get('/api/v1/orders'), 401, 'AUTH_UNAUTHENTICATED');

  // Mass cancel: both open orders, locks released; a second one has nothing to do.
  const mc = await as('buyer').req('DELETE', `/api/v1/orders?instrument=${inst}`);
  assert.equal(mc.status, 200, mc.text);
  assert.equal(mc.json.cancelled, 2);
  assert.equal((await order('buyer', o3.id)).status, 'cancelled');
  assert.deepEqual((await book(inst)).bids, []);
  const s1 = await seqNow();
  assert.equal((await as('buyer').req('DELETE', `/api/v1/orders?instrument=${inst}`)).json.cancelled, 0);
  assert.equal(await seqNow(), s1);
  const b1 = await cashOf('buyer');
  assert.equal(b1.locked, b0.locked);
  assert.equal(b1.available, b0.available - 1000 - fee(1000, 10));  // only o1's fill was paid (o1 was the maker)
  // An admin may cancel anyone's order.
  const o4 = await buy(inst, '9.00', '1.000');
  const ac = await as('admin').req('DELETE', `/api/v1/orders/${o4.id}`);
  assert.equal(ac.status, 200, ac.text);
  assert.equal(ac.json.status, 'cancelled');
});

test('refused orders carry their code and field and change nothing', async () => {
  const inst = await contract({ tick: '0.05', reference_price: '10.00', band_bp: 1000 });
  const rest = await buy(inst, '9.00', '1.000');  // something in the book to compare
  const bare = await contract();  // no reference price, no band
  const s0 = await seqNow();
  const cb = await cashOf('buyer'), cs = await cashOf('seller'), hs = await holding('seller');
  const bk = await book(inst);
  const B = { instrument: inst, side: 'buy', price: '10.00', quantity: '1.000' };
  const S = { instrument: inst, side: 'sell', price: '10.00', quantity: '1.000', batch: BATCH };
  const cases = [
    ['buyer', { ...B, quantity: '0' }, 422, 'REGISTRY_BAD_QUANTITY', 'quantity'],
    ['buyer', { ...B, quantity: '0.000' }, 422, 'REGISTRY_BAD_QUANTITY', 'quantity'],
    ['buyer', { ...B, quantity: '-1.000' }, 422, 'REGISTRY_BAD_QUANTITY', 'quantity'],
    ['buyer', { ...B, quantity: 1 }, 400, 'REQUEST_INVALID_FIELD', 'quantity'],
    ['buyer', { ...B, quantity: '1.0001' }, 400, 'REQUEST_INVALID_FIELD', 'quantity'],
    ['buyer', { ...B, price: '10.01' }, 422, 'MATCHING_OFF_TICK', 'price'],
    ['buyer', { ...B, price: '0' }, 400, 'REQUEST_INVALID_FIELD', 'price'],
    ['buyer', { ...B, price: '-10.00' }, 400, 'REQUEST_INVALID_FIELD', 'price'],
    ['buyer', { ...B, quantity: '1.500' }, 422, 'MATCHING_OFF_LOT', 'quantity'],
    ['buyer', { ...B, instrument: 99999 }, 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument'],
    ['buyer', { ...B, quantity: '200000.000' }, 422, 'RISK_INSUFFICIENT_FUNDS', 'quantity'],
    ['auditor', { ...B }, 422, 'RISK_INSUFFICIENT_FUNDS', 'quantity'],
    ['seller', { ...S, quantity: '9000.000' }, 422, 'REGISTRY_INSUFFICIENT_CREDITS', 'quantity'],
    ['buyer', { ...S, quantity: '5000.000' }, 422, 'REGISTRY_INSUFFICIENT_CREDITS', 'quantity'],
    ['buyer', { ...B, price: '11.05' }, 422, 'MATCHING_PRICE_BAND', 'price'],
    ['seller', { ...S, price: '8.95' }, 422, 'MATCHING_PRICE_BAND', 'price'],
    ['buyer', { ...B, batch: BATCH }, 400, 'REQUEST_INVALID_FIELD', 'batch'],
    ['buyer', { ...B, side: 'hold' }, 400, 'REQUEST_INVALID_FIELD', 'side'],
    ['buyer', { ...B, type: 'peg' }, 400, 'REQUEST_INVALID_FIELD', 'type'],
    ['buyer', { ...B, time_in_force: 'day' }, 400, 'REQUEST_INVALID_FIELD', 'time_in_force'],
    ['buyer', { ...B, stp: 'sometimes' }, 400, 'REQUEST_INVALID_FIELD', 'stp'],
    ['buyer', { ...B, post_only: 'yes' }, 400, 'REQUEST_INVALID_FIELD', 'post_only'],
    ['buyer', { ...B, instrument: '1' }, 400, 'REQUEST_INVALID_FIELD', 'instrument'],
    ['buyer', { ...B, client_order_id: 'x'.repeat(65) }, 400, 'REQUEST_INVALID_FIELD', 'client_order_id'],
    ['buyer', { ...B, time_in_force: 'gtt', expire_at: nowS() - 10 }, 400, 'REQUEST_INVALID_FIELD', 'expire_at'],
    ['buyer', { ...B, display_quantity: '0.500' }, 422, 'MATCHING_OFF_LOT', 'display_quantity'],
    ['buyer', { ...B, min_quantity: '2.000' }, 422, 'REGISTRY_BAD_QUANTITY', 'min_quantity'],
    ['buyer', { ...B, type: 'market', quantity: '1.000', price: undefined, time_in_force: 'gtc' }, 400, 'REQUEST_INVALID_FIELD', 'time_in_force'],
    ['buyer', { instrument: inst, side: 'buy', quantity: '1.000' }, 400, 'REQUEST_MISSING_FIELD', 'price'],
    ['buyer', { instrument: inst, price: '10.00', quantity: '1.000' }, 400, 'REQUEST_MISSING_FIELD', 'side'],
    ['buyer', { side: 'buy', price: '10.00', quantity: '1.000' }, 400, 'REQUEST_MISSING_FIELD', 'instrument'],
    ['buyer', { instrument: inst, side: 'buy', price: '10.00' }, 400, 'REQUEST_MISSING_FIELD', 'quantity'],
  ];
  for (const [role, body, status, code, field] of cases) {
    const r = await place(role, body);
    try { problem(r, status, code, field); } catch (e) { e.message = `${JSON.stringify(body)}: ${e.message}`; throw e; }
  }
  problem(await as('buyer').post('/api/v1/orders', '{"instrument":', { raw: true }), 400, 'REQUEST_BAD_JSON');
  problem(await anon.post('/api/v1/orders', B), 401, 'AUTH_UNAUTHENTICATED');
  // Market orders need a reference price and a band.
  const s1 = await seqNow();
  problem(await place('buyer', { instrument: bare, side: 'buy', type: 'market', quantity: '1.000' }), 400, 'REQUEST_INVALID_FIELD', 'type');
  assert.equal(await seqNow(), s1);
  // Halted market.
  const h = await as('admin').post(`/api/v1/instruments/${inst}/halt`, { reason: 'test halt' });
  assert.equal(h.status, 200, h.text);
  const s2 = await seqNow();
  problem(await place('buyer', B), 422, 'MATCHING_MARKET_HALTED', 'instrument');
  problem(await place('seller', S), 422, 'MATCHING_MARKET_HALTED', 'instrument');
  problem(await as('buyer').post(`/api/v1/orders/${rest.id}/replace`, { price: '9.50', quantity: '1.000' }), 422, 'MATCHING_MARKET_HALTED', 'instrument');
  assert.equal(await seqNow(), s2);
  assert.equal((await as('admin').post(`/api/v1/instruments/${inst}/resume`)).status, 200);
  // Nothing moved by any refusal (the halt and resume are the only journal entries).
  assert.equal(await seqNow(), s0 + 2);
  assert.deepEqual(await cashOf('buyer'), cb);
  assert.deepEqual(await cashOf('seller'), cs);
  assert.deepEqual(await holding('seller'), hs);
  assert.deepEqual(await book(inst), bk);
  assert.equal((await order('buyer', rest.id)).status, 'open');
  await as('buyer').req('DELETE', `/api/v1/orders/${rest.id}`);
});

test('halt and resume (admin): cancels stay possible; a re-opening auction uncrosses', async () => {
  const inst = await contract({ reference_price: '10.00' });
  const bid = await buy(inst, '10.00', '1.000');
  problem(await as('buyer').post(`/api/v1/instruments/${inst}/halt`), 403, 'AUTH_FORBIDDEN');
  problem(await as('admin').post('/api/v1/instruments/99999/halt'), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument');
  problem(await as('admin').post(`/api/v1/instruments/${inst}/resume`), 409, 'REGISTRY_BAD_STATE', 'instrument');
  const h = await as('admin').post(`/api/v1/instruments/${inst}/halt`);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.phase, 'halted');
  assert.equal(h.json.phase_reason, 'admin halt');
  assert.equal((await book(inst)).phase, 'halted');
  problem(await as('admin').post(`/api/v1/instruments/${inst}/halt`), 409, 'REGISTRY_BAD_STATE', 'instrument');
  problem(await as('admin').post(`/api/v1/instruments/${inst}/resume`, { reopen_seconds: -1 }), 400, 'REQUEST_INVALID_FIELD', 'reopen_seconds');
  // Cancels work while halted.
  const c = await as('buyer').req('DELETE', `/api/v1/orders/${bid.id}`);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'cancelled');
  // Resume through a 3 s re-opening auction: orders are collected, then uncrossed.
  const r = await as('admin').post(`/api/v1/instruments/${inst}/resume`, { reopen_seconds: 3, reason: 'reopen' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.phase, 'auction');
  problem(await place('buyer', { instrument: inst, side: 'buy', type: 'market', quantity: '1.000' }), 422, 'MATCHING_MARKET_HALTED', 'type');
  const b = await buy(inst, '10.20', '2.000');
  assert.equal(b.in_auction, true);
  const s = await sell(inst, '10.00', '1.000');
  assert.equal(s.in_auction, true);
  const list = await anon.get('/api/v1/auctions');
  const a = list.json.items.find((x) => x.id === inst);
  assert.ok(a, list.text);
  assert.equal(a.collected_orders, 2);
  assert.equal(a.indicative.volume, '1.000');
  await until('the re-opening auction to uncross', async () => (await anon.get(`/api/v1/instruments/${inst}`)).json.phase === 'continuous');
  const b1 = await order('buyer', b.id);
  assert.equal(b1.filled_kg, 1000);
  assert.equal(b1.status, 'open');
  assert.equal(b1.average_price, a.indicative.price);
  assert.equal((await order('seller', s.id)).status, 'filled');
  assert.deepEqual((await book(inst)).bids, [['10.20', '1.000', 1]]);
  await as('buyer').req('DELETE', `/api/v1/orders?instrument=${inst}`);
});

test('primary auction: the holder auctions credits; bidders pay one uniform clearing price', async () => {
  // On the developer's fresh batch listed above (CER-23, reference 10.00, band 10 %).
  const inst = auctionInst;
  assert.ok(inst);
  const s0 = await seqNow();
  problem(await as('developer').post('/api/v1/auctions', { instrument: inst, quantity: '10.000', reserve_price: '9.00' }), 400, 'REQUEST_MISSING_FIELD', 'end_at');
  problem(await as('developer').post('/api/v1/auctions', { instrument: 99999, quantity: '10.000', reserve_price: '9.00', end_at: nowS() + 3 }), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'instrument');
  problem(await as('auditor').post('/api/v1/auctions', { instrument: inst, quantity: '10.000', reserve_price: '9.00', end_at: nowS() + 3 }), 422, 'REGISTRY_INSUFFICIENT_CREDITS', 'quantity');
  problem(await as('developer').post('/api/v1/auctions', { instrument: inst, quantity: '10.500', reserve_price: '9.00', end_at: nowS() + 3 }), 422, 'MATCHING_OFF_LOT', 'quantity');
  problem(await as('developer').post('/api/v1/auctions', { instrument: inst, quantity: '10.000', reserve_price: '0', end_at: nowS() + 3 }), 400, 'REQUEST_INVALID_FIELD', 'reserve_price');
  problem(await as('developer').post('/api/v1/auctions', { instrument: inst, quantity: '10.000', reserve_price: '9.00', end_at: nowS() - 3 }), 400, 'REQUEST_INVALID_FIELD', 'end_ts');
  assert.equal(await seqNow(), s0);

  const dev0 = await cashOf('developer'), b0 = await cashOf('buyer'), s1c = await cashOf('seller');
  const hd0 = await holding('developer', auctionBatch);
  const end = nowS() + 4;
  const r = await as('developer').post('/api/v1/auctions', { instrument: inst, quantity: '10.000', reserve_price: '9.00', end_at: end });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.phase, 'auction');
  assert.equal(r.json.phase_reason, 'primary auction');
  assert.equal(r.json.auction_end_us, end * 1e6);
  assert.equal((await holding('developer', auctionBatch)).escrowed, hd0.escrowed + 10000);
  let a = (await anon.get('/api/v1/auctions')).json.items.find((x) => x.id === inst);
  assert.equal(a.indicative.price, null);
  assert.equal(a.indicative.volume, '0.000');
  // Bids: 4 t at 10.50 (buyer), 3 t at 9.50 (seller). Supply 10 t at 9.00.
  const bb = await buy(inst, '10.50', '4.000');
  const sb = await placeOk('seller', { instrument: inst, side: 'buy', price: '9.50', quantity: '3.000' });
  a = (await anon.get('/api/v1/auctions')).json.items.find((x) => x.id === inst);
  assert.equal(a.collected_orders, 3);
  assert.equal(a.indicative.volume, '7.000');
  assert.equal(a.indicative.imbalance_side, 'sell');
  const px = a.indicative.price;
  const pm = Math.round(Number(px) * 100);
  assert.ok(pm >= 900 && pm <= 950, `clearing price ${px} within the crossing range`);
  await until('the primary auction to uncross', async () => (await anon.get(`/api/v1/instruments/${inst}`)).json.phase === 'continuous');
  // Everyone traded at the one price; auction fills pay the maker fee on both sides.
  const fb = await order('buyer', bb.id), fs = await order('seller', sb.id);
  assert.equal(fb.status, 'filled');
  assert.equal(fb.average_price, px);
  assert.equal(fs.status, 'filled');
  assert.equal(fs.average_price, px);
  const fills = (await as('buyer').get(`/api/v1/fills?instrument=${inst}`)).json.items;
  assert.ok(fills.every((x) => x.price === px && x.liquidity === 'auction'), JSON.stringify(fills));
  const nb = pm * 4, ns = pm * 3;
  const feeB = fills.reduce((s, x) => s + Math.round(Number(x.fee) * 100), 0);
  assert.equal(feeB, fills.reduce((s, x) => s + fee(x.price_minor * x.quantity_kg / 1000, 10), 0));
  assert.deepEqual(await cashOf('buyer'), { available: b0.available - nb - feeB, locked: b0.locked });
  const sellerFills = (await as('seller').get(`/api/v1/fills?instrument=${inst}`)).json.items.filter((x) => x.buy_order === sb.id);
  const feeS = sellerFills.reduce((s, x) => s + Math.round(Number(x.fee) * 100), 0);
  assert.deepEqual(await cashOf('seller'), { available: s1c.available - ns - feeS, locked: s1c.locked });
  const devFills = (await as('developer').get(`/api/v1/fills?instrument=${inst}`)).json.items;
  const devFee = devFills.reduce((s, x) => s + Math.round(Number(x.fee) * 100), 0);
  assert.deepEqual(await cashOf('developer'), { available: dev0.available + nb + ns - devFee, locked: dev0.locked });
  // The unsold 3 t rest as an ask at the reserve price.
  assert.deepEqual((await book(inst)).asks, [['9.00', '3.000', 1]]);
  const hd1 = await holding('developer', auctionBatch);
  assert.equal(hd1.escrowed, hd0.escrowed + 3000);
  assert.equal(hd1.tradable, hd0.tradable - 10000);
  assert.equal((await anon.get('/api/v1/auctions')).json.items.length, 0);
  await as('developer').req('DELETE', '/api/v1/orders');
});

let mdInst = 0;
test('market data: book, trades, candles, stats and indices agree with the fills', async () => {
  const inst = await contract();
  const trades = [['15.00', '1.000'], ['15.50', '2.000'], ['14.80', '1.000']];
  for (const [p, q] of trades) {
    await sell(inst, p, q);
    const t = await buy(inst, p, q);
    assert.equal(t.status, 'filled');
  }
  await buy(inst, '14.00', '1.000');
  await buy(inst, '14.00', '2.000');
  await buy(inst, '13.90', '1.000');
  await sell(inst, '16.00', '4.000', { display_quantity: '1.000' });
  const bk = await anon.get(`/api/v1/markets/${inst}/book`);
  assert.equal(bk.status, 200);
  assert.deepEqual(bk.json, {
    instrument: inst, phase: 'continuous',
    bids: [{ price: '14.00', quantity: '3.000', orders: 2 }, { price: '13.90', quantity: '1.000', orders: 1 }],
    asks: [{ price: '16.00', quantity: '1.000', orders: 1 }],
  });
  assert.equal((await anon.get(`/api/v1/markets/${inst}/book?depth=1`)).json.bids.length, 1);
  problem(await anon.get(`/api/v1/markets/${inst}/book?depth=x`), 400, 'REQUEST_INVALID_FIELD', 'depth');

  const tr = await anon.get(`/api/v1/markets/${inst}/trades`);
  assert.equal(tr.status, 200);
  const sorted = (t) => [...t].sort((x, y) => x.id - y.id).map((x) => [x.price, x.qty, x.side]);
  assert.deepEqual(sorted(tr.json.trades), [['15.00', '1.000', 'buy'], ['15.50', '2.000', 'buy'], ['14.80', '1.000', 'buy']]);
  assert.equal(tr.json.trades.find((x) => x.price === '15.50').notional, '31.00');
  assert.equal((await anon.get(`/api/v1/markets/${inst}/trades?limit=1`)).json.trades.length, 1);
  mdInst = inst;

  const st = await anon.get(`/api/v1/markets/${inst}/stats`);
  assert.equal(st.status, 200);
  const notional = 1500 + 3100 + 1480;
  assert.equal(st.json.trades, 3);
  assert.equal(st.json.open, '15.00');
  assert.equal(st.json.high, '15.50');
  assert.equal(st.json.low, '14.80');
  assert.equal(st.json.last, '14.80');
  assert.equal(st.json.change, '-0.20');
  assert.equal(st.json.volume, '4.000');
  assert.equal(st.json.notional, (notional / 100).toFixed(2));
  assert.equal(st.json.vwap, (Math.round(notional / 4) / 100).toFixed(2));  // 15.20

  for (const iv of ['1m', '5m', '1h', '1d']) {
    const c = await anon.get(`/api/v1/markets/${inst}/candles?interval=${iv}`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.interval, iv);
    const vol = c.json.candles.reduce((s, x) => s + Number(x.volume), 0);
    const n = c.json.candles.reduce((s, x) => s + x.trades, 0);
    assert.equal(vol, 4, iv);
    assert.equal(n, 3, iv);
    const last = c.json.candles.at(-1);
    assert.equal(last.close, '14.80');
    if (c.json.candles.length === 1) assert.deepEqual([last.open, last.high, last.low], ['15.00', '15.50', '14.80']);
  }
  const cd = await anon.get(`/api/v1/markets/${inst}/candles?interval=1d&from=${nowS() + 86400 * 2}`);
  assert.deepEqual(cd.json.candles, []);
  problem(await anon.get(`/api/v1/markets/${inst}/candles?interval=2m`), 400, 'REQUEST_INVALID_FIELD');
  for (const p of ['book', 'trades', 'candles', 'stats'])
    problem(await anon.get(`/api/v1/markets/99999/${p}`), 404, 'MATCHING_UNKNOWN_INSTRUMENT', 'id');

  // Indices: the contract is nature-based; its trades are constituents of all and nature.
  const ix = await anon.get('/api/v1/indices');
  assert.equal(ix.status, 200);
  const by = Object.fromEntries(ix.json.indices.map((x) => [x.index, x]));
  assert.deepEqual(Object.keys(by).sort(), ['all', 'nature', 'removal', 'technical']);
  const mine = by.nature.constituents.find((x) => x.instrument === inst);
  assert.ok(mine, JSON.stringify(by.nature));
  assert.equal(mine.trades, 3);
  assert.equal(mine.volume, '4.000');
  assert.equal(mine.vwap, '15.20');
  assert.ok(by.all.constituents.some((x) => x.instrument === inst));
  assert.ok(!by.technical.constituents.some((x) => x.instrument === inst));
  // The index is the volume-weighted price of its constituents' trades.
  const sumN = by.all.constituents.reduce((s, x) => s + Math.round(Number(x.notional) * 100), 0);
  const sumV = by.all.constituents.reduce((s, x) => s + Math.round(Number(x.volume) * 1000), 0);
  assert.equal(by.all.trades, by.all.constituents.reduce((s, x) => s + x.trades, 0));
  assert.ok(Math.abs(Math.round(Number(by.all.value) * 100) - Math.round((sumN * 1000) / sumV)) <= 1, JSON.stringify(by.all));
  await as('buyer').req('DELETE', '/api/v1/orders');
  await as('seller').req('DELETE', '/api/v1/orders');
});

test('GET /markets/{id}/trades lists the newest first, as documented', async () => {
  const doc = (await anon.get('/api/v1/openapi.json')).json.paths['/api/v1/markets/{id}/trades'].get;
  assert.match(JSON.stringify(doc), /newest first/);
  const tr = await anon.get(`/api/v1/markets/${mdInst}/trades`);
  assert.deepEqual(tr.json.trades.map((x) => x.price), ['14.80', '15.50', '15.00']);
  const one = await anon.get(`/api/v1/markets/${mdInst}/trades?limit=1`);
  assert.deepEqual(one.json.trades.map((x) => x.price), ['14.80'], 'limit=1 must give the newest trade');
});

test('an acknowledged order survives SIGKILL with its state, its lock and the book', async () => {
  const inst = await contract();
  const bid = await buy(inst, '11.00', '2.000');
  const ask = await sell(inst, '11.50', '3.000', { display_quantity: '1.000' });
  const part = await buy(inst, '11.50', '1.000');
  assert.equal(part.status, 'filled');
  const bk0 = await book(inst);
  const o0 = await order('buyer', bid.id), a0 = await order('seller', ask.id);
  const c0 = await cashOf('buyer'), h0 = await holding('seller');
  const seq0 = await seqNow();
  await srv.kill();
  srv = await startServer({ data: srv.data, demo: false });
  anon = new Client(srv.url);
  assert.equal(await seqNow(), seq0, 'recovery ends at the last acknowledged seq');
  await signIn();
  assert.deepEqual(await book(inst), bk0);
  assert.deepEqual(await order('buyer', bid.id), o0);
  assert.deepEqual(await order('seller', ask.id), a0);
  assert.deepEqual(await cashOf('buyer'), c0);
  assert.deepEqual(await holding('seller'), h0);
  // The book still trades after recovery: the restored iceberg shows its next slice.
  const t = await buy(inst, '11.50', '2.000');
  assert.equal(t.status, 'filled');
  assert.equal((await order('seller', ask.id)).open_kg, 0);
  assert.equal((await as('buyer').req('DELETE', `/api/v1/orders/${bid.id}`)).json.status, 'cancelled');
});

test('every exchange route in the OpenAPI document was exercised', async () => {
  const o = await anon.get('/api/v1/openapi.json');
  const exchange = (k) => /^(GET|POST|PUT|DELETE) \/api\/v1\/(instruments|orders|fills|markets|indices|auctions)/.test(k);
  const norm = (p) => p.replace(/\/\d+(?=\/|$)/g, '/{}');
  const seen = new Set([...hits].map((h) => { const [m, p] = h.split(' '); return `${m} ${norm(p)}`; }));
  const missing = [];
  let n = 0;
  for (const [path, ops] of Object.entries(o.json.paths)) {
    for (const m of Object.keys(ops)) {
      const key = `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;
      if (!exchange(key)) continue;
      n++;
      if (!seen.has(key)) missing.push(key);
    }
  }
  assert.ok(n >= 19, `only ${n} exchange routes in the document`);
  assert.deepEqual(missing, []);
});
