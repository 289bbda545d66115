#!/usr/bin/env bash
# All C++ unit, property and integration tests (gtest through ctest).
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
cd "$BUILD" || { echo "RESULT 0 1"; exit 1; }
out="$(ctest --output-on-failure -j 2 2>&1)"; rc=$?
echo "$out"
total=$(echo "$out" | sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' | tail -1)
failed=$(echo "$out" | sed -n 's/.*tests passed, \([0-9]*\) tests failed out of.*/\1/p' | tail -1)
if [ -z "$total" ]; then echo "RESULT 0 1"; exit 1; fi
echo "RESULT $((total - failed)) $failed"
exit $rc
