#!/usr/bin/env node
// Runs solc-js's SMTChecker (CHC engine, Z3 inside soljson) on one of our contracts and prints a
// summary: which verification targets were proved safe, which stayed unproved, which failed.
//   node scripts/smt-check.mjs <contracts/File.sol> <ContractName> [timeoutMsPerQuery]
// SMT_ENGINE=chc (default; multi-transaction, finds invariants) or bmc (bounded, one function at a
// time, loops unrolled SMT_LOOPS times). Exit status: 0 if no assertion was shown violated and
// nothing failed to compile; 1 otherwise. Overflow/underflow "happens" reports are listed but do
// not fail the run: 0.8 arithmetic is checked, so they mean "this call would revert", not corruption.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [file, contract, timeoutArg] = process.argv.slice(2);
if (!file || !contract) {
  console.error("usage: smt-check.mjs <contracts/File.sol> <ContractName> [timeoutMs]");
  process.exit(2);
}

function findImports(path) {
  for (const base of [root, join(root, "node_modules")]) {
    const p = join(base, path);
    if (existsSync(p)) return { contents: readFileSync(p, "utf8") };
  }
  return { error: `not found: ${path}` };
}

const input = {
  language: "Solidity",
  sources: { [file]: { content: readFileSync(join(root, file), "utf8") } },
  settings: {
    evmVersion: "cancun",
    outputSelection: { "*": { "*": [] } },
    modelChecker: {
      engine: process.env.SMT_ENGINE ?? "chc",
      contracts: { [file]: [contract] },
      targets: ["assert", "underflow", "overflow", "divByZero", "outOfBounds", "popEmptyArray"],
      // solc-js's Z3 cannot start the thread its per-query timeout needs: use 0 (no timeout) and
      // bound the whole run from outside (verify-contracts.sh uses `timeout`).
      timeout: Number(timeoutArg ?? 0),
      showProvedSafe: true,
      showUnproved: true,
      showUnsupported: true,
    },
  },
};
if (input.settings.modelChecker.engine !== "chc") {
  input.settings.modelChecker.bmcLoopIterations = Number(process.env.SMT_LOOPS ?? 4);
}
const started = Date.now();
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const secs = ((Date.now() - started) / 1000).toFixed(1);
let proved = 0, unproved = 0, violated = 0, reverts = 0, errors = 0;
for (const e of out.errors ?? []) {
  const msg = e.formattedMessage ?? e.message;
  if (e.severity === "error") { errors++; console.log(msg); continue; }
  if (!/SMTChecker|CHC|BMC/.test(e.message) && e.errorCode !== "9134" && e.errorCode !== "5840") continue;
  if (/proved safe|safe\b/i.test(e.message) && e.severity === "info") { proved++; console.log("PROVED   " + firstLine(msg)); }
  else if (/happens here/i.test(e.message) && /Overflow|Underflow/.test(e.message)) { reverts++; console.log("REVERTS  " + firstLine(msg)); }
  else if (/happens here|is violated/i.test(e.message) && !/might/.test(e.message)) { violated++; console.log("VIOLATED " + msg); }
  else { unproved++; console.log("UNPROVED " + firstLine(msg)); }
}
const engine = input.settings.modelChecker.engine;
console.log(`SMT ${engine} ${contract}: ${proved} proved, ${unproved} unproved, ${violated} violated, ` +
  `${reverts} checked-arithmetic reverts, ${errors} errors (${secs} s)`);
process.exit(violated || errors ? 1 : 0);

function firstLine(m) {
  const lines = m.split("\n");
  const loc = lines.find((l) => l.includes("-->")) ?? "";
  return `${lines[0]} ${loc.trim()}`;
}
