// Emergency stop (docs/operations.md, "Emergency response"): the guardian pauses every
// pausable contract of a deployment at once — registry, credit token, market and anchor — so no
// mint, transfer, listing, fill, custody withdrawal or anchor can happen until governance
// unpauses (the guardian cannot unpause). Reads only the deployment file's addresses and ABIs.
//   DEPLOYMENTS_DIR=... npx hardhat run scripts/pause-all.js --network <net>
// The guardian's key: GUARDIAN_PRIVATE_KEY, else (local networks) the deployment's guardian
// account of the node. Prints one line per contract and "pause-all: N paused"; exit 1 if any
// contract is not paused afterwards.
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const conn = await network.create();
const { ethers } = conn;
const here = dirname(fileURLToPath(import.meta.url));
const dir = process.env.DEPLOYMENTS_DIR ? resolve(process.env.DEPLOYMENTS_DIR) : join(here, "..", "deployments");
const dep = JSON.parse(readFileSync(join(dir, `${conn.networkName}.json`), "utf8"));
const guardian = process.env.GUARDIAN_PRIVATE_KEY
  ? new ethers.Wallet(process.env.GUARDIAN_PRIVATE_KEY, ethers.provider)
  : await ethers.getSigner(dep.roles.guardian);
let paused = 0;
for (const name of ["VerificationRegistry", "CarbonCreditToken", "CarbonMarket", "JournalAnchor"]) {
  const c = new ethers.Contract(dep.contracts[name].address, dep.contracts[name].abi, guardian);
  if (!(await c.paused())) {
    const tx = await c.pause();
    const r = await tx.wait();
    console.log(`${name}: paused in tx ${r.hash}`);
  } else {
    console.log(`${name}: already paused`);
  }
  if (await c.paused()) paused++;
}
console.log(`pause-all: ${paused} paused`);
if (paused !== 4) process.exit(1);
