#include "auth/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace cx::auth {
namespace {

std::unique_ptr<RateLimiter> Make(int64_t burst, int64_t tokens, int64_t period_ms,
                                  size_t max_keys = 1000, size_t shards = 4) {
  RateLimitConfig c;
  c.burst = burst;
  c.refill_tokens = tokens;
  c.refill_period_ms = period_ms;
  c.max_keys = max_keys;
  c.shards = shards;
  auto r = RateLimiter::Create(c);
  EXPECT_TRUE(r.ok());
  return std::move(r).value();
}

TEST(RateLimit, BurstThenRetryAfter) {
  auto rl = Make(5, 1, 2000);  // 5 at once, then one every 2 s
  const int64_t t = 1'000'000;
  for (int i = 0; i < 5; ++i) {
    auto d = rl->Acquire("ip:1", t);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.remaining, 4 - i);
  }
  auto d = rl->Acquire("ip:1", t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 2);
  EXPECT_EQ(rl->Acquire("ip:1", t + 1000).retry_after_s, 1);
  EXPECT_FALSE(rl->Acquire("ip:1", t + 1999).allowed);
  EXPECT_TRUE(rl->Acquire("ip:1", t + 2000).allowed);
  EXPECT_FALSE(rl->Acquire("ip:1", t + 2000).allowed);
  // Other keys are independent.
  EXPECT_TRUE(rl->Acquire("ip:2", t).allowed);
  Error e = RateLimitedError(d);
  EXPECT_EQ(e.code, Code::kRateLimited);
  EXPECT_EQ(HttpStatus(e.code), 429);
}

TEST(RateLimit, ExactIntegerRefill) {
  auto rl = Make(10, 3, 1000);  // 3 tokens per second: one per 333.3 ms
  const int64_t t = 0;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(rl->Acquire("k", t).allowed);
  EXPECT_FALSE(rl->Acquire("k", t + 333).allowed);  // 0.999 tokens
  EXPECT_TRUE(rl->Acquire("k", t + 334).allowed);   // 1.002 tokens
  // Long idle refills to the burst, not beyond.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(rl->Acquire("k", t + 1'000'000).allowed) << i;
  EXPECT_FALSE(rl->Acquire("k", t + 1'000'000).allowed);
}

TEST(RateLimit, CostAndClockSteppingBack) {
  auto rl = Make(10, 10, 1000);
  EXPECT_TRUE(rl->Acquire("k", 5000, 7).allowed);
  auto d = rl->Acquire("k", 5000, 7);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 3);
  EXPECT_EQ(d.retry_after_s, 1);
  EXPECT_FALSE(rl->Acquire("k", 1000, 7).allowed);  // time went back: nothing refilled
  EXPECT_TRUE(rl->Acquire("k", 5400, 7).allowed);   // 3 + 4 tokens
  auto never = rl->Acquire("k", 5400, 11);          // more than the burst
  EXPECT_FALSE(never.allowed);
  EXPECT_GE(never.retry_after_s, 1);
}

TEST(RateLimit, MemoryBoundedIdleDroppedFirst) {
  auto rl = Make(2, 1, 1000, /*max_keys=*/4, /*shards=*/1);
  for (int i = 0; i < 4; ++i) rl->Acquire("k" + std::to_string(i), 0, 2);  // drained
  EXPECT_EQ(rl->size(), 4u);
  // All live: the least recently used ("k0") is evicted and counted.
  rl->Acquire("k4", 0);
  EXPECT_EQ(rl->size(), 4u);
  EXPECT_EQ(rl->evicted_live(), 1u);
  EXPECT_TRUE(rl->Acquire("k0", 0).allowed);  // k0 came back with a full bucket
  EXPECT_EQ(rl->evicted_live(), 2u);
  // After 2 s every drained bucket is full again: new keys replace them silently.
  for (int i = 0; i < 4; ++i) rl->Acquire("n" + std::to_string(i), 10'000);
  EXPECT_EQ(rl->size(), 4u);
  EXPECT_EQ(rl->evicted_live(), 2u);
  // The new buckets are not full (one token taken each): a fifth key evicts a live one.
  rl->Acquire("n4", 10'000);
  EXPECT_EQ(rl->size(), 4u);
  EXPECT_EQ(rl->evicted_live(), 3u);
}

TEST(RateLimit, ThreadSafeUnderContention) {
  auto rl = Make(1000, 1, 1'000'000, 10'000, 8);
  std::atomic<int> allowed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 600; ++i) {
        if (rl->Acquire("shared", 0).allowed) allowed.fetch_add(1);
        rl->Acquire("own" + std::to_string(t), 0);
      }
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(allowed.load(), 1000);
  EXPECT_EQ(rl->size(), 5u);
}

TEST(RateLimit, BadConfigRefused) {
  RateLimitConfig c;
  c.burst = 0;
  EXPECT_EQ(RateLimiter::Create(c).error().code, Code::kInvalidField);
  c = {};
  c.refill_period_ms = INT64_MAX / 2;
  EXPECT_FALSE(RateLimiter::Create(c).ok());
  c = {};
  c.shards = 0;
  EXPECT_FALSE(RateLimiter::Create(c).ok());
}

}  // namespace
}  // namespace cx::auth
