#!/usr/bin/env bash
# ML suite (issue 8): builds and runs the cx_ml unit tests, then drives the carbonx-ml
# CLI end to end on the committed BCT series (backtest, train, report, error codes) and,
# when ../shared is present, on a short simulated market (detect + the shared scorer).
# Last line: RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
SHARED="${CX_SHARED:-$ROOT/../shared}"  # override to test the fallback
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

[ -f "$BUILD/build.ninja" ] || cmake -S "$ROOT/backend" -B "$BUILD" -G Ninja >/dev/null
if ! ninja -C "$BUILD" -j "${JOBS:-1}" cx_ml_tests carbonx-ml; then
  echo "RESULT 0 1"; exit 1
fi
BIN="$BUILD/ml/carbonx-ml"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Unit tests: count gtest results.
CX_ROOT="$ROOT" "$BUILD/ml/cx_ml_tests" --gtest_brief=1 >"$tmp/gtest.log" 2>&1
cat "$tmp/gtest.log" | tail -30
p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$tmp/gtest.log" | tail -1)
f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$tmp/gtest.log" | tail -1)
pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
[ -z "$p" ] && [ -z "$f" ] && ko "cx_ml_tests produced no summary"

BCT="$ROOT/ml/data/bct_daily_2021_2022.csv"
# backtest on the committed series: exit 0, a table, BENCH lines, a report with SVG.
if "$BIN" backtest --csv "$BCT" --date-column date --price-column close --report-dir "$tmp/rep" --name bct >"$tmp/bt.log" 2>&1 \
   && grep -q '^BENCH forecast_mase_h1 ' "$tmp/bt.log" && grep -q '^ensemble ' "$tmp/bt.log" \
   && [ -s "$tmp/rep/bct_backtest.md" ] && grep -q '<svg' "$tmp/rep/bct_h5.svg"; then
  ok "cli backtest on the committed series"
else cat "$tmp/bt.log"; ko "cli backtest on the committed series"; fi
# train writes model files with metadata, and they parse back (checked by grep here,
# by ParseModelFile in the unit tests).
if "$BIN" train --csv "$BCT" --date-column date --price-column close --out "$tmp/models" >"$tmp/tr.log" 2>&1 \
   && grep -q '^meta.data_from: 2021-10-21' "$tmp/models/ar.cxm" && grep -q '^param.w.h5.naive' "$tmp/models/ensemble.cxm" && grep -q '^meta.features: lagged log returns' "$tmp/models/ar.cxm"; then
  ok "cli train writes model files with metadata"
else cat "$tmp/tr.log"; ko "cli train writes model files with metadata"; fi
if "$BIN" report --csv "$BCT" --date-column date --price-column close --report-dir "$tmp/rep" --name bct >/dev/null 2>&1 \
   && grep -q '## Forecast' "$tmp/rep/bct_report.md"; then ok "cli report"; else ko "cli report"; fi
# Errors: stable codes and exit statuses.
out=$("$BIN" backtest --csv "$BCT" --date-column date --price-column nope 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q 'REQUEST_MISSING_FIELD\|MISSING'; then ok "missing column -> error code"; else echo "$out"; ko "missing column -> error code"; fi
out=$("$BIN" backtest --csv /nonexistent.csv --date-column date --price-column close 2>&1); rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -qi 'not.*found\|NOT_FOUND'; then ok "missing file -> error code"; else echo "$out"; ko "missing file -> error code"; fi
"$BIN" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown command -> usage (2)" || ko "unknown command -> usage (2)"

# Detectors on a short simulated market, scored by the shared scorer.
SIM="$SHARED/bench/market-abuse/simulate.py"
if [ -f "$SIM" ] && command -v python3 >/dev/null; then
  python3 "$SIM" --seed 4242 --hours 1.5 --out "$tmp/ma" >/dev/null
  if "$BIN" detect --orders "$tmp/ma/orders.csv" --trades "$tmp/ma/trades.csv" --out "$tmp/ma/flags.csv" >"$tmp/d.log" 2>&1; then
    python3 "$SHARED/bench/market-abuse/score.py" "$tmp/ma" "$tmp/ma/flags.csv" >"$tmp/score.log"
    sed 's/^/  /' "$tmp/score.log"
    st=$(awk '$2=="fraud_selftrade_f1"{print $3}' "$tmp/score.log")
    sp=$(awk '$2=="fraud_spoof_f1"{print $3}' "$tmp/score.log")
    wa=$(awk '$2=="fraud_wash_f1"{print $3}' "$tmp/score.log")
    awk -v v="$st" 'BEGIN{exit !(v >= 0.98)}' && ok "detect: self-trades (F1 $st)" || ko "detect: self-trades (F1 $st)"
    awk -v v="$sp" 'BEGIN{exit !(v >= 0.7)}' && ok "detect: spoofing (F1 $sp)" || ko "detect: spoofing (F1 $sp)"
    awk -v v="$wa" 'BEGIN{exit !(v >= 0.8)}' && ok "detect: wash trading (F1 $wa)" || ko "detect: wash trading (F1 $wa)"
  else cat "$tmp/d.log"; ko "detect on a simulated market"; fi
else
  echo "skip: $SIM absent"
fi
echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
