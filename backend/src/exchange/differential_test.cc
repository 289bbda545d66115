// Differential and property tests: seeded random command streams using every order type
// (limit, market, IOC, FOK, post-only, stop, stop-limit, iceberg, GTC/GTT, min fill, STP
// modes, cancel, replace, mass cancel, time advance, and malformed input) are applied to
// the production OrderBook and the naive ReferenceBook. They must agree on every result
// code and every event, fill for fill, and on the whole book. Properties checked on the
// production book after every command: it never stays crossed, and each order's
// quantity is conserved (accepted = filled + cancelled/rejected + still open, as the
// events tell it, and the open part is exactly what the book holds).
//
// Size: 6 configurations x 20,000 orders (120,000 orders) by default; CX_LONG=1 makes it
// 6 x 200,000 (1,200,000). CX_SEED=N replays a given seed; the seed is always printed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "exchange/order_book.h"
#include "exchange/reference_book.h"

namespace cx::exchange {
namespace {

struct Rng {  // splitmix64: small, seedable, same on every platform
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uni(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
  bool Chance(double p) { return double(Next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

struct Config {
  const char* name;
  int64_t tick;
  int64_t lot;
  bool matching_only;
  int64_t spread_ticks;  // how far from mid prices and stops are drawn
  double stop_share;     // share of new orders that are stops
  bool colliding_ids = false;  // all ids share one 32-bit tag: stresses the id index
};

std::string Describe(const Event& e) {
  std::ostringstream s;
  s << "type=" << int(e.type) << " side=" << int(e.side) << " reason=" << int(e.reason)
    << " code=" << int(e.code) << " order=" << e.order.value() << " acct=" << e.account.value()
    << " maker=" << e.maker.value() << " macct=" << e.maker_account.value() << " px=" << e.price
    << " qty=" << e.qty << " leaves=" << e.leaves << " tdone=" << e.taker_done
    << " mdone=" << e.maker_done;
  return s.str();
}

class Harness {
 public:
  Harness(const Config& c, uint64_t seed) : cfg_(c), rng_{seed}, fast_(Params(c)), ref_(Params(c)) {}

  static BookParams Params(const Config& c) {
    BookParams p;
    p.instrument = InstrumentId(1);
    p.tick_size = c.tick;
    p.lot_size = c.lot;
    p.matching_only = c.matching_only;
    p.expected_orders = 64;  // small on purpose: exercises pool and index growth
    return p;
  }

  // Runs until `orders` new orders were submitted. Returns false on the first mismatch.
  bool Run(int64_t orders) {
    int64_t submitted = 0;
    while (submitted < orders) {
      ++step_;
      const double u = double(rng_.Next() >> 11) * (1.0 / 9007199254740992.0);
      const size_t live = open_.size();
      const double cancel_p = live > 300 ? 0.35 : live > 100 ? 0.2 : 0.04;
      Result<void> rf = Ok(), rr = Ok();
      sf_.Clear();
      sr_.Clear();
      if (u < cancel_p) {
        const OrderId id = PickId();
        rf = fast_.Cancel(id, sf_);
        rr = ref_.Cancel(id, sr_);
        what_ = "cancel " + std::to_string(id.value());
      } else if (u < cancel_p + 0.1) {
        const OrderId id = PickId();
        auto target = fast_.Find(id);
        const int64_t px = Price(rng_.Chance(0.02), target ? target->side : Side::kBuy, true);
        const int64_t qty = Qty(rng_.Chance(0.02));
        rf = fast_.Replace(id, px, qty, sf_);
        rr = ref_.Replace(id, px, qty, sr_);
        what_ = "replace " + std::to_string(id.value()) + " px=" + std::to_string(px) +
                " qty=" + std::to_string(qty);
      } else if (u < cancel_p + 0.102) {
        const AccountId a(rng_.Uni(1, 6));
        const uint32_t nf = fast_.MassCancel(a, sf_);
        const uint32_t nr = ref_.MassCancel(a, sr_);
        what_ = "mass cancel " + std::to_string(a.value());
        if (nf != nr) return Fail("mass cancel counts differ");
      } else if (u < cancel_p + 0.14) {
        now_ += rng_.Uni(0, 60);
        fast_.AdvanceTime(now_, sf_);
        ref_.AdvanceTime(now_, sr_);
        what_ = "advance time to " + std::to_string(now_);
      } else {
        const NewOrder o = MakeOrder();
        rf = fast_.Submit(o, sf_);
        rr = ref_.Submit(o, sr_);
        ++submitted;
        what_ = "submit " + std::to_string(o.id.value()) + " type=" + std::to_string(int(o.type)) +
                " tif=" + std::to_string(int(o.tif)) + " side=" + std::to_string(int(o.side)) +
                " px=" + std::to_string(o.price) + " stop=" + std::to_string(o.stop_price) +
                " qty=" + std::to_string(o.qty);
      }
      if (rf.ok() != rr.ok()) return Fail("result ok differs");
      if (!rf.ok() && rf.error().code != rr.error().code)
        return Fail("codes differ: " + std::to_string(int(rf.error().code)) + " vs " +
                    std::to_string(int(rr.error().code)));
      if (!rf.ok()) ++refusals_;
      if (sf_.events() != sr_.events()) return FailEvents();
      for (const Event& e : sf_.events()) {
        fills_ += e.type == EventType::kFill;
        ++by_type_[int(e.type)];
        if (e.type == EventType::kCancelled) ++by_reason_[int(e.reason)];
      }
      live_sum_ += int64_t(open_.size());
      if (!CheckProperties()) return false;
      if (step_ % 97 == 0 && !CompareBooks()) return false;
    }
    return CompareBooks();
  }

  int64_t fills() const { return fills_; }
  int64_t refusals() const { return refusals_; }
  int64_t steps() const { return step_; }
  std::string Stats() const {
    std::ostringstream s;
    s << "avg_live=" << (step_ ? live_sum_ / step_ : 0) << " accepted=" << by_type_[0]
      << " fills=" << by_type_[1] << " cancelled=" << by_type_[2] << " rejected=" << by_type_[3]
      << " triggered=" << by_type_[4] << " replaced=" << by_type_[5] << " | cancel reasons: user="
      << by_reason_[1] << " mass=" << by_reason_[2] << " unfilled=" << by_reason_[3]
      << " stp=" << by_reason_[4] << " expired=" << by_reason_[5] << " | refusals=" << refusals_;
    return s.str();
  }
  std::string failure() const { return failure_; }

 private:
  // Mostly on the order's own side of the last trade (so the book builds depth), some
  // ticks through it (so orders cross).
  int64_t Price(bool off_tick, Side side = Side::kBuy, bool sided = false) {
    const int64_t mid = fast_.last_trade_price().value_or(1000 * cfg_.tick);
    int64_t off = sided ? rng_.Uni(-2, cfg_.spread_ticks) : rng_.Uni(-cfg_.spread_ticks, cfg_.spread_ticks);
    if (sided && side == Side::kBuy) off = -off;
    int64_t p = mid + off * cfg_.tick;
    if (p <= 0) p = cfg_.tick;
    if (off_tick && cfg_.tick > 1) p += 1;
    if (rng_.Chance(0.002)) p = -p;
    return p;
  }
  int64_t Qty(bool bad) {
    int64_t q = rng_.Uni(1, 20) * cfg_.lot;
    if (bad) q = rng_.Chance(0.5) ? 0 : (cfg_.lot > 1 ? q + 1 : -q);
    return q;
  }
  // Order id for sequence number k. Colliding mode: (k << 32) | (k ^ 7), whose folded
  // 32-bit tag is 7 for every k, so every id lands in one probe chain of the index.
  int64_t IdFor(int64_t k) const {
    return cfg_.colliding_ids ? int64_t((uint64_t(k) << 32) | (uint64_t(k) ^ 7u)) : k;
  }
  OrderId PickId() {
    if (open_.empty() || rng_.Chance(0.05)) return OrderId(IdFor(rng_.Uni(0, next_id_ + 5)));
    auto it = open_.begin();
    std::advance(it, rng_.Uni(0, int64_t(open_.size()) - 1));
    return OrderId(it->first);
  }
  NewOrder MakeOrder() {
    NewOrder o;
    o.id = OrderId(IdFor(next_id_++));
    if (rng_.Chance(0.003) && !open_.empty()) o.id = PickId();  // duplicate: kConflict
    if (rng_.Chance(0.001)) o.id = OrderId(0);
    o.account = AccountId(rng_.Uni(1, 6));
    o.side = rng_.Chance(0.5) ? Side::kBuy : Side::kSell;
    const double t = double(rng_.Next() >> 11) * (1.0 / 9007199254740992.0);
    const double ms = 0.05;
    if (t < cfg_.stop_share / 2) o.type = OrderType::kStop;
    else if (t < cfg_.stop_share) o.type = OrderType::kStopLimit;
    else if (t < cfg_.stop_share + ms) o.type = OrderType::kMarket;
    else o.type = OrderType::kLimit;
    const bool priced = o.type == OrderType::kLimit || o.type == OrderType::kStopLimit;
    if (priced) {
      const double k = double(rng_.Next() >> 11) * (1.0 / 9007199254740992.0);
      o.tif = k < 0.6 ? TimeInForce::kGtc : k < 0.75 ? TimeInForce::kGtt : k < 0.9 ? TimeInForce::kIoc
                                                                         : TimeInForce::kFok;
      o.price = Price(rng_.Chance(0.01), o.side, o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
    } else {
      o.tif = rng_.Chance(0.7) ? TimeInForce::kIoc : TimeInForce::kFok;
      if (rng_.Chance(0.01)) o.tif = TimeInForce::kGtc;  // invalid for market/stop
    }
    if (o.type == OrderType::kStop || o.type == OrderType::kStopLimit) o.stop_price = Price(rng_.Chance(0.01));
    o.qty = Qty(rng_.Chance(0.01));
    const bool rests = priced && (o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
    if (o.tif == TimeInForce::kGtt) o.expire_at = now_ + rng_.Uni(rng_.Chance(0.02) ? -5 : 1, 300);
    if (rests && rng_.Chance(0.12) && o.qty > 0) o.display_qty = rng_.Uni(1, std::max<int64_t>(1, o.qty / cfg_.lot)) * cfg_.lot;
    if (rests && rng_.Chance(0.1)) o.post_only = true;
    if (rng_.Chance(0.005)) o.post_only = true;  // sometimes where it is invalid
    if (rng_.Chance(0.08) && o.qty > 0) o.min_qty = rng_.Uni(1, std::max<int64_t>(1, o.qty / cfg_.lot)) * cfg_.lot;
    o.stp = StpMode(rng_.Uni(0, 3));
    return o;
  }

  bool Fail(const std::string& why) {
    std::ostringstream s;
    s << cfg_.name << " step " << step_ << " (" << what_ << "): " << why;
    failure_ = s.str();
    return false;
  }
  bool FailEvents() {
    std::ostringstream s;
    const size_t n = std::max(sf_.size(), sr_.size());
    for (size_t i = 0; i < n; ++i) {
      s << "\n  #" << i << " fast: " << (i < sf_.size() ? Describe(sf_[i]) : "-");
      s << "\n  #" << i << " ref:  " << (i < sr_.size() ? Describe(sr_[i]) : "-");
    }
    return Fail("events differ" + s.str());
  }

  bool CheckProperties() {
    const auto bb = fast_.best_bid(), ba = fast_.best_ask();
    if (bb && ba && *bb >= *ba) return Fail("book stays crossed");
    for (const Event& e : sf_.events()) {
      switch (e.type) {
        case EventType::kAccepted:
          if (open_.count(e.order.value())) return Fail("accepted a live id");
          open_[e.order.value()] = e.qty;
          break;
        case EventType::kFill:
          if (e.qty <= 0) return Fail("empty fill");
          if ((open_[e.order.value()] -= e.qty) < 0) return Fail("taker overfilled");
          if ((open_[e.maker.value()] -= e.qty) < 0) return Fail("maker overfilled");
          if (e.maker_done != (open_[e.maker.value()] == 0)) return Fail("maker_done wrong");
          if (e.taker_done != (open_[e.order.value()] == 0)) return Fail("taker_done wrong");
          break;
        case EventType::kCancelled:
        case EventType::kRejected:
          if (open_[e.order.value()] != e.qty) return Fail("cancel does not remove exactly the open qty");
          open_.erase(e.order.value());
          break;
        case EventType::kReplaced:
          if (open_[e.order.value()] != e.leaves) return Fail("replace from wrong qty");
          open_[e.order.value()] = e.qty;
          break;
        case EventType::kTriggered:
          break;
      }
    }
    for (auto it = open_.begin(); it != open_.end();) {
      if (it->second == 0) it = open_.erase(it); else ++it;
    }
    if (open_.size() != fast_.live_orders()) return Fail("live order count differs from events");
    for (const auto& [id, qty] : open_) {
      auto r = fast_.Find(OrderId(id));
      if (!r || r->leaves != qty) return Fail("book holds a different open qty for " + std::to_string(id));
      if (r->visible > r->leaves) return Fail("visible above open");
    }
    return true;
  }

  bool CompareBooks() {
    const std::string broken = fast_.CheckInvariants();
    if (!broken.empty()) return Fail("invariant: " + broken);
    if (!(fast_.Snapshot() == ref_.Snapshot())) return Fail("snapshots differ");
    if (fast_.best_bid() != ref_.best_bid() || fast_.best_ask() != ref_.best_ask()) return Fail("touch differs");
    for (Side s : {Side::kBuy, Side::kSell})
      if (fast_.Depth(s, 5) != ref_.Depth(s, 5)) return Fail("depth differs");
    if (fast_.live_orders() != ref_.live_orders()) return Fail("live counts differ");
    return true;
  }

  Config cfg_;
  Rng rng_;
  OrderBook fast_;
  ReferenceBook ref_;
  EventSink sf_, sr_;
  std::map<int64_t, int64_t> open_;  // order id -> open qty, from the fast book's events
  int64_t next_id_ = 1;
  int64_t now_ = 0;
  int64_t step_ = 0;
  int64_t fills_ = 0;
  int64_t refusals_ = 0;
  int64_t live_sum_ = 0;
  int64_t by_type_[6] = {};
  int64_t by_reason_[7] = {};
  std::string what_;
  std::string failure_;
};

uint64_t BaseSeed() {
  const char* s = std::getenv("CX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261128ull;
}
int64_t OrdersPerConfig() {
  const char* l = std::getenv("CX_LONG");
  return (l && std::string(l) == "1") ? 200000 : 20000;
}

void RunConfig(const Config& c, uint64_t salt) {
  const uint64_t seed = BaseSeed() * 1000003ull + salt;
  const int64_t orders = OrdersPerConfig();
  std::cout << "[differential] " << c.name << " seed=" << seed << " (CX_SEED=" << BaseSeed()
            << ") orders=" << orders << std::endl;
  Harness h(c, seed);
  const bool ok = h.Run(orders);
  std::cout << "[differential] " << c.name << " steps=" << h.steps() << " " << h.Stats() << std::endl;
  ASSERT_TRUE(ok) << h.failure() << "\n(seed " << seed << ", CX_SEED=" << BaseSeed() << ")";
  // The stream must really exercise matching, not only refusals.
  EXPECT_GT(h.fills(), orders / 10);
}

TEST(Differential, FullFeaturesTickOneLotOne) {
  RunConfig(Config{"full", 1, 1, false, 10, 0.10}, 1);
}
TEST(Differential, TickAndLotSizes) {
  RunConfig(Config{"tick5lot10", 5, 10, false, 12, 0.10}, 2);
}
TEST(Differential, MatchingOnlyMode) {
  RunConfig(Config{"matching-only", 1, 1, true, 10, 0.10}, 3);
}
TEST(Differential, NarrowRangeManyStops) {
  RunConfig(Config{"stops", 1, 1, false, 4, 0.30}, 4);
}
TEST(Differential, CollidingIdsShareOneIndexChain) {
  Config c{"colliding-ids", 1, 1, false, 10, 0.10};
  c.colliding_ids = true;
  RunConfig(c, 6);
}
// Hundreds of price levels: level search beyond the touch and level-index growth.
TEST(Differential, WideBookManyLevels) {
  RunConfig(Config{"wide", 1, 1, false, 150, 0.05}, 5);
}

}  // namespace
}  // namespace cx::exchange
