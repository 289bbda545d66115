#!/usr/bin/env bash
# Runs every test suite (tools/suites/*.sh, in name order) and prints one summary line
# "N passed, N failed". Each suite prints "RESULT <passed> <failed>" as its last line;
# a suite that dies without it counts as one failure. Exit status 0 only if nothing failed.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
total_pass=0; total_fail=0
mkdir -p "$ROOT/build/test-logs"
for s in "$ROOT"/tools/suites/*.sh; do
  name="$(basename "$s" .sh)"
  log="$ROOT/build/test-logs/$name.log"
  start=$(date +%s)
  bash "$s" >"$log" 2>&1
  rc=$?
  line="$(grep -E '^RESULT [0-9]+ [0-9]+$' "$log" | tail -1)"
  if [ -z "$line" ]; then p=0; f=1; else p=$(echo "$line" | cut -d' ' -f2); f=$(echo "$line" | cut -d' ' -f3); fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "suite $name: $p passed, $f failed ($(( $(date +%s) - start )) s)"
  if [ "$f" -ne 0 ]; then tail -40 "$log" | sed 's/^/    /'; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
