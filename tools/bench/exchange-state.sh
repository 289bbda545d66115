#!/usr/bin/env bash
# Order-book snapshot cost (exchange-state): a book of 102,000 live orders (100,000
# resting on 20,000 levels, a tenth icebergs or GTT, plus 2,000 stops) exported with
# OrderBook::ExportState, encoded and decoded with the canonical codec, and imported into
# a new book with OrderBook::ImportState (validation included); also the encoded size per
# order. The figures come from the gtest BookState.LargeBookRoundTripAndCost, which prints
# them only after checking that the imported book exports the same state and expires the
# same orders. One run, wall clock (single-threaded).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" -j1 cx_exchange_tests >/dev/null || { echo "cannot build cx_exchange_tests in $BUILD" >&2; exit 1; }
out="$("$BUILD/exchange/cx_exchange_tests" --gtest_filter='BookState.LargeBookRoundTripAndCost' 2>&1)"
rc=$?
if [ $rc -ne 0 ] || ! echo "$out" | grep -q '^\[  PASSED  \] 1 test'; then
  echo "$out" >&2; echo "book state round trip failed" >&2; exit 1
fi
echo "$out" | grep '^BENCH '
