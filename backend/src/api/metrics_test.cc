#include "api/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace cx::api {
namespace {

double Find(const ParsedMetrics& p, const std::string& name, const MetricLabels& labels) {
  for (const auto& s : p.samples)
    if (s.name == name && s.labels == labels) return s.value;
  return -1;
}

TEST(Metrics, RendersCountersGaugesAndParsesBack) {
  MetricsRegistry r;
  r.GetCounter("cx_requests_total", "Requests", {{"route", "/a"}, {"class", "2xx"}}).Inc();
  r.GetCounter("cx_requests_total", "Requests", {{"route", "/a"}, {"class", "2xx"}}).Inc(2);
  r.GetCounter("cx_requests_total", "Requests", {{"route", "/b"}, {"class", "5xx"}}).Inc();
  r.GetGauge("cx_queue_depth", "Queue").Set(7);
  r.AddGaugeCallback("cx_ws_clients", "Clients", {}, [] { return 3.0; });
  std::string text = r.Render();
  auto p = ParsePrometheusText(text);
  ASSERT_TRUE(p.ok()) << p.error().message << "\n" << text;
  EXPECT_EQ(p->types.at("cx_requests_total"), "counter");
  EXPECT_EQ(p->types.at("cx_queue_depth"), "gauge");
  EXPECT_EQ(Find(*p, "cx_requests_total", {{"route", "/a"}, {"class", "2xx"}}), 3);
  EXPECT_EQ(Find(*p, "cx_requests_total", {{"route", "/b"}, {"class", "5xx"}}), 1);
  EXPECT_EQ(Find(*p, "cx_queue_depth", {}), 7);
  EXPECT_EQ(Find(*p, "cx_ws_clients", {}), 3);
  EXPECT_EQ(p->help.at("cx_requests_total"), "Requests");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInf) {
  MetricsRegistry r;
  auto& h = r.GetHistogram("cx_latency_seconds", "Latency", {0.1, 1}, {{"route", "/x"}});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(5);
  auto p = ParsePrometheusText(r.Render());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(Find(*p, "cx_latency_seconds_bucket", {{"route", "/x"}, {"le", "0.1"}}), 2);
  EXPECT_EQ(Find(*p, "cx_latency_seconds_bucket", {{"route", "/x"}, {"le", "1"}}), 3);
  EXPECT_EQ(Find(*p, "cx_latency_seconds_bucket", {{"route", "/x"}, {"le", "+Inf"}}), 4);
  EXPECT_EQ(Find(*p, "cx_latency_seconds_count", {{"route", "/x"}}), 4);
  EXPECT_DOUBLE_EQ(Find(*p, "cx_latency_seconds_sum", {{"route", "/x"}}), 5.65);
}

TEST(Metrics, LabelValuesAreEscaped) {
  MetricsRegistry r;
  r.GetCounter("cx_odd_total", "Odd \\ help\nline", {{"v", "a\"b\\c\nd"}}).Inc();
  std::string text = r.Render();
  EXPECT_NE(text.find(R"(v="a\"b\\c\nd")"), std::string::npos) << text;
  auto p = ParsePrometheusText(text);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->samples.at(0).labels.at(0).second, "a\"b\\c\nd");
  EXPECT_EQ(p->help.at("cx_odd_total"), "Odd \\ help\nline");
}

TEST(Metrics, TypeMismatchAndBadNamesGiveDetachedSeries) {
  MetricsRegistry r;
  r.GetCounter("cx_x_total", "x").Inc();
  r.GetGauge("cx_x_total", "x").Set(9);  // wrong type: detached
  r.GetCounter("9bad", "bad").Inc();
  r.GetCounter("cx_y_total", "y", {{"__reserved", "1"}}).Inc();
  auto p = ParsePrometheusText(r.Render());
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->samples.size(), 1u);
  EXPECT_EQ(p->samples[0].value, 1);
}

TEST(Metrics, ParserRejectsMalformedText) {
  EXPECT_FALSE(ParsePrometheusText("x 1").ok());                       // no newline
  EXPECT_FALSE(ParsePrometheusText("x{a=1} 1\n").ok());                // unquoted
  EXPECT_FALSE(ParsePrometheusText("x{a=\"1} 1\n").ok());              // unterminated
  EXPECT_FALSE(ParsePrometheusText("x abc\n").ok());                   // bad value
  EXPECT_FALSE(ParsePrometheusText("# TYPE x counter\n# TYPE x gauge\n").ok());
  EXPECT_FALSE(ParsePrometheusText("# TYPE x counter\ny 1\n").ok());   // undeclared family
  EXPECT_TRUE(ParsePrometheusText("# TYPE x counter\nx 1 1700000000000\n").ok());
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry r;
  auto& c = r.GetCounter("cx_c_total", "c");
  auto& h = r.GetHistogram("cx_h_seconds", "h", LatencyBuckets());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.001);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value(), 40000);
  EXPECT_EQ(h.count(), 40000u);
}

TEST(Ready, DefaultIsReadyAndPredicateDecides) {
  EXPECT_TRUE(CheckReady().ready);
  SetReadyPredicate([] { return ReadyStatus{false, "replica lagging"}; });
  EXPECT_FALSE(CheckReady().ready);
  EXPECT_EQ(CheckReady().reason, "replica lagging");
  SetReadyPredicate(nullptr);
  EXPECT_TRUE(CheckReady().ready);
}

}  // namespace
}  // namespace cx::api
