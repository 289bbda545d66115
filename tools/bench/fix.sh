#!/usr/bin/env bash
# FIX order entry benchmark (issue 11): one FIX 4.4 session (QuickFIX initiator
# cx_fix_client, phase "bench") sends CX_FIX_ORDERS (default 2000) resting limit orders
# with CX_FIX_WINDOW (default 50) in flight to a fresh `carbonx serve --demo`; an order
# counts when its ExecutionReport New arrives, i.e. after the journal commit.
# Prints BENCH fix_orders_per_s and fix_order_p99_ms, then http_orders_per_s (and
# http_order_p99_ms) from the HTTP order benchmark in the same run, for comparison
# (CX_HTTP_ORDERS_SECONDS defaults to 3 here).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
SERVER="${CARBONX_BIN:-$BUILD/app/carbonx}"
CLIENT="$BUILD/fix/cx_fix_client"
[ -x "$CLIENT" ] || ninja -C "$BUILD" -j1 cx_fix_client >/dev/null 2>&1
[ -x "$CLIENT" ] && [ -x "$SERVER" ] || { echo "carbonx / cx_fix_client not built in $BUILD" >&2; exit 1; }
DATA="$(mktemp -d /tmp/cx-fixbench-XXXXXX)"; WORK="$(mktemp -d /tmp/cx-fixbench-client-XXXXXX)"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'; }
FIXPORT=$(free_port); HTTPPORT=$(free_port)
cat > "$DATA/fix.cfg" <<CFG
[DEFAULT]
SenderCompID=CARBONX
[SESSION]
BeginString=FIX.4.4
TargetCompID=BENCH
CFG
"$SERVER" serve --data "$DATA" --listen "127.0.0.1:$HTTPPORT" --demo --rate-limit-user 0 --rate-limit-ip 0 \
  --rate-limit-auth 0 --mfa-required-roles none --fix-config "$DATA/fix.cfg" --fix-listen "127.0.0.1:$FIXPORT" \
  > "$DATA/server.log" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$DATA" "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 600); do grep -q "serving http" "$DATA/server.log" 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$HTTPPORT"
TOKEN=$(curl -sf "$URL/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"buyer@carbonx.demo","password":"demo-buyer-2026"}' | jq -r .access_token)
KEY=$(curl -sf "$URL/api/v1/auth/api-keys" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"label":"fix bench","scopes":["read","trade"]}' | jq -r '.id + ":" + .secret')
SYMBOL=$(curl -sf "$URL/api/v1/instruments/1" | jq -r .symbol)
[ -n "$KEY" ] && [ "$KEY" != ":" ] || { echo "fix bench: no API key" >&2; cat "$DATA/server.log" >&2; exit 1; }
"$CLIENT" --phase bench --port "$FIXPORT" --dir "$WORK" --symbol "$SYMBOL" --buyer "$KEY" --seller "$KEY" \
  --orders "${CX_FIX_ORDERS:-2000}" --window "${CX_FIX_WINDOW:-50}" | tee "$WORK/out" | grep -v '^BENCH' >&2
grep '^BENCH' "$WORK/out"
grep -q '^CLIENT_RESULT [0-9]* 0$' "$WORK/out" || { echo "fix bench: client checks failed" >&2; exit 1; }
kill "$PID"; wait "$PID" 2>/dev/null
# HTTP orders in the same run (backend/bench/http_orders_bench.cc starts its own carbonx,
# with the second factor required of its demo admin lifted, as the other benches do).
HB="$BUILD/bench/cx_http_orders_bench"
[ -x "$HB" ] || ninja -C "$BUILD" -j1 cx_http_orders_bench >/dev/null 2>&1
if [ -x "$HB" ]; then
  "$HB" --bin "$SERVER" --seconds "${CX_HTTP_ORDERS_SECONDS:-3}" --conns "${CX_HTTP_ORDERS_CONNS:-256}" \
    > "$WORK/http.out" 2>&1
  grep -E '^BENCH http_order(s_per_s|_p99_ms)' "$WORK/http.out" ||
    { echo "fix bench: no HTTP figure from $HB:" >&2; tail -3 "$WORK/http.out" >&2; }
fi
