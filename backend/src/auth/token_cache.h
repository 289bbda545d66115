// VerifiedTokenCache: remembers access tokens whose signature and claims were already
// verified, until they expire, so a bot sending thousands of requests with one token pays
// for HMAC verification and JSON decoding once. Keyed by the whole token text (a changed
// byte is a different key and is verified afresh); an entry is used only while
// now < expires_at. Bounded: when full, the cache is cleared (the next requests re-verify).
// Thread-safe (one mutex; lookups are short).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/jwt.h"

namespace cx::auth {

class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(size_t capacity = 65536) : capacity_(capacity) {}
  std::optional<AccessClaims> Find(std::string_view token, int64_t now) const {
    std::lock_guard l(mu_);
    auto it = map_.find(std::string(token));
    if (it == map_.end() || now >= it->second.expires_at) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view token, const AccessClaims& c) {
    std::lock_guard l(mu_);
    if (map_.size() >= capacity_) map_.clear();
    map_.emplace(std::string(token), c);
  }
  size_t size() const {
    std::lock_guard l(mu_);
    return map_.size();
  }

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  std::unordered_map<std::string, AccessClaims> map_;
};

}  // namespace cx::auth
