#include "api/router.h"

#include <atomic>
#include <boost/json.hpp>
#include <exception>
#include <mutex>
#include <set>

#include "api/problem.h"

namespace cx::api {
namespace json = boost::json;

bool Access::Allows(const auth::Principal& p) const {
  switch (kind) {
    case Kind::kPublic: return true;
    case Kind::kAnyUser: return p.authenticated;
    case Kind::kRoles: return p.authenticated && p.roles.Intersects(roles);
  }
  return false;
}

namespace {

struct OnceState {
  std::function<void(HttpResponse)> deliver;
  std::atomic<bool> done{false};
  void Fire(HttpResponse r) {
    if (done.exchange(true)) return;
    auto d = std::move(deliver);
    deliver = nullptr;
    d(std::move(r));
  }
  ~OnceState() {
    if (!done.load() && deliver) {
      done = true;
      try {
        deliver(ProblemResponse(Err(Code::kInternal, "handler finished without a response")));
      } catch (...) {
      }
    }
  }
};

std::vector<std::string_view> SplitPath(std::string_view p) {
  std::vector<std::string_view> out;
  if (p.empty() || p[0] != '/') return out;
  size_t i = 1;
  for (;;) {
    size_t s = p.find('/', i);
    out.push_back(p.substr(i, s == std::string_view::npos ? std::string_view::npos : s - i));
    if (s == std::string_view::npos) break;
    i = s + 1;
  }
  return out;
}

}  // namespace

Responder MakeOnceResponder(std::function<void(HttpResponse)> deliver) {
  auto st = std::make_shared<OnceState>();
  st->deliver = std::move(deliver);
  return [st](HttpResponse r) { st->Fire(std::move(r)); };
}

struct Router::Compiled {
  struct Seg {
    bool param;
    std::string text;  // literal or param name
  };
  std::vector<Seg> segs;
  int literals = 0;
};

Router::Router() = default;
Router::~Router() = default;

Result<void> Router::Add(RouteSpec spec) {
  const std::string& pat = spec.pattern;
  if (pat.empty() || pat[0] != '/')
    return Err(Code::kInvalidField, "route pattern must start with '/': " + pat, "pattern");
  if (!spec.handler) return Err(Code::kInvalidField, "route has no handler: " + pat, "handler");
  if (spec.method == Method::kOther || spec.method == Method::kHead)
    return Err(Code::kInvalidField, "route method not supported: " + pat, "method");
  if (spec.access.kind == Access::Kind::kRoles && spec.access.roles.empty())
    return Err(Code::kInvalidField, "route allows no role: " + pat, "access");
  auto c = std::make_unique<Compiled>();
  std::set<std::string> names;
  for (std::string_view s : SplitPath(pat)) {
    if (!s.empty() && s.front() == '{') {
      if (s.size() < 3 || s.back() != '}')
        return Err(Code::kInvalidField, "bad path parameter in " + pat, "pattern");
      std::string name(s.substr(1, s.size() - 2));
      if (name.find_first_of("{}/") != std::string::npos || !names.insert(name).second)
        return Err(Code::kInvalidField, "bad or repeated path parameter in " + pat, "pattern");
      c->segs.push_back({true, std::move(name)});
    } else {
      if (s.find_first_of("{}") != std::string_view::npos)
        return Err(Code::kInvalidField, "parameter must be a whole segment in " + pat, "pattern");
      c->segs.push_back({false, std::string(s)});
      ++c->literals;
    }
  }
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method != spec.method) continue;
    const auto& o = compiled_[i]->segs;
    bool same = o.size() == c->segs.size();
    for (size_t k = 0; same && k < o.size(); ++k) {
      same = o[k].param == c->segs[k].param && (o[k].param || o[k].text == c->segs[k].text);
    }
    if (same)
      return Err(Code::kConflict, "duplicate route " + std::string(MethodName(spec.method)) +
                                      " " + pat + " (same as " + routes_[i].pattern + ")",
                 "pattern");
  }
  if (spec.tag.empty()) {
    auto segs = SplitPath(pat);
    size_t k = (segs.size() > 2 && segs[0] == "api") ? 2 : 0;
    if (k < segs.size() && !c->segs[k].param) spec.tag = std::string(segs[k]);
  }
  routes_.push_back(std::move(spec));
  compiled_.push_back(std::move(c));
  return Ok();
}

Result<void> Router::AddSchema(std::string name, std::string_view json_schema) {
  std::error_code ec;
  json::value v = json::parse(json_schema, ec);
  if (ec || !v.is_object())
    return Err(Code::kBadJson, "schema " + name + " is not a JSON object", "schema");
  schemas_[std::move(name)] = json::serialize(v);
  return Ok();
}

Router::Match Router::Find(Method method, std::string_view path) const {
  Match best;
  auto segs = SplitPath(path);
  int best_literals = -1;
  std::set<Method> allowed;
  Method want = method == Method::kHead ? Method::kGet : method;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const auto& c = *compiled_[i];
    if (c.segs.size() != segs.size()) continue;
    bool ok = true;
    for (size_t k = 0; ok && k < segs.size(); ++k) {
      ok = c.segs[k].param ? !segs[k].empty() : c.segs[k].text == segs[k];
    }
    if (!ok) continue;
    if (routes_[i].method != want) {
      allowed.insert(routes_[i].method);
      continue;
    }
    if (c.literals > best_literals) {
      best_literals = c.literals;
      best.route = &routes_[i];
      best.params.clear();
      for (size_t k = 0; k < segs.size(); ++k) {
        if (c.segs[k].param) best.params[c.segs[k].text] = std::string(segs[k]);
      }
    }
  }
  if (best.route) {
    best.kind = MatchKind::kFound;
  } else if (!allowed.empty()) {
    best.kind = MatchKind::kMethodNotAllowed;
    best.allowed.assign(allowed.begin(), allowed.end());
    if (allowed.count(Method::kGet)) best.allowed.push_back(Method::kHead);
  }
  return best;
}

Result<void> Router::SetBodyLimit(Method method, std::string_view pattern, size_t bytes) {
  for (auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      r.max_body_bytes = bytes;
      return Ok();
    }
  }
  return Err(Code::kNotFound, "no route " + std::string(MethodName(method)) + " " + std::string(pattern));
}

Result<void> Router::WrapHandler(Method method, std::string_view pattern, const std::function<Handler(Handler)>& wrap) {
  for (auto& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      r.handler = wrap(std::move(r.handler));
      return Ok();
    }
  }
  return Err(Code::kNotFound, "no route " + std::string(MethodName(method)) + " " + std::string(pattern));
}

Result<auth::Principal> Router::Authenticate(const HttpRequest& req) const {
  auto h = req.Header("Authorization");
  if (!h) return auth::Principal::Anonymous();
  std::string_view v = *h;
  if (v.size() < 7 || !EqualsIgnoreCase(v.substr(0, 7), "Bearer "))
    return Err(Code::kBadToken, "Authorization must be 'Bearer <token>'");
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return Err(Code::kBadToken, "empty bearer token");
  if (!authenticator_) return Err(Code::kUnavailable, "authentication is not configured");
  return authenticator_(v);
}

namespace {
HttpResponse AuthProblem(const Error& e) {
  HttpResponse r = ProblemResponse(e);
  if (r.status == 401) {
    r.headers.Set("WWW-Authenticate", e.code == Code::kUnauthenticated
                                          ? "Bearer realm=\"carbonx\""
                                          : "Bearer realm=\"carbonx\", error=\"invalid_token\"");
  }
  return r;
}
}  // namespace

void Router::Dispatch(HttpRequest&& req, Responder respond) const {
  Match m = Find(req.method, req.path);
  if (m.kind == MatchKind::kNotFound) {
    respond(ProblemResponse(Err(Code::kNotFound, "no route for " + req.path)));
    return;
  }
  if (m.kind == MatchKind::kMethodNotAllowed) {
    std::string allow;
    for (Method a : m.allowed) {
      if (!allow.empty()) allow += ", ";
      allow += MethodName(a);
    }
    HttpResponse r = ProblemResponse(
        Err(Code::kMethodNotAllowed, req.method_name + " is not allowed on " + req.path), 405);
    r.headers.Set("Allow", allow);
    respond(std::move(r));
    return;
  }
  const RouteSpec& route = *m.route;
  auto principal = Authenticate(req);
  if (!principal.ok()) {
    // A public route ignores a bad token rather than refusing an anonymous operation.
    if (!route.access.is_public()) {
      respond(AuthProblem(principal.error()));
      return;
    }
    principal = auth::Principal::Anonymous();
  }
  // Stamp the answer with the route and the user for logs and metrics (issue 10).
  respond = [respond = std::move(respond), pattern = route.pattern, uid = principal->authenticated ? principal->user_id : 0](
                HttpResponse r) {
    if (r.log_route.empty()) r.log_route = pattern;
    if (!r.log_user_id) r.log_user_id = uid;
    respond(std::move(r));
  };
  for (const FilterEntry& f : filters_) {
    if (f.async) {
      if (f.async(req, route, *principal, respond)) return;
      continue;
    }
    auto early = f.sync(req, route, *principal);
    if (early) {
      respond(std::move(*early));
      return;
    }
  }
  if (!route.access.Allows(*principal)) {
    if (!principal->authenticated) {
      respond(AuthProblem(Err(Code::kUnauthenticated, "sign in required")));
    } else {
      respond(ProblemResponse(
          Err(Code::kForbidden, "your roles do not allow " + std::string(MethodName(route.method)) +
                                    " " + route.pattern)));
    }
    return;
  }
  req.path_params = std::move(m.params);
  req.route_pattern = route.pattern;
  Responder guarded = MakeOnceResponder(std::move(respond));
  try {
    route.handler(std::move(req), *principal, guarded);
  } catch (const std::exception& e) {
    HttpResponse r = ProblemResponse(Err(Code::kInternal, "handler failed"));
    r.log_detail = e.what();
    guarded(std::move(r));
  } catch (...) {
    guarded(ProblemResponse(Err(Code::kInternal, "handler failed")));
  }
}

Result<void> Router::AddOpenApiRoute(std::string title, std::string version, std::string path) {
  RouteSpec s;
  s.method = Method::kGet;
  s.pattern = std::move(path);
  s.access = Access::Public();
  s.summary = "This OpenAPI 3 document";
  s.tag = "meta";
  s.handler = [this, title = std::move(title), version = std::move(version)](
                  HttpRequest&&, const auth::Principal&, Responder respond) {
    HttpResponse r = HttpResponse::Json(200, OpenApiJson(title, version));
    r.headers.Set("Cache-Control", "no-cache");
    respond(std::move(r));
  };
  return Add(std::move(s));
}

namespace {
std::string Lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}
json::object Ref(const std::string& name) {
  return json::object{{"$ref", "#/components/schemas/" + name}};
}
json::object ProblemRef(std::string_view description) {
  return json::object{
      {"description", description},
      {"content", json::object{{kProblemContentType, json::object{{"schema", Ref("Problem")}}}}}};
}
}  // namespace

std::string Router::OpenApiJson(std::string_view title, std::string_view version) const {
  json::object paths;
  std::set<std::string> referenced;
  std::set<std::string> op_ids;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const RouteSpec& r = routes_[i];
    json::object op;
    std::string op_id = r.operation_id;
    if (op_id.empty()) {
      op_id = Lower(MethodName(r.method));
      for (const auto& seg : compiled_[i]->segs) {
        if (seg.text == "api" || seg.text == "v1") continue;
        std::string t = seg.param ? "By_" + seg.text : seg.text;
        std::string cleaned;
        bool up = true;
        for (char ch : t) {
          if (std::isalnum(static_cast<unsigned char>(ch))) {
            cleaned += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
            up = false;
          } else {
            up = true;
          }
        }
        op_id += cleaned;
      }
    }
    while (!op_ids.insert(op_id).second) op_id += "_";
    op["operationId"] = op_id;
    if (!r.summary.empty()) op["summary"] = r.summary;
    if (!r.tag.empty()) op["tags"] = json::array{json::value(r.tag)};
    json::array params;
    for (const auto& seg : compiled_[i]->segs) {
      if (!seg.param) continue;
      params.push_back(json::object{{"name", seg.text},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", json::object{{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (!r.request_schema.empty()) {
      referenced.insert(r.request_schema);
      op["requestBody"] = json::object{
          {"required", true},
          {"content",
           json::object{{"application/json", json::object{{"schema", Ref(r.request_schema)}}}}}};
    }
    json::object responses;
    json::object ok{{"description", "Success"}};
    if (!r.response_schema.empty()) {
      referenced.insert(r.response_schema);
      ok["content"] =
          json::object{{"application/json", json::object{{"schema", Ref(r.response_schema)}}}};
    }
    responses[std::to_string(r.success_status)] = std::move(ok);
    if (!r.access.is_public()) {
      responses["401"] = ProblemRef("Not signed in, or the token is invalid or expired");
      responses["403"] = ProblemRef("The caller's roles do not allow this operation");
      op["security"] = json::array{json::object{{"bearerAuth", json::array{}}}};
    }
    json::array roles;
    if (r.access.kind == Access::Kind::kRoles) {
      for (const auto& n : r.access.roles.Names()) roles.push_back(json::value(n));
    }
    op["x-access"] = r.access.is_public() ? "public"
                     : r.access.kind == Access::Kind::kAnyUser ? "any-user" : "roles";
    if (!roles.empty()) op["x-roles"] = std::move(roles);
    responses["default"] = ProblemRef("Error (RFC 9457 problem details)");
    op["responses"] = std::move(responses);
    json::value& item = paths[r.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[Lower(MethodName(r.method))] = std::move(op);
  }
  json::object schemas;
  schemas["Problem"] = json::object{
      {"type", "object"},
      {"required", json::array{"type", "title", "status", "code"}},
      {"properties",
       json::object{{"type", json::object{{"type", "string"}, {"format", "uri"}}},
                    {"title", json::object{{"type", "string"}}},
                    {"status", json::object{{"type", "integer"}}},
                    {"code", json::object{{"type", "string"}}},
                    {"detail", json::object{{"type", "string"}}},
                    {"field", json::object{{"type", "string"}}}}}};
  for (const auto& [name, text] : schemas_) schemas[name] = json::parse(text);
  for (const auto& name : referenced) {
    if (!schemas.contains(name))
      schemas[name] = json::object{{"type", "object"}, {"description", "not yet documented"}};
  }
  json::object doc{
      {"openapi", "3.0.3"},
      {"info", json::object{{"title", title}, {"version", version}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{{"schemas", std::move(schemas)},
                    {"securitySchemes",
                     json::object{{"bearerAuth", json::object{{"type", "http"},
                                                              {"scheme", "bearer"},
                                                              {"bearerFormat", "JWT"}}}}}}}};
  return json::serialize(doc);
}

}  // namespace cx::api
