// API keys at the edge (issue 4): who a signed request is, and the routes to manage keys.
//
// - ApiKeyDirectory: a thread-safe copy of the registry's API keys (auth/api_key.h
//   records) and of their owners' current roles and second-factor status, so that
//   authentication on the io threads never waits for the engine. Filled from the state
//   before the engine starts (Bootstrap) and kept current from the engine thread
//   (ObserveApiKeys wraps engine::Options::observe): a revocation, a role change or the
//   owner's erasure is in effect for the next request, before its commit is acknowledged.
// - ApiKeyGate: verifies a signed request (or, for FIX, a signed string) against the
//   directory: key, revocation, expiry, timestamp window, HMAC, IP allow-list, scope, the
//   process-wide replay cache; then the per-key rate limit. The principal is the key's
//   owner with the owner's CURRENT roles (roles that need a second factor are withheld
//   while the owner has none, as at sign-in), token_id = the key id. Thread-safe.
// - Which routes a key may call (ScopeForRoute): GET/HEAD need "read"; order entry,
//   cancel, replace and mass cancel need "trade"; a withdrawal request needs "withdraw";
//   everything else is refused, and so is everything under /auth/ (keys, MFA, sessions,
//   wallets), /kyc, /me/ (personal data), /privacy, /users and /webhooks, whatever the
//   method: a key cannot create keys or change roles, MFA, wallets, sessions or KYC.
// - InstallApiKeys: registers POST/GET /api/v1/auth/api-keys and DELETE .../{id}, and the
//   router filter that authenticates requests carrying X-CX-Key (install it before the
//   rate-limit filter so the per-user bucket sees the key's owner).
// HTTP errors: 401 AUTH_BAD_TOKEN / AUTH_TOKEN_EXPIRED with field key_id, revoked,
// timestamp, signature, replay, expires_at (auth/api_key.h); 403 AUTH_FORBIDDEN with
// field "ip" or "scope"; 429 RATE_LIMITED with Retry-After (per key).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/router.h"
#include "app/service.h"
#include "auth/api_key.h"
#include "auth/rate_limit.h"
#include "engine/engine.h"

namespace cx::app {

class ApiKeyDirectory {
 public:
  struct Entry {
    auth::apikey::ApiKeyRecord record;
    auth::RoleSet roles;       // the owner's current roles
    bool mfa_enabled = false;  // the owner's second factor
  };
  // Before the engine starts (reads the whole state).
  void Bootstrap(const registry::RegistryState& s);
  // Engine thread, after each command: picks up created and revoked keys and owners'
  // role and second-factor changes.
  void Observe(const registry::RegistryState& s, const engine::Outcome& o);
  std::optional<Entry> Find(std::string_view key_id) const;
  size_t size() const;

 private:
  struct Owner {
    auth::RoleSet roles;
    bool mfa = false;
    bool erased = false;  // personal data erased (privacy): the keys stop working
  };
  void PutKey(const registry::ApiKey& k);
  void PutOwner(const registry::RegistryState& s, int64_t user);
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, auth::apikey::ApiKeyRecord> keys_;
  std::unordered_map<int64_t, Owner> owners_;
};

using ObserveFn = std::function<std::shared_ptr<const void>(const registry::RegistryState&, const engine::Outcome&)>;
// engine::Options::observe that also keeps `dir` current, then calls `next` (if any).
ObserveFn ObserveApiKeys(ObserveFn next, ApiKeyDirectory* dir);

// The record the registry keeps, as auth/api_key.h needs it (CIDRs parsed).
auth::apikey::ApiKeyRecord ToRecord(const registry::ApiKey& k);

class ApiKeyGate {
 public:
  // `per_key_per_s` 0 = no per-key limit; `withheld` = role bits that act only with a
  // second factor enabled (ServiceContext::mfa_required_roles).
  static Result<std::unique_ptr<ApiKeyGate>> Create(std::string master_key, const ApiKeyDirectory* dir,
                                                    int64_t per_key_per_s, uint32_t withheld_roles);
  // Any transport: `canonical` is the string the client signed (FIX logon fields).
  Result<auth::Principal> Verify(std::string_view key_id, int64_t timestamp_ms, std::string_view canonical,
                                 std::string_view signature, std::string_view client_ip,
                                 auth::apikey::Scope needed, int64_t now_ms);
  // HTTP: the canonical string of auth/api_key.h from the request's method, target, body.
  Result<auth::Principal> VerifyRequest(const auth::apikey::SignedRequest& req, std::string_view client_ip,
                                        auth::apikey::Scope needed, int64_t now_ms);
  // Takes one token from the key's bucket (always allowed when the limit is off).
  auth::RateDecision Acquire(std::string_view key_id, int64_t now_ms);
  const auth::apikey::ApiKeyAuthority& authority() const { return authority_; }
  // Issue 10: the replay cache, to share it across nodes (ReplayCache::set_shared).
  auth::apikey::ReplayCache& replay_cache() { return replay_; }

 private:
  ApiKeyGate(auth::apikey::ApiKeyAuthority a, const ApiKeyDirectory* dir, uint32_t withheld)
      : authority_(std::move(a)), dir_(dir), withheld_(withheld) {}
  Result<auth::Principal> Principal(const ApiKeyDirectory::Entry& e) const;
  auth::apikey::ApiKeyAuthority authority_;
  const ApiKeyDirectory* dir_;
  uint32_t withheld_;
  auth::apikey::ReplayCache replay_;
  std::unique_ptr<auth::RateLimiter> limiter_;
};

// The scope a route needs when called with an API key; nullopt = keys may not call it.
std::optional<auth::apikey::Scope> ScopeForRoute(api::Method m, std::string_view pattern);
// True for a principal authenticated by an API key (token_id is the key id).
bool IsApiKeyPrincipal(const auth::Principal& p);

// The master key: $CX_API_KEY_MASTER (at least 32 bytes), else DIR/apikey.key (32 random
// bytes as 64 hex digits, created once with mode 0600).
Result<std::string> LoadApiKeyMaster(const std::string& data_dir);

// Routes (apikey_routes.cc) and the authentication filter (apikey_auth.cc).
Result<void> RegisterApiKeyRoutes(api::Router& router, ServiceContext& ctx, ApiKeyGate& gate);
void InstallApiKeyFilter(api::Router& router, ApiKeyGate& gate);

}  // namespace cx::app
