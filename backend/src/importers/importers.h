// Public API of the registry-export importers: parse one CSV export of one registry
// into normalized records (import_model.h).
//
// Contract:
// - Never throws on bad input. A bad row becomes a RowError with its physical line
//   number and a reason, and parsing goes on; counts.imported + counts.rejected ==
//   counts.data_rows. A row either yields all its records or none.
// - File-level problems are errors of the Result: unknown registry (kInvalidField,
//   field "registry"), unknown file kind (kInvalidField, "file_kind"), a kind the
//   registry does not publish (kUnsupported, "file_kind"), an empty file or a header
//   without the columns the format needs (kMissingField, field = the column name),
//   a stream read failure (kIo).
// - Deterministic: the same bytes give the same records in file order.
// - `progress` (may be empty) is called every few hundred rows and once at the end.
// Thread-safety: stateless functions; a stream must not be shared between calls.
#pragma once
#include <cstdint>
#include <functional>
#include <istream>
#include <string_view>

#include "core/result.h"
#include "importers/import_model.h"

namespace cx::importers {

struct ImportProgress {
  int64_t bytes_read = 0;
  int64_t total_bytes = -1;  // -1 when the stream cannot tell its size
  int64_t rows = 0;          // data rows seen so far
  bool done = false;
};
using ProgressFn = std::function<void(const ImportProgress&)>;

// registry: "verra", "gold-standard", "acr", "car", "art", "arb", "isometric",
// "cercarbono" (or the long names, see RegistryFromName).
// file_kind: "projects", "issuances", "retirements", "cancellations", "transactions",
// "arb-sheet" (see DetectFileKind).
Result<ImportFile> ParseExport(std::string_view registry, std::string_view file_kind,
                               std::istream& in, const ProgressFn& progress = {});

// File kind from a file name or path: "...transactions..." -> "transactions",
// "...issuance_sheet..." or "...arboc..." -> "arb-sheet", then "cancellation",
// "retirement", "issuance", "project" (singular or plural, any case).
// Unrecognized names give kInvalidField with field "file_kind".
Result<FileKind> DetectFileKind(std::string_view file_name);

// Which kinds each registry publishes (in the order of FileKind).
bool RegistryHasKind(Registry r, FileKind k);

}  // namespace cx::importers
