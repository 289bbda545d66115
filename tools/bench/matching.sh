#!/usr/bin/env bash
# NW-1 matching benchmark: the production OrderBook (matching-only mode, -O3 build of
# carbonx-nw1) replays the seed-1 T=10k (10 M ops) and T=100k (2 M ops) streams. Streams
# are generated once with nw_gen (from backend/src/exchange/testdata/nw1) and cached under
# $BUILD/nw1/; a cached stream is used only if its .expected equals the published one.
# A figure is printed only when the replay's trades, volume, trade_hash and book_hash
# match the .expected file. Throughput: best of 5 passes (wall clock), no per-op timer.
# Latency: a separate pass timing every op with the TSC. The *_cpu_ops_per_s lines divide
# the same best pass by its thread CPU time instead: on a shared, busy machine they
# estimate what an idle core would do (they are context, not the goal figures).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
DATA="$ROOT/backend/src/exchange/testdata/nw1"
NW1="$BUILD/exchange/carbonx-nw1"
CACHE="$BUILD/nw1"
mkdir -p "$CACHE"
[ -x "$NW1" ] || { echo "carbonx-nw1 not built at $NW1" >&2; exit 1; }
PIN=()  # CX_BENCH_PIN=1 pins to the last core (helps on an idle machine, hurts on a busy one)
if [ "${CX_BENCH_PIN:-0}" = 1 ] && command -v taskset >/dev/null; then PIN=(taskset -c "$(( $(nproc) - 1 ))"); fi

stream() {  # name n_measured target -> path of a verified seed-1 stream
  local name=$1 n=$2 t=$3 f="$CACHE/nw1_$1.bin"
  if [ -f "$f" ] && diff -q "$f.expected" "$DATA/seed1_$name.expected" >/dev/null 2>&1; then
    echo "$f"; return 0
  fi
  if [ ! -x "$CACHE/nw_gen" ] || [ "$DATA/nw_gen.cpp" -nt "$CACHE/nw_gen" ]; then
    g++ -O2 -std=c++17 -o "$CACHE/nw_gen" "$DATA/nw_gen.cpp" || return 1
  fi
  "$CACHE/nw_gen" "$CACHE/tmp_$name.bin" "$n" "$t" 1 >/dev/null || return 1
  mv "$CACHE/tmp_$name.bin.expected" "$f.expected"
  mv "$CACHE/tmp_$name.bin" "$f"
  diff -q "$f.expected" "$DATA/seed1_$name.expected" >/dev/null || { echo "generated $name differs from seed1" >&2; return 1; }
  echo "$f"
}

run() {  # file args... -> output, or nothing if the check failed
  local out
  out="$("${PIN[@]}" "$NW1" "$@" 2>&1)"
  if ! echo "$out" | grep -q '^check ok'; then echo "$out" >&2; echo "nw1 check failed: $*" >&2; return 1; fi
  echo "$out"
}

if f10=$(stream T10k 10000000 10000); then
  if out=$(run "$f10" --repeat 5); then
    echo "BENCH match_nw1_t10k_ops_per_s $(echo "$out" | awk '/^throughput_ops_per_s/{print $2}') ops/s"
    echo "BENCH match_nw1_t10k_cpu_ops_per_s $(echo "$out" | awk '/^throughput_cpu_ops_per_s/{print $2}') ops/s"
  fi
  if out=$(run "$f10" --repeat 1 --latency); then
    echo "BENCH match_nw1_t10k_p99_ns $(echo "$out" | awk '/^latency_p99_ns/{print $2}') ns"
    echo "BENCH match_nw1_t10k_p999_ns $(echo "$out" | awk '/^latency_p999_ns/{print $2}') ns"
  fi
fi
if f100=$(stream T100k 2000000 100000); then
  if out=$(run "$f100" --repeat 5); then
    echo "BENCH match_nw1_t100k_ops_per_s $(echo "$out" | awk '/^throughput_ops_per_s/{print $2}') ops/s"
    echo "BENCH match_nw1_t100k_cpu_ops_per_s $(echo "$out" | awk '/^throughput_cpu_ops_per_s/{print $2}') ops/s"
  fi
fi
