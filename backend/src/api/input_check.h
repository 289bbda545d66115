// Checks for text that arrives from outside (JSON request bodies): what every text field
// must satisfy, and the two structured kinds the API takes as strings -- calendar dates
// and country codes. json_util.h's string getters apply CheckText to every string they
// return, so a handler that reads a field through them cannot skip it.
//
// Text (CheckText): valid UTF-8 and none of
//   U+0000..U+001F (C0 controls, NUL included), U+007F..U+009F (DEL, C1 controls),
//   U+2028, U+2029 (line / paragraph separators: line breaks to JavaScript),
//   U+202A..U+202E, U+2066..U+2069 (bidirectional embeddings, overrides and isolates:
//   they make a name render as another text, "Trojan Source").
// TextKind::kMultiline additionally allows '\n' and '\t' (descriptions, reasons, signed
// messages). A refusal is kInvalidField naming the field and the offending code point's
// byte offset; the text itself is not echoed.
//
// Dates (ParseIsoDate): exactly "YYYY-MM-DD" (ISO 8601 calendar date, extended format),
// a day that exists in the proleptic Gregorian calendar (leap years), year 1900..2200
// (the importers' range). Nothing else: no time, no zone, no week or ordinal dates.
//
// Countries (CheckCountry): an upper-case ISO 3166-1 alpha-2 code officially assigned
// (the 249 codes of the standard, kept in input_check.cc), plus "XK" (Kosovo: a
// user-assigned code that the EU, SWIFT and the carbon registries use).
//
// Thread-safety: pure functions.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cx::api {

enum class TextKind : uint8_t { kLine, kMultiline };

// Ok, or kInvalidField for `field` (see above).
Result<void> CheckText(std::string_view s, std::string_view field, TextKind kind = TextKind::kLine);

struct CalendarDate {
  int32_t year = 0;
  int32_t month = 0;
  int32_t day = 0;
  // Days since 1970-01-01 (negative before); orders dates.
  int64_t DaysFromEpoch() const;
  std::string ToString() const;  // "YYYY-MM-DD"
  friend bool operator==(const CalendarDate&, const CalendarDate&) = default;
};

inline constexpr int32_t kMinYear = 1900;
inline constexpr int32_t kMaxYear = 2200;

// kInvalidField for `field` unless `s` is a date as described above.
Result<CalendarDate> ParseIsoDate(std::string_view s, std::string_view field);
// Both dates valid and `first` not after `last`; an empty string is "absent" and skipped.
// The error names the field at fault (`last_field` when the order is wrong).
Result<void> CheckDateRange(std::string_view first, std::string_view first_field,
                            std::string_view last, std::string_view last_field);

bool IsCountryCode(std::string_view s);
// kInvalidField for `field` unless IsCountryCode(s).
Result<void> CheckCountry(std::string_view s, std::string_view field);
// Number of codes IsCountryCode accepts (249 + XK), for tests.
size_t CountryCodeCount();

}  // namespace cx::api
