// carbonx: the server and its command-line tools. main only wires components together.
//   carbonx serve | import | verify | snapshot | proof | doc | ml | bench-nw1
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/client_address.h"
#include "api/http_server.h"
#include "api/router.h"
#include "core/merkle.h"
#include "app/demo.h"
#include "app/import_cmd.h"
#include "app/kyc.h"
#include "app/market_feed.h"
#include "app/apikey_auth.h"
#ifdef CX_HAVE_FIX
#include "app/fix_bridge.h"
#endif
#include "app/rate_limits.h"
#include "app/ops.h"
#include "app/body_limits.h"
#include "app/backup.h"
#include "auth/token_cache.h"
#include "app/privacy.h"
#include "app/service.h"
#include "app/cluster.h"
#ifdef CX_HAVE_CHAIN
#include "app/chain_worker.h"
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
#include "app/chain_anchor.h"
#endif
#include "app/views.h"
#include "auth/jwt.h"
#include "auth/random.h"
#include "engine/engine.h"
#include "engine/verify.h"
#include "store/pg_store.h"
#include "documents/doc_cli.h"
#include "documents/document_store.h"
#ifdef CX_HAVE_EXCHANGE
#include "exchange/nw1.h"
#endif
#ifdef CX_HAVE_ML
#include "cli.h"
#endif

namespace fs = std::filesystem;
using namespace cx;

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

std::string DbPath(const std::string& dir) { return (fs::path(dir) / "carbonx.db").string(); }

// One process owns a data directory's journal at a time.
int LockDataDir(const std::string& dir) {
  fs::create_directories(dir);
  int fd = ::open((fs::path(dir) / "carbonx.lock").c_str(), O_RDWR | O_CREAT, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "carbonx: " << dir << " is in use by another carbonx process (a running server?)\n";
    std::exit(2);  // NOLINT(concurrency-mt-unsafe): start-up, before any thread
  }
  return fd;
}

// `store`: --store (a SQLite path or postgres:// URL); empty: DIR/carbonx.db.
std::unique_ptr<engine::Engine> OpenEngine(const std::string& dir, const engine::Options& opts = {},
                                           const std::string& store = {}) {
  auto st = store::OpenStore(store.empty() ? DbPath(dir) : store, /*writer=*/true);
  if (!st.ok()) {
    std::cerr << "carbonx: " << st.error().message << "\n";
    std::exit(1);  // NOLINT(concurrency-mt-unsafe): start-up, before any thread
  }
  auto e = std::make_unique<engine::Engine>(std::move(*st), opts);
  auto r = e->Recover();
  if (!r.ok()) {
    std::cerr << "carbonx: recovery failed: " << r.error().message << "\n";
    std::exit(1);  // NOLINT(concurrency-mt-unsafe): start-up, before any thread
  }
  return e;
}

// The JWT signing key: $CARBONX_JWT_SECRET, or DIR/jwt.key (created once, mode 0600).
std::string JwtKey(const std::string& dir) {
  if (const char* s = std::getenv("CARBONX_JWT_SECRET"); s && std::strlen(s) >= 32) return s;
  fs::path p = fs::path(dir) / "jwt.key";
  if (fs::exists(p)) {
    std::ifstream f(p);
    std::string k;
    std::getline(f, k);
    if (k.size() >= 32) return k;
  }
  std::string k = cx::auth::RandomToken(48);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    (void)!::write(fd, k.data(), k.size());
    ::fsync(fd);
    ::close(fd);
  }
  return k;
}

// A 256-bit key kept in a file of 64 hex digits, created once (mode 0600) if missing.
Result<documents::MasterKey> KeyFile(const fs::path& kp) {
  if (!fs::exists(kp)) {
    uint8_t raw[32];
    cx::auth::SecureRandom(raw, sizeof raw);
    std::string hex = ToHex(raw, sizeof raw);
    int fd = ::open(kp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      (void)!::write(fd, hex.data(), hex.size());
      ::fsync(fd);
      ::close(fd);
    }
  }
  return documents::MasterKey::FromFile(kp.string());
}

std::string DefaultStaticDir(const char* argv0) {
  // frontend/dist next to the repository the binary was built from.
  for (fs::path p = fs::absolute(argv0).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
    if (fs::exists(p / "frontend" / "dist" / "index.html")) return (p / "frontend" / "dist").string();
  return "";
}

std::string RepoFile(const char* argv0, const std::string& rel) {
  for (fs::path p = fs::absolute(argv0).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
    if (fs::exists(p / rel)) return (p / rel).string();
  return "";
}

// `carbonx serve` options (one field per flag; add new flags here and in main()).
struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  bool demo = false;
  std::string static_dir;
  int io_threads = 2;
  int alert_scan_seconds = 60;
  app::RateLimits limits;
  std::string public_host;
  std::string mfa_required_roles = "admin,verifier";
  int64_t rate_limit_key = 100;  // signed requests per second per API key (burst 2x; 0 = off)
  std::string fix_listen, fix_config;  // FIX 4.4 gateway (app/fix_bridge.h)
  std::string tls_cert, tls_key;       // HTTPS on --listen (api/http_server.h)
  std::vector<std::string> cors_origins;  // CORS allow-list (api/cors.h)
  std::vector<std::string> trusted_proxies;  // --trusted-proxy CIDR (api/client_address.h)
  std::string sanctions;                  // sanctions list file (app/kyc.h)
  // Cluster (app/cluster.h): with a postgres:// --store, the node's role and identity.
  std::string store;  // --store URL (postgres://...; a SQLite path otherwise)
  std::string node_id, role = "standby", advertise, cluster_secret_file;
  int64_t lease_ms = 3000;
  int64_t ready_lag_ms = 2000;
  std::string redis, log_format = "text";  // --redis URL, --log-format json|text (app/ops.h)
#ifdef CX_HAVE_CHAIN
  app::ChainOptions chain;  // --chain* (app/chain_worker.h)
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
  bool chain_anchor = true;  // --chain-anchor[=false] / --no-chain-anchor (app/chain_anchor.h)
#endif
};

int Serve(const std::string& data, ServeOptions o, const char* argv0) {
  const std::string& listen = o.listen;
  const bool demo = o.demo;
  std::string& static_dir = o.static_dir;
  const int io_threads = o.io_threads;
  const int alert_scan_seconds = o.alert_scan_seconds;
  const app::RateLimits& limits = o.limits;
  const std::string& public_host = o.public_host;
  if (auto tp = api::ParseTrustedProxies(o.trusted_proxies); tp.ok()) {
    api::SetTrustedProxies(std::move(tp).value());
  } else {
    std::cerr << "carbonx: --trusted-proxy: " << tp.error().message << "\n";
    return 2;
  }
  int lock = LockDataDir(data);
  (void)lock;
  // Market data and private order feeds are published from durable engine outcomes.
  app::MarketFeed feed;
  engine::Options eopts;
  eopts.observe = [&feed](const registry::RegistryState& s, const engine::Outcome& o) { return feed.Observe(s, o); };
  eopts.publish = [&feed](const std::vector<std::shared_ptr<const void>>& items) { feed.Publish(items); };
  // API keys: the edge's copy of keys and owners' roles follows the engine (apikey_auth.h).
  app::ApiKeyDirectory api_keys;
  eopts.observe = app::ObserveApiKeys(std::move(eopts.observe), &api_keys);
  // Cluster followers drop an erased user's data key from memory (app/privacy.h).
  std::atomic<app::PiiVault*> vault_slot{nullptr};
  std::atomic<app::Cluster*> cluster_slot{nullptr};
  eopts.observe = app::ObserveErasures(std::move(eopts.observe), [&vault_slot] { return vault_slot.load(); },
                                       [&cluster_slot] {
                                         app::Cluster* c = cluster_slot.load();
                                         return c != nullptr && !c->is_leader();
                                       });
  // Redis, metrics, logs, error tracking, usage (issue 10; app/ops.h).
  auto wiring = app::OpsWiring::Start(data, o.redis, o.log_format, o.node_id);
  if (!wiring.ok()) {
    std::cerr << "carbonx: " << wiring.error().message << "\n";
    return 2;
  }
  app::OpsWiring& ow = **wiring;
  ow.AttachFeed(feed, eopts);
#ifdef CX_HAVE_FIX
  // FIX gateway: wraps the hooks last (execution reports leave after the journal commit).
  std::unique_ptr<app::FixService> fix;
  if (!o.fix_config.empty() || !o.fix_listen.empty()) fix = app::FixService::Prepare(data, eopts);
#endif
  std::unique_ptr<app::Cluster> cluster;
  std::unique_ptr<engine::Engine> engine;
  // A cluster node: a postgres:// store and --node-id (without --node-id a PostgreSQL
  // store serves one node, unfenced, as with SQLite).
  if (!o.node_id.empty() && (o.store.rfind("postgres://", 0) == 0 || o.store.rfind("postgresql://", 0) == 0)) {
    auto c = app::OpenClusterNode(o.store, o.node_id, o.role, o.advertise.empty() ? listen : o.advertise, o.lease_ms,
                                  o.ready_lag_ms,
                                  o.cluster_secret_file, eopts, engine);
    if (!c.ok()) {
      std::cerr << "carbonx: cluster: " << c.error().message << "\n";
      return 1;
    }
    cluster = std::move(*c);
    cluster_slot = cluster.get();
    ow.SetLeaderCheck([cl = cluster.get()] { return cl->is_leader(); });
  } else {
    engine = OpenEngine(data, eopts, o.store);
  }
#ifdef CX_HAVE_FIX
  if (fix) fix->Attach(*engine);
#endif
  feed.Bootstrap(engine->state());
  if (auto nr = feed.RebuildNotifications(o.store.empty() ? DbPath(data) : o.store, engine->state()); !nr.ok())  // issue 9
    std::cerr << "carbonx: notifications not rebuilt: " << nr.error().message << "\n";
  ow.AttachEngine(*engine);
  api_keys.Bootstrap(engine->state());
  // Personal data (app/pii.h): DIR/pii.db under $CX_PII_MASTER_KEY or DIR/pii.key. Keys of
  // users erased just before a crash are shredded now (app/privacy.h).
  auto vault = app::PiiVault::OpenFor(data, o.store);  // PostgreSQL store: table pii_keys there
  if (!vault.ok()) {
    std::cerr << "carbonx: personal-data vault: " << vault.error().message << "\n";
    return 1;
  }
  vault_slot = vault->get();
  if (auto n = app::ShredErasedKeys(**vault, engine->state()); !n.ok())
    std::cerr << "carbonx: shredding erased users' keys: " << n.error().message << "\n";
  engine->Start();
  bool fresh = engine->stats().committed_seq == 0 && !engine->replica();
  if (fresh) {
    auto r = app::CreateDefaultClasses(*engine);
    if (!r.ok()) std::cerr << "carbonx: default credit classes: " << r.error().message << "\n";
  }
  if (fresh && demo) {
    std::cerr << "carbonx: loading demo data...\n";
    auto r = app::LoadDemo(*engine, **vault, RepoFile(argv0, "backend/src/importers/testdata"));
    if (!r.ok()) std::cerr << "carbonx: demo: " << r.error().message << "\n";
  }
  auto jwt = auth::JwtCodec::Create(JwtKey(data));
  if (!jwt.ok()) {
    std::cerr << "carbonx: " << jwt.error().message << "\n";
    return 1;
  }
  app::Workers workers(2);
  app::ServiceContext ctx;
  ctx.engine = engine.get();
  ctx.jwt = &*jwt;
  ctx.workers = &workers;
  ctx.db_path = DbPath(data);
  ctx.store_url = o.store;
  // Documents: blocks and metadata under DIR/documents; the master key for private
  // documents from $CX_DOC_MASTER_KEY or DIR/doc-master.key (created once, mode 0600).
  std::unique_ptr<documents::DocumentStore> docs;
  {
    documents::DocumentStore::Options dopt;
    dopt.dir = (fs::path(data) / "documents").string();
    auto env_key = documents::MasterKey::FromEnvironment();
    if (env_key.ok() && *env_key) {
      dopt.master_key = **env_key;
    } else {
      auto k = KeyFile(fs::path(data) / "doc-master.key");
      if (k.ok()) dopt.master_key = *k;
    }
    auto d = documents::DocumentStore::Open(dopt);
    if (d.ok()) docs = std::move(*d);
    else std::cerr << "carbonx: documents disabled: " << d.error().message << "\n";
  }
  ctx.docs = docs.get();
  // The key that seals TOTP secrets: $CX_MFA_KEY (64 hex digits) or DIR/mfa.key (created
  // once, mode 0600).
  std::optional<documents::MasterKey> mfa_key;
  {
    if (const char* env = std::getenv("CX_MFA_KEY")) {
      auto k = documents::MasterKey::FromHex(env);
      if (k.ok()) mfa_key = *k;
      else std::cerr << "carbonx: CX_MFA_KEY: " << k.error().message << "\n";
    } else {
      auto k = KeyFile(fs::path(data) / "mfa.key");
      if (k.ok()) mfa_key = *k;
      else std::cerr << "carbonx: second factor disabled: " << k.error().message << "\n";
    }
  }
  ctx.mfa_key = mfa_key ? &*mfa_key : nullptr;
  ctx.vault = vault->get();
  {
    std::vector<std::string> names;
    std::stringstream ss(o.mfa_required_roles);
    for (std::string n; std::getline(ss, n, ',');)
      if (!n.empty() && n != "none") names.push_back(n);
    bool ok = true;
    ctx.mfa_required_roles = app::RolesFromNames(names, &ok);
    if (!ok) {
      std::cerr << "carbonx: --mfa-required-roles: unknown role in '" << o.mfa_required_roles << "'\n";
      return 2;
    }
  }
  if (const char* chain = std::getenv("CX_SIWE_CHAIN_ID")) ctx.siwe_chain_id = std::strtoull(chain, nullptr, 10);
  api::Router router;
  // Verified access tokens are remembered until they expire (a bot reuses one token for
  // thousands of requests); anything not in the cache is verified in full.
  auth::VerifiedTokenCache token_cache;
  router.SetAuthenticator([&](std::string_view token) -> Result<auth::Principal> {
    int64_t now = std::time(nullptr);
    if (auto hit = token_cache.Find(token, now)) return ow.CheckRevoked(hit->ToPrincipal(), now);
    CX_ASSIGN_OR_RETURN(auth::AccessClaims c, jwt->Verify(token, now));
    token_cache.Put(token, c);
    return ow.CheckRevoked(c.ToPrincipal(), now);
  });
  // Followers forward writes to the leader before any other filter sees them.
  if (cluster) cluster->InstallForwarding(router);
  auto rr = app::RegisterRoutes(router, ctx);
  if (rr.ok()) rr = app::RegisterDocumentRoutes(router, ctx);
  if (rr.ok()) rr = app::RegisterMarketRoutes(router, ctx, feed);
  if (rr.ok()) rr = app::RegisterNotificationRoutes(router, feed);  // issue 9
  if (rr.ok()) rr = app::RegisterSecurityRoutes(router, ctx);
  if (rr.ok()) rr = app::RegisterPrivacyRoutes(router, ctx);
  // KYC/AML and payment webhooks (app/kyc.h): sanctions list and webhook secrets.
  if (rr.ok()) {
    auto kyc = app::LoadKycConfig(data, o.sanctions);
    if (kyc.ok()) {
      std::cerr << "carbonx: sanctions screening: " << (*kyc)->sanctions.size() << " names"
                << ((*kyc)->sanctions_files.empty() ? " (no list: pass --sanctions FILE or put DATA/sanctions.csv)" : "") << "\n";
      rr = app::RegisterKycRoutes(router, ctx, *kyc);
    } else {
      rr = kyc.take_error();
    }
  }
  // API keys: master key $CX_API_KEY_MASTER or DIR/apikey.key (created once, mode 0600);
  // the filter authenticating X-CX-Key requests runs before the rate limits (below).
  std::unique_ptr<app::ApiKeyGate> key_gate;
  if (rr.ok()) {
    auto master = app::LoadApiKeyMaster(data);
    auto gate = master.ok() ? app::ApiKeyGate::Create(std::move(master).value(), &api_keys, o.rate_limit_key,
                                                      ctx.mfa_required_roles)
                            : Result<std::unique_ptr<app::ApiKeyGate>>(master.take_error());
    if (gate.ok()) {
      key_gate = std::move(gate).value();
      rr = app::RegisterApiKeyRoutes(router, ctx, *key_gate);
      app::InstallApiKeyFilter(router, *key_gate);
    } else {
      rr = gate.take_error();
    }
  }
#ifdef CX_HAVE_ML
  // ---- Analytics (issue 8): the forecast model lives in DATA/models/reference (trained
  // there once, in the background, when missing). Reference series: EUA front-month
  // futures from ../shared (or $CX_SHARED) when present -- never shipped with the project
  // -- else the committed Toucan BCT closes.
  {
    app::MlConfig ml;
    ml.model_dir = (fs::path(data) / "models" / "reference").string();
    const char* shared = std::getenv("CX_SHARED");
    const std::string eua = "data/prices/eua_front_2008_2021.csv";
    ml.references = {
        {shared ? (fs::path(shared) / eua).string() : RepoFile(argv0, "../shared/" + eua), "datetime", "settle",
         "EUA front-month futures (settle)", "EUR"},
        {RepoFile(argv0, "ml/data/bct_daily_2021_2022.csv"), "date", "close", "Toucan Base Carbon Tonne (BCT, close)", "USD"},
    };
    if (rr.ok()) rr = app::RegisterMlRoutes(router, ctx, ml);
  }
#endif
#ifdef CX_HAVE_CHAIN
  // Chain flows (app/chain_worker.h): --chain starts the worker; the routes answer either way.
  std::unique_ptr<app::ChainWorker> chain_worker;
  if (rr.ok() && !o.chain.url.empty()) {
    if (o.chain.deployment.empty())
      o.chain.deployment = RepoFile(argv0, "blockchain/deployments/" + o.chain.network + ".json");
    o.chain.data_dir = data;
    auto w = o.chain.keystore.empty() ? Result<std::unique_ptr<app::ChainWorker>>(Err(Code::kMissingField, "--chain needs --chain-keystore FILE"))
                                      : app::ChainWorker::Open(ctx, o.chain);
    if (!w.ok()) {
      std::cerr << "carbonx: chain: " << w.error().message << "\n";
      return 1;
    }
    chain_worker = std::move(*w);
    chain_worker->Start();
  }
  if (rr.ok()) rr = app::RegisterChainRoutes(router, ctx, chain_worker.get());
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
  // Chain proofs (app/chain_anchor.h): anchoring and on-chain venue/retirement indexing.
  std::unique_ptr<app::ChainProofs> chain_proofs;
  if (rr.ok() && chain_worker) {
    app::ChainProofsOptions po{o.chain.url, o.chain.keystore, o.chain.deployment, data, 1, 200, o.chain_anchor};
    const app::ChainPreset* preset = app::FindChainPreset(o.chain.network);
    po.confirmations = o.chain.confirmations > 0 ? o.chain.confirmations : preset ? preset->confirmations : 1;
    auto p = app::ChainProofs::Open(ctx, po);
    if (!p.ok()) {
      std::cerr << "carbonx: chain proofs: " << p.error().message << "\n";
      return 1;
    }
    chain_proofs = std::move(*p);
    if (auto anchor = chain_proofs->AnchorCoSender()) chain_worker->AddCoSender(std::move(anchor));
    chain_proofs->Start();
  }
  if (rr.ok()) rr = app::RegisterChainProofRoutes(router, ctx);
#endif
  if (rr.ok()) rr = app::RegisterSchemas(router);
  std::shared_ptr<void> rate_buckets;
  if (rr.ok()) {
    rr = ow.RegisterRoutes(router, key_gate.get());
    auto rl = app::InstallRateLimits(router, limits, ow.bus());
    if (rl.ok()) rate_buckets = *rl; else rr = rl.take_error();
  }
  if (!rr.ok()) {
    std::cerr << "carbonx: routes: " << rr.error().message << "\n";
    return 1;
  }
#ifdef CX_HAVE_FIX
  if (fix) {
    auto port = fix->Start(key_gate.get(), &api_keys, o.fix_config, o.fix_listen);
    if (!port.ok()) {
      std::cerr << "carbonx: FIX: " << port.error().message << "\n";
      return 1;
    }
    std::cout << "carbonx: FIX 4.4 gateway on port " << *port << std::endl;
  }
#endif
  api::ServerOptions opts;
  auto colon = listen.rfind(':');
  opts.host = listen.substr(0, colon);
  opts.port = static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)));
  opts.io_threads = io_threads;
  opts.router_prefixes = {"/ipfs/"};
  ow.ConfigureServer(opts);
  // Request bodies: 64 KiB (opts.max_body_bytes) except the routes in app/body_limits.cc.
  app::SetBodyLimits(router, ctx);
  opts.tls_cert_file = o.tls_cert;
  opts.tls_key_file = o.tls_key;
  opts.cors_origins = o.cors_origins;
  if (static_dir.empty()) static_dir = DefaultStaticDir(argv0);
  opts.static_dir = static_dir;
  opts.ws_authorize = &app::MarketFeed::Authorize;
  opts.ws_subscribe = [&feed](const std::string& channel, const std::function<bool()>& subscribe) {
    return feed.Subscribe(channel, subscribe);
  };
  api::HttpServer server(router, opts);
  feed.set_hub(&server.hub());
  ow.AttachHub(&server.hub());
  auto port = server.Start();
  if (!port.ok()) {
    std::cerr << "carbonx: " << port.error().message << "\n";
    return 1;
  }
  // The hosts SIWE messages may name (known once the port is bound).
  if (!public_host.empty()) {
    ctx.SetSiweDomains({public_host});
  } else {
    std::vector<std::string> d = {"127.0.0.1:" + std::to_string(*port), "localhost:" + std::to_string(*port)};
    if (opts.host != "127.0.0.1" && opts.host != "0.0.0.0") d.push_back(opts.host + ":" + std::to_string(*port));
    ctx.SetSiweDomains(std::move(d));
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  if (cluster) cluster->Run();
  if (ow.ops().json_logs())
    ow.ops().Log("info", std::string("serving ") + (server.tls() ? "https://" : "http://") + opts.host + ":" +
                             std::to_string(*port) + "/ (data " + data + ", journal at seq " +
                             std::to_string(engine->stats().committed_seq) + ")");
  else
  std::cout << "carbonx: serving " << (server.tls() ? "https://" : "http://") << opts.host << ":" << *port << "/ (data " << data
            << ", journal at seq " << engine->stats().committed_seq << ")" << std::endl;
  if (demo) {
    std::cout << "carbonx: demo sign-ins (email / password):" << std::endl;
    for (const auto& u : app::DemoUsers())
      std::cout << "  " << u.role << ": " << u.email << " / " << u.password << std::endl;
    if (ctx.mfa_required_roles != 0)
      std::cout << "  (" << app::RolesText(ctx.mfa_required_roles)
                << " act only after two-factor sign-in: turn it on under Settings first;"
                   " --mfa-required-roles none lifts this for a demo)" << std::endl;
  }
  // The market timer: once a second, end due call auctions and expire good-till-time
  // orders (a tick with nothing due is refused by the engine and writes nothing), and
  // roll the market-data windows.
  int64_t next_tick = 0;
  [[maybe_unused]] int64_t next_scan = engine::SystemClockMicros() + std::min(5, alert_scan_seconds) * int64_t{1'000'000};
  [[maybe_unused]] std::atomic<bool> scanning{false};
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int64_t now = engine::SystemClockMicros();
    if (now >= next_tick) {
      next_tick = now + 1'000'000;
      engine->Submit(engine::Request{registry::Command(registry::MarketTick{}), {}, [](const Result<std::string>&) {}});
      feed.AdvanceTime(now - 5'000'000);
    }
#ifdef CX_HAVE_ML
    // Detectors: every minute (and 5 s after start), one scan at a time.
    if (now >= next_scan && !scanning.exchange(true)) {
      next_scan = now + int64_t{alert_scan_seconds} * 1'000'000;
      workers.Post([&ctx, &scanning] {
        (void)app::ScanForAlerts(ctx);
        scanning = false;
      });
    }
#endif
  }
  std::cout << "carbonx: stopping" << std::endl;
  if (cluster) cluster->Stop();  // hands the lease over at once
  server.Stop();
#ifdef CX_HAVE_FIX
  if (fix) fix->Stop();
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
  if (chain_proofs) chain_proofs->Stop();
#endif
#ifdef CX_HAVE_CHAIN
  if (chain_worker) chain_worker->Stop();
#endif
  engine->Stop();
  while (scanning) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a scan in flight ends at once
  return 0;
}

int Verify(const std::string& data, const std::string& store_url) {
  auto st = store::OpenStore(store_url.empty() ? DbPath(data) : store_url);
  if (!st.ok()) {
    std::cerr << "carbonx verify: " << st.error().message << "\n";
    return 1;
  }
  auto rep = engine::VerifyJournal(**st);
  if (rep.ok) {
    std::cout << "journal OK: " << rep.events << " events, " << rep.blocks
              << " blocks; hash chain, Merkle roots, block headers, snapshot and invariants verified\n";
    return 0;
  }
  std::cout << "journal BAD at seq " << rep.first_bad_seq;
  if (rep.first_bad_height) std::cout << " (block " << rep.first_bad_height << ")";
  std::cout << ": " << rep.message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Journal, keys and documents are readable by the server's user only.
  ::umask(077);
  std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "doc") return documents::RunDocCli(argc - 1, argv + 1);
  if (sub == "backup") return app::RunBackupCli(argc - 1, argv + 1);
  if (sub == "restore") return app::RunRestoreCli(argc - 1, argv + 1);
#ifdef CX_HAVE_CHAIN
  if (sub == "keystore") return app::RunKeystoreCli(argc - 1, argv + 1);
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
  if (sub == "proof" && argc > 2 && std::string(argv[2]) == "verify") return app::RunProofVerifyCli(argc - 2, argv + 2);
#endif
#ifdef CX_HAVE_ML
  if (sub == "ml") return ml::RunCli(argc - 1, argv + 1);
#endif
#ifdef CX_HAVE_EXCHANGE
  if (sub == "bench-nw1") return exchange::RunBenchNw1(argc - 1, argv + 1);
#endif
  CLI::App app{"carbonx: carbon-credit registry and exchange"};
  app.require_subcommand(1);
  std::string data = "var";

  auto* serve = app.add_subcommand("serve", "Run the HTTP server (API, WebSocket, web app)");
  ServeOptions so;
  serve->add_option("--data", data, "data directory (journal, keys)")->capture_default_str();
  serve->add_option("--listen", so.listen, "HOST:PORT")->capture_default_str();
  serve->add_flag("--demo", so.demo, "load demo users, a project and registry rows into an empty journal");
  serve->add_option("--static", so.static_dir, "directory of the built web app (default: frontend/dist)");
  serve->add_option("--io-threads", so.io_threads, "HTTP threads")->capture_default_str();
  serve->add_option("--rate-limit-user", so.limits.user_per_s, "requests per second per signed-in user (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--rate-limit-ip", so.limits.ip_per_s, "anonymous requests per second per IP (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--rate-limit-auth", so.limits.auth_per_s, "sign-in/sign-up attempts per second per IP (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--rate-limit-key", so.rate_limit_key, "signed requests per second per API key (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--public-host", so.public_host,
                    "host[:port] users reach this server at (Sign-In with Ethereum messages must name it); "
                    "default: 127.0.0.1:PORT and localhost:PORT");
  serve->add_option("--alert-scan-seconds", so.alert_scan_seconds, "seconds between market-abuse detector scans")
      ->check(CLI::Range(1, 86400))->capture_default_str();
  serve->add_option("--mfa-required-roles", so.mfa_required_roles,
                    "roles that act only with a second factor (comma list, or none)")->capture_default_str();
  serve->add_option("--fix-listen", so.fix_listen, "FIX 4.4 gateway HOST:PORT (overrides SocketAcceptPort)");
  serve->add_option("--fix-config", so.fix_config, "FIX session settings (QuickFIX format; README \"FIX gateway\")");
  serve->add_option("--tls-cert", so.tls_cert, "PEM certificate chain: serve HTTPS (and wss://) only, with --tls-key");
  serve->add_option("--tls-key", so.tls_key, "PEM private key of --tls-cert");
  serve->add_option("--cors-origin", so.cors_origins,
                    "an origin allowed to call the API from a browser, e.g. https://app.example.com (repeatable)")
      ->take_all();
  serve->add_option("--trusted-proxy", so.trusted_proxies,
                    "CIDR of a reverse proxy whose X-Forwarded-For is believed (repeatable; default 127.0.0.1/32 "
                    "and ::1; \"none\" trusts no proxy)")
      ->take_all();
  serve->add_option("--store", so.store, "journal store: postgres://... (cluster) or a SQLite path (default: DATA/carbonx.db)");
  serve->add_option("--node-id", so.node_id, "cluster: this node's unique name");
  serve->add_option("--role", so.role, "cluster: leader|standby (may lead) or api (never leads)")->capture_default_str();
  serve->add_option("--advertise", so.advertise, "cluster: HOST:PORT other nodes forward writes to (default: --listen)");
  serve->add_option("--ready-lag-ms", so.ready_lag_ms,
                    "cluster: a follower is ready while its last journal read is at most this old (ms)")
      ->check(CLI::Range(int64_t{50}, int64_t{600000}))
      ->capture_default_str();
  serve->add_option("--lease-ms", so.lease_ms, "cluster: engine lease in milliseconds (renewed every third)")
      ->check(CLI::Range(int64_t{300}, int64_t{600000}))->capture_default_str();
  serve->add_option("--cluster-secret-file", so.cluster_secret_file,
                    "cluster: file with the secret every node shares (authenticates forwarded requests)");
  serve->add_option("--redis", so.redis,
                    "Redis URL shared by the API nodes: redis://[:password@]host:port/db, or rediss://...?ca=FILE for TLS "
                    "(market-data fan-out, shared rate limits, revoked tokens, API-key replay cache, read cache)");
  serve->add_option("--log-format", so.log_format, "json: one JSON object per line on stdout (requests too); text: as before")
      ->check(CLI::IsMember({"json", "text"}))->capture_default_str();
  serve->add_option("--sanctions", so.sanctions,
                    "sanctions list for KYC screening: OFAC SDN CSV or one name per line (default: DATA/sanctions.csv if present)");
#ifdef CX_HAVE_CHAIN
  serve->add_option("--chain", so.chain.url, "EVM JSON-RPC URL: mirror batches, withdrawals and deposits on chain (docs/chain.md)");
  serve->add_option("--chain-keystore", so.chain.keystore,
                    "operator key (keystore v3); password from $CX_CHAIN_KEYSTORE_PASSWORD or FILE.password");
  serve->add_option("--chain-deployment", so.chain.deployment, "deployment file (default blockchain/deployments/NETWORK.json)");
  serve->add_option("--chain-network", so.chain.network, "localhost|amoy|polygon|sepolia|mainnet (chain id, confirmations)")
      ->check(CLI::IsMember({"localhost", "amoy", "polygon", "sepolia", "mainnet"}))->capture_default_str();
  serve->add_option("--chain-confirmations", so.chain.confirmations, "blocks before a receipt or deposit counts (default: the network's)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000}));
  serve->add_option("--chain-public-url", so.chain.public_url, "RPC URL browsers may use (default: --chain)");
#endif
#ifdef CX_HAVE_CHAIN_PROOFS
  serve->add_flag("--chain-anchor,!--no-chain-anchor", so.chain_anchor,
                  "with --chain: anchor every sealed journal block in JournalAnchor, sent by the chain worker "
                  "(default on; --chain-anchor=false or --no-chain-anchor turns it off; docs/chain.md)");
#endif

  auto* imp = app.add_subcommand("import", "Import public registry exports (CSV)");
  std::string registry;
  std::vector<std::string> files;
  imp->add_option("--data", data, "data directory")->capture_default_str();
  imp->add_option("--registry", registry, "verra|gold-standard|acr|car|art|arb|isometric|cercarbono")->required();
  imp->add_option("files", files, "export files (kind from the name)")->required();

  auto* ver = app.add_subcommand("verify", "Re-hash the whole journal and check every invariant");
  ver->add_option("--data", data, "data directory")->capture_default_str();
  std::string verify_store;
  ver->add_option("--store", verify_store, "postgres://... or a SQLite path (default: DATA/carbonx.db)");

  auto* snap = app.add_subcommand("snapshot", "Write an engine snapshot now");
  snap->add_option("--data", data, "data directory")->capture_default_str();

  auto* proof = app.add_subcommand("proof", "Print the inclusion proof of a journal event");
  int64_t seq = 0;
  proof->add_option("--data", data, "data directory")->capture_default_str();
  proof->add_option("seq", seq, "journal seq")->required();

  app.footer("Also: carbonx backup --out DIR, carbonx restore --from DIR --data DIR [--to-seq N], carbonx doc add|get ..., carbonx ml backtest|train|detect|report ..., carbonx bench-nw1 FILE.bin");
  CLI11_PARSE(app, argc, argv);

  if (*serve) return Serve(data, std::move(so), argv[0]);
  if (*ver) return Verify(data, verify_store);
  if (*imp) {
    LockDataDir(data);
    auto e = OpenEngine(data);
    e->Start();
    if (e->stats().committed_seq == 0) (void)app::CreateDefaultClasses(*e);
    int rc = 0;
    for (const auto& f : files) {
      std::cerr << "importing " << f << "\n";
      auto r = app::ImportFile(*e, registry, f, isatty(2));
      if (!r.ok()) {
        std::cerr << "  error: " << CodeName(r.error().code) << ": " << r.error().message << "\n";
        rc = 1;
        continue;
      }
      for (const auto& m : r->messages) std::cout << "  " << f << ": " << m << "\n";
      std::cout << f << ": " << r->data_rows << " data rows, " << r->parsed << " parsed, " << r->parse_rejected
                << " rejected by the parser; " << r->applied << " applied, " << r->unchanged << " unchanged, "
                << r->refused << " refused\n";
    }
    e->Stop();
    return rc;
  }
  if (*snap) {
    LockDataDir(data);
    engine::Options snap_opts;
    snap_opts.snapshot_every = 1;
    auto e = OpenEngine(data, snap_opts);
    e->Start();
    // A no-op query forces nothing; a snapshot is written with the next group. Write it
    // directly instead: the state is exactly the journal's.
    e->Stop();
    auto st = store::OpenSqlite(DbPath(data));
    auto tail = (*st)->ReadTail();
    store::Snapshot s{tail->last_seq, tail->last_hash, e->state().Snapshot()};
    auto r = (*st)->PutSnapshot(s);
    if (!r.ok()) {
      std::cerr << "carbonx snapshot: " << r.error().message << "\n";
      return 1;
    }
    std::cout << "snapshot written at seq " << s.seq << " (" << s.state.size() << " bytes)\n";
    return 0;
  }
  if (*proof) {
    app::ServiceContext ctx;
    ctx.db_path = DbPath(data);
    auto st = store::OpenSqlite(ctx.db_path);
    if (!st.ok()) return 1;
    auto row = (*st)->GetEvent(seq);
    auto blk = (*st)->BlockContaining(seq);
    if (!row.ok() || !*row) {
      std::cerr << "no event with seq " << seq << "\n";
      return 1;
    }
    std::cout << "seq " << seq << " " << (*row)->type << " event_hash " << ToHex((*row)->hash) << "\n";
    if (!blk.ok() || !*blk) {
      std::cout << "not yet sealed in a block\n";
      return 0;
    }
    auto hashes = (*st)->EventHashes((*blk)->first_seq, (*blk)->last_seq);
    auto pr = MerkleProof(*hashes, static_cast<size_t>(seq - (*blk)->first_seq));
    std::cout << "block " << (*blk)->height << " [" << (*blk)->first_seq << ", " << (*blk)->last_seq << "] root "
              << ToHex((*blk)->root) << "\nproof";
    for (const auto& h : pr) std::cout << " " << ToHex(h);
    std::cout << "\nverified " << (MerkleVerify((*row)->hash, pr, (*blk)->root) ? "yes" : "NO") << "\n";
    return 0;
  }
  return 0;
}
