// Gas of each main contract call on Hardhat's in-process EDR chain, printed as
//   BENCH gas_<contract>_<function> <gas> gas
// Each figure is the receipt's gasUsed of a representative call made after one warm-up call of
// the same kind (so one-time storage initialisation, e.g. a first retirement, is not counted).
// Run: npx hardhat run scripts/bench-gas.js
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import { deploySystem } from "./lib/system.js";

const { ethers, networkHelpers } = await network.create();
const signers = await ethers.getSigners();
const [deployer, operator, guardian, treasury, v1, v2, v3, dev, alice, bob] = signers;
const sys = await deploySystem(ethers, {
  deployer, operator: operator.address, guardian: guardian.address, treasury: treasury.address,
  verifiers: [v1.address, v2.address, v3.address], threshold: 2, feeBps: 100, handOver: false,
});
const { registry, token, market, anchor, paymentToken } = sys;
const { chainId } = await ethers.provider.getNetwork();
const out = [];
const bench = (name, gas) => { out.push(`BENCH gas_${name} ${gas} gas`); };
const gasOf = async (p) => (await (await p).wait()).gasUsed;

const BATCH_TYPES = { BatchData: [
  { name: "projectId", type: "bytes32" }, { name: "registry", type: "string" }, { name: "vintage", type: "uint16" },
  { name: "serialStart", type: "uint64" }, { name: "serialEnd", type: "uint64" }, { name: "methodology", type: "string" },
  { name: "country", type: "string" }, { name: "metadataUri", type: "string" }] };
const APPROVAL_TYPES = { Approval: [
  { name: "issuanceId", type: "bytes32" }, { name: "batchDataHash", type: "bytes32" }, { name: "amount", type: "uint256" }] };
const WITHDRAWAL_TYPES = { Withdrawal: [
  { name: "to", type: "address" }, { name: "tokenId", type: "uint256" }, { name: "amount", type: "uint256" },
  { name: "nonce", type: "uint256" }, { name: "expiry", type: "uint256" }] };
const regDomain = { name: "CarbonX VerificationRegistry", version: "1", chainId, verifyingContract: await registry.getAddress() };
const mktDomain = { name: "CarbonX Market", version: "1", chainId, verifyingContract: await market.getAddress() };

const PROJECT = ethers.id("project-1");
await (await registry.connect(operator).registerProject(PROJECT, ethers.id("class"), dev.address, "bafydocs")).wait();
const data = (i) => ({ projectId: PROJECT, registry: "Verra", vintage: 2023, serialStart: 1n, serialEnd: 1000n,
  methodology: "VM0015", country: "BR", metadataUri: `ipfs://bafybatch${i}` });

async function verified(i, signersK) {
  const iid = ethers.id(`issuance-${i}`);
  const h = ethers.TypedDataEncoder.hashStruct("BatchData", BATCH_TYPES, data(i));
  await (await registry.connect(operator).proposeIssuance(iid, PROJECT, h, 1_000_000n, "bafyreport")).wait();
  const sorted = [...signersK].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const sigs = [];
  for (const s of sorted) sigs.push(await s.signTypedData(regDomain, APPROVAL_TYPES, { issuanceId: iid, batchDataHash: h, amount: 1_000_000n }));
  return { iid, gas: await gasOf(registry.verifyIssuance(iid, sigs)) };
}

await verified(0, [v1, v2]); // warm-up
const k2 = await verified(1, [v1, v2]);
bench("VerificationRegistry_verifyIssuance", k2.gas);
bench("VerificationRegistry_verifyIssuance_k3", (await verified(2, [v1, v2, v3])).gas);

await (await token.connect(operator).createBatch(1, ethers.id("issuance-0"), data(0))).wait();
bench("CarbonCreditToken_createBatch", await gasOf(token.connect(operator).createBatch(2, k2.iid, data(1))));
await (await token.connect(operator).mint(alice.address, 1, 1000n)).wait();
bench("CarbonCreditToken_mint", await gasOf(token.connect(operator).mint(alice.address, 1, 500_000n)));
await (await token.connect(alice).retire(1, 10n, "ACME", "warm-up")).wait();
bench("CarbonCreditToken_retire", await gasOf(token.connect(alice).retire(1, 1000n, "ACME GmbH", "2024 scope 1")));

await (await token.connect(alice).setApprovalForAll(await market.getAddress(), true)).wait();
const acct = ethers.id("exchange-account-1");
await (await market.connect(alice).deposit(1, 10n, acct)).wait();
bench("CarbonMarket_deposit", await gasOf(market.connect(alice).deposit(1, 5000n, acct)));
const now = BigInt(await networkHelpers.time.latest());
const w = async (nonce) => {
  const auth = { to: bob.address, tokenId: 1n, amount: 100n, nonce, expiry: now + 3600n };
  return gasOf(market.withdraw(auth, await operator.signTypedData(mktDomain, WITHDRAWAL_TYPES, auth)));
};
await w(1n);
bench("CarbonMarket_withdraw", await w(2n));

await (await paymentToken.mint(bob.address, 10n ** 12n)).wait();
await (await paymentToken.connect(bob).approve(await market.getAddress(), ethers.MaxUint256)).wait();
const deadline = now + 86400n;
await (await market.connect(alice).createListing(1, 1000n, 50n, 10n, deadline)).wait();
bench("CarbonMarket_createListing", await gasOf(market.connect(alice).createListing(1, 1000n, 50n, 10n, deadline)));
await (await market.connect(bob).fillListing(1, 100n, 5000n)).wait();
bench("CarbonMarket_fillListing", await gasOf(market.connect(bob).fillListing(1, 100n, 5000n)));

const vectors = JSON.parse(readFileSync(new URL("../../docs/test-vectors/merkle.json", import.meta.url), "utf8"));
let prev = ethers.ZeroHash;
const anchorGas = [];
for (let i = 0; i < vectors.cases.length; i++) {
  const root = "0x" + vectors.cases[i].root;
  anchorGas.push(await gasOf(anchor.connect(operator).anchor(i + 1, root, prev)));
  prev = root;
}
// Heights 2.. hold blocks of 2, 3, 5, 8, 13 and 100 events: the same cost for each.
bench("JournalAnchor_anchor", anchorGas[anchorGas.length - 1]);
const spread = anchorGas.slice(1).reduce((m, g) => (g > m ? g : m), 0n) - anchorGas.slice(1).reduce((m, g) => (g < m ? g : m), anchorGas[1]);
bench("JournalAnchor_anchor_spread_2_to_100_events", spread);
const big = vectors.cases.findIndex((c) => c.event_hashes.length === 100);
const p = vectors.cases[big].proofs[0];
bench("JournalAnchor_verifyInclusion_100_events",
  await anchor.verifyInclusion.estimateGas(big + 1, "0x" + vectors.cases[big].event_hashes[p.index], p.proof.map((x) => "0x" + x)));

for (const line of out) console.log(line);
