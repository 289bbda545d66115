// Redis benchmarks (tools/bench/redis.sh starts the redis-server): market-data fan-out
// through two buses (messages per second delivered to the other node's hub) and shared
// rate-limit checks per second (Lua token bucket, EVALSHA round trips from 2 threads).
// Usage: cx_redis_bench PORT
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "app/redis_bus.h"

using namespace cx::app;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cx_redis_bench PORT\n");
    return 2;
  }
  RedisBusOptions o;
  o.url.port = static_cast<uint16_t>(std::strtol(argv[1], nullptr, 10));
  o.node_id = "a";
  auto a = RedisBus::Start(o);
  o.node_id = "b";
  auto b = RedisBus::Start(o);
  if (!a.ok() || !b.ok() || !(*a)->WaitUp(std::chrono::seconds(3)) || !(*b)->WaitUp(std::chrono::seconds(3))) {
    std::fprintf(stderr, "redis not reachable\n");
    return 1;
  }
  // Fan-out: envelopes of 4 messages (a trade, bbo, depth and stats update), ~150 bytes each.
  std::atomic<uint64_t> got{0};
  MarketFanout rx(b->get(), MarketFanout::Hub{[&](const std::string&, const std::string&) {
                                                ++got;
                                                return size_t{1};
                                              },
                                              {}});
  MarketFanout tx(a->get(), MarketFanout::Hub{[](const std::string&, const std::string&) { return size_t{0}; }, {}});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string text(150, 'x');
  const int kBatches = 50'000, kPer = 4;
  auto t0 = Clock::now();
  for (int i = 0; i < kBatches; ++i)
    tx.Emit(static_cast<uint64_t>(i) + 1, {{"trades:1", text}, {"bbo:1", text}, {"depth:1", text}, {"stats:1", text}});
  const uint64_t want = static_cast<uint64_t>(kBatches) * kPer;
  while (got < want && Clock::now() - t0 < std::chrono::seconds(60)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("fanout: %llu of %llu messages in %.3f s (%llu duplicates dropped)\n", static_cast<unsigned long long>(got.load()),
              static_cast<unsigned long long>(want), secs, static_cast<unsigned long long>(rx.duplicates_dropped()));
  std::printf("BENCH redis_fanout_msgs_per_s %.0f msgs/s\n", static_cast<double>(got.load()) / secs);

  // Shared rate limits: 2 threads, each its own keys, on a bucket large enough to allow.
  auto lim = SharedRateLimiter::Create(a->get(), "bench", 1'000'000'000, 1'000'000);
  if (!lim.ok()) return 1;
  std::atomic<uint64_t> checks{0}, shared{0};
  const auto dur = std::chrono::seconds(3);
  auto t1 = Clock::now();
  std::vector<std::thread> ts;
  ts.reserve(2);
  for (int t = 0; t < 2; ++t)
    ts.emplace_back([&, t] {
      int64_t i = 0;
      while (Clock::now() - t1 < dur) {
        ++i;
        auto c = (*lim)->Acquire("user:" + std::to_string(t * 100 + (i % 100)), 1'000'000 + i);
        ++checks;
        if (c.shared) ++shared;
      }
    });
  for (auto& t : ts) t.join();
  double s2 = std::chrono::duration<double>(Clock::now() - t1).count();
  std::printf("rate limit: %llu checks (%llu answered by Redis) in %.2f s\n", static_cast<unsigned long long>(checks.load()),
              static_cast<unsigned long long>(shared.load()), s2);
  std::printf("BENCH redis_rate_limit_checks_per_s %.0f checks/s\n", static_cast<double>(shared.load()) / s2);
  return shared.load() == checks.load() && got == want ? 0 : 1;
}
