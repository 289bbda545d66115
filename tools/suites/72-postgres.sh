#!/usr/bin/env bash
# PostgreSQL store (issue 10). Starts one throwaway PostgreSQL 15 cluster (tools/pg-throwaway.sh)
# and runs against it, through $CX_TEST_PG_URL:
#  - the Store contract tests, PostgreSQL variants and PostgreSQL-only tests (migrations,
#    partitions, trades read model, lease + fence, TLS verify-full / wrong CA),
#  - the engine tests on PostgreSQL (restart, snapshot + replay, verify, exchange state and
#    the trades read model),
#  - the personal-data vault tests on PostgreSQL (and two nodes sharing one key table),
#  - the EXPLAIN test: 1,000,000 journal events, no sequential scan of a large table,
#  - `carbonx verify --store URL` on the journals the engine tests left behind (all verify,
#    except the one the tamper test altered, which is reported at seq 5),
#  - TLS from the shell: psql with sslmode=verify-full against the cluster's CA connects,
#    with an unrelated CA it is refused.
# (The same C++ tests also run in 10-cpp.sh, each starting its own cluster.)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
PGBIN=/usr/lib/postgresql/15/bin
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

if ! ninja -C "$BUILD" -j1 cx_store_tests cx_engine_tests cx_pii_tests cx_store_pg_explain_tests carbonx >/dev/null; then
  echo "build failed"; echo "RESULT 0 1"; exit 1
fi
eval "$("$ROOT/tools/pg-throwaway.sh" start --fsync=off --owner-pid $$)" || { echo "RESULT 0 1"; exit 1; }
eval "$(PG_DIR='' "$ROOT/tools/pg-throwaway.sh" start --tls --fsync=off --owner-pid $$ | sed 's/^PG_/TLS_/')" || { echo "RESULT 0 1"; exit 1; }
cleanup() { "$ROOT/tools/pg-throwaway.sh" stop "$PG_DIR"; "$ROOT/tools/pg-throwaway.sh" stop "$TLS_DIR"; }
trap cleanup EXIT
export CX_TEST_PG_URL="$PG_URL"

gtest() {  # name binary filter
  local out; out="$("$2" --gtest_filter="$3" 2>&1)"; local rc=$?
  local p f
  p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" = 0 ] && [ "$p" -gt 0 ]; then ok "$1: $p tests"; pass=$((pass + p - 1))
  else bad "$1: $p passed, $f failed"; echo "$out" | grep -E "Failure|FAILED|rror" | head -20; fail=$((fail + (f > 0 ? f - 1 : 0))); fi
}
gtest "store (PostgreSQL)" "$BUILD/store/cx_store_tests" '*postgres*:Pg*:SqliteMigrations*'
gtest "engine (PostgreSQL)" "$BUILD/engine/cx_engine_tests" '*postgres*'
gtest "pii vault (PostgreSQL)" "$BUILD/app/cx_pii_tests" '*postgres*:PiiVaultPostgres*'
t0=$(date +%s)
gtest "EXPLAIN over 1M events" "$BUILD/store/cx_store_pg_explain_tests" '*'
echo "     (EXPLAIN test: $(( $(date +%s) - t0 )) s)"

# carbonx verify --store on the engine tests' journals.
dbs=$("$PGBIN/psql" "$PG_URL" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'engine_%' ORDER BY datname")
good=0; badseq=0; other=0
for db in $dbs; do
  url="${PG_URL%/postgres}/$db"
  out="$("$BUILD/app/carbonx" verify --store "$url" 2>&1)"; rc=$?
  if [ $rc = 0 ] && echo "$out" | grep -q "journal OK"; then good=$((good + 1))
  elif echo "$out" | grep -q "journal BAD at seq 5"; then badseq=$((badseq + 1))
  else other=$((other + 1)); echo "     $db: $out"; fi
done
if [ "$good" -ge 4 ] && [ "$badseq" = 1 ] && [ "$other" = 0 ]; then
  ok "carbonx verify --store: $good journals verify, the tampered one is BAD at seq 5"
else
  bad "carbonx verify --store: good=$good bad_at_5=$badseq other=$other"
fi

# TLS from the shell.
if "$PGBIN/psql" "$TLS_URL" -qAtc "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" 2>/dev/null | grep -qx t; then
  ok "psql sslmode=verify-full with the cluster's CA: encrypted session"
else
  bad "psql verify-full against the throwaway CA"
fi
wrong="${TLS_URL%sslrootcert=*}sslrootcert=$TLS_DIR/wrong-ca.crt"
if "$PGBIN/psql" "$wrong" -qAtc "SELECT 1" >/dev/null 2>&1; then bad "a wrong CA was accepted"; else ok "a wrong CA is refused"; fi

echo "RESULT $pass $fail"
[ "$fail" = 0 ]
