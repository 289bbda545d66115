#!/usr/bin/env bash
# Durable journal append throughput, PostgreSQL vs SQLite in the same run (issue 10).
# A throwaway PostgreSQL 15 cluster with fsync=on (honest durability; tools/pg-throwaway.sh)
# and a SQLite file (WAL, synchronous=FULL) in the same temp dir's file system take the same
# workload through Store::Append (cx_store_bench): realistic payloads (80..240 bytes; one
# event in ten a trade, whose read-model row is written in the same transaction), a block
# every 1000 events, groups of CX_PG_BENCH_GROUP events (default 5000: the engine's group
# commit under load, where a group is whatever arrived during the previous commit), every
# Append durable on return. Prints
#   BENCH pg_journal_durable_events_per_s <v> events/s       (goal >= 100,000)
#   BENCH sqlite_journal_durable_events_per_s <v> events/s   (baseline, same run)
# the commits per second of each, and the same at groups of 500 events (light load) as
# *_group500_per_s.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
EVENTS="${CX_PG_BENCH_EVENTS:-300000}"
GROUP="${CX_PG_BENCH_GROUP:-5000}"
ninja -C "$BUILD" -j1 cx_store_bench >/dev/null || { echo "cx_store_bench does not build" >&2; exit 1; }
BIN="$BUILD/store/cx_store_bench"
eval "$("$ROOT/tools/pg-throwaway.sh" start --owner-pid $$)" || exit 1
W=$(mktemp -d)
trap '"$ROOT/tools/pg-throwaway.sh" stop "$PG_DIR"; rm -rf "$W"' EXIT
PSQL=/usr/lib/postgresql/15/bin/psql
"$PSQL" "$PG_URL" -qc "ALTER SYSTEM SET wal_buffers = '16MB'" >/dev/null
[ "$(id -u)" = 0 ] && AS="runuser -u postgres --" || AS=""
$AS /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w restart >/dev/null
run() {  # group suffix
  local db="b$1"
  "$PSQL" "$PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  "$BIN" --pg "${PG_URL%/postgres}/$db" --sqlite "$W/$db.db" --events "$EVENTS" --group "$1" |
    sed "s/_durable_\(events\|commits\)_per_s /_durable_\1$2_per_s /"
}
run "$GROUP" ""
run 500 "_group500"
