// API keys in the registry: creation (with the owner's second factor when enabled, at most
// kMaxLiveApiKeys live keys per user, lifetime at most kMaxApiKeyLifetimeS), revocation
// by the owner or an admin, audit entries for both, and snapshot support. No secret is
// ever seen here (see apikey_model.h).
#include <algorithm>

#include "core/codec.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Error Refuse(Code c, std::string msg, std::string field = {}) { return Err(c, std::move(msg), std::move(field)); }

bool IsKeyId(const std::string& id) {
  if (id.size() != 28 || id.rfind("cxk_", 0) != 0) return false;
  return std::all_of(id.begin() + 4, id.end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

std::string ScopeText(uint32_t bits) {
  std::string s;
  for (auto [bit, name] : {std::pair{kApiScopeRead, "read"}, {kApiScopeTrade, "trade"}, {kApiScopeWithdraw, "withdraw"}}) {
    if ((bits & bit) == 0) continue;
    if (!s.empty()) s += ',';
    s += name;
  }
  return s;
}

// The snapshot form: every key, by id.
struct ApiKeySnap {
  std::vector<ApiKey> keys;
  template <class V> void Fields(V& v) { v("keys", keys); }
};

}  // namespace

const ApiKey* RegistryState::api_key(const std::string& id) const {
  auto it = api_keys_.find(id);
  return it == api_keys_.end() ? nullptr : &it->second;
}

std::vector<const ApiKey*> RegistryState::ApiKeysOf(int64_t user_id) const {
  std::vector<const ApiKey*> out;
  auto it = api_keys_by_user_.find(user_id);
  if (it == api_keys_by_user_.end()) return out;
  for (const auto& id : it->second) out.push_back(&api_keys_.at(id));
  return out;
}

Result<void> RegistryState::DecideApiKey(const CreateApiKey& c, int64_t ts, std::vector<Event>& out) const {
  const User* owner = user(c.actor);
  if (!owner) return Refuse(Code::kUnknownUser, "no such user", "user");
  if (owner->erased) return Refuse(Code::kBadState, "this user's personal data is erased", "user");
  const ApiKey& k = c.key;
  if (!IsKeyId(k.id)) return Refuse(Code::kInvalidField, "key id must be cxk_ + 24 hex digits", "id");
  if (api_keys_.count(k.id)) return Refuse(Code::kConflict, "key id already used", "id");
  if (k.label.empty() || k.label.size() > kMaxApiKeyLabel)
    return Refuse(Code::kInvalidField, "label of 1 to 100 bytes", "label");
  if (k.scopes == 0 || (k.scopes & ~kApiScopesAll) != 0) return Refuse(Code::kInvalidField, "bad scopes", "scopes");
  const int64_t now_s = ts / 1'000'000;
  if (k.expires_at <= now_s) return Refuse(Code::kInvalidField, "expiry must be in the future", "expires_at");
  if (k.expires_at > now_s + kMaxApiKeyLifetimeS)
    return Refuse(Code::kInvalidField, "a key lives at most one year", "expires_at");
  if (k.allow.size() > kMaxApiKeyAllowEntries) return Refuse(Code::kInvalidField, "at most 16 entries", "allow_ips");
  for (const auto& a : k.allow)
    if (a.empty() || a.size() > 64) return Refuse(Code::kInvalidField, "bad CIDR", "allow_ips");
  size_t live = 0;
  for (const ApiKey* x : ApiKeysOf(c.actor)) live += x->LiveAt(ts) ? 1 : 0;
  if (live >= kMaxLiveApiKeys)
    return Refuse(Code::kConflict, "at most 20 live API keys: revoke one first", "label");
  std::vector<Event> mfa;
  CX_TRY(CheckSecondFactor(c.actor, c.mfa_step, c.recovery_hash, "api_key", mfa));
  ApiKey rec;
  rec.id = k.id;
  rec.user = c.actor;
  rec.label = k.label;
  rec.scopes = k.scopes;
  rec.expires_at = k.expires_at;
  rec.allow = k.allow;
  rec.created_ts = ts;
  for (auto& e : mfa) out.push_back(std::move(e));
  out.push_back(ApiKeyCreated{std::move(rec)});
  return Ok();
}

Result<void> RegistryState::DecideApiKey(const RevokeApiKey& c, int64_t, std::vector<Event>& out) const {
  const ApiKey* k = api_key(c.key_id);
  // Someone else's key is "not found" (no probing of ids), unless an admin asks.
  if (!k || (k->user != c.actor && !c.actor_is_admin)) return Refuse(Code::kNotFound, "no such API key", "id");
  if (k->revoked()) return Refuse(Code::kBadState, "already revoked", "id");
  out.push_back(ApiKeyRevoked{k->id, k->user, c.actor});
  return Ok();
}

void RegistryState::ApplyApiKey(const Event& ev, int64_t seq, int64_t ts) {
  if (const auto* e = std::get_if<ApiKeyCreated>(&ev)) {
    const ApiKey& k = api_keys_[e->key.id] = e->key;
    api_keys_by_user_[k.user].push_back(k.id);
    std::string detail = k.id + " \"" + k.label + "\" scopes " + ScopeText(k.scopes) + " expires " +
                         std::to_string(k.expires_at);
    if (!k.allow.empty()) {
      detail += " from";
      for (const auto& a : k.allow) detail += " " + a;
    }
    Audit(seq, ts, k.user, k.user, "api_key_created", std::move(detail), "");
  } else if (const auto* r = std::get_if<ApiKeyRevoked>(&ev)) {
    auto it = api_keys_.find(r->key_id);
    if (it == api_keys_.end()) return;
    it->second.revoked_ts = ts != 0 ? ts : 1;
    it->second.revoked_by = r->actor;
    Audit(seq, ts, r->user, r->actor, "api_key_revoked", r->key_id + " \"" + it->second.label + "\"", "");
  }
}

std::string RegistryState::SnapshotApiKeys() const {
  ApiKeySnap s;
  for (const auto& [id, k] : api_keys_) s.keys.push_back(k);
  return Encode(s);
}

bool RegistryState::RestoreApiKeys(std::string_view bytes) {
  api_keys_.clear();
  api_keys_by_user_.clear();
  if (bytes.empty()) return true;  // a snapshot from before API keys
  ApiKeySnap s;
  if (!Decode(bytes, s)) return false;
  // Per user, oldest first: by creation time, then id (ids are random).
  std::sort(s.keys.begin(), s.keys.end(), [](const ApiKey& a, const ApiKey& b) {
    return a.created_ts != b.created_ts ? a.created_ts < b.created_ts : a.id < b.id;
  });
  for (auto& k : s.keys) {
    api_keys_by_user_[k.user].push_back(k.id);
    api_keys_[k.id] = std::move(k);
  }
  return true;
}

}  // namespace cx::registry
