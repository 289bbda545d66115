// CORS allow-list for the JSON API (the Fetch standard's CORS protocol), applied by the
// HTTP server in front of the Router.
//
//  - Only origins on the list get CORS headers; the list holds exact serialized origins
//    ("https://app.example.com", "http://localhost:5173"): scheme http or https, a host,
//    an optional port, nothing else. No wildcard, and "null" is never allowed.
//  - A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed
//    origin is answered 204 with Access-Control-Allow-Origin: <that origin>,
//    Access-Control-Allow-Methods: the methods the path really has (HEAD with GET),
//    Access-Control-Allow-Headers: Authorization, Content-Type and the API-key headers
//    X-CX-Key, X-CX-Timestamp, X-CX-Signature, and Access-Control-Max-Age. A preflight
//    from any other origin gets 403 AUTH_FORBIDDEN with no CORS header, so the browser
//    sends nothing. A preflight for a path the API does not have gets 404.
//  - Actual responses to an allowed origin carry Access-Control-Allow-Origin and
//    Access-Control-Expose-Headers (Retry-After, Location, WWW-Authenticate). No
//    Access-Control-Allow-Credentials: the API authenticates with headers, not cookies.
//  - With a non-empty list every API response carries "Vary: Origin", so a shared cache
//    never hands one origin's answer to another.
// With an empty list the policy is off: nothing is added and OPTIONS goes to the Router.
//
// Thread-safety: immutable after construction; all methods const.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "core/result.h"

namespace cx::api {

class CorsPolicy {
 public:
  CorsPolicy() = default;
  // kInvalidField (field "cors_origin") for an entry that is not an origin.
  static Result<CorsPolicy> Create(const std::vector<std::string>& origins);
  // Canonical form of an origin: scheme and host lower-cased, default port dropped.
  static Result<std::string> NormalizeOrigin(std::string_view origin);

  bool enabled() const { return !origins_.empty(); }
  bool Allowed(std::string_view origin) const;
  // OPTIONS with both Origin and Access-Control-Request-Method.
  static bool IsPreflight(const HttpRequest& req);
  // The answer to a preflight; `methods` are the methods the path has (empty: unknown path).
  HttpResponse Preflight(const HttpRequest& req, const std::vector<Method>& methods) const;
  // Adds the headers for an actual (non-preflight) API response.
  void Decorate(std::optional<std::string_view> origin, HttpResponse& res) const;

  static constexpr const char* kAllowedHeaders =
      "Authorization, Content-Type, X-CX-Key, X-CX-Timestamp, X-CX-Signature";
  static constexpr const char* kExposedHeaders = "Retry-After, Location, WWW-Authenticate";
  static constexpr int kMaxAgeSeconds = 600;

 private:
  std::vector<std::string> origins_;  // normalized
};

}  // namespace cx::api
