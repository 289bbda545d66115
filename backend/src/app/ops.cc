#include "app/ops.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <ctime>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>

#include "api/json_util.h"
#include "api/metrics.h"
#include "app/redis_bus.h"

namespace cx::app {
namespace json = boost::json;
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoTime(int64_t ms) {
  std::time_t s = ms / 1000;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string StatusClass(int status) { return std::to_string(status / 100) + "xx"; }

std::string WithoutQuery(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

struct Ops::Impl {
  OpsOptions opt;
  mutable std::mutex mu;
  struct ErrorGroup {
    std::string route, code, kind;
    int status = 0;
    int64_t first_ms = 0, last_ms = 0, count = 0;
    json::object sample;
  };
  std::map<std::string, ErrorGroup> errors;
  std::map<std::string, int64_t> pages;   // route name -> views
  std::map<std::string, int64_t> api;     // "METHOD template" -> calls
  int64_t since_ms = 0;
  mutable int64_t saved_ms = 0;
  bool dirty = false;
  mutable std::mutex log_mu;
  // Series cache: (route, method, class) -> counter / histogram.
  std::mutex series_mu;
  std::map<std::string, std::pair<api::Counter*, api::Histogram*>> series;

  void AddError(const std::string& kind, const std::string& route, int status, const std::string& code,
                json::object sample) {
    std::string key = route + "|" + std::to_string(status) + "|" + code + "|" + kind;
    std::lock_guard l(mu);
    if (!errors.count(key) && errors.size() >= kMaxErrorGroups) key = "other";
    auto& g = errors[key];
    if (g.count == 0) {
      g.route = key == "other" ? "*" : route;
      g.code = key == "other" ? "*" : code;
      g.kind = key == "other" ? "other" : kind;
      g.status = status;
      g.first_ms = NowMs();
    }
    g.last_ms = NowMs();
    ++g.count;
    g.sample = std::move(sample);
    api::Metrics().GetCounter("cx_errors_total", "Server errors by kind", {{"kind", g.kind}}).Inc();
  }

  void Load() {
    if (opt.usage_file.empty()) return;
    std::ifstream f(opt.usage_file);
    if (!f) return;
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      std::cerr << "carbonx: " << opt.usage_file << " is not valid JSON; usage counts start afresh\n";
      return;
    }
    auto& o = v.as_object();
    if (auto* s = o.if_contains("since_ms"); s && s->is_int64()) since_ms = s->as_int64();
    auto load = [](const json::value* src, std::map<std::string, int64_t>& dst) {
      if (!src || !src->is_object()) return;
      for (const auto& [k, n] : src->as_object())
        if (n.is_int64()) dst[std::string(k)] = n.as_int64();
    };
    load(o.if_contains("pages"), pages);
    load(o.if_contains("api"), api);
  }

  void SaveLocked() const {
    if (opt.usage_file.empty()) return;
    json::object o;
    o["since_ms"] = since_ms;
    json::object p, a;
    for (const auto& [k, n] : pages) p[k] = n;
    for (const auto& [k, n] : api) a[k] = n;
    o["pages"] = std::move(p);
    o["api"] = std::move(a);
    std::string tmp = opt.usage_file + ".tmp";
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << json::serialize(o);
      if (!f) return;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, opt.usage_file, ec);
    saved_ms = NowMs();
  }

  void MaybeSaveLocked() {
    dirty = true;
    if (NowMs() - saved_ms >= 10'000) {
      SaveLocked();
      dirty = false;
    }
  }
};

Ops::Ops(OpsOptions o) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(o);
  impl_->since_ms = NowMs();
  impl_->Load();
}

Ops::~Ops() { Save(); }

bool Ops::json_logs() const { return impl_->opt.json_logs; }

void Ops::Save() const {
  std::lock_guard l(impl_->mu);
  impl_->SaveLocked();
}

void Ops::Log(const char* level, const std::string& msg,
              const std::vector<std::pair<std::string, std::string>>& fields) const {
  if (!impl_->opt.json_logs) {
    std::lock_guard l(impl_->log_mu);
    std::cerr << "carbonx: " << msg << "\n";
    return;
  }
  json::object o;
  o["ts"] = IsoTime(NowMs());
  o["level"] = level;
  o["msg"] = msg;
  if (!impl_->opt.node_id.empty()) o["node"] = impl_->opt.node_id;
  for (const auto& [k, v] : fields) o[k] = v;
  std::string line = json::serialize(o);
  std::lock_guard l(impl_->log_mu);
  std::cout << line << std::endl;
}

void Ops::OnAccess(const api::AccessLogEntry& e) {
  const std::string route = e.route.empty() ? "unmatched" : e.route;
  const std::string cls = StatusClass(e.status);
  api::Counter* counter = nullptr;
  api::Histogram* hist = nullptr;
  {
    std::string key = route + "|" + e.method + "|" + cls;
    std::lock_guard l(impl_->series_mu);
    auto it = impl_->series.find(key);
    if (it == impl_->series.end()) {
      auto& m = api::Metrics();
      auto* c = &m.GetCounter("cx_http_requests_total", "HTTP requests by route template, method and status class",
                              {{"route", route}, {"method", e.method}, {"class", cls}});
      auto* h = &m.GetHistogram("cx_http_request_seconds", "HTTP request latency by route template and status class",
                                api::LatencyBuckets(), {{"route", route}, {"class", cls}});
      it = impl_->series.emplace(key, std::make_pair(c, h)).first;
    }
    counter = it->second.first;
    hist = it->second.second;
  }
  counter->Inc();
  hist->Observe(static_cast<double>(e.duration_us) / 1e6);
  if (!e.route.empty() && e.route.rfind("/api/", 0) == 0) {
    std::lock_guard l(impl_->mu);
    ++impl_->api[e.method + " " + e.route];
    impl_->MaybeSaveLocked();
  }
  std::string code;
  std::string message;
  if (e.status >= 500) {
    boost::system::error_code ec;
    json::value v = json::parse(e.error_body, ec);
    if (!ec && v.is_object()) {
      if (auto* c = v.as_object().if_contains("code"); c && c->is_string()) code = std::string(c->as_string());
      if (auto* d = v.as_object().if_contains("detail"); d && d->is_string()) message = std::string(d->as_string());
    }
    if (code.empty()) code = "HTTP_" + std::to_string(e.status);
    json::object sample;
    sample["request_id"] = e.request_id;
    sample["method"] = e.method;
    sample["path"] = WithoutQuery(e.target);
    sample["user_id"] = e.user_id;
    sample["message"] = message;
    if (!e.detail.empty()) sample["detail"] = e.detail;
    sample["at"] = IsoTime(NowMs());
    impl_->AddError(e.detail.empty() ? "http_5xx" : "exception", route, e.status, code, std::move(sample));
  }
  if (impl_->opt.json_logs) {
    json::object o;
    o["ts"] = IsoTime(NowMs());
    o["level"] = e.status >= 500 ? "error" : e.status >= 400 ? "warn" : "info";
    o["msg"] = "request";
    if (!impl_->opt.node_id.empty()) o["node"] = impl_->opt.node_id;
    o["request_id"] = e.request_id;
    o["method"] = e.method;
    o["path"] = WithoutQuery(e.target);
    o["route"] = route;
    o["status"] = e.status;
    o["latency_ms"] = static_cast<double>(e.duration_us) / 1000.0;
    o["bytes"] = e.response_bytes;
    o["remote"] = e.remote;
    if (e.user_id) o["user_id"] = e.user_id;
    if (!code.empty()) o["code"] = code;
    std::string line = json::serialize(o);
    std::lock_guard l(impl_->log_mu);
    std::cout << line << std::endl;  // a line is complete when written (pipes are block-buffered)
  }
}

void Ops::RecordError(const std::string& kind, const std::string& route, const std::string& message,
                      const std::string& detail) {
  json::object sample;
  sample["message"] = message;
  if (!detail.empty()) sample["detail"] = detail;
  sample["at"] = IsoTime(NowMs());
  impl_->AddError(kind, route, 0, "INTERNAL", std::move(sample));
  Log("error", kind + ": " + message, {{"route", route}});
}

Result<void> Ops::RecordPageView(const std::string& route) {
  bool ok = !route.empty() && route.size() <= 100 && route[0] == '/';
  for (char c : route)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == ':' || c == '.' || c == '-');
  if (!ok)
    return Err(Code::kInvalidField, "route: a route name such as /trading (1-100 of A-Z a-z 0-9 / _ : . -)", "route");
  std::lock_guard l(impl_->mu);
  std::string key = impl_->pages.count(route) || impl_->pages.size() < kMaxPageRoutes ? route : "other";
  ++impl_->pages[key];
  impl_->MaybeSaveLocked();
  return {};
}

std::string Ops::ErrorsJson() const {
  std::vector<const Impl::ErrorGroup*> gs;
  std::lock_guard l(impl_->mu);
  for (const auto& [k, g] : impl_->errors) gs.push_back(&g);
  std::sort(gs.begin(), gs.end(), [](auto* a, auto* b) { return a->last_ms > b->last_ms; });
  json::array items;
  for (const auto* g : gs) {
    json::object o;
    o["kind"] = g->kind;
    o["route"] = g->route;
    o["status"] = g->status;
    o["code"] = g->code;
    o["count"] = g->count;
    o["first_seen"] = IsoTime(g->first_ms);
    o["last_seen"] = IsoTime(g->last_ms);
    o["sample"] = g->sample;
    items.push_back(std::move(o));
  }
  json::object out;
  out["items"] = std::move(items);
  return json::serialize(out);
}

std::string Ops::UsageJson() const {
  std::lock_guard l(impl_->mu);
  auto list = [](const std::map<std::string, int64_t>& m, const char* key) {
    std::vector<std::pair<std::string, int64_t>> v(m.begin(), m.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
    json::array out;
    for (const auto& [k, n] : v) {
      json::object o;
      o[key] = k;
      o["count"] = n;
      out.push_back(std::move(o));
    }
    return out;
  };
  json::object o;
  o["since"] = IsoTime(impl_->since_ms);
  o["pages"] = list(impl_->pages, "route");
  o["api"] = list(impl_->api, "route");
  return json::serialize(o);
}

Result<void> RegisterOpsRoutes(api::Router& router, Ops& ops) {
  using api::Access;
  using api::HttpRequest;
  using api::HttpResponse;
  using api::Method;
  using api::Responder;
  using auth::Principal;
  using auth::Role;
  Ops* o = &ops;
  CX_TRY(router.AddSchema("UsagePage", R"({"type":"object","required":["route"],"additionalProperties":false,)"
                                       R"("properties":{"route":{"type":"string","maxLength":100,"pattern":"^/[A-Za-z0-9/_:.-]*$"}}})"));
  CX_TRY(router.Add(api::RouteSpec(Method::kGet, "/metrics", Access::Public(), [](HttpRequest&&, const Principal&, Responder respond) {
    HttpResponse r = HttpResponse::Text(200, api::Metrics().Render());
    r.content_type = std::string(api::kPrometheusContentType);
    respond(std::move(r));
  }).Doc("Prometheus metrics (text format 0.0.4)")));
  CX_TRY(router.Add(api::RouteSpec(Method::kGet, "/health", Access::Public(), [](HttpRequest&&, const Principal&, Responder respond) {
    respond(HttpResponse::Json(200, R"({"status":"ok"})"));
  }).Doc("Liveness: the process serves HTTP")));
  CX_TRY(router.Add(api::RouteSpec(Method::kGet, "/ready", Access::Public(), [](HttpRequest&&, const Principal&, Responder respond) {
    api::ReadyStatus s = api::CheckReady();
    json::object b;
    b["ready"] = s.ready;
    b["reason"] = s.reason;
    respond(HttpResponse::Json(s.ready ? 200 : 503, json::serialize(b)));
  }).Doc("Readiness: this node can serve (503 with a reason when not)")));
  CX_TRY(router.Add(api::RouteSpec(Method::kGet, "/api/v1/admin/errors", Access::Roles({Role::kAdmin}),
                                   [o](HttpRequest&&, const Principal&, Responder respond) {
    respond(HttpResponse::Json(200, o->ErrorsJson()));
  }).Doc("Server errors grouped by kind, route and code, with first/last seen, count and a sample")));
  CX_TRY(router.Add(api::RouteSpec(Method::kGet, "/api/v1/admin/usage", Access::Roles({Role::kAdmin}),
                                   [o](HttpRequest&&, const Principal&, Responder respond) {
    respond(HttpResponse::Json(200, o->UsageJson()));
  }).Doc("First-party usage: page views per route name and API calls per route template")));
  CX_TRY(router.Add(api::RouteSpec(Method::kPost, "/api/v1/usage/page", Access::Public(),
                                   [o](HttpRequest&& req, const Principal&, Responder respond) {
    auto b = api::ParseJsonObject(req.body);
    if (!b.ok()) return respond(HttpResponse::Problem(b.error()));
    auto route = api::GetString(*b, "route", 100);
    if (!route.ok()) return respond(HttpResponse::Problem(route.error()));
    auto r = o->RecordPageView(*route);
    if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
    respond(HttpResponse::NoContent());
  }).Doc("Count a page view of the web app (route name only; no personal data)", "UsagePage", {}, 204)));
  return {};
}

std::vector<std::string> OpsRouterPrefixes() { return {"/metrics", "/health", "/ready"}; }

Result<void> InstallReadModelCache(api::Router& router, ReadModelCache& cache, const std::function<uint64_t()>& seq,
                                   const std::vector<std::string>& patterns) {
  ReadModelCache* c = &cache;
  for (const auto& pat : patterns) {
    CX_TRY(router.WrapHandler(api::Method::kGet, pat, [c, seq](api::Handler inner) -> api::Handler {
      return [c, seq, inner = std::move(inner)](api::HttpRequest&& req, const auth::Principal& p, api::Responder respond) {
        const uint64_t at = seq();
        const std::string key = req.target;
        if (auto hit = c->Get(key, at)) {
          api::HttpResponse r = api::HttpResponse::Json(200, std::move(*hit));
          r.headers.Set("X-Cache", "hit");
          return respond(std::move(r));
        }
        inner(std::move(req), p, [c, key, at, respond](api::HttpResponse r) {
          if (r.status == 200 && r.content_type == "application/json") c->Put(key, at, r.body);
          r.headers.Set("X-Cache", "miss");
          respond(std::move(r));
        });
      };
    }));
  }
  return {};
}

// ---------------------------------------------------------------- engine instrumentation

namespace {
struct EngineMeters {
  api::Counter* matches = nullptr;
  api::Histogram* commit = nullptr;
  std::mutex mu;
  std::deque<std::pair<int64_t, std::chrono::steady_clock::time_point>> pending;  // seq, applied at
  // Matches per second over the last full second.
  std::atomic<int64_t> cur_sec{0}, cur_count{0}, last_rate{0};
  void CountMatches(int64_t n) {
    int64_t sec = NowMs() / 1000;
    int64_t was = cur_sec.load();
    if (sec != was && cur_sec.compare_exchange_strong(was, sec)) {
      last_rate = sec == was + 1 ? cur_count.exchange(0) : (cur_count.exchange(0), 0);
    }
    cur_count += n;
  }
  double Rate() const {
    int64_t sec = NowMs() / 1000;
    int64_t c = cur_sec.load();
    if (sec == c) return static_cast<double>(last_rate.load());
    if (sec == c + 1) return static_cast<double>(cur_count.load());
    return 0;
  }
};
// Marks an observed command that has nothing to publish, so publish still runs for its group.
const std::shared_ptr<const void>& Marker() {
  static const std::shared_ptr<const void> m = std::make_shared<int>(0);
  return m;
}
}  // namespace

void InstrumentEngine(engine::Options& opts, std::function<int64_t()> committed_seq) {
  auto m = std::make_shared<EngineMeters>();
  m->matches = &api::Metrics().GetCounter("cx_matches_total", "Trades executed (matches)");
  m->commit = &api::Metrics().GetHistogram("cx_engine_commit_seconds",
                                           "Time from applying a command to its journal commit (durable)",
                                           api::LatencyBuckets());
  api::Metrics().AddGaugeCallback("cx_matches_per_second", "Trades executed in the last full second", {},
                                  [m] { return m->Rate(); });
  auto inner_observe = std::move(opts.observe);
  auto inner_publish = std::move(opts.publish);
  opts.observe = [m, inner_observe](const registry::RegistryState& s,
                                    const engine::Outcome& o) -> std::shared_ptr<const void> {
    std::shared_ptr<const void> item = inner_observe ? inner_observe(s, o) : nullptr;
    if (!o.events || o.events->empty()) return item;
    int64_t trades = 0;
    for (const auto& e : *o.events) trades += std::holds_alternative<registry::TradeExecuted>(e) ? 1 : 0;
    if (trades) {
      m->matches->Inc(static_cast<double>(trades));
      m->CountMatches(trades);
    }
    {
      std::lock_guard l(m->mu);
      if (m->pending.size() < 100'000) m->pending.emplace_back(o.last_seq, std::chrono::steady_clock::now());
    }
    return item ? item : Marker();
  };
  opts.publish = [m, inner_publish, committed_seq = std::move(committed_seq)](const std::vector<std::shared_ptr<const void>>& items) {
    auto now = std::chrono::steady_clock::now();
    int64_t seq = committed_seq ? committed_seq() : INT64_MAX;
    {
      std::lock_guard l(m->mu);
      while (!m->pending.empty() && m->pending.front().first <= seq) {
        m->commit->Observe(std::chrono::duration<double>(now - m->pending.front().second).count());
        m->pending.pop_front();
      }
    }
    std::vector<std::shared_ptr<const void>> real;
    real.reserve(items.size());
    for (const auto& i : items)
      if (i != Marker()) real.push_back(i);
    if (inner_publish && !real.empty()) inner_publish(real);
  };
}

void RegisterEngineGauges(const engine::Engine& e) {
  const engine::Engine* p = &e;
  api::Metrics().AddGaugeCallback("cx_engine_queue_depth", "Commands waiting for the engine thread", {},
                                  [p] { return static_cast<double>(p->stats().queue_depth); });
  api::Metrics().AddGaugeCallback("cx_journal_committed_seq", "Last committed journal seq", {},
                                  [p] { return static_cast<double>(p->stats().committed_seq); });
}

}  // namespace cx::app
