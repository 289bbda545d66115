// Chain flows against a real anvil (B1): verifier approvals in the wallet -> batch verified and
// minted on chain (a mint beyond what they signed is refused by the contract); withdrawal to
// the user's wallet and deposit back with balances matching on chain and in the exchange at
// every step; bad input refused with problem+json naming the field, changing nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { problem, DEMO } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, signTyped, anvilWallet, heldKg, until, ethers } from './chainlib.mjs';

let w, srv, u, batch, token, market;

before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  srv = await w.serve();
  u = await demoClients(srv.url, DEMO);
  token = w.contract('CarbonCreditToken');
  market = w.contract('CarbonMarket');
});
after(async () => { await srv?.stop(); await w?.stop(); });

test('status names the chain, the contracts and the operator', async () => {
  const s = (await u.anon.get('/api/v1/chain/status')).json;
  assert.equal(s.enabled, true);
  assert.equal(s.chain_id, 31337);
  assert.equal(s.network, 'localhost');
  assert.equal(s.operator, w.operator.address.toLowerCase());
  assert.equal(s.contracts.CarbonMarket, w.dep.json.contracts.CarbonMarket.address.toLowerCase());
  assert.equal(s.rpc_url, w.anvil.url);
});

test('k verifiers sign approvals in their wallets; the batch is verified and minted; a mint beyond is refused', async () => {
  const waiting = await until(async () => (await u.admin.get('/api/v1/chain/batches')).json.items.find((b) => b.status === 'awaiting_signatures'),
    'the demo batch proposed on chain');
  const iss = waiting.issuance;
  const ap = (await u.verifier.get(`/api/v1/chain/approvals/${iss}`)).json;
  assert.equal(ap.threshold, 2);
  assert.equal(ap.typed_data.primaryType, 'Approval');
  assert.equal(ap.typed_data.domain.verifyingContract, w.dep.json.contracts.VerificationRegistry.address.toLowerCase());
  // The digest the server hands out is the one the contract checks.
  const reg = w.contract('VerificationRegistry');
  const types = { ...ap.typed_data.types };
  delete types.EIP712Domain;
  assert.equal(ethers.TypedDataEncoder.hash(ap.typed_data.domain, types, ap.typed_data.message), await reg.approvalDigest(ap.typed_data.message.issuanceId));
  const [v1, v2] = w.verifierWallets;
  // Before linking: the signer is not the verifier's wallet.
  problem(await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v1, ap.typed_data) }), 403, 'AUTH_FORBIDDEN', 'signature');
  await linkWallet(u.verifier, v1);
  await linkWallet(u.verifier2, v2);
  // Bad signature, wrong signer (verifier2's wallet), not a verifier: refused, nothing recorded.
  problem(await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: '0x1234' }), 400, 'REQUEST_INVALID_FIELD', 'signature');
  problem(await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v2, ap.typed_data) }), 403, 'AUTH_FORBIDDEN', 'signature');
  const stranger = anvilWallet(7);
  problem(await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(stranger, ap.typed_data) }), 403, 'AUTH_FORBIDDEN', 'signature');
  assert.equal((await u.buyer.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v1, ap.typed_data) })).status, 403);
  problem(await u.verifier.post('/api/v1/chain/approvals/999', { signature: await signTyped(v1, ap.typed_data) }), 404, 'REGISTRY_UNKNOWN_ISSUANCE', 'issuance');
  assert.equal((await u.verifier.get(`/api/v1/chain/approvals/${iss}`)).json.signatures.length, 0);

  let r = await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v1, ap.typed_data) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.signatures.map((s) => s.address), [v1.address.toLowerCase()]);
  problem(await u.verifier.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v1, ap.typed_data) }), 409, 'REGISTRY_ALREADY_APPROVED', 'signature');
  r = await u.verifier2.post(`/api/v1/chain/approvals/${iss}`, { signature: await signTyped(v2, ap.typed_data) });
  assert.equal(r.status, 200, r.text);

  const minted = await until(async () => (await u.admin.get('/api/v1/chain/batches')).json.items.find((b) => b.batch === waiting.batch && b.status === 'minted'),
    'batch minted on chain');
  batch = minted;
  const id = BigInt(minted.token_id);
  // On chain: verified by exactly the two verifiers' signatures, minted to market custody.
  const info = await reg.getIssuance(ap.typed_data.message.issuanceId);
  assert.equal(info.amount, BigInt(minted.amount_kg));
  assert.equal(await token.minted(id), BigInt(minted.amount_kg));
  assert.equal(await token.balanceOf(await market.getAddress(), id), BigInt(minted.amount_kg));
  assert.equal(minted.custody_kg, minted.amount_kg);
  const uri = await token.uri(id);
  assert.match(uri, /^ipfs:\/\/b[a-z2-7]+$/);
  const meta = (await u.anon.get(`/api/v1/batches/${minted.batch}`)).json;
  if (meta.metadata_cid) assert.equal(uri, 'ipfs://' + meta.metadata_cid);
  // The operator itself cannot mint one kilogram beyond what the verifiers signed.
  const asOperator = token.connect(w.operator);
  await assert.rejects(asOperator.mint.staticCall(await market.getAddress(), id, 1n),
    (e) => e.revert?.name === 'MintExceedsVerified' || /MintExceedsVerified/.test(e.message));
});

test('withdraw to the wallet, deposit back: chain and exchange agree at every step, nothing created or lost', async () => {
  assert.ok(batch, 'needs the minted batch of the previous test');
  const id = BigInt(batch.token_id);
  const me = (await u.buyer.get('/api/v1/me')).json;
  const acct = me.account ?? me.user?.account;
  const wallet = anvilWallet(3, w.provider);
  const marketAddr = await market.getAddress();

  // Bad input first: each refused with the field, nothing escrowed.
  const before0 = await heldKg(u.buyer, acct, batch.batch);
  assert.ok(before0 > 2000, 'the demo buyer holds credits of the batch');
  problem(await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '1.000' }), 400, 'REQUEST_INVALID_FIELD', 'to');  // no linked wallet
  await linkWallet(u.buyer, wallet);
  problem(await u.buyer.post('/api/v1/chain/withdrawals', { batch: 999, quantity: '1.000' }), 404, 'REGISTRY_UNKNOWN_BATCH', 'batch');
  problem(await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '99999999.000' }), 422, 'REGISTRY_INSUFFICIENT_CREDITS', 'quantity');
  problem(await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '1.000', to: '0x1234' }), 400, 'REQUEST_INVALID_FIELD', 'to');
  problem(await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '-1.000' }), 422, 'REGISTRY_BAD_QUANTITY', 'quantity');
  assert.equal((await u.buyer.get('/api/v1/chain/withdrawals')).json.items.length, 0);
  assert.equal(await heldKg(u.buyer, acct, batch.batch), before0);

  const check = async (walletKg) => {
    const b = (await u.admin.get('/api/v1/chain/batches')).json.items.find((x) => x.batch === batch.batch);
    assert.equal(await token.balanceOf(wallet.address, id), BigInt(walletKg));
    assert.equal(await token.balanceOf(marketAddr, id), BigInt(b.custody_kg));
    assert.equal(b.on_chain_kg, walletKg);
    assert.equal(b.custody_kg + b.on_chain_kg, b.minted_kg);  // no tonne counted twice
    assert.equal(await heldKg(u.buyer, acct, batch.batch) + walletKg, before0);
  };
  await check(0);

  const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '1.500' });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.withdrawal.to, wallet.address.toLowerCase());
  assert.equal(r.json.withdrawal.quantity, '1.500');
  const wid = r.json.withdrawal.id;
  const done = await until(async () => (await u.buyer.get('/api/v1/chain/withdrawals')).json.items.find((x) => x.id === wid && x.status === 'confirmed'),
    'withdrawal confirmed');
  assert.match(done.tx_hash, /^0x[0-9a-f]{64}$/);
  const rc = await w.provider.getTransactionReceipt(done.tx_hash);
  assert.equal(rc.status, 1);
  await check(1500);

  // Deposit 0.6 t back to the exchange account named by account_ref.
  const da = (await u.buyer.get('/api/v1/chain/deposit-address')).json;
  assert.equal(da.market, marketAddr.toLowerCase());
  const signer = new ethers.NonceManager(wallet);  // ethers caches the pending count briefly
  await (await token.connect(signer).setApprovalForAll(marketAddr, true)).wait();
  const tx = await market.connect(signer).deposit(id, 600n, da.account_ref);
  await tx.wait();
  const dep = await until(async () => (await u.buyer.get('/api/v1/chain/deposits')).json.items.find((x) => x.tx_hash === tx.hash && x.status === 'credited'),
    'deposit credited');
  assert.equal(dep.quantity, '0.600');
  assert.equal(dep.from, wallet.address.toLowerCase());
  await check(900);
  // Someone else's deposits are not in the buyer's list.
  assert.equal((await u.seller.get('/api/v1/chain/deposits')).json.items.length, 0);
});
