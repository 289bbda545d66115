#!/usr/bin/env bash
# ML benchmarks (issue 8): walk-forward forecast accuracy, interval coverage, volatility
# and VaR on the EUA futures series (../shared; falls back to the committed BCT series),
# and the market-abuse detectors scored by ../shared/bench/market-abuse/evaluate.sh.
# Prints BENCH lines only on stdout; progress goes to stderr.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/ml/carbonx-ml"
SHARED="${CX_SHARED:-$ROOT/../shared}"  # override to test the fallback
if [ ! -x "$BIN" ]; then
  [ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT/backend" -B "$BUILD" -G Ninja >/dev/null
  ninja -C "$BUILD" -j "${JOBS:-1}" carbonx-ml >&2 || { echo "ml bench: build failed" >&2; exit 1; }
fi
EUA="$SHARED/data/prices/eua_front_2008_2021.csv"
if [ -f "$EUA" ]; then
  args=(--csv "$EUA" --date-column datetime --price-column settle)
else
  echo "ml bench: $EUA absent, using the committed BCT series" >&2
  args=(--csv "$ROOT/ml/data/bct_daily_2021_2022.csv" --date-column date --price-column close)
fi
"$BIN" backtest "${args[@]}" --no-report | grep '^BENCH ' | grep -v '_ensemble '
rc=${PIPESTATUS[0]}
EVAL="$SHARED/bench/market-abuse/evaluate.sh"
if [ -x "$EVAL" ] || [ -f "$EVAL" ]; then
  bash "$EVAL" "$BIN detect --orders {orders} --trades {trades} --out {out} --trade-level-only" 2>/dev/null \
    | grep -E '^BENCH fraud_(wash|selftrade|spoof)_f1 |^BENCH fraud_clean_fpr '
else
  echo "ml bench: $EVAL absent, fraud figures skipped" >&2
fi
exit "$rc"
