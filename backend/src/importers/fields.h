// Field-level parsing shared by the registry parsers: quantities, years, dates,
// yes/no flags and the removal/nature classification inferred from free text.
// Pure functions, no I/O, no locale: the same input always gives the same output.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/result.h"
#include "importers/import_model.h"

namespace cx::importers {

// Strips ASCII whitespace (and a non-breaking space, U+00A0) at both ends.
std::string_view Trim(std::string_view s);
// Lower-case ASCII, runs of whitespace collapsed to one space, trimmed. Used to match
// column names across registries' spelling ("Status Effective  (GMT)").
std::string NormalizeHeader(std::string_view s);
std::string AsciiLower(std::string_view s);

// A non-negative decimal quantity scaled by 10^pow10 and rounded to the nearest
// integer (halves away from zero). Accepts thousands separators between digit groups
// ("1,454,054"), a fraction ("79565.0", "2710.062"), and an exponent ("1.5e3").
// Refuses empty text, signs other than '+', '-0'-style negatives, junk and overflow.
// pow10 = 3 turns tonnes into kg; pow10 = 0 reads kg.
Result<int64_t> ParseScaledQuantity(std::string_view s, int pow10, std::string_view field);
inline Result<int64_t> ParseTonnesKg(std::string_view s, std::string_view field) {
  return ParseScaledQuantity(s, 3, field);
}

// "2024" or "2024.0" -> 2024, within 1900..2200.
Result<int32_t> ParseYear(std::string_view s, std::string_view field);

// ISO date "YYYY-MM-DD" from "2026-04-03", "2026-04-13T12:35:58.84Z",
// "2022-02-24 20:20:59", "3/24/2026 9:08:01 PM", "03/19/2026" (US month/day order).
// Checks the calendar (leap years). Empty text is an error.
Result<std::string> ParseDate(std::string_view s, std::string_view field);
// Same, but empty text gives an empty string.
Result<std::string> ParseOptionalDate(std::string_view s, std::string_view field);

// "Yes"/"Y"/"True"/"1" -> kYes; "No"/"N"/"False"/"0"/"Not Applicable" -> kNo;
// anything else (including empty) -> kUnknown.
Tri ParseYesNo(std::string_view s);

// Classification from free text (project type, methodology, activities, pathway).
// Whole-word keyword matching, case-insensitive. Removal when only removal activities
// are named (afforestation, reforestation, ARR, biochar, DAC, weathering, ...),
// reduction when only reduction activities are named (REDD, energy, methane, ODS, ...),
// unknown when both or neither (e.g. IFM, soil, wetlands mix removals and reductions).
RemovalOrReduction InferMitigation(std::initializer_list<std::string_view> texts);
// Nature for forestry/AFOLU/REDD/ARR/soil/blue carbon/agriculture land, technical for
// engineered activities (energy, methane destruction, ODS, DAC, biochar, ...).
NatureOrTechnical InferNature(std::initializer_list<std::string_view> texts);

}  // namespace cx::importers
