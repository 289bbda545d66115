#!/usr/bin/env bash
# Solidity contracts (blockchain/): installs npm deps if missing (npm ci, pinned Node 22),
# builds with the npm solc (and checks no compiler was downloaded or cached), checks the shared
# Merkle vectors are what their generator produces, lints with solhint (no errors allowed),
# runs the Hardhat mocha tests and the Solidity fuzz/invariant tests, then deploys to a fresh
# local anvil and smoke-tests the written deployment file. Last line: RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BC="$ROOT/blockchain"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
finish() { echo "RESULT $pass $fail"; [ "$fail" -eq 0 ]; exit $?; }

if ! bash "$BC/scripts/ensure-deps.sh"; then ko "npm dependencies"; finish; fi
source "$ROOT/tools/env.sh"
cd "$BC" || { ko "blockchain/ missing"; finish; }
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
TMP="$(mktemp -d)"
ANVIL_PID=""
cleanup() { [ -n "$ANVIL_PID" ] && kill "$ANVIL_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# 1. Build from scratch with an empty user cache: the compiler must come from npm's solc.
rm -rf "$BC/artifacts" "$BC/cache"
if XDG_CACHE_HOME="$TMP/xdg-cache" npx hardhat build > "$TMP/build.log" 2>&1 \
   && [ -z "$(find "$TMP/xdg-cache" -path '*compilers*' -print -quit 2>/dev/null)" ]; then
  ok "build with npm solc 0.8.28, nothing downloaded ($(grep -o 'Compiled [0-9]* Solidity files' "$TMP/build.log"))"
else
  cat "$TMP/build.log"; ko "build"
fi

# 2. Shared Merkle test vectors are up to date.
if node scripts/gen-merkle-vectors.mjs --check; then ok "docs/test-vectors/merkle.json matches its generator"; else ko "merkle vectors"; fi

# 3. solhint: no errors.
npx solhint 'contracts/**/*.sol' > "$TMP/solhint.log" 2>&1
errs=$(grep -cE '^\s+[0-9]+:[0-9]+\s+error' "$TMP/solhint.log")
if [ "$errs" -eq 0 ] && ! grep -qiE 'parse error|ParserError|no files' "$TMP/solhint.log"; then
  ok "solhint: 0 errors ($(grep -cE '^\s+[0-9]+:[0-9]+\s+warning' "$TMP/solhint.log") warnings)"
else
  grep -E 'error' "$TMP/solhint.log"; ko "solhint: $errs errors"
fi

# 4. Mocha tests (ethers) and 5. Solidity tests (fuzz + invariants), counted per test.
count() { # <log> -> "passed failed"
  local p f
  p=$(grep -E '^\s+[0-9]+ passing' "$1" | tail -1 | awk '{print $1}')
  f=$(grep -E '^\s+[0-9]+ failing' "$1" | tail -1 | awk '{print $1}')
  echo "${p:-0} ${f:-0}"
}
for kind in mocha solidity; do
  npx hardhat test "$kind" > "$TMP/$kind.log" 2>&1; rc=$?
  cat "$TMP/$kind.log" | grep -vE 'tstore|Transient|TransientSlot|^\s+\||^\s+\^|^\s+-->'
  read -r p f < <(count "$TMP/$kind.log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  pass=$((pass + p)); fail=$((fail + f))
  echo "$kind tests: $p passed, $f failed"
done

# 6. Deploy to a fresh anvil (npm @foundry-rs/anvil) and smoke-test the deployment file.
ANVIL="$(ls "$BC"/node_modules/@foundry-rs/anvil-linux-*/bin/anvil 2>/dev/null | head -1)"
PORT=$((20000 + RANDOM % 20000))
if [ -x "$ANVIL" ]; then
  "$ANVIL" --port "$PORT" --silent > "$TMP/anvil.log" 2>&1 &
  ANVIL_PID=$!
  for _ in $(seq 1 50); do
    curl -s -m 1 -X POST -H 'content-type: application/json' \
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$PORT" >/dev/null 2>&1 && break
    sleep 0.2
  done
  export LOCAL_RPC_URL="http://127.0.0.1:$PORT" DEPLOYMENTS_DIR="$TMP/deployments"
  if npx hardhat run scripts/deploy.js --network localhost > "$TMP/deploy.log" 2>&1 \
     && node -e "const d=require('$TMP/deployments/localhost.json'); if(Object.keys(d.contracts).length<9) process.exit(1); for (const c of Object.values(d.contracts)) if(!c.address||!c.abi.length) process.exit(1)"; then
    ok "deploy to anvil writes deployments/localhost.json with addresses and ABIs"
  else
    cat "$TMP/deploy.log"; ko "deploy to anvil"
  fi
  if npx hardhat run scripts/smoke-deployment.js --network localhost > "$TMP/smoke.log" 2>&1; then
    ok "$(grep 'smoke:' "$TMP/smoke.log")"
  else
    cat "$TMP/smoke.log"; ko "deployment smoke test"
  fi
  # Emergency stop: the guardian pauses all four contracts; an anchor is then refused.
  if npx hardhat run scripts/pause-all.js --network localhost > "$TMP/pause.log" 2>&1 \
     && grep -q "pause-all: 4 paused" "$TMP/pause.log" \
     && ! npx hardhat run scripts/smoke-deployment.js --network localhost > "$TMP/smoke2.log" 2>&1 \
     && grep -qE "EnforcedPause|0xd93c0665" "$TMP/smoke2.log"; then  # EnforcedPause()
    ok "pause-all: the guardian pauses registry, token, market and anchor; anchoring is then refused"
  else
    cat "$TMP/pause.log" "$TMP/smoke2.log" 2>/dev/null; ko "pause-all"
  fi
  kill "$ANVIL_PID" 2>/dev/null; wait "$ANVIL_PID" 2>/dev/null; ANVIL_PID=""
else
  ko "anvil binary from @foundry-rs/anvil not found"
fi
finish
