// Route table for the JSON API: method + path pattern ("/api/v1/projects/{id}/submit"),
// who may call it, the handler, and documentation (summary, schema names) from which the
// OpenAPI 3 document is generated. The table is enumerable (routes()) so tests can walk
// every route with every role and nothing can be added that skips authorization.
//
// Dispatch order: match the path (404 REQUEST_NOT_FOUND if no pattern matches; 405 with an
// Allow header if the path exists for other methods), then authenticate
// (`Authorization: Bearer <JWT>` through the Authenticator: AUTH_BAD_TOKEN /
// AUTH_TOKEN_EXPIRED when refused), then run the filters (AddFilter), then authorize
// against the route's Access (401 AUTH_UNAUTHENTICATED when anonymous, 403
// AUTH_FORBIDDEN), then call the handler. A HEAD request is served by
// the GET route. A handler that throws gets a 500 INTERNAL answer.
// Matching: segments compare literally, "{name}" matches one non-empty segment; when
// several patterns match, the one with more literal segments wins (so
// "/projects/export" beats "/projects/{id}").
//
// Thread-safety: build the table (Add, AddSchema, SetAuthenticator) before the server
// starts; afterwards Find/Dispatch/OpenApiJson are const and safe from any thread.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "auth/principal.h"
#include "core/result.h"

namespace cx::api {

// Who may call a route.
struct Access {
  enum class Kind : uint8_t { kPublic, kAnyUser, kRoles };
  Kind kind = Kind::kRoles;
  auth::RoleSet roles;  // for kRoles: any one of these suffices

  static Access Public() { return {Kind::kPublic, {}}; }
  static Access AnyUser() { return {Kind::kAnyUser, {}}; }
  static Access Roles(auth::RoleSet r) { return {Kind::kRoles, r}; }
  bool Allows(const auth::Principal& p) const;
  bool is_public() const { return kind == Kind::kPublic; }
};

struct RouteSpec {
  RouteSpec() = default;
  RouteSpec(Method m, std::string pat, Access a, Handler h)
      : method(m), pattern(std::move(pat)), access(a), handler(std::move(h)) {}
  // Documentation, chainable: router.Add(RouteSpec(...).Doc("Register a project",
  //                                         "ProjectCreate", "Project", 201));
  RouteSpec&& Doc(std::string summary_text, std::string request = {}, std::string response = {},
                  int status = 200) && {
    summary = std::move(summary_text);
    request_schema = std::move(request);
    response_schema = std::move(response);
    success_status = status;
    return std::move(*this);
  }

  // Largest request body this route accepts, chainable: RouteSpec(...).BodyLimit(32 << 20).
  // 0 = the server's default (ServerOptions::max_body_bytes, 64 KiB: JSON bodies); a body
  // above the limit is refused with 413 REQUEST_TOO_LARGE before it is read.
  RouteSpec&& BodyLimit(size_t bytes) && {
    max_body_bytes = bytes;
    return std::move(*this);
  }

  Method method = Method::kGet;
  std::string pattern;  // "/api/v1/projects/{id}"
  Access access;
  Handler handler;
  // Documentation for OpenAPI.
  std::string summary;
  std::string tag;              // groups operations; default: first segment after /api/v1
  std::string request_schema;   // name under components/schemas, empty = no body
  std::string response_schema;  // name under components/schemas, empty = generic
  int success_status = 200;
  std::string operation_id;     // default: derived from method and pattern
  size_t max_body_bytes = 0;    // 0 = server default (see BodyLimit)
};

// Wraps `deliver` into a Responder that runs it at most once; if every copy is destroyed
// without a call, `deliver` gets a 500 INTERNAL problem instead. Thread-safe.
Responder MakeOnceResponder(std::function<void(HttpResponse)> deliver);

class Router {
 public:
  // Verifies the bearer token (without the "Bearer " prefix) and returns the principal.
  using Authenticator = std::function<Result<auth::Principal>(std::string_view token)>;

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void SetAuthenticator(Authenticator a) { authenticator_ = std::move(a); }

  // Runs after bearer authentication and before the access check, in the order added.
  // A filter may replace the principal (e.g. API-key authentication from signed headers)
  // or answer the request itself (rate limit 429, CORS preflight, ...) by returning a
  // response. Must be thread-safe; called on io threads.
  using Filter = std::function<std::optional<HttpResponse>(const HttpRequest& req,
                                                           const RouteSpec& route,
                                                           auth::Principal& principal)>;
  void AddFilter(Filter f) { filters_.push_back(FilterEntry{std::move(f), nullptr}); }
  // A filter that may take the request over and answer it later, without holding the io
  // thread (e.g. forwarding it to another node). Returns false to let the request go on;
  // returns true once it has taken `respond` (moved or copied; it must then be called
  // exactly once, from any thread) -- `req` may have been moved from. Runs in the order
  // added, interleaved with AddFilter's filters. Must be thread-safe.
  using AsyncFilter = std::function<bool(HttpRequest& req, const RouteSpec& route, auth::Principal& principal,
                                         Responder& respond)>;
  void AddAsyncFilter(AsyncFilter f) { filters_.push_back(FilterEntry{nullptr, std::move(f)}); }
  // kInvalidField for a malformed pattern (must start with '/', params are whole
  // segments "{name}" with unique names) or a duplicate method + pattern.
  Result<void> Add(RouteSpec spec);
  // Registers a JSON Schema (JSON text) under components/schemas/<name>.
  Result<void> AddSchema(std::string name, std::string_view json_schema);
  // Adds the public GET route serving OpenApiJson().
  Result<void> AddOpenApiRoute(std::string title, std::string version,
                               std::string path = "/api/v1/openapi.json");

  const std::vector<RouteSpec>& routes() const { return routes_; }
  // Sets the body limit of a registered route (for routes registered by code that does
  // not know the limits, e.g. the document upload). kNotFound if there is no such route.
  Result<void> SetBodyLimit(Method method, std::string_view pattern, size_t bytes);
  // Replaces a registered route's handler with wrap(its handler), e.g. a cache in front of
  // it (issue 10, cached read models). kNotFound if there is no such route. Before Start.
  Result<void> WrapHandler(Method method, std::string_view pattern, const std::function<Handler(Handler)>& wrap);

  enum class MatchKind : uint8_t { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    MatchKind kind = MatchKind::kNotFound;
    const RouteSpec* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<Method> allowed;  // for kMethodNotAllowed
  };
  Match Find(Method method, std::string_view path) const;

  // Authenticates the request's Authorization header. Anonymous principal when absent.
  Result<auth::Principal> Authenticate(const HttpRequest& req) const;
  // The whole pipeline described above. `respond` is called exactly once.
  void Dispatch(HttpRequest&& req, Responder respond) const;

  // OpenAPI 3.0.3 document for every route, as JSON text.
  std::string OpenApiJson(std::string_view title, std::string_view version) const;

 private:
  struct Compiled;
  std::vector<RouteSpec> routes_;
  std::vector<std::unique_ptr<Compiled>> compiled_;  // parallel to routes_
  std::map<std::string, std::string> schemas_;       // name -> JSON text
  Authenticator authenticator_;
  struct FilterEntry {
    Filter sync;
    AsyncFilter async;
  };
  std::vector<FilterEntry> filters_;
};

}  // namespace cx::api
