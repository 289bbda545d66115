// Pure helpers for the chain features (wallet page, verifier signing, on-chain venue).
// Contract (blockchain/README.md "Units, signatures and hashes"):
// - on chain one token unit is one kilogram of CO2e; the API speaks decimal tonnes with
//   three decimals ("1.500"). Conversions are exact BigInt arithmetic, never floats.
// - chain ids arrive as numbers (REST) or 0x-hex (EIP-1193 eth_chainId); compared as BigInt.
// - a verifier's approval is EIP-712 typed data, domain {name: "CarbonX VerificationRegistry",
//   version: "1", chainId, verifyingContract: registry}, type
//   Approval(bytes32 issuanceId,bytes32 batchDataHash,uint256 amount). Typed data from the
//   server is checked against that shape, the chain and the registry address before a wallet
//   is asked to sign it, so a wrong or malicious payload is refused with a reason.
// - listing cost: cost = amount(kg) * unitPrice(minor units per kg), exactly.
// No I/O here.

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };

const TONNES = /^(\d+)(?:\.(\d{1,3}))?$/;

/** API tonnes ("1.5", "1.500", "0") -> integer kg. Refuses signs, >3 decimals, junk. */
export function tonnesToKg(t: string): Check<bigint> {
  const m = TONNES.exec(t.trim());
  if (!m) return { ok: false, message: `not a tonne quantity with at most 3 decimals: "${t}"` };
  return { ok: true, value: BigInt(m[1]) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0') || '0') };
}

/** Integer kg (bigint, as read from a contract) -> API tonnes "1.500" (no grouping). */
export function kgToTonnes(kg: bigint): string {
  const neg = kg < 0n;
  const a = neg ? -kg : kg;
  return `${neg ? '-' : ''}${(a / 1000n).toString()}.${(a % 1000n).toString().padStart(3, '0')}`;
}

/** A quantity a person typed for a chain action: positive, at most 3 decimals, at most `maxKg` when given. */
export function parseChainQuantity(input: string, maxKg?: bigint): Check<bigint> {
  const s = input.trim().replace(/,/g, '');
  const r = tonnesToKg(s);
  if (!r.ok) return { ok: false, message: 'Enter tonnes as a number with at most 3 decimals, e.g. 1.5' };
  if (r.value <= 0n) return { ok: false, message: 'Enter a quantity above zero' };
  if (maxKg !== undefined && r.value > maxKg) return { ok: false, message: `At most ${kgToTonnes(maxKg)} t is available` };
  return r;
}

/** eth_chainId's hex, a decimal string or a number -> bigint; null when it is none of those. */
export function parseChainId(x: unknown): bigint | null {
  if (typeof x === 'number') return Number.isSafeInteger(x) && x > 0 ? BigInt(x) : null;
  if (typeof x === 'bigint') return x > 0n ? x : null;
  if (typeof x !== 'string') return null;
  const s = x.trim();
  if (/^0x[0-9a-fA-F]{1,16}$/.test(s) || /^[1-9]\d{0,18}$/.test(s)) {
    const v = BigInt(s);
    return v > 0n ? v : null;
  }
  return null;
}

/** The 0x-hex form wallet_switchEthereumChain takes (no leading zeros). */
export function chainIdHex(id: number | bigint): string {
  return '0x' + BigInt(id).toString(16);
}

/** Does the wallet's chain (any form) equal the exchange's? False when either is unreadable. */
export function sameChain(wallet: unknown, exchange: unknown): boolean {
  const a = parseChainId(wallet);
  const b = parseChainId(exchange);
  return a !== null && b !== null && a === b;
}

export function isAddress(s: unknown): s is string {
  return typeof s === 'string' && /^0x[0-9a-fA-F]{40}$/.test(s);
}

export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && isAddress(a) && isAddress(b) && a.toLowerCase() === b.toLowerCase();
}

export function isBytes32(s: unknown): s is string {
  return typeof s === 'string' && /^0x[0-9a-fA-F]{64}$/.test(s);
}

export function isTxHash(s: unknown): s is string { return isBytes32(s); }

/** "0x1234…abcd" for narrow cells (the full value stays in a title / copy). */
export function shortHex(s: string, keep = 6): string {
  return s.length > 2 + keep * 2 ? `${s.slice(0, 2 + keep)}…${s.slice(-keep)}` : s;
}

// ---------------------------------------------------------------- EIP-712 approvals

export interface TypedField { name: string; type: string }
export interface ApprovalMessage { issuanceId: string; batchDataHash: string; amount: string }
export interface TypedData {
  types: Record<string, TypedField[]>;
  primaryType: string;
  domain: { name?: string; version?: string; chainId?: number | string; verifyingContract?: string; salt?: string };
  message: Record<string, unknown>;
}

export const APPROVAL_DOMAIN_NAME = 'CarbonX VerificationRegistry';
export const APPROVAL_TYPES: TypedField[] = [
  { name: 'issuanceId', type: 'bytes32' }, { name: 'batchDataHash', type: 'bytes32' }, { name: 'amount', type: 'uint256' },
];
export const DOMAIN_TYPES: TypedField[] = [
  { name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' },
];

/** The typed data a verifier signs for one issuance (what eth_signTypedData_v4 takes). */
export function buildApprovalTypedData(p: { chainId: number | bigint; registry: string; issuanceId: string; batchDataHash: string; amountKg: bigint }): TypedData {
  if (!isAddress(p.registry)) throw new Error('registry is not an address');
  if (!isBytes32(p.issuanceId) || !isBytes32(p.batchDataHash)) throw new Error('issuanceId and batchDataHash must be bytes32 hex');
  if (p.amountKg <= 0n) throw new Error('amount must be above zero');
  return {
    types: { EIP712Domain: DOMAIN_TYPES, Approval: APPROVAL_TYPES },
    primaryType: 'Approval',
    domain: { name: APPROVAL_DOMAIN_NAME, version: '1', chainId: Number(p.chainId), verifyingContract: p.registry.toLowerCase() },
    message: { issuanceId: p.issuanceId.toLowerCase(), batchDataHash: p.batchDataHash.toLowerCase(), amount: p.amountKg.toString() },
  };
}

function sameFields(a: unknown, b: TypedField[]): boolean {
  return Array.isArray(a) && a.length === b.length &&
    a.every((f, i) => f && typeof f === 'object' && (f as TypedField).name === b[i].name && (f as TypedField).type === b[i].type);
}

function uintString(v: unknown): bigint | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  if (typeof v !== 'string') return null;
  if (/^\d{1,78}$/.test(v) || /^0x[0-9a-fA-F]{1,64}$/.test(v)) return BigInt(v);
  return null;
}

/**
 * Checks typed data from the server before a wallet signs it: exactly the Approval type, the
 * registry's domain on the exchange's chain, well-formed values. Returns the decoded message.
 */
export function validateApprovalTypedData(td: unknown, expect: { chainId: number | bigint; registry?: string }): Check<ApprovalMessage & { amountKg: bigint }> {
  const bad = (message: string) => ({ ok: false as const, message });
  if (!td || typeof td !== 'object') return bad('typed data missing');
  const t = td as TypedData;
  if (t.primaryType !== 'Approval') return bad(`primary type is "${String(t.primaryType)}", expected Approval`);
  if (!t.types || typeof t.types !== 'object') return bad('types missing');
  const extra = Object.keys(t.types).filter((k) => k !== 'EIP712Domain' && k !== 'Approval');
  if (extra.length) return bad(`unexpected types: ${extra.join(', ')}`);
  if (!sameFields(t.types.Approval, APPROVAL_TYPES)) return bad('Approval type is not (bytes32 issuanceId, bytes32 batchDataHash, uint256 amount)');
  if (t.types.EIP712Domain && !sameFields(t.types.EIP712Domain, DOMAIN_TYPES)) return bad('EIP712Domain is not (name, version, chainId, verifyingContract)');
  const d = t.domain ?? {};
  if (d.name !== APPROVAL_DOMAIN_NAME || d.version !== '1') return bad('domain is not CarbonX VerificationRegistry version 1');
  const cid = parseChainId(d.chainId);
  if (cid === null || cid !== BigInt(expect.chainId)) return bad(`domain chain ${String(d.chainId)} is not this exchange's chain ${String(expect.chainId)}`);
  if (!isAddress(d.verifyingContract)) return bad('verifyingContract is not an address');
  if (expect.registry && !sameAddress(d.verifyingContract, expect.registry)) return bad('verifyingContract is not the VerificationRegistry of this exchange');
  const m = t.message ?? {};
  if (!isBytes32(m.issuanceId) || !isBytes32(m.batchDataHash)) return bad('issuanceId / batchDataHash are not bytes32');
  const amount = uintString(m.amount);
  if (amount === null || amount <= 0n) return bad('amount is not a positive integer');
  return { ok: true, value: { issuanceId: m.issuanceId, batchDataHash: m.batchDataHash, amount: amount.toString(), amountKg: amount } };
}

/** The JSON text eth_signTypedData_v4 takes (EIP712Domain added when the server left it out). */
export function typedDataJson(td: TypedData): string {
  const types = td.types.EIP712Domain ? td.types : { EIP712Domain: DOMAIN_TYPES, ...td.types };
  return JSON.stringify({ ...td, types }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Signatures collected so far, k of n, for people. */
export function quorumText(have: number, threshold: number): string {
  return `${have} of ${threshold} verifier signature${threshold === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- market and explorers

/** cost = amount * unitPrice (minor units per kg), exact. Null when unitPrice is not an integer. */
export function listingCost(amountKg: bigint, unitPrice: string): bigint | null {
  if (!/^\d{1,78}$/.test(unitPrice)) return null;
  return amountKg * BigInt(unitPrice);
}

/** Integer minor units of a token with `decimals` -> "12.34" (exact). */
export function formatUnitsExact(v: bigint, decimals: number): string {
  if (decimals <= 0) return v.toString();
  const p = 10n ** BigInt(decimals);
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${(a / p).toString()}.${(a % p).toString().padStart(decimals, '0')}`;
}

const EXPLORERS: Record<string, string> = {
  mainnet: 'https://etherscan.io', sepolia: 'https://sepolia.etherscan.io',
  polygon: 'https://polygonscan.com', amoy: 'https://amoy.polygonscan.com',
};
const EXPLORERS_BY_ID: Record<string, string> = { '1': EXPLORERS.mainnet, '11155111': EXPLORERS.sepolia, '137': EXPLORERS.polygon, '80002': EXPLORERS.amoy };

/** The block explorer of a network preset (by name, or chain id), or null for local chains. */
export function explorerBase(network: string | undefined, chainId?: number | bigint): string | null {
  const n = (network ?? '').toLowerCase();
  return EXPLORERS[n] ?? (chainId !== undefined ? EXPLORERS_BY_ID[String(chainId)] ?? null : null);
}

export function explorerTxUrl(network: string | undefined, chainId: number | bigint | undefined, hash: string, explorer?: string): string | null {
  const b = explorer && /^https:\/\/[^\s"<>]+$/.test(explorer) ? explorer.replace(/\/+$/, '') : explorerBase(network, chainId);
  return b && isTxHash(hash) ? `${b}/tx/${hash}` : null;
}

/** Withdrawal / deposit statuses after which nothing changes any more. */
export function isFinalStatus(s: string): boolean {
  return ['confirmed', 'failed', 'released', 'credited', 'reorged', 'unclaimed'].includes(s);
}
