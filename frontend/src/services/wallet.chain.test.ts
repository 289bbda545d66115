// The wallet code (ChainSession, viem) against a real chain: anvil with the contracts deployed
// by blockchain/scripts/deploy.js, the wallet an EIP-1193 provider forwarding to anvil (its
// unlocked accounts sign). Runs when CX_CHAIN_RPC and CX_CHAIN_DEPLOYMENT are set (the suite
// tools/suites/64-chain-web.sh starts anvil and deploys); everything happens inside an
// evm_snapshot that is reverted at the end.
// - two verifiers sign the Approval typed data we build through eth_signTypedData_v4 and
//   VerificationRegistry.verifyIssuance accepts the pair (so our EIP-712 data is the contract's);
// - balances per token id; deposit (setApprovalForAll first, then CarbonMarket.deposit with the
//   account reference, the Deposited log carries it); retire (balance and retired() move,
//   Retired log); fill a listing (payment approve + fillListing; a maxTotalCost below the cost
//   reverts and is reported); a wallet on another chain is refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Contract, JsonRpcProvider, TypedDataEncoder, Wallet, id, Interface } from 'ethers';
import { ChainSession } from './wallet';
import type { ChainStatus } from './chain.api';
import { buildApprovalTypedData } from '../utils/chain';
import { ACCOUNTS, anvilProvider, rpc } from '../../e2e/chainenv.mjs';

const URL_ = process.env.CX_CHAIN_RPC ?? '';
const FILE = process.env.CX_CHAIN_DEPLOYMENT ?? '';
const on = !!URL_ && !!FILE;

const BATCH_TYPES = {
  BatchData: [
    { name: 'projectId', type: 'bytes32' }, { name: 'registry', type: 'string' }, { name: 'vintage', type: 'uint16' },
    { name: 'serialStart', type: 'uint64' }, { name: 'serialEnd', type: 'uint64' }, { name: 'methodology', type: 'string' },
    { name: 'country', type: 'string' }, { name: 'metadataUri', type: 'string' },
  ],
};

describe.skipIf(!on)('ChainSession on anvil', () => {
  let snap = '';
  let status: ChainStatus;
  let dep: { contracts: Record<string, { address: string; abi: unknown[] }> };
  const provider = new JsonRpcProvider(URL_, undefined, { staticNetwork: true, polling: true, pollingInterval: 200, cacheTimeout: -1 });
  const operator = new Wallet(ACCOUNTS[0].key, provider);
  const [v1, v2] = [ACCOUNTS[4], ACCOUNTS[5]];
  const alice = ACCOUNTS[7];
  const bob = ACCOUNTS[8];
  const tokenId = BigInt(900000 + Math.floor(Math.random() * 1000));
  const at = (n: string, runner: Wallet | JsonRpcProvider = provider) => new Contract(dep.contracts[n].address, dep.contracts[n].abi as never, runner);
  const session = (who: { address: string }) => new ChainSession(status, anvilProvider(URL_, who.address) as never);
  const noop = () => undefined;

  beforeAll(async () => {
    dep = JSON.parse(readFileSync(FILE, 'utf8'));
    snap = await rpc(URL_, 'evm_snapshot');
    const chainId = Number(BigInt(await rpc(URL_, 'eth_chainId')));
    const c = (n: string) => dep.contracts[n].address.toLowerCase();
    status = {
      enabled: true, network: 'localhost', chain_id: chainId, rpc_url: URL_, confirmations: 1,
      contracts: { VerificationRegistry: c('VerificationRegistry'), CarbonCreditToken: c('CarbonCreditToken'), CarbonMarket: c('CarbonMarket'), PaymentToken: c('PaymentToken') },
    };
  }, 60000);
  afterAll(async () => { if (snap) await rpc(URL_, 'evm_revert', [snap]); });

  it('verifiers sign our Approval typed data in their wallets and the registry verifies the issuance; a batch is minted', async () => {
    const reg = at('VerificationRegistry', operator);
    const token = at('CarbonCreditToken', operator);
    const tag = `web-${tokenId}`;
    const projectId = id(`${tag}-project`);
    const issuanceId = id(`${tag}-issuance`);
    const data = { projectId, registry: 'CarbonXchange', vintage: 2024, serialStart: 1n, serialEnd: 10n, methodology: 'VM0047', country: 'BR', metadataUri: 'ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' };
    const hash = TypedDataEncoder.hashStruct('BatchData', BATCH_TYPES, data);
    expect(await token.hashBatchData(data)).toBe(hash);
    await (await reg.registerProject(projectId, id('class-web'), ACCOUNTS[6].address, 'bafydocs')).wait();
    await (await reg.proposeIssuance(issuanceId, projectId, hash, 5000n, 'bafyreport')).wait();
    const td = buildApprovalTypedData({ chainId: status.chain_id!, registry: status.contracts!.VerificationRegistry!, issuanceId, batchDataHash: hash, amountKg: 5000n });
    const signed = [];
    for (const v of [v1, v2]) signed.push({ a: v.address, s: await session(v).signTypedData(v.address as `0x${string}`, td) });
    signed.sort((x, y) => (BigInt(x.a) < BigInt(y.a) ? -1 : 1));
    // One signature is not enough (k = 2): the registry refuses it.
    await expect(reg.verifyIssuance.staticCall(issuanceId, [signed[0].s])).rejects.toThrow();
    await (await reg.verifyIssuance(issuanceId, signed.map((x) => x.s))).wait();
    await (await token.createBatch(tokenId, issuanceId, data)).wait();
    await (await token.mint(alice.address, tokenId, 3000n)).wait();
    expect(await session(alice).balances(alice.address as `0x${string}`, [tokenId, tokenId + 1n])).toEqual([3000n, 0n]);
  }, 120000);

  it('deposits to the market with the account reference (approving the market first), once', async () => {
    const s = session(alice);
    const ref = ('0x' + '00'.repeat(31) + '2a') as `0x${string}`;
    const steps: string[] = [];
    const h = await s.deposit(alice.address as `0x${string}`, tokenId, 1000n, ref, (w) => steps.push(w));
    expect(steps.some((x) => x.startsWith('Approve the market'))).toBe(true);
    const rc = await provider.getTransactionReceipt(h);
    const iface = new Interface(dep.contracts.CarbonMarket.abi as never);
    const ev = rc!.logs.map((l) => { try { return iface.parseLog(l); } catch { return null; } }).find((x) => x?.name === 'Deposited');
    expect(ev?.args.account).toBe(ref);
    expect(ev?.args.amount).toBe(1000n);
    expect((ev?.args.from as string).toLowerCase()).toBe(alice.address.toLowerCase());
    expect(await s.balances(alice.address as `0x${string}`, [tokenId])).toEqual([2000n]);
    // Already approved: the second deposit asks for one transaction only.
    const before = (s.provider as unknown as { calls: string[] }).calls.filter((c) => c === 'eth_sendTransaction').length;
    await s.deposit(alice.address as `0x${string}`, tokenId, 1n, ref, noop);
    expect((s.provider as unknown as { calls: string[] }).calls.filter((c) => c === 'eth_sendTransaction').length - before).toBe(1);
    expect(await s.balances(alice.address as `0x${string}`, [tokenId])).toEqual([1999n]);
  }, 120000);

  it('retires from the wallet: the balance falls, the retirement is recorded with its beneficiary', async () => {
    const s = session(alice);
    const h = await s.retire(alice.address as `0x${string}`, tokenId, 499n, 'Acme GmbH', 'FY2025 travel', noop);
    expect(await s.balances(alice.address as `0x${string}`, [tokenId])).toEqual([1500n]);
    expect(await at('CarbonCreditToken').retired(tokenId)).toBe(499n);
    const rc = await provider.getTransactionReceipt(h);
    const iface = new Interface(dep.contracts.CarbonCreditToken.abi as never);
    const ev = rc!.logs.map((l) => { try { return iface.parseLog(l); } catch { return null; } }).find((x) => x?.name === 'Retired');
    expect(ev?.args.beneficiary).toBe('Acme GmbH');
    // More than the balance: the chain refuses and the error says so.
    const sent = (s.provider as unknown as { calls: string[] }).calls.filter((c) => c === 'eth_sendTransaction').length;
    await expect(s.retire(alice.address as `0x${string}`, tokenId, 5000n, 'X', 'Y', noop)).rejects.toThrow('Your wallet does not hold that many credits of this batch. (ERC1155InsufficientBalance)');
    await expect(s.retire(alice.address as `0x${string}`, tokenId, 1n, '', 'Y', noop)).rejects.toThrow(/EmptyBeneficiary/);
    // Refused in simulation: nothing was sent.
    expect((s.provider as unknown as { calls: string[] }).calls.filter((c) => c === 'eth_sendTransaction').length).toBe(sent);
  }, 120000);

  it('fills a listing: pays with the payment token (approved first), refuses a max cost below the cost', async () => {
    const market = at('CarbonMarket', new Wallet(alice.key, provider));
    const latest = await provider.getBlock('latest');
    const rc = await (await market.createListing(tokenId, 1000n, 7n, 100n, BigInt(latest!.timestamp) + 3600n)).wait();
    const iface = new Interface(dep.contracts.CarbonMarket.abi as never);
    const listingId = rc!.logs.map((l: never) => { try { return iface.parseLog(l); } catch { return null; } }).find((x: { name: string } | null) => x?.name === 'ListingCreated')!.args.listingId as bigint;
    const usd = at('PaymentToken', new Wallet(bob.key, provider));
    await (await usd.mint(bob.address, 1_000_000n)).wait();
    const s = session(bob);
    expect(await s.paymentInfo()).toEqual({ symbol: 'tUSD', decimals: 6 });
    // 300 kg at 7 minor units/kg = 2100; a max of 2099 reverts.
    await expect(s.fillListing(bob.address as `0x${string}`, listingId, 300n, 2099n, noop)).rejects.toThrow(/CostAboveMaximum/);
    await expect(s.fillListing(bob.address as `0x${string}`, listingId, 50n, 350n, noop)).rejects.toThrow(/FillTooSmall/);
    const steps: string[] = [];
    await s.fillListing(bob.address as `0x${string}`, listingId, 300n, 2100n, (w) => steps.push(w));
    expect(await s.balances(bob.address as `0x${string}`, [tokenId])).toEqual([300n]);
    expect(await usd.balanceOf(bob.address)).toBe(1_000_000n - 2100n);
    // The refused attempt approved 2099, short of 2100: approved again, exactly the cost, all spent.
    expect(steps.some((x) => x.startsWith('Approve the payment'))).toBe(true);
    expect(await usd.allowance(bob.address, dep.contracts.CarbonMarket.address)).toBe(0n);
  }, 120000);

  it('a wallet on another chain is refused before anything is sent', async () => {
    const s = new ChainSession({ ...status, chain_id: 1 }, anvilProvider(URL_, alice.address) as never);
    const calls = (s.provider as unknown as { calls: string[] }).calls;
    await expect(s.retire(alice.address as `0x${string}`, tokenId, 1n, 'X', 'Y', noop)).rejects.toThrow(/chain/i);
    expect(calls).not.toContain('eth_sendTransaction');
    await expect(s.switchChain()).rejects.toThrow();
  }, 60000);
});
