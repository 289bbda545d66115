import { expect } from "chai";
import {
  ethers, networkHelpers, baseFixture, mintedFixture, approvals, hashBatch, batchData, id32, role,
  PROJECT, ISSUANCE, TOKEN_ID, AMOUNT, ZERO32,
} from "./helpers.js";

const { loadFixture } = networkHelpers;

async function verifiedFixture() {
  const f = await baseFixture();
  const sigs = await approvals(f.registry, [f.s.v1, f.s.v2], ISSUANCE, hashBatch(f.data), AMOUNT);
  await (await f.registry.verifyIssuance(ISSUANCE, sigs)).wait();
  return f;
}

/** Proposes and verifies a second issuance with the given batch data and amount. */
async function verifyAnother(f, issuanceId, data, amount) {
  await (await f.registry.connect(f.s.operator).proposeIssuance(issuanceId, data.projectId, hashBatch(data), amount, "r")).wait();
  const sigs = await approvals(f.registry, [f.s.v1, f.s.v2], issuanceId, hashBatch(data), amount);
  await (await f.registry.verifyIssuance(issuanceId, sigs)).wait();
}

describe("CarbonCreditToken", function () {
  describe("initialize and admin", function () {
    it("cannot be initialized twice or with zero addresses", async function () {
      const f = await loadFixture(baseFixture);
      await expect(f.token.initialize(f.s.deployer.address, await f.registry.getAddress()))
        .to.be.revertedWithCustomError(f.token, "InvalidInitialization");
      const impl = await ethers.deployContract("CarbonCreditToken");
      const enc = (args) => impl.interface.encodeFunctionData("initialize", args);
      await expect(ethers.deployContract("CarbonProxy", [await impl.getAddress(), enc([ethers.ZeroAddress, await f.registry.getAddress()])]))
        .to.be.revertedWithCustomError(impl, "ZeroAddress");
      await expect(ethers.deployContract("CarbonProxy", [await impl.getAddress(), enc([f.s.deployer.address, ethers.ZeroAddress])]))
        .to.be.revertedWithCustomError(impl, "ZeroAddress");
    });
    it("setRegistry is governance-only and refuses zero", async function () {
      const { token, s } = await loadFixture(baseFixture);
      await expect(token.setRegistry(s.outsider.address)).to.emit(token, "RegistrySet").withArgs(s.outsider.address);
      expect(await token.registry()).to.equal(s.outsider.address);
      await expect(token.setRegistry(ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "ZeroAddress");
      await expect(token.connect(s.operator).setRegistry(s.outsider.address)).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
    });
    it("setCertificate works once only", async function () {
      const { token, s } = await loadFixture(baseFixture);
      await expect(token.setCertificate(s.outsider.address)).to.be.revertedWithCustomError(token, "CertificateAlreadySet");
      await expect(token.setCertificate(ethers.ZeroAddress)).to.be.revertedWithCustomError(token, "ZeroAddress");
      await expect(token.connect(s.operator).setCertificate(s.outsider.address)).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
    });
    it("retire needs a certificate contract", async function () {
      const f = await loadFixture(verifiedFixture);
      const impl = await ethers.deployContract("CarbonCreditToken");
      const proxy = await ethers.deployContract("CarbonProxy", [await impl.getAddress(),
        impl.interface.encodeFunctionData("initialize", [f.s.deployer.address, await f.registry.getAddress()])]);
      const t = await ethers.getContractAt("CarbonCreditToken", await proxy.getAddress());
      await t.grantRole(role("MINTER_ROLE"), f.s.deployer.address);
      await t.createBatch(TOKEN_ID, ISSUANCE, f.data);
      await t.mint(f.s.deployer.address, TOKEN_ID, 10n);
      await expect(t.retire(TOKEN_ID, 1n, "x", "y")).to.be.revertedWithCustomError(t, "CertificateNotSet");
    });
    it("supports ERC-1155 and AccessControl interfaces", async function () {
      const { token } = await loadFixture(baseFixture);
      expect(await token.supportsInterface("0xd9b67a26")).to.equal(true); // ERC-1155
      expect(await token.supportsInterface("0x7965db0b")).to.equal(true); // AccessControl
      expect(await token.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("createBatch", function () {
    it("creates a batch for a verified issuance with the signed data", async function () {
      const { token, data, s } = await loadFixture(verifiedFixture);
      await expect(token.connect(s.operator).createBatch(TOKEN_ID, ISSUANCE, data))
        .to.emit(token, "BatchCreated").withArgs(TOKEN_ID, ISSUANCE, PROJECT, AMOUNT, data.metadataUri)
        .and.to.emit(token, "URI").withArgs(data.metadataUri, TOKEN_ID);
      const b = await token.getBatch(TOKEN_ID);
      expect(b.data.registry).to.equal("Verra");
      expect(b.data.vintage).to.equal(2023n);
      expect(b.data.serialStart).to.equal(1001n);
      expect(b.data.serialEnd).to.equal(1010n);
      expect(b.data.methodology).to.equal("VM0015");
      expect(b.data.country).to.equal("BR");
      expect(b.issuanceId).to.equal(ISSUANCE);
      expect(await token.verifiedAmount(TOKEN_ID)).to.equal(AMOUNT);
      expect(await token.uri(TOKEN_ID)).to.equal(data.metadataUri);
      expect(await token.batchOfIssuance(ISSUANCE)).to.equal(TOKEN_ID);
      expect(await token.hashBatchData(data)).to.equal(hashBatch(data));
    });
    it("refuses unverified issuances, altered data, reuse and bad ids", async function () {
      const f = await loadFixture(baseFixture);
      const t = f.token.connect(f.s.operator);
      await expect(t.createBatch(TOKEN_ID, ISSUANCE, f.data)).to.be.revertedWithCustomError(f.registry, "IssuanceNotVerified");
      const sigs = await approvals(f.registry, [f.s.v1, f.s.v2], ISSUANCE, hashBatch(f.data), AMOUNT);
      await f.registry.verifyIssuance(ISSUANCE, sigs);
      const altered = batchData({ vintage: 2024 });
      await expect(t.createBatch(TOKEN_ID, ISSUANCE, altered))
        .to.be.revertedWithCustomError(f.token, "BatchDataMismatch").withArgs(hashBatch(f.data), hashBatch(altered));
      await expect(t.createBatch(0, ISSUANCE, f.data)).to.be.revertedWithCustomError(f.token, "InvalidTokenId");
      await t.createBatch(TOKEN_ID, ISSUANCE, f.data);
      await expect(t.createBatch(2, ISSUANCE, f.data)).to.be.revertedWithCustomError(f.token, "IssuanceAlreadyMinted").withArgs(ISSUANCE, TOKEN_ID);
      await expect(t.createBatch(TOKEN_ID, id32("other"), f.data)).to.be.revertedWithCustomError(f.token, "BatchExists").withArgs(TOKEN_ID);
      await expect(f.token.connect(f.s.outsider).createBatch(3, ISSUANCE, f.data))
        .to.be.revertedWithCustomError(f.token, "AccessControlUnauthorizedAccount").withArgs(f.s.outsider.address, role("MINTER_ROLE"));
    });
    it("checks project, serial range, serial capacity and metadata URI", async function () {
      const f = await loadFixture(baseFixture);
      const t = f.token.connect(f.s.operator);
      const reg = f.registry.connect(f.s.operator);
      await reg.registerProject(id32("project-2"), id32("c"), f.s.dev.address, "d");
      // Verified under project-1 but the data names project-2.
      const d1 = batchData({ projectId: id32("project-2") });
      await reg.proposeIssuance(id32("i-a"), PROJECT, hashBatch(d1), 10n, "r");
      await f.registry.verifyIssuance(id32("i-a"), await approvals(f.registry, [f.s.v1, f.s.v2], id32("i-a"), hashBatch(d1), 10n));
      await expect(t.createBatch(5, id32("i-a"), d1)).to.be.revertedWithCustomError(f.token, "ProjectMismatch").withArgs(PROJECT, id32("project-2"));
      const d2 = batchData({ serialStart: 10n, serialEnd: 9n });
      await verifyAnother(f, id32("i-b"), d2, 10n);
      await expect(t.createBatch(6, id32("i-b"), d2)).to.be.revertedWithCustomError(f.token, "InvalidSerialRange").withArgs(10n, 9n);
      const d3 = batchData({ serialStart: 1n, serialEnd: 2n }); // 2 tonnes = 2000 kg
      await verifyAnother(f, id32("i-c"), d3, 2001n);
      await expect(t.createBatch(7, id32("i-c"), d3)).to.be.revertedWithCustomError(f.token, "AmountExceedsSerials").withArgs(2001n, 2000n);
      for (const [i, uri] of [["i-d", "https://x"], ["i-e", "ipfs://"], ["i-f", "ipfs:/abc"]]) {
        const d = batchData({ metadataUri: uri });
        await verifyAnother(f, id32(i), d, 10n);
        await expect(t.createBatch(8, id32(i), d)).to.be.revertedWithCustomError(f.token, "InvalidMetadataUri");
      }
    });
  });

  describe("mint", function () {
    it("mints up to the verified amount and never beyond", async function () {
      const { token, data, s } = await loadFixture(verifiedFixture);
      const t = token.connect(s.operator);
      await t.createBatch(TOKEN_ID, ISSUANCE, data);
      await expect(t.mint(s.alice.address, TOKEN_ID, 4000n)).to.emit(token, "Minted").withArgs(TOKEN_ID, s.alice.address, 4000n, 4000n);
      await expect(t.mint(s.bob.address, TOKEN_ID, 1001n)).to.be.revertedWithCustomError(token, "MintExceedsVerified").withArgs(TOKEN_ID, 1001n, 1000n);
      await t.mint(s.bob.address, TOKEN_ID, 1000n);
      await expect(t.mint(s.bob.address, TOKEN_ID, 1n)).to.be.revertedWithCustomError(token, "MintExceedsVerified").withArgs(TOKEN_ID, 1n, 0n);
      expect(await token.minted(TOKEN_ID)).to.equal(AMOUNT);
      expect(await token["totalSupply(uint256)"](TOKEN_ID)).to.equal(AMOUNT);
      expect(await token.balanceOf(s.alice.address, TOKEN_ID)).to.equal(4000n);
    });
    it("refuses zero, unknown batches, non-minters and a paused token", async function () {
      const { token, data, s } = await loadFixture(verifiedFixture);
      const t = token.connect(s.operator);
      await expect(t.mint(s.alice.address, 99, 1)).to.be.revertedWithCustomError(token, "UnknownBatch").withArgs(99);
      await t.createBatch(TOKEN_ID, ISSUANCE, data);
      await expect(t.mint(s.alice.address, TOKEN_ID, 0)).to.be.revertedWithCustomError(token, "ZeroAmount");
      await expect(token.connect(s.alice).mint(s.alice.address, TOKEN_ID, 1)).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
      await expect(t.mint(ethers.ZeroAddress, TOKEN_ID, 1)).to.be.revertedWithCustomError(token, "ERC1155InvalidReceiver");
      await token.connect(s.guardian).pause();
      await expect(t.mint(s.alice.address, TOKEN_ID, 1)).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(t.createBatch(2, ISSUANCE, data)).to.be.revertedWithCustomError(token, "EnforcedPause");
    });
  });

  describe("retire", function () {
    it("burns, records the retirement and mints a soulbound certificate", async function () {
      const { token, certificate, s } = await loadFixture(mintedFixture);
      await expect(token.connect(s.alice).retire(TOKEN_ID, 1200n, "ACME GmbH", "2024 scope 1 offset"))
        .to.emit(token, "Retired").withArgs(1n, s.alice.address, TOKEN_ID, 1200n, "ACME GmbH", "2024 scope 1 offset")
        .and.to.emit(certificate, "Locked").withArgs(1n);
      expect(await token.balanceOf(s.alice.address, TOKEN_ID)).to.equal(1800n);
      expect(await token.retired(TOKEN_ID)).to.equal(1200n);
      expect(await token["totalSupply(uint256)"](TOKEN_ID)).to.equal(1800n);
      expect(await token.retirementCount()).to.equal(1n);
      const r = await token.getRetirement(1n);
      expect(r.account).to.equal(s.alice.address);
      expect(r.tokenId).to.equal(TOKEN_ID);
      expect(r.amount).to.equal(1200n);
      expect(r.beneficiary).to.equal("ACME GmbH");
      expect(r.reason).to.equal("2024 scope 1 offset");
      expect(await certificate.ownerOf(1n)).to.equal(s.alice.address);
      expect(await certificate.locked(1n)).to.equal(true);
      await token.connect(s.alice).retire(TOKEN_ID, 1n, "B", "");
      expect(await certificate.ownerOf(2n)).to.equal(s.alice.address);
      // minted = held + retired
      expect(await token.minted(TOKEN_ID)).to.equal((await token["totalSupply(uint256)"](TOKEN_ID)) + (await token.retired(TOKEN_ID)));
    });
    it("refuses zero, empty beneficiary, unknown batch, insufficient balance and a paused token", async function () {
      const { token, s } = await loadFixture(mintedFixture);
      const t = token.connect(s.alice);
      await expect(t.retire(TOKEN_ID, 0, "A", "r")).to.be.revertedWithCustomError(token, "ZeroAmount");
      await expect(t.retire(TOKEN_ID, 1, "", "r")).to.be.revertedWithCustomError(token, "EmptyBeneficiary");
      await expect(t.retire(99, 1, "A", "r")).to.be.revertedWithCustomError(token, "UnknownBatch").withArgs(99);
      await expect(t.retire(TOKEN_ID, 3001n, "A", "r")).to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance");
      await expect(token.connect(s.bob).retire(TOKEN_ID, 1, "A", "r")).to.be.revertedWithCustomError(token, "ERC1155InsufficientBalance");
      await expect(token.getRetirement(1)).to.be.revertedWithCustomError(token, "UnknownRetirement").withArgs(1);
      await token.connect(s.guardian).pause();
      await expect(t.retire(TOKEN_ID, 1, "A", "r")).to.be.revertedWithCustomError(token, "EnforcedPause");
    });
  });

  describe("RetirementCertificate", function () {
    it("cannot be transferred, burned or minted by others", async function () {
      const { token, certificate, s } = await loadFixture(mintedFixture);
      await token.connect(s.alice).retire(TOKEN_ID, 10n, "A", "r");
      await expect(certificate.connect(s.alice).transferFrom(s.alice.address, s.bob.address, 1n)).to.be.revertedWithCustomError(certificate, "Soulbound");
      await expect(certificate.connect(s.alice)["safeTransferFrom(address,address,uint256)"](s.alice.address, s.bob.address, 1n)).to.be.revertedWithCustomError(certificate, "Soulbound");
      await expect(certificate.connect(s.alice).mint(s.alice.address, 5n)).to.be.revertedWithCustomError(certificate, "NotCreditToken").withArgs(s.alice.address);
      await expect(certificate.locked(7n)).to.be.revertedWithCustomError(certificate, "ERC721NonexistentToken");
      expect(await certificate.creditToken()).to.equal(await token.getAddress());
      expect(await certificate.supportsInterface("0xb45a3c0e")).to.equal(true);
      expect(await certificate.supportsInterface("0x80ac58cd")).to.equal(true);
      await expect(ethers.deployContract("RetirementCertificate", [ethers.ZeroAddress])).to.be.revertedWithCustomError(certificate, "ZeroAddress");
    });
  });

  describe("transfers and pause", function () {
    it("transfers while running, not while paused; only governance unpauses", async function () {
      const { token, s } = await loadFixture(mintedFixture);
      await token.connect(s.alice).safeTransferFrom(s.alice.address, s.bob.address, TOKEN_ID, 100n, "0x");
      expect(await token.balanceOf(s.bob.address, TOKEN_ID)).to.equal(100n);
      await expect(token.connect(s.alice).pause()).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
      await token.connect(s.guardian).pause();
      await expect(token.connect(s.alice).safeTransferFrom(s.alice.address, s.bob.address, TOKEN_ID, 1n, "0x")).to.be.revertedWithCustomError(token, "EnforcedPause");
      await expect(token.connect(s.guardian).unpause()).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
      await token.unpause();
      await token.connect(s.alice).safeTransferFrom(s.alice.address, s.bob.address, TOKEN_ID, 1n, "0x");
      expect(await token.balanceOf(s.bob.address, TOKEN_ID)).to.equal(101n);
    });
  });

  describe("upgrades", function () {
    it("UUPS upgrade by the upgrader keeps balances and batch data", async function () {
      const { token, s } = await loadFixture(mintedFixture);
      const v2 = await ethers.deployContract("CarbonCreditTokenV2");
      await expect(token.connect(s.operator).upgradeToAndCall(await v2.getAddress(), "0x")).to.be.revertedWithCustomError(token, "AccessControlUnauthorizedAccount");
      await token.upgradeToAndCall(await v2.getAddress(), "0x");
      const upgraded = await ethers.getContractAt("CarbonCreditTokenV2", await token.getAddress());
      expect(await upgraded.version()).to.equal("2");
      expect(await upgraded.balanceOf(s.alice.address, TOKEN_ID)).to.equal(3000n);
      expect(await upgraded.verifiedAmount(TOKEN_ID)).to.equal(AMOUNT);
      // The implementation itself cannot be initialized.
      await expect(v2.initialize(s.deployer.address, s.deployer.address)).to.be.revertedWithCustomError(v2, "InvalidInitialization");
    });
  });
});
