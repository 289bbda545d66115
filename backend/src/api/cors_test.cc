#include "api/cors.h"

#include <gtest/gtest.h>

namespace cx::api {
namespace {

HttpRequest Req(Method m, std::string origin, bool preflight = false) {
  HttpRequest r;
  r.method = m;
  r.method_name = std::string(MethodName(m));
  r.path = "/api/v1/orders";
  if (!origin.empty()) r.headers.Set("Origin", std::move(origin));
  if (preflight) r.headers.Set("Access-Control-Request-Method", "POST");
  return r;
}

TEST(Cors, OriginsAreNormalizedAndValidated) {
  EXPECT_EQ(*CorsPolicy::NormalizeOrigin("HTTPS://App.Example.com"), "https://app.example.com");
  EXPECT_EQ(*CorsPolicy::NormalizeOrigin("https://app.example.com:443"), "https://app.example.com");
  EXPECT_EQ(*CorsPolicy::NormalizeOrigin("http://localhost:5173"), "http://localhost:5173");
  EXPECT_EQ(*CorsPolicy::NormalizeOrigin("http://[::1]:8080"), "http://[::1]:8080");
  for (const char* bad : {"*", "null", "app.example.com", "ftp://x", "https://", "https://a/b", "https://a:0",
                          "https://a:99999", "https://a:", "https://a b", "https://a?x", "https://[zz]"}) {
    auto r = CorsPolicy::NormalizeOrigin(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "cors_origin");
  }
  EXPECT_FALSE(CorsPolicy::Create({"https://ok.example", "*"}).ok());
}

TEST(Cors, PreflightFromAnAllowedOriginListsTheRoutesMethods) {
  auto p = *CorsPolicy::Create({"https://app.example.com"});
  auto req = Req(Method::kOptions, "https://app.example.com", true);
  ASSERT_TRUE(CorsPolicy::IsPreflight(req));
  auto r = p.Preflight(req, {Method::kGet, Method::kPost});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(*r.headers.Get("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(*r.headers.Get("Access-Control-Allow-Methods"), "GET, HEAD, POST");
  std::string allowed(*r.headers.Get("Access-Control-Allow-Headers"));
  for (const char* h : {"Authorization", "Content-Type", "X-CX-Key", "X-CX-Timestamp", "X-CX-Signature"})
    EXPECT_NE(allowed.find(h), std::string::npos) << h;
  EXPECT_NE(r.headers.Get("Vary")->find("Origin"), std::string_view::npos);
  EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Credentials"));
  // Unknown path: 404, no CORS grant.
  auto nf = p.Preflight(req, {});
  EXPECT_EQ(nf.status, 404);
  EXPECT_FALSE(nf.headers.Has("Access-Control-Allow-Origin"));
}

TEST(Cors, OtherOriginsGetNoCorsHeaders) {
  auto p = *CorsPolicy::Create({"https://app.example.com"});
  for (const char* o : {"https://evil.example", "https://app.example.com.evil.example", "http://app.example.com",
                        "https://app.example.com:8443", "null"}) {
    auto r = p.Preflight(Req(Method::kOptions, o, true), {Method::kPost});
    EXPECT_EQ(r.status, 403) << o;
    EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Origin")) << o;
    EXPECT_FALSE(r.headers.Has("Access-Control-Allow-Methods")) << o;
    HttpResponse actual;
    p.Decorate(std::string_view(o), actual);
    EXPECT_FALSE(actual.headers.Has("Access-Control-Allow-Origin")) << o;
    EXPECT_EQ(*actual.headers.Get("Vary"), "Origin");
  }
}

TEST(Cors, ActualResponsesToAnAllowedOrigin) {
  auto p = *CorsPolicy::Create({"http://localhost:5173"});
  HttpResponse r;
  r.headers.Set("Vary", "Accept-Encoding");
  p.Decorate(std::string_view("http://localhost:5173"), r);
  EXPECT_EQ(*r.headers.Get("Access-Control-Allow-Origin"), "http://localhost:5173");
  EXPECT_EQ(*r.headers.Get("Vary"), "Accept-Encoding, Origin");
  EXPECT_NE(r.headers.Get("Access-Control-Expose-Headers")->find("Retry-After"), std::string_view::npos);
  // No Origin header (same-origin or not a browser): only Vary.
  HttpResponse same;
  p.Decorate(std::nullopt, same);
  EXPECT_FALSE(same.headers.Has("Access-Control-Allow-Origin"));
  EXPECT_TRUE(same.headers.Has("Vary"));
}

TEST(Cors, AnEmptyListIsOff) {
  CorsPolicy off;
  EXPECT_FALSE(off.enabled());
  HttpResponse r;
  off.Decorate(std::string_view("https://x.example"), r);
  EXPECT_EQ(r.headers.size(), 0u);
  EXPECT_FALSE(off.Allowed("https://x.example"));
}

}  // namespace
}  // namespace cx::api
