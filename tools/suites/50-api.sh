#!/usr/bin/env bash
# HTTP API tests and the SIGKILL crash test, in Node (pinned 22) against a real carbonx.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
cd "$ROOT/backend/tests/api" || exit 1
out="$(node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs 2>&1)"; rc=$?
echo "$out"
pass=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
fail=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
echo "RESULT ${pass:-0} ${fail:-1}"
exit $rc
