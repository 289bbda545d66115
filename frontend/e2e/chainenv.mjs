// A local EVM chain for the chain tests of the web app: anvil (npm @foundry-rs/anvil) on a
// free port, the contracts deployed with blockchain/scripts/deploy.js, and an EIP-1193
// provider that forwards to anvil (anvil's unlocked default accounts sign
// eth_sendTransaction, personal_sign and eth_signTypedData_v4), for Node and, as a script
// for page.addInitScript, for the browser. Nothing is mocked: every call reaches the chain.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const CHAIN_DIR = join(ROOT, 'blockchain');
export const ANVIL = process.env.ANVIL || join(CHAIN_DIR, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');

// anvil's default accounts (mnemonic "test test ... junk"): deployer/operator 0, verifiers 4 and 5.
export const ACCOUNTS = [
  ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'],
  ['0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'],
  ['0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'],
  ['0x90F79bf6EB2c4f870365E785982E1f101E93b906', '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6'],
  ['0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a'],
  ['0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc', '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba'],
  ['0x976EA74026E726554dB657fA54763abd0C3a0aa9', '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e'],
  ['0x14dC79964da2C08b23698B3D3cc7Ca32193d9955', '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356'],
  ['0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f', '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97'],
  ['0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'],
].map(([address, key]) => ({ address, key }));

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

export async function rpc(url, method, params = []) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json();
  if (j.error) throw Object.assign(new Error(j.error.message), { code: j.error.code, data: j.error.data });
  return j.result;
}

/** Starts anvil on a free port (blockTime seconds: blocks keep coming, so confirmations accrue). */
export async function startAnvil({ blockTime = 1 } = {}) {
  if (!existsSync(ANVIL)) throw new Error(`anvil not installed at ${ANVIL} (bash blockchain/scripts/ensure-deps.sh)`);
  const port = await freePort();
  const args = ['--port', String(port), '--host', '127.0.0.1', '--silent'];
  if (blockTime) args.push('--block-time', String(blockTime));
  const proc = spawn(ANVIL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try { await rpc(url, 'eth_chainId'); break; } catch {
      if (proc.exitCode !== null) throw new Error(`anvil exited: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
      if (i === 99) throw new Error(`anvil did not answer on ${url}`);
    }
  }
  const exited = new Promise((r) => proc.on('exit', r));
  return { url, port, proc, async stop() { if (proc.exitCode === null) { proc.kill('SIGTERM'); await exited; } } };
}

/**
 * Deploys the contracts to `url` with blockchain/scripts/deploy.js and returns the written
 * deployment record (addresses, ABIs, roles) and its file. `env` adds deploy knobs
 * (VERIFIER_ADDRESSES, VERIFIER_THRESHOLD, OPERATOR_ADDRESS, ...).
 */
export async function deploy(url, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cx-deploy-'));
  await new Promise((ok, fail) => {
    execFile('npx', ['hardhat', 'run', 'scripts/deploy.js', '--network', 'localhost'], {
      cwd: CHAIN_DIR, env: { ...process.env, LOCAL_RPC_URL: url, DEPLOYMENTS_DIR: dir, ...env }, timeout: 600000, maxBuffer: 1 << 24,
    }, (e, out, errOut) => (e ? fail(new Error(`deploy failed: ${e.message}\n${out}\n${errOut}`)) : ok(out)));
  });
  const file = join(dir, 'localhost.json');
  return { file, dir, record: JSON.parse(readFileSync(file, 'utf8')), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An EIP-1193 provider (what window.ethereum is) for one of anvil's unlocked accounts: account
 * requests answer `address`, wallet_switchEthereumChain succeeds only for anvil's own chain
 * (4902 otherwise), everything else is forwarded to anvil, which signs for its accounts.
 */
export function anvilProvider(url, address) {
  const listeners = {};
  return {
    calls: [],
    on(e, f) { (listeners[e] ??= []).push(f); },
    removeListener(e, f) { listeners[e] = (listeners[e] ?? []).filter((x) => x !== f); },
    async request({ method, params = [] }) {
      this.calls.push(method);
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address];
      if (method === 'wallet_switchEthereumChain' || method === 'wallet_addEthereumChain') {
        const want = BigInt(params[0]?.chainId);
        if (want !== BigInt(await rpc(url, 'eth_chainId'))) throw Object.assign(new Error('Unrecognized chain'), { code: 4902 });
        return null;
      }
      if (method === 'eth_sendTransaction') return rpc(url, method, [{ from: address, ...params[0] }]);
      return rpc(url, method, params);
    },
  };
}

/**
 * The same provider as a browser script (for page.addInitScript): window.ethereum answers for
 * `address` and forwards to anvil with fetch (anvil allows cross-origin requests). The chain id
 * it reports can start different from anvil's (`startChainId`) until the page asks
 * wallet_switchEthereumChain, as a real wallet on another network would.
 */
export function browserProviderScript(url, address, { startChainId } = {}) {
  return `(() => {
    const URL_ = ${JSON.stringify(url)}, ADDR = ${JSON.stringify(address)};
    let fakeChain = ${startChainId ? JSON.stringify('0x' + BigInt(startChainId).toString(16)) : 'null'};
    const listeners = {};
    const emit = (e, x) => (listeners[e] || []).forEach((f) => { try { f(x); } catch (_) {} });
    let id = 0;
    async function rpc(method, params) {
      const r = await fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: params || [] }) });
      const j = await r.json();
      if (j.error) { const e = new Error(j.error.message); e.code = j.error.code; e.data = j.error.data; throw e; }
      return j.result;
    }
    window.__walletCalls = [];
    window.ethereum = {
      isCarbonXTest: true,
      on(e, f) { (listeners[e] = listeners[e] || []).push(f); },
      removeListener(e, f) { listeners[e] = (listeners[e] || []).filter((x) => x !== f); },
      async request({ method, params }) {
        window.__walletCalls.push(method);
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [ADDR];
        if (method === 'eth_chainId' && fakeChain) return fakeChain;
        if (method === 'net_version' && fakeChain) return String(BigInt(fakeChain));
        if (method === 'wallet_switchEthereumChain' || method === 'wallet_addEthereumChain') {
          const real = await rpc('eth_chainId');
          if (BigInt(params[0].chainId) !== BigInt(real)) { const e = new Error('Unrecognized chain'); e.code = 4902; throw e; }
          fakeChain = null;
          emit('chainChanged', real);
          return null;
        }
        if (fakeChain && (method === 'eth_sendTransaction' || method === 'eth_signTypedData_v4')) {
          const e = new Error('wallet is on another chain'); e.code = 4901; throw e;
        }
        if (method === 'eth_sendTransaction') return rpc(method, [Object.assign({ from: ADDR }, params[0])]);
        return rpc(method, params);
      },
    };
  })();`;
}
