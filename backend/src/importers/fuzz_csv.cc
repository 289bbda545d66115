// libFuzzer entry point for the CSV reader and the registry-export parsers.
// Not part of the default build (see CMakeLists.txt); the fuzz configuration builds it
// with clang: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I backend/src
//   backend/src/importers/fuzz_csv.cc <cx_importers and cx_core sources>.
// The first input byte picks a registry and file kind; the rest is the file. Checks
// the contract: nothing throws, counts add up, every rejection has a line and reason.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "importers/csv_reader.h"
#include "importers/importers.h"

namespace {

struct Target {
  const char* registry;
  const char* kind;
};

constexpr Target kTargets[] = {
    {"verra", "projects"},          {"verra", "transactions"},        {"gold-standard", "projects"},
    {"gold-standard", "issuances"}, {"gold-standard", "retirements"}, {"acr", "projects"},
    {"acr", "issuances"},           {"acr", "retirements"},           {"acr", "cancellations"},
    {"car", "issuances"},           {"car", "retirements"},           {"car", "cancellations"},
    {"art", "issuances"},           {"art", "retirements"},           {"arb", "arb-sheet"},
    {"isometric", "projects"},      {"isometric", "issuances"},       {"isometric", "retirements"},
    {"cercarbono", "projects"},     {"cercarbono", "issuances"},      {"cercarbono", "retirements"},
};

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Target& t = kTargets[data[0] % (sizeof kTargets / sizeof kTargets[0])];
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  {
    std::istringstream in(text);
    cx::importers::CsvReader reader(in, 1 << 16);
    cx::importers::CsvRecord rec;
    int64_t last_line = 0;
    while (reader.Next(&rec)) {
      Check(rec.line > last_line);  // records start on strictly increasing lines
      last_line = rec.line;
    }
    Check(reader.bytes_read() <= static_cast<int64_t>(text.size()));
  }

  std::istringstream in(text);
  auto r = cx::importers::ParseExport(t.registry, t.kind, in);
  if (r.ok()) {
    const auto& c = r->counts;
    Check(c.imported + c.rejected == c.data_rows);
    Check(static_cast<int64_t>(r->errors.size()) == c.rejected);
    for (const auto& e : r->errors) Check(e.line > 0 && !e.reason.empty());
    for (const auto& b : r->batches) {
      Check(b.quantity_kg > 0);
      if (b.range) Check(b.range->start <= b.range->end);
      if (b.buffer_kg) Check(*b.buffer_kg >= 0 && *b.buffer_kg <= b.quantity_kg);
    }
  } else {
    Check(!r.error().message.empty());
  }
  return 0;
}
