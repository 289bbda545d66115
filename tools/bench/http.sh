#!/usr/bin/env bash
# HTTP edge and auth benchmarks (backend/src/api/http_bench.cc): keep-alive request rate
# with and without JWT + role check, HS256 verify rate, argon2id login rate.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/api/cx_http_bench"
[ -x "$BIN" ] || ninja -C "$BUILD" -j1 cx_http_bench >/dev/null 2>&1
[ -x "$BIN" ] || { echo "cx_http_bench not built at $BIN" >&2; exit 1; }
"$BIN" "${CX_HTTP_BENCH_MS:-2000}"
