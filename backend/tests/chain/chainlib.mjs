// Helpers for the chain integration tests (node:test): a fresh anvil (npm @foundry-rs/anvil)
// on a free port, the contracts deployed to it with blockchain/scripts/deploy.js, an operator
// keystore written by `carbonx keystore new`, and carbonx started against it. ethers (from
// blockchain/node_modules) is the independent client. Shared by the chain-flows, chain-proofs
// and chain-web tests: add helpers, do not change what existing ones do.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, BIN, tempDir, startServer, Client, login } from '../api/lib.mjs';

export { ROOT, BIN, tempDir, startServer, Client, login };
const require = createRequire(join(ROOT, 'blockchain', 'package.json'));
export const ethers = require('ethers');

export const ANVIL = join(ROOT, 'blockchain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
export const MNEMONIC = 'test test test test test test test test test test test junk';
// Anvil's default accounts (funded with 10,000 ETH each). 0 is the deployer and operator.
export function anvilWallet(i, provider) {
  const w = ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
  return provider ? w.connect(provider) : w;
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
    s.on('error', fail);
  });
}

export async function rpc(url, method, params = []) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

// Starts anvil; resolves to {url, port, proc, stop()}. `args`: extra anvil flags.
export async function startAnvil({ args = [] } = {}) {
  const port = await freePort();
  const proc = spawn(ANVIL, ['--port', String(port), '--host', '127.0.0.1', '--silent', ...args], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { await rpc(url, 'eth_chainId'); break; } catch { await sleep(50); }
    if (i === 199) throw new Error('anvil did not start');
  }
  const exited = new Promise((r) => proc.on('exit', r));
  return { url, port, proc, async stop() { proc.kill('SIGTERM'); await exited; } };
}

// Deploys the contracts (scripts/deploy.js) to `url`; returns {file, json}.
export function deploy(url, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cx-deploy-'));
  const r = spawnSync('npx', ['hardhat', 'run', 'scripts/deploy.js', '--network', 'localhost'], {
    cwd: join(ROOT, 'blockchain'), encoding: 'utf8',
    env: { ...process.env, LOCAL_RPC_URL: url, DEPLOYMENTS_DIR: dir, ...env },
  });
  if (r.status !== 0) throw new Error(`deploy failed (status ${r.status}, signal ${r.signal}, ${r.error ?? ''}): ` + r.stdout + r.stderr);
  const file = join(dir, 'localhost.json');
  return { file, json: JSON.parse(readFileSync(file, 'utf8')) };
}

// Writes the operator keystore for `privateKey` with `carbonx keystore new` (password in FILE.password).
export function writeKeystore(privateKey, dir = tempDir('cx-ks-')) {
  const file = join(dir, 'operator.json');
  writeFileSync(file + '.password', 'test-password\n', { mode: 0o600 });
  const r = spawnSync(BIN, ['keystore', 'new', '--out', file, '--private-key', privateKey], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('keystore: ' + r.stdout + r.stderr);
  return { file, address: r.stdout.trim() };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns a truthy value (returned) or `ms` pass (assertion failure).
export async function until(fn, what, ms = 60000, every = 200) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  assert.fail(`timed out waiting for ${what}`);
}

// One chain world: anvil + deployment (verifiers = `verifierWallets`' addresses, threshold k)
// + operator keystore. `serve(extra)` starts carbonx against it (demo data by default).
export async function chainWorld({ verifiers = [1, 2], threshold = 2, anvilArgs = [] } = {}) {
  const anvil = await startAnvil({ args: anvilArgs });
  const provider = new ethers.JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, polling: true, pollingInterval: 100 });
  const verifierWallets = verifiers.map((i) => anvilWallet(i, provider));
  const dep = deploy(anvil.url, {
    VERIFIER_ADDRESSES: verifierWallets.map((w) => w.address).join(','),
    VERIFIER_THRESHOLD: String(threshold),
  });
  const operator = anvilWallet(0, provider);
  const ks = writeKeystore(operator.privateKey);
  const c = dep.json.contracts;
  const contract = (name, runner = provider) => new ethers.Contract(c[name].address, c[name].abi, runner);
  return {
    anvil, provider, dep, ks, operator, verifierWallets, contract,
    serve({ data, confirmations = 1, extra = [], demo = true } = {}) {
      return startServer({ data, demo, extra: ['--chain', anvil.url, '--chain-keystore', ks.file, '--chain-deployment', dep.file,
        '--chain-confirmations', String(confirmations), ...extra] });
    },
    async stop() { provider.destroy(); await anvil.stop(); },
  };
}

// SIWE-links `wallet` to the signed-in `client` (POST /api/v1/auth/siwe/link).
export async function linkWallet(client, wallet) {
  const n = (await client.get('/api/v1/auth/siwe/nonce')).json;
  const msg = `${n.domain} wants you to sign in with your Ethereum account:\n${wallet.address}\n\nSign in to CarbonXchange.\n\n` +
    `URI: ${client.url}\nVersion: 1\nChain ID: ${n.chain_id}\nNonce: ${n.nonce}\nIssued At: ${new Date().toISOString()}`;
  const r = await client.post('/api/v1/auth/siwe/link', { message: msg, signature: await wallet.signMessage(msg) });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// Signs the typed data the server hands out (eth_signTypedData_v4 shape) with ethers.
export async function signTyped(wallet, typed) {
  const types = { ...typed.types };
  delete types.EIP712Domain;
  return wallet.signTypedData(typed.domain, types, typed.message);
}

// The demo users signed in: {admin, verifier, verifier2, buyer, ...} -> Client.
export async function demoClients(url, DEMO) {
  const anon = new Client(url);
  const out = { anon };
  for (const [k, [email, pw]] of Object.entries(DEMO)) out[k] = anon.as((await login(anon, email, pw)).access_token);
  return out;
}

// Kilograms the account holds of `batch` (tradable + escrowed; GET /api/v1/accounts/{id}/holdings).
export async function heldKg(client, account, batch) {
  const r = await client.get(`/api/v1/accounts/${account}/holdings`);
  assert.equal(r.status, 200, r.text);
  const h = r.json.items.find((x) => Number(x.batch) === Number(batch));
  return h ? h.tradable_kg + h.escrowed_kg : 0;
}

// Drives the demo batch through the on-chain mirror: the two demo verifiers link
// `world.verifierWallets` by SIWE and sign the EIP-712 Approval the server hands out; resolves
// when the batch is minted to CarbonMarket custody. Returns the GET /chain/batches item.
export async function mirrorDemoBatch(world, u) {
  const waiting = await until(async () => {
    const r = await u.admin.get('/api/v1/chain/batches');
    return r.json?.items?.find((b) => b.status === 'awaiting_signatures' || b.status === 'minted');
  }, 'the demo batch proposed on chain');
  if (waiting.status === 'minted') return waiting;
  const clients = [u.verifier, u.verifier2];
  for (let i = 0; i < clients.length; i++) {
    const me = (await clients[i].get('/api/v1/me')).json;
    if (!(me.wallets ?? []).includes(world.verifierWallets[i].address.toLowerCase())) await linkWallet(clients[i], world.verifierWallets[i]);
    const ap = (await clients[i].get(`/api/v1/chain/approvals/${waiting.issuance}`)).json;
    const r = await clients[i].post(`/api/v1/chain/approvals/${waiting.issuance}`, { signature: await signTyped(world.verifierWallets[i], ap.typed_data) });
    assert.equal(r.status, 200, r.text);
  }
  return until(async () => {
    const r = await u.admin.get('/api/v1/chain/batches');
    return r.json.items.find((b) => b.batch === waiting.batch && b.status === 'minted');
  }, 'the demo batch minted on chain');
}

// Mines a block every `ms` until stopped (confirmations on an automining anvil).
export function miner(url, ms = 250) {
  let on = true;
  const loop = (async () => { while (on) { await rpc(url, 'evm_mine').catch(() => {}); await sleep(ms); } })();
  return async () => { on = false; await loop; };
}
