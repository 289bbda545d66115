// Deposits and re-orgs (B1): with 3 confirmations, a CarbonMarket deposit that is re-orged
// away (anvil evm_snapshot / evm_revert) before it is buried is seen, then marked re-orged,
// and never credited; the same signed transaction mined again is credited exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, heldKg, until, miner, rpc, sleep } from './chainlib.mjs';

let w, srv, u;
before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  srv = await w.serve({ confirmations: 3 });
  u = await demoClients(srv.url, DEMO);
});
after(async () => { await srv?.stop(); await w?.stop(); });

test('a deposit re-orged away before 3 confirmations is not credited; re-applied, it is credited once', async (t) => {
  let stopMiner = miner(w.anvil.url, 200);  // blocks keep coming so receipts reach the depth
  // A failed assertion must not leave the miner running (it would keep the test process alive).
  t.after(() => stopMiner());
  const batch = await mirrorDemoBatch(w, u);
  const id = BigInt(batch.token_id);
  const me = (await u.buyer.get('/api/v1/me')).json;
  const acct = me.account;
  const wallet = anvilWallet(4, w.provider);
  await linkWallet(u.buyer, wallet);
  const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '2.000' });
  assert.equal(r.status, 202, r.text);
  await until(async () => (await u.buyer.get('/api/v1/chain/withdrawals')).json.items.find((x) => x.id === r.json.withdrawal.id && x.status === 'confirmed'),
    'withdrawal confirmed at depth 3');
  const token = w.contract('CarbonCreditToken', wallet);
  const market = w.contract('CarbonMarket', wallet);
  const marketAddr = await market.getAddress();
  await (await token.setApprovalForAll(marketAddr, true)).wait();
  await until(async () => (await w.provider.getBlockNumber()) > 0, 'blocks');
  await stopMiner();
  const held0 = await heldKg(u.buyer, acct, batch.batch);
  const da = (await u.buyer.get('/api/v1/chain/deposit-address')).json;

  // The deposit, signed once; its raw bytes are kept to be mined again after the re-org.
  await sleep(500);  // past ethers' short cache of the pending nonce
  const snap = await rpc(w.anvil.url, 'evm_snapshot');
  const req = await market.deposit.populateTransaction(id, 700n, da.account_ref);
  const populated = await wallet.populateTransaction(req);
  const raw = await wallet.signTransaction(populated);
  const hash = await rpc(w.anvil.url, 'eth_sendRawTransaction', [raw]);
  const seen = await until(async () => (await u.buyer.get('/api/v1/chain/deposits')).json.items.find((x) => x.tx_hash === hash),
    'deposit seen (1 confirmation)');
  assert.equal(seen.status, 'seen');
  assert.equal(await heldKg(u.buyer, acct, batch.batch), held0);

  // Re-org: the block holding the deposit is replaced by an empty one.
  assert.equal(await rpc(w.anvil.url, 'evm_revert', [snap]), true);
  await rpc(w.anvil.url, 'evm_mine');
  await until(async () => (await u.buyer.get('/api/v1/chain/deposits')).json.items.find((x) => x.tx_hash === hash && x.status === 'reorged'),
    'deposit marked re-orged');
  for (let i = 0; i < 5; i++) await rpc(w.anvil.url, 'evm_mine');
  await sleep(1500);  // several worker polls at depth
  assert.equal(await heldKg(u.buyer, acct, batch.batch), held0, 'a re-orged deposit is never credited');
  assert.equal(await token.balanceOf(wallet.address, id), 2000n);

  // The same transaction mined again (another block): credited once, at depth.
  assert.equal(await rpc(w.anvil.url, 'eth_sendRawTransaction', [raw]), hash);
  await sleep(800);
  const early = (await u.buyer.get('/api/v1/chain/deposits')).json.items.find((x) => x.tx_hash === hash);
  assert.notEqual(early.status, 'credited', 'not credited before 3 confirmations');
  stopMiner = miner(w.anvil.url, 200);
  const credited = await until(async () => (await u.buyer.get('/api/v1/chain/deposits')).json.items.find((x) => x.tx_hash === hash && x.status === 'credited'),
    'deposit credited at depth');
  assert.ok(credited.confirmations >= 3);
  await sleep(1500);
  await stopMiner();
  assert.equal(await heldKg(u.buyer, acct, batch.batch), held0 + 700, 'credited exactly once');
  assert.equal(await token.balanceOf(wallet.address, id), 1300n);
  const b = (await u.admin.get('/api/v1/chain/batches')).json.items.find((x) => x.batch === batch.batch);
  assert.equal(b.on_chain_kg, 1300);
  assert.equal(await token.balanceOf(marketAddr, id), BigInt(b.custody_kg));
  assert.equal((await u.buyer.get('/api/v1/chain/deposits')).json.items.filter((x) => x.tx_hash === hash).length, 1);
});
