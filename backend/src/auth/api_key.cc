#include "auth/api_key.h"

#include <arpa/inet.h>

#include <cstring>

#include "auth/mac.h"
#include "core/sha256.h"

namespace cx::auth::apikey {
namespace {

constexpr std::string_view kDerivationLabel = "carbonx-api-key-v1\n";

bool ParseDecimal(std::string_view s, size_t max_digits, int64_t& out) {
  if (s.empty() || s.size() > max_digits) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kRead: return "read";
    case Scope::kTrade: return "trade";
    case Scope::kWithdraw: return "withdraw";
  }
  return "?";
}

std::vector<std::string> ScopeSet::Names() const {
  std::vector<std::string> out;
  for (Scope s : {Scope::kRead, Scope::kTrade, Scope::kWithdraw})
    if (Has(s)) out.emplace_back(ScopeName(s));
  return out;
}

Result<ScopeSet> ScopeSet::Parse(const std::vector<std::string>& names) {
  ScopeSet out;
  for (const auto& n : names) {
    if (n == "read") out.Add(Scope::kRead);
    else if (n == "trade") out.Add(Scope::kTrade);
    else if (n == "withdraw") out.Add(Scope::kWithdraw);
    else return Err(Code::kInvalidField, "unknown scope '" + n + "'", "scopes");
  }
  if (out.bits() == 0) return Err(Code::kInvalidField, "no scopes", "scopes");
  return out;
}

Result<IpAddr> ParseIp(std::string_view s) {
  if (s.empty() || s.size() > 45) return Err(Code::kInvalidField, "bad IP address", "ip");
  const std::string z(s);  // inet_pton wants a NUL-terminated string
  IpAddr out{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, z.c_str(), v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, z.c_str(), out.data()) == 1) return out;
  return Err(Code::kInvalidField, "bad IP address", "ip");
}

Result<Cidr> ParseCidr(std::string_view s) {
  auto bad = [&](const char* why) { return Err(Code::kInvalidField, why, "allow"); };
  const size_t slash = s.find('/');
  std::string_view addr = s.substr(0, slash);
  auto ip = ParseIp(addr);
  if (!ip.ok()) return bad("bad address in CIDR");
  const bool v4 = addr.find(':') == std::string_view::npos;
  const int max = v4 ? 32 : 128;
  int64_t prefix = max;
  if (slash != std::string_view::npos && !ParseDecimal(s.substr(slash + 1), 3, prefix))
    return bad("bad prefix length");
  if (prefix > max) return bad("prefix length too large");
  Cidr c;
  c.network = *ip;
  c.prefix = static_cast<int>(prefix) + (v4 ? 96 : 0);
  for (int bit = c.prefix; bit < 128; ++bit)
    if (c.network[bit / 8] & (0x80 >> (bit % 8))) return bad("host bits set in CIDR");
  c.text = std::string(s);
  return c;
}

bool Contains(const Cidr& c, const IpAddr& ip) {
  const int full = c.prefix / 8, rest = c.prefix % 8;
  if (std::memcmp(c.network.data(), ip.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (c.network[full] & mask) == (ip[full] & mask);
}

std::string CanonicalString(int64_t timestamp_ms, std::string_view method,
                            std::string_view target, std::string_view body) {
  std::string s = std::to_string(timestamp_ms);
  s += '\n';
  s.append(method);
  s += '\n';
  s.append(target);
  s += '\n';
  s += ToHex(Sha256(body));
  return s;
}

std::string SignRequest(std::string_view secret, int64_t timestamp_ms, std::string_view method,
                        std::string_view target, std::string_view body) {
  return ToHex(HmacSha256(secret, CanonicalString(timestamp_ms, method, target, body)));
}

void ReplayCache::ExpireLocked(int64_t now_ms) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now_ms) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

Result<void> ReplayCache::CheckAndRemember(std::string_view id, int64_t expires_ms,
                                           int64_t now_ms) {
  std::string key(id);
  if (shared_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ExpireLocked(now_ms);
      if (seen_.count(key)) return Err(Code::kBadToken, "request replayed", "replay");
    }
    // Outside the lock: a network round trip.
    std::optional<bool> fresh = shared_(key, std::max<int64_t>(expires_ms - now_ms, 1));
    if (fresh && !*fresh) return Err(Code::kBadToken, "request replayed", "replay");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ExpireLocked(now_ms);
  if (seen_.count(key)) return Err(Code::kBadToken, "request replayed", "replay");
  if (seen_.size() >= capacity_)
    return Err(Code::kRateLimited, "too many signed requests in the replay window", "replay");
  seen_.insert(key);
  by_expiry_.emplace(expires_ms, std::move(key));
  return Ok();
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

Result<ApiKeyAuthority> ApiKeyAuthority::Create(std::string master_key) {
  if (master_key.size() < kMinMasterKeyBytes)
    return Err(Code::kInvalidField, "API-key master key shorter than 32 bytes", "master_key");
  return ApiKeyAuthority(std::move(master_key));
}

std::string ApiKeyAuthority::SecretFor(std::string_view key_id) const {
  std::string msg(kDerivationLabel);
  msg.append(key_id);
  return "cxs_" + ToHex(HmacSha256(master_, msg));
}

Result<IssuedKey> ApiKeyAuthority::Issue(std::span<const uint8_t> random, int64_t user_id,
                                         ScopeSet scopes, int64_t now, int64_t expires_at,
                                         std::vector<Cidr> allow) const {
  if (random.size() < kKeyIdRandomBytes)
    return Err(Code::kInvalidField, "need 12 random bytes for the key id", "random");
  if (scopes.bits() == 0) return Err(Code::kInvalidField, "no scopes", "scopes");
  if (expires_at != 0 && expires_at <= now)
    return Err(Code::kInvalidField, "expiry must be in the future", "expires_at");
  IssuedKey out;
  out.record.key_id = "cxk_" + ToHex(random.data(), kKeyIdRandomBytes);
  out.record.user_id = user_id;
  out.record.scopes = scopes;
  out.record.created_at = now;
  out.record.expires_at = expires_at;
  out.record.allow = std::move(allow);
  out.secret = SecretFor(out.record.key_id);
  return out;
}

Result<void> ApiKeyAuthority::CheckKey(const ApiKeyRecord& rec, std::string_view key_id,
                                       int64_t now_ms) const {
  if (key_id != rec.key_id) return Err(Code::kBadToken, "unknown API key", "key_id");
  if (rec.revoked) return Err(Code::kBadToken, "API key revoked", "revoked");
  if (rec.expires_at != 0 && now_ms >= rec.expires_at * 1000)
    return Err(Code::kTokenExpired, "API key expired", "expires_at");
  return Ok();
}

Result<void> ApiKeyAuthority::Verify(const ApiKeyRecord& rec, const SignedRequest& req,
                                     std::string_view client_ip, Scope needed,
                                     int64_t now_ms, ReplayCache& replay) const {
  CX_TRY(CheckKey(rec, req.key_id, now_ms));
  int64_t ts = 0;
  if (!ParseDecimal(req.timestamp, 16, ts))
    return Err(Code::kBadToken, "timestamp must be decimal unix milliseconds", "timestamp");
  return VerifyCanonical(rec, req.key_id, ts, CanonicalString(ts, req.method, req.target, req.body),
                         req.signature, client_ip, needed, now_ms, replay);
}

Result<void> ApiKeyAuthority::VerifyCanonical(const ApiKeyRecord& rec, std::string_view key_id,
                                              int64_t ts, std::string_view canonical,
                                              std::string_view signature,
                                              std::string_view client_ip, Scope needed,
                                              int64_t now_ms, ReplayCache& replay) const {
  CX_TRY(CheckKey(rec, key_id, now_ms));
  if (ts < now_ms - kReplayWindowMs || ts > now_ms + kReplayWindowMs)
    return Err(Code::kBadToken, "timestamp outside the 30 s window", "timestamp");
  const std::string expect = ToHex(HmacSha256(SecretFor(rec.key_id), canonical));
  const std::string given = LowerAscii(signature);
  if (!ConstantTimeEquals(expect, given))
    return Err(Code::kBadToken, "bad request signature", "signature");
  if (!rec.allow.empty()) {
    auto ip = ParseIp(client_ip);
    bool ok = false;
    if (ip.ok())
      for (const auto& c : rec.allow) ok = ok || Contains(c, *ip);
    if (!ok) return Err(Code::kForbidden, "client address not in the key's allow-list", "ip");
  }
  if (!rec.scopes.Has(needed))
    return Err(Code::kForbidden, "API key lacks scope " + std::string(ScopeName(needed)),
               "scope");
  return replay.CheckAndRemember(rec.key_id + ":" + given, ts + kReplayWindowMs, now_ms);
}

}  // namespace cx::auth::apikey
