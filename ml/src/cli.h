// `carbonx ml ...`: the command-line face of the ML library.
//   ml backtest --csv FILE --date-column NAME --price-column NAME [--horizons 1,5,20]
//               [--models naive,drift,holt,ar,gbt] [--min-train N] [--report-dir DIR]
//               [--name NAME] [--no-report]
//   ml train    --csv FILE --date-column NAME --price-column NAME --out DIR
//   ml detect   --orders FILE --trades FILE --out FILE [--trade-level-only]
//   ml report   --csv FILE --date-column NAME --price-column NAME [--report-dir DIR]
// argv[0] is "ml". Returns a process exit code: 0 ok, 1 failure, 2 usage error.
// Output goes to stdout (tables, BENCH lines) and stderr (errors with their stable code).
#pragma once

namespace cx::ml {
int RunCli(int argc, char** argv);
}  // namespace cx::ml
