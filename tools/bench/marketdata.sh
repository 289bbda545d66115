#!/usr/bin/env bash
# Market-data figures (issue 3): 1,000,000 synthetic trades through every aggregation of
# backend/src/marketdata (per-instrument candles 1m/5m/1h/1d, 24 h stats, VWAP windows,
# session VWAP, recent trades, and the category indices), best of 3 passes; and 1,000,000
# L2 level updates through DepthBook with a DepthClient applying each delta; and the same
# trades through MarketDataFeed (aggregations + the JSON message of every channel, ~8.5
# messages per trade) as *_feed_*.
# *_cpu_* figures divide by the pass's thread CPU time (per core; on a shared, busy
# machine they estimate an idle core). Prints nothing unless the run's own checks pass.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" -j1 cx_marketdata_bench >/dev/null || { echo "cannot build cx_marketdata_bench in $BUILD" >&2; exit 1; }
out="$("$BUILD/marketdata/cx_marketdata_bench" --trades 1000000 --repeat 3)" || { echo "$out" >&2; exit 1; }
echo "$out" | grep -q '^check ok' || { echo "$out" >&2; echo "marketdata bench check failed" >&2; exit 1; }
v() { echo "$out" | awk -v k="$1" '$1==k{print $2}'; }
echo "BENCH marketdata_trades_per_s $(v trades_per_s) trades/s"
echo "BENCH marketdata_cpu_trades_per_s $(v cpu_trades_per_s) trades/s"
echo "BENCH marketdata_cpu_ns_per_trade $(v cpu_ns_per_trade) ns"
echo "BENCH marketdata_feed_trades_per_s $(v feed_trades_per_s) trades/s"
echo "BENCH marketdata_cpu_feed_trades_per_s $(v cpu_feed_trades_per_s) trades/s"
echo "BENCH marketdata_depth_updates_per_s $(v depth_updates_per_s) updates/s"
echo "BENCH marketdata_cpu_depth_updates_per_s $(v cpu_depth_updates_per_s) updates/s"
