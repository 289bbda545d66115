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
#include <thread>

#include "api/http_server.h"
#include "api/router.h"
#include "core/merkle.h"
#include "app/demo.h"
#include "app/import_cmd.h"
#include "app/market_feed.h"
#include "app/rate_limits.h"
#include "auth/token_cache.h"
#include "app/service.h"
#include "auth/jwt.h"
#include "auth/random.h"
#include "engine/engine.h"
#include "engine/verify.h"
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

std::unique_ptr<engine::Engine> OpenEngine(const std::string& dir, const engine::Options& opts = {}) {
  auto st = store::OpenSqlite(DbPath(dir), /*writer=*/true);
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

int Serve(const std::string& data, const std::string& listen, bool demo, std::string static_dir,
          int io_threads, int alert_scan_seconds, const app::RateLimits& limits, const std::string& public_host,
          const char* argv0) {
  int lock = LockDataDir(data);
  (void)lock;
  // Market data and private order feeds are published from durable engine outcomes.
  app::MarketFeed feed;
  engine::Options eopts;
  eopts.observe = [&feed](const registry::RegistryState& s, const engine::Outcome& o) { return feed.Observe(s, o); };
  eopts.publish = [&feed](const std::vector<std::shared_ptr<const void>>& items) { feed.Publish(items); };
  auto engine = OpenEngine(data, eopts);
  feed.Bootstrap(engine->state());
  engine->Start();
  bool fresh = engine->stats().committed_seq == 0;
  if (fresh) {
    auto r = app::CreateDefaultClasses(*engine);
    if (!r.ok()) std::cerr << "carbonx: default credit classes: " << r.error().message << "\n";
  }
  if (fresh && demo) {
    std::cerr << "carbonx: loading demo data...\n";
    auto r = app::LoadDemo(*engine, RepoFile(argv0, "backend/src/importers/testdata"));
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
  if (const char* chain = std::getenv("CX_SIWE_CHAIN_ID")) ctx.siwe_chain_id = std::strtoull(chain, nullptr, 10);
  api::Router router;
  // Verified access tokens are remembered until they expire (a bot reuses one token for
  // thousands of requests); anything not in the cache is verified in full.
  auth::VerifiedTokenCache token_cache;
  router.SetAuthenticator([&](std::string_view token) -> Result<auth::Principal> {
    int64_t now = std::time(nullptr);
    if (auto hit = token_cache.Find(token, now)) return hit->ToPrincipal();
    CX_ASSIGN_OR_RETURN(auth::AccessClaims c, jwt->Verify(token, now));
    token_cache.Put(token, c);
    return c.ToPrincipal();
  });
  auto rr = app::RegisterRoutes(router, ctx);
  if (rr.ok()) rr = app::RegisterDocumentRoutes(router, ctx);
  if (rr.ok()) rr = app::RegisterMarketRoutes(router, ctx, feed);
  if (rr.ok()) rr = app::RegisterSecurityRoutes(router, ctx);
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
  if (rr.ok()) rr = app::RegisterSchemas(router);
  std::shared_ptr<void> rate_buckets;
  if (rr.ok()) {
    auto rl = app::InstallRateLimits(router, limits);
    if (rl.ok()) rate_buckets = *rl; else rr = rl.take_error();
  }
  if (!rr.ok()) {
    std::cerr << "carbonx: routes: " << rr.error().message << "\n";
    return 1;
  }
  api::ServerOptions opts;
  auto colon = listen.rfind(':');
  opts.host = listen.substr(0, colon);
  opts.port = static_cast<uint16_t>(std::stoi(listen.substr(colon + 1)));
  opts.io_threads = io_threads;
  opts.router_prefixes = {"/ipfs/"};
  opts.max_body_bytes = ctx.max_document_bytes + 4096;  // document uploads
  if (static_dir.empty()) static_dir = DefaultStaticDir(argv0);
  opts.static_dir = static_dir;
  opts.ws_authorize = &app::MarketFeed::Authorize;
  opts.ws_subscribe = [&feed](const std::string& channel, const std::function<bool()>& subscribe) {
    return feed.Subscribe(channel, subscribe);
  };
  api::HttpServer server(router, opts);
  feed.set_hub(&server.hub());
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
  std::cout << "carbonx: serving http://" << opts.host << ":" << *port << "/ (data " << data
            << ", journal at seq " << engine->stats().committed_seq << ")" << std::endl;
  if (demo) {
    std::cout << "carbonx: demo sign-ins (email / password):" << std::endl;
    for (const auto& u : app::DemoUsers())
      std::cout << "  " << u.role << ": " << u.email << " / " << u.password << std::endl;
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
  server.Stop();
  engine->Stop();
  while (scanning) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a scan in flight ends at once
  return 0;
}

int Verify(const std::string& data) {
  auto st = store::OpenSqlite(DbPath(data));
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
  std::string listen = "127.0.0.1:8080", static_dir;
  bool demo = false;
  int io_threads = 2;
  serve->add_option("--data", data, "data directory (journal, keys)")->capture_default_str();
  serve->add_option("--listen", listen, "HOST:PORT")->capture_default_str();
  serve->add_flag("--demo", demo, "load demo users, a project and registry rows into an empty journal");
  serve->add_option("--static", static_dir, "directory of the built web app (default: frontend/dist)");
  serve->add_option("--io-threads", io_threads, "HTTP threads")->capture_default_str();
  app::RateLimits limits;
  serve->add_option("--rate-limit-user", limits.user_per_s, "requests per second per signed-in user (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--rate-limit-ip", limits.ip_per_s, "anonymous requests per second per IP (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  serve->add_option("--rate-limit-auth", limits.auth_per_s, "sign-in/sign-up attempts per second per IP (burst 2x; 0 = off)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))->capture_default_str();
  std::string public_host;
  serve->add_option("--public-host", public_host,
                    "host[:port] users reach this server at (Sign-In with Ethereum messages must name it); "
                    "default: 127.0.0.1:PORT and localhost:PORT");
  int alert_scan_seconds = 60;
  serve->add_option("--alert-scan-seconds", alert_scan_seconds, "seconds between market-abuse detector scans")
      ->check(CLI::Range(1, 86400))->capture_default_str();

  auto* imp = app.add_subcommand("import", "Import public registry exports (CSV)");
  std::string registry;
  std::vector<std::string> files;
  imp->add_option("--data", data, "data directory")->capture_default_str();
  imp->add_option("--registry", registry, "verra|gold-standard|acr|car|art|arb|isometric|cercarbono")->required();
  imp->add_option("files", files, "export files (kind from the name)")->required();

  auto* ver = app.add_subcommand("verify", "Re-hash the whole journal and check every invariant");
  ver->add_option("--data", data, "data directory")->capture_default_str();

  auto* snap = app.add_subcommand("snapshot", "Write an engine snapshot now");
  snap->add_option("--data", data, "data directory")->capture_default_str();

  auto* proof = app.add_subcommand("proof", "Print the inclusion proof of a journal event");
  int64_t seq = 0;
  proof->add_option("--data", data, "data directory")->capture_default_str();
  proof->add_option("seq", seq, "journal seq")->required();

  app.footer("Also: carbonx doc add|get ..., carbonx ml backtest|train|detect|report ..., carbonx bench-nw1 FILE.bin");
  CLI11_PARSE(app, argc, argv);

  if (*serve) return Serve(data, listen, demo, static_dir, io_threads, alert_scan_seconds, limits, public_host, argv[0]);
  if (*ver) return Verify(data);
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
    auto e = OpenEngine(data, engine::Options{1000, 1000, 1, nullptr});
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
