#include "api/json_util.h"

#include <boost/json.hpp>
#include <charconv>

#include "api/input_check.h"
#include "core/units.h"

namespace cx::api {
namespace json = boost::json;

namespace {
std::string F(std::string_view k) { return std::string(k); }

Error Missing(std::string_view key) {
  return Err(Code::kMissingField, "'" + F(key) + "' is required", F(key));
}
Error Invalid(std::string_view key, std::string_view want) {
  return Err(Code::kInvalidField, "'" + F(key) + "' must be " + F(want), F(key));
}
// The member, or nullptr when absent or null.
const json::value* Find(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return nullptr;
  return v;
}
}  // namespace

Result<json::object> ParseJsonObject(std::string_view body) {
  if (body.empty()) return Err(Code::kBadJson, "request body must be a JSON object");
  json::parse_options opt;
  opt.max_depth = 32;
  std::error_code ec;
  json::value v = json::parse(body, ec, {}, opt);
  if (ec) return Err(Code::kBadJson, "malformed JSON: " + ec.message());
  if (!v.is_object()) return Err(Code::kBadJson, "request body must be a JSON object");
  // cppcheck-suppress returnStdMoveLocal ; moves the object out of the local json::value (a
  // member, not a local, so there is no copy elision to lose; without the move it is copied)
  return std::move(v.as_object());
}

namespace {
Result<std::optional<std::string>> OptText(const json::object& o, std::string_view key, size_t max_len,
                                           TextKind kind) {
  const json::value* v = Find(o, key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Invalid(key, "a string");
  const auto& s = v->get_string();
  if (s.size() > max_len)
    return Invalid(key, "at most " + std::to_string(max_len) + " bytes");
  std::string_view text(s.data(), s.size());
  CX_TRY(CheckText(text, key, kind));
  return std::optional<std::string>(std::string(text));
}
}  // namespace

Result<std::optional<std::string>> GetOptString(const json::object& o, std::string_view key,
                                                size_t max_len) {
  return OptText(o, key, max_len, TextKind::kLine);
}

Result<std::string> GetString(const json::object& o, std::string_view key, size_t max_len) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptString(o, key, max_len));
  if (!s) return Missing(key);
  return std::move(*s);
}

Result<std::optional<std::string>> GetOptText(const json::object& o, std::string_view key,
                                              size_t max_len) {
  return OptText(o, key, max_len, TextKind::kMultiline);
}

Result<std::string> GetText(const json::object& o, std::string_view key, size_t max_len) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptText(o, key, max_len));
  if (!s) return Missing(key);
  return std::move(*s);
}

Result<std::optional<std::string>> GetOptDate(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptString(o, key, 32));
  if (s) CX_TRY(ParseIsoDate(*s, key));
  return s;
}

Result<std::string> GetDate(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptDate(o, key));
  if (!s) return Missing(key);
  return std::move(*s);
}

Result<std::optional<std::string>> GetOptCountry(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptString(o, key, 8));
  if (!s) return s;
  for (auto& c : *s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  CX_TRY(CheckCountry(*s, key));
  return s;
}

Result<std::string> GetCountry(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto s, GetOptCountry(o, key));
  if (!s) return Missing(key);
  return std::move(*s);
}

Result<std::optional<int64_t>> GetOptInt64(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64()) return Invalid(key, "an integer within int64 range");
  return Invalid(key, "an integer");
}

Result<int64_t> GetInt64(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto x, GetOptInt64(o, key));
  if (!x) return Missing(key);
  return *x;
}

Result<std::optional<bool>> GetOptBool(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v) return std::optional<bool>();
  if (!v->is_bool()) return Invalid(key, "true or false");
  return std::optional<bool>(v->get_bool());
}

Result<bool> GetBool(const json::object& o, std::string_view key) {
  CX_ASSIGN_OR_RETURN(auto x, GetOptBool(o, key));
  if (!x) return Missing(key);
  return *x;
}

Result<std::optional<int64_t>> GetOptDecimal(const json::object& o, std::string_view key,
                                             int scale) {
  const json::value* v = Find(o, key);
  if (!v) return std::optional<int64_t>();
  if (!v->is_string()) return Invalid(key, "a decimal string such as \"12.50\"");
  const auto& s = v->get_string();
  auto r = ParseDecimal(std::string_view(s.data(), s.size()), scale, key);
  if (!r.ok()) {
    Error e = r.take_error();
    e.code = Code::kInvalidField;
    e.field = F(key);
    return e;
  }
  return std::optional<int64_t>(*r);
}

Result<int64_t> GetDecimal(const json::object& o, std::string_view key, int scale) {
  CX_ASSIGN_OR_RETURN(auto x, GetOptDecimal(o, key, scale));
  if (!x) return Missing(key);
  return *x;
}

Result<int64_t> GetTonnesKg(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v) return Missing(key);
  if (!v->is_string()) return Invalid(key, "a decimal string of tonnes such as \"1.250\"");
  const auto& s = v->get_string();
  auto r = ParseTonnesToKg(std::string_view(s.data(), s.size()), key);
  if (!r.ok()) {
    Error e = r.take_error();
    e.code = Code::kInvalidField;
    e.field = F(key);
    return e;
  }
  return *r;
}

Result<std::vector<std::string>> GetStringArray(const json::object& o, std::string_view key,
                                                size_t max_items) {
  const json::value* v = Find(o, key);
  if (!v) return Missing(key);
  if (!v->is_array()) return Invalid(key, "an array of strings");
  const auto& a = v->get_array();
  if (a.size() > max_items)
    return Invalid(key, "at most " + std::to_string(max_items) + " items");
  std::vector<std::string> out;
  out.reserve(a.size());
  for (const auto& e : a) {
    if (!e.is_string()) return Invalid(key, "an array of strings");
    const auto& s = e.get_string();
    if (s.size() > kDefaultMaxString) return Invalid(key, "an array of short strings");
    CX_TRY(CheckText(std::string_view(s.data(), s.size()), key));
    out.emplace_back(s.data(), s.size());
  }
  return out;
}

Result<const json::object*> GetObject(const json::object& o, std::string_view key) {
  const json::value* v = Find(o, key);
  if (!v) return Missing(key);
  if (!v->is_object()) return Invalid(key, "an object");
  return &v->get_object();
}

Result<int64_t> ParseId(std::string_view text, std::string_view field) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v <= 0)
    return Err(Code::kInvalidField, "'" + F(field) + "' must be a positive integer id", F(field));
  return v;
}

HttpResponse JsonResponse(int status, const json::value& v) {
  return HttpResponse::Json(status, json::serialize(v));
}

}  // namespace cx::api
