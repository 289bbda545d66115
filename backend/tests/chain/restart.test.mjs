// Restart mid-flow (B1): the server is killed (as SIGKILL would: CX_CHAIN_CRASH_AT makes the
// worker _exit at that point) right after a withdrawal intent is journaled -- before it is sent
// -- and, in a second round, right after it is sent but before its receipt is settled. On
// restart the worker re-broadcasts the journaled raw bytes: exactly one on-chain withdrawal per
// intent (same hash as journaled), and credits conserved between exchange and chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO } from '../api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, heldKg, until, tempDir, sleep } from './chainlib.mjs';

let w, srv, u, data;
before(async () => {
  w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
  data = tempDir('cx-chain-restart-');
});
after(async () => { if (srv && srv.proc.exitCode === null) await srv.stop(); await w?.stop(); });

async function serveWith(crashAt) {
  if (crashAt) process.env.CX_CHAIN_CRASH_AT = crashAt;
  const p = w.serve({ data });
  delete process.env.CX_CHAIN_CRASH_AT;
  srv = await p;
  u = await demoClients(srv.url, DEMO);
}

async function withdrawalEvents(market, nonce) {
  return market.queryFilter(market.filters.Withdrawn(nonce), 0, 'latest');
}

test('killed after journaling, and after sending, a withdrawal: one on-chain withdrawal each, credits conserved', async () => {
  await serveWith(null);
  const batch = await mirrorDemoBatch(w, u);
  const id = BigInt(batch.token_id);
  const wallet = anvilWallet(5, w.provider);
  await linkWallet(u.buyer, wallet);
  const acct = (await u.buyer.get('/api/v1/me')).json.account;
  const held0 = await heldKg(u.buyer, acct, batch.batch);
  const token = w.contract('CarbonCreditToken');
  const market = w.contract('CarbonMarket');
  await srv.stop();

  let expectedOnChain = 0;
  for (const [round, crashAt] of [[1, 'after-journal'], [2, 'after-send']]) {
    await serveWith(crashAt);
    const exited = new Promise((r) => srv.proc.on('exit', r));
    const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: `${round}.000` });
    assert.equal(r.status, 202, r.text);
    const wid = r.json.withdrawal.id;
    const code = await exited;
    assert.ok(code === 137 || code === null, `the server died at ${crashAt} (exit ${code})`);
    const sentBeforeRestart = (await withdrawalEvents(market, wid)).length;
    assert.equal(sentBeforeRestart, crashAt === 'after-journal' ? 0 : 1, 'what reached the chain before the crash');

    await serveWith(null);
    const done = await until(async () => (await u.buyer.get('/api/v1/chain/withdrawals')).json.items.find((x) => x.id === wid && x.status === 'confirmed'),
      `withdrawal ${wid} confirmed after restart`);
    await sleep(1500);  // more worker steps: nothing else may be sent
    const evs = await withdrawalEvents(market, wid);
    assert.equal(evs.length, 1, 'exactly one on-chain withdrawal for the intent');
    assert.equal(evs[0].transactionHash, done.tx_hash, 'the journaled transaction, not a second one');
    expectedOnChain += round * 1000;
    assert.equal(await token.balanceOf(wallet.address, id), BigInt(expectedOnChain));
    assert.equal(await heldKg(u.buyer, acct, batch.batch) + expectedOnChain, held0, 'credits conserved');
    const b = (await u.admin.get('/api/v1/chain/batches')).json.items.find((x) => x.batch === batch.batch);
    assert.equal(b.on_chain_kg, expectedOnChain);
    assert.equal(await token.balanceOf(await market.getAddress(), id), BigInt(b.custody_kg));
    await srv.stop();
  }
  srv = null;
});
