#include "auth/rate_limit.h"

#include <algorithm>
#include <functional>

namespace cx::auth {

Result<std::unique_ptr<RateLimiter>> RateLimiter::Create(const RateLimitConfig& cfg) {
  int64_t cap = 0, unused = 0;
  if (cfg.burst <= 0 || cfg.refill_tokens <= 0 || cfg.refill_period_ms <= 0 ||
      cfg.max_keys == 0 || cfg.shards == 0 || cfg.shards > 1024 ||
      __builtin_mul_overflow(cfg.burst, cfg.refill_period_ms, &cap) ||
      // An idle interval of up to one full refill times the rate must fit too.
      __builtin_mul_overflow(cap, cfg.refill_tokens, &unused))
    return Err(Code::kInvalidField, "bad rate-limit configuration", "rate_limit");
  return std::unique_ptr<RateLimiter>(new RateLimiter(cfg));
}

RateLimiter::RateLimiter(const RateLimitConfig& cfg)
    : cfg_(cfg),
      capacity_units_(cfg.burst * cfg.refill_period_ms),
      per_shard_(std::max<size_t>(1, (cfg.max_keys + cfg.shards - 1) / cfg.shards)) {
  for (size_t i = 0; i < cfg.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

void RateLimiter::Refill(Bucket& b, int64_t now_ms) const {
  if (now_ms <= b.last_ms) return;  // no refill for a clock that stands still or steps back
  const int64_t elapsed = now_ms - b.last_ms;
  const int64_t room = capacity_units_ - b.level;
  // elapsed * refill_tokens, capped at what fills the bucket (and so cannot overflow).
  if (elapsed >= (room + cfg_.refill_tokens - 1) / cfg_.refill_tokens) {
    b.level = capacity_units_;
  } else {
    b.level += elapsed * cfg_.refill_tokens;
  }
  b.last_ms = now_ms;
}

void RateLimiter::MakeRoom(Shard& s, int64_t now_ms) {
  // Drop idle (full again) buckets from the cold end; they carry no state.
  while (!s.lru.empty() && s.buckets.size() >= per_shard_) {
    auto it = s.buckets.find(s.lru.back());
    Refill(it->second, now_ms);
    if (it->second.level < capacity_units_) break;
    s.buckets.erase(it);
    s.lru.pop_back();
  }
  if (s.buckets.size() >= per_shard_ && !s.lru.empty()) {
    s.buckets.erase(s.lru.back());
    s.lru.pop_back();
    evicted_live_.fetch_add(1);
  }
}

RateDecision RateLimiter::Acquire(std::string_view key, int64_t now_ms, int64_t cost) {
  RateDecision d;
  if (cost <= 0) cost = 1;
  if (cost > cfg_.burst) {  // can never pass: say so with the longest sensible wait
    d.retry_after_s = std::max<int64_t>(1, (cfg_.burst * cfg_.refill_period_ms /
                                            cfg_.refill_tokens + 999) / 1000);
    return d;
  }
  Shard& s = *shards_[std::hash<std::string_view>{}(key) % shards_.size()];
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.buckets.find(std::string(key));
  if (it == s.buckets.end()) {
    MakeRoom(s, now_ms);
    s.lru.emplace_front(key);
    it = s.buckets.emplace(s.lru.front(), Bucket{capacity_units_, now_ms, s.lru.begin()}).first;
  } else {
    s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
    Refill(it->second, now_ms);
  }
  Bucket& b = it->second;
  const int64_t need = cost * cfg_.refill_period_ms;
  if (b.level >= need) {
    b.level -= need;
    d.allowed = true;
    d.remaining = b.level / cfg_.refill_period_ms;
    return d;
  }
  const int64_t wait_ms = (need - b.level + cfg_.refill_tokens - 1) / cfg_.refill_tokens;
  d.retry_after_s = std::max<int64_t>(1, (wait_ms + 999) / 1000);
  d.remaining = b.level / cfg_.refill_period_ms;
  return d;
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s->mu);
    n += s->buckets.size();
  }
  return n;
}

Error RateLimitedError(const RateDecision& d) {
  return Err(Code::kRateLimited, "rate limit exceeded; retry after " +
                                     std::to_string(d.retry_after_s) + " s");
}

}  // namespace cx::auth
