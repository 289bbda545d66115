#!/usr/bin/env bash
# HTTP order benchmark (issue 3): authenticated limit orders over HTTP/1.1 keep-alive from
# an epoll load generator (plain sockets) on loopback (backend/bench/http_orders_bench.cc), each
# acknowledged only once durable, against a trivial GET (/api/v1/health) on the same
# server in the same run. The generator starts its own carbonx --demo on a temp dir.
# Prints BENCH http_hello_per_s, http_orders_per_s, http_order_p99_ms (and the ratio);
# the per-thread server CPU per request goes to stderr.
# CX_HTTP_ORDERS_SECONDS (default 5) per figure, CX_HTTP_ORDERS_CONNS (default 256: throughput at one fsync per group needs many requests in flight).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/bench/cx_http_orders_bench"
SERVER="${CARBONX_BIN:-$BUILD/app/carbonx}"
[ -x "$BIN" ] || ninja -C "$BUILD" -j1 cx_http_orders_bench >/dev/null 2>&1
[ -x "$BIN" ] || { echo "cx_http_orders_bench not built at $BIN" >&2; exit 1; }
[ -x "$SERVER" ] || { echo "carbonx not built at $SERVER" >&2; exit 1; }
"$BIN" --bin "$SERVER" --seconds "${CX_HTTP_ORDERS_SECONDS:-5}" --conns "${CX_HTTP_ORDERS_CONNS:-256}"
