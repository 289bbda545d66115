import { expect } from "chai";
import { readFileSync } from "node:fs";
import { ethers, networkHelpers, baseFixture, role, ZERO32 } from "./helpers.js";

const { loadFixture } = networkHelpers;
const VECTORS = JSON.parse(readFileSync(new URL("../../docs/test-vectors/merkle.json", import.meta.url), "utf8"));
const h = (x) => "0x" + x;
const r = (s) => ethers.sha256(ethers.toUtf8Bytes(s));

/** Anchor with every vector case's root anchored at heights 1..n in order. */
async function vectorsFixture() {
  const f = await baseFixture();
  let prev = ZERO32;
  for (let i = 0; i < VECTORS.cases.length; i++) {
    const root = h(VECTORS.cases[i].root);
    await (await f.anchor.connect(f.s.operator).anchor(i + 1, root, prev)).wait();
    prev = root;
  }
  return f;
}

describe("JournalAnchor", function () {
  it("constructor refuses a zero admin", async function () {
    const f = await loadFixture(baseFixture);
    await expect(ethers.deployContract("JournalAnchor", [ethers.ZeroAddress])).to.be.revertedWithCustomError(f.anchor, "ZeroAddress");
  });

  it("anchors blocks in order, each linked to the previous root", async function () {
    const { anchor, s } = await loadFixture(baseFixture);
    const a = anchor.connect(s.operator);
    await expect(a.anchor(1, r("b1"), ZERO32)).to.emit(anchor, "Anchored").withArgs(1, r("b1"), ZERO32);
    await expect(a.anchor(2, r("b2"), r("b1"))).to.emit(anchor, "Anchored").withArgs(2, r("b2"), r("b1"));
    expect(await anchor.latestHeight()).to.equal(2n);
    expect(await anchor.rootAt(1)).to.equal(r("b1"));
    expect(await anchor.rootAt(2)).to.equal(r("b2"));
    expect(await anchor.rootAt(3)).to.equal(ZERO32);
  });

  it("refuses gaps, repeats, wrong previous roots, zero roots and non-anchorers", async function () {
    const { anchor, s } = await loadFixture(baseFixture);
    const a = anchor.connect(s.operator);
    await expect(a.anchor(2, r("b2"), ZERO32)).to.be.revertedWithCustomError(anchor, "UnexpectedHeight").withArgs(1, 2);
    await expect(a.anchor(0, r("b0"), ZERO32)).to.be.revertedWithCustomError(anchor, "UnexpectedHeight").withArgs(1, 0);
    await expect(a.anchor(1, ZERO32, ZERO32)).to.be.revertedWithCustomError(anchor, "ZeroRoot");
    await expect(a.anchor(1, r("b1"), r("x"))).to.be.revertedWithCustomError(anchor, "PreviousRootMismatch").withArgs(ZERO32, r("x"));
    await a.anchor(1, r("b1"), ZERO32);
    await expect(a.anchor(1, r("b1'"), ZERO32)).to.be.revertedWithCustomError(anchor, "UnexpectedHeight").withArgs(2, 1);
    await expect(a.anchor(2, r("b2"), ZERO32)).to.be.revertedWithCustomError(anchor, "PreviousRootMismatch").withArgs(r("b1"), ZERO32);
    await expect(anchor.connect(s.outsider).anchor(2, r("b2"), r("b1")))
      .to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount").withArgs(s.outsider.address, role("ANCHORER_ROLE"));
  });

  it("guardian pauses anchoring; only governance unpauses", async function () {
    const { anchor, s } = await loadFixture(baseFixture);
    await expect(anchor.connect(s.outsider).pause()).to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount");
    await anchor.connect(s.guardian).pause();
    await expect(anchor.connect(s.operator).anchor(1, r("b1"), ZERO32)).to.be.revertedWithCustomError(anchor, "EnforcedPause");
    await expect(anchor.connect(s.guardian).unpause()).to.be.revertedWithCustomError(anchor, "AccessControlUnauthorizedAccount");
    await anchor.unpause();
    await anchor.connect(s.operator).anchor(1, r("b1"), ZERO32);
  });

  it("verifyInclusion reverts for a height not anchored", async function () {
    const { anchor } = await loadFixture(baseFixture);
    await expect(anchor.verifyInclusion(1, r("e"), [])).to.be.revertedWithCustomError(anchor, "UnknownHeight").withArgs(1);
  });

  describe("shared test vectors (docs/test-vectors/merkle.json)", function () {
    it("has the cases the spec asks for", function () {
      expect(VECTORS.cases.map((c) => c.event_hashes.length)).to.include.members([1, 2, 3, 5, 8, 13, 100]);
      for (const c of VECTORS.cases) {
        c.event_hashes.forEach((e, i) => expect(e).to.equal(r(`event-${i}`).slice(2)));
      }
    });

    it("every vector proof verifies against its anchored root and computeRoot agrees", async function () {
      const { anchor } = await loadFixture(vectorsFixture);
      let checked = 0;
      for (let i = 0; i < VECTORS.cases.length; i++) {
        const c = VECTORS.cases[i];
        for (const p of c.proofs) {
          const proof = p.proof.map(h);
          expect(await anchor.verifyInclusion(i + 1, h(c.event_hashes[p.index]), proof)).to.equal(true);
          expect(await anchor.computeRoot(h(c.event_hashes[p.index]), proof)).to.equal(h(c.root));
          checked++;
        }
      }
      expect(checked).to.equal(VECTORS.cases.reduce((n, c) => n + c.proofs.length, 0)).and.to.be.at.least(40);
    });

    it("the one-event root is the leaf SHA-256(0x00 || e)", async function () {
      const c = VECTORS.cases.find((x) => x.event_hashes.length === 1);
      expect(h(c.root)).to.equal(ethers.sha256(ethers.concat(["0x00", h(c.event_hashes[0])])));
    });

    it("rejects a wrong event, a tampered proof, a truncated proof and the wrong block", async function () {
      const { anchor } = await loadFixture(vectorsFixture);
      const idx = VECTORS.cases.findIndex((c) => c.event_hashes.length === 13);
      const c = VECTORS.cases[idx];
      const p = c.proofs[5];
      const proof = p.proof.map(h);
      const height = idx + 1;
      expect(await anchor.verifyInclusion(height, h(c.event_hashes[p.index]), proof)).to.equal(true);
      expect(await anchor.verifyInclusion(height, h(c.event_hashes[p.index + 1]), proof)).to.equal(false);
      const tampered = [...proof];
      tampered[0] = "0x" + (BigInt(tampered[0]) ^ 1n).toString(16).padStart(64, "0");
      expect(await anchor.verifyInclusion(height, h(c.event_hashes[p.index]), tampered)).to.equal(false);
      expect(await anchor.verifyInclusion(height, h(c.event_hashes[p.index]), proof.slice(0, -1))).to.equal(false);
      expect(await anchor.verifyInclusion(height - 1, h(c.event_hashes[p.index]), proof)).to.equal(false);
      // The leaf itself is not accepted as an event hash (domain separation of leaves and nodes).
      const leaf = ethers.sha256(ethers.concat(["0x00", h(c.event_hashes[p.index])]));
      expect(await anchor.verifyInclusion(height, leaf, proof)).to.equal(false);
    });
  });

  it("anchoring costs the same gas whatever the block's number of events", async function () {
    const { anchor, s } = await loadFixture(baseFixture);
    const a = anchor.connect(s.operator);
    let prev = ZERO32;
    const gas = [];
    for (let i = 0; i < VECTORS.cases.length; i++) {
      const root = h(VECTORS.cases[i].root);
      const rc = await (await a.anchor(i + 1, root, prev)).wait();
      gas.push(rc.gasUsed);
      prev = root;
    }
    // Height 1 writes latestHeight from zero; from height 2 on (1..100 events) the cost is identical.
    expect(new Set(gas.slice(1).map(String)).size).to.equal(1);
  });
});
