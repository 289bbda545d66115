#!/usr/bin/env bash
# Security primitives (issue 4). The C++ unit tests (cx_auth_sec_tests: TOTP, SIWE,
# API keys, rate limits, webhooks) run in 10-cpp.sh through ctest; this suite adds:
#  - the SIWE vectors in backend/src/auth/testdata are what ethers (pinned in its
#    package-lock.json, run on the pinned Node 22) produces today: regenerated and compared;
#  - the SIWE parser, API-key/webhook signature and JSON request decoding fuzz targets run
#    for a few seconds each (clang + libFuzzer, ASan/UBSan; FUZZ_SMOKE_SECONDS, default 5);
#  - the benchmark binary's self-check (a freshly signed SIWE message verifies).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
FB="${BUILD_FUZZ_AUTH:-$ROOT/build-fuzz-auth}"
SECS="${FUZZ_SMOKE_SECONDS:-5}"
source "$ROOT/tools/env.sh"
TD="$ROOT/backend/src/auth/testdata"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

case "$(node --version)" in v22.*) ok "node $(node --version)";; *) bad "node is $(node --version), want the pinned 22";; esac
if [ ! -d "$TD/node_modules/ethers" ] || [ "$TD/package-lock.json" -nt "$TD/node_modules/.package-lock.json" ]; then
  (cd "$TD" && npm ci --no-audit --no-fund --silent) || bad "npm ci in $TD"
fi
if (cd "$TD" && node gen_siwe_vectors.mjs > /tmp/cx-siwe-vectors.$$ 2>&1) &&
   cmp -s /tmp/cx-siwe-vectors.$$ "$TD/siwe_vectors.txt"; then
  ok "ethers $(node -p "require('$TD/node_modules/ethers/package.json').version") reproduces siwe_vectors.txt"
else
  bad "siwe_vectors.txt differs from what ethers produces now"; diff /tmp/cx-siwe-vectors.$$ "$TD/siwe_vectors.txt" | head -5
fi
rm -f /tmp/cx-siwe-vectors.$$

if ninja -C "$BUILD" cx_siwe_bench >/dev/null && "$BUILD/auth/cx_siwe_bench" 0.2; then
  ok "cx_siwe_bench self-check"
else
  bad "cx_siwe_bench"
fi

if command -v clang++ >/dev/null; then
  FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1"
  if cmake -S "$ROOT/backend" -B "$FB" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
       -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_C_FLAGS="$FLAGS" \
       -DCX_ONLY="core;auth;api" >/dev/null &&
     ninja -C "$FB" -j "${JOBS:-2}" cx_siwe_fuzz cx_api_key_fuzz cx_json_request_fuzz >/dev/null; then
    ok "fuzz targets built"
    C="$FB/corpus"; mkdir -p "$C/siwe" "$C/api_key" "$C/json_request" "$FB/crashes"
    python3 - "$TD/siwe_vectors.txt" "$C/siwe" <<'PY'
import sys
for i, line in enumerate(open(sys.argv[1])):
    name, _, msg, sig = line.rstrip("\n").split("\t")
    open(f"{sys.argv[2]}/seed{i}", "wb").write(bytes.fromhex(msg) + b"\0" + sig.encode())
PY
    cp "$TD/fuzz_api_key_seed.txt" "$C/api_key/seed0"
    cp "$ROOT"/backend/src/api/testdata/json_requests/*.json "$C/json_request/"
    for t in siwe api_key json_request; do
      bin="$FB/auth/cx_${t}_fuzz"; [ "$t" = json_request ] && bin="$FB/api/cx_${t}_fuzz"
      if "$bin" -max_total_time="$SECS" -artifact_prefix="$FB/crashes/$t-" \
           "$C/$t" >"$FB/fuzz-$t.log" 2>&1; then
        ok "cx_${t}_fuzz ${SECS}s: $(grep -o 'Done [0-9]* runs' "$FB/fuzz-$t.log")"
      else
        bad "cx_${t}_fuzz found a crash"; tail -30 "$FB/fuzz-$t.log"
      fi
    done
  else
    bad "fuzz targets did not build"
  fi
else
  bad "clang++ missing (tools/deps.sh installs it)"
fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
