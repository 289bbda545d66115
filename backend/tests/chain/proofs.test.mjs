// Chain proofs against a real anvil (B2): an on-chain retirement made with the holder's own
// wallet reflected in the registry; an on-chain listing created, filled with ethers
// (TestStablecoin as payment) and cancelled, seen in /api/v1/chain/market/*; then, restarted
// (anchoring is on by default; --chain-anchor is still accepted), every sealed journal block
// anchored in JournalAnchor in order (roots equal on chain), the on-chain retirement's
// certificate verified by `carbonx proof verify` with eth_call (and tampered ones refused);
// chain gauges on /metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, verifyProof } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, until, tempDir, BIN, ethers } from './chainlib.mjs';

let w, srv, u, token, market, anchor, batch, chainRetirement;

before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  srv = await w.serve();
  u = await demoClients(srv.url, DEMO);
  token = w.contract('CarbonCreditToken');
  market = w.contract('CarbonMarket');
  anchor = w.contract('JournalAnchor');
});
after(async () => { await srv?.stop(); await w?.stop(); });

function verifyCli(cert, extra = []) {
  const dir = tempDir('cx-cert-');
  const file = join(dir, 'cert.json');
  writeFileSync(file, JSON.stringify(cert));
  return spawnSync(BIN, ['proof', 'verify', file, '--chain', w.anvil.url, ...extra], { encoding: 'utf8' });
}

test('an on-chain retirement by the holder is reflected; an on-chain listing filled is the onchain venue', async () => {
  batch = await mirrorDemoBatch(w, u);
  const id = BigInt(batch.token_id);
  const holder = anvilWallet(4, w.provider);
  const buyer = anvilWallet(5, w.provider);
  // Local nonce counting (the polling provider's pending count can lag between quick transactions).
  const hs = new ethers.NonceManager(holder);
  const bs = new ethers.NonceManager(buyer);
  await linkWallet(u.buyer, holder);
  let r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '3.000' });
  assert.equal(r.status, 202, r.text);
  const wid = r.json.withdrawal.id;
  await until(async () => (await u.buyer.get('/api/v1/chain/withdrawals')).json.items.find((x) => x.id === wid && x.status === 'confirmed'),
    'withdrawal confirmed');
  assert.equal(await token.balanceOf(holder.address, id), 3000n);
  const retiredBefore = (await u.anon.get('/api/v1/retirements')).json;
  const nBefore = (retiredBefore.items ?? retiredBefore).length;

  // Retire 1.2 t on chain with the holder's own wallet.
  const tx = await token.connect(hs).retire(id, 1200n, 'Holder AG', 'scope 2, 2025');
  const rc = await tx.wait();
  const ev = rc.logs.map((l) => { try { return token.interface.parseLog(l); } catch { return null; } }).find((x) => x?.name === 'Retired');
  const onchainId = Number(ev.args.retirementId);
  const seen = await until(async () => (await u.anon.get('/api/v1/chain/retirements')).json.items.find((x) => x.tx_hash === tx.hash),
    'on-chain retirement reflected');
  assert.equal(seen.retirement_id, onchainId);
  assert.equal(seen.certificate_token_id, String(onchainId));
  assert.equal(seen.holder, holder.address.toLowerCase());
  assert.equal(seen.quantity, '1.200');
  assert.equal(seen.beneficiary, 'Holder AG');
  assert.equal(seen.batch, batch.batch);
  assert.ok(seen.registry_retirement > 0, 'became a registry retirement');
  chainRetirement = seen.registry_retirement;
  const reg = (await u.anon.get(`/api/v1/retirements/${seen.registry_retirement}`)).json;
  assert.equal(reg.beneficiary, 'Holder AG');
  assert.equal(reg.reason, 'scope 2, 2025');
  const after = (await u.anon.get('/api/v1/retirements')).json;
  assert.equal((after.items ?? after).length, nBefore + 1);
  // Applied once, however often the log is seen.
  await new Promise((ok) => setTimeout(ok, 1000));
  assert.equal((await u.anon.get('/api/v1/chain/retirements')).json.items.filter((x) => x.tx_hash === tx.hash).length, 1);

  // On-chain venue: the holder lists 1 t, the buyer fills 0.4 t paying in TestStablecoin.
  const marketAddr = await market.getAddress();
  const pay = w.contract('PaymentToken', bs);  // TestStablecoin on local networks
  await (await token.connect(hs).setApprovalForAll(marketAddr, true)).wait();
  const deadline = Math.floor(Date.now() / 1000) + 3600;
  const lt = await market.connect(hs).createListing(id, 1000n, 25n, 100n, deadline);
  const lrc = await lt.wait();
  const lev = lrc.logs.map((l) => { try { return market.interface.parseLog(l); } catch { return null; } }).find((x) => x?.name === 'ListingCreated');
  const listingId = Number(lev.args.listingId);
  await (await pay.mint(buyer.address, 1_000_000n)).wait();
  await (await pay.approve(marketAddr, 1_000_000n)).wait();
  const ft = await market.connect(bs).fillListing(listingId, 400n, 10_000n);
  await ft.wait();
  const fill = await until(async () => (await u.anon.get('/api/v1/chain/market/fills')).json.items.find((x) => x.tx_hash === ft.hash),
    'on-chain fill indexed');
  assert.equal(fill.listing_id, listingId);
  assert.equal(fill.buyer, buyer.address.toLowerCase());
  assert.equal(fill.quantity, '0.400');
  assert.equal(fill.cost, '10000');
  assert.equal(fill.venue, 'onchain');
  assert.equal(fill.batch, batch.batch);
  const open = (await u.anon.get('/api/v1/chain/market/listings?status=open')).json.items;
  const l = open.find((x) => x.listing_id === listingId);
  assert.ok(l, 'listing open');
  assert.equal(l.remaining, '0.600');
  assert.equal(l.unit_price, '25');
  assert.equal(l.seller, holder.address.toLowerCase());
  r = await u.anon.get('/api/v1/chain/market/listings?status=bogus');
  assert.equal(r.status, 400);
  // Cancelled on chain -> cancelled here.
  await (await market.connect(hs).cancelListing(listingId)).wait();
  await until(async () => (await u.anon.get('/api/v1/chain/market/listings?status=cancelled')).json.items.find((x) => x.listing_id === listingId),
    'listing cancelled');
});

test('restarted with --chain-anchor: every sealed block is anchored in order (catch-up); certificates verify on chain', async () => {
  // Anchoring is on by default (the flows above ran with it, sharing the worker's sender);
  // the explicit flag is still accepted. The restart on the same data directory catches up
  // every block sealed so far.
  await srv.stop();
  srv = await w.serve({ data: srv.data, demo: false, extra: ['--chain-anchor'] });
  u = await demoClients(srv.url, DEMO);
  // The demo's retirement, sealed in a block and anchored.
  const rets = (await u.anon.get('/api/v1/retirements')).json;
  const list = rets.items ?? rets;
  assert.ok(list.length > 0, 'the demo has a retirement');
  const id = list[0].id;
  const cert = await until(async () => {
    const c = (await u.anon.get(`/api/v1/retirements/${id}/certificate`)).json;
    return c.proof?.block ? c : null;
  }, 'the retirement sealed in a block');
  const height = cert.proof.block.height;
  const anchors = await until(async () => {
    const a = (await u.anon.get('/api/v1/chain/anchors')).json.items;
    return a.find((x) => x.height === height && x.status === 'confirmed') ? a : null;
  }, `block ${height} anchored`);
  // Heights 1..n, linked, each root equal to what the contract holds.
  const byHeight = [...anchors].sort((a, b) => a.height - b.height);
  for (let i = 0; i < byHeight.length; i++) {
    const a = byHeight[i];
    assert.equal(a.height, i + 1);
    assert.equal(a.prev_root, i === 0 ? '0x' + '0'.repeat(64) : byHeight[i - 1].root);
    assert.equal(a.first_seq, i === 0 ? 1 : byHeight[i - 1].last_seq + 1);
    assert.match(a.tx_hash, /^0x[0-9a-f]{64}$/);
    if (a.status === 'confirmed') {
      assert.equal(await anchor.rootAt(a.height), a.root);
      const rc = await w.provider.getTransactionReceipt(a.tx_hash);
      assert.equal(rc.status, 1);
      assert.equal(rc.gasUsed, BigInt(a.gas_used));
    }
  }
  // One transaction per block: no two anchors share a hash.
  assert.equal(new Set(anchors.map((a) => a.tx_hash)).size, anchors.length);
  assert.equal(cert.proof.block.root.replace(/^0x/, ''), byHeight[height - 1].root.replace(/^0x/, ''));
  assert.ok(verifyProof(cert.proof.event_hash, cert.proof.proof, cert.proof.block.root), 'independent JS check');

  // The CLI: local recomputation + eth_call verifyInclusion.
  let r = verifyCli(cert, ['--chain-deployment', w.dep.file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /VERIFIED/);
  r = verifyCli(cert, ['--anchor', w.dep.json.contracts.JournalAnchor.address]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // The contract itself agrees (ethers, independent of the CLI).
  assert.equal(await anchor.verifyInclusion(height, '0x' + cert.proof.event_hash, cert.proof.proof.map((h) => '0x' + h)), true);

  // Tampered: a proof hash, the payload, the root, the height.
  const flip = (h) => (h[0] === '0' ? '1' : '0') + h.slice(1);
  const bad1 = structuredClone(cert);
  if (bad1.proof.proof.length) bad1.proof.proof[0] = flip(bad1.proof.proof[0]);
  else bad1.proof.event_hash = flip(bad1.proof.event_hash);
  r = verifyCli(bad1, ['--chain-deployment', w.dep.file]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /FAILED/);
  const bad2 = structuredClone(cert);
  bad2.proof.payload_hex = flip(bad2.proof.payload_hex);
  r = verifyCli(bad2, ['--chain-deployment', w.dep.file]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /do not hash to event_hash/);
  // A consistent forgery (new root that the forged proof folds into) is caught on chain only.
  const bad3 = structuredClone(cert);
  bad3.proof.block.height = height + 1000;
  r = verifyCli(bad3, ['--chain-deployment', w.dep.file]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /not anchored/);
  // The retirement made on chain is provable like any other, once its block is anchored.
  assert.ok(chainRetirement, 'needs the on-chain retirement of the previous test');
  const cert2 = (await u.anon.get(`/api/v1/retirements/${chainRetirement}/certificate`)).json;
  assert.equal(cert2.retirement.beneficiary, 'Holder AG');
  await until(async () => (await u.anon.get('/api/v1/chain/anchors')).json.items
    .find((x) => x.height === cert2.proof.block.height && x.status === 'confirmed'), 'its block anchored');
  r = verifyCli(cert2, ['--chain-deployment', w.dep.file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  r = spawnSync(BIN, ['proof', 'verify', '/nonexistent.json', '--chain', w.anvil.url, '--chain-deployment', w.dep.file], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
});

test('chain gauges are on /metrics', async () => {
  const r = await u.anon.get('/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /carbonx_chain_anchored_height \d+/);
  assert.match(r.text, /carbonx_chain_head_lag_blocks \d+/);
  assert.match(r.text, /carbonx_chain_reorgs_seen_total \d+/);
  const anchored = Number(r.text.match(/carbonx_chain_anchored_height (\d+)/)[1]);
  assert.ok(anchored >= 1, 'anchored height reported');
});
