// Operations at the edge (issue 10): request metrics, structured logs, error tracking,
// first-party usage analytics, and the routes that show them.
//
// - Ops::OnAccess is the HTTP server's access_log hook: it counts every request into
//   cx_http_requests_total{route,method,class} and cx_http_request_seconds{route,class}
//   (route = the matched route TEMPLATE, "unmatched" for 404s, so label values stay few),
//   writes one JSON log line per request with --log-format json, groups every 5xx into
//   the error tracker and counts API use per route template.
// - Error tracking: a group is (route, status, code); it keeps first/last seen, count and
//   the latest sample (request id, method, target without the query, user id, message,
//   internal detail). At most kMaxErrorGroups groups (the rest count into one "other").
//   RecordError() lets any module file an internal error that did not become a 5xx.
// - Usage analytics: page views posted by the front end (route NAME only: "/trading",
//   "/projects/:id" -- no query, no ids beyond the template, no user, no IP, nothing from a
//   third party) and API calls per route template. Kept in DATA/usage.json (written at
//   most every 10 s and at Stop()), so counts survive restarts.
// - Logs: Log(level, msg, fields) writes one JSON object per line (ts, level, msg, fields)
//   to stdout with --log-format json (request lines too), or "carbonx: msg" to stderr as
//   before with text (and no request lines).
// - InstrumentEngine: wraps engine::Options::observe/publish to count matches
//   (cx_matches_total, cx_matches_per_second) and time apply-to-durable per command
//   (cx_engine_commit_seconds); RegisterEngineGauges adds cx_engine_queue_depth and
//   cx_journal_committed_seq.
// Routes (RegisterOpsRoutes): GET /metrics (public; Prometheus 0.0.4), GET /health,
// GET /ready (503 with a reason when api::CheckReady() says not ready), GET
// /api/v1/admin/errors and GET /api/v1/admin/usage (admins), POST /api/v1/usage/page
// ({"route":"/trading"}; 204; anyone).
// Thread-safety: everything may be called from any thread.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "api/router.h"
#include "engine/engine.h"

namespace cx::app {

struct OpsOptions {
  bool json_logs = false;
  std::string usage_file;  // empty: usage is not persisted
  std::string node_id;     // added to every JSON log line when set
};

class Ops {
 public:
  static constexpr size_t kMaxErrorGroups = 200;
  static constexpr size_t kMaxPageRoutes = 500;
  explicit Ops(OpsOptions o);
  ~Ops();  // saves usage
  Ops(const Ops&) = delete;
  Ops& operator=(const Ops&) = delete;

  void OnAccess(const api::AccessLogEntry& e);
  void RecordError(const std::string& kind, const std::string& route, const std::string& message,
                   const std::string& detail = {});
  // kInvalidField (field "route") unless 1..100 characters of [A-Za-z0-9/_:.-] starting with '/'.
  Result<void> RecordPageView(const std::string& route);
  void Log(const char* level, const std::string& msg,
           const std::vector<std::pair<std::string, std::string>>& fields = {}) const;
  std::string ErrorsJson() const;
  std::string UsageJson() const;
  void Save() const;
  bool json_logs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Result<void> RegisterOpsRoutes(api::Router& router, Ops& ops);
// Paths that must reach the Router although they are not under /api/ (ServerOptions::router_prefixes).
std::vector<std::string> OpsRouterPrefixes();

class ReadModelCache;
// Cached read models: wraps the GET routes `patterns` so that a 200 answer is kept in
// `cache` under (path + query, seq()) and served from there while seq() is unchanged (a
// commit invalidates it). `seq` must be at most the journal seq the route's answer reflects
// (the committed seq for routes rendered by engine queries). Responses carry
// "X-Cache: hit|miss". kNotFound if a pattern is not registered.
Result<void> InstallReadModelCache(api::Router& router, ReadModelCache& cache, const std::function<uint64_t()>& seq,
                                   const std::vector<std::string>& patterns);

class RedisBus;
class MarketFanout;
class RevocationList;
class SharedReplayCache;
class MarketFeed;
class ApiKeyGate;

// Everything of issue 10 that `carbonx serve` wires in, so main.cc only calls these.
struct OpsWiring {
  // --redis (may be empty) and --log-format (json|text). kInvalidField for a bad value.
  static Result<std::unique_ptr<OpsWiring>> Start(const std::string& data_dir, const std::string& redis_url,
                                                  const std::string& log_format, const std::string& node_id = {});
  // Cluster: only the leading node emits market data to Redis (MarketFanout::set_is_leader).
  void SetLeaderCheck(std::function<bool()> is_leader);
  ~OpsWiring();
  // Before the engine starts: the feed's outlet (fan-out), match/commit metrics.
  void AttachFeed(MarketFeed& feed, engine::Options& eopts);
  // Once the engine exists: gauges, the committed seq for commit latency and the cache.
  void AttachEngine(const engine::Engine& e);
  // Ops routes, revocation of the caller's access token on a successful logout, the read-model
  // cache over the heavy public GETs, the shared API-key replay cache (gate may be null).
  Result<void> RegisterRoutes(api::Router& router, ApiKeyGate* gate);
  // A principal from a verified token, unless its jti was revoked (kBadToken "revoked").
  Result<auth::Principal> CheckRevoked(auth::Principal p, int64_t now_s) const;
  // Server options: router prefixes and the access log.
  void ConfigureServer(api::ServerOptions& opts);
  void AttachHub(api::PubSubHub* hub);
  RedisBus* bus() const { return bus_.get(); }
  Ops& ops() { return *ops_; }

 private:
  OpsWiring() = default;
  std::unique_ptr<RedisBus> bus_;
  std::unique_ptr<Ops> ops_;
  std::unique_ptr<MarketFanout> fanout_;
  std::unique_ptr<RevocationList> revoked_;
  std::unique_ptr<SharedReplayCache> replay_;
  std::unique_ptr<ReadModelCache> cache_;
  std::atomic<api::PubSubHub*> hub_{nullptr};
  std::atomic<const engine::Engine*> engine_{nullptr};
};

void InstrumentEngine(engine::Options& opts, std::function<int64_t()> committed_seq);
void RegisterEngineGauges(const engine::Engine& e);

}  // namespace cx::app
