#include "importers/serials.h"

#include <string>
#include <vector>

#include "importers/fields.h"

namespace cx::importers {
namespace {

constexpr int kMaxSerialDigits = 18;  // fits int64 with room for end - start + 1

Error SerialError(std::string msg) { return Err(Code::kInvalidField, std::move(msg), "serial"); }

std::string Show(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  return out + "\"";
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > kMaxSerialDigits) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int64_t ToInt(std::string_view s) {
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(b, i - b));
      b = i + 1;
    }
  }
  return out;
}

Result<SerialRange> MakeRange(std::string space, std::string_view a, std::string_view b,
                              std::string_view whole) {
  if (!AllDigits(a) || !AllDigits(b))
    return SerialError("serial block numbers are not integers in " + Show(whole));
  int64_t start = ToInt(a), end = ToInt(b);
  if (start > end) return SerialError("serial block ends before it starts in " + Show(whole));
  if (space.empty()) return SerialError("serial block has no prefix in " + Show(whole));
  return SerialRange{std::move(space), start, end};
}

}  // namespace

Result<SerialRange> ParseVerraSerial(std::string_view raw) {
  std::string_view s = Trim(raw);
  auto parts = Split(s, '-');
  if (parts.size() < 5 || !AllDigits(parts[0]) || parts[3] != "VCS" || parts[4].empty())
    return SerialError("not a Verra serial block (<block>-<start>-<end>-VCS-<unit>-...): " +
                       Show(s));
  return MakeRange("VCS-" + std::string(parts[4]), parts[1], parts[2], s);
}

Result<SerialRange> ParseToRangeSerial(std::string_view raw) {
  std::string_view s = Trim(raw);
  size_t to = s.find(" to ");
  if (to == std::string_view::npos)
    return SerialError("not a serial block of the form \"<prefix>-<start> to <end>\": " + Show(s));
  std::string_view left = Trim(s.substr(0, to)), right = Trim(s.substr(to + 4));
  size_t dash = left.rfind('-');
  if (dash == std::string_view::npos)
    return SerialError("serial block has no prefix in " + Show(s));
  return MakeRange(std::string(left.substr(0, dash)), left.substr(dash + 1), right, s);
}

Result<SerialRange> ParseDashRangeSerial(std::string_view raw) {
  std::string_view s = Trim(raw);
  size_t sep = s.find(" - ");
  if (sep == std::string_view::npos)
    return SerialError("not a serial range of the form \"A - B\": " + Show(s));
  auto a = Split(Trim(s.substr(0, sep)), '-');
  auto b = Split(Trim(s.substr(sep + 3)), '-');
  if (a.size() != b.size() || a.size() < 2)
    return SerialError("the two ends of the serial range differ in shape: " + Show(s));
  int differ = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (differ >= 0)
      return SerialError("the two ends of the serial range differ in more than one part: " +
                         Show(s));
    differ = static_cast<int>(i);
  }
  if (differ < 0) differ = 2 < static_cast<int>(a.size()) ? 2 : 0;  // single serial
  if (!AllDigits(a[static_cast<size_t>(differ)]))
    return SerialError("the varying part of the serial range is not a number: " + Show(s));
  std::string space;
  for (size_t i = 0; i < a.size(); ++i) {
    if (i) space += '-';
    space += static_cast<int>(i) == differ ? std::string_view("*") : a[i];
  }
  return MakeRange(std::move(space), a[static_cast<size_t>(differ)], b[static_cast<size_t>(differ)],
                   s);
}

Result<SerialRange> ParseGoldStandardSerial(std::string_view raw) {
  std::string_view s = Trim(raw);
  if (s.find(" - ") != std::string_view::npos) return ParseDashRangeSerial(s);
  auto parts = Split(s, '-');
  if (parts.size() < 3)
    return SerialError("not a Gold Standard serial block (<prefix>-<start>-<end>): " + Show(s));
  size_t n = parts.size();
  std::string_view prefix = s.substr(0, s.size() - parts[n - 1].size() - parts[n - 2].size() - 2);
  return MakeRange(std::string(prefix), parts[n - 2], parts[n - 1], s);
}

}  // namespace cx::importers
