// The registry's HTTP API: registers every /api/v1 route of the foundation on a Router.
// Handlers are thin: parse the request, submit a command (or a query) to the engine,
// answer after the journal commit. Blocking work (argon2id, proof reads) runs on Workers.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/router.h"
#include "app/mfa.h"
#include "app/pii.h"
#include "app/workers.h"
#include "auth/jwt.h"
#include "engine/engine.h"
#include "store/store.h"

namespace cx::documents {
class DocumentStore;
struct MasterKey;
}

namespace cx::app {
class MarketFeed;

struct ServiceContext {
  engine::Engine* engine = nullptr;
  const auth::JwtCodec* jwt = nullptr;
  Workers* workers = nullptr;
  std::string db_path;              // the journal, opened read-only for proofs
  std::string store_url;            // --store (postgres://... or a SQLite path); empty: db_path
  int64_t refresh_ttl_seconds = 30 * 24 * 3600;
  documents::DocumentStore* docs = nullptr;  // content-addressed documents (may be null)
  uint64_t max_document_bytes = 32u << 20;
  std::function<int64_t()> now_seconds;  // unix time (tests may fix it)
  const documents::MasterKey* mfa_key = nullptr;  // seals TOTP secrets (DIR/mfa.key)
  FailureWindow mfa_failures{kMfaMaxFailures, kMfaFailureWindowS, "wrong codes", "otp"};
  FailureWindow login_failures{kLoginMaxFailures, kLoginFailureWindowS, "failed sign-ins", "password"};
  // Roles (registry::Role bits) that act only after a second factor: a user holding one
  // without TOTP enabled signs in with those roles withheld from the access token (the
  // pair says which in "withheld_roles") until they enroll (--mfa-required-roles).
  uint32_t mfa_required_roles = registry::kAdmin | registry::kVerifier;
  uint64_t siwe_chain_id = 1;  // the chain SIWE messages must name ($CX_SIWE_CHAIN_ID)
  // The hosts (authority "host:port") SIWE messages may name: --public-host, else this
  // server's listen address as 127.0.0.1:PORT and localhost:PORT. Never the request's
  // Host header (a phishing relay chooses that). Set before the server starts serving.
  std::vector<std::string> SiweDomains() const {
    std::lock_guard<std::mutex> l(siwe_mu);
    return siwe_domains;
  }
  void SetSiweDomains(std::vector<std::string> d) {
    std::lock_guard<std::mutex> l(siwe_mu);
    siwe_domains = std::move(d);
  }
  mutable std::mutex siwe_mu;
  std::vector<std::string> siwe_domains;  // guarded by siwe_mu
  // Read connection for proofs (one, guarded).
  std::mutex reader_mu;
  std::unique_ptr<store::Store> reader;
  // Personal data (app/pii.h): sealed fields, email index, erasure. Set by main.
  PiiVault* vault = nullptr;
  PiiVault& pii() const { return *vault; }
  // A user's email / display name (cached; see PiiVault::PersonOf).
  app::Person PersonOf(const registry::User& u) const;
};

Result<void> RegisterRoutes(api::Router& router, ServiceContext& ctx);
// JSON Schemas of request bodies for the OpenAPI document.
Result<void> RegisterSchemas(api::Router& router);
// Document upload, metadata, the /ipfs/{cid} gateway and project attachments.
Result<void> RegisterDocumentRoutes(api::Router& router, ServiceContext& ctx);
// The sign-in reply: a fresh access token for `u`'s current roles and the refresh token.
// The sign-in answer: access token (roles minus those withheld for want of a second factor),
// refresh token and the user.
Result<std::string> TokenPair(const ServiceContext& c, const registry::RegistryState& s, const registry::User& u,
                              const std::string& refresh, int64_t now);
// One journaled alert as JSON (REST and the "alerts" WebSocket channel).
std::string AlertJson(const registry::Alert& a);
// Runs the detectors and journals new alerts (worker thread); returns how many were new.
Result<int64_t> ScanForAlerts(ServiceContext& ctx);
// Second factor (TOTP enrollment, QR, recovery codes) and withdrawals with step-up approval.
Result<void> RegisterSecurityRoutes(api::Router& router, ServiceContext& ctx);
// Privacy (privacy_routes.cc): GET /me/export, POST /me/erase, GET/POST /me/consents.
Result<void> RegisterPrivacyRoutes(api::Router& router, ServiceContext& ctx);
// Exchange: instruments, orders, fills, market data, indices, auctions (market_routes.cc).
Result<void> RegisterMarketRoutes(api::Router& router, ServiceContext& ctx, MarketFeed& feed);
// Analytics (ml_routes.cc, built when ml/ is): /api/v1/ml/{status, forecast, volatility,
// trend, risk/projects/{id}, risk/portfolio, fraud/alerts}. The reference price series is
// the first readable file of `references`; `model_dir` holds the trained forecast
// ensemble (loaded at start, or trained there once in the background).
struct MlReference {
  std::string path, date_column, price_column, name, currency;
};
struct MlConfig {
  std::string model_dir;
  std::vector<MlReference> references;
};
Result<void> RegisterMlRoutes(api::Router& router, ServiceContext& ctx, const MlConfig& cfg);

}  // namespace cx::app
