// Metrics, health and readiness of the server (issue 10, operations).
//
// MetricsRegistry: counters, gauges and histograms with labels, rendered in the
// Prometheus text exposition format 0.0.4 (`GET /metrics`, content type
// "text/plain; version=0.0.4; charset=utf-8").
// - A metric family is a name ([a-zA-Z_:][a-zA-Z0-9_:]*) with help text and one type; a
//   series is the family plus label values. Label names follow [a-zA-Z_][a-zA-Z0-9_]*
//   and must not start with "__"; label values are escaped (\\, \", \n) when rendered.
// - Get*() returns a reference to the series, created on first use and alive as long as
//   the registry: look it up once and keep the reference (lookup takes a mutex, updating
//   a series is lock-free: relaxed atomics). Asking for an existing name with another type
//   (or a histogram with other buckets) is a programming error: the call returns a
//   detached dummy series that is never rendered and logs once to stderr.
// - Callback gauges (AddGaugeCallback) are read when rendering (queue depth, WebSocket
//   clients, Redis state): the callback must be cheap and thread-safe, and must not call
//   back into the registry.
// - Histograms: cumulative buckets (le="..."), _sum and _count, le="+Inf" always present.
//   Values are doubles (seconds for latencies, as Prometheus convention asks).
// Thread-safety: every method may be called from any thread.
//
// Process-wide defaults: Metrics() is the registry /metrics renders; other modules
// register their own series on it (e.g. Metrics().GetGauge("cx_cluster_lease_epoch",
// "...").Set(epoch)).
//
// Health and readiness (`GET /health`, `GET /ready`):
// - /health answers 200 {"status":"ok"} while the process serves HTTP.
// - /ready answers 200 {"ready":true,...} or 503 {"ready":false,"reason":"..."} from the
//   predicate set with SetReadyPredicate (the cluster code sets it: leader with the engine
//   running, or a replica caught up within --ready-lag-ms). Default (none set): ready.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cx::api {

// Label name/value pairs; the order given is the order rendered (keep it the same for a family).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1.0);  // v < 0 is ignored (counters only go up)
  double value() const;

 private:
  std::atomic<double> v_{0.0};
};

class Gauge {
 public:
  void Set(double v);
  void Add(double v);
  double value() const;

 private:
  std::atomic<double> v_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // sorted ascending, without +Inf
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound (last = +Inf = count), sum, count.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const;
  uint64_t count() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket (not cumulative), +1 for +Inf
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
};

// Default latency buckets in seconds: 0.5 ms .. 10 s.
const std::vector<double>& LatencyBuckets();

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& GetCounter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                          const MetricLabels& labels = {});
  // A gauge whose value is read from `fn` at render time. A second callback for the same
  // name + labels replaces the first.
  void AddGaugeCallback(const std::string& name, const std::string& help, const MetricLabels& labels,
                        std::function<double()> fn);

  // Prometheus text format 0.0.4: "# HELP", "# TYPE", then one line per sample; families
  // sorted by name, series in creation order.
  std::string Render() const;

 private:
  struct Family;
  Family* FamilyFor(const std::string& name, const std::string& help, int type, const std::vector<double>* bounds);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

// The process-wide registry served at /metrics.
MetricsRegistry& Metrics();

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// One parsed sample line of the text format (for tests and tools): name, labels, value.
struct MetricSample {
  std::string name;
  MetricLabels labels;
  double value = 0;
};
struct ParsedMetrics {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram|...
  std::map<std::string, std::string> help;   // family -> help text (unescaped)
  std::vector<MetricSample> samples;
};
// Strict parser of the 0.0.4 text format; kInvalidField (field "line N") on a malformed line,
// a sample of an undeclared family type mismatch, a duplicate TYPE, or bad escapes.
Result<ParsedMetrics> ParsePrometheusText(std::string_view text);

// Readiness (GET /ready).
struct ReadyStatus {
  bool ready = true;
  std::string reason;  // why not (or a short note when ready, e.g. "leader", "replica lag 12 ms")
};
using ReadyPredicate = std::function<ReadyStatus()>;
// Process-wide; thread-safe. The predicate must be cheap and thread-safe (called on io threads).
void SetReadyPredicate(ReadyPredicate p);
ReadyStatus CheckReady();

}  // namespace cx::api
