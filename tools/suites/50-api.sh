#!/usr/bin/env bash
# HTTP API tests and the SIGKILL crash test, in Node (pinned 22) against a real carbonx.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
# docs.test.mjs compares CIDs with the reference JS importer kept beside the documents module.
JS="$ROOT/backend/src/documents/js"
[ -d "$JS/node_modules" ] || (cd "$JS" && npm ci --no-audit --no-fund --silent) || { echo "RESULT 0 1"; exit 1; }
cd "$ROOT/backend/tests/api" || exit 1
# ws.test.mjs uses the npm package `ws` (a WebSocket client the project did not write).
{ [ -d node_modules/ws ] && [ -d node_modules/ethers ]; } || npm ci --no-audit --no-fund --silent || { echo "RESULT 0 1"; exit 1; }
out="$(node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs 2>&1)"; rc=$?
echo "$out"
pass=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
fail=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
echo "RESULT ${pass:-0} ${fail:-1}"
exit $rc
