#!/usr/bin/env bash
# KYC and payments (issue 4): signed payment webhooks per second and the median time of a
# KYC submission screened against a 20,000-name sanctions list, over HTTP on a real server
# (tools/bench/kyc.mjs). CX_KYC_BENCH_SECONDS (default 3), CX_KYC_BENCH_NAMES (20000).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
[ -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ] || ninja -C "$BUILD" -j1 carbonx >/dev/null 2>&1
# shellcheck disable=SC1091
source "$ROOT/tools/env.sh"
BUILD="$BUILD" node "$ROOT/tools/bench/kyc.mjs"
