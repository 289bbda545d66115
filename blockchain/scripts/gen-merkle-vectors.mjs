#!/usr/bin/env node
// Writes docs/test-vectors/merkle.json: Merkle roots and inclusion proofs per docs/formats.md,
// computed here independently of the C++ and Solidity code that the vectors check.
//   leaf(e)    = SHA-256(0x00 || e)
//   node(a, b) = SHA-256(0x01 || min(a, b) || max(a, b))   (bytewise order)
//   levels pair left to right; an odd last node is promoted unchanged; one event: root = leaf.
//   proof = sibling hashes from the leaf upward (a promoted level adds none).
// Event hashes are SHA-256("event-<i>"), i = 0 .. n-1. Usage: node gen-merkle-vectors.mjs [--check]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const sha256 = (...parts) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leaf = (e) => sha256(Buffer.from([0x00]), e);
const node = (a, b) => (Buffer.compare(a, b) <= 0 ? sha256(Buffer.from([0x01]), a, b) : sha256(Buffer.from([0x01]), b, a));

function levels(eventHashes) {
  const out = [eventHashes.map(leaf)];
  while (out[out.length - 1].length > 1) {
    const cur = out[out.length - 1];
    const next = [];
    for (let i = 0; i + 1 < cur.length; i += 2) next.push(node(cur[i], cur[i + 1]));
    if (cur.length % 2 === 1) next.push(cur[cur.length - 1]);
    out.push(next);
  }
  return out;
}

function proofFor(lv, index) {
  const proof = [];
  let i = index;
  for (let d = 0; d + 1 < lv.length; d++) {
    const sib = i ^ 1;
    if (sib < lv[d].length) proof.push(lv[d][sib]);
    i >>= 1;
  }
  return proof;
}

function verify(eventHash, proof, root) {
  let h = leaf(eventHash);
  for (const s of proof) h = node(h, s);
  return h.equals(root);
}

const hex = (b) => b.toString("hex");
const cases = [];
for (const n of [1, 2, 3, 5, 8, 13, 100]) {
  const events = Array.from({ length: n }, (_, i) => sha256(Buffer.from(`event-${i}`)));
  const lv = levels(events);
  const root = lv[lv.length - 1][0];
  const indexes = n <= 13 ? [...Array(n).keys()] : [0, 1, 37, 63, 64, 96, 98, 99];
  const proofs = indexes.map((index) => {
    const proof = proofFor(lv, index);
    if (!verify(events[index], proof, root)) throw new Error(`self-check failed n=${n} i=${index}`);
    return { index, proof: proof.map(hex) };
  });
  cases.push({ event_hashes: events.map(hex), root: hex(root), proofs });
}

const here = dirname(fileURLToPath(import.meta.url));
const target = resolve(here, "../../docs/test-vectors/merkle.json");
const text = JSON.stringify({ cases }, null, 1) + "\n";
if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== text) {
    console.error(`${target} differs from what the generator produces`);
    process.exit(1);
  }
  console.log(`${target} is up to date (${cases.length} cases)`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target} (${cases.length} cases)`);
}
