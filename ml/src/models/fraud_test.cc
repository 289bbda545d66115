#include "models/fraud.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace cx::ml {
namespace {

// A tiny market builder: orders get ids in sequence; Fill() records a trade against a
// resting order.
struct Market {
  std::vector<OrderEvent> orders;
  std::vector<Trade> trades;
  int64_t next_order = 1, next_trade = 1;
  int64_t New(int64_t t, const std::string& acc, Side side, int64_t qty, int64_t price = 1000, int32_t inst = 0) {
    orders.push_back({t, false, next_order, acc, inst, side, price == 0, price, qty});
    return next_order++;
  }
  void Cancel(int64_t t, int64_t id, int64_t qty) {
    auto it = std::find_if(orders.begin(), orders.end(), [&](const OrderEvent& o) { return o.order_id == id; });
    OrderEvent e = *it;
    e.ts_ms = t;
    e.cancel = true;
    e.qty = qty;
    orders.push_back(e);
  }
  int64_t Fill(int64_t t, int64_t taker, int64_t maker, int64_t qty) {
    auto find = [&](int64_t id) {
      return *std::find_if(orders.begin(), orders.end(), [&](const OrderEvent& o) { return o.order_id == id && !o.cancel; });
    };
    const auto tk = find(taker), mk = find(maker);
    Trade tr;
    tr.ts_ms = t;
    tr.trade_id = next_trade++;
    tr.instrument = tk.instrument;
    tr.price = mk.price;
    tr.qty = qty;
    tr.aggressor = tk.side;
    tr.buy_order_id = tk.side == Side::kBuy ? taker : maker;
    tr.sell_order_id = tk.side == Side::kBuy ? maker : taker;
    tr.buyer = tk.side == Side::kBuy ? tk.account : mk.account;
    tr.seller = tk.side == Side::kBuy ? mk.account : tk.account;
    trades.push_back(tr);
    return tr.trade_id;
  }
  // A pre-arranged trade: `seller` rests, `buyer` takes exactly that size `gap` ms later.
  int64_t Arranged(int64_t t, const std::string& seller, const std::string& buyer, int64_t qty, int64_t gap) {
    const int64_t s = New(t, seller, Side::kSell, qty);
    const int64_t b = New(t + gap, buyer, Side::kBuy, qty);
    return Fill(t + gap, b, s, qty);
  }
};

std::vector<int64_t> Ids(const FraudReport& r, AlertKind k) {
  std::vector<int64_t> v;
  for (const auto& a : r.alerts)
    if (a.kind == k) v.push_back(a.id);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST(Fraud, SelfTradesAreFlaggedByIdentity) {
  Market m;
  const int64_t s = m.New(0, "a", Side::kSell, 1000);
  const int64_t b = m.New(10, "a", Side::kBuy, 1000);
  const int64_t t1 = m.Fill(10, b, s, 1000);
  const int64_t s2 = m.New(20, "b", Side::kSell, 1000);
  const int64_t b2 = m.New(30, "c", Side::kBuy, 1000);
  m.Fill(30, b2, s2, 1000);
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r, AlertKind::kSelfTrade), std::vector<int64_t>{t1});
}

TEST(Fraud, LinkedAccountsAreFoundFromPrearrangedTrades) {
  Market m;
  std::vector<int64_t> wash;
  // x, y, z collude: resting order taken at the same size within 300 ms, around a cycle.
  wash.push_back(m.Arranged(1000, "x", "y", 20000, 300));
  wash.push_back(m.Arranged(5000, "y", "z", 20000, 200));
  wash.push_back(m.Arranged(9000, "z", "x", 20000, 250));
  wash.push_back(m.Arranged(60000, "x", "y", 50000, 100));
  wash.push_back(m.Arranged(65000, "y", "x", 50000, 400));
  wash.push_back(m.Arranged(70000, "y", "z", 50000, 150));
  wash.push_back(m.Arranged(75000, "z", "y", 50000, 350));
  // An honest pair trades as often, but the resting orders waited minutes.
  for (int i = 0; i < 5; ++i) m.Arranged(100000 + i * 1000000, "p", "q", 10000, 120000);
  // A one-off coincidence between honest accounts (fast, same size) is not enough.
  m.Arranged(4500000, "p", "r", 7000, 200);
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_TRUE(r.ok());
  std::sort(wash.begin(), wash.end());
  EXPECT_EQ(Ids(*r, AlertKind::kWash), wash);
  ASSERT_EQ(r->summary.groups.size(), 1u);
  EXPECT_EQ(r->summary.groups[0], (std::vector<std::string>{"x", "y", "z"}));
  const auto& ev = std::find_if(r->alerts.begin(), r->alerts.end(), [](const Alert& a) { return a.kind == AlertKind::kWash; })->evidence;
  EXPECT_NE(ev.find("closed cycles"), std::string::npos) << ev;
}

TEST(Fraud, BusyHonestPairIsNotLinked) {
  Market m;
  // Market maker "mm" is hit 20 times by "t"; 3 of those happen to be fast and same-size.
  for (int i = 0; i < 3; ++i) m.Arranged(i * 10000, "mm", "t", 25000, 500);
  for (int i = 0; i < 17; ++i) {
    const int64_t s = m.New(100000 + i * 10000, "mm", Side::kSell, 25000);
    const int64_t b = m.New(100000 + i * 10000 + 2000, "t", Side::kBuy, 5000);
    m.Fill(100000 + i * 10000 + 2000, b, s, 5000);
  }
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Ids(*r, AlertKind::kWash).empty());
}

TEST(Fraud, SpoofingIsALargeOrderPulledAfterTradingTheOtherSide) {
  Market m;
  // Typical size 5 t for "s" and for "mm".
  for (int i = 0; i < 20; ++i) {
    m.New(i * 100, "s", Side::kBuy, 5000, 990);
    m.New(i * 100, "mm", Side::kBuy, 5000, 990);
  }
  m.New(1950, "liq", Side::kBuy, 5000, 995);  // resting bid
  // Spoof: two large asks (layering), then an aggressive sell... the genuine trade is on
  // the other side (a buy here), then the asks are pulled.
  const int64_t ask_liq = m.New(10000, "liq", Side::kSell, 5000, 1005);
  const int64_t f1 = m.New(20000, "s", Side::kSell, 200000, 1006);
  const int64_t f2 = m.New(20001, "s", Side::kSell, 150000, 1007);
  const int64_t f3 = m.New(20002, "s", Side::kSell, 8000, 1008);  // a small layer of the same flash
  const int64_t buy = m.New(20600, "s", Side::kBuy, 5000, 1005);
  m.Fill(20600, buy, ask_liq, 5000);
  m.Cancel(22000, f1, 200000);
  m.Cancel(22000, f2, 150000);
  m.Cancel(22000, f3, 8000);
  const int64_t later = m.New(25000, "s", Side::kSell, 8000, 1008);  // not part of the burst
  m.Cancel(26000, later, 8000);
  // The same shape from a market maker whose opposite quote arrives in the same
  // millisecond (a two-sided re-quote) is not spoofing.
  const int64_t big = m.New(30000, "mm", Side::kSell, 200000, 1006);
  const int64_t bid = m.New(30000, "mm", Side::kBuy, 5000, 1004);
  m.Cancel(31000, big, 200000);
  m.Cancel(31000, bid, 5000);
  // A large order pulled without any trade on the other side is not spoofing either.
  const int64_t lone = m.New(40000, "s", Side::kBuy, 200000, 980);
  m.Cancel(41000, lone, 200000);
  // A large order the account then hits itself (a self-trade) is not a spoof.
  const int64_t own = m.New(50000, "s", Side::kSell, 100000, 1001);
  const int64_t hit = m.New(50200, "s", Side::kBuy, 100000, 1001);
  m.Fill(50200, hit, own, 60000);
  m.Cancel(50500, own, 40000);
  // But a small sell that happens to hit the spoofer's own flashed bid still counts.
  const int64_t flash = m.New(60000, "s", Side::kBuy, 300000, 1000);
  const int64_t small = m.New(60700, "s", Side::kSell, 10000, 1000);
  m.Fill(60700, small, flash, 10000);
  m.Cancel(62000, flash, 290000);
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Ids(*r, AlertKind::kSpoof), (std::vector<int64_t>{f1, f2, f3, flash}));
}

TEST(Fraud, MalformedEventsAreRejected) {
  Market m;
  m.New(0, "a", Side::kBuy, 0);
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  Market d;
  d.New(0, "a", Side::kBuy, 10);
  d.orders.push_back(d.orders[0]);
  EXPECT_FALSE(DetectMarketAbuse(d.orders, d.trades).ok());
  // Out-of-order input is sorted, not refused: same alerts either way.
  Market sorted;
  const int64_t s1 = sorted.New(0, "a", Side::kSell, 1000);
  const int64_t b1 = sorted.New(10, "a", Side::kBuy, 1000);
  sorted.Fill(10, b1, s1, 1000);
  const int64_t s2 = sorted.New(20, "b", Side::kSell, 1000);
  const int64_t b2 = sorted.New(30, "b", Side::kBuy, 1000);
  sorted.Fill(30, b2, s2, 1000);
  Market shuffled = sorted;
  std::reverse(shuffled.orders.begin(), shuffled.orders.end());
  std::reverse(shuffled.trades.begin(), shuffled.trades.end());
  auto x = DetectMarketAbuse(sorted.orders, sorted.trades);
  auto y = DetectMarketAbuse(shuffled.orders, shuffled.trades);
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ(Ids(*x, AlertKind::kSelfTrade), Ids(*y, AlertKind::kSelfTrade));
  EXPECT_EQ(Ids(*y, AlertKind::kSelfTrade).size(), 2u);
}

TEST(Fraud, BenfordAndRobustZ) {
  // Counts proportional to Benford's probabilities conform (MAD ~ 0).
  std::vector<int64_t> v;
  for (int d = 1; d <= 9; ++d)
    for (int i = 0; i < static_cast<int>(std::round(10000 * std::log10(1.0 + 1.0 / d))); ++i) v.push_back(d * 100 + i % 100);
  EXPECT_LT(BenfordMad(v), 1e-4);
  std::vector<int64_t> round(100, 50000);  // all fives
  EXPECT_GT(BenfordMad(round), 0.15);
  auto z = RobustZ(std::vector<double>{1, 2, 3, 4, 100});
  EXPECT_NEAR(z[2], 0.0, 1e-12);
  EXPECT_NEAR(z[4], 97 / 1.4826, 1e-9);
}

TEST(Fraud, MarkingTheCloseByOneAggressor) {
  Market m;
  // Quiet trading, then in the last minutes "mc" lifts offers pushing the price up 5 %.
  for (int i = 0; i < 10; ++i) {
    const int64_t s = m.New(i * 60000, "mk", Side::kSell, 1000, 1000);
    const int64_t b = m.New(i * 60000 + 10, "n" + std::to_string(i), Side::kBuy, 1000, 1000);
    m.Fill(i * 60000 + 10, b, s, 1000);
  }
  for (int i = 0; i < 6; ++i) {
    const int64_t s = m.New(3000000 + i * 10000, "mk", Side::kSell, 5000, 1000 + 10 * i);
    const int64_t b = m.New(3000000 + i * 10000 + 5, "mc", Side::kBuy, 5000, 1000 + 10 * i);
    m.Fill(3000000 + i * 10000 + 5, b, s, 5000);
  }
  auto r = DetectMarketAbuse(m.orders, m.trades);
  ASSERT_TRUE(r.ok());
  bool found = false;
  for (const auto& a : r->alerts) found |= a.kind == AlertKind::kMarkingClose && a.account == "mc";
  EXPECT_TRUE(found);
}

}  // namespace cx::ml
