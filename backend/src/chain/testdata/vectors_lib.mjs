// Shared helpers for gen_vectors.mjs and ethers_compare.test.mjs: random values for ABI
// types, the JSON forms the C++ chain module takes (args) and produces (decoded values),
// and the cases (tx, typed data, personal_sign, ABI calls) computed with ethers.
// `rnd` is a source of random bytes: rnd(n) -> Uint8Array (seeded or crypto-random).
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../../../..');
const require = createRequire(path.join(ROOT, 'blockchain/package.json'));
export const { ethers } = require('ethers');

export const DEPLOYMENT_REL = 'blockchain/deployments/localhost.json';
export const deployment = JSON.parse(fs.readFileSync(path.join(ROOT, DEPLOYMENT_REL), 'utf8'));

// Deterministic byte source (keccak in counter mode) for the checked-in vectors.
export function seededRnd(seed) {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const block = ethers.getBytes(ethers.keccak256(ethers.toUtf8Bytes(`${seed}:${counter++}`)));
      const take = Math.min(32, n - off);
      out.set(block.subarray(0, take), off);
      off += take;
    }
    return out;
  };
}

export function cryptoRnd() {
  // eslint-disable-next-line no-undef
  return (n) => ethers.randomBytes(n);
}

export function rInt(rnd, max) {  // 0 <= x < max (max <= 2^32)
  const b = rnd(4);
  return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) % max;
}

export function rBig(rnd, bits) {  // random BigInt with a random effective width <= bits
  const width = 1 + rInt(rnd, bits);
  const bytes = rnd(Math.ceil(width / 8));
  let v = BigInt(ethers.hexlify(bytes));
  v &= (1n << BigInt(width)) - 1n;
  const edge = rInt(rnd, 8);
  if (edge === 0) return 0n;
  if (edge === 1) return (1n << BigInt(bits)) - 1n;
  return v;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:/"\\\n';
export function rString(rnd) {
  const n = rInt(rnd, 70);
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = rInt(rnd, 20);
    if (k === 0) s += ['é', 'ü', '€', '漢', '😀', 'ß'][rInt(rnd, 6)];
    else s += ALPHABET[rInt(rnd, ALPHABET.length)];
  }
  return s;
}

export function rAddress(rnd) { return ethers.getAddress(ethers.hexlify(rnd(20))); }

// A random ethers-side value for a ParamType.
export function rValue(rnd, pt, depth = 0) {
  if (pt.baseType === 'array') {
    const n = pt.arrayLength >= 0 ? pt.arrayLength : rInt(rnd, depth > 1 ? 3 : 5);
    return Array.from({ length: n }, () => rValue(rnd, pt.arrayChildren, depth + 1));
  }
  if (pt.baseType === 'tuple') return pt.components.map((c) => rValue(rnd, c, depth + 1));
  const t = pt.type;
  if (t === 'address') return rAddress(rnd);
  if (t === 'bool') return rInt(rnd, 2) === 1;
  if (t === 'string') return rString(rnd);
  if (t === 'bytes') return ethers.hexlify(rnd(rInt(rnd, 100)));
  let m = /^bytes(\d+)$/.exec(t);
  if (m) return ethers.hexlify(rnd(Number(m[1])));
  m = /^uint(\d*)$/.exec(t);
  if (m) return rBig(rnd, Number(m[1] || 256));
  m = /^int(\d*)$/.exec(t);
  if (m) {
    const bits = Number(m[1] || 256);
    const v = rBig(rnd, bits - 1);
    const edge = rInt(rnd, 10);
    if (edge === 0) return -(1n << BigInt(bits - 1));
    return rInt(rnd, 2) ? -v : v;
  }
  throw new Error(`no generator for ${t}`);
}

// The JSON args the C++ side takes: integers as decimal strings (sometimes hex or a JSON
// number when small, to exercise every accepted form), tuples positional or by name.
export function toArg(rnd, pt, v) {
  if (pt.baseType === 'array') return v.map((x) => toArg(rnd, pt.arrayChildren, x));
  if (pt.baseType === 'tuple') {
    const named = pt.components.every((c) => c.name);
    if (named && rInt(rnd, 2)) {
      const o = {};
      pt.components.forEach((c, i) => { o[c.name] = toArg(rnd, c, v[i]); });
      return o;
    }
    return pt.components.map((c, i) => toArg(rnd, c, v[i]));
  }
  if (typeof v === 'bigint') {
    const k = rInt(rnd, 4);
    if (k === 0 && v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n) return Number(v);
    if (k === 1 && v >= 0n) return ethers.toQuantity(v);
    return v.toString();
  }
  if (pt.type === 'address' && rInt(rnd, 2)) return v.toLowerCase();
  return v;
}

// The JSON the C++ decoder produces (abi.h conventions).
export function toDecoded(pt, v) {
  if (pt.baseType === 'array') return Array.from(v, (x) => toDecoded(pt.arrayChildren, x));
  if (pt.baseType === 'tuple') {
    const named = pt.components.length > 0 && pt.components.every((c) => c.name);
    if (named) {
      const o = {};
      pt.components.forEach((c, i) => { o[c.name] = toDecoded(c, v[i]); });
      return o;
    }
    return pt.components.map((c, i) => toDecoded(c, v[i]));
  }
  if (typeof v === 'bigint') return v.toString();
  if (pt.type === 'address') return v.toLowerCase();
  if (pt.type.startsWith('bytes')) return v.toLowerCase();
  return v;
}

// ---- case builders ---------------------------------------------------------------------

export function rKey(rnd) {
  for (;;) {
    const k = ethers.hexlify(rnd(32));
    const n = BigInt(k);
    if (n > 0n && n < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n) return k;
  }
}

export function txCase(rnd, type) {
  const key = rKey(rnd);
  const chainIds = [1n, 31337n, 137n, 80002n, 11155111n, BigInt(rInt(rnd, 2 ** 31)) + 1n];
  const fields = {
    chainId: chainIds[rInt(rnd, chainIds.length)],
    nonce: rInt(rnd, 3) === 0 ? 0 : rInt(rnd, 2 ** 31),
    gasLimit: 21000n + rBig(rnd, 40),
    to: rInt(rnd, 8) === 0 ? null : rAddress(rnd),
    value: rBig(rnd, 100),
    data: ethers.hexlify(rnd(rInt(rnd, 4) === 0 ? 0 : rInt(rnd, 300))),
  };
  if (type === 'legacy') {
    fields.type = 0;
    fields.gasPrice = rBig(rnd, 64);
    if (rInt(rnd, 10) === 0) fields.chainId = 0n;  // pre-EIP-155
  } else {
    fields.type = 2;
    fields.maxFeePerGas = rBig(rnd, 64);
    fields.maxPriorityFeePerGas = fields.maxFeePerGas === 0n ? 0n : rBig(rnd, 64) % (fields.maxFeePerGas + 1n);
  }
  const wallet = new ethers.Wallet(key);
  const tx = ethers.Transaction.from(fields);
  const raw = wallet.signingKey.sign(tx.unsignedHash);
  tx.signature = raw;
  const cxTx = {
    type: type === 'legacy' ? 'legacy' : 'eip1559',
    chain_id: fields.chainId.toString(),
    nonce: fields.nonce.toString(),
    gas_limit: fields.gasLimit.toString(),
    to: fields.to ? fields.to.toLowerCase() : null,
    value: fields.value.toString(),
    data: fields.data,
  };
  if (type === 'legacy') cxTx.gas_price = fields.gasPrice.toString();
  else {
    cxTx.max_fee_per_gas = fields.maxFeePerGas.toString();
    cxTx.max_priority_fee_per_gas = fields.maxPriorityFeePerGas.toString();
  }
  return { private_key: key, tx: cxTx, raw: tx.serialized, hash: tx.hash, from: wallet.address.toLowerCase() };
}

// Typed data in the eth_signTypedData_v4 shape, signed by ethers.
export function typedCase(key, domain, types, primaryType, message) {
  const wallet = new ethers.Wallet(key);
  const hash = ethers.TypedDataEncoder.hash(domain, types, message);
  const sig = wallet.signingKey.sign(hash).serialized;
  const domainFields = [['name', 'string'], ['version', 'string'], ['chainId', 'uint256'],
    ['verifyingContract', 'address'], ['salt', 'bytes32']]
    .filter(([n]) => domain[n] !== undefined).map(([name, type]) => ({ name, type }));
  const jsonable = (v) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
  return {
    private_key: key,
    typed_data: jsonable({ types: { EIP712Domain: domainFields, ...types }, primaryType, domain, message }),
    hash,
    signature: sig,
    signer: wallet.address.toLowerCase(),
  };
}

export const APPROVAL_TYPES = {
  Approval: [
    { name: 'issuanceId', type: 'bytes32' },
    { name: 'batchDataHash', type: 'bytes32' },
    { name: 'amount', type: 'uint256' },
  ],
};
export const WITHDRAWAL_TYPES = {
  Withdrawal: [
    { name: 'to', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'amount', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'expiry', type: 'uint256' },
  ],
};
export const BATCH_DATA_TYPES = {
  BatchData: [
    { name: 'projectId', type: 'bytes32' },
    { name: 'registry', type: 'string' },
    { name: 'vintage', type: 'uint16' },
    { name: 'serialStart', type: 'uint64' },
    { name: 'serialEnd', type: 'uint64' },
    { name: 'methodology', type: 'string' },
    { name: 'country', type: 'string' },
    { name: 'metadataUri', type: 'string' },
  ],
};
// A synthetic type set exercising nested structs, struct arrays, arrays of arrays, intN,
// bytes, bool and fixed arrays.
export const NESTED_TYPES = {
  Order: [
    { name: 'maker', type: 'Party' },
    { name: 'legs', type: 'Leg[]' },
    { name: 'tags', type: 'string[]' },
    { name: 'grid', type: 'uint8[2][]' },
    { name: 'delta', type: 'int64' },
    { name: 'flag', type: 'bool' },
    { name: 'memo', type: 'bytes' },
    { name: 'salt4', type: 'bytes4' },
  ],
  Party: [
    { name: 'wallet', type: 'address' },
    { name: 'name', type: 'string' },
  ],
  Leg: [
    { name: 'party', type: 'Party' },
    { name: 'amount', type: 'uint256' },
    { name: 'fixed', type: 'int16[3]' },
  ],
};

export function rNestedMessage(rnd) {
  const party = () => ({ wallet: rAddress(rnd), name: rString(rnd) });
  const i = (bits) => { const v = rBig(rnd, bits - 1); return rInt(rnd, 2) ? -v : v; };
  return {
    maker: party(),
    legs: Array.from({ length: rInt(rnd, 4) }, () => ({
      party: party(), amount: rBig(rnd, 256), fixed: [i(16), i(16), i(16)],
    })),
    tags: Array.from({ length: rInt(rnd, 4) }, () => rString(rnd)),
    grid: Array.from({ length: rInt(rnd, 3) }, () => [rInt(rnd, 256), rInt(rnd, 256)]),
    delta: i(64),
    flag: rInt(rnd, 2) === 1,
    memo: ethers.hexlify(rnd(rInt(rnd, 80))),
    salt4: ethers.hexlify(rnd(4)),
  };
}

export function rTypedCases(rnd) {
  const out = [];
  const chainId = [1, 31337, 137, 80002][rInt(rnd, 4)];
  const reg = deployment.contracts.VerificationRegistry.address;
  const market = deployment.contracts.CarbonMarket.address;
  out.push(typedCase(rKey(rnd), { name: 'CarbonX VerificationRegistry', version: '1', chainId, verifyingContract: reg },
    APPROVAL_TYPES, 'Approval',
    { issuanceId: ethers.hexlify(rnd(32)), batchDataHash: ethers.hexlify(rnd(32)), amount: rBig(rnd, 256) }));
  out.push(typedCase(rKey(rnd), { name: 'CarbonX Market', version: '1', chainId, verifyingContract: market },
    WITHDRAWAL_TYPES, 'Withdrawal',
    { to: rAddress(rnd), tokenId: rBig(rnd, 64), amount: rBig(rnd, 64), nonce: rBig(rnd, 256), expiry: rBig(rnd, 40) }));
  out.push(typedCase(rKey(rnd), { name: 'CarbonX', version: '1', chainId, verifyingContract: rAddress(rnd) },
    BATCH_DATA_TYPES, 'BatchData',
    { projectId: ethers.hexlify(rnd(32)), registry: rString(rnd), vintage: rInt(rnd, 65536),
      serialStart: rBig(rnd, 64), serialEnd: rBig(rnd, 64), methodology: rString(rnd),
      country: rString(rnd), metadataUri: rString(rnd) }));
  const domain = { name: rString(rnd), chainId };
  if (rInt(rnd, 2)) domain.version = String(rInt(rnd, 10));
  if (rInt(rnd, 2)) domain.verifyingContract = rAddress(rnd);
  if (rInt(rnd, 2)) domain.salt = ethers.hexlify(rnd(32));
  out.push(typedCase(rKey(rnd), domain, NESTED_TYPES, 'Order', rNestedMessage(rnd)));
  return out;
}

export function personalCase(rnd) {
  const key = rKey(rnd);
  const wallet = new ethers.Wallet(key);
  const binary = rInt(rnd, 4) === 0;
  const msg = binary ? rnd(rInt(rnd, 100)) : rString(rnd);
  const sig = wallet.signMessageSync(msg);
  const c = { private_key: key, signature: sig, hash: ethers.hashMessage(msg), signer: wallet.address.toLowerCase() };
  if (binary) c.message_hex = ethers.hexlify(msg); else c.message = msg;
  return c;
}

// One call case: random inputs and outputs of function fragment `f`.
export function callCase(rnd, contract, iface, f) {
  const vals = f.inputs.map((p) => rValue(rnd, p));
  const outs = f.outputs.map((p) => rValue(rnd, p));
  return {
    kind: 'call', contract, function: f.format('sighash'),
    args: f.inputs.map((p, i) => toArg(rnd, p, vals[i])),
    data: iface.encodeFunctionData(f, vals),
    decoded: f.inputs.map((p, i) => toDecoded(p, vals[i])),
    output_data: ethers.AbiCoder.defaultAbiCoder().encode(f.outputs, outs),
    output_decoded: f.outputs.map((p, i) => toDecoded(p, outs[i])),
  };
}

// ABI cases: calls (inputs), results (outputs), events and errors of a contract's ABI.
export function abiCases(rnd, contract, iface, perFragment = 1) {
  const out = [];
  iface.forEachFunction((f) => {
    for (let k = 0; k < perFragment; k++) out.push(callCase(rnd, contract, iface, f));
  });
  iface.forEachEvent((e) => {
    const vals = e.inputs.map((p) => rValue(rnd, p));
    const log = iface.encodeEventLog(e, vals);
    const args = {};
    e.inputs.forEach((p, i) => {
      const key = p.name || `arg${i}`;
      if (p.indexed && (p.isTuple() || p.isArray() || p.type === 'string' || p.type === 'bytes')) {
        args[key] = log.topics[1 + e.inputs.slice(0, i).filter((q) => q.indexed).length];
      } else {
        args[key] = toDecoded(p, vals[i]);
      }
    });
    out.push({ kind: 'event', contract, event: e.name, topics: log.topics, data: log.data, args });
  });
  iface.forEachError((e) => {
    const vals = e.inputs.map((p) => rValue(rnd, p));
    const args = {};
    e.inputs.forEach((p, i) => { args[p.name || `arg${i}`] = toDecoded(p, vals[i]); });
    out.push({ kind: 'error', contract, error: e.name, signature: e.format('sighash'),
      data: iface.encodeErrorResult(e, vals), args });
  });
  return out;
}

// A synthetic ABI covering what the deployed contracts do not use: intN, fixed arrays,
// nested tuples with dynamic members, unnamed parameters.
export const SYNTHETIC_ABI = [
  {
    type: 'function', name: 'mix', stateMutability: 'nonpayable',
    inputs: [
      { name: 'a', type: 'int8' }, { name: 'b', type: 'int256' }, { name: 'c', type: 'int40' },
      { name: 'd', type: 'uint24[3]' }, { name: 'e', type: 'string[2]' }, { name: '', type: 'bytes7' },
      { name: 'f', type: 'tuple[]', components: [
        { name: 'x', type: 'uint128' }, { name: 'y', type: 'bytes' },
        { name: 'z', type: 'tuple[2]', components: [{ name: 'p', type: 'address' }, { name: 'q', type: 'string[]' }] },
      ] },
      { name: 'g', type: 'bool[][]' },
      { name: 'h', type: 'tuple', components: [{ name: '', type: 'int16' }, { name: '', type: 'bytes32[2]' }] },
    ],
    outputs: [{ name: 'r', type: 'int256[]' }, { name: 's', type: 'tuple', components: [{ name: 'u', type: 'uint8' }, { name: 'v', type: 'string' }] }],
  },
  {
    type: 'event', name: 'Mixed', anonymous: false,
    inputs: [
      { name: 'who', type: 'address', indexed: true }, { name: 'delta', type: 'int32', indexed: true },
      { name: 'label', type: 'string', indexed: true }, { name: 'vals', type: 'uint256[]', indexed: false },
      { name: 'note', type: 'string', indexed: false },
    ],
  },
  { type: 'error', name: 'Bad', inputs: [{ name: 'code', type: 'int16' }, { name: 'why', type: 'string' }] },
];
