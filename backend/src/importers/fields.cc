#include "importers/fields.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace cx::importers {
namespace {

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

Error FieldError(std::string_view field, std::string msg) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::move(msg), std::string(field));
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 60));
  if (s.size() > 60) out += "...";
  out += "\"";
  return out;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && LeapYear(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

// Reads 1..max_digits digits at s[*i]; returns -1 when there are none.
int ReadInt(std::string_view s, size_t* i, int max_digits) {
  int v = 0, n = 0;
  while (*i < s.size() && IsDigit(s[*i]) && n < max_digits) {
    v = v * 10 + (s[*i] - '0');
    ++*i;
    ++n;
  }
  if (n == 0 || (*i < s.size() && IsDigit(s[*i]))) return -1;
  return v;
}

std::string FormatIso(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool HasWord(std::string_view hay, std::string_view word) {
  for (size_t p = hay.find(word); p != std::string_view::npos; p = hay.find(word, p + 1)) {
    bool left = p == 0 || !IsAlnum(hay[p - 1]);
    size_t e = p + word.size();
    bool right = e >= hay.size() || !IsAlnum(hay[e]);
    if (left && right) return true;
  }
  return false;
}

template <size_t N>
bool AnyWord(std::string_view hay, const std::string_view (&words)[N]) {
  for (auto w : words)
    if (HasWord(hay, w)) return true;
  return false;
}

std::string Joined(std::initializer_list<std::string_view> texts) {
  std::string all;
  for (auto t : texts) {
    all += AsciiLower(t);
    all += " | ";
  }
  // Registries write the same activity with '_' or '-' ("direct_air_capture").
  for (char& c : all)
    if (c == '_') c = ' ';
  return all;
}

constexpr std::string_view kRemovalWords[] = {
    "afforestation", "reforestation", "a/r", "arr", "ar", "biochar", "direct air capture", "dac",
    "weathering", "carbon removal", "carbon removals", "carbon dioxide removals",
    "carbon dioxide removal", "removal", "removals", "bio-oil",
    "biomass carbon removal and storage", "geological storage", "mineralization", "mineralisation",
    "alkalinity", "subsurface biomass", "revegetation", "tree planting", "beccs", "enhanced rock",
    // Verra ARR methodology codes.
    "vm0047", "ar-acm0003", "ar-ams0007", "ar-am0014"};

constexpr std::string_view kReductionWords[] = {
    "redd", "redd+", "avoided", "avoidance", "ods", "ozone", "methane", "landfill", "livestock",
    "coal mine", "mine methane", "mmc", "energy", "wind", "solar", "pv", "hydro", "biogas",
    "cookstove", "cookstoves", "cook stove", "cook stoves", "cooking", "efficiency", "transport",
    "nitric acid", "adipic", "n2o", "industrial", "waste", "fuel switch", "lighting",
    "manufacturing", "geothermal", "orphan", "plugging", "emission reduction",
    "emission reductions", "emissions reduction", "reduction", "reductions", "water filters",
    "electricity", "renewable", "grid-connected", "hfc", "sf6", "fugitive", "rice", "deforestation",
    "degradation",
    // Verra REDD methodologies (transactions rows name only the code).
    "vm0006", "vm0007", "vm0009", "vm0015", "vm0037", "vm0048"};

constexpr std::string_view kNatureWords[] = {"forest",
                                             "forests",
                                             "forestry",
                                             "afolu",
                                             "land use",
                                             "redd",
                                             "redd+",
                                             "arr",
                                             "a/r",
                                             "ar",
                                             "afforestation",
                                             "reforestation",
                                             "ifm",
                                             "improved forest management",
                                             "soil",
                                             "grassland",
                                             "grasslands",
                                             "mangrove",
                                             "mangroves",
                                             "wetland",
                                             "wetlands",
                                             "wrc",
                                             "blue carbon",
                                             "seagrass",
                                             "peat",
                                             "peatland",
                                             "alm",
                                             "rice",
                                             "agroforestry",
                                             "agricultural land",
                                             "grazing",
                                             "trees",
                                             "revegetation",
                                             "tree planting",
                                             "deforestation",
                                             "cropland",
                                             "sustainable agriculture"};

constexpr std::string_view kTechnicalWords[] = {"energy",
                                                "wind",
                                                "solar",
                                                "pv",
                                                "hydro",
                                                "biogas",
                                                "geothermal",
                                                "ods",
                                                "ozone",
                                                "methane",
                                                "landfill",
                                                "livestock",
                                                "coal mine",
                                                "mmc",
                                                "cookstove",
                                                "cookstoves",
                                                "cook stove",
                                                "cook stoves",
                                                "cooking",
                                                "efficiency",
                                                "transport",
                                                "nitric acid",
                                                "adipic",
                                                "n2o",
                                                "industrial",
                                                "waste",
                                                "fuel switch",
                                                "lighting",
                                                "manufacturing",
                                                "orphan",
                                                "direct air capture",
                                                "dac",
                                                "biochar",
                                                "weathering",
                                                "bio-oil",
                                                "geological storage",
                                                "mineralization",
                                                "mineralisation",
                                                "alkalinity",
                                                "beccs",
                                                "water filters",
                                                "marine",
                                                "electricity",
                                                "renewable",
                                                "hfc",
                                                "sf6",
                                                "fugitive"};

}  // namespace

std::string_view Trim(std::string_view s) {
  auto nbsp_at = [&](size_t i) {
    return i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xC2 &&
           static_cast<unsigned char>(s[i + 1]) == 0xA0;
  };
  for (;;) {
    if (!s.empty() && IsSpace(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
    } else if (nbsp_at(0)) {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && IsSpace(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && nbsp_at(s.size() - 2)) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string NormalizeHeader(std::string_view s) {
  s = Trim(s);
  std::string out;
  bool space = false;
  for (char c : s) {
    if (IsSpace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(Lower(c));
  }
  return out;
}

Result<int64_t> ParseScaledQuantity(std::string_view raw, int pow10, std::string_view field) {
  std::string_view s = Trim(raw);
  if (s.empty()) return FieldError(field, "empty quantity");
  size_t i = 0;
  if (s[0] == '+') i = 1;
  if (i < s.size() && s[i] == '-') return FieldError(field, "negative quantity " + Quote(s));
  // Mantissa digits (int + fraction) as one integer with `frac` fraction digits.
  __int128 mant = 0;
  int frac = -1, sig = 0, group = 0;
  bool any = false, commas = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (IsDigit(c)) {
      any = true;
      if (mant != 0 || c != '0') ++sig;
      if (sig > 30) return FieldError(field, "too many digits in " + Quote(s));
      mant = mant * 10 + (c - '0');
      if (frac >= 0) ++frac;
      ++group;
      continue;
    }
    if (c == ',' && frac < 0) {
      // A thousands separator: 1-3 digits before the first, exactly 3 between.
      if (group == 0 || group > 3 || (commas && group != 3))
        return FieldError(field, "misplaced thousands separator in " + Quote(s));
      commas = true;
      group = 0;
      continue;
    }
    if (c == '.' && frac < 0) {
      if (commas && group != 3)
        return FieldError(field, "misplaced thousands separator in " + Quote(s));
      frac = 0;
      commas = false;  // checked
      group = 0;
      continue;
    }
    break;
  }
  if (commas && group != 3)
    return FieldError(field, "misplaced thousands separator in " + Quote(s));
  if (!any) return FieldError(field, "not a number: " + Quote(s));
  int exp10 = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    int e = 0, n = 0;
    while (i < s.size() && IsDigit(s[i]) && n < 4) {
      e = e * 10 + (s[i++] - '0');
      ++n;
    }
    if (n == 0) return FieldError(field, "bad exponent in " + Quote(s));
    exp10 = neg ? -e : e;
  }
  if (i != s.size()) return FieldError(field, "not a number: " + Quote(s));
  // value = mant * 10^(pow10 + exp10 - frac), rounded half away from zero.
  int shift = pow10 + exp10 - (frac < 0 ? 0 : frac);
  const __int128 kMax = INT64_MAX;
  if (mant == 0) return int64_t{0};
  if (shift >= 0) {
    for (int k = 0; k < shift; ++k) {
      mant *= 10;
      if (mant > kMax)
        return Err(Code::kOverflow, std::string(field) + ": quantity too large",
                   std::string(field));
    }
  } else {
    if (shift < -38) return int64_t{0};
    __int128 div = 1;
    for (int k = 0; k < -shift; ++k) div *= 10;
    __int128 q = mant / div, r = mant % div;
    if (r * 2 >= div) ++q;
    mant = q;
  }
  if (mant > kMax)
    return Err(Code::kOverflow, std::string(field) + ": quantity too large", std::string(field));
  return static_cast<int64_t>(mant);
}

Result<int32_t> ParseYear(std::string_view raw, std::string_view field) {
  std::string_view s = Trim(raw);
  if (s.empty()) return FieldError(field, "empty year");
  if (s.size() > 4 && (s.substr(4) == ".0" || s.substr(4) == ".00")) s = s.substr(0, 4);
  if (s.size() != 4) return FieldError(field, "not a year: " + Quote(s));
  int y = 0;
  for (char c : s) {
    if (!IsDigit(c)) return FieldError(field, "not a year: " + Quote(s));
    y = y * 10 + (c - '0');
  }
  if (y < 1900 || y > 2200) return FieldError(field, "year out of range: " + Quote(s));
  return static_cast<int32_t>(y);
}

Result<std::string> ParseDate(std::string_view raw, std::string_view field) {
  std::string_view s = Trim(raw);
  if (s.empty()) return FieldError(field, "empty date");
  int y = -1, m = -1, d = -1;
  size_t i = 0;
  if (s.size() >= 10 && IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) &&
      s[4] == '-') {
    y = ReadInt(s, &i, 4);
    if (i < s.size() && s[i] == '-') ++i, m = ReadInt(s, &i, 2);
    if (m >= 0 && i < s.size() && s[i] == '-') ++i, d = ReadInt(s, &i, 2);
    // Time of day after 'T' or ' ' is dropped.
    if (i < s.size() && s[i] != 'T' && s[i] != ' ') d = -1;
  } else {
    m = ReadInt(s, &i, 2);
    if (m >= 0 && i < s.size() && s[i] == '/') ++i, d = ReadInt(s, &i, 2);
    if (d >= 0 && i < s.size() && s[i] == '/') ++i, y = ReadInt(s, &i, 4);
    if (y >= 0 && i < s.size() && s[i] != ' ') y = -1;  // only a time may follow
    if (y >= 0 && y < 1000) y = -1;                     // two-digit years are ambiguous
  }
  if (y < 0 || m < 0 || d < 0) return FieldError(field, "not a date: " + Quote(s));
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m))
    return FieldError(field, "no such date: " + Quote(s));
  return FormatIso(y, m, d);
}

Result<std::string> ParseOptionalDate(std::string_view raw, std::string_view field) {
  if (Trim(raw).empty()) return std::string();
  return ParseDate(raw, field);
}

Tri ParseYesNo(std::string_view raw) {
  std::string s = AsciiLower(Trim(raw));
  if (s == "yes" || s == "y" || s == "true" || s == "1") return Tri::kYes;
  if (s == "no" || s == "n" || s == "false" || s == "0" || s == "not applicable") return Tri::kNo;
  return Tri::kUnknown;
}

RemovalOrReduction InferMitigation(std::initializer_list<std::string_view> texts) {
  std::string all = Joined(texts);
  bool removal = AnyWord(all, kRemovalWords);
  bool reduction = AnyWord(all, kReductionWords);
  if (removal && !reduction) return RemovalOrReduction::kRemoval;
  if (reduction && !removal) return RemovalOrReduction::kReduction;
  return RemovalOrReduction::kUnknown;
}

NatureOrTechnical InferNature(std::initializer_list<std::string_view> texts) {
  std::string all = Joined(texts);
  if (AnyWord(all, kNatureWords)) return NatureOrTechnical::kNature;
  if (AnyWord(all, kTechnicalWords)) return NatureOrTechnical::kTechnical;
  return NatureOrTechnical::kUnknown;
}

}  // namespace cx::importers
