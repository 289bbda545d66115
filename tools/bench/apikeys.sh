#!/usr/bin/env bash
# API keys (issue 4): signed requests per second over HTTP against bearer tokens on the same
# server (tools/bench/apikeys.mjs); the pure signature check is in siwe.sh
# (api_key_verify_per_s). CX_APIKEY_BENCH_SECONDS (default 3) per figure.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
[ -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ] || ninja -C "$BUILD" -j1 carbonx >/dev/null 2>&1
# shellcheck disable=SC1091
source "$ROOT/tools/env.sh"
BUILD="$BUILD" node "$ROOT/tools/bench/apikeys.mjs"
