#!/usr/bin/env bash
# Runs every benchmark (tools/bench/*.sh) and prints their "BENCH <name> <value> <unit>"
# lines. Figures are compared against baselines measured in the same run.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/tools/env.sh"
export BUILD="${BUILD:-$ROOT/build}"
for b in "$ROOT"/tools/bench/*.sh; do
  [ -e "$b" ] || continue
  bash "$b" 2>&1 | grep -E '^BENCH ' || echo "bench $(basename "$b"): failed" >&2
done
