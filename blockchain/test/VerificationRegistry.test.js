import { expect } from "chai";
import {
  ethers, networkHelpers, baseFixture, approvals, hashBatch, batchData, id32, role,
  PROJECT, CLASS, ISSUANCE, AMOUNT, ZERO32,
} from "./helpers.js";

const { loadFixture } = networkHelpers;
const Status = { None: 0n, Pending: 1n, Verified: 2n, Rejected: 3n };

describe("VerificationRegistry", function () {
  describe("initialize", function () {
    it("cannot be called twice, nor on the implementation, nor with bad arguments", async function () {
      const f = await loadFixture(baseFixture);
      await expect(f.registry.initialize(f.s.deployer.address, 2))
        .to.be.revertedWithCustomError(f.registry, "InvalidInitialization");
      const impl = await ethers.deployContract("VerificationRegistry");
      await expect(impl.initialize(f.s.deployer.address, 2)).to.be.revertedWithCustomError(impl, "InvalidInitialization");
      const fresh = await ethers.deployContract("VerificationRegistry");
      const enc = (args) => fresh.interface.encodeFunctionData("initialize", args);
      await expect(ethers.deployContract("CarbonProxy", [await fresh.getAddress(), enc([ethers.ZeroAddress, 2])]))
        .to.be.revertedWithCustomError(fresh, "ZeroAddress");
      await expect(ethers.deployContract("CarbonProxy", [await fresh.getAddress(), enc([f.s.deployer.address, 0])]))
        .to.be.revertedWithCustomError(fresh, "InvalidThreshold").withArgs(0);
      await expect(ethers.deployContract("CarbonProxy", [await fresh.getAddress(), enc([f.s.deployer.address, 33])]))
        .to.be.revertedWithCustomError(fresh, "InvalidThreshold").withArgs(33);
    });
  });

  describe("verifier set (governance)", function () {
    it("adds and removes verifiers with events and count", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      expect(await registry.verifierCount()).to.equal(3n);
      await expect(registry.addVerifier(s.v4.address)).to.emit(registry, "VerifierAdded").withArgs(s.v4.address);
      expect(await registry.isVerifier(s.v4.address)).to.equal(true);
      expect(await registry.verifierCount()).to.equal(4n);
      await expect(registry.removeVerifier(s.v4.address)).to.emit(registry, "VerifierRemoved").withArgs(s.v4.address);
      expect(await registry.isVerifier(s.v4.address)).to.equal(false);
      expect(await registry.verifierCount()).to.equal(3n);
    });
    it("reverts on zero, duplicate, unknown and unauthorized changes", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      await expect(registry.addVerifier(ethers.ZeroAddress)).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(registry.addVerifier(s.v1.address)).to.be.revertedWithCustomError(registry, "AlreadyVerifier").withArgs(s.v1.address);
      await expect(registry.removeVerifier(s.v4.address)).to.be.revertedWithCustomError(registry, "NotVerifier").withArgs(s.v4.address);
      await expect(registry.connect(s.operator).addVerifier(s.v4.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(s.operator.address, ZERO32);
      await expect(registry.connect(s.operator).removeVerifier(s.v1.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
    it("sets default and per-class thresholds within 1..32", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      await expect(registry.setDefaultThreshold(3)).to.emit(registry, "DefaultThresholdSet").withArgs(3);
      expect(await registry.thresholdOf(id32("other"))).to.equal(3n);
      await expect(registry.setClassThreshold(CLASS, 1)).to.emit(registry, "ClassThresholdSet").withArgs(CLASS, 1);
      expect(await registry.thresholdOf(CLASS)).to.equal(1n);
      await registry.setClassThreshold(CLASS, 0);
      expect(await registry.thresholdOf(CLASS)).to.equal(3n);
      await expect(registry.setDefaultThreshold(0)).to.be.revertedWithCustomError(registry, "InvalidThreshold").withArgs(0);
      await expect(registry.setDefaultThreshold(33)).to.be.revertedWithCustomError(registry, "InvalidThreshold").withArgs(33);
      await expect(registry.setClassThreshold(CLASS, 33)).to.be.revertedWithCustomError(registry, "InvalidThreshold").withArgs(33);
      await expect(registry.connect(s.operator).setDefaultThreshold(1)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
      await expect(registry.connect(s.operator).setClassThreshold(CLASS, 1)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
  });

  describe("emergency controls", function () {
    it("guardian pauses, only governance unpauses, paused registry refuses writes", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      await expect(registry.connect(s.outsider).pause()).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
      await expect(registry.connect(s.guardian).pause()).to.emit(registry, "Paused");
      const reg = registry.connect(s.operator);
      await expect(reg.registerProject(id32("p2"), CLASS, s.dev.address, "x")).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(reg.setProjectDocuments(PROJECT, "x")).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(reg.setProjectParty(PROJECT, s.v1.address, true)).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(registry.connect(s.v1).declareConflict(PROJECT)).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(reg.proposeIssuance(id32("i2"), PROJECT, id32("h"), 1, "r")).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(registry.verifyIssuance(ISSUANCE, [])).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(registry.connect(s.v1).rejectIssuance(ISSUANCE, "no")).to.be.revertedWithCustomError(registry, "EnforcedPause");
      await expect(registry.connect(s.guardian).unpause()).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
      await expect(registry.unpause()).to.emit(registry, "Unpaused");
      await expect(reg.registerProject(id32("p2"), CLASS, s.dev.address, "x")).to.emit(registry, "ProjectRegistered");
    });
  });

  describe("projects", function () {
    it("registers a project; the developer is a party", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const p = await registry.getProject(PROJECT);
      expect(p.developer).to.equal(s.dev.address);
      expect(p.classId).to.equal(CLASS);
      expect(p.documentsCid).to.equal("bafydocs");
      expect(p.exists).to.equal(true);
      expect(await registry.isProjectParty(PROJECT, s.dev.address)).to.equal(true);
    });
    it("rejects bad registrations", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const reg = registry.connect(s.operator);
      await expect(reg.registerProject(ZERO32, CLASS, s.dev.address, "x")).to.be.revertedWithCustomError(registry, "ZeroId");
      await expect(reg.registerProject(id32("p2"), CLASS, ethers.ZeroAddress, "x")).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(reg.registerProject(PROJECT, CLASS, s.dev.address, "x")).to.be.revertedWithCustomError(registry, "ProjectExists").withArgs(PROJECT);
      await expect(registry.connect(s.outsider).registerProject(id32("p2"), CLASS, s.dev.address, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(s.outsider.address, role("REGISTRAR_ROLE"));
    });
    it("updates documents", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const reg = registry.connect(s.operator);
      await expect(reg.setProjectDocuments(PROJECT, "bafynew")).to.emit(registry, "ProjectDocumentsUpdated").withArgs(PROJECT, "bafynew");
      expect((await registry.getProject(PROJECT)).documentsCid).to.equal("bafynew");
      await expect(reg.setProjectDocuments(id32("nope"), "x")).to.be.revertedWithCustomError(registry, "UnknownProject");
      await expect(registry.connect(s.outsider).setProjectDocuments(PROJECT, "x")).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
    it("sets parties; the developer cannot be un-partied", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const reg = registry.connect(s.operator);
      await expect(reg.setProjectParty(PROJECT, s.v1.address, true)).to.emit(registry, "ProjectPartySet").withArgs(PROJECT, s.v1.address, true);
      expect(await registry.isProjectParty(PROJECT, s.v1.address)).to.equal(true);
      await reg.setProjectParty(PROJECT, s.v1.address, false);
      expect(await registry.isProjectParty(PROJECT, s.v1.address)).to.equal(false);
      await expect(reg.setProjectParty(PROJECT, s.dev.address, false)).to.emit(registry, "ProjectPartySet").withArgs(PROJECT, s.dev.address, true);
      expect(await registry.isProjectParty(PROJECT, s.dev.address)).to.equal(true);
      await expect(reg.setProjectParty(id32("nope"), s.v1.address, true)).to.be.revertedWithCustomError(registry, "UnknownProject");
      await expect(reg.setProjectParty(PROJECT, ethers.ZeroAddress, true)).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(registry.connect(s.outsider).setProjectParty(PROJECT, s.v1.address, true)).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
    it("lets anyone declare a conflict for themselves", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      await expect(registry.connect(s.v2).declareConflict(PROJECT)).to.emit(registry, "ProjectPartySet").withArgs(PROJECT, s.v2.address, true);
      expect(await registry.isProjectParty(PROJECT, s.v2.address)).to.equal(true);
      await expect(registry.connect(s.v2).declareConflict(id32("nope"))).to.be.revertedWithCustomError(registry, "UnknownProject");
    });
  });

  describe("issuances", function () {
    it("proposes an issuance as Pending with its data", async function () {
      const { registry, data } = await loadFixture(baseFixture);
      const i = await registry.getIssuance(ISSUANCE);
      expect(i.projectId).to.equal(PROJECT);
      expect(i.batchDataHash).to.equal(hashBatch(data));
      expect(i.amount).to.equal(AMOUNT);
      expect(i.status).to.equal(Status.Pending);
      expect(i.reportCid).to.equal("bafyreport");
      expect((await registry.getIssuance(id32("nope"))).status).to.equal(Status.None);
    });
    it("rejects bad proposals", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const reg = registry.connect(s.operator);
      await expect(reg.proposeIssuance(ZERO32, PROJECT, id32("h"), 1, "r")).to.be.revertedWithCustomError(registry, "ZeroId");
      await expect(reg.proposeIssuance(id32("i2"), PROJECT, ZERO32, 1, "r")).to.be.revertedWithCustomError(registry, "ZeroId");
      await expect(reg.proposeIssuance(id32("i2"), PROJECT, id32("h"), 0, "r")).to.be.revertedWithCustomError(registry, "ZeroAmount");
      await expect(reg.proposeIssuance(id32("i2"), id32("nope"), id32("h"), 1, "r")).to.be.revertedWithCustomError(registry, "UnknownProject");
      await expect(reg.proposeIssuance(ISSUANCE, PROJECT, id32("h"), 1, "r")).to.be.revertedWithCustomError(registry, "IssuanceExists").withArgs(ISSUANCE);
      await expect(registry.connect(s.outsider).proposeIssuance(id32("i2"), PROJECT, id32("h"), 1, "r")).to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount");
    });
  });

  describe("verifyIssuance", function () {
    it("verifies with k distinct verifier signatures submitted by anyone", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      const sigs = await approvals(registry, [s.v1, s.v3], ISSUANCE, hashBatch(data), AMOUNT);
      await expect(registry.verifiedIssuance(ISSUANCE)).to.be.revertedWithCustomError(registry, "IssuanceNotVerified").withArgs(ISSUANCE, Status.Pending);
      const sorted = [s.v1.address, s.v3.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      await expect(registry.connect(s.outsider).verifyIssuance(ISSUANCE, sigs))
        .to.emit(registry, "IssuanceVerified").withArgs(ISSUANCE, PROJECT, AMOUNT, sorted);
      expect((await registry.getIssuance(ISSUANCE)).status).to.equal(Status.Verified);
      const [p, h, a] = await registry.verifiedIssuance(ISSUANCE);
      expect([p, h, a]).to.deep.equal([PROJECT, hashBatch(data), AMOUNT]);
      await expect(registry.verifyIssuance(ISSUANCE, sigs)).to.be.revertedWithCustomError(registry, "IssuanceNotPending").withArgs(ISSUANCE, Status.Verified);
    });
    it("accepts more than k signatures and the off-chain digest matches approvalDigest", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "CarbonX VerificationRegistry", version: "1", chainId, verifyingContract: await registry.getAddress() },
        { Approval: [{ name: "issuanceId", type: "bytes32" }, { name: "batchDataHash", type: "bytes32" }, { name: "amount", type: "uint256" }] },
        { issuanceId: ISSUANCE, batchDataHash: hashBatch(data), amount: AMOUNT });
      expect(await registry.approvalDigest(ISSUANCE)).to.equal(digest);
      const sigs = await approvals(registry, [s.v1, s.v2, s.v3], ISSUANCE, hashBatch(data), AMOUNT);
      await expect(registry.verifyIssuance(ISSUANCE, sigs)).to.emit(registry, "IssuanceVerified");
    });
    it("refuses fewer than k, too many, duplicate or unsorted signers", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      const h = hashBatch(data);
      const one = await approvals(registry, [s.v1], ISSUANCE, h, AMOUNT);
      await expect(registry.verifyIssuance(ISSUANCE, one)).to.be.revertedWithCustomError(registry, "NotEnoughSignatures").withArgs(1, 2);
      await expect(registry.verifyIssuance(ISSUANCE, [one[0], one[0]])).to.be.revertedWithCustomError(registry, "SignersNotAscending");
      const two = await approvals(registry, [s.v1, s.v2], ISSUANCE, h, AMOUNT);
      await expect(registry.verifyIssuance(ISSUANCE, [two[1], two[0]])).to.be.revertedWithCustomError(registry, "SignersNotAscending");
      const many = Array(33).fill(two[0]);
      await expect(registry.verifyIssuance(ISSUANCE, many)).to.be.revertedWithCustomError(registry, "TooManySignatures").withArgs(33);
    });
    it("does not count non-verifiers, parties or signatures over other data", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      const h = hashBatch(data);
      await expect(registry.verifyIssuance(ISSUANCE, await approvals(registry, [s.v1, s.v4], ISSUANCE, h, AMOUNT)))
        .to.be.revertedWithCustomError(registry, "SignerNotVerifier").withArgs(s.v4.address);
      // The developer, even if made a verifier, is party to its own project.
      await registry.addVerifier(s.dev.address);
      await expect(registry.verifyIssuance(ISSUANCE, await approvals(registry, [s.v1, s.dev], ISSUANCE, h, AMOUNT)))
        .to.be.revertedWithCustomError(registry, "SignerIsParty").withArgs(s.dev.address);
      await registry.connect(s.v2).declareConflict(PROJECT);
      await expect(registry.verifyIssuance(ISSUANCE, await approvals(registry, [s.v1, s.v2], ISSUANCE, h, AMOUNT)))
        .to.be.revertedWithCustomError(registry, "SignerIsParty").withArgs(s.v2.address);
      // Signed a larger amount than proposed: recovers to an unrelated address.
      await expect(registry.verifyIssuance(ISSUANCE, await approvals(registry, [s.v1, s.v3], ISSUANCE, h, AMOUNT + 1n)))
        .to.be.revertedWithCustomError(registry, "SignerNotVerifier");
      await expect(registry.verifyIssuance(ISSUANCE, ["0x1234", "0x5678"]))
        .to.be.revertedWithCustomError(registry, "ECDSAInvalidSignatureLength");
      // A removed verifier no longer counts.
      await registry.removeVerifier(s.v3.address);
      await expect(registry.verifyIssuance(ISSUANCE, await approvals(registry, [s.v1, s.v3], ISSUANCE, h, AMOUNT)))
        .to.be.revertedWithCustomError(registry, "SignerNotVerifier").withArgs(s.v3.address);
    });
    it("applies the class threshold and refuses unknown issuances", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      await registry.setClassThreshold(CLASS, 3);
      const two = await approvals(registry, [s.v1, s.v2], ISSUANCE, hashBatch(data), AMOUNT);
      await expect(registry.verifyIssuance(ISSUANCE, two)).to.be.revertedWithCustomError(registry, "NotEnoughSignatures").withArgs(2, 3);
      await expect(registry.verifyIssuance(id32("nope"), two)).to.be.revertedWithCustomError(registry, "IssuanceNotPending").withArgs(id32("nope"), Status.None);
    });
  });

  describe("rejectIssuance", function () {
    it("an eligible verifier rejects with a reason, which is stored", async function () {
      const { registry, data, s } = await loadFixture(baseFixture);
      await expect(registry.connect(s.v2).rejectIssuance(ISSUANCE, "monitoring report incomplete"))
        .to.emit(registry, "IssuanceRejected").withArgs(ISSUANCE, s.v2.address, "monitoring report incomplete");
      const i = await registry.getIssuance(ISSUANCE);
      expect(i.status).to.equal(Status.Rejected);
      expect(i.rejectionReason).to.equal("monitoring report incomplete");
      const sigs = await approvals(registry, [s.v1, s.v3], ISSUANCE, hashBatch(data), AMOUNT);
      await expect(registry.verifyIssuance(ISSUANCE, sigs)).to.be.revertedWithCustomError(registry, "IssuanceNotPending").withArgs(ISSUANCE, Status.Rejected);
      await expect(registry.connect(s.v1).rejectIssuance(ISSUANCE, "again")).to.be.revertedWithCustomError(registry, "IssuanceNotPending");
    });
    it("refuses non-verifiers, parties and empty reasons", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      await expect(registry.connect(s.outsider).rejectIssuance(ISSUANCE, "x")).to.be.revertedWithCustomError(registry, "NotVerifier").withArgs(s.outsider.address);
      await registry.connect(s.v1).declareConflict(PROJECT);
      await expect(registry.connect(s.v1).rejectIssuance(ISSUANCE, "x")).to.be.revertedWithCustomError(registry, "SignerIsParty").withArgs(s.v1.address);
      await expect(registry.connect(s.v2).rejectIssuance(ISSUANCE, "")).to.be.revertedWithCustomError(registry, "EmptyReason");
    });
  });

  describe("upgrades", function () {
    it("only the upgrader can upgrade, and state survives", async function () {
      const { registry, s } = await loadFixture(baseFixture);
      const impl2 = await ethers.deployContract("VerificationRegistry");
      await expect(registry.connect(s.outsider).upgradeToAndCall(await impl2.getAddress(), "0x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount").withArgs(s.outsider.address, role("UPGRADER_ROLE"));
      await expect(registry.upgradeToAndCall(await impl2.getAddress(), "0x")).to.emit(registry, "Upgraded").withArgs(await impl2.getAddress());
      expect(await registry.verifierCount()).to.equal(3n);
      expect((await registry.getProject(PROJECT)).developer).to.equal(s.dev.address);
    });
  });
});
