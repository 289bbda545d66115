import { expect } from "chai";
import {
  ethers, networkHelpers, mintedFixture, signWithdrawal, id32, role, TOKEN_ID, ZERO32,
} from "./helpers.js";

const { loadFixture, time } = networkHelpers;
const ACCOUNT = id32("exchange-account-42");

/** Minted fixture plus: alice approved the market; bob holds and approved 1 000 000 tUSD. */
async function marketFixture() {
  const f = await mintedFixture();
  const { s, token, market, paymentToken } = f;
  await (await token.connect(s.alice).setApprovalForAll(await market.getAddress(), true)).wait();
  await (await paymentToken.mint(s.bob.address, 1_000_000n)).wait();
  await (await paymentToken.connect(s.bob).approve(await market.getAddress(), ethers.MaxUint256)).wait();
  return f;
}

async function listingFixture() {
  const f = await marketFixture();
  const deadline = (await time.latest()) + 3600;
  // 1000 kg at 7 minor units per kg, minimum fill 100.
  await (await f.market.connect(f.s.alice).createListing(TOKEN_ID, 1000n, 7n, 100n, deadline)).wait();
  return { ...f, deadline };
}

async function custodyFixture() {
  const f = await marketFixture();
  await (await f.market.connect(f.s.alice).deposit(TOKEN_ID, 2000n, ACCOUNT)).wait();
  return f;
}

async function withdrawal(f, overrides = {}) {
  const w = { to: f.s.carol.address, tokenId: TOKEN_ID, amount: 500n, nonce: 1n,
    expiry: BigInt(await time.latest()) + 600n, ...overrides };
  return { w, sig: await signWithdrawal(f.market, f.s.operator, w) };
}

describe("CarbonMarket", function () {
  describe("initialize and governance settings", function () {
    it("has its configuration and refuses re-initialization and bad arguments", async function () {
      const { market, token, paymentToken, s } = await loadFixture(marketFixture);
      expect(await market.creditToken()).to.equal(await token.getAddress());
      expect(await market.paymentToken()).to.equal(await paymentToken.getAddress());
      expect(await market.treasury()).to.equal(s.treasury.address);
      expect(await market.feeBps()).to.equal(100n);
      expect(await market.operatorSigner()).to.equal(s.operator.address);
      const a = s.deployer.address;
      await expect(market.initialize(a, a, a, a, 0, a)).to.be.revertedWithCustomError(market, "InvalidInitialization");
      const impl = await ethers.deployContract("CarbonMarket");
      const enc = (args) => impl.interface.encodeFunctionData("initialize", args);
      const Z = ethers.ZeroAddress;
      for (const args of [[Z, a, a, a, 0, a], [a, Z, a, a, 0, a], [a, a, Z, a, 0, a], [a, a, a, Z, 0, a], [a, a, a, a, 0, Z]]) {
        await expect(ethers.deployContract("CarbonProxy", [await impl.getAddress(), enc(args)])).to.be.revertedWithCustomError(impl, "ZeroAddress");
      }
      await expect(ethers.deployContract("CarbonProxy", [await impl.getAddress(), enc([a, a, a, a, 1001, a])]))
        .to.be.revertedWithCustomError(impl, "FeeTooHigh").withArgs(1001);
    });
    it("fee, treasury, signer and payment token are governance-only with checks", async function () {
      const { market, s } = await loadFixture(marketFixture);
      await expect(market.setFee(250)).to.emit(market, "FeeSet").withArgs(250);
      await expect(market.setFee(1001)).to.be.revertedWithCustomError(market, "FeeTooHigh").withArgs(1001);
      await expect(market.setTreasury(s.carol.address)).to.emit(market, "TreasurySet").withArgs(s.carol.address);
      await expect(market.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(market.setOperatorSigner(s.carol.address)).to.emit(market, "OperatorSignerSet").withArgs(s.carol.address);
      await expect(market.setOperatorSigner(ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await expect(market.setPaymentToken(s.carol.address)).to.emit(market, "PaymentTokenSet").withArgs(s.carol.address);
      await expect(market.setPaymentToken(ethers.ZeroAddress)).to.be.revertedWithCustomError(market, "ZeroAddress");
      const m = market.connect(s.operator);
      for (const call of [m.setFee(1), m.setTreasury(s.bob.address), m.setOperatorSigner(s.bob.address), m.setPaymentToken(s.bob.address)]) {
        await expect(call).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(s.operator.address, ZERO32);
      }
    });
    it("supports ERC-1155 receiver and AccessControl interfaces", async function () {
      const { market } = await loadFixture(marketFixture);
      expect(await market.supportsInterface("0x4e2312e0")).to.equal(true);
      expect(await market.supportsInterface("0x7965db0b")).to.equal(true);
      expect(await market.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("listings", function () {
    it("creates a listing and escrows the credits", async function () {
      const { market, token, s } = await loadFixture(marketFixture);
      const deadline = (await time.latest()) + 100;
      await expect(market.connect(s.alice).createListing(TOKEN_ID, 1000n, 7n, 100n, deadline))
        .to.emit(market, "ListingCreated").withArgs(1n, s.alice.address, TOKEN_ID, 1000n, 7n, 100n, deadline);
      expect(await token.balanceOf(await market.getAddress(), TOKEN_ID)).to.equal(1000n);
      expect(await market.escrowed(TOKEN_ID)).to.equal(1000n);
      const l = await market.getListing(1n);
      expect([l.seller, l.tokenId, l.remaining, l.unitPrice, l.minFill, l.deadline]).to.deep.equal([s.alice.address, TOKEN_ID, 1000n, 7n, 100n, BigInt(deadline)]);
    });
    it("refuses bad listings", async function () {
      const f = await loadFixture(marketFixture);
      const { market, s } = f;
      const m = market.connect(s.alice);
      const dl = (await time.latest()) + 100;
      await expect(m.createListing(TOKEN_ID, 0, 7, 1, dl)).to.be.revertedWithCustomError(market, "ZeroAmount");
      await expect(m.createListing(TOKEN_ID, 10, 0, 1, dl)).to.be.revertedWithCustomError(market, "ZeroPrice");
      await expect(m.createListing(TOKEN_ID, 10, 7, 0, dl)).to.be.revertedWithCustomError(market, "InvalidMinFill").withArgs(0, 10);
      await expect(m.createListing(TOKEN_ID, 10, 7, 11, dl)).to.be.revertedWithCustomError(market, "InvalidMinFill").withArgs(11, 10);
      const now = await time.latest();
      await expect(m.createListing(TOKEN_ID, 10, 7, 1, now)).to.be.revertedWithCustomError(market, "DeadlinePassed");
      await expect(m.createListing(TOKEN_ID, 5000, 7, 1, dl)).to.be.revertedWithCustomError(f.token, "ERC1155InsufficientBalance");
      await expect(market.connect(s.bob).createListing(TOKEN_ID, 10, 7, 1, dl)).to.be.revertedWithCustomError(f.token, "ERC1155MissingApprovalForAll");
    });
    it("fills: buyer pays cost, treasury gets the fee rounded down, seller the rest", async function () {
      const { market, token, paymentToken, s } = await loadFixture(listingFixture);
      // 143 kg * 7 = 1001; fee 1 % = 10.01 -> 10.
      await expect(market.connect(s.bob).fillListing(1n, 143n, 1001n))
        .to.emit(market, "ListingFilled").withArgs(1n, s.bob.address, 143n, 1001n, 10n);
      expect(await paymentToken.balanceOf(s.treasury.address)).to.equal(10n);
      expect(await paymentToken.balanceOf(s.alice.address)).to.equal(991n);
      expect(await paymentToken.balanceOf(s.bob.address)).to.equal(1_000_000n - 1001n);
      expect(await token.balanceOf(s.bob.address, TOKEN_ID)).to.equal(143n);
      expect((await market.getListing(1n)).remaining).to.equal(857n);
      expect(await market.escrowed(TOKEN_ID)).to.equal(857n);
      const [cost, fee] = await market.quote(1n, 857n);
      expect([cost, fee]).to.deep.equal([5999n, 59n]);
      // The last fill may be below the minimum when it takes all that remains... after this it is inactive.
      await market.connect(s.bob).fillListing(1n, 857n, cost);
      expect((await market.getListing(1n)).remaining).to.equal(0n);
      await expect(market.connect(s.bob).fillListing(1n, 1n, 100n)).to.be.revertedWithCustomError(market, "ListingNotActive").withArgs(1n);
    });
    it("a remainder below the minimum fill can be taken whole, not in part", async function () {
      const { market, s } = await loadFixture(listingFixture);
      await market.connect(s.bob).fillListing(1n, 950n, 7n * 950n);
      await expect(market.connect(s.bob).fillListing(1n, 49n, 10_000n)).to.be.revertedWithCustomError(market, "FillTooSmall").withArgs(49n, 100n);
      await market.connect(s.bob).fillListing(1n, 50n, 350n);
    });
    it("with a zero fee nothing goes to the treasury", async function () {
      const { market, paymentToken, s } = await loadFixture(listingFixture);
      await market.setFee(0);
      await market.connect(s.bob).fillListing(1n, 100n, 700n);
      expect(await paymentToken.balanceOf(s.treasury.address)).to.equal(0n);
      expect(await paymentToken.balanceOf(s.alice.address)).to.equal(700n);
    });
    it("refuses bad fills", async function () {
      const { market, paymentToken, s, deadline } = await loadFixture(listingFixture);
      const m = market.connect(s.bob);
      await expect(m.fillListing(9n, 100n, 700n)).to.be.revertedWithCustomError(market, "ListingNotActive").withArgs(9n);
      await expect(m.fillListing(1n, 0n, 700n)).to.be.revertedWithCustomError(market, "ZeroAmount");
      await expect(m.fillListing(1n, 1001n, 10n ** 9n)).to.be.revertedWithCustomError(market, "FillTooLarge").withArgs(1001n, 1000n);
      await expect(m.fillListing(1n, 99n, 10n ** 9n)).to.be.revertedWithCustomError(market, "FillTooSmall").withArgs(99n, 100n);
      await expect(m.fillListing(1n, 100n, 699n)).to.be.revertedWithCustomError(market, "CostAboveMaximum").withArgs(700n, 699n);
      await expect(market.connect(s.carol).fillListing(1n, 100n, 700n)).to.be.revertedWithCustomError(paymentToken, "ERC20InsufficientAllowance");
      await time.increaseTo(deadline + 1);
      await expect(m.fillListing(1n, 100n, 700n)).to.be.revertedWithCustomError(market, "DeadlinePassed").withArgs(deadline);
    });
    it("the seller cancels and gets the rest back, even after the deadline or while paused", async function () {
      const { market, token, s, deadline } = await loadFixture(listingFixture);
      await market.connect(s.bob).fillListing(1n, 300n, 2100n);
      await expect(market.connect(s.bob).cancelListing(1n)).to.be.revertedWithCustomError(market, "NotSeller").withArgs(s.bob.address);
      await time.increaseTo(deadline + 10);
      await market.connect(s.guardian).pause();
      await expect(market.connect(s.alice).cancelListing(1n)).to.emit(market, "ListingCancelled").withArgs(1n, 700n);
      expect(await token.balanceOf(s.alice.address, TOKEN_ID)).to.equal(2700n);
      expect(await market.escrowed(TOKEN_ID)).to.equal(0n);
      await expect(market.connect(s.alice).cancelListing(1n)).to.be.revertedWithCustomError(market, "ListingNotActive").withArgs(1n);
    });
  });

  describe("custody bridge", function () {
    it("deposit locks credits and names the exchange account", async function () {
      const { market, token, s } = await loadFixture(marketFixture);
      await expect(market.connect(s.alice).deposit(TOKEN_ID, 2000n, ACCOUNT))
        .to.emit(market, "Deposited").withArgs(1n, s.alice.address, TOKEN_ID, 2000n, ACCOUNT);
      expect(await market.custodyBalance(TOKEN_ID)).to.equal(2000n);
      expect(await market.depositCount()).to.equal(1n);
      expect(await token.balanceOf(await market.getAddress(), TOKEN_ID)).to.equal(2000n);
    });
    it("refuses bad deposits", async function () {
      const f = await loadFixture(marketFixture);
      const { market, s } = f;
      await expect(market.connect(s.alice).deposit(TOKEN_ID, 0n, ACCOUNT)).to.be.revertedWithCustomError(market, "ZeroAmount");
      await expect(market.connect(s.alice).deposit(TOKEN_ID, 1n, ZERO32)).to.be.revertedWithCustomError(market, "ZeroAccount");
      await expect(market.connect(s.alice).deposit(TOKEN_ID, 3001n, ACCOUNT)).to.be.revertedWithCustomError(f.token, "ERC1155InsufficientBalance");
      await expect(market.connect(s.bob).deposit(TOKEN_ID, 1n, ACCOUNT)).to.be.revertedWithCustomError(f.token, "ERC1155MissingApprovalForAll");
    });
    it("withdraw releases credits once against the operator's signature, submitted by anyone", async function () {
      const f = await loadFixture(custodyFixture);
      const { market, token, s } = f;
      const { w, sig } = await withdrawal(f);
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash({ name: "CarbonX Market", version: "1", chainId, verifyingContract: await market.getAddress() },
        { Withdrawal: [{ name: "to", type: "address" }, { name: "tokenId", type: "uint256" }, { name: "amount", type: "uint256" }, { name: "nonce", type: "uint256" }, { name: "expiry", type: "uint256" }] }, w);
      expect(await market.withdrawalDigest(w)).to.equal(digest);
      await expect(market.connect(s.outsider).withdraw(w, sig)).to.emit(market, "Withdrawn").withArgs(1n, s.carol.address, TOKEN_ID, 500n);
      expect(await token.balanceOf(s.carol.address, TOKEN_ID)).to.equal(500n);
      expect(await market.custodyBalance(TOKEN_ID)).to.equal(1500n);
      expect(await market.nonceUsed(1n)).to.equal(true);
      await expect(market.withdraw(w, sig)).to.be.revertedWithCustomError(market, "NonceAlreadyUsed").withArgs(1n);
    });
    it("refuses expired, forged, redirected, oversized and zero withdrawals", async function () {
      const f = await loadFixture(custodyFixture);
      const { market, s } = f;
      const { w, sig } = await withdrawal(f);
      await expect(market.withdraw({ ...w, to: s.outsider.address }, sig)).to.be.revertedWithCustomError(market, "InvalidOperatorSignature");
      await expect(market.withdraw({ ...w, amount: 501n }, sig)).to.be.revertedWithCustomError(market, "InvalidOperatorSignature");
      const forged = await signWithdrawal(market, s.outsider, w);
      await expect(market.withdraw(w, forged)).to.be.revertedWithCustomError(market, "InvalidOperatorSignature").withArgs(s.outsider.address);
      await expect(market.withdraw(w, "0x01")).to.be.revertedWithCustomError(market, "ECDSAInvalidSignatureLength");
      const big = await withdrawal(f, { amount: 2001n, nonce: 2n });
      await expect(market.withdraw(big.w, big.sig)).to.be.revertedWithCustomError(market, "InsufficientCustody").withArgs(TOKEN_ID, 2001n, 2000n);
      const zero = await withdrawal(f, { amount: 0n, nonce: 3n });
      await expect(market.withdraw(zero.w, zero.sig)).to.be.revertedWithCustomError(market, "ZeroAmount");
      const nobody = await withdrawal(f, { to: ethers.ZeroAddress, nonce: 4n });
      await expect(market.withdraw(nobody.w, nobody.sig)).to.be.revertedWithCustomError(market, "ZeroAddress");
      await time.increaseTo(w.expiry + 1n);
      await expect(market.withdraw(w, sig)).to.be.revertedWithCustomError(market, "AuthorizationExpired").withArgs(w.expiry);
    });
    it("custody cannot release credits escrowed by listings", async function () {
      const f = await loadFixture(custodyFixture);
      const dl = (await time.latest()) + 1000;
      await f.market.connect(f.s.alice).createListing(TOKEN_ID, 1000n, 1n, 1n, dl);
      const { w, sig } = await withdrawal(f, { amount: 2500n });
      await expect(f.market.withdraw(w, sig)).to.be.revertedWithCustomError(f.market, "InsufficientCustody").withArgs(TOKEN_ID, 2500n, 2000n);
    });
    it("a changed operator signer invalidates the old key's authorizations", async function () {
      const f = await loadFixture(custodyFixture);
      const { w, sig } = await withdrawal(f);
      await f.market.setOperatorSigner(f.s.carol.address);
      await expect(f.market.withdraw(w, sig)).to.be.revertedWithCustomError(f.market, "InvalidOperatorSignature").withArgs(f.s.operator.address);
    });
    it("mints to the market join custody; other transfers in are refused", async function () {
      const f = await loadFixture(marketFixture);
      const { market, token, s } = f;
      await expect(token.connect(s.operator).mint(await market.getAddress(), TOKEN_ID, 1000n)).to.emit(market, "CustodyMinted").withArgs(TOKEN_ID, 1000n);
      expect(await market.custodyBalance(TOKEN_ID)).to.equal(1000n);
      await expect(token.connect(s.alice).safeTransferFrom(s.alice.address, await market.getAddress(), TOKEN_ID, 1n, "0x"))
        .to.be.revertedWithCustomError(market, "UnexpectedTransfer");
      await expect(token.connect(s.alice).safeBatchTransferFrom(s.alice.address, await market.getAddress(), [TOKEN_ID], [1n], "0x"))
        .to.be.revertedWithCustomError(market, "UnexpectedTransfer");
      await expect(market.onERC1155Received(s.alice.address, ethers.ZeroAddress, TOKEN_ID, 1n, "0x"))
        .to.be.revertedWithCustomError(market, "NotCreditToken").withArgs(s.deployer.address);
    });
  });

  describe("emergency controls", function () {
    it("guardian pauses listing, filling, deposits and withdrawals; only governance unpauses", async function () {
      const f = await loadFixture(listingFixture);
      const { market, s } = f;
      await market.connect(s.alice).deposit(TOKEN_ID, 100n, ACCOUNT);
      const { w, sig } = await withdrawal(f, { amount: 10n });
      await expect(market.connect(s.outsider).pause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
      await market.connect(s.guardian).pause();
      const dl = (await time.latest()) + 100;
      await expect(market.connect(s.alice).createListing(TOKEN_ID, 1, 1, 1, dl)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(s.bob).fillListing(1n, 100n, 700n)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(s.alice).deposit(TOKEN_ID, 1n, ACCOUNT)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.withdraw(w, sig)).to.be.revertedWithCustomError(market, "EnforcedPause");
      await expect(market.connect(s.guardian).unpause()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
      await market.unpause();
      await market.withdraw(w, sig);
    });
  });

  describe("upgrades", function () {
    it("only the upgrader can upgrade and custody state survives", async function () {
      const { market, s } = await loadFixture(custodyFixture);
      const impl = await ethers.deployContract("CarbonMarket");
      await expect(market.connect(s.alice).upgradeToAndCall(await impl.getAddress(), "0x"))
        .to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount").withArgs(s.alice.address, role("UPGRADER_ROLE"));
      await market.upgradeToAndCall(await impl.getAddress(), "0x");
      expect(await market.custodyBalance(TOKEN_ID)).to.equal(2000n);
    });
  });
});
