#!/usr/bin/env bash
# Cluster (issue 10): fenced failover on loopback -- PostgreSQL (tools/pg-throwaway.sh),
# redis-server, leader + standby + two API nodes, nginx over the API nodes
# (backend/tests/cluster/); plus the engine's replica/promote/demote/fence unit tests.
# The tests start and kill everything themselves. Takes about a minute.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
pass=0; fail=0
t=cx_engine_replica_tests
[ -x "$BUILD/engine/$t" ] || ninja -C "$BUILD" -j1 "$t" >/dev/null 2>&1
if "$BUILD/engine/$t" --gtest_brief=1; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
for bin in nginx redis-server /usr/lib/postgresql/15/bin/pg_ctl; do
  command -v "$bin" >/dev/null 2>&1 || { echo "missing $bin: run tools/deps.sh"; echo "RESULT $pass $((fail + 1))"; exit 1; }
done
cd "$ROOT/backend/tests/cluster" || exit 1
out="$(timeout 280 node --test --test-reporter=spec --test-concurrency=1 ./*.test.mjs 2>&1)"; rc=$?
echo "$out"
p=$(echo "$out" | sed -n 's/^ℹ pass \([0-9]*\)/\1/p' | tail -1)
f=$(echo "$out" | sed -n 's/^ℹ fail \([0-9]*\)/\1/p' | tail -1)
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-1}))
[ $rc -ne 0 ] && [ "${f:-1}" = 0 ] && fail=$((fail + 1))
echo "RESULT $pass $fail"
[ "$fail" = 0 ]
