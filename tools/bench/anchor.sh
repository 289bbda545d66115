#!/usr/bin/env bash
# Anchor gas (issue 9, chain proofs): a fresh anvil (npm @foundry-rs/anvil) on a free port,
# the contracts deployed with blockchain/scripts/deploy.js, then cx_anchor_bench anchors one
# journal block of 10,000 events (C++ Merkle root, JournalAnchor.anchor) and checks on chain
# that the C++ proofs verify (and a tampered one does not). Prints
#   BENCH anchor_gas_per_event <gas used / 10000> gas/event   (goal <= 10)
#   BENCH anchor_gas <gas used> gas
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
BUILD="${BUILD:-$ROOT/build}"
BENCH_BIN="$BUILD/app/cx_anchor_bench"
[ -x "$BENCH_BIN" ] || { echo "cx_anchor_bench not built in $BUILD" >&2; exit 1; }
export HARDHAT_DISABLE_TELEMETRY_PROMPT=true
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null
ANVIL="$ROOT/blockchain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
TMP="$(mktemp -d)"
"$ANVIL" --port "$PORT" --host 127.0.0.1 --silent & APID=$!
trap 'kill $APID 2>/dev/null; wait $APID 2>/dev/null; rm -rf "$TMP"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$URL" >/dev/null 2>&1 && break
  sleep 0.1
done
(cd "$ROOT/blockchain" && LOCAL_RPC_URL="$URL" DEPLOYMENTS_DIR="$TMP" npx hardhat run scripts/deploy.js --network localhost >/dev/null)
# anvil's first default account: deployer and operator (ANCHORER_ROLE) of the local deployment.
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
"$BENCH_BIN" --chain "$URL" --chain-deployment "$TMP/localhost.json" --private-key "$KEY" --events 10000
