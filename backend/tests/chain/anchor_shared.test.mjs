// Anchoring through the chain worker's one sender (issue 9): anchoring is on by default with
// --chain, and anchors, mirror steps and withdrawals all come from the operator key. Against a
// real anvil:
//  - withdrawals fired while blocks are being anchored: no nonce collision (no anchor replaced,
//    no flow intent failed), every withdrawal and anchor confirmed, and the operator's on-chain
//    transaction count equals the number of journaled intents (nothing sent that is not one);
//  - an anchored retirement certificate verifies on chain (`carbonx proof verify`);
//  - killed right after journaling an anchor (before sending it), restarted with anchoring off:
//    a new withdrawal does not take the journaled anchor's nonce; restarted again: the anchor
//    goes out with its own bytes, then the withdrawal; one Anchored event per height, one
//    Withdrawn per withdrawal, one operator transaction per intent;
//  - --chain-anchor=false turns anchoring off; the chain routes have OpenAPI schemas; without
//    --chain they answer 503 CHAIN_UNAVAILABLE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, startServer } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, until, tempDir, sleep, rpc, BIN } from './chainlib.mjs';

// Mirror transactions a batch has had, by status (registerProject, proposeIssuance,
// verifyIssuance, createBatch, mint).
const STEPS = { pending: 0, project_registered: 1, proposed: 2, awaiting_signatures: 2, verified: 3, created: 4, minted: 5 };
let w, srv, u, data, nonce0, batch, wallet, token, market, anchorC;

before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  data = tempDir('cx-anchor-shared-');
  nonce0 = Number(await rpc(w.anvil.url, 'eth_getTransactionCount', [w.operator.address, 'latest']));
  token = w.contract('CarbonCreditToken');
  market = w.contract('CarbonMarket');
  anchorC = w.contract('JournalAnchor');
});
after(async () => { if (srv && srv.proc.exitCode === null) await srv.stop(); await w?.stop(); });

const anchors = async () => (await u.anon.get('/api/v1/chain/anchors')).json.items;
const withdrawals = async () => (await u.admin.get('/api/v1/chain/withdrawals?all=1')).json.items;
const operatorNonce = async () => Number(await rpc(w.anvil.url, 'eth_getTransactionCount', [w.operator.address, 'latest']));

// Waits until every anchor and withdrawal intent is settled and the operator's mined transaction
// count equals the journaled intents (anchors + withdrawals + mirror steps): one transaction per
// intent, no more (a second transaction for one intent would make the count exceed it for good).
// Returns {anchors, withdrawals}.
async function settledAndCounted(what) {
  let last;
  await until(async () => {
    const a = await anchors();
    const ws = await withdrawals();
    const n = await operatorNonce();
    const sentWs = ws.filter((x) => x.tx_hash);
    const bs = (await u.admin.get('/api/v1/chain/batches')).json.items;
    const mirror = bs.reduce((k, b) => k + (STEPS[b.status] ?? 1000), 0);
    last = { a, ws, n, expected: nonce0 + mirror + a.length + sentWs.length };
    return a.length > 0 && a.every((x) => x.status === 'confirmed') &&
      ws.every((x) => x.status === 'confirmed') && n === last.expected;
  }, `${what}: every intent confirmed, one transaction each`, 90000, 300).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify({ n: last?.n, expected: last?.expected, anchors: last?.a?.map((x) => [x.height, x.status, x.attempts, x.error]), ws: last?.ws?.map((x) => [x.id, x.status]) })}`);
  });
  return { anchors: last.a, withdrawals: last.ws };
}

async function checkAnchorsOnChain(list) {
  const byHeight = [...list].sort((a, b) => a.height - b.height);
  for (let i = 0; i < byHeight.length; i++) {
    const a = byHeight[i];
    assert.equal(a.height, i + 1, 'heights 1..n');
    assert.equal(a.attempts, 1, `height ${a.height}: no replaced anchor (a nonce collision would fail it)`);
    assert.equal(await anchorC.rootAt(a.height), a.root);
    const evs = await anchorC.queryFilter(anchorC.filters.Anchored(a.height), 0, 'latest');
    assert.equal(evs.length, 1, `one Anchored event for height ${a.height}`);
    assert.equal(evs[0].transactionHash, a.tx_hash, 'the journaled transaction');
  }
  assert.equal(new Set(list.map((a) => a.nonce)).size, list.length, 'distinct nonces');
}

test('withdrawals while blocks are anchored (default on): one nonce sequence, all confirmed, a proof verifies', async () => {
  srv = await w.serve({ data });
  u = await demoClients(srv.url, DEMO);
  batch = await mirrorDemoBatch(w, u);
  wallet = anvilWallet(6, w.provider);
  await linkWallet(u.buyer, wallet);
  // Anchoring runs by default: blocks get anchored while the mirror was driven.
  await until(async () => (await anchors()).some((a) => a.status === 'confirmed'), 'anchoring on by default');
  // Withdrawals interleaved with new blocks to anchor.
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '0.250' });
    assert.equal(r.status, 202, r.text);
    ids.push(r.json.withdrawal.id);
    await sleep(150 * i);
  }
  const s = await settledAndCounted('round 1');
  assert.ok(s.anchors.length >= 2, `several blocks anchored (${s.anchors.length})`);
  for (const id of ids) assert.ok(s.withdrawals.find((x) => x.id === id && x.status === 'confirmed'), `withdrawal ${id} confirmed`);
  await checkAnchorsOnChain(s.anchors);
  // Chain txs of the flows all succeeded (a taken nonce would settle one as failed).
  const b = (await u.admin.get('/api/v1/chain/batches')).json.items.find((x) => x.batch === batch.batch);
  assert.equal(b.status, 'minted');
  assert.equal(await token.balanceOf(wallet.address, BigInt(batch.token_id)), 1250n);

  // A retirement certificate whose block is anchored verifies on chain.
  const rets = (await u.anon.get('/api/v1/retirements')).json;
  const id = (rets.items ?? rets)[0].id;
  const cert = (await u.anon.get(`/api/v1/retirements/${id}/certificate`)).json;
  assert.ok(cert.proof?.block, 'sealed');
  assert.ok(s.anchors.find((a) => a.height === cert.proof.block.height && a.status === 'confirmed'), 'its block anchored');
  const file = join(tempDir('cx-cert-'), 'cert.json');
  writeFileSync(file, JSON.stringify(cert));
  const v = spawnSync(BIN, ['proof', 'verify', file, '--chain', w.anvil.url, '--chain-deployment', w.dep.file], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /VERIFIED/);
  await srv.stop();
  srv = null;
});

test('killed after journaling an anchor; a withdrawal after the restart takes the next nonce; nothing sent twice', async () => {
  // New journal blocks while anchoring is off; then the first new anchor intent ends the process
  // right after it is journaled (during start-up, or after a withdrawal request).
  srv = await w.serve({ data, extra: ['--no-chain-anchor'] });
  u = await demoClients(srv.url, DEMO);
  const h0 = Math.max(...(await anchors()).map((a) => a.height));
  await srv.stop();

  process.env.CX_CHAIN_CRASH_AT = `anchor-after-journal:${h0 + 1}`;
  let crashed = false;
  try {
    const p = w.serve({ data });
    srv = await p;
  } catch (e) {
    assert.match(String(e.message), /exited 137/, 'died at the hook during start-up');
    crashed = true;
    srv = null;
  } finally {
    delete process.env.CX_CHAIN_CRASH_AT;
  }
  let wid;
  if (!crashed) {
    const exited = new Promise((r) => srv.proc.on('exit', r));
    try {  // the hook may end the process at any moment from here on
      u = await demoClients(srv.url, DEMO);
      const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '0.500' });
      if (r.status === 202) wid = r.json.withdrawal.id;
    } catch { /* died meanwhile */ }
    const code = await Promise.race([exited, sleep(60000).then(() => 'timeout')]);
    assert.ok(code === 137 || code === null, `the server died at the hook (exit ${code})`);
    srv = null;
  }
  // The journaled anchor h0 + 1 was never sent.
  assert.equal(Number(await anchorC.latestHeight()), h0, 'nothing of the crashed anchor reached the chain');

  // Restarted with anchoring off, so the journaled anchor stays unsent: a new withdrawal must not
  // take its nonce (the worker knows every journaled nonce, anchors' too). With the gap, the
  // withdrawal waits in the node's pool until the anchor goes out.
  srv = await w.serve({ data, extra: ['--no-chain-anchor'] });
  u = await demoClients(srv.url, DEMO);
  const crashedAnchor = (await anchors()).find((a) => a.height === h0 + 1);
  assert.ok(crashedAnchor, 'the anchor intent was journaled');
  assert.equal(crashedAnchor.status, 'sent');
  const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '0.500' });
  assert.equal(r.status, 202, r.text);
  const wid2 = r.json.withdrawal.id;
  const w2 = await until(async () => (await withdrawals()).find((x) => x.id === wid2 && x.tx_nonce !== null),
    'the new withdrawal journaled as an intent');
  assert.notEqual(w2.tx_nonce, crashedAnchor.nonce, 'the anchor\'s nonce is not reused');
  assert.ok(w2.tx_nonce > crashedAnchor.nonce);
  await sleep(1000);
  assert.equal(Number(await anchorC.latestHeight()), h0, 'anchoring is off');
  await srv.stop();

  // Restarted with anchoring (default): the journaled anchor goes out with its own bytes, then
  // the waiting withdrawal is mined; one transaction per intent.
  srv = await w.serve({ data });
  u = await demoClients(srv.url, DEMO);
  const s = await settledAndCounted('after restart');
  const a1 = s.anchors.find((a) => a.height === h0 + 1);
  assert.equal(a1.tx_hash, crashedAnchor.tx_hash, 'the journaled anchor transaction, not a new one');
  await checkAnchorsOnChain(s.anchors);
  await sleep(1500);  // more worker steps: nothing else may be sent
  let kg = 1250n;
  for (const id of [wid, wid2].filter((x) => x !== undefined)) {
    const done = s.withdrawals.find((x) => x.id === id);
    assert.equal(done.status, 'confirmed');
    const evs = await market.queryFilter(market.filters.Withdrawn(id), 0, 'latest');
    assert.equal(evs.length, 1, 'exactly one on-chain withdrawal for the intent');
    assert.equal(evs[0].transactionHash, done.tx_hash);
    kg += 500n;
  }
  assert.equal(await token.balanceOf(wallet.address, BigInt(batch.token_id)), kg);
});

test('--chain-anchor=false: nothing is anchored; chain routes documented in OpenAPI; 503 CHAIN_UNAVAILABLE without --chain', async () => {
  const before = await anchors();
  await srv.stop();
  srv = await w.serve({ data, extra: ['--chain-anchor=false'] });
  u = await demoClients(srv.url, DEMO);
  const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '0.100' });
  assert.equal(r.status, 202, r.text);
  // The OpenAPI document describes the chain routes with real schemas; the answer fits.
  const doc = (await u.anon.get('/api/v1/openapi.json')).json;
  const schemas = doc.components.schemas;
  const chainOps = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/v1/chain/'));
  const nOps = chainOps.reduce((k, [, ops]) => k + Object.keys(ops).length, 0);
  assert.ok(nOps >= 12, `chain operations documented (${nOps})`);
  for (const [path, ops] of chainOps) {
    for (const [m, op] of Object.entries(ops)) {
      const ok = Object.entries(op.responses).find(([st]) => st.startsWith('2'));
      const ref = ok?.[1]?.content?.['application/json']?.schema?.$ref;
      assert.ok(ref, `${m} ${path}: a response schema`);
      const name = ref.split('/').pop();
      assert.ok(schemas[name] && schemas[name].description !== 'not yet documented', `${m} ${path}: ${name} defined`);
      if (m === 'post') assert.ok(op.requestBody?.content?.['application/json']?.schema?.$ref, `${m} ${path}: a request schema`);
    }
  }
  const wprops = Object.keys(schemas.ChainWithdrawal.properties);
  for (const k of Object.keys(r.json.withdrawal)) assert.ok(wprops.includes(k), `ChainWithdrawal documents ${k}`);
  assert.match(r.json.withdrawal.quantity, new RegExp(schemas.ChainWithdrawal.properties.quantity.pattern));
  await until(async () => (await withdrawals()).find((x) => x.id === r.json.withdrawal.id && x.status === 'confirmed'), 'withdrawal confirmed');
  await sleep(1500);
  const now = await anchors();
  assert.equal(now.length, before.length, 'no new anchor intent');
  assert.equal(Number(await anchorC.latestHeight()), Math.max(...now.map((a) => a.height)));
  await srv.stop();
  // Without --chain the chain routes answer 503 CHAIN_UNAVAILABLE.
  srv = await startServer({ data: tempDir('cx-nochain-') });
  u = await demoClients(srv.url, DEMO);
  const p = await u.buyer.post('/api/v1/chain/withdrawals', { batch: 1, quantity: '1.000' });
  assert.equal(p.status, 503, p.text);
  assert.equal(p.json.code, 'CHAIN_UNAVAILABLE');
  assert.equal(p.json.field, 'chain');
});
