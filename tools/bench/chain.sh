#!/usr/bin/env bash
# Chain flows bench (issue 9): withdrawals to a wallet per second through the whole flow
# (REST request -> escrow journaled -> operator EIP-712 authorisation -> intent journaled ->
# eth_sendRawTransaction -> receipt -> settled) against anvil (automine, 1 confirmation), and
# in the same run the baseline: raw eth_sendRawTransaction per second on that anvil.
# Prints: BENCH chain_withdrawals_per_s <v> withdrawals/s
#         BENCH chain_raw_send_per_s <v> tx/s
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null || exit 1
exec node "$ROOT/tools/bench/chain.mjs" "$@"
