#!/usr/bin/env bash
# `make run-chain`: a local chain and the exchange on it, in one command.
# Starts anvil (npm @foundry-rs/anvil) on 127.0.0.1:${ANVIL_PORT:-8545}, deploys the contracts
# (verifiers = anvil accounts 1 and 2, k = 2: the wallets the demo verifiers link by SIWE),
# writes the operator keystore (anvil account 0, the deployer and operator) into the data dir,
# and runs `carbonx serve --demo --chain` on 127.0.0.1:${PORT:-8080}. Ctrl-C stops both.
# Env: BUILD (default build), DATA (default a fresh temp dir), ANVIL_BLOCK_TIME (seconds; default
# automine), CONFIRMATIONS (default 1).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/tools/env.sh"
BUILD="${BUILD:-$ROOT/build}"
PORT="${PORT:-8080}"
ANVIL_PORT="${ANVIL_PORT:-8545}"
DATA="${DATA:-$(mktemp -d /tmp/carbonx-chain-XXXXXX)}"
BIN="$BUILD/app/carbonx"
[ -x "$BIN" ] || { echo "build carbonx first (make build): $BIN missing" >&2; exit 1; }
bash "$ROOT/blockchain/scripts/ensure-deps.sh" >/dev/null
ANVIL="$ROOT/blockchain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
# Anvil's well-known development keys (mnemonic "test test ... junk"); never use them elsewhere.
OPERATOR_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
VERIFIERS=0x70997970C51812dc3A010C7d01b50e0d17dc79C8,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC

ANVIL_ARGS=(--port "$ANVIL_PORT" --host 127.0.0.1 --silent)
[ -n "${ANVIL_BLOCK_TIME:-}" ] && ANVIL_ARGS+=(--block-time "$ANVIL_BLOCK_TIME")
"$ANVIL" "${ANVIL_ARGS[@]}" &
ANVIL_PID=$!
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; kill "$ANVIL_PID" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM
RPC="http://127.0.0.1:$ANVIL_PORT"
for _ in $(seq 100); do
  curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$RPC" >/dev/null && break
  sleep 0.1
done
echo "run-chain: anvil on $RPC; deploying contracts..."
mkdir -p "$DATA/deployments"
(cd "$ROOT/blockchain" && LOCAL_RPC_URL="$RPC" DEPLOYMENTS_DIR="$DATA/deployments" VERIFIER_ADDRESSES="$VERIFIERS" \
  VERIFIER_THRESHOLD=2 HARDHAT_DISABLE_TELEMETRY_PROMPT=true npx hardhat run scripts/deploy.js --network localhost) >"$DATA/deploy.log" 2>&1 \
  || { cat "$DATA/deploy.log"; exit 1; }
KS="$DATA/operator.keystore.json"
if [ ! -f "$KS" ]; then
  head -c 24 /dev/urandom | base64 > "$KS.password"
  "$BIN" keystore new --out "$KS" --private-key "$OPERATOR_KEY" >/dev/null
fi
echo "run-chain: contracts in $DATA/deployments/localhost.json; operator keystore $KS"
echo "run-chain: verifier wallets (import into your wallet to sign approvals): anvil accounts 1 and 2"
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --demo --chain "$RPC" --chain-keystore "$KS" \
  --chain-deployment "$DATA/deployments/localhost.json" --chain-network localhost \
  --chain-confirmations "${CONFIRMATIONS:-1}" "$@" &
SERVER_PID=$!
wait "$SERVER_PID"
