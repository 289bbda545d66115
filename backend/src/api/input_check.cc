#include "api/input_check.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace cx::api {

namespace {

std::string F(std::string_view s) { return std::string(s); }

// Decodes one UTF-8 sequence at s[i]; returns its length and sets *cp, or 0 when the
// bytes are not well-formed UTF-8 (overlong forms, surrogates and > U+10FFFF included).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  uint8_t c0 = b(0);
  if (c0 < 0x80) {
    *cp = c0;
    return 1;
  }
  if (c0 >= 0xC2 && c0 <= 0xDF && cont(1)) {
    *cp = ((c0 & 0x1Fu) << 6) | (b(1) & 0x3Fu);
    return 2;
  }
  if (c0 >= 0xE0 && c0 <= 0xEF && cont(1) && cont(2)) {
    uint32_t v = ((c0 & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return 3;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    uint32_t v = ((c0 & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6) | (b(3) & 0x3Fu);
    if (v < 0x10000 || v > 0x10FFFF) return 0;
    *cp = v;
    return 4;
  }
  return 0;
}

bool Forbidden(uint32_t cp, TextKind kind) {
  if (cp < 0x20) return !(kind == TextKind::kMultiline && (cp == '\n' || cp == '\t'));
  if (cp >= 0x7F && cp <= 0x9F) return true;
  if (cp == 0x2028 || cp == 0x2029) return true;
  if (cp >= 0x202A && cp <= 0x202E) return true;
  return cp >= 0x2066 && cp <= 0x2069;
}

std::string CodePoint(uint32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "U+";
  int digits = cp > 0xFFFF ? 6 : 4;
  for (int k = digits - 1; k >= 0; --k) out += kHex[(cp >> (4 * k)) & 0xF];
  return out;
}

bool IsLeap(int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int32_t DaysIn(int32_t y, int32_t m) {
  static constexpr std::array<int32_t, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

// ISO 3166-1 alpha-2, every officially assigned code (ISO 3166 Maintenance Agency; 249
// codes), sorted, plus the user-assigned XK (Kosovo) in its sorted place.
constexpr std::array<std::string_view, 250> kCountries = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW"};
static_assert(std::is_sorted(kCountries.begin(), kCountries.end()) &&
                  std::none_of(kCountries.begin(), kCountries.end(), [](std::string_view c) { return c.size() != 2; }),
              "kCountries must be sorted two-letter codes (binary search)");

}  // namespace

Result<void> CheckText(std::string_view s, std::string_view field, TextKind kind) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0)
      return Err(Code::kInvalidField, "'" + F(field) + "' is not valid UTF-8 (byte " + std::to_string(i) + ")", F(field));
    if (Forbidden(cp, kind)) {
      std::string what = kind == TextKind::kMultiline ? "control characters other than line feed and tab"
                                                       : "control characters or line breaks";
      return Err(Code::kInvalidField,
                 "'" + F(field) + "' must not contain " + what + " (" + CodePoint(cp) + " at byte " + std::to_string(i) + ")",
                 F(field));
    }
    i += n;
  }
  return Ok();
}

int64_t CalendarDate::DaysFromEpoch() const {
  // Howard Hinnant's days_from_civil.
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string CalendarDate::ToString() const {
  std::string out(10, '0');
  auto put = [&](size_t at, int32_t v, int width) {
    for (int k = width - 1; k >= 0; --k, v /= 10) out[at + static_cast<size_t>(k)] = static_cast<char>('0' + v % 10);
  };
  put(0, year, 4);
  out[4] = '-';
  put(5, month, 2);
  out[7] = '-';
  put(8, day, 2);
  return out;
}

Result<CalendarDate> ParseIsoDate(std::string_view s, std::string_view field) {
  auto bad = [&](std::string_view why) {
    return Err(Code::kInvalidField, "'" + F(field) + "' must be a date YYYY-MM-DD" + F(why), F(field));
  };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad("");
  auto num = [&](size_t at, size_t len, int32_t* out) {
    int32_t v = 0;
    for (size_t k = at; k < at + len; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      v = v * 10 + (s[k] - '0');
    }
    *out = v;
    return true;
  };
  CalendarDate d;
  if (!num(0, 4, &d.year) || !num(5, 2, &d.month) || !num(8, 2, &d.day)) return bad("");
  if (d.year < kMinYear || d.year > kMaxYear)
    return bad(" with a year from " + std::to_string(kMinYear) + " to " + std::to_string(kMaxYear));
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > DaysIn(d.year, d.month))
    return bad(" that exists (no such day)");
  return d;
}

Result<void> CheckDateRange(std::string_view first, std::string_view first_field, std::string_view last,
                            std::string_view last_field) {
  std::optional<CalendarDate> a, b;
  if (!first.empty()) {
    CX_ASSIGN_OR_RETURN(a, ParseIsoDate(first, first_field));
  }
  if (!last.empty()) {
    CX_ASSIGN_OR_RETURN(b, ParseIsoDate(last, last_field));
  }
  if (a && b && b->DaysFromEpoch() < a->DaysFromEpoch())
    return Err(Code::kInvalidField, "'" + F(last_field) + "' must not be before '" + F(first_field) + "'", F(last_field));
  return Ok();
}

bool IsCountryCode(std::string_view s) {
  return s.size() == 2 && std::binary_search(kCountries.begin(), kCountries.end(), s);
}

Result<void> CheckCountry(std::string_view s, std::string_view field) {
  if (IsCountryCode(s)) return Ok();
  return Err(Code::kInvalidField, "'" + F(field) + "' must be an ISO 3166-1 alpha-2 country code such as \"BR\"", F(field));
}

size_t CountryCodeCount() { return kCountries.size(); }

}  // namespace cx::api
