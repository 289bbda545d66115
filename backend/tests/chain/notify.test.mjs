// Notifications and on-chain market data against a real anvil (issue 9): a withdrawal (sent,
// confirmed) and a deposit back reach the user's WebSocket channel notifications:<user>; an
// on-chain CarbonMarket listing filled with ethers notifies the seller's and the buyer's users
// (their linked wallets) and prints in the exchange instrument of its batch -- GET trades and
// candles -- with venue "onchain" and the price converted exactly (unitPrice 12340 tUSD
// micro-units per kg = 12.34 USD per tonne).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, until, ethers } from './chainlib.mjs';

let w, srv, u;

before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  srv = await w.serve();
  u = await demoClients(srv.url, DEMO);
});
after(async () => { await srv?.stop(); await w?.stop(); });

// Node 22's built-in WebSocket client (this folder has no node_modules of its own).
async function openWs(client) {
  const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/api/v1/ws?access_token=${encodeURIComponent(client.token)}`);
  const msgs = [];
  ws.addEventListener('message', (e) => msgs.push(JSON.parse(String(e.data))));
  await new Promise((ok, fail) => { ws.addEventListener('open', ok, { once: true }); ws.addEventListener('error', fail, { once: true }); });
  return { ws, msgs };
}

test('chain events reach the user\'s notifications channel; an on-chain fill prints in the instrument\'s trades and candles', async () => {
  const batch = await mirrorDemoBatch(w, u);
  const id = BigInt(batch.token_id);
  // The exchange instrument of the batch (listing it if the demo did not).
  const list = (await u.anon.get('/api/v1/instruments')).json;
  let inst = (list.items ?? list).find((x) => x.kind === 'batch' && Number(x.batch) === Number(batch.batch));
  if (!inst) {
    const c = await u.admin.post('/api/v1/instruments', { kind: 'batch', batch: batch.batch, symbol: 'ONC-1' });
    assert.equal(c.status, 201, c.text);
    inst = c.json;
  }
  const me = (await u.buyer.get('/api/v1/me')).json;
  const other = (await u.seller.get('/api/v1/me')).json;
  const ch = `notifications:${me.id}`;
  const sock = await openWs(u.buyer);
  sock.ws.send(JSON.stringify({ op: 'subscribe', channel: ch }));
  const snap = await until(async () => sock.msgs.find((m) => m.channel === ch && m.type === 'snapshot'), 'snapshot');
  const note = (type, pred = () => true) => until(async () => sock.msgs.find((m) => m.channel === ch && m.type === type && pred(m)), type, 60000);

  const holder = anvilWallet(4, w.provider);
  const taker = anvilWallet(5, w.provider);
  const hs = new ethers.NonceManager(holder);
  const ts = new ethers.NonceManager(taker);
  await linkWallet(u.buyer, holder);
  await linkWallet(u.seller, taker);

  // Withdrawal: sent, then confirmed.
  const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '3.000' });
  assert.equal(r.status, 202, r.text);
  const wid = String(r.json.withdrawal.id);
  const sent = await note('chain.withdrawal_sent', (m) => m.data.withdrawal === wid);
  const conf = await note('chain.withdrawal_confirmed', (m) => m.data.withdrawal === wid);
  assert.equal(conf.data.quantity, '3.000');
  assert.equal(conf.data.to, holder.address.toLowerCase());
  assert.ok(conf.seq > sent.seq && sent.seq > snap.seq);

  // Deposit 0.5 t back.
  const market = w.contract('CarbonMarket');
  const token = w.contract('CarbonCreditToken');
  const marketAddr = await market.getAddress();
  await (await token.connect(hs).setApprovalForAll(marketAddr, true)).wait();
  const da = (await u.buyer.get('/api/v1/chain/deposit-address')).json;
  const dt = await market.connect(hs).deposit(id, 500n, da.account_ref);
  await dt.wait();
  const dep = await note('chain.deposit_credited', (m) => m.data.tx_hash === dt.hash);
  assert.equal(dep.data.quantity, '0.500');
  assert.equal(dep.link, '/wallet');

  // On-chain listing by the holder (buyer's user), filled by the taker (seller's user).
  const pay = w.contract('PaymentToken', ts);
  const deadline = Math.floor(Date.now() / 1000) + 3600;
  const lt = await market.connect(hs).createListing(id, 1000n, 12340n, 100n, deadline);
  const lrc = await lt.wait();
  const lev = lrc.logs.map((l) => { try { return market.interface.parseLog(l); } catch { return null; } }).find((x) => x?.name === 'ListingCreated');
  const listingId = Number(lev.args.listingId);
  await (await pay.mint(taker.address, 100_000_000n)).wait();
  await (await pay.approve(marketAddr, 100_000_000n)).wait();
  const ft = await market.connect(ts).fillListing(listingId, 400n, 10_000_000n);
  await ft.wait();
  const sold = await note('chain.listing_sold', (m) => m.data.tx_hash === ft.hash);
  assert.equal(sold.data.quantity, '0.400');
  assert.equal(sold.data.cost, String(400n * 12340n));
  assert.equal(sold.data.listing, String(listingId));
  // The taker's user heard of the purchase (REST history), the buyer's channel only of the sale.
  const bought = await until(async () => (await u.seller.get('/api/v1/notifications?limit=200')).json.items
    .find((m) => m.type === 'chain.listing_bought' && m.data.tx_hash === ft.hash), 'listing_bought for the taker');
  assert.equal(bought.channel, `notifications:${other.id}`);
  assert.ok(!sock.msgs.some((m) => m.type === 'chain.listing_bought'));
  assert.ok(sock.msgs.every((m) => !m.channel?.startsWith('notifications:') || m.channel === ch));
  // Seq strictly +1 on the channel.
  const mine = sock.msgs.filter((m) => m.channel === ch && m.type !== 'subscribed' && m.type !== 'snapshot');
  mine.forEach((m, i) => assert.equal(m.seq, snap.seq + 1 + i));

  // Market data: the fill is a trade of the instrument with venue "onchain".
  const trades = await until(async () => (await u.anon.get(`/api/v1/markets/${inst.id}/trades`)).json.trades
    .find((t) => t.venue === 'onchain'), 'on-chain trade in market data');
  assert.equal(trades.price, '12.34');
  assert.equal(trades.qty, '0.400');
  const candles = (await u.anon.get(`/api/v1/markets/${inst.id}/candles?interval=1m`)).json.candles;
  assert.ok(candles.length >= 1);
  assert.ok(candles.some((c) => c.close === '12.34' || c.high === '12.34' || c.low === '12.34'), JSON.stringify(candles));
  const stats = (await u.anon.get(`/api/v1/markets/${inst.id}/stats`)).json;
  assert.ok(JSON.stringify(stats).includes('12.34'), JSON.stringify(stats));
  sock.ws.close();
});
