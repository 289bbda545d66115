#!/usr/bin/env bash
# Call-auction figures (backend/src/exchange/auction.h): wall time of one Uncross (price,
# allocation, fills) and one Indicative (price only) over random books of 1,000, 10,000
# and 100,000 orders, best of 5 passes. Prints nothing unless the run's own checks pass.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" -j1 cx_auction_bench >/dev/null || { echo "cannot build cx_auction_bench in $BUILD" >&2; exit 1; }
out="$("$BUILD/exchange/cx_auction_bench" --repeat 5)" || { echo "$out" >&2; exit 1; }
echo "$out" | grep -q '^check ok' || { echo "$out" >&2; echo "auction bench check failed" >&2; exit 1; }
v() { echo "$out" | awk -v k="$1" '$1==k{print $2}'; }
for n in 1000 10000 100000; do
  echo "BENCH auction_uncross_${n}_orders_us $(v uncross_${n}_us) us"
  echo "BENCH auction_indicative_${n}_orders_us $(v indicative_${n}_us) us"
done
echo "BENCH auction_uncross_ns_per_order_100k $(v uncross_100000_ns_per_order) ns"
