// BookState tests: OrderBook::ExportState / ImportState.
//
// Round trips: seeded random command streams with every order type (limit, market, IOC,
// FOK, post-only, stop, stop-limit, iceberg, GTC/GTT, min fill, STP modes, cancel,
// replace, mass cancel, time advance, malformed input) drive book A. At random steps the
// state of A, or of the current copy, is exported, encoded and decoded with the canonical
// codec (core/codec.h), and imported into a new book B (sometimes one with a history of
// its own and every order gone). From then on A and B get the same commands and must
// agree on every result code and every event; snapshots, depth, CheckInvariants() of
// both, and ExportState are compared every 97 commands, at every checkpoint and at the end.
// Size: 7 configurations, 85,000 orders in all (CX_LONG=1: ten times that). CX_SEED=N
// replays a seed; the seed is always printed.
//
// Unit tests: each validation refusal (code and field), a refused import leaves the book
// empty and usable, a non-empty book refuses, stale expiry entries of a used book do not
// leak into the imported state, and a scripted continuation (iceberg refill, stop trigger
// order among equal stop prices, GTT expiry order among equal expiry times, STP).
#include "exchange/book_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "core/codec.h"
#include "exchange/order_book.h"

namespace cx::exchange {
namespace {

struct Rng {  // splitmix64, as in differential_test.cc
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uni(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
  double Unit() { return double(Next() >> 11) * (1.0 / 9007199254740992.0); }
  bool Chance(double p) { return Unit() < p; }
};

struct Config {
  const char* name;
  int64_t tick;
  int64_t lot;
  bool matching_only;
  int64_t spread_ticks;  // how far from the last trade prices and stops are drawn
  double stop_share;     // share of new orders that are stops
  int64_t orders;        // new orders submitted (CX_LONG=1: ten times)
  bool colliding_ids = false;  // every id has the same 32-bit index tag
  int64_t target_live = 300;   // cancels grow frequent above this many live orders
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

BookParams ParamsFor(const Config& c, uint32_t expected) {
  BookParams p;
  p.instrument = InstrumentId(3);
  p.tick_size = c.tick;
  p.lot_size = c.lot;
  p.matching_only = c.matching_only;
  p.expected_orders = expected;
  return p;
}

class RoundTripHarness {
 public:
  RoundTripHarness(const Config& c, uint64_t seed)
      : cfg_(c), rng_{seed}, a_(std::make_unique<OrderBook>(ParamsFor(c, 64))) {}

  bool Run(int64_t orders) {
    int64_t submitted = 0;
    while (submitted < orders) {
      ++step_;
      if (rng_.Chance(1.0 / 150) && !Checkpoint()) return false;
      if (!Step(&submitted)) return false;
      if (step_ % 97 == 0 && !CompareBooks()) return false;
    }
    return Checkpoint() && CompareBooks();
  }

  int64_t checkpoints() const { return checkpoints_; }
  int64_t compared_steps() const { return compared_steps_; }
  int64_t fills() const { return fills_; }
  std::string Stats() const {
    std::ostringstream s;
    s << "steps=" << step_ << " checkpoints=" << checkpoints_ << " (from copies " << from_copy_
      << ", into used books " << into_used_ << ") compared_steps=" << compared_steps_
      << " max_live=" << max_live_ << " max_stops=" << max_stops_ << " | events: fills=" << fills_
      << " triggered=" << by_type_[4] << " rejected=" << by_type_[3] << " replaced=" << by_type_[5]
      << " expired=" << by_reason_[5] << " stp=" << by_reason_[4] << " mass=" << by_reason_[2];
    return s.str();
  }
  std::string failure() const { return failure_; }

 private:
  // One command on A and, once it exists, the same on B.
  bool Step(int64_t* submitted) {
    const double u = rng_.Unit();
    const size_t live = open_.size();
    const int64_t target = cfg_.target_live;
    const double cancel_p = int64_t(live) > target ? 0.35 : int64_t(live) > target / 3 ? 0.2 : 0.04;
    std::function<Result<void>(OrderBook&, EventSink&)> cmd;
    if (u < cancel_p) {
      const OrderId id = PickId();
      cmd = [id](OrderBook& b, EventSink& s) { return b.Cancel(id, s); };
      what_ = "cancel " + std::to_string(id.value());
    } else if (u < cancel_p + 0.1) {
      const OrderId id = PickId();
      auto target = a_->Find(id);
      const int64_t px = Price(rng_.Chance(0.02), target ? target->side : Side::kBuy, true);
      // Often the same price and less quantity: the path that keeps time priority.
      const bool keep = target && rng_.Chance(0.3);
      const int64_t qty = keep ? std::max<int64_t>(cfg_.lot, target->leaves - cfg_.lot * rng_.Uni(0, 3))
                               : Qty(rng_.Chance(0.02));
      const int64_t price = keep ? target->price : px;
      cmd = [id, price, qty](OrderBook& b, EventSink& s) { return b.Replace(id, price, qty, s); };
      what_ = "replace " + std::to_string(id.value());
    } else if (u < cancel_p + 0.102) {
      const AccountId acc(rng_.Uni(1, 6));
      cmd = [acc](OrderBook& b, EventSink& s) {
        b.MassCancel(acc, s);
        return Ok();
      };
      what_ = "mass cancel " + std::to_string(acc.value());
    } else if (u < cancel_p + 0.14) {
      now_ += rng_.Uni(0, 60);
      const int64_t t = now_;
      cmd = [t](OrderBook& b, EventSink& s) {
        b.AdvanceTime(t, s);
        return Ok();
      };
      what_ = "advance time to " + std::to_string(t);
    } else {
      const NewOrder o = MakeOrder();
      cmd = [o](OrderBook& b, EventSink& s) { return b.Submit(o, s); };
      ++*submitted;
      what_ = "submit " + std::to_string(o.id.value()) + " type=" + std::to_string(int(o.type)) +
              " tif=" + std::to_string(int(o.tif));
    }
    sa_.Clear();
    const Result<void> ra = cmd(*a_, sa_);
    if (b_) {
      sb_.Clear();
      const Result<void> rb = cmd(*b_, sb_);
      ++compared_steps_;
      if (ra.ok() != rb.ok()) return Fail("result ok differs");
      if (!ra.ok() && ra.error().code != rb.error().code) return Fail("codes differ");
      if (sa_.events() != sb_.events()) return FailEvents();
    }
    Track();
    return true;
  }

  // Exports A or the current copy, round-trips the state through the codec and imports it
  // into a new book, which becomes the copy.
  bool Checkpoint() {
    ++checkpoints_;
    if (b_ && !CompareBooks()) return false;
    const bool from_copy = b_ && rng_.Chance(0.5);
    from_copy_ += from_copy;
    const OrderBook& src = from_copy ? *b_ : *a_;
    const BookState st = src.ExportState();
    max_live_ = std::max<int64_t>(max_live_, int64_t(st.bids.size() + st.asks.size()));
    max_stops_ = std::max<int64_t>(max_stops_, int64_t(st.stops.size()));
    const std::string bytes = Encode(st);
    BookState decoded;
    if (!Decode(bytes, decoded)) return Fail("encoded state does not decode");
    if (!(decoded == st)) return Fail("decoded state differs");
    if (Encode(decoded) != bytes) return Fail("encoding not canonical");
    const uint32_t expected[] = {1, 64, 4096};
    auto fresh = std::make_unique<OrderBook>(ParamsFor(cfg_, expected[rng_.Uni(0, 2)]));
    if (rng_.Chance(0.25)) {
      ++into_used_;
      UseAndEmpty(*fresh);
    }
    const Result<void> r = fresh->ImportState(decoded);
    if (!r.ok()) return Fail("import refused: " + r.error().field + ": " + r.error().message);
    if (!(fresh->ExportState() == st)) return Fail("export of the imported book differs");
    b_ = std::move(fresh);
    what_ = "checkpoint";
    return CompareBooks();
  }

  // Gives a new book a history of its own (pools, levels, expiry entries, serials, clock),
  // then removes every order: an import must not see any of it.
  void UseAndEmpty(OrderBook& b) {
    EventSink s;
    int64_t t = rng_.Uni(-50, now_ + 500);
    b.AdvanceTime(t, s);
    const int n = int(rng_.Uni(1, 40));
    for (int i = 0; i < n; ++i) {
      NewOrder o;
      o.id = OrderId(IdFor(rng_.Uni(1, next_id_ + 5)));  // often ids of A's live orders
      o.account = AccountId(rng_.Uni(1, 3));
      o.side = rng_.Chance(0.5) ? Side::kBuy : Side::kSell;
      o.type = rng_.Chance(0.2) ? OrderType::kStopLimit : OrderType::kLimit;
      o.tif = rng_.Chance(0.5) ? TimeInForce::kGtt : TimeInForce::kGtc;
      o.price = rng_.Uni(1, 2000) * cfg_.tick;
      o.stop_price = rng_.Uni(1, 2000) * cfg_.tick;
      o.qty = rng_.Uni(1, 20) * cfg_.lot;
      o.expire_at = t + rng_.Uni(1, 400);
      if (rng_.Chance(0.2)) o.display_qty = cfg_.lot;
      (void)b.Submit(o, s);
    }
    for (int64_t acc = 1; acc <= 3; ++acc) b.MassCancel(AccountId(acc), s);
  }

  void Track() {
    for (const Event& e : sa_.events()) {
      ++by_type_[int(e.type)];
      fills_ += e.type == EventType::kFill;
      switch (e.type) {
        case EventType::kAccepted:
          open_[e.order.value()] = e.qty;
          break;
        case EventType::kFill:
          open_[e.order.value()] -= e.qty;
          open_[e.maker.value()] -= e.qty;
          break;
        case EventType::kCancelled:
          ++by_reason_[int(e.reason)];
          open_.erase(e.order.value());
          break;
        case EventType::kRejected:
          open_.erase(e.order.value());
          break;
        case EventType::kReplaced:
          open_[e.order.value()] = e.qty;
          break;
        case EventType::kTriggered:
          break;
      }
    }
    for (auto it = open_.begin(); it != open_.end();) {
      if (it->second <= 0) it = open_.erase(it); else ++it;
    }
  }

  int64_t Price(bool off_tick, Side side = Side::kBuy, bool sided = false) {
    const int64_t mid = a_->last_trade_price().value_or(1000 * cfg_.tick);
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
    const double t = rng_.Unit();
    if (t < cfg_.stop_share / 2) o.type = OrderType::kStop;
    else if (t < cfg_.stop_share) o.type = OrderType::kStopLimit;
    else if (t < cfg_.stop_share + 0.05) o.type = OrderType::kMarket;
    else o.type = OrderType::kLimit;
    const bool priced = o.type == OrderType::kLimit || o.type == OrderType::kStopLimit;
    if (priced) {
      const double k = rng_.Unit();
      o.tif = k < 0.5 ? TimeInForce::kGtc : k < 0.75 ? TimeInForce::kGtt : k < 0.9 ? TimeInForce::kIoc
                                                                         : TimeInForce::kFok;
      o.price = Price(rng_.Chance(0.01), o.side, o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
    } else {
      o.tif = rng_.Chance(0.7) ? TimeInForce::kIoc : TimeInForce::kFok;
      if (rng_.Chance(0.01)) o.tif = TimeInForce::kGtc;  // invalid for market/stop
    }
    if (o.type == OrderType::kStop || o.type == OrderType::kStopLimit) o.stop_price = Price(rng_.Chance(0.01));
    o.qty = Qty(rng_.Chance(0.01));
    const bool rests = priced && (o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
    // Expiry times on a coarse grid, so equal expiry times (ordered by serial) are common.
    if (o.tif == TimeInForce::kGtt) o.expire_at = now_ + (rng_.Chance(0.02) ? -5 : rng_.Uni(1, 30) * 10);
    if (rests && rng_.Chance(0.2) && o.qty > 0)
      o.display_qty = rng_.Uni(1, std::max<int64_t>(1, o.qty / cfg_.lot / 2)) * cfg_.lot;
    if (rests && rng_.Chance(0.1)) o.post_only = true;
    if (rng_.Chance(0.005)) o.post_only = true;
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
    const size_t n = std::max(sa_.size(), sb_.size());
    for (size_t i = 0; i < n; ++i) {
      s << "\n  #" << i << " original: " << (i < sa_.size() ? Describe(sa_[i]) : "-");
      s << "\n  #" << i << " imported: " << (i < sb_.size() ? Describe(sb_[i]) : "-");
    }
    return Fail("events differ" + s.str());
  }

  bool CompareBooks() {
    const std::string broken_a = a_->CheckInvariants();
    if (!broken_a.empty()) return Fail("invariant (original): " + broken_a);
    if (!b_) return true;
    const std::string broken_b = b_->CheckInvariants();
    if (!broken_b.empty()) return Fail("invariant (imported): " + broken_b);
    if (!(a_->Snapshot() == b_->Snapshot())) return Fail("snapshots differ");
    if (!(a_->ExportState() == b_->ExportState())) return Fail("exported states differ");
    for (Side s : {Side::kBuy, Side::kSell})
      if (a_->Depth(s, 10) != b_->Depth(s, 10)) return Fail("depth differs");
    if (a_->live_orders() != b_->live_orders() || a_->now() != b_->now() ||
        a_->last_trade_price() != b_->last_trade_price())
      return Fail("counts, clock or last trade differ");
    return true;
  }

  Config cfg_;
  Rng rng_;
  std::unique_ptr<OrderBook> a_;
  std::unique_ptr<OrderBook> b_;  // the latest imported copy (null before the first)
  EventSink sa_, sb_;
  std::map<int64_t, int64_t> open_;  // order id -> open qty, from A's events
  int64_t next_id_ = 1;
  int64_t now_ = 0;
  int64_t step_ = 0;
  int64_t checkpoints_ = 0;
  int64_t from_copy_ = 0;
  int64_t into_used_ = 0;
  int64_t compared_steps_ = 0;
  int64_t max_live_ = 0;
  int64_t max_stops_ = 0;
  int64_t fills_ = 0;
  int64_t by_type_[6] = {};
  int64_t by_reason_[7] = {};
  std::string what_;
  std::string failure_;
};

uint64_t BaseSeed() {
  const char* s = std::getenv("CX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261128ull;
}
int64_t Scale() {
  const char* l = std::getenv("CX_LONG");
  return (l && std::string(l) == "1") ? 10 : 1;
}

void RunRoundTrips(const Config& c, uint64_t salt) {
  const uint64_t seed = BaseSeed() * 1000003ull + salt;
  const int64_t orders = c.orders * Scale();
  std::cout << "[book-state] " << c.name << " seed=" << seed << " (CX_SEED=" << BaseSeed()
            << ") orders=" << orders << std::endl;
  RoundTripHarness h(c, seed);
  const bool ok = h.Run(orders);
  std::cout << "[book-state] " << c.name << " " << h.Stats() << std::endl;
  ASSERT_TRUE(ok) << h.failure() << "\n(seed " << seed << ", CX_SEED=" << BaseSeed() << ")";
  // The streams must really exercise the copies: many checkpoints, most commands compared.
  EXPECT_GT(h.checkpoints(), orders / 500);
  EXPECT_GT(h.compared_steps(), orders);
  EXPECT_GT(h.fills(), orders / 10);
}

TEST(BookStateRoundTrip, FullFeatures) { RunRoundTrips(Config{"full", 1, 1, false, 10, 0.10, 12000}, 11); }
TEST(BookStateRoundTrip, TickAndLotSizes) { RunRoundTrips(Config{"tick5lot10", 5, 10, false, 12, 0.10, 10000}, 12); }
TEST(BookStateRoundTrip, MatchingOnlyMode) { RunRoundTrips(Config{"matching-only", 1, 1, true, 10, 0.10, 8000}, 13); }
TEST(BookStateRoundTrip, NarrowRangeManyStops) { RunRoundTrips(Config{"stops", 1, 1, false, 4, 0.30, 10000}, 14); }
TEST(BookStateRoundTrip, WideBookManyLevels) { RunRoundTrips(Config{"wide", 1, 1, false, 150, 0.05, 10000}, 15); }
// About a thousand live orders over hundreds of levels: pool and index growth on import.
TEST(BookStateRoundTrip, DeepBook) {
  Config c{"deep", 1, 1, false, 300, 0.08, 30000};
  c.target_live = 4000;
  RunRoundTrips(c, 17);
}
TEST(BookStateRoundTrip, CollidingIds) {
  Config c{"colliding-ids", 1, 1, false, 10, 0.10, 5000};
  c.colliding_ids = true;
  RunRoundTrips(c, 16);
}

// ---------------------------------------------------------------------------------------
// Scripted state and validation

BookParams UnitParams() {
  BookParams p;
  p.instrument = InstrumentId(7);
  p.tick_size = 5;
  p.lot_size = 10;
  return p;
}

NewOrder Limit(int64_t id, int64_t acct, Side side, int64_t price, int64_t qty) {
  NewOrder o;
  o.id = OrderId(id);
  o.account = AccountId(acct);
  o.side = side;
  o.price = price;
  o.qty = qty;
  return o;
}

// A book with plain, GTT, iceberg and post-only orders on both sides, a last trade and
// two untriggered stops. Serials 1..8 (one per accepted order), next serial 9.
void BuildBase(OrderBook& b) {
  EventSink s;
  b.AdvanceTime(100, s);
  ASSERT_TRUE(b.Submit(Limit(1, 1, Side::kBuy, 100, 50), s).ok());
  NewOrder o = Limit(2, 2, Side::kBuy, 100, 30);
  o.tif = TimeInForce::kGtt;
  o.expire_at = 500;
  ASSERT_TRUE(b.Submit(o, s).ok());
  o = Limit(3, 1, Side::kBuy, 95, 100);
  o.display_qty = 20;
  ASSERT_TRUE(b.Submit(o, s).ok());
  ASSERT_TRUE(b.Submit(Limit(4, 3, Side::kSell, 110, 40), s).ok());
  o = Limit(5, 3, Side::kSell, 115, 40);
  o.tif = TimeInForce::kGtt;
  o.expire_at = 400;
  o.post_only = true;
  ASSERT_TRUE(b.Submit(o, s).ok());
  o = Limit(6, 4, Side::kSell, 0, 10);
  o.type = OrderType::kMarket;
  o.tif = TimeInForce::kIoc;
  ASSERT_TRUE(b.Submit(o, s).ok());  // trades 10 with order 1 at 100
  o = Limit(7, 2, Side::kBuy, 0, 10);
  o.type = OrderType::kStop;
  o.tif = TimeInForce::kIoc;
  o.stop_price = 120;
  ASSERT_TRUE(b.Submit(o, s).ok());
  o = Limit(8, 4, Side::kSell, 85, 20);
  o.type = OrderType::kStopLimit;
  o.stop_price = 90;
  o.min_qty = 10;
  o.display_qty = 10;
  ASSERT_TRUE(b.Submit(o, s).ok());
}

BookState Base() {
  OrderBook b(UnitParams());
  BuildBase(b);
  return b.ExportState();
}

TEST(BookState, ExportHoldsEverythingInCanonicalForm) {
  const BookState s = Base();
  EXPECT_EQ(s.version, kBookStateVersion);
  EXPECT_EQ(s.instrument, InstrumentId(7));
  EXPECT_EQ(s.tick_size, 5);
  EXPECT_EQ(s.lot_size, 10);
  EXPECT_EQ(s.now, 100);
  EXPECT_EQ(s.next_serial, 9);
  EXPECT_TRUE(s.has_last_trade);
  EXPECT_EQ(s.last_trade_price, 100);
  ASSERT_EQ(s.bids.size(), 3u);
  ASSERT_EQ(s.asks.size(), 2u);
  ASSERT_EQ(s.stops.size(), 2u);
  // Bids best first, each level in time order.
  EXPECT_EQ(s.bids[0].id, OrderId(1));
  EXPECT_EQ(s.bids[0].leaves, 40);
  EXPECT_EQ(s.bids[0].visible, 40);
  EXPECT_EQ(s.bids[0].serial, 0);  // GTC: no serial kept
  EXPECT_EQ(s.bids[1].id, OrderId(2));
  EXPECT_EQ(s.bids[1].tif, TimeInForce::kGtt);
  EXPECT_EQ(s.bids[1].expire_at, 500);
  EXPECT_EQ(s.bids[1].serial, 2);
  EXPECT_EQ(s.bids[2].id, OrderId(3));
  EXPECT_EQ(s.bids[2].display_qty, 20);
  EXPECT_EQ(s.bids[2].visible, 20);
  EXPECT_EQ(s.bids[2].leaves, 100);
  EXPECT_EQ(s.asks[0].id, OrderId(4));
  EXPECT_EQ(s.asks[1].id, OrderId(5));
  EXPECT_TRUE(s.asks[1].post_only);
  EXPECT_EQ(s.asks[1].serial, 5);
  EXPECT_EQ(s.stops[0].id, OrderId(7));
  EXPECT_EQ(s.stops[0].type, OrderType::kStop);
  EXPECT_EQ(s.stops[0].stop_price, 120);
  EXPECT_EQ(s.stops[0].price, 0);
  EXPECT_EQ(s.stops[0].serial, 7);
  EXPECT_EQ(s.stops[1].id, OrderId(8));
  EXPECT_EQ(s.stops[1].type, OrderType::kStopLimit);
  EXPECT_EQ(s.stops[1].min_qty, 10);
  EXPECT_EQ(s.stops[1].display_qty, 10);
  EXPECT_EQ(s.stops[1].leaves, 20);
  EXPECT_EQ(s.stops[1].visible, 0);
  EXPECT_EQ(s.stops[1].serial, 8);
  // Codec: canonical bytes, decode back, JSON names the fields.
  const std::string bytes = Encode(s);
  BookState back;
  ASSERT_TRUE(Decode(bytes, back));
  EXPECT_EQ(back, s);
  EXPECT_FALSE(Decode(bytes.substr(0, bytes.size() - 1), back));
  EXPECT_FALSE(Decode(bytes + "x", back));
  EXPECT_NE(ToJson(s).find("\"stops\":[{\"id\":7,"), std::string::npos);
}

TEST(BookState, EmptyBookRoundTrips) {
  OrderBook a(UnitParams());
  const BookState s = a.ExportState();
  EXPECT_TRUE(s.bids.empty() && s.asks.empty() && s.stops.empty());
  EXPECT_EQ(s.now, INT64_MIN);
  OrderBook b(UnitParams());
  ASSERT_TRUE(b.ImportState(s).ok());
  EXPECT_EQ(b.ExportState(), s);
  EXPECT_EQ(b.CheckInvariants(), "");
}

// After the import both books get the same commands and must emit the same events; the
// script checks the delicate orders explicitly.
TEST(BookState, ImportedBookContinuesIdentically) {
  OrderBook a(UnitParams());
  BuildBase(a);
  EventSink s;
  // Two more buy stops at 120 (equal stop price: trigger in acceptance order) and two GTT
  // orders expiring at 450 (equal expiry: expire in acceptance order).
  NewOrder o = Limit(9, 5, Side::kBuy, 0, 10);
  o.type = OrderType::kStop;
  o.tif = TimeInForce::kIoc;
  o.stop_price = 120;
  ASSERT_TRUE(a.Submit(o, s).ok());
  o.id = OrderId(10);
  o.stop_price = 115;
  ASSERT_TRUE(a.Submit(o, s).ok());
  o = Limit(11, 5, Side::kBuy, 60, 10);
  o.tif = TimeInForce::kGtt;
  o.expire_at = 450;
  ASSERT_TRUE(a.Submit(o, s).ok());
  o.id = OrderId(12);
  o.price = 65;
  ASSERT_TRUE(a.Submit(o, s).ok());
  o = Limit(13, 1, Side::kSell, 200, 10);  // account 1 also rests a bid (STP below)
  ASSERT_TRUE(a.Submit(o, s).ok());

  const BookState st = a.ExportState();
  BookState decoded;
  ASSERT_TRUE(Decode(Encode(st), decoded));
  OrderBook b(UnitParams());
  ASSERT_TRUE(b.ImportState(decoded).ok());
  ASSERT_EQ(b.ExportState(), st);

  std::vector<std::function<Result<void>(OrderBook&, EventSink&)>> script = {
      // Sweeps the bids down to 95: the iceberg (order 3) refills and requeues.
      [](OrderBook& bk, EventSink& out) {
        NewOrder t = Limit(20, 6, Side::kSell, 95, 110);
        return bk.Submit(t, out);
      },
      // Lifts the asks to 200: triggers the buy stops at 115, then 120 (7 before 9).
      [](OrderBook& bk, EventSink& out) {
        NewOrder t = Limit(21, 6, Side::kBuy, 200, 80);
        return bk.Submit(t, out);
      },
      // Self-trade prevention: account 1 sells into its own bid (cancel oldest).
      [](OrderBook& bk, EventSink& out) {
        NewOrder t = Limit(22, 1, Side::kSell, 95, 10);
        t.stp = StpMode::kCancelOldest;
        return bk.Submit(t, out);
      },
      [](OrderBook& bk, EventSink& out) { return bk.Replace(OrderId(12), 65, 10, out); },
      [](OrderBook& bk, EventSink& out) {
        bk.AdvanceTime(450, out);
        return Ok();
      },
      [](OrderBook& bk, EventSink& out) {
        bk.AdvanceTime(600, out);
        return Ok();
      },
  };
  std::vector<Event> all;
  for (size_t i = 0; i < script.size(); ++i) {
    EventSink ea, eb;
    const Result<void> ra = script[i](a, ea);
    const Result<void> rb = script[i](b, eb);
    ASSERT_EQ(ra.ok(), rb.ok()) << i;
    ASSERT_EQ(ea.events(), eb.events()) << "command " << i;
    ASSERT_EQ(a.Snapshot(), b.Snapshot()) << i;
    ASSERT_EQ(a.ExportState(), b.ExportState()) << i;
    ASSERT_EQ(a.CheckInvariants(), "");
    ASSERT_EQ(b.CheckInvariants(), "");
    all.insert(all.end(), eb.events().begin(), eb.events().end());
  }
  std::vector<int64_t> triggered, expired, refilled_makers, stp;
  for (const Event& e : all) {
    if (e.type == EventType::kTriggered) triggered.push_back(e.order.value());
    if (e.type == EventType::kCancelled && e.reason == CancelReason::kExpired) expired.push_back(e.order.value());
    if (e.type == EventType::kCancelled && e.reason == CancelReason::kSelfTrade) stp.push_back(e.order.value());
    if (e.type == EventType::kFill && e.maker == OrderId(3)) refilled_makers.push_back(e.qty);
  }
  EXPECT_EQ(triggered, (std::vector<int64_t>{10, 7, 9}));
  EXPECT_EQ(expired, (std::vector<int64_t>{11, 12}));  // serial order, not book order
  EXPECT_EQ(stp, (std::vector<int64_t>{3}));
  // Order 3 (peak 20) is hit slice by slice: 110 - 40 (order 1) - 30 (order 2) = 40.
  EXPECT_EQ(refilled_makers, (std::vector<int64_t>{20, 20}));
}

struct Mutation {
  const char* what;
  std::function<void(BookState&)> apply;
  Code code;
  const char* field;
};

TEST(BookState, ImportRefusesBadStatesAndLeavesTheBookEmpty) {
  const BookState base = Base();
  // bids: [0] id 1 GTC 100, [1] id 2 GTT 100 serial 2, [2] id 3 iceberg 95;
  // asks: [0] id 4 110, [1] id 5 GTT post-only 115 serial 5;
  // stops: [0] id 7 buy stop 120 IOC serial 7, [1] id 8 sell stop-limit 90/85 GTC serial 8.
  const std::vector<Mutation> cases = {
      {"version", [](BookState& s) { s.version = 2; }, Code::kUnsupported, "version"},
      {"instrument", [](BookState& s) { s.instrument = InstrumentId(8); }, Code::kConflict, "instrument"},
      {"tick", [](BookState& s) { s.tick_size = 1; }, Code::kConflict, "tick_size"},
      {"lot", [](BookState& s) { s.lot_size = 1; }, Code::kConflict, "lot_size"},
      {"mode", [](BookState& s) { s.matching_only = true; }, Code::kConflict, "matching_only"},
      {"next serial", [](BookState& s) { s.next_serial = 0; }, Code::kInvalidField, "next_serial"},
      {"last price 0", [](BookState& s) { s.last_trade_price = 0; }, Code::kInvalidField, "last_trade_price"},
      {"last price off tick", [](BookState& s) { s.last_trade_price = 101; }, Code::kOffTick, "last_trade_price"},
      {"last price without trade", [](BookState& s) { s.has_last_trade = false; }, Code::kInvalidField,
       "last_trade_price"},
      {"id 0", [](BookState& s) { s.bids[0].id = OrderId(0); }, Code::kInvalidField, "bids[0].id"},
      {"wrong side", [](BookState& s) { s.bids[0].side = Side::kSell; }, Code::kInvalidField, "bids[0].side"},
      {"side out of range", [](BookState& s) { s.asks[1].side = Side(7); }, Code::kInvalidField, "asks[1].side"},
      {"stp out of range", [](BookState& s) { s.bids[0].stp = StpMode(4); }, Code::kInvalidField, "bids[0].stp"},
      {"resting market", [](BookState& s) { s.bids[0].type = OrderType::kMarket; }, Code::kInvalidField,
       "bids[0].type"},
      {"resting IOC", [](BookState& s) { s.bids[0].tif = TimeInForce::kIoc; }, Code::kInvalidField, "bids[0].tif"},
      {"price 0", [](BookState& s) { s.asks[0].price = 0; }, Code::kInvalidField, "asks[0].price"},
      {"price off tick", [](BookState& s) { s.asks[0].price = 111; }, Code::kOffTick, "asks[0].price"},
      {"resting stop price", [](BookState& s) { s.bids[0].stop_price = 5; }, Code::kInvalidField,
       "bids[0].stop_price"},
      {"resting min qty", [](BookState& s) { s.bids[0].min_qty = 10; }, Code::kInvalidField, "bids[0].min_qty"},
      {"leaves 0", [](BookState& s) { s.bids[0].leaves = s.bids[0].visible = 0; }, Code::kBadQuantity,
       "bids[0].leaves"},
      {"leaves too big", [](BookState& s) { s.bids[0].leaves = s.bids[0].visible = kMaxQuantity + 10; },
       Code::kBadQuantity, "bids[0].leaves"},
      {"leaves off lot", [](BookState& s) { s.bids[0].leaves = s.bids[0].visible = 45; }, Code::kOffLot,
       "bids[0].leaves"},
      {"plain order hides", [](BookState& s) { s.bids[0].visible = 30; }, Code::kBadQuantity, "bids[0].visible"},
      {"iceberg shows above peak", [](BookState& s) { s.bids[2].visible = 30; }, Code::kBadQuantity,
       "bids[2].visible"},
      {"iceberg shows nothing", [](BookState& s) { s.bids[2].visible = 0; }, Code::kBadQuantity, "bids[2].visible"},
      {"iceberg shows above leaves", [](BookState& s) { s.bids[2].leaves = 10; }, Code::kBadQuantity,
       "bids[2].visible"},
      {"iceberg visible off lot", [](BookState& s) { s.bids[2].visible = 15; }, Code::kOffLot, "bids[2].visible"},
      {"peak negative", [](BookState& s) { s.bids[2].display_qty = -10; }, Code::kBadQuantity,
       "bids[2].display_qty"},
      {"peak off lot", [](BookState& s) { s.bids[2].display_qty = 25; }, Code::kOffLot, "bids[2].display_qty"},
      {"GTT expired", [](BookState& s) { s.bids[1].expire_at = 100; }, Code::kInvalidField, "bids[1].expire_at"},
      {"GTT without serial", [](BookState& s) { s.bids[1].serial = 0; }, Code::kInvalidField, "bids[1].serial"},
      {"GTT serial from the future", [](BookState& s) { s.asks[1].serial = 9; }, Code::kInvalidField,
       "asks[1].serial"},
      {"GTC with serial", [](BookState& s) { s.bids[0].serial = 1; }, Code::kInvalidField, "bids[0].serial"},
      {"GTC with expiry", [](BookState& s) { s.bids[0].expire_at = 900; }, Code::kInvalidField,
       "bids[0].expire_at"},
      {"bids not best first", [](BookState& s) { std::swap(s.bids[0], s.bids[2]); }, Code::kInvalidField,
       "bids[1].price"},
      {"asks not best first", [](BookState& s) { std::swap(s.asks[0], s.asks[1]); }, Code::kInvalidField,
       "asks[1].price"},
      {"crossed", [](BookState& s) { s.asks[0].price = 100; }, Code::kInvalidField, "asks[0].price"},
      {"duplicate id", [](BookState& s) { s.asks[1].id = OrderId(1); }, Code::kConflict, "asks[1].id"},
      {"stop id reused", [](BookState& s) { s.stops[1].id = OrderId(4); }, Code::kConflict, "stops[1].id"},
      {"duplicate serial", [](BookState& s) { s.stops[0].serial = 2; }, Code::kConflict, "stops[0].serial"},
      {"stop of type limit", [](BookState& s) { s.stops[0].type = OrderType::kLimit; }, Code::kInvalidField,
       "stops[0].type"},
      {"stop id 0", [](BookState& s) { s.stops[0].id = OrderId(0); }, Code::kInvalidField, "stops[0].id"},
      {"stop GTC market", [](BookState& s) { s.stops[0].tif = TimeInForce::kGtc; }, Code::kInvalidField,
       "stops[0].tif"},
      {"stop price off tick", [](BookState& s) { s.stops[0].stop_price = 121; }, Code::kOffTick,
       "stops[0].stop_price"},
      {"stop leaves off lot", [](BookState& s) { s.stops[0].leaves = 15; }, Code::kOffLot, "stops[0].leaves"},
      {"stop min qty above leaves", [](BookState& s) { s.stops[1].min_qty = 30; }, Code::kBadQuantity,
       "stops[1].min_qty"},
      {"stop with a price", [](BookState& s) { s.stops[0].price = 125; }, Code::kInvalidField, "stops[0].price"},
      {"stop displays", [](BookState& s) { s.stops[1].visible = 10; }, Code::kInvalidField, "stops[1].visible"},
      {"stop GTC with expiry", [](BookState& s) { s.stops[1].expire_at = 900; }, Code::kInvalidField,
       "stops[1].expire_at"},
      {"stop without serial", [](BookState& s) { s.stops[0].serial = 0; }, Code::kInvalidField, "stops[0].serial"},
      {"stops out of serial order", [](BookState& s) { std::swap(s.stops[0], s.stops[1]); }, Code::kInvalidField,
       "stops[1].serial"},
      {"stop already triggered", [](BookState& s) { s.stops[0].stop_price = 100; }, Code::kInvalidField,
       "stops[0].stop_price"},
  };
  for (const Mutation& m : cases) {
    BookState bad = base;
    m.apply(bad);
    // Every bad state also survives the codec unchanged: decoding does not validate.
    BookState decoded;
    ASSERT_TRUE(Decode(Encode(bad), decoded)) << m.what;
    ASSERT_EQ(decoded, bad) << m.what;
    OrderBook b(UnitParams());
    const Result<void> r = b.ImportState(decoded);
    ASSERT_FALSE(r.ok()) << m.what;
    EXPECT_EQ(r.error().code, m.code) << m.what << ": " << r.error().message;
    EXPECT_EQ(r.error().field, m.field) << m.what << ": " << r.error().message;
    // Refused: the book is as new, and the good state still imports.
    EXPECT_EQ(b.live_orders(), 0u) << m.what;
    EXPECT_EQ(b.Snapshot(), BookSnapshot{}) << m.what;
    EXPECT_EQ(b.now(), INT64_MIN) << m.what;
    EXPECT_FALSE(b.last_trade_price().has_value()) << m.what;
    EXPECT_EQ(b.CheckInvariants(), "") << m.what;
    ASSERT_TRUE(b.ImportState(base).ok()) << m.what;
    EXPECT_EQ(b.ExportState(), base) << m.what;
  }
  // The unchanged base state is accepted (so each refusal above is the mutation's doing).
  OrderBook ok(UnitParams());
  EXPECT_TRUE(ok.ImportState(base).ok());
}

TEST(BookState, ImportNeedsABookWithoutLiveOrders) {
  const BookState base = Base();
  OrderBook b(UnitParams());
  EventSink s;
  ASSERT_TRUE(b.Submit(Limit(50, 1, Side::kBuy, 50, 10), s).ok());
  const BookSnapshot before = b.Snapshot();
  const Result<void> r = b.ImportState(base);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kBadState);
  EXPECT_EQ(b.Snapshot(), before);
  // A second import over an imported book is refused too.
  OrderBook c(UnitParams());
  ASSERT_TRUE(c.ImportState(base).ok());
  EXPECT_EQ(c.ImportState(base).error().code, Code::kBadState);
  EXPECT_EQ(c.ExportState(), base);
  // Once every order is gone the book takes a state again.
  ASSERT_TRUE(b.Cancel(OrderId(50), s).ok());
  ASSERT_TRUE(b.ImportState(base).ok());
  EXPECT_EQ(b.ExportState(), base);
  EXPECT_EQ(b.CheckInvariants(), "");
}

// A used book keeps lazy expiry entries of orders that are gone. An imported GTT order
// with the same id and serial as such an entry must not expire at the old time.
TEST(BookState, StaleExpiriesOfAUsedBookDoNotReachImportedOrders) {
  EventSink s;
  OrderBook used(UnitParams());
  NewOrder o = Limit(5, 1, Side::kBuy, 100, 10);
  o.tif = TimeInForce::kGtt;
  o.expire_at = 100;  // serial 1
  ASSERT_TRUE(used.Submit(o, s).ok());
  ASSERT_TRUE(used.Cancel(OrderId(5), s).ok());

  OrderBook src(UnitParams());
  o.expire_at = 200;  // serial 1 as well
  ASSERT_TRUE(src.Submit(o, s).ok());
  const BookState st = src.ExportState();
  ASSERT_EQ(st.bids.at(0).serial, 1);
  ASSERT_TRUE(used.ImportState(st).ok());
  EventSink out;
  used.AdvanceTime(150, out);
  EXPECT_TRUE(out.events().empty());
  EXPECT_TRUE(used.Find(OrderId(5)).has_value());
  used.AdvanceTime(200, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].reason, CancelReason::kExpired);
}

// Decoding accepts any integer that fits an enum's byte; the import must not.
TEST(BookState, OutOfRangeEnumsFromTheWireAreRefused) {
  BookState st = Base();
  st.stops[1].tif = TimeInForce(9);
  BookState decoded;
  ASSERT_TRUE(Decode(Encode(st), decoded));
  OrderBook b(UnitParams());
  const Result<void> r = b.ImportState(decoded);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  EXPECT_EQ(r.error().field, "stops[1].tif");
  EXPECT_EQ(b.live_orders(), 0u);
}

// Sets the `target`-th scalar field visited by Fields (vectors are skipped).
struct SetNthField {
  int target;
  int64_t value;
  int i = 0;
  template <class X>
  void operator()(const char*, X& x) {
    if constexpr (std::is_same_v<X, bool>) {
      if (i++ == target) x = value != 0;
    } else if constexpr (std::is_enum_v<X>) {
      if (i++ == target) x = X(uint8_t(value));
    } else if constexpr (std::is_integral_v<X>) {
      if (i++ == target) x = X(value);
    } else if constexpr (requires { x.v; }) {
      if (i++ == target) x.v = value;
    }
  }
};

// Whatever a corrupted state holds, ImportState either refuses it (leaving the book
// empty) or yields a consistent book that exports exactly that state and keeps working.
// Corruptions: one field of one order or of the header set to an edge value, and random
// byte flips of the encoding.
TEST(BookState, CorruptStatesAreRefusedOrImportConsistently) {
  const BookState base = Base();
  Rng rng{BaseSeed() ^ 0x5eedull};
  const int64_t values[] = {-1, 0, 1, 2, 5, 7, 8, 9, 10, 20, 85, 90, 95, 100, 105, 110, 115, 120, 400,
                            500, kMaxPrice, kMaxQuantity + 10, INT64_MIN};
  int accepted = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    BookState st = base;
    std::string bytes;
    if (round % 4 != 3) {
      const int64_t v = values[rng.Uni(0, int64_t(std::size(values)) - 1)];
      const int64_t which = rng.Uni(0, 3);
      if (which == 3) {
        SetNthField set{int(rng.Uni(0, 11)), v};  // a header field
        st.Fields(set);
      } else {
        std::vector<BookOrderState>& list = which == 0 ? st.bids : which == 1 ? st.asks : st.stops;
        SetNthField set{int(rng.Uni(0, 14)), v};
        list[size_t(rng.Uni(0, int64_t(list.size()) - 1))].Fields(set);
      }
      bytes = Encode(st);
    } else {
      bytes = Encode(st);
      for (int k = int(rng.Uni(1, 3)); k > 0; --k)
        bytes[size_t(rng.Uni(0, int64_t(bytes.size()) - 1))] ^= char(1 << rng.Uni(0, 7));
    }
    BookState decoded;
    if (!Decode(bytes, decoded)) continue;
    OrderBook b(UnitParams());
    const Result<void> r = b.ImportState(decoded);
    if (!r.ok()) {
      ++refused;
      ASSERT_EQ(b.live_orders(), 0u) << r.error().field;
      ASSERT_EQ(b.CheckInvariants(), "");
      continue;
    }
    ++accepted;
    ASSERT_EQ(b.CheckInvariants(), "") << ToJson(decoded);
    ASSERT_EQ(b.ExportState(), decoded) << ToJson(decoded);
    // And it keeps working: trade through both sides, expire everything.
    EventSink out;
    NewOrder o = Limit(1000, 9, Side::kBuy, 0, 200);
    o.type = OrderType::kMarket;
    o.tif = TimeInForce::kIoc;
    ASSERT_TRUE(b.Submit(o, out).ok());
    o.id = OrderId(1001);
    o.side = Side::kSell;
    ASSERT_TRUE(b.Submit(o, out).ok());
    b.AdvanceTime(INT64_MAX, out);
    ASSERT_EQ(b.CheckInvariants(), "") << ToJson(decoded);
  }
  std::cout << "[book-state] corrupt states: accepted " << accepted << ", refused " << refused << std::endl;
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 5000);
}

// A large book (100,000 resting orders on 20,000 levels, a tenth of them icebergs or GTT,
// plus 2,000 stops): the state round-trips exactly. Prints BENCH lines with the cost of
// each step (tools/bench/exchange-state.sh collects them); no timing is asserted.
TEST(BookState, LargeBookRoundTripAndCost) {
  BookParams p;
  p.instrument = InstrumentId(9);
  p.expected_orders = 1 << 17;
  OrderBook a(p);
  EventSink s;
  a.AdvanceTime(0, s);
  int64_t id = 1;
  for (int i = 0; i < 100000; ++i) {
    const bool buy = i % 2 == 0;
    NewOrder o = Limit(id++, 1 + i % 50, buy ? Side::kBuy : Side::kSell,
                       buy ? 100000 - (i / 2) % 10000 : 100001 + (i / 2) % 10000, 10 + i % 7 * 10);
    if (i % 20 == 0) o.display_qty = 10;
    if (i % 20 == 1) {
      o.tif = TimeInForce::kGtt;
      o.expire_at = 1 + i % 1000;
    }
    ASSERT_TRUE(a.Submit(o, s).ok());
    s.Clear();
  }
  for (int i = 0; i < 2000; ++i) {
    NewOrder o = Limit(id++, 1 + i % 50, i % 2 ? Side::kBuy : Side::kSell, 0, 10);
    o.type = OrderType::kStop;
    o.tif = TimeInForce::kIoc;
    o.stop_price = i % 2 ? 200000 + i : 1 + i;
    ASSERT_TRUE(a.Submit(o, s).ok());
  }
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const auto t0 = Clock::now();
  const BookState st = a.ExportState();
  const auto t1 = Clock::now();
  const std::string bytes = Encode(st);
  const auto t2 = Clock::now();
  BookState back;
  ASSERT_TRUE(Decode(bytes, back));
  const auto t3 = Clock::now();
  OrderBook b(p);
  ASSERT_TRUE(b.ImportState(back).ok());
  const auto t4 = Clock::now();
  EXPECT_EQ(b.ExportState(), st);
  EXPECT_EQ(b.CheckInvariants(), "");
  EXPECT_EQ(b.live_orders(), 102000u);
  // Both books then expire the same GTT orders in the same order.
  EventSink ea, eb;
  a.AdvanceTime(500, ea);
  b.AdvanceTime(500, eb);
  EXPECT_GT(ea.size(), 1000u);
  EXPECT_EQ(ea.events(), eb.events());
  std::cout << "BENCH book_state_export_102k_orders " << ms(t1 - t0) << " ms\n"
            << "BENCH book_state_encode_102k_orders " << ms(t2 - t1) << " ms\n"
            << "BENCH book_state_decode_102k_orders " << ms(t3 - t2) << " ms\n"
            << "BENCH book_state_import_102k_orders " << ms(t4 - t3) << " ms\n"  // validation included
            << "BENCH book_state_bytes_per_order " << double(bytes.size()) / 102000 << " bytes" << std::endl;
}

}  // namespace
}  // namespace cx::exchange
