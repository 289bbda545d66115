// Writes ethers_vectors.json: signing and ABI vectors computed by ethers (the reference)
// from a fixed seed, so the file is reproducible. chain_vectors_test.cc checks every one.
//   source tools/env.sh && node backend/src/chain/testdata/gen_vectors.mjs
import fs from 'node:fs';
import path from 'node:path';
import {
  ethers, ROOT, DEPLOYMENT_REL, deployment, seededRnd, rKey, txCase, rTypedCases, personalCase,
  abiCases, SYNTHETIC_ABI, rString,
} from './vectors_lib.mjs';

const rnd = seededRnd('carbonx-chain-vectors-v1');
const out = {
  generator: `ethers ${ethers.version}`,
  deployment: DEPLOYMENT_REL,
  legacy: [], eip1559: [], typed_data: [], personal_sign: [], abi: [], keystores: [],
};
for (let i = 0; i < 12; i++) out.legacy.push(txCase(rnd, 'legacy'));
for (let i = 0; i < 12; i++) out.eip1559.push(txCase(rnd, 'eip1559'));
for (let i = 0; i < 4; i++) out.typed_data.push(...rTypedCases(rnd));
for (let i = 0; i < 12; i++) out.personal_sign.push(personalCase(rnd));
for (const [name, c] of Object.entries(deployment.contracts)) {
  out.abi.push(...abiCases(rnd, name, new ethers.Interface(c.abi)));
}
const synth = new ethers.Interface(SYNTHETIC_ABI);
for (let i = 0; i < 6; i++) out.abi.push(...abiCases(rnd, 'synthetic', synth));
out.synthetic_abi = SYNTHETIC_ABI;

for (let i = 0; i < 3; i++) {
  const key = rKey(rnd);
  const password = i === 2 ? '' : rString(rnd);
  const wallet = new ethers.Wallet(key);
  const json = ethers.encryptKeystoreJsonSync({ address: wallet.address, privateKey: key }, password, {
    salt: rnd(32), iv: rnd(16), uuid: ethers.hexlify(rnd(16)), scrypt: { N: 1024, r: 8, p: 1 },
  });
  out.keystores.push({ keystore: json, password, private_key: key, address: wallet.address.toLowerCase() });
}

const file = path.join(path.dirname(new URL(import.meta.url).pathname), 'ethers_vectors.json');
fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${path.relative(ROOT, file)}: ${out.legacy.length} legacy, ${out.eip1559.length} eip1559, `
  + `${out.typed_data.length} typed data, ${out.personal_sign.length} personal_sign, ${out.abi.length} abi, `
  + `${out.keystores.length} keystores`);
