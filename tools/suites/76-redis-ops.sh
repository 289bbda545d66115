#!/usr/bin/env bash
# Redis and operations (issue 10): gtests of the metrics registry / Prometheus text format
# and of the Redis bus and its uses against a real redis-server (plain and TLS, started by
# the tests on free ports in temp dirs), then the node tests ops.test.mjs and
# redis.test.mjs against real carbonx processes. Needs redis-server (tools/deps.sh).
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
pass=0; fail=0
command -v redis-server >/dev/null || { echo "redis-server missing: apt-get install redis-server (tools/deps.sh)"; echo "RESULT 0 1"; exit 1; }
for t in "$BUILD/api/cx_metrics_tests" "$BUILD/app/cx_redis_tests"; do
  if [ ! -x "$t" ]; then echo "missing $t (build it)"; fail=$((fail + 1)); continue; fi
  out="$("$t" 2>&1)"; rc=$?
  echo "$out" | grep -E '^\[ +(OK|FAILED|SKIPPED) +\]|PASSED|FAILED' | head -60
  p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
  f=$(echo "$out" | grep -c '^\[  FAILED  \] [A-Za-z]')
  pass=$((pass + ${p:-0})); fail=$((fail + f))
  [ $rc -eq 0 ] || [ "$f" -gt 0 ] || fail=$((fail + 1))
done
cd "$ROOT/backend/tests/api" || { echo "RESULT $pass $((fail + 1))"; exit 1; }
{ [ -d node_modules/ws ]; } || npm ci --no-audit --no-fund --silent || { echo "RESULT $pass $((fail + 1))"; exit 1; }
out="$(node --test --test-reporter=spec --test-concurrency=1 ops.test.mjs redis.test.mjs 2>&1)"; rc=$?
echo "$out" | tail -40
p=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
f=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
[ $rc -eq 0 ] || [ "${f:-1}" -gt 0 ] || fail=$((fail + 1))
echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
