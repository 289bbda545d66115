#!/usr/bin/env bash
# Chain JSON-RPC layer (issue 9, chain-rpc): the unit tests (parser, client retries/batching
# over a scripted transport and a real socket server, nonces, fees, TxSender, LogFollower
# against an in-memory chain) and the integration tests against real anvils (each test starts
# its own on a free port and kills it). anvil is REQUIRED here: CX_REQUIRE_ANVIL=1 turns the
# skip-when-missing of the anvil tests into failures. Last line: RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
export CX_ROOT="$ROOT" CX_REQUIRE_ANVIL=1
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null 2>&1 || echo "chain-rpc: blockchain deps could not be installed (anvil tests will fail)"
ninja -C "$BUILD" cx_chain_rpc_tests cx_chain_anvil_tests >/dev/null || { echo "chain-rpc: build failed"; echo "RESULT 0 1"; exit 1; }
pass=0; fail=0; rc=0
for t in cx_chain_rpc_tests cx_chain_anvil_tests; do
  out="$(timeout 600 "$BUILD/chain/$t" 2>&1)"; r=$?
  echo "$out" | grep -E '^\[ +(OK|FAILED|SKIPPED) +\] [A-Za-z]+\.' | grep -v ' tests\?,' 
  p=$(echo "$out" | grep -cE '^\[ +OK \] ')
  f=$(echo "$out" | grep -E '^\[ +(FAILED|SKIPPED) +\] [A-Za-z_]+\.[A-Za-z_]+ \(' | wc -l)
  if [ "$r" -ne 0 ]; then
    echo "$out" | grep -B2 -A12 'Failure' | head -80
    [ "$f" -eq 0 ] && f=1
    rc=1
  fi
  pass=$((pass + p)); fail=$((fail + f))
done
# Signing, typed data, personal_sign, ABI and keystores equal to what ethers produces, for fresh
# random keys and fields on every run (backend/src/chain/testdata/ethers_compare.test.mjs).
# shellcheck source=tools/env.sh
. "$ROOT/tools/env.sh"
if ninja -C "$BUILD" cx_chain_tool >/dev/null; then
  out="$(cd "$ROOT" && BUILD="$BUILD" timeout 600 node --test backend/src/chain/testdata/ethers_compare.test.mjs 2>&1)"; r=$?
  p=$(echo "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p'); f=$(echo "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p')
  echo "$out" | grep -E '^(not )?ok ' 
  [ "$r" -ne 0 ] && { echo "$out" | grep -A15 '^not ok' | head -60; [ "${f:-0}" -eq 0 ] && f=1; rc=1; }
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
else
  echo "chain-rpc: cx_chain_tool build failed"; fail=$((fail + 1)); rc=1
fi
echo "RESULT $pass $fail"
exit $rc
