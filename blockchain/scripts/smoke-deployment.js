// Checks a written deployments/<network>.json against the live chain using only the file's
// addresses and ABIs (as an external client such as the C++ chain worker would): the roles are
// where the deployment says, the operator can anchor a block, and anyone can verify an event of
// it with a proof from docs/test-vectors/merkle.json.
//   DEPLOYMENTS_DIR=... npx hardhat run scripts/smoke-deployment.js --network localhost
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const conn = await network.create();
const { ethers } = conn;
const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.DEPLOYMENTS_DIR ? resolve(process.env.DEPLOYMENTS_DIR) : join(here, "..", "deployments");
const dep = JSON.parse(readFileSync(join(dir, `${conn.networkName}.json`), "utf8"));
const at = (name, runner) => new ethers.Contract(dep.contracts[name].address, dep.contracts[name].abi, runner);
const fail = (msg) => { console.error(`smoke: FAIL ${msg}`); process.exit(1); };

const operator = await ethers.getSigner(dep.roles.operator);
const ZERO = ethers.ZeroHash;
const tl = dep.contracts.CarbonTimelock.address;
for (const name of ["VerificationRegistry", "CarbonCreditToken", "CarbonMarket", "JournalAnchor"]) {
  const c = at(name, ethers.provider);
  if (!(await c.hasRole(ZERO, tl))) fail(`${name}: timelock lacks DEFAULT_ADMIN_ROLE`);
  if (await c.hasRole(ZERO, dep.deployer) && dep.roles.handedOver) fail(`${name}: deployer still admin`);
  if (!(await c.hasRole(ethers.id("PAUSER_ROLE"), dep.roles.guardian))) fail(`${name}: guardian cannot pause`);
}
const market = at("CarbonMarket", ethers.provider);
if ((await market.operatorSigner()) !== dep.roles.operator) fail("market operator signer");
if ((await at("CarbonCreditToken", ethers.provider).registry()) !== dep.contracts.VerificationRegistry.address) fail("token registry");

const vectors = JSON.parse(readFileSync(join(here, "..", "..", "docs", "test-vectors", "merkle.json"), "utf8"));
const c = vectors.cases.find((x) => x.event_hashes.length === 13);
const anchor = at("JournalAnchor", operator);
const height = (await anchor.latestHeight()) + 1n;
const prev = height === 1n ? ZERO : await anchor.rootAt(height - 1n);
await (await anchor.anchor(height, "0x" + c.root, prev)).wait();
const p = c.proofs[7];
const ok = await anchor.verifyInclusion(height, "0x" + c.event_hashes[p.index], p.proof.map((x) => "0x" + x));
if (!ok) fail("verifyInclusion of a vector proof returned false");
const bad = await anchor.verifyInclusion(height, "0x" + c.event_hashes[p.index + 1], p.proof.map((x) => "0x" + x));
if (bad) fail("verifyInclusion accepted the wrong event");
console.log(`smoke: ok (${conn.networkName}, chain ${dep.chainId}, anchored height ${height})`);
