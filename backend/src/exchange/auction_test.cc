// Call auction tests: hand-worked order tables for every price rule, primary issuance,
// validation codes, and a differential/property test against a brute-force oracle that
// evaluates the documented rules directly (every candidate price, every grid price)
// on seeded random order sets. CX_SEED=N replays a run (the seed is printed);
// CX_LONG=1 runs 100,000 sets instead of 5,000.
#include "exchange/auction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace cx::exchange {
namespace {

AuctionOrder Bid(int64_t id, int64_t price, int64_t qty, uint64_t seq, int64_t account = 1) {
  return AuctionOrder{OrderId(id), AccountId(account), Side::kBuy, false, price, qty, seq};
}
AuctionOrder Ask(int64_t id, int64_t price, int64_t qty, uint64_t seq, int64_t account = 2) {
  return AuctionOrder{OrderId(id), AccountId(account), Side::kSell, false, price, qty, seq};
}
AuctionOrder MktBuy(int64_t id, int64_t qty, uint64_t seq, int64_t account = 3) {
  return AuctionOrder{OrderId(id), AccountId(account), Side::kBuy, true, 0, qty, seq};
}
AuctionOrder MktSell(int64_t id, int64_t qty, uint64_t seq, int64_t account = 4) {
  return AuctionOrder{OrderId(id), AccountId(account), Side::kSell, true, 0, qty, seq};
}
AuctionParams Ref(int64_t reference, int64_t tick = 1, int64_t lot = 1) {
  return AuctionParams{tick, lot, reference};
}
AuctionFill Fill(int64_t buy, int64_t sell, int64_t qty, int64_t buyer = 1, int64_t seller = 2) {
  return AuctionFill{OrderId(buy), OrderId(sell), AccountId(buyer), AccountId(seller), qty};
}

AuctionResult UncrossOk(const std::vector<AuctionOrder>& orders, const AuctionParams& p) {
  Result<AuctionResult> r = Uncross(orders, p);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  // The indicative call must always tell the same price story.
  Result<AuctionIndication> ind = Indicative(orders, p);
  EXPECT_TRUE(ind.ok());
  if (ind.ok()) {
    EXPECT_EQ(ind->crossed, r->crossed);
    EXPECT_EQ(ind->price, r->price);
    EXPECT_EQ(ind->volume, r->volume);
    EXPECT_EQ(ind->imbalance, r->imbalance);
    EXPECT_EQ(ind->rule, r->rule);
  }
  return std::move(r).value();
}

int64_t Remaining(const AuctionResult& r, int64_t id) {
  for (const auto& [oid, q] : r.remaining)
    if (oid == OrderId(id)) return q;
  ADD_FAILURE() << "no remaining entry for order " << id;
  return -1;
}

// Rule (1). Cumulative table (D = demand at >= p, S = supply at <= p):
//   p     D    S    V    surplus
//   102  400  150  150  +250
//   103  400  300  300  +100   <- unique maximum
//   104  200  500  200  -300
//   105  100  500  100  -400
TEST(Auction, UniqueMaximumVolumeSetsThePriceAndFillsPairInPriorityOrder) {
  const std::vector<AuctionOrder> orders = {Bid(1, 105, 100, 1), Bid(2, 104, 100, 2),
                                            Bid(3, 103, 200, 3), Ask(4, 102, 150, 4),
                                            Ask(5, 103, 150, 5), Ask(6, 104, 200, 6)};
  const AuctionResult r = UncrossOk(orders, Ref(0));
  EXPECT_TRUE(r.crossed);
  EXPECT_EQ(r.price, 103);
  EXPECT_EQ(r.volume, 300);
  EXPECT_EQ(r.imbalance, 100);
  EXPECT_EQ(r.rule, PriceRule::kMaxVolume);
  // Buys 105, 104, 103 (partly) against sells 102, 103; everybody pays 103.
  const std::vector<AuctionFill> want = {Fill(1, 4, 100), Fill(2, 4, 50), Fill(2, 5, 50),
                                         Fill(3, 5, 100)};
  EXPECT_EQ(r.fills, want);
  const std::vector<std::pair<OrderId, int64_t>> rem = {{OrderId(1), 0},   {OrderId(2), 0},
                                                        {OrderId(3), 100}, {OrderId(4), 0},
                                                        {OrderId(5), 0},   {OrderId(6), 200}};
  EXPECT_EQ(r.remaining, rem);
}

// Rule (2):
//   p     D    S    V    surplus
//   199  800  200  200  +600
//   200  800  500  500  +300   <- max volume, smaller surplus
//   201  500  900  500  -400   <- max volume
//   202  300  900  300  -600
TEST(Auction, EqualVolumeIsDecidedByTheSmallerSurplus) {
  const std::vector<AuctionOrder> orders = {Bid(1, 202, 300, 1), Bid(2, 201, 200, 2),
                                            Bid(3, 200, 300, 3), Ask(4, 199, 200, 4),
                                            Ask(5, 200, 300, 5), Ask(6, 201, 400, 6)};
  const AuctionResult r = UncrossOk(orders, Ref(0));
  EXPECT_EQ(r.price, 200);
  EXPECT_EQ(r.volume, 500);
  EXPECT_EQ(r.imbalance, 300);
  EXPECT_EQ(r.rule, PriceRule::kMinSurplus);
  EXPECT_EQ(Remaining(r, 3), 300);  // the 200 bid is reached but nothing is left for it
  EXPECT_EQ(Remaining(r, 6), 400);  // the 201 ask is above the price
}

// Rule (3): the same surplus on one side at every remaining candidate.
TEST(Auction, BuySurplusEverywhereTakesTheHighestPrice) {
  // D(10) = D(12) = 200, S(10) = S(12) = 100: V = 100, surplus +100 at both.
  const AuctionResult r = UncrossOk({Bid(1, 12, 200, 1), Ask(2, 10, 100, 2)}, Ref(10));
  EXPECT_EQ(r.price, 12);
  EXPECT_EQ(r.volume, 100);
  EXPECT_EQ(r.imbalance, 100);
  EXPECT_EQ(r.rule, PriceRule::kMarketPressure);
}

TEST(Auction, SellSurplusEverywhereTakesTheLowestPrice) {
  const AuctionResult r = UncrossOk({Bid(1, 12, 100, 1), Ask(2, 10, 200, 2)}, Ref(12));
  EXPECT_EQ(r.price, 10);
  EXPECT_EQ(r.volume, 100);
  EXPECT_EQ(r.imbalance, -100);
  EXPECT_EQ(r.rule, PriceRule::kMarketPressure);
}

// Rules (4) and (5) with zero surplus at both candidates.
TEST(Auction, ZeroSurplusIsDecidedByTheReferencePriceThenTheLowerPrice) {
  const std::vector<AuctionOrder> orders = {Bid(1, 12, 100, 1), Ask(2, 10, 100, 2)};
  struct Case {
    int64_t ref, price;
    PriceRule rule;
  };
  for (const Case& c : {Case{12, 12, PriceRule::kReference}, Case{50, 12, PriceRule::kReference},
                        Case{10, 10, PriceRule::kReference}, Case{3, 10, PriceRule::kReference},
                        Case{11, 10, PriceRule::kLowest}, Case{0, 10, PriceRule::kLowest}}) {
    const AuctionResult r = UncrossOk(orders, Ref(c.ref));
    EXPECT_EQ(r.price, c.price) << "reference " << c.ref;
    EXPECT_EQ(r.rule, c.rule) << "reference " << c.ref;
    EXPECT_EQ(r.volume, 100);
    EXPECT_EQ(r.imbalance, 0);
  }
}

// Rule (4) with surpluses of equal size on opposite sides:
//   p    D    S    V    surplus
//   10  150  100  100  +50
//   12  100  150  100  -50
TEST(Auction, MixedSurplusIsDecidedByTheReferencePrice) {
  const std::vector<AuctionOrder> orders = {Bid(1, 12, 100, 1), Bid(2, 10, 50, 2),
                                            Ask(3, 10, 100, 3), Ask(4, 12, 50, 4)};
  AuctionResult r = UncrossOk(orders, Ref(12));
  EXPECT_EQ(r.price, 12);
  EXPECT_EQ(r.imbalance, -50);
  EXPECT_EQ(r.rule, PriceRule::kReference);
  r = UncrossOk(orders, Ref(11));  // equidistant: the lower price
  EXPECT_EQ(r.price, 10);
  EXPECT_EQ(r.imbalance, 50);
  EXPECT_EQ(r.rule, PriceRule::kLowest);
  EXPECT_EQ(Remaining(r, 2), 50);  // the 10 bid is behind the 12 bid
}

TEST(Auction, OnlyMarketOrdersTradeAtTheReferencePrice) {
  const std::vector<AuctionOrder> orders = {MktBuy(1, 100, 1), MktSell(2, 60, 2)};
  const AuctionResult r = UncrossOk(orders, Ref(50));
  EXPECT_TRUE(r.crossed);
  EXPECT_EQ(r.price, 50);
  EXPECT_EQ(r.volume, 60);
  EXPECT_EQ(r.imbalance, 40);
  EXPECT_EQ(r.rule, PriceRule::kMarketOnly);
  EXPECT_EQ(r.fills, (std::vector<AuctionFill>{Fill(1, 2, 60, 3, 4)}));
  EXPECT_EQ(Remaining(r, 1), 40);

  // Without a reference price there is no price to use.
  for (bool indicative : {false, true}) {
    const Error e =
        indicative ? Indicative(orders, Ref(0)).error() : Uncross(orders, Ref(0)).error();
    EXPECT_EQ(e.code, Code::kInvalidField);
    EXPECT_EQ(e.field, "reference_price");
  }
  // Market orders on one side only do not cross, so no reference price is needed.
  const AuctionResult none = UncrossOk({MktBuy(1, 100, 1), MktBuy(2, 10, 2)}, Ref(0));
  EXPECT_FALSE(none.crossed);
}

TEST(Auction, MarketOnlyReferencePriceIsClampedBetweenTheLimitOrders) {
  // Limit 40 bid and 45 ask do not cross each other; the market orders have priority,
  // so only market orders execute (V = 100 at every price).
  const std::vector<AuctionOrder> orders = {MktBuy(1, 100, 1), MktSell(2, 100, 2),
                                            Bid(3, 40, 10, 3), Ask(4, 45, 20, 4)};
  struct Case {
    int64_t ref, price, imbalance;
  };
  for (const Case& c : {Case{42, 42, 0}, Case{50, 45, -20}, Case{30, 40, 10}}) {
    const AuctionResult r = UncrossOk(orders, Ref(c.ref));
    EXPECT_EQ(r.price, c.price) << "reference " << c.ref;
    EXPECT_EQ(r.imbalance, c.imbalance) << "reference " << c.ref;
    EXPECT_EQ(r.volume, 100);
    EXPECT_EQ(r.rule, PriceRule::kMarketOnly);
    EXPECT_EQ(Remaining(r, 3), 10);
    EXPECT_EQ(Remaining(r, 4), 20);
  }
  // No reference price: the rules choose among the limit prices.
  //   40: D 110, S 100, surplus +10;  45: D 100, S 120, surplus -20.
  const AuctionResult r = UncrossOk(orders, Ref(0));
  EXPECT_EQ(r.price, 40);
  EXPECT_EQ(r.volume, 100);
  EXPECT_EQ(r.rule, PriceRule::kMinSurplus);
}

TEST(Auction, MarketOrdersGoFirstAndTakePartAtAnyPrice) {
  // Market buy 50 (last to arrive) and limit buys 101 x 50 and 100 x 50 against an ask
  // 100 x 80:  100: D 150, S 80, surplus +70;  101: D 100, S 80, surplus +20.
  const std::vector<AuctionOrder> orders = {Bid(1, 101, 50, 1), Bid(2, 100, 50, 2),
                                            MktBuy(3, 50, 9), Ask(4, 100, 80, 4)};
  const AuctionResult r = UncrossOk(orders, Ref(0));
  EXPECT_EQ(r.price, 101);
  EXPECT_EQ(r.volume, 80);
  EXPECT_EQ(r.rule, PriceRule::kMinSurplus);
  EXPECT_EQ(r.fills, (std::vector<AuctionFill>{Fill(3, 4, 50, 3, 2), Fill(1, 4, 30)}));
  EXPECT_EQ(Remaining(r, 1), 20);
  EXPECT_EQ(Remaining(r, 2), 50);
}

TEST(Auction, NothingCrosses) {
  for (const auto& orders :
       std::vector<std::vector<AuctionOrder>>{{},
                                              {Bid(1, 10, 100, 1)},
                                              {Ask(1, 10, 100, 1)},
                                              {Bid(1, 10, 100, 1), Ask(2, 11, 100, 2)}}) {
    const AuctionResult r = UncrossOk(orders, Ref(10));
    EXPECT_FALSE(r.crossed);
    EXPECT_EQ(r.price, 0);
    EXPECT_EQ(r.volume, 0);
    EXPECT_EQ(r.imbalance, 0);
    EXPECT_EQ(r.rule, PriceRule::kNone);
    EXPECT_TRUE(r.fills.empty());
    ASSERT_EQ(r.remaining.size(), orders.size());
    for (size_t i = 0; i < orders.size(); ++i) EXPECT_EQ(r.remaining[i].second, orders[i].qty);
  }
}

// Primary issuance: a developer sells Q = 1,000 t (in kg) at reserve 20.00 against bids.
//   p      D (t)   S (t)   V     surplus
//   19.00  2,700       0     0
//   20.00  1,700   1,000  1,000  +700
//   22.00  1,700   1,000  1,000  +700
//   23.00  1,200   1,000  1,000  +200   <- all winners pay 23.00
//   24.00    700   1,000    700
//   25.00    300   1,000    300
TEST(Auction, PrimaryIssuanceClearsAtTheMarginalBidAndAllocatesTiesByTime) {
  const int64_t t = 1000;  // kg per tonne; lot = 1 t
  const std::vector<AuctionOrder> orders = {
      Ask(100, 2000, 1000 * t, 1, 9),
      Bid(1, 2500, 300 * t, 2, 11),
      Bid(2, 2400, 400 * t, 3, 12),
      Bid(6, 2300, 300 * t, 7, 16),  // same price, later arrival, listed first
      Bid(4, 2300, 200 * t, 5, 14),
      Bid(5, 2200, 500 * t, 6, 15),
      Bid(3, 1900, 1000 * t, 4, 13),  // below the reserve
  };
  const AuctionResult r = UncrossOk(orders, Ref(0, 100, t));
  EXPECT_EQ(r.price, 2300);
  EXPECT_EQ(r.volume, 1000 * t);
  EXPECT_EQ(r.imbalance, 200 * t);
  EXPECT_EQ(r.rule, PriceRule::kMinSurplus);
  const std::vector<AuctionFill> want = {Fill(1, 100, 300 * t, 11, 9), Fill(2, 100, 400 * t, 12, 9),
                                         Fill(4, 100, 200 * t, 14, 9),
                                         Fill(6, 100, 100 * t, 16, 9)};
  EXPECT_EQ(r.fills, want);
  EXPECT_EQ(Remaining(r, 100), 0);
  EXPECT_EQ(Remaining(r, 6), 200 * t);
  EXPECT_EQ(Remaining(r, 5), 500 * t);
  EXPECT_EQ(Remaining(r, 3), 1000 * t);
}

TEST(Auction, UndersubscribedIssuanceClearsAtTheReserve) {
  // 600 t bid above the reserve for 1,000 t: sell surplus at 20.00 and 21.00 alike.
  const std::vector<AuctionOrder> orders = {Ask(100, 2000, 1000, 1, 9), Bid(1, 2500, 300, 2),
                                            Bid(2, 2100, 300, 3), Bid(3, 1500, 900, 4)};
  const AuctionResult r = UncrossOk(orders, Ref(2400));
  EXPECT_EQ(r.price, 2000);
  EXPECT_EQ(r.volume, 600);
  EXPECT_EQ(r.imbalance, -400);
  EXPECT_EQ(r.rule, PriceRule::kMarketPressure);
  EXPECT_EQ(Remaining(r, 100), 400);
  EXPECT_EQ(Remaining(r, 3), 900);
}

TEST(Auction, InvalidInputIsRefusedWithStableCodes) {
  const std::vector<AuctionOrder> good = {Bid(1, 100, 10, 1), Ask(2, 100, 10, 2)};
  struct Case {
    const char* what;
    std::vector<AuctionOrder> orders;
    AuctionParams params;
    Code code;
    const char* field;
  };
  auto with = [&](size_t i, auto change) {
    std::vector<AuctionOrder> o = good;
    change(o[i]);
    return o;
  };
  const std::vector<Case> cases = {
      {"tick 0", good, AuctionParams{0, 1, 0}, Code::kInvalidField, "tick_size"},
      {"lot -1", good, AuctionParams{1, -1, 0}, Code::kInvalidField, "lot_size"},
      {"ref < 0", good, Ref(-5), Code::kInvalidField, "reference_price"},
      {"ref off tick", good, Ref(7, 5), Code::kOffTick, "reference_price"},
      {"id 0", with(1, [](AuctionOrder& o) { o.id = OrderId(0); }), Ref(0), Code::kInvalidField,
       "id"},
      {"account 0", with(0, [](AuctionOrder& o) { o.account = AccountId(); }), Ref(0),
       Code::kInvalidField, "account"},
      {"side", with(0, [](AuctionOrder& o) { o.side = Side(7); }), Ref(0), Code::kInvalidField,
       "side"},
      {"qty 0", with(0, [](AuctionOrder& o) { o.qty = 0; }), Ref(0), Code::kBadQuantity, "qty"},
      {"qty < 0", with(1, [](AuctionOrder& o) { o.qty = -10; }), Ref(0), Code::kBadQuantity, "qty"},
      {"qty huge", with(1, [](AuctionOrder& o) { o.qty = kMaxQuantity + 1; }), Ref(0),
       Code::kBadQuantity, "qty"},
      {"qty off lot", good, AuctionParams{1, 3, 0}, Code::kOffLot, "qty"},
      {"price 0", with(0, [](AuctionOrder& o) { o.price = 0; }), Ref(0), Code::kInvalidField,
       "price"},
      {"price < 0", with(1, [](AuctionOrder& o) { o.price = -100; }), Ref(0), Code::kInvalidField,
       "price"},
      {"price off tick", good, Ref(0, 3), Code::kOffTick, "price"},
      {"duplicate id", with(1, [](AuctionOrder& o) { o.id = OrderId(1); }), Ref(0), Code::kConflict,
       "id"},
      {"duplicate seq", with(1, [](AuctionOrder& o) { o.seq = 1; }), Ref(0), Code::kConflict,
       "seq"},
  };
  for (const Case& c : cases) {
    for (bool indicative : {false, true}) {
      Error e;
      if (indicative) {
        auto r = Indicative(c.orders, c.params);
        ASSERT_FALSE(r.ok()) << c.what;
        e = r.error();
      } else {
        auto r = Uncross(c.orders, c.params);
        ASSERT_FALSE(r.ok()) << c.what;
        e = r.error();
      }
      EXPECT_EQ(e.code, c.code) << c.what;
      EXPECT_EQ(e.field, c.field) << c.what;
      EXPECT_FALSE(e.message.empty()) << c.what;
    }
  }
  // The message names the later duplicate's input index.
  std::vector<AuctionOrder> dup = {Bid(1, 100, 10, 1), Ask(2, 100, 10, 2), Bid(2, 100, 10, 3),
                                   Bid(1, 100, 10, 4)};
  EXPECT_EQ(Uncross(dup, Ref(0)).error().message.rfind("order 2:", 0), 0u)
      << Uncross(dup, Ref(0)).error().message;
  // A market order's price is ignored, whatever it holds.
  std::vector<AuctionOrder> m = {MktBuy(1, 10, 1), Ask(2, 100, 10, 2)};
  m[0].price = -3;
  EXPECT_EQ(UncrossOk(m, Ref(0, 5)).price, 100);
  // (The kTooLarge side-total check needs about 9.2 million orders of 10^12 kg; it is
  // not exercised here.)
}

// ---------------------------------------------------------------------------------------
// Differential and property test.

struct Rng {  // splitmix64
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t Uni(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
  bool Chance(int percent) { return Uni(0, 99) < percent; }
};

int64_t OracleDemand(const std::vector<AuctionOrder>& os, int64_t p) {
  int64_t d = 0;
  for (const AuctionOrder& o : os)
    if (o.side == Side::kBuy && (o.market || o.price >= p)) d += o.qty;
  return d;
}
int64_t OracleSupply(const std::vector<AuctionOrder>& os, int64_t p) {
  int64_t s = 0;
  for (const AuctionOrder& o : os)
    if (o.side == Side::kSell && (o.market || o.price <= p)) s += o.qty;
  return s;
}

// Orders that execute at price p, best priority first (the documented priority, written
// as a sort key rather than a comparator chain).
std::vector<size_t> OracleQueue(const std::vector<AuctionOrder>& os, Side side, int64_t p) {
  std::vector<std::pair<std::tuple<int, int64_t, uint64_t>, size_t>> keyed;
  for (size_t i = 0; i < os.size(); ++i) {
    const AuctionOrder& o = os[i];
    if (o.side != side) continue;
    if (!o.market && (side == Side::kBuy ? o.price < p : o.price > p)) continue;
    const int64_t price_key = o.market ? 0 : (side == Side::kBuy ? -o.price : o.price);
    keyed.push_back({{o.market ? 0 : 1, price_key, o.seq}, i});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> q;
  for (const auto& k : keyed) q.push_back(k.second);
  return q;
}

std::vector<int64_t> OracleFilled(const std::vector<AuctionOrder>& os, int64_t p, int64_t v) {
  std::vector<int64_t> f(os.size(), 0);
  for (Side side : {Side::kBuy, Side::kSell}) {
    int64_t left = v;
    for (size_t i : OracleQueue(os, side, p)) {
      f[i] = std::min(os[i].qty, left);
      left -= f[i];
    }
  }
  return f;
}

struct OracleOut {
  bool error = false;
  AuctionIndication ind;
};

// The rules, evaluated naively: O(n) per price, candidate set filtered rule by rule.
OracleOut Oracle(const std::vector<AuctionOrder>& os, int64_t ref) {
  OracleOut out;
  std::vector<int64_t> cands;
  for (const AuctionOrder& o : os)
    if (!o.market && std::find(cands.begin(), cands.end(), o.price) == cands.end())
      cands.push_back(o.price);
  std::sort(cands.begin(), cands.end());
  auto vol = [&](int64_t p) { return std::min(OracleDemand(os, p), OracleSupply(os, p)); };
  auto sur = [&](int64_t p) { return OracleDemand(os, p) - OracleSupply(os, p); };

  int64_t p0 = 0;
  PriceRule rule = PriceRule::kNone;
  int64_t v = 0;
  if (cands.empty()) {
    v = vol(0);  // only market orders: any price
  } else {
    int64_t best_v = 0;
    for (int64_t p : cands) best_v = std::max(best_v, vol(p));
    v = best_v;
    std::vector<int64_t> r1;
    for (int64_t p : cands)
      if (vol(p) == best_v) r1.push_back(p);
    int64_t best_a = -1;
    for (int64_t p : r1)
      if (best_a < 0 || std::abs(sur(p)) < best_a) best_a = std::abs(sur(p));
    std::vector<int64_t> r2;
    for (int64_t p : r1)
      if (std::abs(sur(p)) == best_a) r2.push_back(p);
    if (r2.size() == 1) {
      p0 = r2[0];
      rule = r1.size() == 1 ? PriceRule::kMaxVolume : PriceRule::kMinSurplus;
    } else if (std::all_of(r2.begin(), r2.end(), [&](int64_t p) { return sur(p) > 0; })) {
      p0 = *std::max_element(r2.begin(), r2.end());
      rule = PriceRule::kMarketPressure;
    } else if (std::all_of(r2.begin(), r2.end(), [&](int64_t p) { return sur(p) < 0; })) {
      p0 = *std::min_element(r2.begin(), r2.end());
      rule = PriceRule::kMarketPressure;
    } else if (ref > 0) {
      int64_t d = INT64_MAX;
      for (int64_t p : r2) d = std::min(d, std::abs(p - ref));
      std::vector<int64_t> r4;
      for (int64_t p : r2)
        if (std::abs(p - ref) == d) r4.push_back(p);
      p0 = *std::min_element(r4.begin(), r4.end());
      rule = r4.size() == 1 ? PriceRule::kReference : PriceRule::kLowest;
    } else {
      p0 = *std::min_element(r2.begin(), r2.end());
      rule = PriceRule::kLowest;
    }
  }
  if (v == 0) return out;
  // Only market orders execute: no limit order gets anything at the rule price.
  bool limit_fills = false;
  if (!cands.empty()) {
    const std::vector<int64_t> f = OracleFilled(os, p0, v);
    for (size_t i = 0; i < os.size(); ++i) limit_fills = limit_fills || (!os[i].market && f[i] > 0);
  }
  if (!limit_fills && (ref > 0 || cands.empty())) {
    if (ref == 0) {
      out.error = true;
      return out;
    }
    // Closest price to ref (on the grid of ref and the limits) not below any limit buy
    // and not above any limit sell: search outwards from ref.
    std::vector<int64_t> grid = cands;
    grid.push_back(ref);
    int64_t best = -1;
    for (int64_t x : grid) {
      bool ok = true;
      for (const AuctionOrder& o : os)
        if (!o.market) ok = ok && (o.side == Side::kBuy ? o.price <= x : o.price >= x);
      if (ok && (best < 0 || std::abs(x - ref) < std::abs(best - ref))) best = x;
    }
    EXPECT_GE(best, 0) << "market-only interval empty";
    p0 = best;
    rule = PriceRule::kMarketOnly;
  }
  out.ind = AuctionIndication{true, p0, v, sur(p0), rule};
  return out;
}

uint64_t BaseSeed() {
  const char* s = std::getenv("CX_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261128ull;
}
int Sets() {
  const char* l = std::getenv("CX_LONG");
  return (l && std::string(l) == "1") ? 100000 : 5000;
}

std::string Dump(const std::vector<AuctionOrder>& os, const AuctionParams& p) {
  std::ostringstream s;
  s << "tick=" << p.tick_size << " lot=" << p.lot_size << " ref=" << p.reference_price << "\n";
  for (const AuctionOrder& o : os)
    s << "  id=" << o.id.value() << " acct=" << o.account.value()
      << (o.side == Side::kBuy ? " buy" : " sell") << (o.market ? " MKT" : "") << " px=" << o.price
      << " qty=" << o.qty << " seq=" << o.seq << "\n";
  return s.str();
}

// Checks one order set; returns false (after recording failures) on the first mismatch.
bool CheckSet(const std::vector<AuctionOrder>& os, const AuctionParams& p, Rng& rng,
              std::map<PriceRule, int>& rules) {
  const OracleOut want = Oracle(os, p.reference_price);
  Result<AuctionResult> got = Uncross(os, p);
  Result<AuctionIndication> ind = Indicative(os, p);
  if (want.error) {
    EXPECT_FALSE(got.ok());
    EXPECT_FALSE(ind.ok());
    if (!got.ok()) {
      EXPECT_EQ(got.error().field, "reference_price");
    }
    ++rules[PriceRule(99)];
    return !got.ok() && !ind.ok();
  }
  EXPECT_TRUE(got.ok() && ind.ok()) << (got.ok() ? "" : got.error().message);
  if (!got.ok() || !ind.ok()) return false;
  const AuctionResult& r = *got;
  ++rules[r.rule];
  bool ok = true;
  auto check = [&](bool cond, const std::string& what) {
    if (!cond) {
      ADD_FAILURE() << what;
      ok = false;
    }
  };
  check(r.crossed == want.ind.crossed, "crossed");
  check(r.price == want.ind.price,
        "price " + std::to_string(r.price) + " oracle " + std::to_string(want.ind.price));
  check(r.volume == want.ind.volume, "volume");
  check(r.imbalance == want.ind.imbalance, "imbalance");
  check(r.rule == want.ind.rule,
        "rule " + std::to_string(int(r.rule)) + " oracle " + std::to_string(int(want.ind.rule)));
  check(ind->crossed == r.crossed && ind->price == r.price && ind->volume == r.volume &&
            ind->imbalance == r.imbalance && ind->rule == r.rule,
        "indicative differs from uncross");
  if (!ok) return false;

  // Conservation and limits, from the fills alone.
  std::map<int64_t, size_t> index;
  for (size_t i = 0; i < os.size(); ++i) index[os[i].id.value()] = i;
  std::vector<int64_t> bought(os.size(), 0), sold(os.size(), 0);
  int64_t total = 0;
  for (const AuctionFill& f : r.fills) {
    check(f.qty > 0 && f.qty % p.lot_size == 0, "fill quantity not a positive number of lots");
    const size_t b = index.at(f.buy.value()), s = index.at(f.sell.value());
    check(os[b].side == Side::kBuy && os[s].side == Side::kSell, "fill sides");
    check(f.buyer == os[b].account && f.seller == os[s].account, "fill accounts");
    check(os[b].market || os[b].price >= r.price, "buyer filled above its limit");
    check(os[s].market || os[s].price <= r.price, "seller filled below its limit");
    bought[b] += f.qty;
    sold[s] += f.qty;
    total += f.qty;
  }
  int64_t total_bought = 0, total_sold = 0;
  for (size_t i = 0; i < os.size(); ++i) {
    total_bought += bought[i];
    total_sold += sold[i];
  }
  check(total == r.volume && total_bought == r.volume && total_sold == r.volume, "conservation");
  check(r.remaining.size() == os.size(), "remaining size");
  if (!ok) return false;
  const std::vector<int64_t> alloc = OracleFilled(os, r.price, r.volume);
  for (size_t i = 0; i < os.size(); ++i) {
    const int64_t filled = bought[i] + sold[i];
    check(r.remaining[i].first == os[i].id, "remaining order");
    check(r.remaining[i].second == os[i].qty - filled && filled <= os[i].qty,
          "remaining == qty - filled");
    check(filled == alloc[i], "allocation of order " + std::to_string(os[i].id.value()));
  }
  // Stable pairing: the fills' buy (sell) sides, read in order, walk the priority queue.
  for (Side side : {Side::kBuy, Side::kSell}) {
    std::vector<std::pair<int64_t, int64_t>> seq;  // (order id, qty) merged runs
    for (const AuctionFill& f : r.fills) {
      const int64_t id = (side == Side::kBuy ? f.buy : f.sell).value();
      if (!seq.empty() && seq.back().first == id) {
        seq.back().second += f.qty;
      } else {
        seq.emplace_back(id, f.qty);
      }
    }
    std::vector<std::pair<int64_t, int64_t>> want_seq;
    for (size_t i : OracleQueue(os, side, r.price))
      if (alloc[i] > 0) want_seq.emplace_back(os[i].id.value(), alloc[i]);
    check(seq == want_seq, "fill pairing order");
  }
  // Optimality over every price on the grid, not just the candidates.
  if (r.crossed) {
    check(r.volume == std::min(OracleDemand(os, r.price), OracleSupply(os, r.price)),
          "volume at the price");
    for (int64_t x = p.tick_size; x <= 140 * p.tick_size; x += p.tick_size)
      if (std::min(OracleDemand(os, x), OracleSupply(os, x)) > r.volume) {
        check(false, "price " + std::to_string(x) + " executes more");
        break;
      }
  }
  // The input order does not matter (seq gives time priority): same price and fills.
  std::vector<AuctionOrder> shuffled = os;
  for (size_t i = shuffled.size(); i > 1; --i)
    std::swap(shuffled[i - 1], shuffled[size_t(rng.Uni(0, int64_t(i) - 1))]);
  Result<AuctionResult> again = Uncross(shuffled, p);
  check(
      again.ok() && again->price == r.price && again->volume == r.volume && again->fills == r.fills,
      "result depends on input order");
  return ok;
}

TEST(AuctionProperty, AgreesWithBruteForceOracleOnRandomSets) {
  const uint64_t base = BaseSeed();
  const int sets = Sets();
  std::cout << "[auction] CX_SEED=" << base << " sets=" << sets << std::endl;
  std::map<PriceRule, int> rules;
  int64_t total_orders = 0;
  for (int k = 0; k < sets; ++k) {
    Rng rng{base * 1000003ull + uint64_t(k)};
    AuctionParams p;
    const int64_t ticks[] = {1, 5, 25};
    const int64_t lots[] = {1, 10, 1000};
    p.tick_size = ticks[rng.Uni(0, 2)];
    p.lot_size = lots[rng.Uni(0, 2)];
    // Prices within a narrow band of ticks so that ties and equal volumes are common.
    const int64_t lo = rng.Uni(90, 110), width = rng.Uni(0, 1) ? rng.Uni(1, 4) : rng.Uni(5, 20);
    p.reference_price = rng.Chance(25) ? 0 : rng.Uni(lo - 10, lo + width + 10) * p.tick_size;
    const int market_pct = rng.Chance(20) ? 40 : 8;
    const int n = rng.Chance(5) ? int(rng.Uni(50, 120)) : int(rng.Uni(0, 25));
    const bool issuance = rng.Chance(10);  // one seller against many bids
    const bool all_market = !issuance && rng.Chance(3);
    const bool equal_qty = rng.Chance(25);  // equal surpluses (rules 3 to 5) become common
    std::vector<AuctionOrder> os;
    for (int i = 0; i < n; ++i) {
      AuctionOrder o;
      o.id = OrderId(int64_t(k) * 1000 + i + 1);
      o.account = AccountId(rng.Uni(1, 8));
      o.side = issuance ? (i == 0 ? Side::kSell : Side::kBuy)
                        : (rng.Uni(0, 1) ? Side::kBuy : Side::kSell);
      o.market = all_market || (!(issuance && i == 0) && rng.Chance(market_pct));
      o.price = o.market ? 0 : rng.Uni(lo, lo + width) * p.tick_size;
      o.qty = (issuance && i == 0 ? rng.Uni(20, 100) : equal_qty ? 1 : rng.Uni(1, 12)) * p.lot_size;
      os.push_back(o);
    }
    // Unique arrival stamps in an order unrelated to the input order.
    std::vector<uint64_t> seqs;
    uint64_t stamp = uint64_t(rng.Uni(1, 1000));
    for (int i = 0; i < n; ++i) seqs.push_back(stamp += uint64_t(rng.Uni(1, 3)));
    for (size_t i = seqs.size(); i > 1; --i)
      std::swap(seqs[i - 1], seqs[size_t(rng.Uni(0, int64_t(i) - 1))]);
    for (int i = 0; i < n; ++i) os[size_t(i)].seq = seqs[size_t(i)];
    total_orders += n;
    if (!CheckSet(os, p, rng, rules)) {
      FAIL() << "set " << k << " (CX_SEED=" << base << ")\n" << Dump(os, p);
    }
  }
  std::ostringstream s;
  for (const auto& [rule, count] : rules) s << " rule" << int(rule) << "=" << count;
  std::cout << "[auction] orders=" << total_orders << s.str() << " (rule99 = refused)" << std::endl;
  // Every rule must really be exercised, or the comparison proves little.
  for (PriceRule r :
       {PriceRule::kNone, PriceRule::kMaxVolume, PriceRule::kMinSurplus, PriceRule::kMarketPressure,
        PriceRule::kReference, PriceRule::kLowest, PriceRule::kMarketOnly, PriceRule(99)})
    EXPECT_GT(rules[r], sets / 500) << "rule " << int(r) << " seldom reached";
}

// A large set: the O(n log n) path stays fast and still satisfies the invariants.
TEST(AuctionProperty, LargeBookUncrossesQuickly) {
  Rng rng{BaseSeed()};
  std::vector<AuctionOrder> os;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const bool buy = rng.Uni(0, 1);
    os.push_back(AuctionOrder{
        OrderId(i + 1), AccountId(rng.Uni(1, 1000)), buy ? Side::kBuy : Side::kSell, rng.Chance(1),
        (rng.Uni(900, 1100) + (buy ? 10 : -10)) * 5, rng.Uni(1, 100) * 10, uint64_t(i + 1)});
  }
  Result<AuctionResult> r = Uncross(os, AuctionParams{5, 10, 5000});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->crossed);
  int64_t sum = 0;
  for (const AuctionFill& f : r->fills) sum += f.qty;
  EXPECT_EQ(sum, r->volume);
  EXPECT_EQ(r->volume, std::min(OracleDemand(os, r->price), OracleSupply(os, r->price)));
}

}  // namespace
}  // namespace cx::exchange
