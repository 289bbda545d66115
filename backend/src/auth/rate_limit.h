// Token-bucket rate limiter keyed by a string ("acct:42", "key:cxk_...", "ip:203.0.113.7").
// Each key has a bucket of `burst` tokens refilled at `refill_tokens` per `refill_period_ms`;
// a request takes `cost` tokens or is refused with the whole seconds until it could pass
// (for Retry-After). Integer arithmetic only: a bucket level is kept in units of
// 1/refill_period_ms tokens, so refill is exact at millisecond resolution.
// Time is a parameter (unix ms); a clock that steps back refills nothing.
// Memory is bounded by max_keys: a bucket idle long enough to be full again is the same as
// no bucket and is dropped first; if every slot holds a live bucket, the least recently
// used one is evicted (that key starts again from a full bucket; counted in evicted_live()).
// Thread-safe: keys are spread over shards, each with its own mutex.
#pragma once
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace cx::auth {

struct RateLimitConfig {
  int64_t burst = 20;               // bucket size, tokens
  int64_t refill_tokens = 10;       // tokens added per period
  int64_t refill_period_ms = 1000;
  size_t max_keys = 100'000;
  size_t shards = 16;
};

struct RateDecision {
  bool allowed = false;
  int64_t retry_after_s = 0;  // >= 1 when refused, 0 when allowed
  int64_t remaining = 0;      // whole tokens left after this request
};

class RateLimiter {
 public:
  // kInvalidField ("rate_limit") for non-positive sizes or products that could overflow.
  static Result<std::unique_ptr<RateLimiter>> Create(const RateLimitConfig& cfg);

  RateDecision Acquire(std::string_view key, int64_t now_ms, int64_t cost = 1);
  size_t size() const;
  uint64_t evicted_live() const { return evicted_live_.load(); }
  const RateLimitConfig& config() const { return cfg_; }

 private:
  struct Bucket {
    int64_t level;    // units: token * refill_period_ms
    int64_t last_ms;  // time of the last refill
    std::list<std::string>::iterator lru;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    std::list<std::string> lru;  // front = most recently used
  };
  explicit RateLimiter(const RateLimitConfig& cfg);
  void Refill(Bucket& b, int64_t now_ms) const;
  void MakeRoom(Shard& s, int64_t now_ms);

  RateLimitConfig cfg_;
  int64_t capacity_units_;
  size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> evicted_live_{0};
};

// kRateLimited with "retry after N s" for a refused decision (the HTTP layer sets
// Retry-After from decision.retry_after_s).
Error RateLimitedError(const RateDecision& d);

}  // namespace cx::auth
