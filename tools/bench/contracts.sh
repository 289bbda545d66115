#!/usr/bin/env bash
# Gas of the contracts' main calls: BENCH gas_<contract>_<function> <gas> gas
# (retire, deposit, withdraw, fill listing, verify with k signatures, anchor, and a few more).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$ROOT/blockchain/scripts/ensure-deps.sh"
source "$ROOT/tools/env.sh"
cd "$ROOT/blockchain"
HARDHAT_DISABLE_TELEMETRY_PROMPT=true npx hardhat run scripts/bench-gas.js 2>&1 | grep -E '^BENCH '
