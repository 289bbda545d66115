// Shared fixtures and signing helpers for the contract tests (one in-process EDR network,
// reset between tests with loadFixture snapshots).
import { network } from "hardhat";
import { deploySystem } from "../scripts/lib/system.js";

export const { ethers, networkHelpers } = await network.create();

export const ZERO32 = "0x" + "00".repeat(32);
export const id32 = (s) => ethers.id(s);
export const role = (s) => ethers.id(s);

export const BATCH_TYPES = {
  BatchData: [
    { name: "projectId", type: "bytes32" },
    { name: "registry", type: "string" },
    { name: "vintage", type: "uint16" },
    { name: "serialStart", type: "uint64" },
    { name: "serialEnd", type: "uint64" },
    { name: "methodology", type: "string" },
    { name: "country", type: "string" },
    { name: "metadataUri", type: "string" },
  ],
};
export const APPROVAL_TYPES = {
  Approval: [
    { name: "issuanceId", type: "bytes32" },
    { name: "batchDataHash", type: "bytes32" },
    { name: "amount", type: "uint256" },
  ],
};
export const WITHDRAWAL_TYPES = {
  Withdrawal: [
    { name: "to", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "amount", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint256" },
  ],
};

export const PROJECT = id32("project-1");
export const CLASS = id32("class-VCS");
export const ISSUANCE = id32("issuance-1");
export const TOKEN_ID = 1n;
export const AMOUNT = 5000n; // kilograms

export function batchData(overrides = {}) {
  return {
    projectId: PROJECT,
    registry: "Verra",
    vintage: 2023,
    serialStart: 1001n,
    serialEnd: 1010n, // 10 tonnes = 10 000 kg of capacity
    methodology: "VM0015",
    country: "BR",
    metadataUri: "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    ...overrides,
  };
}

export function hashBatch(data) {
  return ethers.TypedDataEncoder.hashStruct("BatchData", BATCH_TYPES, data);
}

async function domain(contract, name) {
  const { chainId } = await ethers.provider.getNetwork();
  return { name, version: "1", chainId, verifyingContract: await contract.getAddress() };
}

/** Verifier signatures over Approval(issuanceId, batchDataHash, amount), sorted by signer address. */
export async function approvals(registry, signers, issuanceId, batchDataHash, amount) {
  const d = await domain(registry, "CarbonX VerificationRegistry");
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const sigs = [];
  for (const s of sorted) sigs.push(await s.signTypedData(d, APPROVAL_TYPES, { issuanceId, batchDataHash, amount }));
  return sigs;
}

export async function signWithdrawal(market, signer, w) {
  const d = await domain(market, "CarbonX Market");
  return signer.signTypedData(d, WITHDRAWAL_TYPES, w);
}

/** Deployer keeps admin (no hand-over); a project and a pending issuance exist. */
export async function baseFixture() {
  const [deployer, operator, guardian, treasury, v1, v2, v3, v4, dev, alice, bob, carol, outsider] =
    await ethers.getSigners();
  const sys = await deploySystem(ethers, {
    deployer, operator: operator.address, guardian: guardian.address, treasury: treasury.address,
    verifiers: [v1.address, v2.address, v3.address], council: [deployer.address], threshold: 2,
    feeBps: 100, handOver: false,
  });
  const reg = sys.registry.connect(operator);
  await (await reg.registerProject(PROJECT, CLASS, dev.address, "bafydocs")).wait();
  const data = batchData();
  await (await reg.proposeIssuance(ISSUANCE, PROJECT, hashBatch(data), AMOUNT, "bafyreport")).wait();
  return { ...sys, data, s: { deployer, operator, guardian, treasury, v1, v2, v3, v4, dev, alice, bob, carol, outsider } };
}

/** Base plus: issuance verified by v1+v2, batch TOKEN_ID created, 3000 kg minted to alice. */
export async function mintedFixture() {
  const f = await baseFixture();
  const { s } = f;
  const sigs = await approvals(f.registry, [s.v1, s.v2], ISSUANCE, hashBatch(f.data), AMOUNT);
  await (await f.registry.verifyIssuance(ISSUANCE, sigs)).wait();
  await (await f.token.connect(s.operator).createBatch(TOKEN_ID, ISSUANCE, f.data)).wait();
  await (await f.token.connect(s.operator).mint(s.alice.address, TOKEN_ID, 3000n)).wait();
  return f;
}
