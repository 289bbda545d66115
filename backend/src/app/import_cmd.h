// Turns parsed registry exports (importers/) into registry commands and runs them
// through the engine: projects first (stub projects for rows whose project was not in a
// projects file), then batches, then retirements and cancellations. Records seen before
// (same natural key) count as unchanged, so importing a newer export applies only the
// differences; serial overlaps are refused as double counting.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace cx::app {

struct ImportReport {
  int64_t data_rows = 0;
  int64_t parsed = 0;
  int64_t parse_rejected = 0;
  int64_t applied = 0;    // records that changed the registry
  int64_t unchanged = 0;  // already imported
  int64_t refused = 0;    // refused by registry rules (e.g. double counting)
  std::vector<std::string> messages;  // "line N: reason"
};

// Parses `path` as an export of `registry` (file kind from the file name) and applies it.
Result<ImportReport> ImportFile(engine::Engine& engine, const std::string& registry,
                                const std::string& path, bool progress_bar);

}  // namespace cx::app
