// API keys for bots as the registry records them (issue 4). The registry keeps who owns a
// key, what it may do and until when; never the secret: the edge derives each key's
// secret from its id and a master key outside the journal (auth/api_key.h), so neither
// the journal nor a snapshot yields a usable credential.
// Plain values; the engine thread owns them (see registry.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace cx::registry {

// Scope bits, as auth::apikey::ScopeSet::bits().
inline constexpr uint32_t kApiScopeRead = 1;
inline constexpr uint32_t kApiScopeTrade = 2;
inline constexpr uint32_t kApiScopeWithdraw = 4;
inline constexpr uint32_t kApiScopesAll = 7;
// Limits enforced by the registry.
inline constexpr size_t kMaxLiveApiKeys = 20;          // live (not revoked, not expired) per user
inline constexpr int64_t kMaxApiKeyLifetimeS = 366 * 24 * 3600;  // a year (and a leap day)
inline constexpr size_t kMaxApiKeyAllowEntries = 16;   // CIDRs in the allow-list
inline constexpr size_t kMaxApiKeyLabel = 100;

struct ApiKey {
  std::string id;                  // "cxk_" + 24 lowercase hex digits
  int64_t user = 0;                // owner
  std::string label;
  uint32_t scopes = 0;             // kApiScope* bits, never 0
  int64_t expires_at = 0;          // unix seconds
  std::vector<std::string> allow;  // CIDRs as text (validated by the edge); empty = any
  int64_t created_ts = 0;          // engine time (us)
  int64_t revoked_ts = 0;          // engine time (us); 0 while live
  int64_t revoked_by = 0;          // who revoked it (the owner or an admin)
  bool revoked() const { return revoked_ts != 0; }
  // Live at engine time `ts_us`: not revoked and not yet expired.
  bool LiveAt(int64_t ts_us) const { return !revoked() && ts_us < expires_at * 1'000'000; }
  template <class V>
  void Fields(V& v) {
    v("id", id); v("user", user); v("label", label); v("scopes", scopes); v("expires_at", expires_at);
    v("allow", allow); v("created_ts", created_ts); v("revoked_ts", revoked_ts); v("revoked_by", revoked_by);
  }
};

}  // namespace cx::registry
