#!/usr/bin/env bash
# Registry-export import throughput (issue 2, importers): synthetic Verra transactions and
# Gold Standard issuances in the real formats, 200,000 rows each, parsed in memory.
# Prints:
#   BENCH import_csv_mb_per_s X MB/s        (CSV reader alone)
#   BENCH import_verra_rows_per_s X rows/s  (ParseExport, transactions -> batches + retirements)
#   BENCH import_gs_rows_per_s X rows/s     (ParseExport, Gold Standard issuances)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/importers/cx_importers_bench"
[ -x "$BIN" ] || { echo "importers bench: $BIN not built" >&2; exit 1; }
"$BIN" 200000
