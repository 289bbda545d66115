#!/usr/bin/env bash
# Web front end (frontend/): type check + vite build, Vitest unit tests (one of them against
# a real carbonx), and the end-to-end test in Debian's chromium via playwright-core against
# a real carbonx serving the built app. Prints RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
cd "$ROOT/frontend" || { echo "RESULT 0 1"; exit 1; }
pass=0; fail=0

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  apt-get install -y chromium >/dev/null 2>&1 || echo "chromium missing and apt-get install failed" >&2
fi
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "RESULT 0 1"; exit 1; }
fi
if [ ! -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ]; then
  echo "carbonx not built at $BUILD/app/carbonx: run make build"; echo "RESULT 0 1"; exit 1
fi

# 1. Type check and production build.
if npx tsc --noEmit && npx vite build --logLevel warn; then pass=$((pass+1)); echo "build: ok"; else fail=$((fail+1)); echo "build: FAILED"; fi

# 2. Unit tests.
# Colours off and stripped: CI has no terminal, and escape codes would hide the counts.
out="$(NO_COLOR=1 FORCE_COLOR=0 npx vitest run 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; exit "${PIPESTATUS[0]}")"; rc=$?
echo "$out" | tail -15
vp=$(echo "$out" | sed -n 's/^ *Tests *.* \([0-9][0-9]*\) passed.*/\1/p' | tail -1)
vf=$(echo "$out" | sed -n 's/^ *Tests *\([0-9][0-9]*\) failed.*/\1/p' | tail -1)
pass=$((pass + ${vp:-0})); fail=$((fail + ${vf:-0}))
if [ $rc -ne 0 ] && [ "${vf:-0}" -eq 0 ]; then fail=$((fail+1)); fi

# 3. End-to-end in chromium (needs the build from step 1).
if [ -f dist/index.html ]; then
  out="$(timeout 240 node e2e/run.mjs 2>&1)"; rc=$?
  echo "$out" | grep -v '^demo: \|^  [a-z_0-9]*: ' | tail -25
  ep=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\1/p' | tail -1)
  ef=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\2/p' | tail -1)
  pass=$((pass + ${ep:-0})); fail=$((fail + ${ef:-1}))
  if [ $rc -ne 0 ] && [ "${ef:-1}" -eq 0 ]; then fail=$((fail+1)); fi
else
  fail=$((fail+1)); echo "e2e: skipped, no build"
fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
