// Call-auction figures: Uncross and Indicative over random order sets of 1,000, 10,000
// and 100,000 orders (prices in a band of 200 ticks around a crossing mid, 2 % market
// orders), best of --repeat passes, wall clock. Before timing, every set's result is
// checked (fills sum to the volume, no fill beyond a limit, remaining == qty - filled);
// "check ok" is printed only if all hold. Output lines: `<name> <value>`.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "exchange/auction.h"

namespace {

using cx::exchange::AuctionOrder;
using cx::exchange::AuctionParams;
using cx::exchange::AuctionResult;
using cx::exchange::Side;

struct Rng {  // splitmix64
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uni(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
};

std::vector<AuctionOrder> Make(int n, uint64_t seed) {
  Rng rng{seed};
  std::vector<AuctionOrder> os;
  os.reserve(size_t(n));
  for (int i = 0; i < n; ++i) {
    const bool buy = rng.Uni(0, 1) == 1;
    AuctionOrder o;
    o.id = cx::OrderId(i + 1);
    o.account = cx::AccountId(rng.Uni(1, 5000));
    o.side = buy ? Side::kBuy : Side::kSell;
    o.market = rng.Uni(0, 99) < 2;
    o.price = o.market ? 0 : (rng.Uni(900, 1100) + (buy ? 20 : -20)) * 5;
    o.qty = rng.Uni(1, 100) * 1000;
    o.seq = uint64_t(i) * 3 + 1;
    os.push_back(o);
  }
  return os;
}

bool Check(const std::vector<AuctionOrder>& os, const AuctionResult& r) {
  std::map<int64_t, const AuctionOrder*> by_id;
  for (const AuctionOrder& o : os) by_id[o.id.value()] = &o;
  std::map<int64_t, int64_t> filled;
  int64_t sum = 0;
  for (const auto& f : r.fills) {
    const AuctionOrder* b = by_id[f.buy.value()];
    const AuctionOrder* s = by_id[f.sell.value()];
    if (!b || !s || f.qty <= 0) return false;
    if (!b->market && b->price < r.price) return false;
    if (!s->market && s->price > r.price) return false;
    filled[f.buy.value()] += f.qty;
    filled[f.sell.value()] += f.qty;
    sum += f.qty;
  }
  if (!r.crossed || sum != r.volume || r.remaining.size() != os.size()) return false;
  for (size_t i = 0; i < os.size(); ++i)
    if (r.remaining[i].second != os[i].qty - filled[os[i].id.value()]) return false;
  return true;
}

double NowNs() {
  return double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count());
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 5;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::max(1, static_cast<int>(std::strtol(argv[i + 1], nullptr, 10)));
  const AuctionParams params{5, 1000, 5000};
  bool ok = true;
  for (int n : {1000, 10000, 100000}) {
    const std::vector<AuctionOrder> os = Make(n, 20261128u + uint64_t(n));
    auto first = cx::exchange::Uncross(os, params);
    if (!first.ok() || !Check(os, *first)) {
      std::printf("check failed n=%d\n", n);
      ok = false;
      continue;
    }
    const int inner = std::max(1, 200000 / n);
    double best_u = 1e300, best_i = 1e300;
    for (int rep = 0; rep < repeat; ++rep) {
      double t0 = NowNs();
      int64_t sink = 0;
      for (int k = 0; k < inner; ++k) sink += cx::exchange::Uncross(os, params)->volume;
      double t1 = NowNs();
      for (int k = 0; k < inner; ++k) sink += cx::exchange::Indicative(os, params)->volume;
      double t2 = NowNs();
      if (sink != 2 * int64_t(inner) * first->volume) ok = false;
      best_u = std::min(best_u, (t1 - t0) / inner);
      best_i = std::min(best_i, (t2 - t1) / inner);
    }
    std::printf("uncross_%d_us %.1f\n", n, best_u / 1000.0);
    std::printf("indicative_%d_us %.1f\n", n, best_i / 1000.0);
    std::printf("uncross_%d_ns_per_order %.1f\n", n, best_u / n);
    std::printf("fills_%d %zu\n", n, first->fills.size());
  }
  if (ok) std::printf("check ok\n");
  return ok ? 0 : 1;
}
