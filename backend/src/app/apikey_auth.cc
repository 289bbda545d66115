#include "app/apikey_auth.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "api/problem.h"
#include "auth/random.h"
#include "core/sha256.h"

namespace cx::app {
namespace apikey = auth::apikey;

// ---------------------------------------------------------------- directory
apikey::ApiKeyRecord ToRecord(const registry::ApiKey& k) {
  apikey::ApiKeyRecord r;
  r.key_id = k.id;
  r.user_id = k.user;
  r.scopes = apikey::ScopeSet::FromBits(static_cast<uint8_t>(k.scopes));
  r.created_at = k.created_ts / 1'000'000;
  r.expires_at = k.expires_at;
  r.revoked = k.revoked();
  for (const auto& text : k.allow) {
    auto c = apikey::ParseCidr(text);
    if (c.ok()) {
      r.allow.push_back(std::move(c).value());
    } else {
      // Unparseable (cannot happen: the edge validated it): match nothing rather than anything.
      apikey::Cidr none;
      none.network.fill(0xff);
      none.prefix = 128;
      none.text = text;
      r.allow.push_back(std::move(none));
    }
  }
  return r;
}

void ApiKeyDirectory::PutKey(const registry::ApiKey& k) { keys_[k.id] = ToRecord(k); }

void ApiKeyDirectory::PutOwner(const registry::RegistryState& s, int64_t user) {
  Owner o;
  if (const registry::User* u = s.user(user)) {
    o.roles = auth::RoleSet::FromBits(u->roles);
    o.erased = u->erased;
  }
  const registry::MfaState* m = s.mfa(user);
  o.mfa = m && m->enabled;
  owners_[user] = o;
}

void ApiKeyDirectory::Bootstrap(const registry::RegistryState& s) {
  std::unique_lock l(mu_);
  keys_.clear();
  owners_.clear();
  for (const auto& [id, u] : s.users()) {
    for (const registry::ApiKey* k : s.ApiKeysOf(id)) PutKey(*k);
    if (!s.ApiKeysOf(id).empty()) PutOwner(s, id);
  }
}

void ApiKeyDirectory::Observe(const registry::RegistryState& s, const engine::Outcome& o) {
  if (!o.events) return;
  bool locked = false;
  std::unique_lock l(mu_, std::defer_lock);
  auto lock = [&] {
    if (!locked) l.lock();
    locked = true;
  };
  for (const registry::Event& e : *o.events) {
    if (const auto* c = std::get_if<registry::ApiKeyCreated>(&e)) {
      lock();
      if (const registry::ApiKey* k = s.api_key(c->key.id)) PutKey(*k);
      PutOwner(s, c->key.user);
    } else if (const auto* r = std::get_if<registry::ApiKeyRevoked>(&e)) {
      lock();
      if (const registry::ApiKey* k = s.api_key(r->key_id)) PutKey(*k);
    } else if (const auto* rc = std::get_if<registry::UserRolesChanged>(&e)) {
      lock();
      if (owners_.count(rc->user)) PutOwner(s, rc->user);
    } else if (const auto* me = std::get_if<registry::MfaEnabled>(&e)) {
      lock();
      if (owners_.count(me->user)) PutOwner(s, me->user);
    } else if (const auto* md = std::get_if<registry::MfaDisabled>(&e)) {
      lock();
      if (owners_.count(md->user)) PutOwner(s, md->user);
    } else if (const auto* ue = std::get_if<registry::UserErased>(&e)) {
      lock();
      if (owners_.count(ue->user)) PutOwner(s, ue->user);
    }
  }
}

std::optional<ApiKeyDirectory::Entry> ApiKeyDirectory::Find(std::string_view key_id) const {
  std::shared_lock l(mu_);
  auto it = keys_.find(std::string(key_id));
  if (it == keys_.end()) return std::nullopt;
  Entry e;
  e.record = it->second;
  auto o = owners_.find(it->second.user_id);
  if (o != owners_.end()) {
    e.roles = o->second.roles;
    e.mfa_enabled = o->second.mfa;
    // An erased user's keys stop working with the erasure.
    if (o->second.erased) e.record.revoked = true;
  }
  return e;
}

size_t ApiKeyDirectory::size() const {
  std::shared_lock l(mu_);
  return keys_.size();
}

ObserveFn ObserveApiKeys(ObserveFn next, ApiKeyDirectory* dir) {
  return [next = std::move(next), dir](const registry::RegistryState& s,
                                        const engine::Outcome& o) -> std::shared_ptr<const void> {
    dir->Observe(s, o);
    return next ? next(s, o) : nullptr;
  };
}

// ---------------------------------------------------------------- gate
Result<std::unique_ptr<ApiKeyGate>> ApiKeyGate::Create(std::string master_key, const ApiKeyDirectory* dir,
                                                       int64_t per_key_per_s, uint32_t withheld_roles) {
  CX_ASSIGN_OR_RETURN(apikey::ApiKeyAuthority a, apikey::ApiKeyAuthority::Create(std::move(master_key)));
  std::unique_ptr<ApiKeyGate> g(new ApiKeyGate(std::move(a), dir, withheld_roles));
  if (per_key_per_s > 0) {
    auth::RateLimitConfig c;
    c.burst = per_key_per_s * 2;
    c.refill_tokens = per_key_per_s;
    c.refill_period_ms = 1000;
    CX_ASSIGN_OR_RETURN(g->limiter_, auth::RateLimiter::Create(c));
  }
  return g;
}

Result<auth::Principal> ApiKeyGate::Principal(const ApiKeyDirectory::Entry& e) const {
  auth::Principal p;
  p.user_id = e.record.user_id;
  p.authenticated = true;
  p.token_id = e.record.key_id;
  p.expires_at = e.record.expires_at;
  p.roles = e.roles;
  if (!e.mfa_enabled) {
    for (auth::Role r : auth::kAllRoles)
      if ((withheld_ & (1u << static_cast<unsigned>(r))) != 0) p.roles.Remove(r);
  }
  return p;
}

Result<auth::Principal> ApiKeyGate::Verify(std::string_view key_id, int64_t timestamp_ms, std::string_view canonical,
                                           std::string_view signature, std::string_view client_ip,
                                           apikey::Scope needed, int64_t now_ms) {
  auto e = dir_->Find(key_id);
  if (!e) return Err(Code::kBadToken, "unknown API key", "key_id");
  CX_TRY(authority_.VerifyCanonical(e->record, key_id, timestamp_ms, canonical, signature, client_ip, needed,
                                    now_ms, replay_));
  return Principal(*e);
}

Result<auth::Principal> ApiKeyGate::VerifyRequest(const apikey::SignedRequest& req, std::string_view client_ip,
                                                  apikey::Scope needed, int64_t now_ms) {
  auto e = dir_->Find(req.key_id);
  if (!e) return Err(Code::kBadToken, "unknown API key", "key_id");
  CX_TRY(authority_.Verify(e->record, req, client_ip, needed, now_ms, replay_));
  return Principal(*e);
}

auth::RateDecision ApiKeyGate::Acquire(std::string_view key_id, int64_t now_ms) {
  if (!limiter_) return auth::RateDecision{true, 0, 0};
  return limiter_->Acquire("key:" + std::string(key_id), now_ms);
}

// ---------------------------------------------------------------- routes a key may call
std::optional<apikey::Scope> ScopeForRoute(api::Method m, std::string_view pattern) {
  static constexpr std::string_view kNever[] = {"/api/v1/auth/", "/api/v1/kyc", "/api/v1/me/",
                                                "/api/v1/privacy", "/api/v1/users", "/api/v1/webhooks"};
  for (std::string_view p : kNever)
    if (pattern.substr(0, p.size()) == p) return std::nullopt;
  using M = api::Method;
  struct Rule {
    std::string_view pattern;
    M method;
    apikey::Scope scope;
  };
  static constexpr Rule kRules[] = {
      {"/api/v1/orders", M::kPost, apikey::Scope::kTrade},
      {"/api/v1/orders", M::kDelete, apikey::Scope::kTrade},
      {"/api/v1/orders/{id}", M::kDelete, apikey::Scope::kTrade},
      {"/api/v1/orders/{id}/replace", M::kPost, apikey::Scope::kTrade},
      {"/api/v1/cash/withdrawals", M::kPost, apikey::Scope::kWithdraw},
  };
  for (const Rule& r : kRules)
    if (r.method == m && r.pattern == pattern) return r.scope;
  if (m == M::kGet || m == M::kHead) return apikey::Scope::kRead;
  return std::nullopt;
}

bool IsApiKeyPrincipal(const auth::Principal& p) { return p.authenticated && p.token_id.rfind("cxk_", 0) == 0; }

// ---------------------------------------------------------------- master key
Result<std::string> LoadApiKeyMaster(const std::string& data_dir) {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("CX_API_KEY_MASTER")) {  // NOLINT(concurrency-mt-unsafe): start-up
    std::string k(env);
    if (k.size() < apikey::kMinMasterKeyBytes)
      return Err(Code::kInvalidField, "CX_API_KEY_MASTER must hold at least 32 bytes", "CX_API_KEY_MASTER");
    return k;
  }
  const fs::path p = fs::path(data_dir) / "apikey.key";
  if (!fs::exists(p)) {
    std::array<uint8_t, 32> raw{};
    auth::SecureRandom(raw.data(), raw.size());
    const std::string hex = ToHex(raw.data(), raw.size());
    // O_EXCL: two starting processes cannot both write a different key.
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) return Err(Code::kIo, "cannot write " + p.string());
    } else if (!fs::exists(p)) {
      return Err(Code::kIo, "cannot create " + p.string());
    }
  }
  std::ifstream f(p);
  std::string hex;
  std::getline(f, hex);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
  if (hex.size() != 64) return Err(Code::kInvalidField, p.string() + " must hold 64 hex digits", "apikey.key");
  std::string key;
  for (size_t i = 0; i < 64; i += 2) {
    auto nib = [](char ch) -> int {
      if (ch >= '0' && ch <= '9') return ch - '0';
      if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
      if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
      return -1;
    };
    const int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return Err(Code::kInvalidField, p.string() + " must hold 64 hex digits", "apikey.key");
    key.push_back(static_cast<char>((hi << 4) | lo));
  }
  return key;
}

// ---------------------------------------------------------------- the router filter
namespace {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

api::HttpResponse KeyProblem(const Error& e) {
  api::HttpResponse r = api::HttpResponse::Problem(e);
  if (r.status == 401) r.headers.Set("WWW-Authenticate", "CX-Key realm=\"carbonx\", error=\"invalid_key\"");
  // The replay cache is full (100,000 signatures within the 30 s window): try again shortly.
  if (r.status == 429) r.headers.Set("Retry-After", "1");
  return r;
}

}  // namespace

void InstallApiKeyFilter(api::Router& router, ApiKeyGate& gate) {
  ApiKeyGate* g = &gate;
  router.AddFilter([g](const api::HttpRequest& req, const api::RouteSpec& route,
                       auth::Principal& principal) -> std::optional<api::HttpResponse> {
    auto key = req.Header("X-CX-Key");
    if (!key) return std::nullopt;
    if (req.Header("Authorization"))
      return KeyProblem(Err(Code::kBadToken, "send a bearer token or an API key, not both", "key_id"));
    auto ts = req.Header("X-CX-Timestamp");
    if (!ts) return KeyProblem(Err(Code::kBadToken, "X-CX-Timestamp is required with X-CX-Key", "timestamp"));
    auto sig = req.Header("X-CX-Signature");
    if (!sig) return KeyProblem(Err(Code::kBadToken, "X-CX-Signature is required with X-CX-Key", "signature"));
    const std::optional<apikey::Scope> scope = ScopeForRoute(route.method, route.pattern);
    const apikey::SignedRequest sr{*key, *ts, *sig, req.method_name, req.target, req.body};
    // Authenticate first (a stranger learns nothing about the routes), then the scope.
    auto p = g->VerifyRequest(sr, api::HostOf(req.remote_address), scope.value_or(apikey::Scope::kRead),
                              WallClockMs());
    if (!p.ok()) return KeyProblem(p.error());
    if (!scope)
      return KeyProblem(Err(Code::kForbidden,
                            "API keys cannot call " + std::string(api::MethodName(route.method)) + " " +
                                route.pattern + " (sign in instead)",
                            "scope"));
    auth::RateDecision d = g->Acquire(*key, WallClockMs());
    if (!d.allowed) {
      api::HttpResponse r = api::HttpResponse::Problem(auth::RateLimitedError(d));
      r.headers.Set("Retry-After", std::to_string(d.retry_after_s));
      return r;
    }
    principal = std::move(p).value();
    return std::nullopt;
  });
}

}  // namespace cx::app
