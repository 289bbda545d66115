#!/usr/bin/env bash
# Chain integration (issue 9): backend/tests/chain/*.test.mjs (node:test) against real anvils.
# Each test file starts its own anvil (npm @foundry-rs/anvil) on a free port, deploys the
# contracts with blockchain/scripts/deploy.js, writes an operator keystore with
# `carbonx keystore new`, and runs `carbonx serve --demo --chain ...` in a temp data dir;
# everything is stopped at the end of the file. ethers (blockchain/node_modules) is the
# independent client. Flows (B1): flows, reorg, restart; proofs, venue, retirements (B2):
# their files in the same folder. Last line: RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
if [ ! -x "$BUILD/app/carbonx" ]; then echo "carbonx not built in $BUILD"; echo "RESULT 0 1"; exit 1; fi
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null || { echo "blockchain deps missing"; echo "RESULT 0 1"; exit 1; }
# Compile once up front (each deploy then reuses the artifacts).
(cd "$ROOT/blockchain" && npx hardhat build >/dev/null 2>&1) || { echo "hardhat build failed"; echo "RESULT 0 1"; exit 1; }
cd "$ROOT/backend/tests/chain" || { echo "RESULT 0 1"; exit 1; }
out="$(timeout 600 node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs 2>&1)"; rc=$?
echo "$out"
pass=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
fail=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
[ "$rc" -ne 0 ] && [ "${fail:-0}" -eq 0 ] && fail=1
echo "RESULT ${pass:-0} ${fail:-1}"
exit $rc
