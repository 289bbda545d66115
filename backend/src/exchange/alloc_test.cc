// The hot path allocates nothing once warm: after the pools, indexes and the event sink
// have grown, accepted limit / IOC / FOK / market / iceberg orders, cancels and replaces
// make no heap allocation. Counted with a replaced global operator new (this test binary
// only).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "exchange/order_book.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace cx::exchange {
namespace {

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uni(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
};

TEST(OrderBookAllocation, SteadyStateHotPathAllocatesNothing) {
  BookParams p;
  p.expected_orders = 16;  // start small: the warm-up must do the growing
  OrderBook book(p);
  EventSink sink;
  int64_t next_id = 1;
  auto limit = [&](Side side, int64_t px, int64_t qty) {
    NewOrder o;
    o.id = OrderId(next_id++);
    o.account = AccountId(1 + next_id % 5);
    o.side = side;
    o.price = px;
    o.qty = qty;
    return o;
  };

  // Warm-up: more orders and more levels than the measured phase will ever hold, and one
  // sweep that emits more events than any measured call.
  std::vector<OrderId> warm;
  for (int64_t px = 1; px <= 400; ++px)
    for (int k = 0; k < 8; ++k) {
      NewOrder o = limit(px <= 200 ? Side::kBuy : Side::kSell, px, 1);
      warm.push_back(o.id);
      ASSERT_TRUE(book.Submit(o, sink).ok());
    }
  sink.Clear();
  NewOrder sweep = limit(Side::kBuy, 300, 800);  // 100 levels x 8 fills
  ASSERT_TRUE(book.Submit(sweep, sink).ok());
  sink.Clear();
  for (OrderId id : warm) (void)book.Cancel(id, sink);
  sink.Clear();
  ASSERT_EQ(book.live_orders(), 0u);

  // Measured phase: prices 150..250, a few hundred live orders at most.
  Rng rng{42};
  std::vector<OrderId> live;
  live.reserve(100000);
  int64_t checked = 0;
  for (int i = 0; i < 40000; ++i) {
    if (i % 64 == 0) {  // drop orders that were filled away
      for (size_t j = 0; j < live.size();) {
        if (!book.Find(live[j])) { live[j] = live.back(); live.pop_back(); } else { ++j; }
      }
    }
    sink.Clear();
    const int64_t kind = rng.Uni(0, 99);
    uint64_t before = 0, after = 0;
    bool ok = true;
    if (kind < 30 && !live.empty()) {
      const size_t j = size_t(rng.Uni(0, int64_t(live.size()) - 1));
      const OrderId id = live[j];
      before = g_allocations.load(std::memory_order_relaxed);
      ok = book.Cancel(id, sink).ok();
      after = g_allocations.load(std::memory_order_relaxed);
      live[j] = live.back();
      live.pop_back();
    } else if (kind < 38 && !live.empty()) {
      const OrderId id = live[size_t(rng.Uni(0, int64_t(live.size()) - 1))];
      const int64_t px = rng.Uni(150, 250), q = rng.Uni(1, 20);
      before = g_allocations.load(std::memory_order_relaxed);
      ok = book.Replace(id, px, q, sink).ok();
      after = g_allocations.load(std::memory_order_relaxed);
    } else {
      const Side side = rng.Uni(0, 1) ? Side::kBuy : Side::kSell;
      NewOrder o = limit(side, side == Side::kBuy ? rng.Uni(150, 205) : rng.Uni(195, 250), rng.Uni(1, 20));
      const int64_t t = rng.Uni(0, 9);
      if (t == 0) o.tif = TimeInForce::kIoc;
      if (t == 1) o.tif = TimeInForce::kFok;
      if (t == 2) { o.type = OrderType::kMarket; o.tif = TimeInForce::kIoc; o.price = 0; }
      if (t == 3) o.display_qty = 1 + o.qty / 3;
      if (live.size() > 300 && o.type == OrderType::kLimit) o.tif = TimeInForce::kIoc, o.display_qty = 0;
      before = g_allocations.load(std::memory_order_relaxed);
      ok = book.Submit(o, sink).ok();
      after = g_allocations.load(std::memory_order_relaxed);
      if (ok && book.Find(o.id)) live.push_back(o.id);
    }
    // Refusals build an error message (may allocate); every accepted command must not.
    if (ok) {
      ++checked;
      ASSERT_EQ(after, before) << "allocation in command " << i;
    }
  }
  EXPECT_GT(checked, 30000);
  EXPECT_EQ(book.CheckInvariants(), "");
}

}  // namespace
}  // namespace cx::exchange
