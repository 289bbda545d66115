// Fresh random cases (crypto-random keys and fields, a new seed every run) signed by ethers
// and by cx_chain_tool, compared byte for byte; keystores written by ethers decrypted in C++
// and keystores written in C++ decrypted by ethers.
//   source tools/env.sh && CX_CHAIN_TOOL=build/chain/cx_chain_tool \
//     node --test backend/src/chain/testdata/ethers_compare.test.mjs
// (or BUILD=<build dir>; default <repo>/build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import {
  ethers, ROOT, deployment, cryptoRnd, rInt, rKey, rString, txCase, rTypedCases, personalCase, callCase,
  SYNTHETIC_ABI,
} from './vectors_lib.mjs';

const TOOL = process.env.CX_CHAIN_TOOL
  || path.join(process.env.BUILD || path.join(ROOT, 'build'), 'chain/cx_chain_tool');
const CASES = Number(process.env.CX_CHAIN_CASES || 50);
const rnd = cryptoRnd();

function tool(cmd, input) {
  const r = spawnSync(TOOL, [cmd], { input: JSON.stringify(input), encoding: 'utf8' });
  if (r.error) throw r.error;
  const out = JSON.parse(r.stdout);
  if (r.status !== 0) throw new Error(`${cmd}: ${JSON.stringify(out.error)} for ${JSON.stringify(input).slice(0, 400)}`);
  return out;
}

test('cx_chain_tool exists', () => {
  assert.ok(fs.existsSync(TOOL), `build it first: ninja -C <build> cx_chain_tool (looked for ${TOOL})`);
});

test(`${CASES} random legacy and EIP-1559 transactions sign identically`, () => {
  for (let i = 0; i < CASES; i++) {
    for (const type of ['legacy', 'eip1559']) {
      const c = txCase(rnd, type);
      const got = tool('sign-tx', { private_key: c.private_key, tx: c.tx });
      assert.equal(got.raw, c.raw, `${type} ${JSON.stringify(c.tx)}`);
      assert.equal(got.hash, c.hash);
      assert.equal(got.from, c.from);
      // And ethers parses what the tool wrote back to the same sender.
      assert.equal(ethers.Transaction.from(got.raw).from.toLowerCase(), c.from);
    }
  }
});

test(`${CASES} random EIP-712 typed data (Approval, Withdrawal, BatchData, nested) sign identically`, () => {
  for (let i = 0; i < CASES; i++) {
    const cases = rTypedCases(rnd);
    const c = cases[i % cases.length];
    const got = tool('sign-typed-data', { private_key: c.private_key, typed_data: c.typed_data });
    assert.equal(got.hash, c.hash, JSON.stringify(c.typed_data).slice(0, 300));
    assert.equal(got.signature, c.signature);
    assert.equal(got.signer, c.signer);
  }
});

test(`${CASES} random personal_sign messages sign identically`, () => {
  for (let i = 0; i < CASES; i++) {
    const c = personalCase(rnd);
    const input = { private_key: c.private_key };
    if (c.message_hex !== undefined) input.message_hex = c.message_hex; else input.message = c.message;
    const got = tool('personal-sign', input);
    assert.equal(got.hash, c.hash);
    assert.equal(got.signature, c.signature);
    assert.equal(got.signer, c.signer);
  }
});

test(`${CASES} random ABI calls into the deployed contracts encode identically`, () => {
  const contracts = Object.keys(deployment.contracts);
  const depFile = path.join(ROOT, 'blockchain/deployments/localhost.json');
  for (let i = 0; i < CASES; i++) {
    const synthetic = i % 10 === 9;
    const name = synthetic ? 'synthetic' : contracts[rInt(rnd, contracts.length)];
    const abi = synthetic ? SYNTHETIC_ABI : deployment.contracts[name].abi;
    const iface = new ethers.Interface(abi);
    const fns = [];
    iface.forEachFunction((f) => fns.push(f));
    const c = callCase(rnd, name, iface, fns[rInt(rnd, fns.length)]);
    const where = synthetic ? { abi } : { deployment: depFile, contract: name };
    const got = tool('abi-encode', { ...where, function: c.function, args: c.args });
    assert.equal(got.data, c.data, `${name}.${c.function} ${JSON.stringify(c.args).slice(0, 300)}`);
    const dec = tool('abi-decode', { ...where, function: c.function, data: c.output_data });
    assert.deepEqual(dec.values, c.output_decoded, `${name}.${c.function} outputs`);
  }
});

test('keystores written by ethers (Wallet.encrypt and small-n scrypt) decrypt in C++', async () => {
  const wallet = new ethers.Wallet(rKey(rnd));
  const password = rString(rnd);
  const json = await wallet.encrypt(password);  // ethers' defaults: scrypt n = 2^17
  const got = tool('keystore-decrypt', { keystore: json, password });
  assert.equal(got.private_key, wallet.privateKey);
  assert.equal(got.address, wallet.address.toLowerCase());
  for (let i = 0; i < 3; i++) {
    const w = new ethers.Wallet(rKey(rnd));
    const pw = rString(rnd);
    const ks = ethers.encryptKeystoreJsonSync({ address: w.address, privateKey: w.privateKey }, pw,
      { scrypt: { N: 1 << (10 + i), r: 8, p: 1 } });
    assert.equal(tool('keystore-decrypt', { keystore: JSON.parse(ks), password: pw }).private_key, w.privateKey);
    const wrong = spawnSync(TOOL, ['keystore-decrypt'], { input: JSON.stringify({ keystore: ks, password: `${pw}x` }), encoding: 'utf8' });
    assert.equal(wrong.status, 1);
    assert.equal(JSON.parse(wrong.stdout).error.code, 'AUTH_BAD_CREDENTIALS');
  }
});

test('keystores written in C++ decrypt in ethers', async () => {
  for (const n of [1024, 1 << 17]) {
    const key = rKey(rnd);
    const password = rString(rnd);
    const got = tool('keystore-encrypt', { private_key: key, password, n });
    const w = await ethers.Wallet.fromEncryptedJson(got.keystore, password);
    assert.equal(w.privateKey, key);
    assert.equal(w.address.toLowerCase(), got.address);
    assert.equal(JSON.parse(got.keystore).crypto.kdfparams.n, n);
  }
});
