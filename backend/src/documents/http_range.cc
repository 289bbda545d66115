#include "documents/http_range.h"

#include "documents/errors.h"

namespace cx::documents {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Decimal digits only; false on empty, other characters or overflow.
bool ParseU64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

Result<std::optional<ByteRange>> ParseRangeHeader(std::string_view header, uint64_t size) {
  using Out = std::optional<ByteRange>;
  header = Trim(header);
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() < kUnit.size()) return Out();
  for (size_t i = 0; i < kUnit.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kUnit[i]) return Out();
  }
  std::string_view spec = Trim(header.substr(kUnit.size()));
  if (spec.find(',') != std::string_view::npos) return Out();  // several ranges
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return Out();
  std::string_view first = Trim(spec.substr(0, dash)), last = Trim(spec.substr(dash + 1));
  auto unsatisfiable = [&] {
    return Err(kBadRange, "range not satisfiable for a document of " + std::to_string(size) +
                              " bytes", "range");
  };
  uint64_t a = 0, b = 0;
  if (first.empty()) {  // suffix: last n bytes
    if (!ParseU64(last, b)) return Out();
    if (b == 0) return unsatisfiable();
    uint64_t n = b < size ? b : size;
    if (n == 0) return unsatisfiable();
    return Out(ByteRange{size - n, n});
  }
  if (!ParseU64(first, a)) return Out();
  if (last.empty()) {
    b = size == 0 ? 0 : size - 1;
  } else {
    if (!ParseU64(last, b)) return Out();
    if (b < a) return Out();  // invalid: ignored per RFC 9110
    if (b >= size) b = size == 0 ? 0 : size - 1;
  }
  if (a >= size) return unsatisfiable();
  return Out(ByteRange{a, b - a + 1});
}

std::string ContentRange(const ByteRange& r, uint64_t size) {
  return "bytes " + std::to_string(r.offset) + "-" + std::to_string(r.offset + r.length - 1) +
         "/" + std::to_string(size);
}

}  // namespace cx::documents
