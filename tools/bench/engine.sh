#!/usr/bin/env bash
# NW-1 through the whole engine (issue 3): the seed-1 T=10k stream (10 M measured ops)
# replayed by cx_engine_nw1_bench through RegistryState (Decide + Apply with funded
# accounts, pre-trade locks, fees and DVP settlement), best of N passes on fresh worlds.
# Prints the program's report (refusals per code, NW-1 checksums in NW-1 ids against the
# published .expected, fragmentation, memory) and its lines
#   BENCH engine_nw1_t10k_ops_per_s            Decide + Apply
#   BENCH engine_nw1_t10k_journaled_ops_per_s  + EncodeEvent + SHA-256 chain per event
#   (+ *_cpu_* variants: same pass over thread CPU time)
# and the matching-only baseline of the same ops for the ratio.
# The stream is the one tools/bench/matching.sh caches ($BUILD/nw1, or build/nw1), used
# only if its .expected equals the published one; otherwise it is generated with nw_gen.
# Env: BUILD (default build-enginebench, configured with CX_ONLY="core;registry;exchange"
# when absent), CX_ENGINE_REPEAT (passes per figure, default 2; a pass is ~1.5 min and
# ~3.5 GB on the 2-core machine), CX_ENGINE_MAX_OPS (only the first N measured ops).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build-enginebench}"
DATA="$ROOT/backend/src/exchange/testdata/nw1"
REPEAT="${CX_ENGINE_REPEAT:-2}"
MAX_OPS="${CX_ENGINE_MAX_OPS:-0}"

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT/backend" -B "$BUILD" -G Ninja -DCX_ONLY="core;registry;exchange" >/dev/null || exit 1
fi
ninja -C "$BUILD" -j1 cx_engine_nw1_bench >/dev/null || { echo "cx_engine_nw1_bench does not build" >&2; exit 1; }
BIN="$BUILD/bench/cx_engine_nw1_bench"

stream() {  # -> path of a verified seed-1 T=10k stream
  local f
  for f in "$BUILD/nw1/nw1_T10k.bin" "$ROOT/build/nw1/nw1_T10k.bin"; do
    if [ -f "$f" ] && diff -q "$f.expected" "$DATA/seed1_T10k.expected" >/dev/null 2>&1; then
      echo "$f"; return 0
    fi
  done
  local cache="$BUILD/nw1"
  f="$cache/nw1_T10k.bin"
  mkdir -p "$cache"
  if [ ! -x "$cache/nw_gen" ] || [ "$DATA/nw_gen.cpp" -nt "$cache/nw_gen" ]; then
    g++ -O2 -std=c++17 -o "$cache/nw_gen" "$DATA/nw_gen.cpp" || return 1
  fi
  "$cache/nw_gen" "$cache/tmp_T10k.bin" 10000000 10000 1 >/dev/null || return 1
  mv "$cache/tmp_T10k.bin.expected" "$f.expected"
  mv "$cache/tmp_T10k.bin" "$f"
  diff -q "$f.expected" "$DATA/seed1_T10k.expected" >/dev/null || { echo "generated T10k differs from seed1" >&2; return 1; }
  echo "$f"
}

f=$(stream) || { echo "no NW-1 T10k stream" >&2; exit 1; }
args=("$f" --repeat "$REPEAT")
[ "$MAX_OPS" != 0 ] && args+=(--max-ops "$MAX_OPS")
"$BIN" "${args[@]}"
