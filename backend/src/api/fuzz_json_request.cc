// libFuzzer target for JSON request decoding (clang only; `make fuzz`, and a few seconds in
// tools/suites/45-security.sh). Input: a raw request body, exactly as a route receives it.
// It goes the way every route's body goes: api::ParseJsonObject, then the typed getters of
// json_util.h (strings, multi-line text, dates, country codes, integers, booleans, decimal
// money, tonnes, string arrays, objects) on every member, under every type.
// Invariants checked (abort = finding):
//  - no crash, leak or undefined behaviour (ASan/UBSan);
//  - a refusal is a value with the expected stable code and names the member at fault;
//  - what a getter accepts satisfies its contract: strings have no control characters
//    (multi-line text only '\n' and '\t'), dates are real "YYYY-MM-DD" days and print
//    back the same, countries are on the ISO 3166-1 list, decimals and tonnes print back
//    to a value that parses to the same integer;
//  - CheckText on the raw bytes: a valid single line is a valid multi-line text, and a
//    valid multi-line text without '\n' / '\t' is a valid line.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "api/input_check.h"
#include "api/json_util.h"
#include "core/units.h"

using namespace cx;
using namespace cx::api;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void RefusalNames(const Result<T>& r, std::string_view key) {
  if (r.ok()) return;
  Check(r.error().field == key);
  Check(r.error().code == Code::kInvalidField || r.error().code == Code::kMissingField);
}

void LineContract(std::string_view s) {
  for (unsigned char c : s) Check(c >= 0x20 && c != 0x7F);
}

void TextContract(std::string_view s) {
  for (unsigned char c : s) Check((c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t');
}

void Member(const boost::json::object& o, std::string_view key) {
  {
    auto r = GetOptString(o, key);
    RefusalNames(r, key);
    if (r.ok() && *r) {
      LineContract(**r);
      Check(CheckText(**r, key).ok());
    }
  }
  {
    auto r = GetOptText(o, key, 1 << 20);
    RefusalNames(r, key);
    if (r.ok() && *r) TextContract(**r);
  }
  {
    auto r = GetOptDate(o, key);
    RefusalNames(r, key);
    if (r.ok() && *r) {
      auto d = ParseIsoDate(**r, key);
      Check(d.ok() && d->ToString() == **r && d->year >= kMinYear && d->year <= kMaxYear);
    }
  }
  {
    auto r = GetOptCountry(o, key);
    RefusalNames(r, key);
    if (r.ok() && *r) Check(IsCountryCode(**r));
  }
  {
    auto r = GetOptInt64(o, key);
    RefusalNames(r, key);
  }
  {
    auto r = GetOptBool(o, key);
    RefusalNames(r, key);
  }
  {
    auto r = GetOptDecimal(o, key, 2);
    RefusalNames(r, key);
    if (r.ok() && *r) {
      auto back = ParseDecimal(FormatDecimal(**r, 2), 2, key);
      Check(back.ok() && *back == **r);
    }
  }
  if (o.contains(key) && !o.at(key).is_null()) {
    auto r = GetTonnesKg(o, key);
    RefusalNames(r, key);
    if (r.ok()) {
      auto back = ParseTonnesToKg(FormatKgAsTonnes(*r), key);
      Check(back.ok() && *back == *r);
    }
    auto a = GetStringArray(o, key, 64);
    RefusalNames(a, key);
    if (a.ok())
      for (const auto& s : *a) LineContract(s);
    auto obj = GetObject(o, key);
    RefusalNames(obj, key);
    if (obj.ok()) {  // one level down, as routes read nested objects (criteria, jwk, ...)
      size_t n = 0;
      for (const auto& kv : **obj) {
        if (++n > 16) break;
        (void)GetOptString(**obj, kv.key());
        (void)GetStringArray(**obj, kv.key(), 64);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);

  auto line = CheckText(body, "raw");
  auto text = CheckText(body, "raw", TextKind::kMultiline);
  if (line.ok()) Check(text.ok());
  if (text.ok() && body.find_first_of("\n\t") == std::string_view::npos) Check(line.ok());

  auto parsed = ParseJsonObject(body);
  if (!parsed.ok()) {
    Check(parsed.error().code == Code::kBadJson);
    return 0;
  }
  const boost::json::object& o = *parsed;
  size_t n = 0;
  for (const auto& kv : o) {
    if (++n > 64) break;
    Member(o, kv.key());
  }
  // Members a route requires but the body lacks: kMissingField naming them.
  for (std::string_view key : {"period_start", "country", "quantity", "amount"}) {
    if (o.contains(key)) continue;
    auto d = GetDate(o, key);
    Check(!d.ok() && d.error().code == Code::kMissingField && d.error().field == key);
    auto q = GetTonnesKg(o, key);
    Check(!q.ok() && q.error().code == Code::kMissingField);
  }
  return 0;
}
