// API keys for bots: request signing with HMAC-SHA256, scopes, expiry, revocation, an
// optional IP allow-list and a replay window.
//
// Key material. A key is a public id ("cxk_" + 24 hex, from caller-supplied random bytes)
// and a secret ("cxs_" + 64 hex) shown to its owner once. The server never stores the
// secret, nor a hash of it: HMAC verification needs the secret itself, so a stored hash
// would be as good as the secret to a thief. Instead the secret is derived,
// secret = "cxs_" + hex(HMAC-SHA256(master_key, "carbonx-api-key-v1\n" + key_id)), and
// recomputed on each request. A copy of the database alone yields no usable secret; the
// master key (>= 32 bytes) lives in the server's configuration. Rotating the master key
// invalidates every key.
//
// Canonical request string (what the client signs), fields joined by "\n":
//   <timestamp_ms>       decimal unix milliseconds, as sent in X-CX-Timestamp
//   <METHOD>             HTTP method as sent, upper case ("GET", "POST", ...)
//   <request-target>     path and query exactly as on the request line, undecoded
//                        ("/api/v1/orders?instrument=7"; no "?" when there is no query)
//   <hex sha256(body)>   lowercase hex SHA-256 of the raw body (of "" when empty)
// signature = lowercase hex HMAC-SHA256(secret as ASCII, canonical string), sent in
// X-CX-Signature; the key id in X-CX-Key.
//
// Replay: the timestamp must be within +-kReplayWindowMs of the server's clock, and a
// ReplayCache (owned by the caller, shared by all requests of the process) refuses a
// signature seen before within that window. Two identical requests in the same
// millisecond are therefore one too many; clients vary the timestamp.
//
// Pure (no I/O, no clock reads); ApiKeyAuthority is immutable and thread-safe;
// ReplayCache is internally locked. Comparisons of secrets and MACs are constant-time.
// Errors (field): kBadToken ("key_id", "revoked", "timestamp", "signature", "replay"),
// kTokenExpired ("expires_at"), kForbidden ("ip", "scope"), kInvalidField for bad input
// to Create/Issue/ParseCidr, kRateLimited ("replay") when the replay cache is full.
#pragma once
#include <optional>
#include <functional>
#include <array>
#include <cstdint>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"

namespace cx::auth::apikey {

inline constexpr int64_t kReplayWindowMs = 30'000;
inline constexpr size_t kKeyIdRandomBytes = 12;
inline constexpr size_t kMinMasterKeyBytes = 32;

enum class Scope : uint8_t { kRead = 0, kTrade = 1, kWithdraw = 2 };
std::string_view ScopeName(Scope s);  // "read", "trade", "withdraw"

class ScopeSet {
 public:
  constexpr ScopeSet() = default;
  ScopeSet(std::initializer_list<Scope> s) {
    for (Scope x : s) Add(x);
  }
  void Add(Scope s) { bits_ |= Bit(s); }
  bool Has(Scope s) const { return (bits_ & Bit(s)) != 0; }
  uint8_t bits() const { return bits_; }
  static ScopeSet FromBits(uint8_t b) { ScopeSet s; s.bits_ = b & 7; return s; }
  std::vector<std::string> Names() const;
  // kInvalidField ("scopes") for an unknown name or an empty list.
  static Result<ScopeSet> Parse(const std::vector<std::string>& names);
  friend bool operator==(const ScopeSet&, const ScopeSet&) = default;

 private:
  static uint8_t Bit(Scope s) { return static_cast<uint8_t>(1u << static_cast<int>(s)); }
  uint8_t bits_ = 0;
};

// An IP address as 16 bytes; IPv4 is held IPv4-mapped (::ffff:a.b.c.d), so an IPv4 rule
// also matches a client seen on a dual-stack socket.
using IpAddr = std::array<uint8_t, 16>;
struct Cidr {
  IpAddr network{};
  int prefix = 128;  // over the 128-bit form (IPv4 /n is stored as /96+n)
  std::string text;  // as given, for display
};
// "203.0.113.7", "203.0.113.0/24", "2001:db8::/32", "::1". Host bits must be zero.
Result<Cidr> ParseCidr(std::string_view s);
Result<IpAddr> ParseIp(std::string_view s);
bool Contains(const Cidr& c, const IpAddr& ip);

// What the server stores per key (no secret in it).
struct ApiKeyRecord {
  std::string key_id;
  int64_t user_id = 0;
  ScopeSet scopes;
  int64_t created_at = 0;   // unix seconds
  int64_t expires_at = 0;   // unix seconds; 0 = never
  bool revoked = false;
  std::vector<Cidr> allow;  // empty = any address
};

struct IssuedKey {
  ApiKeyRecord record;
  std::string secret;  // shown once to the owner, never stored
};

// A request as received. Views must outlive the call.
struct SignedRequest {
  std::string_view key_id;     // X-CX-Key
  std::string_view timestamp;  // X-CX-Timestamp (decimal unix ms)
  std::string_view signature;  // X-CX-Signature (64 lowercase or uppercase hex)
  std::string_view method;
  std::string_view target;     // path?query as on the request line
  std::string_view body;
};

std::string CanonicalString(int64_t timestamp_ms, std::string_view method,
                            std::string_view target, std::string_view body);
// Hex HMAC-SHA256(secret, CanonicalString(...)): what a client sends.
std::string SignRequest(std::string_view secret, int64_t timestamp_ms, std::string_view method,
                        std::string_view target, std::string_view body);

// Remembers signatures until they can no longer pass the timestamp check. Bounded: when
// `capacity` live entries are held it refuses new ones (kRateLimited) rather than forget
// one that could then be replayed. Thread-safe.
class ReplayCache {
 public:
  explicit ReplayCache(size_t capacity = 100'000) : capacity_(capacity) {}
  // Records `id` as seen until `expires_ms`; kBadToken ("replay") if it is already there.
  Result<void> CheckAndRemember(std::string_view id, int64_t expires_ms, int64_t now_ms);
  size_t size() const;
  // Issue 10: a cache shared by every node (app/redis_bus.h SharedReplayCache), asked
  // after the local one: true if `id` is new there, false if another node saw it, nullopt
  // if it cannot answer (the local cache alone decides then). Set before use.
  using SharedCheck = std::function<std::optional<bool>(std::string_view id, int64_t ttl_ms)>;
  void set_shared(SharedCheck check) { shared_ = std::move(check); }

 private:
  void ExpireLocked(int64_t now_ms);
  SharedCheck shared_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> seen_;
  std::set<std::pair<int64_t, std::string>> by_expiry_;
};

class ApiKeyAuthority {
 public:
  // kInvalidField ("master_key") if shorter than kMinMasterKeyBytes.
  static Result<ApiKeyAuthority> Create(std::string master_key);

  // `random` must hold at least kKeyIdRandomBytes (only those are used). kInvalidField
  // for a bad expiry (<= now unless 0), empty scopes.
  Result<IssuedKey> Issue(std::span<const uint8_t> random, int64_t user_id, ScopeSet scopes,
                          int64_t now, int64_t expires_at, std::vector<Cidr> allow) const;
  std::string SecretFor(std::string_view key_id) const;

  // Authenticates `req` against `rec` (looked up by req.key_id) for an action needing
  // `needed`, from `client_ip`, at `now_ms`. Order: key id, revoked, expiry, timestamp
  // window, signature (constant-time), IP allow-list, scope, then the replay cache (only
  // requests with a valid signature are remembered, so strangers cannot fill it).
  Result<void> Verify(const ApiKeyRecord& rec, const SignedRequest& req,
                      std::string_view client_ip, Scope needed, int64_t now_ms,
                      ReplayCache& replay) const;
  // The same checks, in the same order, for a transport that builds the signed string
  // itself (the FIX logon): `canonical` is what the client signed with the key's secret and
  // `timestamp_ms` the time stated in it (checked against the replay window).
  Result<void> VerifyCanonical(const ApiKeyRecord& rec, std::string_view key_id, int64_t timestamp_ms,
                               std::string_view canonical, std::string_view signature,
                               std::string_view client_ip, Scope needed, int64_t now_ms,
                               ReplayCache& replay) const;

 private:
  Result<void> CheckKey(const ApiKeyRecord& rec, std::string_view key_id, int64_t now_ms) const;
  explicit ApiKeyAuthority(std::string key) : master_(std::move(key)) {}
  std::string master_;
};

}  // namespace cx::auth::apikey
