#!/usr/bin/env bash
# Idempotent order entry (issue 10): orders with and without client_order_id, and retries
# answered from the engine's index (tools/bench/idem.mjs). CX_IDEM_BENCH_SECONDS (3), CX_IDEM_BENCH_CONC (16).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
[ -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ] || ninja -C "$BUILD" -j1 carbonx >/dev/null 2>&1
# shellcheck disable=SC1091
source "$ROOT/tools/env.sh"
BUILD="$BUILD" node "$ROOT/tools/bench/idem.mjs"
