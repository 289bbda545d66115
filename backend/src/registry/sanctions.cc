#include "registry/sanctions.h"

#include <algorithm>
#include <cctype>

namespace cx::registry::sanctions {
namespace {

// Base letters of U+00C0..U+00FF ("" = a symbol that separates tokens).
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // C0
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // E0
    "d", "n", "o", "o", "o", "o", "o", "",  "o", "u", "u", "u", "u", "y", "th", "y"};  // F0

// Base letters of Latin Extended-A (U+0100..U+017F), by ranges.
const char* FoldExtendedA(uint32_t cp) {
  struct R {
    uint32_t lo, hi;
    const char* base;
  };
  static constexpr R kRanges[] = {
      {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"}, {0x11C, 0x123, "g"},
      {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"}, {0x136, 0x138, "k"},
      {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
      {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
      {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}};
  for (const R& r : kRanges)
    if (cp >= r.lo && cp <= r.hi) return r.base;
  return nullptr;
}

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes decode as U+FFFD.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int n = b0 < 0x80 ? 0 : (b0 >> 5) == 6 ? 1 : (b0 >> 4) == 14 ? 2 : (b0 >> 3) == 30 ? 3 : -1;
  if (n < 0 || i + static_cast<size_t>(n) >= s.size() + (n == 0 ? 1 : 0)) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = n == 0 ? b0 : (b0 & (0x3F >> n));
  for (int k = 1; k <= n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<size_t>(n) + 1;
  return cp;
}

size_t Levenshtein(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

int64_t Ratio(const std::string& a, const std::string& b) {
  const size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 1'000'000;
  const size_t d = Levenshtein(a, b);
  return static_cast<int64_t>((longer - d) * 1'000'000 / longer);
}

std::string Join(const std::vector<std::string>& a, const std::vector<std::string>& b = {}) {
  std::vector<std::string> all = a;
  all.insert(all.end(), b.begin(), b.end());
  std::string out;
  for (const auto& t : all) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

int64_t TokenSetSimilarity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  // Both sorted. Shared tokens (as a multiset) and the rest of each.
  std::vector<std::string> inter, da, db;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(inter));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(da));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(db));
  int64_t best = Ratio(Join(inter, da), Join(inter, db));
  if (inter.size() >= 2) {
    const std::string i = Join(inter);
    best = std::max({best, Ratio(i, Join(inter, da)), Ratio(i, Join(inter, db))});
  }
  return best;
}

// Splits one CSV line into fields (double quotes, "" escapes).
std::vector<std::string> CsvFields(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

bool IsNumber(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

std::vector<std::string> NormalizeTokens(std::string_view name) {
  std::vector<std::string> tokens(1);
  auto sep = [&] {
    if (!tokens.back().empty()) tokens.emplace_back();
  };
  for (size_t i = 0; i < name.size() && i < kMaxNameBytes * 4;) {
    const size_t start = i;
    const uint32_t cp = NextCodePoint(name, i);
    if (cp < 0x80) {
      const auto ch = static_cast<unsigned char>(cp);
      if (std::isalnum(ch)) tokens.back() += static_cast<char>(std::tolower(ch));
      else if (ch != '\'') sep();  // O'Brien -> obrien
    } else if (cp >= 0xC0 && cp <= 0xFF) {
      const char* base = kLatin1[cp - 0xC0];
      if (*base) tokens.back() += base;
      else sep();
    } else if (const char* base = FoldExtendedA(cp)) {
      tokens.back() += base;
    } else if (cp >= 0x300 && cp <= 0x36F) {
      // combining diacritical mark: dropped
    } else if (cp < 0xC0 || cp == 0xFFFD || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F)) {
      sep();  // Latin-1 symbols, invalid bytes, general and CJK punctuation
    } else {
      tokens.back().append(name.substr(start, i - start));  // another script: kept as is
    }
  }
  if (tokens.back().empty()) tokens.pop_back();
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

std::string Normalize(std::string_view name) { return Join(NormalizeTokens(name)); }

int64_t SimilarityPpm(std::string_view a, std::string_view b) {
  return TokenSetSimilarity(NormalizeTokens(a), NormalizeTokens(b));
}

void List::AddName(std::string_view name, const std::string& list) {
  Entry e{std::string(name.substr(0, kMaxNameBytes)), list, NormalizeTokens(name)};
  if (!e.tokens.empty()) entries_.push_back(std::move(e));
}

Result<size_t> List::AddText(std::string_view text, const std::string& list) {
  size_t added = 0, line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // BOM
    std::string trimmed = Trim(std::string(line));
    if (trimmed.empty() || trimmed[0] == '#') continue;
    if (trimmed.rfind("ent_num", 0) == 0) continue;  // OFAC header
    if (trimmed.size() > 100'000) return Err(Code::kInvalidField, "line " + std::to_string(line_no) + " too long", "sanctions");
    std::string name = trimmed;
    if (trimmed.find(',') != std::string::npos) {
      std::vector<std::string> f = CsvFields(trimmed);
      if (f.size() >= 2 && IsNumber(f[0])) {
        // OFAC: alt.csv has a numeric second column (alt_num) and the name fourth.
        name = IsNumber(f[1]) ? (f.size() >= 4 ? f[3] : "") : f[1];
        name = Trim(name);
        if (name == "-0-") continue;
      }
    }
    const size_t before = entries_.size();
    AddName(name, list);
    added += entries_.size() - before;
  }
  return added;
}

KycScreening List::Screen(std::string_view name, int64_t threshold_ppm, size_t max_matches) const {
  KycScreening out;
  const std::vector<std::string> q = NormalizeTokens(name.substr(0, kMaxNameBytes));
  if (q.empty()) return out;
  const size_t qlen = Join(q).size();
  std::vector<KycMatch> found;
  for (const Entry& e : entries_) {
    // Cheap bound first: names whose lengths differ a lot cannot reach the threshold
    // unless they share two tokens (the subset rule).
    // (Levenshtein >= the length difference, so r <= shorter / longer.)
    size_t elen = e.tokens.size() - 1;
    for (const auto& t : e.tokens) elen += t.size();
    const size_t lo = std::min(qlen, elen), hi = std::max(qlen, elen);
    if (threshold_ppm > 0 && lo * 1'000'000 < hi * static_cast<size_t>(threshold_ppm)) {
      std::vector<std::string> inter;
      std::set_intersection(q.begin(), q.end(), e.tokens.begin(), e.tokens.end(), std::back_inserter(inter));
      if (inter.size() < 2) continue;
    }
    int64_t s = TokenSetSimilarity(q, e.tokens);
    if (s >= threshold_ppm) found.push_back(KycMatch{e.name, e.list, s});
  }
  std::stable_sort(found.begin(), found.end(), [](const KycMatch& a, const KycMatch& b) { return a.score_ppm > b.score_ppm; });
  if (found.size() > max_matches) found.resize(max_matches);
  out.hit = !found.empty();
  out.matches = std::move(found);
  return out;
}

}  // namespace cx::registry::sanctions
