// Plain-C++ HTTP request/response values and the asynchronous handler contract.
// Nothing here includes Boost.Asio or Beast: handlers compile fast and can be tested
// without a socket. The Beast server (http_server.cc) converts to and from these types.
//
// Handler contract (see README.md):
//   using Handler = std::function<void(HttpRequest&&, const auth::Principal&, Responder)>;
// The handler must call the Responder exactly once, from any thread, now or later (e.g.
// from the journal thread after the commit). Later calls are ignored. If every copy of the
// Responder is destroyed without being called, the server answers 500 INTERNAL.
// Thread-safety: HttpRequest/HttpResponse are plain values; Responder is thread-safe.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "core/error.h"

namespace cx::api {

enum class Method : uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
std::string_view MethodName(Method m);  // "GET", ...
Method ParseMethod(std::string_view s);  // kOther for anything unknown

// Case-insensitive header multimap, insertion order kept.
class Headers {
 public:
  // First value of `name`, or empty optional.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every value of `name`.
  void Set(std::string name, std::string value);
  void Add(std::string name, std::string value);
  void Remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  Method method = Method::kGet;
  std::string method_name;  // as received, e.g. "GET" (useful when method == kOther)
  std::string target;       // raw request-target, e.g. "/api/v1/x?a=1"
  std::string path;         // percent-decoded path without the query
  std::map<std::string, std::string> query;        // decoded; last value wins
  Headers headers;
  std::string body;
  std::string remote_address;                      // "ip:port"
  std::map<std::string, std::string> path_params;  // filled by the router from {name}
  std::string route_pattern;                       // the matched pattern, for logs/metrics

  std::optional<std::string_view> Header(std::string_view name) const {
    return headers.Get(name);
  }
  std::optional<std::string_view> Query(std::string_view name) const;
  // Path parameter by name; empty if absent (the router guarantees declared ones exist).
  std::string_view PathParam(std::string_view name) const;
};

// Splits `target` into path and query and percent-decodes both ('+' is a space in the
// query only). False if the target is not origin-form or has bad %-escapes / NUL bytes.
bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);
// Percent-decoding; nullopt on a malformed escape or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// The address part of a "host:port" remote address ("[::1]:port" -> "::1").
std::string HostOf(std::string_view remote);

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  std::string content_type = "application/json";
  // For logs, metrics and error tracking only (never sent; issue 10): set by the Router.
  std::string log_route;    // the matched route pattern
  int64_t log_user_id = 0;  // the authenticated user (0: anonymous)
  std::string log_detail;   // internal detail of a 500 (exception text), never shown to clients

  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
  static HttpResponse NoContent();
  // RFC 9457 problem+json for `e` (see problem.h).
  static HttpResponse Problem(const Error& e);
};

using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, const auth::Principal&, Responder)>;

}  // namespace cx::api
