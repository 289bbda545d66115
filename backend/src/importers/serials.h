// Parsers for registry serial-number formats. Each returns the block as a SerialRange
// (see import_model.h for what a serial space is) or an error saying why the text is
// not a serial block of that format. Pure functions.
#pragma once
#include <string_view>

#include "core/result.h"
#include "importers/import_model.h"

namespace cx::importers {

// Verra: "<block>-<start>-<end>-VCS-VCU-<...>", e.g.
// "19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1"
// -> space "VCS-VCU", 941467007..941467431.
Result<SerialRange> ParseVerraSerial(std::string_view s);

// APX registries (ACR, CAR, ART): "<prefix>-<start> to <end>", e.g.
// "CAR-1-US-1335-31-983-KS-2025-9205-1 to 5000" -> space "CAR-1-US-1335-31-983-KS-2025-9205".
Result<SerialRange> ParseToRangeSerial(std::string_view s);

// Gold Standard: "<prefix>-<start>-<end>", e.g. "GS1-1-KE-GS11603-16-2025-30256-110-5463"
// -> space "GS1-1-KE-GS11603-16-2025-30256", 110..5463. Also accepts the CDM-style
// range that Gold Standard prints for CERs (see ParseDashRangeSerial).
Result<SerialRange> ParseGoldStandardSerial(std::string_view s);

// CDM-style "A - B" where A and B have the same '-'-separated parts except one number,
// e.g. "RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014"
// -> space "RW-5-*-2-2-0-7014", 1463953..1467609.
Result<SerialRange> ParseDashRangeSerial(std::string_view s);

}  // namespace cx::importers
