// Bench for tools/bench/chain.sh (see there). N withdrawals of 1 kg each are requested over
// REST as fast as the server answers; the clock stops when the last is confirmed.
import { DEMO } from '../../backend/tests/api/lib.mjs';
import { chainWorld, demoClients, mirrorDemoBatch, linkWallet, anvilWallet, rpc, sleep, ethers } from '../../backend/tests/chain/chainlib.mjs';

const N = Number(process.env.CHAIN_BENCH_N || 100);
const w = await chainWorld({ verifiers: [1, 2], threshold: 2 });
let srv;
try {
  srv = await w.serve({ confirmations: 1 });
  const u = await demoClients(srv.url, DEMO);
  const batch = await mirrorDemoBatch(w, u);
  const wallet = anvilWallet(6, w.provider);
  await linkWallet(u.buyer, wallet);

  // Baseline: pre-signed ETH transfers from account 9, sent one after another.
  const from = anvilWallet(9, w.provider);
  let nonce = await w.provider.getTransactionCount(from.address, 'pending');
  const fee = await w.provider.getFeeData();
  const raws = [];
  for (let i = 0; i < N; i++) {
    raws.push(await from.signTransaction({ to: wallet.address, value: 1n, nonce: nonce++, gasLimit: 21000n, chainId: 31337n,
      maxFeePerGas: fee.maxFeePerGas * 2n, maxPriorityFeePerGas: fee.maxPriorityFeePerGas, type: 2 }));
  }
  let t0 = performance.now();
  for (const raw of raws) await rpc(w.anvil.url, 'eth_sendRawTransaction', [raw]);
  const rawPerS = N / ((performance.now() - t0) / 1000);

  // Withdrawals through the exchange.
  t0 = performance.now();
  const ids = [];
  for (let i = 0; i < N; i++) {
    const r = await u.buyer.post('/api/v1/chain/withdrawals', { batch: batch.batch, quantity: '0.001' });
    if (r.status !== 202) throw new Error('withdrawal: ' + r.text);
    ids.push(r.json.withdrawal.id);
  }
  const want = new Set(ids);
  for (;;) {
    const items = (await u.buyer.get('/api/v1/chain/withdrawals')).json.items;
    const done = items.filter((x) => want.has(x.id) && x.status === 'confirmed').length;
    const bad = items.filter((x) => want.has(x.id) && (x.status === 'failed' || x.status === 'released')).length;
    if (bad) throw new Error(`${bad} withdrawals failed`);
    if (done === N) break;
    await sleep(20);
  }
  const wPerS = N / ((performance.now() - t0) / 1000);
  const token = w.contract('CarbonCreditToken');
  const bal = await token.balanceOf(wallet.address, BigInt(batch.token_id));
  if (bal !== BigInt(N)) throw new Error(`wallet holds ${bal}, expected ${N}`);
  console.log(`BENCH chain_withdrawals_per_s ${wPerS.toFixed(1)} withdrawals/s`);
  console.log(`BENCH chain_raw_send_per_s ${rawPerS.toFixed(1)} tx/s`);
} finally {
  await srv?.stop();
  await w.stop();
}
