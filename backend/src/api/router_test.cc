#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "api/problem.h"
#include "api/router.h"
#include "auth/jwt.h"

namespace cx::api {
namespace {
namespace json = boost::json;
using auth::Role;
std::string Str(const json::value& v) { return std::string(v.as_string()); }
using auth::RoleSet;

constexpr int64_t kNow = 1'800'000'000;

Handler Echo(std::string tag) {
  return [tag](HttpRequest&& req, const auth::Principal& p, Responder respond) {
    json::object o{{"tag", tag}, {"user", p.user_id}};
    for (const auto& [k, v] : req.path_params) o["p_" + k] = v;
    respond(HttpResponse::Json(200, json::serialize(o)));
  };
}

HttpRequest Req(Method m, const std::string& target, const std::string& token = {}) {
  HttpRequest r;
  r.method = m;
  r.method_name = std::string(MethodName(m));
  r.target = target;
  EXPECT_TRUE(ParseTarget(target, r.path, r.query));
  if (!token.empty()) r.headers.Set("Authorization", "Bearer " + token);
  return r;
}

HttpResponse Call(const Router& router, HttpRequest req) {
  HttpResponse out;
  bool called = false;
  router.Dispatch(std::move(req), [&](HttpResponse r) {
    out = std::move(r);
    called = true;
  });
  EXPECT_TRUE(called);
  return out;
}

json::object Body(const HttpResponse& r) { return json::parse(r.body).as_object(); }

struct Fixture {
  Router router;
  auth::JwtCodec codec = std::move(auth::JwtCodec::Create(std::string(32, 's'), 600)).value();
  int64_t now = kNow;
  Fixture() {
    router.SetAuthenticator([this](std::string_view tok) -> Result<auth::Principal> {
      CX_ASSIGN_OR_RETURN(auto c, codec.Verify(tok, now));
      return c.ToPrincipal();
    });
    EXPECT_TRUE(router.Add(RouteSpec(Method::kGet, "/api/v1/health", Access::Public(), Echo("health"))).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kGet, "/api/v1/projects", Access::AnyUser(), Echo("list"))).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kPost, "/api/v1/projects",
                                     Access::Roles({Role::kProjectDeveloper}), Echo("create"))
                               .Doc("Register a project", "ProjectCreate", "Project", 201)).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kGet, "/api/v1/projects/{id}", Access::AnyUser(), Echo("get"))).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kGet, "/api/v1/projects/export", Access::Roles({Role::kAuditor}),
                            Echo("export"))).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kPost, "/api/v1/projects/{id}/submit",
                            Access::Roles({Role::kProjectDeveloper, Role::kAdmin}), Echo("submit"))).ok());
    EXPECT_TRUE(router.Add(RouteSpec(Method::kPost, "/api/v1/issuances/{iid}/approve/{vid}",
                            Access::Roles({Role::kVerifier}), Echo("approve"))).ok());
  }
  std::string Token(int64_t user, const RoleSet& roles) { return *codec.Issue(user, roles, now); }
};

TEST(Router, MatchesLiteralsAndParams) {
  Fixture f;
  auto m = f.router.Find(Method::kPost, "/api/v1/issuances/12/approve/34");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/issuances/{iid}/approve/{vid}");
  EXPECT_EQ(m.params.at("iid"), "12");
  EXPECT_EQ(m.params.at("vid"), "34");
  // Literal beats parameter regardless of insertion order.
  m = f.router.Find(Method::kGet, "/api/v1/projects/export");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/projects/export");
  m = f.router.Find(Method::kGet, "/api/v1/projects/7");
  ASSERT_EQ(m.kind, Router::MatchKind::kFound);
  EXPECT_EQ(m.params.at("id"), "7");
  // Empty segment does not match a parameter; trailing slash is a different path.
  EXPECT_EQ(f.router.Find(Method::kGet, "/api/v1/projects//submit").kind,
            Router::MatchKind::kNotFound);
  EXPECT_EQ(f.router.Find(Method::kGet, "/api/v1/health/").kind, Router::MatchKind::kNotFound);
  EXPECT_EQ(f.router.Find(Method::kGet, "/api/v1/nothing").kind, Router::MatchKind::kNotFound);
  // HEAD is served by GET.
  EXPECT_EQ(f.router.Find(Method::kHead, "/api/v1/health").kind, Router::MatchKind::kFound);
}

TEST(Router, DistinguishesMethodNotAllowedFromNotFound) {
  Fixture f;
  auto m = f.router.Find(Method::kDelete, "/api/v1/projects");
  ASSERT_EQ(m.kind, Router::MatchKind::kMethodNotAllowed);
  auto r = Call(f.router, Req(Method::kDelete, "/api/v1/projects"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(*r.headers.Get("allow"), "GET, POST, HEAD");
  EXPECT_EQ(Str(Body(r).at("code")), "REQUEST_METHOD_NOT_ALLOWED");
  r = Call(f.router, Req(Method::kGet, "/api/v1/zzz"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Str(Body(r).at("code")), "REQUEST_NOT_FOUND");
}

TEST(Router, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "no-slash", Access::Public(), Echo("x"))).ok());
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "/a/{id", Access::Public(), Echo("x"))).ok());
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "/a/x{id}", Access::Public(), Echo("x"))).ok());
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "/a/{id}/{id}", Access::Public(), Echo("x"))).ok());
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "/a", Access::Public(), nullptr)).ok());
  EXPECT_FALSE(r.Add(RouteSpec(Method::kGet, "/a", Access::Roles({}), Echo("x"))).ok());
  ASSERT_TRUE(r.Add(RouteSpec(Method::kGet, "/a/{id}", Access::Public(), Echo("x"))).ok());
  auto dup = r.Add(RouteSpec(Method::kGet, "/a/{other}", Access::Public(), Echo("y")));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Code::kConflict);
  EXPECT_TRUE(r.Add(RouteSpec(Method::kPost, "/a/{id}", Access::Public(), Echo("y"))).ok());
  EXPECT_EQ(r.routes().size(), 2u);
}

TEST(Router, AuthenticationAndRoles) {
  Fixture f;
  // Public: no token needed; a bad token on a public route is ignored.
  EXPECT_EQ(Call(f.router, Req(Method::kGet, "/api/v1/health")).status, 200);
  EXPECT_EQ(Call(f.router, Req(Method::kGet, "/api/v1/health", "garbage")).status, 200);
  // No token -> 401 AUTH_UNAUTHENTICATED with WWW-Authenticate.
  auto r = Call(f.router, Req(Method::kGet, "/api/v1/projects"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Str(Body(r).at("code")), "AUTH_UNAUTHENTICATED");
  EXPECT_TRUE(r.headers.Has("WWW-Authenticate"));
  // Bad token -> AUTH_BAD_TOKEN.
  r = Call(f.router, Req(Method::kGet, "/api/v1/projects", "a.b.c"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Str(Body(r).at("code")), "AUTH_BAD_TOKEN");
  // Not a Bearer scheme.
  auto basic = Req(Method::kGet, "/api/v1/projects");
  basic.headers.Set("Authorization", "Basic dXNlcjpwYXNz");
  auto basic_reply = Call(f.router, std::move(basic));
  EXPECT_EQ(Body(basic_reply).at("code"), json::value("AUTH_BAD_TOKEN"));
  // Expired.
  std::string tok = f.Token(5, {Role::kTrader});
  f.now += 601;
  r = Call(f.router, Req(Method::kGet, "/api/v1/projects", tok));
  EXPECT_EQ(Str(Body(r).at("code")), "AUTH_TOKEN_EXPIRED");
  f.now = kNow;
  // Any user may list; the principal reaches the handler.
  r = Call(f.router, Req(Method::kGet, "/api/v1/projects", tok));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).at("user"), json::value(5));
  // Wrong role -> 403.
  r = Call(f.router, Req(Method::kPost, "/api/v1/projects", tok));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Str(Body(r).at("code")), "AUTH_FORBIDDEN");
  // One of several allowed roles suffices.
  r = Call(f.router, Req(Method::kPost, "/api/v1/projects/9/submit", f.Token(6, {Role::kAdmin})));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).at("p_id"), json::value("9"));
}

TEST(Router, EveryRouteRefusesAnonymousAndWrongRoles) {
  // The pattern the route x role test of issue 4 follows: walk the table.
  Fixture f;
  for (const RouteSpec& route : f.router.routes()) {
    std::string path = route.pattern;
    for (size_t p; (p = path.find('{')) != std::string::npos;)
      path.replace(p, path.find('}', p) - p + 1, "1");
    auto anon = Call(f.router, Req(route.method, path));
    EXPECT_EQ(anon.status, route.access.is_public() ? 200 : 401) << route.pattern;
    for (Role role : auth::kAllRoles) {
      auth::Principal p{1, {role}, true, "", 0};
      auto res = Call(f.router, Req(route.method, path, f.Token(1, {role})));
      EXPECT_EQ(res.status, route.access.Allows(p) ? 200 : 403)
          << route.pattern << " " << auth::RoleName(role);
    }
  }
}

TEST(Router, FiltersCanAuthenticateOrAnswerEarly) {
  Fixture f;
  // An API-key style filter: a header yields a principal; a rate limiter answers 429.
  f.router.AddFilter([](const HttpRequest& req, const RouteSpec&, auth::Principal& p)
                         -> std::optional<HttpResponse> {
    if (req.Header("X-Api-Key") == std::optional<std::string_view>("key-of-77")) {
      p = auth::Principal{77, {Role::kAuditor}, true, "apikey", 0};
    }
    return std::nullopt;
  });
  f.router.AddFilter([](const HttpRequest& req, const RouteSpec& route, auth::Principal&)
                         -> std::optional<HttpResponse> {
    if (req.Header("X-Flood") && !route.access.is_public())
      return HttpResponse::Problem(Err(Code::kRateLimited, "slow down"));
    return std::nullopt;
  });
  auto keyed = Req(Method::kGet, "/api/v1/projects/export");
  keyed.headers.Set("X-Api-Key", "key-of-77");
  auto r = Call(f.router, std::move(keyed));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r).at("user"), json::value(77));
  auto flood = Req(Method::kGet, "/api/v1/projects", f.Token(5, {Role::kTrader}));
  flood.headers.Set("X-Flood", "1");
  r = Call(f.router, std::move(flood));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Str(Body(r).at("code")), "REQUEST_RATE_LIMITED");
  // Without the key the route still refuses.
  EXPECT_EQ(Call(f.router, Req(Method::kGet, "/api/v1/projects/export")).status, 401);
}

// An async filter takes some requests over and answers them later from another thread
// (cluster forwarding); the rest go on through later filters to the handler.
TEST(Router, AsyncFiltersTakeRequestsOverAndAnswerLater) {
  Fixture f;
  std::vector<std::pair<HttpRequest, Responder>> taken;
  int later_filter_runs = 0;
  f.router.AddAsyncFilter([&](HttpRequest& req, const RouteSpec&, auth::Principal&, Responder& respond) {
    if (!req.Header("X-Divert")) return false;
    taken.emplace_back(std::move(req), std::move(respond));
    return true;
  });
  f.router.AddFilter([&](const HttpRequest&, const RouteSpec&, auth::Principal&) -> std::optional<HttpResponse> {
    ++later_filter_runs;
    return std::nullopt;
  });
  auto diverted = Req(Method::kGet, "/api/v1/projects/7", f.Token(5, {Role::kTrader}));
  diverted.headers.Set("X-Divert", "1");
  diverted.body = "payload";
  HttpResponse out;
  int calls = 0;
  f.router.Dispatch(std::move(diverted), [&](HttpResponse r) {
    out = std::move(r);
    ++calls;
  });
  EXPECT_EQ(calls, 0);  // not answered yet
  EXPECT_EQ(later_filter_runs, 0);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].first.body, "payload");
  std::thread([&] { taken[0].second(HttpResponse::Json(202, "{}")); }).join();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out.status, 202);
  EXPECT_EQ(out.log_route, "/api/v1/projects/{id}");  // still stamped with the route
  // Without the header: the next filter and the handler run as usual.
  auto plain = Call(f.router, Req(Method::kGet, "/api/v1/projects/7", f.Token(5, {Role::kTrader})));
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(later_filter_runs, 1);
}

TEST(Router, HandlerExceptionsBecome500AndDroppedResponderToo) {
  Router r;
  ASSERT_TRUE(r.Add(RouteSpec(Method::kGet, "/throw", Access::Public(),
                     [](HttpRequest&&, const auth::Principal&, Responder) {
                       throw std::runtime_error("boom");
                     })).ok());
  ASSERT_TRUE(r.Add(RouteSpec(Method::kGet, "/drop", Access::Public(),
                     [](HttpRequest&&, const auth::Principal&, Responder) {})).ok());
  auto res = Call(r, Req(Method::kGet, "/throw"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(Body(res).at("code"), json::value("INTERNAL"));
  EXPECT_EQ(Call(r, Req(Method::kGet, "/drop")).status, 500);
}

TEST(Router, ResponderIsCallableOnceFromAnotherThread) {
  int calls = 0;
  int status = 0;
  Responder resp = MakeOnceResponder([&](HttpResponse r) {
    ++calls;
    status = r.status;
  });
  std::thread t([resp] {
    resp(HttpResponse::Json(201, "{}"));
    resp(HttpResponse::Json(500, "{}"));  // ignored
  });
  t.join();
  resp(HttpResponse::Json(502, "{}"));  // ignored
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(status, 201);
}

TEST(Problem, JsonShapeFollowsRfc9457) {
  auto r = ProblemResponse(Err(Code::kInsufficientCredits, "only 3 t held", "quantity"));
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.status, HttpStatus(Code::kInsufficientCredits));
  auto o = Body(r);
  std::string code(CodeName(Code::kInsufficientCredits));
  EXPECT_EQ(o.at("type"), json::value("https://carbonx.dev/errors/" + code));
  EXPECT_EQ(o.at("code"), json::value(code));
  EXPECT_EQ(o.at("status"), json::value(r.status));
  EXPECT_EQ(o.at("detail"), json::value("only 3 t held"));
  EXPECT_EQ(o.at("field"), json::value("quantity"));
  EXPECT_TRUE(o.at("title").is_string());
  // No field -> no "field" member; detail is JSON-escaped.
  auto o2 = json::parse(ProblemJson(Err(Code::kNotFound, "quote \" and \n newline"))).as_object();
  EXPECT_FALSE(o2.contains("field"));
  EXPECT_EQ(o2.at("detail"), json::value("quote \" and \n newline"));
  EXPECT_EQ(o2.at("status"), json::value(404));
}

TEST(OpenApi, DocumentsEveryRoute) {
  Fixture f;
  ASSERT_TRUE(f.router.AddSchema("Project", R"({"type":"object","properties":{"id":{"type":"string"}}})").ok());
  EXPECT_FALSE(f.router.AddSchema("Bad", "[1,2").ok());
  ASSERT_TRUE(f.router.AddOpenApiRoute("CarbonXchange", "1.0.0").ok());
  auto res = Call(f.router, Req(Method::kGet, "/api/v1/openapi.json"));
  ASSERT_EQ(res.status, 200);
  auto doc = Body(res);
  EXPECT_EQ(doc.at("openapi"), json::value("3.0.3"));
  const auto& paths = doc.at("paths").as_object();
  size_t ops = 0;
  for (const auto& [p, item] : paths) ops += item.as_object().size();
  EXPECT_EQ(ops, f.router.routes().size());
  const auto& create = paths.at("/api/v1/projects").at("post").as_object();
  EXPECT_EQ(create.at("summary"), json::value("Register a project"));
  EXPECT_EQ(create.at("x-roles").as_array().at(0), json::value("project_developer"));
  EXPECT_TRUE(create.contains("security"));
  EXPECT_TRUE(create.at("responses").as_object().contains("201"));
  EXPECT_EQ(create.at("requestBody").at("content").at("application/json").at("schema").at("$ref"),
            json::value("#/components/schemas/ProjectCreate"));
  const auto& schemas = doc.at("components").at("schemas").as_object();
  EXPECT_TRUE(schemas.contains("Problem"));
  EXPECT_TRUE(schemas.contains("ProjectCreate"));  // referenced, placeholder
  EXPECT_EQ(schemas.at("Project").at("type"), json::value("object"));
  const auto& approve = paths.at("/api/v1/issuances/{iid}/approve/{vid}").at("post").as_object();
  EXPECT_EQ(approve.at("parameters").as_array().size(), 2u);
  const auto& health = paths.at("/api/v1/health").at("get").as_object();
  EXPECT_FALSE(health.contains("security"));
  // operationIds are unique.
  std::set<std::string> ids;
  for (const auto& [p, item] : paths)
    for (const auto& [m, op] : item.as_object())
      EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second);
}

TEST(HttpTypes, TargetParsingAndHeaders) {
  std::string path;
  std::map<std::string, std::string> q;
  ASSERT_TRUE(ParseTarget("/a%20b/c?x=1&y=hello+world&z=%41&flag", path, q));
  EXPECT_EQ(path, "/a b/c");
  EXPECT_EQ(q.at("x"), "1");
  EXPECT_EQ(q.at("y"), "hello world");
  EXPECT_EQ(q.at("z"), "A");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_FALSE(ParseTarget("http://x/a", path, q));
  EXPECT_FALSE(ParseTarget("/a%2", path, q));
  EXPECT_FALSE(ParseTarget("/a%zz", path, q));
  EXPECT_FALSE(ParseTarget("/a%00b", path, q));
  Headers h;
  h.Add("Content-Type", "a");
  h.Add("X-Multi", "1");
  h.Add("x-multi", "2");
  EXPECT_EQ(*h.Get("content-type"), "a");
  EXPECT_EQ(*h.Get("X-MULTI"), "1");
  h.Set("X-Multi", "3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(*h.Get("x-multi"), "3");
  EXPECT_FALSE(h.Get("missing"));
  EXPECT_EQ(ParseMethod("PATCH"), Method::kPatch);
  EXPECT_EQ(ParseMethod("BREW"), Method::kOther);
}

}  // namespace
}  // namespace cx::api

namespace cx::api {
TEST(HttpTypes, HostOfDropsThePort) {
  EXPECT_EQ(HostOf("127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(HostOf("[::1]:443"), "::1");
  EXPECT_EQ(HostOf("host-without-port"), "host-without-port");
  EXPECT_EQ(HostOf(""), "");
}
}  // namespace cx::api
