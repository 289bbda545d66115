// Deploys the whole system to the selected network and writes
// deployments/<network>.json (addresses, ABIs, implementation addresses, role holders).
//
//   npx hardhat run scripts/deploy.js --network localhost      (anvil or `hardhat node`)
//   npx hardhat run scripts/deploy.js --network amoy|polygon|sepolia|mainnet
//
// Environment (all optional on local networks; the deployer is the first account):
//   OPERATOR_ADDRESS, GUARDIAN_ADDRESS, TREASURY_ADDRESS    default: deployer
//   COUNCIL_ADDRESSES, VERIFIER_ADDRESSES                   comma-separated; council default: deployer
//   VERIFIER_THRESHOLD (2), FEE_BPS (100), TIMELOCK_DELAY (seconds, 172800 remote / 60 local),
//   VOTING_DELAY (blocks, 1), VOTING_PERIOD (blocks, 50400 remote / 20 local), QUORUM_PERCENT (51)
//   PAYMENT_TOKEN_ADDRESS   the stablecoin; required on remote networks (a TestStablecoin is
//                           deployed on local ones)
//   HAND_OVER=0             keep the deployer as admin (local experiments only)
//   DEPLOYMENTS_DIR         where to write <network>.json (default: blockchain/deployments)
import hre, { network } from "hardhat";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deploySystem, deploymentRecord } from "./lib/system.js";

const conn = await network.create();
const { ethers } = conn;
const name = conn.networkName;
const local = name === "localhost" || name === "default" || name.startsWith("hardhat");
const env = process.env;
const list = (v) => (v ? v.split(",").map((x) => x.trim()).filter(Boolean) : undefined);
const num = (v, d) => (v === undefined || v === "" ? d : Number(v));

if (!local && !env.PAYMENT_TOKEN_ADDRESS) {
  console.error(`deploy: PAYMENT_TOKEN_ADDRESS is required on network ${name}`);
  process.exit(2);
}
const [deployer] = await ethers.getSigners();
const me = await deployer.getAddress();
// The first block the contracts can have logs in: the server's log followers start here.
const startBlock = await ethers.provider.getBlockNumber();
const sys = await deploySystem(ethers, {
  deployer,
  operator: env.OPERATOR_ADDRESS ?? me,
  guardian: env.GUARDIAN_ADDRESS ?? me,
  treasury: env.TREASURY_ADDRESS ?? me,
  council: list(env.COUNCIL_ADDRESSES) ?? [me],
  verifiers: list(env.VERIFIER_ADDRESSES) ?? [],
  threshold: num(env.VERIFIER_THRESHOLD, 2),
  feeBps: num(env.FEE_BPS, 100),
  paymentToken: env.PAYMENT_TOKEN_ADDRESS,
  timelockDelay: num(env.TIMELOCK_DELAY, local ? 60 : 172800),
  votingDelay: num(env.VOTING_DELAY, 1),
  votingPeriod: num(env.VOTING_PERIOD, local ? 20 : 50400),
  quorumPercent: num(env.QUORUM_PERCENT, 51),
  handOver: env.HAND_OVER !== "0",
});
const { chainId } = await ethers.provider.getNetwork();
const record = await deploymentRecord(hre.artifacts, sys, { network: name, chainId });
record.startBlock = startBlock;
const dir = env.DEPLOYMENTS_DIR
  ? resolve(env.DEPLOYMENTS_DIR)
  : join(dirname(fileURLToPath(import.meta.url)), "..", "deployments");
mkdirSync(dir, { recursive: true });
const file = join(dir, `${name}.json`);
writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
console.log(`deployed to ${name} (chain ${chainId}); wrote ${file}`);
for (const [n, c] of Object.entries(record.contracts)) console.log(`  ${n.padEnd(22)} ${c.address}`);
