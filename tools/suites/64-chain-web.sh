#!/usr/bin/env bash
# The chain in the browser (issue 9, front end): the wallet code (viem) against a real anvil
# with the contracts deployed (frontend/e2e/wallet-chain.mjs: verifier EIP-712 approvals
# accepted by VerificationRegistry, balances, deposit, retire, fill a listing, wrong chain
# refused), then frontend/e2e/wallet.mjs in Debian's chromium against carbonx --demo --chain
# on anvil with an injected EIP-1193 wallet (switch network, link, verifiers sign k of n,
# withdraw, confirmed, deposit back, credited, retire on chain, a notification, the on-chain
# venue, axe) -- skipped with CX_CHAIN_WEB_E2E=0. Each starts and
# stops its own anvil on a free port. Builds the app if needed.
# Prints RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
cd "$ROOT/frontend" || { echo "RESULT 0 1"; exit 1; }
pass=0; fail=0

if [ ! -d node_modules ] || [ ! -d node_modules/viem ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "RESULT 0 1"; exit 1; }
fi
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null || { echo "blockchain deps missing"; echo "RESULT 0 1"; exit 1; }

run() {  # run <name> <timeout> <script>: adds its E2E counts
  local out rc ep ef
  out="$(timeout "$2" node "$3" 2>&1)"; rc=$?
  echo "$out" | tail -40
  ep=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\1/p' | tail -1)
  ef=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\2/p' | tail -1)
  pass=$((pass + ${ep:-0})); fail=$((fail + ${ef:-1}))
  if [ $rc -ne 0 ] && [ "${ef:-1}" -eq 0 ]; then fail=$((fail+1)); fi
  echo "$1: passed ${ep:-0} failed ${ef:-1}"
}

run "wallet code on anvil" 300 e2e/wallet-chain.mjs

# The browser journey (about 90 s): carbonx --demo --chain on anvil, chromium, an injected wallet.
if [ "${CX_CHAIN_WEB_E2E:-1}" = "1" ]; then
  if [ ! -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ]; then
    echo "carbonx not built at $BUILD/app/carbonx: run make build"; echo "RESULT $pass $((fail+1))"; exit 1
  fi
  if [ ! -f dist/index.html ] || [ -n "$(find src -newer dist/index.html -type f | head -1)" ]; then
    if npx vite build --logLevel warn; then echo "build: ok"; else echo "build: FAILED"; echo "RESULT $pass $((fail+1))"; exit 1; fi
  fi
  run "wallet page in the browser" 600 e2e/wallet.mjs
fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
