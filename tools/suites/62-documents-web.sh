#!/usr/bin/env bash
# Documents in the browser (issue 7): frontend/e2e/documents.mjs in Debian's chromium
# against a real carbonx serving the built app — project documents (upload with progress,
# list, preview), an end-to-end encrypted KYC paper read by an admin in the browser and
# only ciphertext through the server, axe on the new pages. Builds the app if 60-frontend
# has not (dist/ missing or older than the sources). Prints RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
cd "$ROOT/frontend" || { echo "RESULT 0 1"; exit 1; }
pass=0; fail=0

if [ ! -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ]; then
  echo "carbonx not built at $BUILD/app/carbonx: run make build"; echo "RESULT 0 1"; exit 1
fi
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "RESULT 0 1"; exit 1; }
fi
if [ ! -f dist/index.html ] || [ -n "$(find src -newer dist/index.html -type f | head -1)" ]; then
  if npx vite build --logLevel warn; then echo "build: ok"; else echo "build: FAILED"; echo "RESULT 0 1"; exit 1; fi
fi

out="$(timeout 240 node e2e/documents.mjs 2>&1)"; rc=$?
echo "$out" | tail -25
ep=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\1/p' | tail -1)
ef=$(echo "$out" | sed -n 's/^E2E \([0-9]*\) \([0-9]*\)$/\2/p' | tail -1)
pass=$((pass + ${ep:-0})); fail=$((fail + ${ef:-1}))
if [ $rc -ne 0 ] && [ "${ef:-1}" -eq 0 ]; then fail=$((fail+1)); fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
