import { expect } from "chai";
import { ethers, networkHelpers, role, ZERO32 } from "./helpers.js";
import { deploySystem } from "../scripts/lib/system.js";

const { loadFixture, mine, time } = networkHelpers;
const VOTING_DELAY = 1;
const VOTING_PERIOD = 50;
const TIMELOCK_DELAY = 3600;
const State = { Pending: 0n, Active: 1n, Canceled: 2n, Defeated: 3n, Succeeded: 4n, Queued: 5n, Expired: 6n, Executed: 7n };

async function governedFixture() {
  const [deployer, operator, guardian, treasury, c1, c2, c3, v1, v2, outsider] = await ethers.getSigners();
  const sys = await deploySystem(ethers, {
    deployer, operator: operator.address, guardian: guardian.address, treasury: treasury.address,
    council: [c1.address, c2.address, c3.address], verifiers: [v1.address, v2.address], threshold: 2,
    timelockDelay: TIMELOCK_DELAY, votingDelay: VOTING_DELAY, votingPeriod: VOTING_PERIOD, quorumPercent: 67,
    handOver: true,
  });
  return { ...sys, s: { deployer, operator, guardian, treasury, c1, c2, c3, v1, v2, outsider } };
}

/** Proposes `actions` ([contract, fn, args]), votes with `voters` (support 1 = for), queues and executes. */
async function pass(f, actions, description, voters = [f.s.c1, f.s.c2]) {
  const targets = [], values = [], calldatas = [];
  for (const [c, fn, args] of actions) {
    targets.push(await c.getAddress()); values.push(0n); calldatas.push(c.interface.encodeFunctionData(fn, args));
  }
  const g = f.governor;
  await (await g.connect(f.s.c1).propose(targets, values, calldatas, description)).wait();
  const descHash = ethers.id(description);
  const id = await g.hashProposal(targets, values, calldatas, descHash);
  await mine(VOTING_DELAY + 1);
  for (const v of voters) await (await g.connect(v).castVote(id, 1)).wait();
  await mine(VOTING_PERIOD);
  return { id, targets, values, calldatas, descHash };
}

async function queueAndExecute(f, p) {
  await (await f.governor.queue(p.targets, p.values, p.calldatas, p.descHash)).wait();
  await time.increase(TIMELOCK_DELAY);
  return f.governor.execute(p.targets, p.values, p.calldatas, p.descHash);
}

describe("Governance", function () {
  it("after hand-over the timelock holds every admin role and the deployer none", async function () {
    const f = await loadFixture(governedFixture);
    const tl = await f.timelock.getAddress();
    for (const c of [f.registry, f.token, f.market, f.anchor]) {
      expect(await c.hasRole(ZERO32, tl)).to.equal(true);
      expect(await c.hasRole(ZERO32, f.s.deployer.address)).to.equal(false);
      expect(await c.hasRole(role("PAUSER_ROLE"), f.s.guardian.address)).to.equal(true);
    }
    for (const c of [f.registry, f.token, f.market]) {
      expect(await c.hasRole(role("UPGRADER_ROLE"), tl)).to.equal(true);
      expect(await c.hasRole(role("UPGRADER_ROLE"), f.s.deployer.address)).to.equal(false);
    }
    expect(await f.timelock.hasRole(ZERO32, f.s.deployer.address)).to.equal(false);
    expect(await f.timelock.hasRole(await f.timelock.PROPOSER_ROLE(), await f.governor.getAddress())).to.equal(true);
    expect(await f.seats.owner()).to.equal(tl);
    expect(await f.governor.timelock()).to.equal(tl);
    expect(await f.governor.name()).to.equal("CarbonX Governor");
    expect(await f.governor.votingDelay()).to.equal(BigInt(VOTING_DELAY));
    expect(await f.governor.votingPeriod()).to.equal(BigInt(VOTING_PERIOD));
    expect(await f.governor.proposalThreshold()).to.equal(1n);
    await expect(f.market.connect(f.s.deployer).setFee(1)).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
  });

  it("a passed proposal unpauses what the guardian paused, changes fees, the verifier set and upgrades", async function () {
    const f = await loadFixture(governedFixture);
    await f.market.connect(f.s.guardian).pause();
    await expect(f.market.connect(f.s.guardian).unpause()).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
    await expect(f.market.connect(f.s.deployer).unpause()).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
    const v2 = await ethers.deployContract("CarbonCreditTokenV2");
    const p = await pass(f, [
      [f.market, "unpause", []],
      [f.market, "setFee", [250]],
      [f.registry, "addVerifier", [f.s.outsider.address]],
      [f.registry, "setDefaultThreshold", [3]],
      [f.token, "upgradeToAndCall", [await v2.getAddress(), "0x"]],
    ], "Resume market, 2.5 % fee, add verifier, k = 3, token v2");
    expect(await f.governor.state(p.id)).to.equal(State.Succeeded);
    // Executing before queueing and the delay is impossible.
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descHash)).to.be.revertedWithCustomError(f.governor, "GovernorUnexpectedProposalState");
    await (await f.governor.queue(p.targets, p.values, p.calldatas, p.descHash)).wait();
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descHash)).to.be.revertedWithCustomError(f.timelock, "TimelockUnexpectedOperationState");
    await time.increase(TIMELOCK_DELAY);
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descHash)).to.emit(f.governor, "ProposalExecuted").withArgs(p.id);
    expect(await f.market.paused()).to.equal(false);
    expect(await f.market.feeBps()).to.equal(250n);
    expect(await f.registry.isVerifier(f.s.outsider.address)).to.equal(true);
    expect(await f.registry.defaultThreshold()).to.equal(3n);
    expect(await (await ethers.getContractAt("CarbonCreditTokenV2", await f.token.getAddress())).version()).to.equal("2");
  });

  it("a proposal without quorum is defeated and cannot be queued", async function () {
    const f = await loadFixture(governedFixture);
    const p = await pass(f, [[f.market, "setFee", [500]]], "Raise fee", [f.s.c1]); // 1 of 3 seats < quorum of 67 % (2 seats)
    expect(await f.governor.state(p.id)).to.equal(State.Defeated);
    await expect(f.governor.queue(p.targets, p.values, p.calldatas, p.descHash)).to.be.revertedWithCustomError(f.governor, "GovernorUnexpectedProposalState");
    expect(await f.market.feeBps()).to.equal(100n);
  });

  it("only seat holders propose; seats are one vote each, non-transferable, granted by governance", async function () {
    const f = await loadFixture(governedFixture);
    await expect(f.governor.connect(f.s.outsider).propose([await f.market.getAddress()], [0n], ["0x"], "x"))
      .to.be.revertedWithCustomError(f.governor, "GovernorInsufficientProposerVotes");
    expect(await f.seats.getVotes(f.s.c1.address)).to.equal(1n);
    expect(await f.seats.decimals()).to.equal(0n);
    await expect(f.seats.connect(f.s.c1).transfer(f.s.outsider.address, 1n)).to.be.revertedWithCustomError(f.seats, "SeatsNotTransferable");
    await expect(f.seats.connect(f.s.deployer).grantSeat(f.s.outsider.address)).to.be.revertedWithCustomError(f.seats, "OwnableUnauthorizedAccount");
    await expect(f.seats.connect(f.s.deployer).revokeSeat(f.s.c3.address)).to.be.revertedWithCustomError(f.seats, "OwnableUnauthorizedAccount");
    const p = await pass(f, [[f.seats, "grantSeat", [f.s.outsider.address]], [f.seats, "revokeSeat", [f.s.c3.address]]], "Rotate council");
    await (await queueAndExecute(f, p)).wait();
    expect(await f.seats.balanceOf(f.s.outsider.address)).to.equal(1n);
    expect(await f.seats.balanceOf(f.s.c3.address)).to.equal(0n);
    expect(await f.seats.getVotes(f.s.outsider.address)).to.equal(1n);
  });

  it("council seat admin reverts: zero, double seat, revoking a non-member", async function () {
    const seats = await ethers.deployContract("CouncilToken", [(await ethers.getSigners())[0].address]);
    const [, a] = await ethers.getSigners();
    await expect(seats.grantSeat(ethers.ZeroAddress)).to.be.revertedWithCustomError(seats, "ZeroAddress");
    await expect(seats.grantSeat(a.address)).to.emit(seats, "SeatGranted").withArgs(a.address);
    await expect(seats.grantSeat(a.address)).to.be.revertedWithCustomError(seats, "AlreadySeated").withArgs(a.address);
    await expect(seats.revokeSeat(a.address)).to.emit(seats, "SeatRevoked").withArgs(a.address);
    await expect(seats.revokeSeat(a.address)).to.be.revertedWithCustomError(seats, "NotSeated").withArgs(a.address);
  });

  it("the guardian can pause every contract but unpause none", async function () {
    const f = await loadFixture(governedFixture);
    for (const c of [f.registry, f.token, f.market, f.anchor]) {
      await expect(c.connect(f.s.guardian).pause()).to.emit(c, "Paused");
      await expect(c.connect(f.s.guardian).unpause()).to.be.revertedWithCustomError(c, "AccessControlUnauthorizedAccount");
    }
    const p = await pass(f, [[f.registry, "unpause", []], [f.token, "unpause", []], [f.anchor, "unpause", []]], "Resume all");
    await (await queueAndExecute(f, p)).wait();
    expect(await f.registry.paused()).to.equal(false);
    expect(await f.token.paused()).to.equal(false);
    expect(await f.anchor.paused()).to.equal(false);
    expect(await f.market.paused()).to.equal(true);
  });
});
