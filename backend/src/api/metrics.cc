#include "api/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace cx::api {
namespace {

enum Type : uint8_t { kCounter = 0, kGauge = 1, kHistogram = 2 };
const char* TypeName(int t) { return t == kCounter ? "counter" : t == kGauge ? "gauge" : "histogram"; }

void AtomicAdd(std::atomic<double>& a, double v) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

bool ValidName(std::string_view n, bool label) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return !(label && n.rfind("__", 0) == 0);
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

void EscapeLabel(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

void EscapeHelp(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

std::string LabelText(const MetricLabels& labels, const std::string* le = nullptr) {
  if (labels.empty() && !le) return "";
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += k;
    out += "=\"";
    EscapeLabel(out, v);
    out.push_back('"');
  }
  if (le) {
    if (!first) out.push_back(',');
    out += "le=\"" + *le + "\"";
  }
  out.push_back('}');
  return out;
}

}  // namespace

void Counter::Inc(double v) {
  if (v > 0) AtomicAdd(v_, v);
}
double Counter::value() const { return v_.load(std::memory_order_relaxed); }
void Gauge::Set(double v) { v_.store(v, std::memory_order_relaxed); }
void Gauge::Add(double v) { AtomicAdd(v_, v); }
double Gauge::value() const { return v_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}
double Histogram::sum() const { return sum_.load(std::memory_order_relaxed); }
uint64_t Histogram::count() const { return count_.load(std::memory_order_relaxed); }

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> k = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return k;
}

struct MetricsRegistry::Family {
  std::string help;
  int type = kCounter;
  std::vector<double> bounds;
  // Series in creation order; keyed by rendered label text.
  std::vector<std::pair<MetricLabels, std::string>> order;
  std::map<std::string, std::unique_ptr<Counter>> counters;
  std::map<std::string, std::unique_ptr<Gauge>> gauges;
  std::map<std::string, std::unique_ptr<Histogram>> histograms;
  std::map<std::string, std::function<double()>> callbacks;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family* MetricsRegistry::FamilyFor(const std::string& name, const std::string& help, int type,
                                                    const std::vector<double>* bounds) {
  if (!ValidName(name, false)) {
    std::cerr << "metrics: invalid metric name '" << name << "'\n";
    return nullptr;
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->help = help;
    f->type = type;
    if (bounds) f->bounds = *bounds;
    std::sort(f->bounds.begin(), f->bounds.end());
    it = families_.emplace(name, std::move(f)).first;
  }
  Family* f = it->second.get();
  if (f->type != type || (bounds && [&] {
        auto b = *bounds;
        std::sort(b.begin(), b.end());
        return b != f->bounds;
      }())) {
    std::cerr << "metrics: '" << name << "' re-registered with another type or buckets\n";
    return nullptr;
  }
  return f;
}

namespace {
template <class T>
T& Dummy() {
  static T t;
  return t;
}
bool ValidLabels(const MetricLabels& labels) {
  for (const auto& [k, v] : labels)
    if (!ValidName(k, true) || k == "le") return false;
  return true;
}
}  // namespace

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard l(mu_);
  Family* f = ValidLabels(labels) ? FamilyFor(name, help, kCounter, nullptr) : nullptr;
  if (!f) return Dummy<Counter>();
  std::string key = LabelText(labels);
  auto& slot = f->counters[key];
  if (!slot) {
    slot = std::make_unique<Counter>();
    f->order.emplace_back(labels, key);
  }
  return *slot;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help, const MetricLabels& labels) {
  std::lock_guard l(mu_);
  Family* f = ValidLabels(labels) ? FamilyFor(name, help, kGauge, nullptr) : nullptr;
  if (!f) return Dummy<Gauge>();
  std::string key = LabelText(labels);
  auto& slot = f->gauges[key];
  if (!slot) {
    slot = std::make_unique<Gauge>();
    if (!f->callbacks.count(key)) f->order.emplace_back(labels, key);
  }
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds, const MetricLabels& labels) {
  std::lock_guard l(mu_);
  Family* f = ValidLabels(labels) ? FamilyFor(name, help, kHistogram, &bounds) : nullptr;
  if (!f) {
    static Histogram dummy(std::vector<double>{1});
    return dummy;
  }
  std::string key = LabelText(labels);
  auto& slot = f->histograms[key];
  if (!slot) {
    slot = std::make_unique<Histogram>(f->bounds);
    f->order.emplace_back(labels, key);
  }
  return *slot;
}

void MetricsRegistry::AddGaugeCallback(const std::string& name, const std::string& help, const MetricLabels& labels,
                                       std::function<double()> fn) {
  std::lock_guard l(mu_);
  Family* f = ValidLabels(labels) ? FamilyFor(name, help, kGauge, nullptr) : nullptr;
  if (!f) return;
  std::string key = LabelText(labels);
  if (!f->callbacks.count(key) && !f->gauges.count(key)) f->order.emplace_back(labels, key);
  f->callbacks[key] = std::move(fn);
}

std::string MetricsRegistry::Render() const {
  std::lock_guard l(mu_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, f] : families_) {
    if (f->order.empty()) continue;
    out += "# HELP " + name + " ";
    EscapeHelp(out, f->help);
    out += "\n# TYPE " + name + " " + TypeName(f->type) + "\n";
    for (const auto& [labels, key] : f->order) {
      if (f->type == kCounter) {
        out += name + key + " " + FormatValue(f->counters.at(key)->value()) + "\n";
      } else if (f->type == kGauge) {
        double v = 0;
        if (auto c = f->callbacks.find(key); c != f->callbacks.end()) v = c->second();
        else v = f->gauges.at(key)->value();
        out += name + key + " " + FormatValue(v) + "\n";
      } else {
        const Histogram& h = *f->histograms.at(key);
        auto cum = h.CumulativeCounts();
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
          out += name + "_bucket" + LabelText(labels, &le) + " " + std::to_string(cum[i]) + "\n";
        }
        out += name + "_sum" + key + " " + FormatValue(h.sum()) + "\n";
        out += name + "_count" + key + " " + std::to_string(cum.back()) + "\n";
      }
    }
  }
  return out;
}

MetricsRegistry& Metrics() {
  static MetricsRegistry* r = new MetricsRegistry();  // never destroyed: used until exit
  return *r;
}

// ---------------------------------------------------------------- parser

namespace {

Error LineErr(size_t n, const std::string& why) {
  return Err(Code::kInvalidField, "metrics text line " + std::to_string(n) + ": " + why, "line " + std::to_string(n));
}

bool ParseDouble(std::string_view s, double& v) {
  if (s == "+Inf" || s == "Inf") {
    v = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    v = -INFINITY;
    return true;
  }
  if (s == "NaN") {
    v = NAN;
    return true;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// The family a sample belongs to: histogram samples end in _bucket/_sum/_count.
std::string FamilyOf(const std::string& sample, const std::map<std::string, std::string>& types) {
  if (types.count(sample)) return sample;
  for (const char* suf : {"_bucket", "_sum", "_count"}) {
    std::string s(suf);
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      std::string base = sample.substr(0, sample.size() - s.size());
      if (auto it = types.find(base); it != types.end() && (it->second == "histogram" || it->second == "summary"))
        return base;
    }
  }
  return "";
}

}  // namespace

Result<ParsedMetrics> ParsePrometheusText(std::string_view text) {
  ParsedMetrics out;
  size_t n = 0;
  while (!text.empty()) {
    ++n;
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return LineErr(n, "missing final newline");
    std::string_view line = text.substr(0, nl);
    text = text.substr(nl + 1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        bool is_type = line[2] == 'T';
        std::string_view rest = line.substr(7);
        auto sp = rest.find(' ');
        if (sp == std::string_view::npos) return LineErr(n, "HELP/TYPE without text");
        std::string name(rest.substr(0, sp));
        std::string_view val = rest.substr(sp + 1);
        if (!ValidName(name, false)) return LineErr(n, "bad metric name");
        if (is_type) {
          static const char* kTypes[] = {"counter", "gauge", "histogram", "summary", "untyped"};
          if (std::none_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return val == t; }))
            return LineErr(n, "unknown type");
          if (out.types.count(name)) return LineErr(n, "duplicate TYPE");
          out.types[name] = std::string(val);
        } else {
          std::string h;
          for (size_t i = 0; i < val.size(); ++i) {
            if (val[i] == '\\') {
              if (i + 1 >= val.size()) return LineErr(n, "bad escape");
              char e = val[++i];
              if (e == 'n') h.push_back('\n');
              else if (e == '\\') h.push_back('\\');
              else return LineErr(n, "bad escape");
            } else {
              h.push_back(val[i]);
            }
          }
          out.help[name] = std::move(h);
        }
      }
      continue;
    }
    MetricSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = std::string(line.substr(0, i));
    if (!ValidName(s.name, false)) return LineErr(n, "bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t k = i;
        while (i < line.size() && line[i] != '=') ++i;
        std::string key(line.substr(k, i - k));
        if (!ValidName(key, true) && key != "le") return LineErr(n, "bad label name");
        if (i + 1 >= line.size() || line[i + 1] != '"') return LineErr(n, "label value must be quoted");
        i += 2;
        std::string val;
        for (;;) {
          if (i >= line.size()) return LineErr(n, "unterminated label value");
          char c = line[i++];
          if (c == '"') break;
          if (c == '\\') {
            if (i >= line.size()) return LineErr(n, "bad escape");
            char e = line[i++];
            if (e == 'n') val.push_back('\n');
            else if (e == '\\' || e == '"') val.push_back(e);
            else return LineErr(n, "bad escape");
          } else {
            val.push_back(c);
          }
        }
        s.labels.emplace_back(std::move(key), std::move(val));
        if (i < line.size() && line[i] == ',') ++i;
        else if (i < line.size() && line[i] == '}') continue;
        else return LineErr(n, "expected , or }");
      }
    }
    if (i >= line.size() || line[i] != ' ') return LineErr(n, "expected a space before the value");
    std::string_view rest = line.substr(i + 1);
    auto sp = rest.find(' ');  // optional timestamp
    std::string_view v = rest.substr(0, sp);
    if (!ParseDouble(v, s.value)) return LineErr(n, "bad value");
    if (sp != std::string_view::npos) {
      int64_t ts = 0;
      auto t = rest.substr(sp + 1);
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), ts);
      if (ec != std::errc() || p != t.data() + t.size()) return LineErr(n, "bad timestamp");
    }
    if (!out.types.empty() && FamilyOf(s.name, out.types).empty()) return LineErr(n, "sample of an undeclared family");
    out.samples.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------- readiness

namespace {
std::mutex g_ready_mu;
ReadyPredicate& ReadySlot() {
  static ReadyPredicate* p = new ReadyPredicate();
  return *p;
}
}  // namespace

void SetReadyPredicate(ReadyPredicate p) {
  std::lock_guard l(g_ready_mu);
  ReadySlot() = std::move(p);
}

ReadyStatus CheckReady() {
  ReadyPredicate p;
  {
    std::lock_guard l(g_ready_mu);
    p = ReadySlot();
  }
  if (!p) return ReadyStatus{true, "serving"};
  return p();
}

}  // namespace cx::api
