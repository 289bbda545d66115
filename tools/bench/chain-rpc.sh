#!/usr/bin/env bash
# Chain JSON-RPC client against a real anvil (issue 9, chain-rpc): rpc_calls_per_s single vs
# batched, block headers single vs batched, TxSender prepare+send+confirm, follower logs/s.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
export CX_ROOT="$ROOT"
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null 2>&1 || true
ninja -C "$BUILD" cx_chain_rpc_bench >/dev/null || exit 1
"$BUILD/chain/cx_chain_rpc_bench" "${BENCH_SECONDS:-2}"
