#include "app/ops.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <unistd.h>

#include <filesystem>

#include "api/metrics.h"

namespace cx::app {
namespace {
namespace json = boost::json;

api::AccessLogEntry Entry(const std::string& route, int status, const std::string& body = {}) {
  api::AccessLogEntry e;
  e.method = "GET";
  e.target = "/api/v1/x/7?secret=1";
  e.remote = "127.0.0.1:5000";
  e.status = status;
  e.duration_us = 1500;
  e.route = route;
  e.user_id = 3;
  e.request_id = "r-1";
  e.error_body = body;
  return e;
}

TEST(Ops, GroupsServerErrorsByRouteAndCode) {
  Ops ops(OpsOptions{});
  ops.OnAccess(Entry("/api/v1/x/{id}", 200));
  ops.OnAccess(Entry("/api/v1/x/{id}", 404));
  ops.OnAccess(Entry("/api/v1/x/{id}", 500, R"({"code":"STORE_ERROR","detail":"disk full"})"));
  ops.OnAccess(Entry("/api/v1/x/{id}", 500, R"({"code":"STORE_ERROR","detail":"disk still full"})"));
  ops.OnAccess(Entry("/api/v1/y", 503, R"({"code":"UNAVAILABLE","detail":"not the leader"})"));
  auto e = Entry("/api/v1/z", 500, R"({"code":"INTERNAL","detail":"handler failed"})");
  e.detail = "std::bad_alloc";
  ops.OnAccess(e);
  ops.RecordError("worker", "alert_scan", "scan failed", "sqlite busy");
  json::value v = json::parse(ops.ErrorsJson());
  const auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  int found = 0;
  for (const auto& it : items) {
    const auto& o = it.as_object();
    if (o.at("code").as_string() == "STORE_ERROR") {
      ++found;
      EXPECT_EQ(o.at("count").as_int64(), 2);
      EXPECT_EQ(o.at("route").as_string(), "/api/v1/x/{id}");
      EXPECT_EQ(o.at("sample").at("message").as_string(), "disk still full");  // the latest sample
      EXPECT_EQ(o.at("sample").at("path").as_string(), "/api/v1/x/7");        // no query string
      EXPECT_EQ(o.at("sample").at("request_id").as_string(), "r-1");
      EXPECT_EQ(o.at("sample").at("user_id").as_int64(), 3);
      EXPECT_LE(o.at("first_seen").as_string(), o.at("last_seen").as_string());
    }
    if (o.at("code").as_string() == "INTERNAL" && o.at("route").as_string() == "/api/v1/z") {
      ++found;
      EXPECT_EQ(o.at("kind").as_string(), "exception");
      EXPECT_EQ(o.at("sample").at("detail").as_string(), "std::bad_alloc");
    }
    if (o.at("kind").as_string() == "worker") ++found;
  }
  EXPECT_EQ(found, 3);
}

TEST(Ops, ErrorGroupsAreBounded) {
  Ops ops(OpsOptions{});
  for (size_t i = 0; i < Ops::kMaxErrorGroups + 50; ++i)
    ops.OnAccess(Entry("/r/" + std::to_string(i), 500, R"({"code":"INTERNAL"})"));
  json::value v = json::parse(ops.ErrorsJson());
  EXPECT_EQ(v.at("items").as_array().size(), Ops::kMaxErrorGroups + 1);  // + "other"
}

TEST(Ops, PageViewsValidatedAndPersisted) {
  auto dir = std::filesystem::temp_directory_path() / ("cx-ops-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  OpsOptions o;
  o.usage_file = (dir / "usage.json").string();
  {
    Ops ops(o);
    EXPECT_TRUE(ops.RecordPageView("/markets/:id").ok());
    EXPECT_TRUE(ops.RecordPageView("/markets/:id").ok());
    EXPECT_EQ(ops.RecordPageView("/x?email=a@b.c").error().code, Code::kInvalidField);
    EXPECT_FALSE(ops.RecordPageView("no-slash").ok());
    EXPECT_FALSE(ops.RecordPageView("").ok());
    ops.OnAccess(Entry("/api/v1/x/{id}", 200));
  }  // saved at destruction
  Ops again(o);
  json::value v = json::parse(again.UsageJson());
  EXPECT_EQ(v.at("pages").at(0).at("route").as_string(), "/markets/:id");
  EXPECT_EQ(v.at("pages").at(0).at("count").as_int64(), 2);
  EXPECT_EQ(v.at("api").at(0).at("route").as_string(), "GET /api/v1/x/{id}");
  std::filesystem::remove_all(dir);
}

TEST(Ops, RequestMetricsUseRouteTemplates) {
  Ops ops(OpsOptions{});
  ops.OnAccess(Entry("/api/v1/q/{id}", 201));
  ops.OnAccess(Entry("", 404));
  auto p = api::ParsePrometheusText(api::Metrics().Render());
  ASSERT_TRUE(p.ok()) << p.error().message;
  bool templ = false, unmatched = false;
  for (const auto& s : p->samples) {
    if (s.name != "cx_http_requests_total") continue;
    for (const auto& [k, v] : s.labels) {
      templ = templ || (k == "route" && v == "/api/v1/q/{id}");
      unmatched = unmatched || (k == "route" && v == "unmatched");
    }
  }
  EXPECT_TRUE(templ);
  EXPECT_TRUE(unmatched);
}

}  // namespace
}  // namespace cx::app
