// Helpers for JSON request bodies (Boost.JSON) with clean, stable errors:
//   malformed / not an object / too deep      -> kBadJson (REQUEST_BAD_JSON)
//   required member absent or null            -> kMissingField, field = member name
//   member of the wrong type or out of range  -> kInvalidField, field = member name
// Every string a getter returns has passed api::CheckText (input_check.h): valid UTF-8, no
// control characters, no line breaks, no bidi overrides. GetText/GetOptText are for
// multi-line text (descriptions, reasons, signed messages) and also allow '\n' and '\t'.
// GetDate/GetCountry (and Opt) also check the value is a real calendar date "YYYY-MM-DD"
// or an ISO 3166-1 alpha-2 code.
// Amounts travel as decimal strings ("12.345" tonnes, "10.50" currency) and are parsed
// to integers with cx::ParseDecimal / ParseTonnesToKg; JSON numbers are refused for them
// so no amount ever passes through a double. Thread-safe: pure functions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/http_types.h"
#include "core/result.h"

namespace cx::api {

inline constexpr size_t kDefaultMaxString = 4096;

// Parses `body` as a JSON object (max nesting depth 32).
Result<boost::json::object> ParseJsonObject(std::string_view body);

Result<std::string> GetString(const boost::json::object& o, std::string_view key,
                              size_t max_len = kDefaultMaxString);
Result<std::optional<std::string>> GetOptString(const boost::json::object& o,
                                                std::string_view key,
                                                size_t max_len = kDefaultMaxString);
// Multi-line text: as GetString, but '\n' and '\t' are allowed.
Result<std::string> GetText(const boost::json::object& o, std::string_view key,
                            size_t max_len = kDefaultMaxString);
Result<std::optional<std::string>> GetOptText(const boost::json::object& o,
                                              std::string_view key,
                                              size_t max_len = kDefaultMaxString);
// "YYYY-MM-DD", a day that exists (input_check.h ParseIsoDate).
Result<std::string> GetDate(const boost::json::object& o, std::string_view key);
Result<std::optional<std::string>> GetOptDate(const boost::json::object& o, std::string_view key);
// An ISO 3166-1 alpha-2 country code (input_check.h CheckCountry), returned upper-case
// ("br" is taken as "BR").
Result<std::string> GetCountry(const boost::json::object& o, std::string_view key);
Result<std::optional<std::string>> GetOptCountry(const boost::json::object& o,
                                                 std::string_view key);
// A JSON integer (no fraction, no exponent, fits int64).
Result<int64_t> GetInt64(const boost::json::object& o, std::string_view key);
Result<std::optional<int64_t>> GetOptInt64(const boost::json::object& o, std::string_view key);
Result<bool> GetBool(const boost::json::object& o, std::string_view key);
Result<std::optional<bool>> GetOptBool(const boost::json::object& o, std::string_view key);
// Decimal string with at most `scale` fraction digits -> integer minor units.
Result<int64_t> GetDecimal(const boost::json::object& o, std::string_view key, int scale);
Result<std::optional<int64_t>> GetOptDecimal(const boost::json::object& o,
                                             std::string_view key, int scale);
// Tonnes as a decimal string with up to 3 decimals -> integer kilograms.
Result<int64_t> GetTonnesKg(const boost::json::object& o, std::string_view key);
Result<std::vector<std::string>> GetStringArray(const boost::json::object& o,
                                                std::string_view key,
                                                size_t max_items = 1000);
Result<const boost::json::object*> GetObject(const boost::json::object& o,
                                             std::string_view key);
// A positive decimal id from a path parameter or query value.
Result<int64_t> ParseId(std::string_view text, std::string_view field);

// 200/201/... response with a serialized JSON body.
HttpResponse JsonResponse(int status, const boost::json::value& v);

}  // namespace cx::api
