#!/usr/bin/env bash
# Static analysis of our C++ (issue 4: "clang-tidy and cppcheck run in make test with no
# warnings in our code"):
#  - clang-tidy with the checked-in .clang-tidy over the .cc units under backend/src and
#    ml/src in $BUILD/compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS is on in
#    backend/CMakeLists.txt), LINT_JOBS at a time (default 2); results are cached per unit
#    in $BUILD/.lint-cache keyed on the unit, its headers, its flags and the config
#    (tools/suites/lint_tidy.py), so only changed units are analysed again. Only warnings
#    located in backend/src and ml/src count. LINT_TESTS=1 adds the *_test.cc units;
#    LINT_ANALYZER=1 adds the clang-analyzer-* checks (slow: for make test-long).
#  - cppcheck over backend/src and ml/src (warning, performance, portability), with our
#    include directories only (system headers are not analysed), incremental through
#    --cppcheck-build-dir.
# A tool with any warning counts as failed. Suppressions are inline
# (`// NOLINT(check): why` / `// cppcheck-suppress id` with a reason) or in .clang-tidy.
# Last line: RESULT <passed> <failed>.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
JOBS="${LINT_JOBS:-2}"
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

if [ ! -f "$BUILD/compile_commands.json" ]; then
  cmake -S "$ROOT/backend" -B "$BUILD" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null ||
    { echo "RESULT 0 2"; exit 1; }
fi

# ---- clang-tidy
extra=()
[ "${LINT_TESTS:-0}" = 1 ] && extra+=(--tests)
[ "${LINT_ANALYZER:-0}" = 1 ] && extra+=(--analyzer)
t0=$(date +%s)
python3 "$ROOT/tools/suites/lint_tidy.py" --root "$ROOT" --build "$BUILD" \
  --cache "$BUILD/.lint-cache/tidy" --jobs "$JOBS" "${extra[@]}"
rc=$?
if [ $rc -eq 0 ]; then ok "clang-tidy: no warnings ($(( $(date +%s) - t0 ))s)"; else bad "clang-tidy (exit $rc)"; fi

# ---- cppcheck
if command -v cppcheck >/dev/null; then
  CB="$BUILD/.lint-cache/cppcheck"; mkdir -p "$CB"
  t0=$(date +%s)
  # googletest.cfg makes the *_test.cc units parse; CX_IMPORTERS_TESTDATA is set by CMake.
  out="$(cd "$ROOT" && cppcheck --quiet --std=c++20 --language=c++ --inline-suppr \
      --enable=warning,performance,portability --cppcheck-build-dir="$CB" -j "$JOBS" \
      --library=googletest,boost,openssl,sqlite3,posix \
      -I backend/src -I ml/src -D__GNUC__ -DCX_HAVE_ML -DCX_IMPORTERS_TESTDATA='"testdata"' \
      --suppress=missingIncludeSystem --suppress='*:/usr/*' \
      --suppressions-list=tools/suites/cppcheck-suppressions.txt \
      --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
      backend/src ml/src 2>&1)"
  # Only findings in our sources count (cppcheck may also name a system header).
  found="$(echo "$out" | grep -E '^(backend|ml)/src/[^:]+:[0-9]+:[0-9]+: (error|warning|performance|portability|style)' || true)"
  if [ -z "$found" ]; then
    ok "cppcheck: no warnings ($(( $(date +%s) - t0 ))s)"
  else
    echo "$found"
    bad "cppcheck: $(echo "$found" | wc -l) warnings"
  fi
  other="$(echo "$out" | grep -vE '^(backend|ml)/src/' | grep -v '^$' | head -5)"
  [ -n "$other" ] && echo "cppcheck said: $other"
else
  bad "cppcheck missing (apt-get install cppcheck; tools/deps.sh lists it)"
fi

echo "RESULT $pass $fail"
[ "$fail" -eq 0 ]
