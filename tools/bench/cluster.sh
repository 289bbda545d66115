#!/usr/bin/env bash
# Cluster benches (issue 10): orders/s straight to one node vs through nginx over two API
# nodes in the same run, and failover_seconds (SIGKILL of the leader under load -> first
# acknowledged order via the standby, default lease 3000 ms). Starts PostgreSQL, Redis,
# four carbonx nodes and nginx on loopback (backend/tests/cluster/bench.mjs).
# CX_CLUSTER_BENCH_SECONDS (5), CX_CLUSTER_BENCH_CONNS (32), CX_CLUSTER_BENCH_LEASE_MS (3000).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
[ -x "${CARBONX_BIN:-$BUILD/app/carbonx}" ] || { echo "carbonx not built in $BUILD" >&2; exit 1; }
cd "$ROOT/backend/tests/cluster" && node bench.mjs
