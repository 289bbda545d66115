#!/usr/bin/env bash
# Redis benchmarks (issue 10): BENCH redis_fanout_msgs_per_s, BENCH redis_rate_limit_checks_per_s.
# Starts its own redis-server on a free port in a temp dir.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/app/cx_redis_bench"
[ -x "$BIN" ] || ninja -C "$BUILD" -j1 cx_redis_bench >/dev/null || { echo "cannot build cx_redis_bench" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server missing" >&2; exit 1; }
DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save "" --appendonly no --logfile "$DIR/redis.log" &
RPID=$!
trap 'kill $RPID 2>/dev/null; wait $RPID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$BIN" "$PORT"
