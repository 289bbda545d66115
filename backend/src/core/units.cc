#include "core/units.h"

#include <cstdlib>

namespace cx {

std::optional<int64_t> MulDiv(int64_t a, int64_t b, int64_t d, bool round_up) {
  if (d == 0) return std::nullopt;
  __int128 p = static_cast<__int128>(a) * b;
  __int128 q = p / d;
  if (round_up && (p % d) != 0 && ((p > 0) == (d > 0))) q += 1;
  if (q > INT64_MAX || q < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(q);
}

Result<int64_t> ParseDecimal(std::string_view s, int scale, std::string_view field) {
  std::string f(field);
  if (s.empty()) return Err(Code::kInvalidField, "empty number", f);
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return Err(Code::kInvalidField, "not a number", f);
  __int128 v = 0;
  int frac = -1;
  bool digits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (frac >= 0) return Err(Code::kInvalidField, "two decimal points", f);
      frac = 0;
      continue;
    }
    if (c < '0' || c > '9') return Err(Code::kInvalidField, "not a decimal number", f);
    digits = true;
    if (frac >= 0) {
      if (++frac > scale)
        return Err(Code::kInvalidField,
                   "more than " + std::to_string(scale) + " decimal places", f);
    }
    v = v * 10 + (c - '0');
    if (v > INT64_MAX) return Err(Code::kOverflow, "number too large", f);
  }
  if (!digits) return Err(Code::kInvalidField, "not a number", f);
  for (int k = frac < 0 ? 0 : frac; k < scale; ++k) {
    v *= 10;
    if (v > INT64_MAX) return Err(Code::kOverflow, "number too large", f);
  }
  return static_cast<int64_t>(neg ? -v : v);
}

std::string FormatDecimal(int64_t v, int scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<__int128>(v) : v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  std::string out = neg ? "-" : "";
  out += digits.substr(0, digits.size() - scale);
  if (scale > 0) out += "." + digits.substr(digits.size() - scale);
  return out;
}

Result<int64_t> ParseTonnesToKg(std::string_view s, std::string_view field) {
  return ParseDecimal(s, 3, field);
}

std::string FormatKgAsTonnes(int64_t kg) { return FormatDecimal(kg, 3); }

}  // namespace cx
