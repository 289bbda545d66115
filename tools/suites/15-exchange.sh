#!/usr/bin/env bash
# Exchange matching core, end to end on NW-1 streams: builds nw_gen from the copy in
# backend/src/exchange/testdata/nw1, generates streams (small ones, plus the published
# seed-1 T=1k stream whose .expected must equal the committed one), and checks that
# carbonx-nw1 (the production OrderBook in matching-only mode) reproduces trades, volume,
# trade_hash and book_hash exactly. Also checks that a wrong .expected is detected.
# (The gtest unit, property and differential tests run in 10-cpp.sh through ctest.)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
DATA="$ROOT/backend/src/exchange/testdata/nw1"
NW1="$BUILD/exchange/carbonx-nw1"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cx-nw1-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
pass=0; fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ ! -x "$NW1" ]; then
  echo "carbonx-nw1 not built at $NW1"; echo "RESULT 0 1"; exit 1
fi
if ! g++ -O2 -std=c++17 -o "$WORK/nw_gen" "$DATA/nw_gen.cpp"; then
  echo "cannot build nw_gen"; echo "RESULT 0 1"; exit 1
fi

# name n_measured target seed
while read -r name n t seed; do
  "$WORK/nw_gen" "$WORK/$name.bin" "$n" "$t" "$seed" >/dev/null
  out="$("$NW1" "$WORK/$name.bin" --repeat 1 2>&1)"; rc=$?
  echo "$out" | sed "s/^/  [$name] /"
  if [ $rc -eq 0 ] && echo "$out" | grep -q '^check ok'; then ok "nw1 $name"; else bad "nw1 $name"; fi
done <<'LIST'
small_t100_s3 100000 100 3
small_t1k_s7 300000 1000 7
small_t10k_s2 200000 10000 2
LIST

# The published seed-1 T=1k stream (10 M measured ops): generator copy and results.
"$WORK/nw_gen" "$WORK/t1k.bin" 10000000 1000 1 >/dev/null
if diff -q "$WORK/t1k.bin.expected" "$DATA/seed1_T1k.expected" >/dev/null; then
  ok "nw_gen copy reproduces seed1_T1k.expected"
else
  bad "nw_gen copy reproduces seed1_T1k.expected"
fi
out="$("$NW1" "$WORK/t1k.bin" --repeat 1 --expected "$DATA/seed1_T1k.expected" 2>&1)"; rc=$?
echo "$out" | sed 's/^/  [seed1_T1k] /'
if [ $rc -eq 0 ] && echo "$out" | grep -q '^check ok'; then ok "nw1 seed1_T1k"; else bad "nw1 seed1_T1k"; fi
rm -f "$WORK/t1k.bin"

# The checker must notice a wrong result.
sed 's/^trade_hash .*/trade_hash 0123456789abcdef/' "$WORK/small_t1k_s7.bin.expected" >"$WORK/wrong.expected"
out="$("$NW1" "$WORK/small_t1k_s7.bin" --repeat 1 --expected "$WORK/wrong.expected" 2>&1)"; rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q '^check FAILED'; then ok "wrong expected is detected"; else bad "wrong expected is detected"; fi

# A bad input file is refused with a clear message and status 2.
printf 'not an nw1 file' >"$WORK/bad.bin"
"$NW1" "$WORK/bad.bin" >"$WORK/bad.out" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q 'bad header' "$WORK/bad.out"; then ok "bad file refused"; else bad "bad file refused"; fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
