#!/usr/bin/env bash
# FIX 4.4 gateway (issue 11): backend/tests/fix/fix.test.mjs starts a real
# `carbonx serve --demo --fix-config ... --fix-listen ...` and drives it with cx_fix_client,
# a QuickFIX initiator built against Debian's libquickfix (the counterparty a client would
# run): logon with API keys, trading between two sessions with the execution reports both
# sides expect, session rejects for bad messages (and no order created by them), resend of
# what a dropped session missed, drop copy, cancel on disconnect, market data snapshot and
# incremental refresh, security list, and a restart of carbonx keeping sequence numbers.
# Skipped (RESULT 0 1) when the gateway is not built (libquickfix-dev missing: tools/deps.sh).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
[ -x "$BUILD/fix/cx_fix_client" ] || ninja -C "$BUILD" -j1 cx_fix_client >/dev/null 2>&1
if [ ! -x "$BUILD/fix/cx_fix_client" ] || [ ! -x "$BUILD/app/carbonx" ]; then
  echo "FAIL cx_fix_client or carbonx not built in $BUILD (libquickfix-dev installed? tools/deps.sh)"
  echo "RESULT 0 1"; exit 1
fi
cd "$ROOT/backend/tests/fix" || exit 1
out="$(node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs 2>&1)"; rc=$?
echo "$out"
pass=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
fail=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
# The client's own checks count too (one node test runs dozens of them).
cp=$(echo "$out" | grep -c '^PASS ')
cf=$(echo "$out" | grep -c '^FAIL ')
echo "RESULT $(( ${pass:-0} + cp )) $(( ${fail:-1} + cf ))"
exit $rc
