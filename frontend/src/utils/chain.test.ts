// Chain helpers: exact kg <-> tonnes as bigint, chain-id parsing and comparison, the verifier
// approval typed data (built, validated, tampering refused) signed by an independent library
// (ethers) and recovered by ours (viem) and the other way round, listing cost, explorers.
import { describe, expect, it } from 'vitest';
import { Wallet, TypedDataEncoder, verifyTypedData } from 'ethers';
import {
  buildApprovalTypedData, chainIdHex, explorerTxUrl, formatUnitsExact, isFinalStatus, kgToTonnes, listingCost, parseChainId,
  parseChainQuantity, quorumText, sameAddress, sameChain, tonnesToKg, typedDataJson, validateApprovalTypedData, type TypedData,
} from './chain';
import { recoverTyped, ChainSession, walletError } from '../services/wallet';
import { decodeAbiString } from '../components/wallet/OnChainVenue';

const REGISTRY = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const ISS = '0x' + '11'.repeat(32);
const HASH = '0x' + 'ab'.repeat(32);

describe('kg <-> tonnes', () => {
  it('converts API tonnes to integer kg exactly', () => {
    expect(tonnesToKg('1.500')).toEqual({ ok: true, value: 1500n });
    expect(tonnesToKg('1.5')).toEqual({ ok: true, value: 1500n });
    expect(tonnesToKg('0.001')).toEqual({ ok: true, value: 1n });
    expect(tonnesToKg('0')).toEqual({ ok: true, value: 0n });
    // Beyond 2^53 kg stays exact.
    expect(tonnesToKg('9007199254740993.123')).toEqual({ ok: true, value: 9007199254740993123n });
  });
  it('refuses what is not a tonne quantity', () => {
    for (const bad of ['', '-1', '1.2345', '1e3', 'abc', '1.', '.5', '0x10', '1 000']) expect(tonnesToKg(bad).ok, bad).toBe(false);
  });
  it('formats kg as tonnes with three decimals', () => {
    expect(kgToTonnes(1500n)).toBe('1.500');
    expect(kgToTonnes(1n)).toBe('0.001');
    expect(kgToTonnes(0n)).toBe('0.000');
    expect(kgToTonnes(-2500n)).toBe('-2.500');
    expect(kgToTonnes(9007199254740993123n)).toBe('9007199254740993.123');
  });
  it('round-trips every kg value of a sweep', () => {
    for (const kg of [0n, 1n, 9n, 10n, 99n, 100n, 999n, 1000n, 1001n, 123456789n, 2n ** 64n + 7n]) {
      const t = kgToTonnes(kg);
      expect(tonnesToKg(t)).toEqual({ ok: true, value: kg });
    }
  });
  it('checks a typed quantity against what is available', () => {
    expect(parseChainQuantity('2.5', 2500n)).toEqual({ ok: true, value: 2500n });
    expect(parseChainQuantity('1,000.5')).toEqual({ ok: true, value: 1000500n });
    expect(parseChainQuantity('2.501', 2500n)).toEqual({ ok: false, message: 'At most 2.500 t is available' });
    expect(parseChainQuantity('0').ok).toBe(false);
    expect(parseChainQuantity('0.0001').ok).toBe(false);
  });
});

describe('chain ids', () => {
  it('parses hex, decimal strings and numbers', () => {
    expect(parseChainId('0x7a69')).toBe(31337n);
    expect(parseChainId('0x01')).toBe(1n);
    expect(parseChainId('137')).toBe(137n);
    expect(parseChainId(80002)).toBe(80002n);
    for (const bad of ['', '0x', '0', 0, -1, 1.5, 'polygon', null, undefined, '0x' + 'f'.repeat(17), '012']) expect(parseChainId(bad), String(bad)).toBeNull();
  });
  it('compares the wallet chain with the exchange chain in any form', () => {
    expect(sameChain('0x7a69', 31337)).toBe(true);
    expect(sameChain('0x1', 137)).toBe(false);
    expect(sameChain(null, 1)).toBe(false);
    expect(chainIdHex(31337)).toBe('0x7a69');
    expect(chainIdHex(80002n)).toBe('0x13882');
  });
  it('compares addresses case-insensitively and refuses junk', () => {
    expect(sameAddress(REGISTRY, REGISTRY.toUpperCase().replace('0X', '0x'))).toBe(true);
    expect(sameAddress(REGISTRY, '0x' + '0'.repeat(40))).toBe(false);
    expect(sameAddress('0x123', '0x123')).toBe(false);
  });
});

describe('verifier approval typed data', () => {
  const td = buildApprovalTypedData({ chainId: 31337, registry: REGISTRY, issuanceId: ISS, batchDataHash: HASH, amountKg: 25000n });
  const expect_ = { chainId: 31337, registry: REGISTRY };

  it('builds the Approval of blockchain/README.md', () => {
    expect(td.primaryType).toBe('Approval');
    expect(td.domain).toEqual({ name: 'CarbonX VerificationRegistry', version: '1', chainId: 31337, verifyingContract: REGISTRY });
    expect(td.types.Approval.map((f) => `${f.type} ${f.name}`).join(',')).toBe('bytes32 issuanceId,bytes32 batchDataHash,uint256 amount');
    expect(td.message).toEqual({ issuanceId: ISS, batchDataHash: HASH, amount: '25000' });
    expect(() => buildApprovalTypedData({ chainId: 1, registry: 'nope', issuanceId: ISS, batchDataHash: HASH, amountKg: 1n })).toThrow();
    expect(() => buildApprovalTypedData({ chainId: 1, registry: REGISTRY, issuanceId: ISS, batchDataHash: HASH, amountKg: 0n })).toThrow();
  });

  it('accepts what the server should send (with or without EIP712Domain, hex or decimal amount)', () => {
    const v = validateApprovalTypedData(td, expect_);
    expect(v).toEqual({ ok: true, value: { issuanceId: ISS, batchDataHash: HASH, amount: '25000', amountKg: 25000n } });
    const { EIP712Domain: _d, ...noDomain } = td.types;
    expect(validateApprovalTypedData({ ...td, types: noDomain }, expect_).ok).toBe(true);
    expect(validateApprovalTypedData({ ...td, message: { ...td.message, amount: '0x61a8' } }, expect_).ok).toBe(true);
    expect(validateApprovalTypedData({ ...td, domain: { ...td.domain, chainId: '0x7a69' } }, expect_).ok).toBe(true);
  });

  it('refuses tampered or foreign typed data with a reason', () => {
    const cases: Array<[string, unknown]> = [
      ['other chain', { ...td, domain: { ...td.domain, chainId: 1 } }],
      ['other registry', { ...td, domain: { ...td.domain, verifyingContract: '0x' + '22'.repeat(20) } }],
      ['other domain name', { ...td, domain: { ...td.domain, name: 'CarbonX Market' } }],
      ['other version', { ...td, domain: { ...td.domain, version: '2' } }],
      ['other primary type', { ...td, primaryType: 'Withdrawal' }],
      ['extra type', { ...td, types: { ...td.types, Withdrawal: [{ name: 'to', type: 'address' }] } }],
      ['reordered fields', { ...td, types: { ...td.types, Approval: [td.types.Approval[1], td.types.Approval[0], td.types.Approval[2]] } }],
      ['amount type', { ...td, types: { ...td.types, Approval: [td.types.Approval[0], td.types.Approval[1], { name: 'amount', type: 'uint128' }] } }],
      ['zero amount', { ...td, message: { ...td.message, amount: '0' } }],
      ['negative amount', { ...td, message: { ...td.message, amount: '-5' } }],
      ['float amount', { ...td, message: { ...td.message, amount: 1.5 } }],
      ['short hash', { ...td, message: { ...td.message, batchDataHash: '0x1234' } }],
      ['missing', null],
    ];
    for (const [what, x] of cases) {
      const v = validateApprovalTypedData(x, expect_);
      expect(v.ok, what).toBe(false);
      if (!v.ok) expect(v.message.length, what).toBeGreaterThan(5);
    }
  });

  it('a signature made by ethers over typedDataJson recovers (viem) to the signer, and tampering changes the signer', async () => {
    const w = Wallet.createRandom();
    const json = JSON.parse(typedDataJson(td)) as TypedData;
    const { EIP712Domain: _d, ...types } = json.types;
    const sig = await w.signTypedData(json.domain, types, json.message);
    expect((await recoverTyped(td, sig as `0x${string}`)).toLowerCase()).toBe(w.address.toLowerCase());
    expect(verifyTypedData(json.domain, types, json.message, sig)).toBe(w.address);
    // Same digest computed by both libraries.
    expect(TypedDataEncoder.hash(json.domain, types, json.message)).toMatch(/^0x[0-9a-f]{64}$/);
    const tampered = { ...td, message: { ...td.message, amount: '25001' } };
    expect((await recoverTyped(tampered, sig as `0x${string}`)).toLowerCase()).not.toBe(w.address.toLowerCase());
  });

  it('ChainSession.signTypedData asks the wallet for eth_signTypedData_v4 and checks who signed', async () => {
    const w = Wallet.createRandom();
    const other = Wallet.createRandom();
    const calls: string[] = [];
    const provider = (signer: { signTypedData: Wallet['signTypedData'] }) => ({
      async request({ method, params }: { method: string; params?: unknown[] }) {
        calls.push(method);
        if (method !== 'eth_signTypedData_v4') throw Object.assign(new Error('unsupported'), { code: 4200 });
        const [addr, text] = params as [string, string];
        expect(addr.toLowerCase()).toBe(w.address.toLowerCase());
        const t = JSON.parse(text) as TypedData;
        expect(t.types.EIP712Domain).toBeDefined();
        const { EIP712Domain: _d, ...types } = t.types;
        return signer.signTypedData(t.domain, types, t.message);
      },
    });
    const status = { enabled: true, chain_id: 31337, rpc_url: 'http://127.0.0.1:1', contracts: { VerificationRegistry: REGISTRY } };
    const good = new ChainSession(status, provider(w) as never);
    const sig = await good.signTypedData(w.address as `0x${string}`, td);
    expect(sig).toMatch(/^0x[0-9a-f]{130}$/);
    expect(calls).toEqual(['eth_signTypedData_v4']);
    const liar = new ChainSession(status, provider(other) as never);
    await expect(liar.signTypedData(w.address as `0x${string}`, td)).rejects.toThrow(/signed with/);
    const refusing = new ChainSession(status, { request: async () => { throw Object.assign(new Error('User rejected'), { code: 4001 }); } } as never);
    await expect(refusing.signTypedData(w.address as `0x${string}`, td)).rejects.toThrow('You declined the request in your wallet.');
  });

  it('quorum text', () => {
    expect(quorumText(1, 2)).toBe('1 of 2 verifier signatures');
    expect(quorumText(1, 1)).toBe('1 of 1 verifier signature');
  });
});

describe('market and explorers', () => {
  it('costs a fill exactly (kg * minor units per kg)', () => {
    expect(listingCost(1500n, '2480')).toBe(3720000n);
    expect(listingCost(2n ** 70n, '3')).toBe(3n * 2n ** 70n);
    expect(listingCost(1n, '1.5')).toBeNull();
    expect(listingCost(1n, '-1')).toBeNull();
    expect(formatUnitsExact(3720000n, 6)).toBe('3.720000');
    expect(formatUnitsExact(5n, 2)).toBe('0.05');
    expect(formatUnitsExact(5n, 0)).toBe('5');
  });
  it('links transactions to the explorer of public presets only', () => {
    const h = '0x' + 'cd'.repeat(32);
    expect(explorerTxUrl('polygon', 137, h)).toBe(`https://polygonscan.com/tx/${h}`);
    expect(explorerTxUrl('amoy', undefined, h)).toBe(`https://amoy.polygonscan.com/tx/${h}`);
    expect(explorerTxUrl(undefined, 11155111, h)).toBe(`https://sepolia.etherscan.io/tx/${h}`);
    expect(explorerTxUrl('localhost', 31337, h)).toBeNull();
    expect(explorerTxUrl('mainnet', 1, '0x12')).toBeNull();
    // The server's explorer wins when it is an https URL; anything else is ignored.
    expect(explorerTxUrl('localhost', 31337, h, 'https://scan.example/')).toBe(`https://scan.example/tx/${h}`);
    expect(explorerTxUrl('polygon', 137, h, 'javascript:alert(1)')).toBe(`https://polygonscan.com/tx/${h}`);
    expect(explorerTxUrl('localhost', 31337, h, '')).toBeNull();
  });
  it('final statuses', () => {
    expect(['requested', 'sent', 'seen'].some(isFinalStatus)).toBe(false);
    expect(['confirmed', 'failed', 'released', 'credited', 'reorged'].every(isFinalStatus)).toBe(true);
  });
  it('decodes an ABI string return value', () => {
    const enc = '0x' + (32).toString(16).padStart(64, '0') + (4).toString(16).padStart(64, '0') + Buffer.from('USDC').toString('hex').padEnd(64, '0');
    expect(decodeAbiString(enc)).toBe('USDC');
  });
  it('wallet errors become sentences', () => {
    expect(walletError({ code: 4001, message: 'x' }).message).toBe('You declined the request in your wallet.');
    expect(walletError(new Error('boom')).message).toBe('boom');
    expect(walletError(undefined).message).toBe('The wallet did not answer.');
  });
  it('a session needs the chain enabled and a wallet', () => {
    expect(() => new ChainSession({ enabled: false })).toThrow(/not enabled/);
    expect(() => new ChainSession({ enabled: true, chain_id: 1, rpc_url: 'http://x' })).toThrow(/No Ethereum wallet/);
  });
});
