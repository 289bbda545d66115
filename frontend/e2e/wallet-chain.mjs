// Runs the wallet code's chain test (src/services/wallet.chain.test.ts: ChainSession/viem
// against anvil) with a fresh anvil and a fresh deployment (verifiers = anvil accounts 4 and
// 5, k = 2). Needs no carbonx. Prints `E2E <passed> <failed>`; exit code 1 on failure.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNTS, deploy, startAnvil } from './chainenv.mjs';

const FRONT = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = Date.now();
const anvil = await startAnvil({ blockTime: 0 });
let passed = 0;
let failed = 0;
let dep = null;
try {
  dep = await deploy(anvil.url, { VERIFIER_ADDRESSES: `${ACCOUNTS[4].address},${ACCOUNTS[5].address}`, VERIFIER_THRESHOLD: '2' });
  const r = spawnSync('npx', ['vitest', 'run', 'src/services/wallet.chain.test.ts', '--reporter=verbose'], {
    cwd: FRONT, env: { ...process.env, NO_COLOR: '1', CX_CHAIN_RPC: anvil.url, CX_CHAIN_DEPLOYMENT: dep.file }, encoding: 'utf8', timeout: 300000,
  });
  if (r.error) throw r.error;
  // Without colour codes (CI=true makes vitest colour its output).
  const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  console.log(out.split('\n').filter((l) => /✓|×|FAIL|Tests|Error/.test(l)).join('\n'));
  const m = /Tests\s+(?:(\d+) failed \| )?(\d+) passed/.exec(out);
  const f = /Tests\s+(\d+) failed/.exec(out);
  passed = m ? Number(m[2]) : 0;
  failed = f ? Number(f[1]) : 0;
  if (/skipped/.test(out) && !m) failed++;
  if (r.status !== 0 && failed === 0) failed = 1;
  if (passed === 0 && failed === 0) failed = 1;
} catch (e) {
  failed++;
  console.error(e);
} finally {
  await anvil.stop();
  dep?.cleanup();
}
console.log(`wallet chain test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`E2E ${passed} ${failed}`);
process.exit(failed ? 1 : 0);
