// OpsWiring (app/ops.h): what `carbonx serve` wires in for issue 10.
#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "api/metrics.h"
#include "app/apikey_auth.h"
#include "app/market_feed.h"
#include "app/ops.h"
#include "app/redis_bus.h"

namespace cx::app {

Result<std::unique_ptr<OpsWiring>> OpsWiring::Start(const std::string& data_dir, const std::string& redis_url,
                                                    const std::string& log_format, const std::string& node_id) {
  if (log_format != "json" && log_format != "text")
    return Err(Code::kInvalidField, "--log-format: json or text", "log_format");
  std::unique_ptr<OpsWiring> w(new OpsWiring());
  OpsOptions oo;
  oo.json_logs = log_format == "json";
  oo.node_id = node_id;
  oo.usage_file = (std::filesystem::path(data_dir) / "usage.json").string();
  w->ops_ = std::make_unique<Ops>(oo);
  if (!redis_url.empty()) {
    CX_ASSIGN_OR_RETURN(RedisUrl u, ParseRedisUrl(redis_url));
    RedisBusOptions bo;
    bo.url = u;
    bo.node_id = node_id;
    CX_ASSIGN_OR_RETURN(w->bus_, RedisBus::Start(bo));
    if (!w->bus_->WaitUp(std::chrono::milliseconds(2000)))
      w->ops_->Log("warn", "redis: not reachable yet at " + u.host + ":" + std::to_string(u.port) +
                               "; running on local fallbacks and retrying");
    else
      w->ops_->Log("info", std::string("redis: connected to ") + (u.tls ? "rediss://" : "redis://") + u.host + ":" +
                               std::to_string(u.port));
  }
  w->revoked_ = std::make_unique<RevocationList>(w->bus_.get());
  w->replay_ = std::make_unique<SharedReplayCache>(w->bus_.get());
  w->cache_ = std::make_unique<ReadModelCache>(w->bus_.get());
  OpsWiring* raw = w.get();
  w->fanout_ = std::make_unique<MarketFanout>(
      w->bus_.get(), MarketFanout::Hub{[raw](const std::string& ch, std::string text) -> size_t {
                                         api::PubSubHub* h = raw->hub_.load();
                                         return h ? h->Publish(ch, std::move(text)) : 0;
                                       },
                                       [raw]() -> std::vector<std::string> {
                                         api::PubSubHub* h = raw->hub_.load();
                                         return h ? h->Channels() : std::vector<std::string>{};
                                       }});
  return w;
}

OpsWiring::~OpsWiring() {
  // The fan-out and caches use the bus: they go first.
  fanout_.reset();
  revoked_.reset();
  replay_.reset();
  cache_.reset();
  bus_.reset();
}

void OpsWiring::AttachFeed(MarketFeed& feed, engine::Options& eopts) {
  MarketFanout* f = fanout_.get();
  feed.set_outlet([f](uint64_t seq, std::vector<std::pair<std::string, std::string>> msgs) { f->Emit(seq, std::move(msgs)); });
  OpsWiring* raw = this;
  InstrumentEngine(eopts, [raw]() -> int64_t {
    const engine::Engine* e = raw->engine_.load();
    return e ? e->stats().committed_seq : INT64_MAX;
  });
}

void OpsWiring::SetLeaderCheck(std::function<bool()> is_leader) { fanout_->set_is_leader(std::move(is_leader)); }

void OpsWiring::AttachEngine(const engine::Engine& e) {
  engine_ = &e;
  RegisterEngineGauges(e);
}

Result<void> OpsWiring::RegisterRoutes(api::Router& router, ApiKeyGate* gate) {
  CX_TRY(RegisterOpsRoutes(router, *ops_));
  // A successful logout also revokes the access token it was called with, on every node.
  RevocationList* rv = revoked_.get();
  CX_TRY(router.WrapHandler(api::Method::kPost, "/api/v1/auth/logout", [rv](api::Handler inner) -> api::Handler {
    return [rv, inner = std::move(inner)](api::HttpRequest&& req, const auth::Principal& p, api::Responder respond) {
      if (!p.authenticated || p.token_id.empty() || IsApiKeyPrincipal(p)) return inner(std::move(req), p, respond);
      inner(std::move(req), p, [rv, jti = p.token_id, exp = p.expires_at, respond](api::HttpResponse r) {
        if (r.status == 200) rv->Revoke(jti, exp, std::time(nullptr));
        respond(std::move(r));
      });
    };
  }));
  if (gate && bus_) {
    SharedReplayCache* rc = replay_.get();
    gate->replay_cache().set_shared([rc](std::string_view id, int64_t ttl_ms) { return rc->CheckAndRemember(id, ttl_ms); });
  }
  // Heavy public reads rendered from engine state at a durable point: keyed by the
  // committed seq (a commit invalidates them).
  OpsWiring* raw = this;
  std::vector<std::string> cached;
  for (const char* p : {"/api/v1/instruments", "/api/v1/instruments/{id}", "/api/v1/markets/{id}/book", "/api/v1/auctions"})
    if (std::any_of(router.routes().begin(), router.routes().end(),
                    [&](const api::RouteSpec& r) { return r.method == api::Method::kGet && r.pattern == p; }))
      cached.emplace_back(p);
  return InstallReadModelCache(router, *cache_, [raw]() -> uint64_t {
    const engine::Engine* e = raw->engine_.load();
    return e ? static_cast<uint64_t>(e->stats().committed_seq) : 0;
  }, cached);
}

Result<auth::Principal> OpsWiring::CheckRevoked(auth::Principal p, int64_t now_s) const {
  if (!p.token_id.empty() && revoked_->IsRevoked(p.token_id, now_s))
    return Err(Code::kBadToken, "access token revoked (signed out)", "token");
  return p;
}

void OpsWiring::ConfigureServer(api::ServerOptions& opts) {
  for (auto& p : OpsRouterPrefixes()) opts.router_prefixes.push_back(p);
  Ops* o = ops_.get();
  auto prev = std::move(opts.access_log);
  opts.access_log = [o, prev](const api::AccessLogEntry& e) {
    o->OnAccess(e);
    if (prev) prev(e);
  };
}

void OpsWiring::AttachHub(api::PubSubHub* hub) {
  hub_ = hub;
  api::Metrics().AddGaugeCallback("cx_websocket_clients", "WebSocket clients connected to this node", {},
                                  [hub] { return static_cast<double>(hub->subscriber_count()); });
}

}  // namespace cx::app
