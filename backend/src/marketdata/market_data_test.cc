// MarketData: candle bucketing at boundaries, rounding, VWAP exactness, rolling 24 h
// expiry, validation (nothing changes on refusal), overflow safety, bounded history, and a
// seeded random comparison against a naive recomputation over all trades.
#include "marketdata/market_data.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace cx::marketdata {
namespace {

// 2023-11-14 00:00:00 UTC: a multiple of every interval.
constexpr int64_t kT0 = 1'699'920'000'000'000;
constexpr InstrumentId kInst{7};

struct Feeder {
  MarketData& md;
  int64_t next_id = 1;
  Result<void> Add(int64_t ts, int64_t price, int64_t qty, Side side = Side::kBuy) {
    Trade t{kInst, TradeId{next_id}, ts, price, qty, side, 0};
    Result<void> r = md.Apply(t);
    if (r.ok()) ++next_id;
    return r;
  }
};

TEST(MarketData, CandleBucketingAtBoundaries) {
  MarketData md(kInst);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0 + 59'999'999, 1000, 1000).ok());           // a: minute 0
  ASSERT_TRUE(f.Add(kT0 + 60'000'000, 1200, 500).ok());            // b: minute 1
  ASSERT_TRUE(f.Add(kT0 + 299'999'999, 900, 250).ok());            // c: minute 4, 5m #0
  ASSERT_TRUE(f.Add(kT0 + 300'000'000, 1100, 2000).ok());          // d: 5m #1
  ASSERT_TRUE(f.Add(kT0 + kUsPerDay - 1, 1500, 1).ok());           // e: last us of day 0
  ASSERT_TRUE(f.Add(kT0 + kUsPerDay, 1400, 3).ok());               // f: day 1

  const auto& m1 = md.candles(Interval::k1m);
  ASSERT_EQ(m1.size(), 6u);
  EXPECT_EQ(m1[0].start_us, kT0);
  EXPECT_EQ(m1[1].start_us, kT0 + kUsPerMinute);
  EXPECT_EQ(m1[2].start_us, kT0 + 4 * kUsPerMinute);
  EXPECT_EQ(m1[3].start_us, kT0 + 5 * kUsPerMinute);
  EXPECT_EQ(m1[4].start_us, kT0 + kUsPerDay - kUsPerMinute);
  EXPECT_EQ(m1[5].start_us, kT0 + kUsPerDay);

  const auto& m5 = md.candles(Interval::k5m);
  ASSERT_EQ(m5.size(), 4u);
  EXPECT_EQ(m5[0].start_us, kT0);
  EXPECT_EQ(m5[0].open, 1000);
  EXPECT_EQ(m5[0].high, 1200);
  EXPECT_EQ(m5[0].low, 900);
  EXPECT_EQ(m5[0].close, 900);
  EXPECT_EQ(m5[0].volume_kg, 1750);
  EXPECT_TRUE(m5[0].notional_milli == 1'825'000);  // 1000*1000 + 1200*500 + 900*250
  EXPECT_EQ(m5[0].trades, 3);
  EXPECT_EQ(m5[1].start_us, kT0 + 5 * kUsPerMinute);
  EXPECT_EQ(m5[2].start_us, kT0 + kUsPerDay - 5 * kUsPerMinute);

  const auto& h1 = md.candles(Interval::k1h);
  ASSERT_EQ(h1.size(), 3u);
  EXPECT_EQ(h1[0].volume_kg, 3750);
  EXPECT_TRUE(h1[0].notional_milli == 4'025'000);
  EXPECT_EQ(h1[0].close, 1100);
  EXPECT_EQ(h1[1].start_us, kT0 + 23 * kUsPerHour);

  const auto& d1 = md.candles(Interval::k1d);
  ASSERT_EQ(d1.size(), 2u);
  EXPECT_EQ(d1[0].start_us, kT0);
  EXPECT_EQ(d1[0].open, 1000);
  EXPECT_EQ(d1[0].high, 1500);
  EXPECT_EQ(d1[0].low, 900);
  EXPECT_EQ(d1[0].close, 1500);
  EXPECT_EQ(d1[0].volume_kg, 3751);
  EXPECT_EQ(d1[0].trades, 5);
  EXPECT_EQ(d1[1].start_us, kT0 + kUsPerDay);
  EXPECT_EQ(d1[1].open, 1400);
  EXPECT_EQ(md.last_price(), 1400);
}

TEST(MarketData, CandleRangeQueryAndBoundedHistory) {
  MarketDataOptions o;
  o.max_candles = 3;
  MarketData md(kInst, o);
  Feeder f{md};
  for (int m = 0; m < 5; ++m) ASSERT_TRUE(f.Add(kT0 + m * kUsPerMinute + 10, 1000 + m, 1).ok());
  const auto& m1 = md.candles(Interval::k1m);
  ASSERT_EQ(m1.size(), 3u);  // minutes 0 and 1 dropped
  EXPECT_EQ(m1.front().start_us, kT0 + 2 * kUsPerMinute);
  EXPECT_EQ(m1.front().open, 1002);
  // [from, to): minute 3 only.
  auto r = md.Candles(Interval::k1m, kT0 + 3 * kUsPerMinute, kT0 + 4 * kUsPerMinute);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].open, 1003);
  // Whole range, newest 2.
  r = md.Candles(Interval::k1m, 0, INT64_MAX, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].open, 1003);
  EXPECT_EQ(r[1].open, 1004);
  // Before the kept history: nothing.
  EXPECT_TRUE(md.Candles(Interval::k1m, kT0, kT0 + 2 * kUsPerMinute).empty());
  EXPECT_EQ(md.candles(Interval::k5m).size(), 1u);
}

TEST(MarketData, NotionalRoundsHalfUpOnTheExactSum) {
  EXPECT_TRUE(MilliToMinor(333) == 0);    // 0.333 cents
  EXPECT_TRUE(MilliToMinor(499) == 0);
  EXPECT_TRUE(MilliToMinor(500) == 1);    // half up
  EXPECT_TRUE(MilliToMinor(1499) == 1);
  EXPECT_TRUE(MilliToMinor(1500) == 2);
  // Three trades of 0.5 cent each: sum of roundings would be 3, the exact sum 1.5 -> 2.
  MarketData md(kInst);
  Feeder f{md};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(f.Add(kT0 + i, 500, 1).ok());
  EXPECT_TRUE(md.candles(Interval::k1m)[0].notional_milli == 1500);
  EXPECT_EQ(NotionalMinor64(md.candles(Interval::k1m)[0].notional_milli).value(), 2);
}

TEST(MarketData, VwapIsExactAndRoundsHalfUp) {
  EXPECT_EQ(VwapOf(3'002'000, 3000), 1001);  // 1000.666.. -> 1001
  EXPECT_EQ(VwapOf(2001, 2), 1001);          // 1000.5 -> 1001
  EXPECT_EQ(VwapOf(3001, 3), 1000);          // 1000.33 -> 1000
  EXPECT_EQ(VwapOf(0, 0), std::nullopt);
  // Near the limits: 10^15 * (2*10^12 + 1) - 1 over 2*10^12 + 1 is 10^15 - tiny -> 10^15.
  Int128 q = 2 * kMaxQtyKg + 1;
  EXPECT_EQ(VwapOf(static_cast<Int128>(kMaxPrice) * q - 1, static_cast<int64_t>(q)), kMaxPrice);
  EXPECT_EQ(VwapOf(static_cast<Int128>(kMaxPrice) * q - q / 2 - 1, static_cast<int64_t>(q)),
            kMaxPrice - 1);

  MarketData md(kInst);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0, 1000, 1000).ok());
  ASSERT_TRUE(f.Add(kT0 + 1, 1001, 2000).ok());
  VwapResult s = md.SessionVwap();
  EXPECT_EQ(s.vwap, 1001);
  EXPECT_EQ(s.volume_kg, 3000);
  EXPECT_EQ(s.trades, 2);
  EXPECT_EQ(md.Stats().vwap, 1001);
}

TEST(MarketData, VwapWindowsExpireAndSessionRestarts) {
  MarketData md(kInst);  // configured windows: 5 min and 1 h
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0, 1000, 1000).ok());
  ASSERT_TRUE(f.Add(kT0 + 10 * kUsPerMinute, 2000, 1000).ok());
  ASSERT_TRUE(f.Add(kT0 + 14 * kUsPerMinute, 3000, 3000).ok());
  // 5 min window at +14 min: (9 min, 14 min] -> the trades at 10 and 14 min.
  auto v5 = md.Vwap(5 * kUsPerMinute);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ(v5->trades, 2);
  EXPECT_EQ(v5->vwap, 2750);  // (2,000,000 + 9,000,000) / 4000
  auto v60 = md.Vwap(kUsPerHour);
  EXPECT_EQ(v60->trades, 3);
  EXPECT_EQ(v60->vwap, 2400);  // 12,000,000 / 5000
  // A window that is not configured is scanned: 4 min -> only the trade at 14 min.
  auto v4 = md.Vwap(4 * kUsPerMinute);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->trades, 1);
  EXPECT_EQ(v4->vwap, 3000);
  // Exactly 4 min after the trade at 10 min, it leaves a 4 min window (ts <= now - 4 min).
  EXPECT_EQ(md.Vwap(4 * kUsPerMinute + 1)->trades, 2);
  EXPECT_EQ(md.Vwap(kUsPerDay + 1).error().code, Code::kInvalidField);
  EXPECT_EQ(md.Vwap(0).error().code, Code::kInvalidField);

  ASSERT_TRUE(md.AdvanceTime(kT0 + 19 * kUsPerMinute).ok());
  EXPECT_EQ(md.Vwap(5 * kUsPerMinute)->trades, 0);  // 14 min trade at exactly now - 5 min
  EXPECT_EQ(md.Vwap(5 * kUsPerMinute)->vwap, std::nullopt);
  EXPECT_EQ(md.Vwap(kUsPerHour)->trades, 3);

  md.StartSession();
  EXPECT_EQ(md.SessionVwap().vwap, std::nullopt);
  ASSERT_TRUE(f.Add(kT0 + 20 * kUsPerMinute, 1500, 10).ok());
  EXPECT_EQ(md.SessionVwap().vwap, 1500);
  EXPECT_EQ(md.SessionVwap().trades, 1);
}

TEST(MarketData, RollingStatsExpireAfter24Hours) {
  MarketData md(kInst);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0, 1000, 1000).ok());                          // open, and the high
  ASSERT_TRUE(f.Add(kT0 + kUsPerHour, 800, 1000).ok());               // the low
  ASSERT_TRUE(f.Add(kT0 + kUsPerDay - 1, 900, 2000).ok());
  RollingStats s = md.Stats();
  EXPECT_EQ(s.trades, 3);
  EXPECT_EQ(s.open, 1000);
  EXPECT_EQ(s.high, 1000);
  EXPECT_EQ(s.low, 800);
  EXPECT_EQ(s.last, 900);
  EXPECT_EQ(s.change, -100);
  EXPECT_EQ(s.change_bp, -1000);
  EXPECT_EQ(s.volume_kg, 4000);
  EXPECT_TRUE(s.notional_milli == 3'600'000);
  EXPECT_EQ(s.vwap, 900);

  // At exactly T0 + 24h the first trade (ts <= now - 24h) leaves; the high moves.
  ASSERT_TRUE(md.AdvanceTime(kT0 + kUsPerDay).ok());
  s = md.Stats();
  EXPECT_EQ(s.trades, 2);
  EXPECT_EQ(s.open, 800);
  EXPECT_EQ(s.high, 900);
  EXPECT_EQ(s.low, 800);
  EXPECT_EQ(s.change, 100);
  EXPECT_EQ(s.change_bp, 1250);
  EXPECT_EQ(s.volume_kg, 3000);
  EXPECT_EQ(s.as_of_us, kT0 + kUsPerDay);

  ASSERT_TRUE(md.AdvanceTime(kT0 + kUsPerDay + kUsPerHour).ok());  // the low leaves
  s = md.Stats();
  EXPECT_EQ(s.trades, 1);
  EXPECT_EQ(s.low, 900);
  EXPECT_EQ(s.high, 900);

  ASSERT_TRUE(md.AdvanceTime(kT0 + 2 * kUsPerDay).ok());
  s = md.Stats();
  EXPECT_EQ(s.trades, 0);
  EXPECT_EQ(s.open, std::nullopt);
  EXPECT_EQ(s.change, std::nullopt);
  EXPECT_EQ(s.vwap, std::nullopt);
  EXPECT_EQ(s.last, 900);  // the last price survives an empty window
  EXPECT_EQ(s.volume_kg, 0);
  EXPECT_TRUE(s.notional_milli == 0);
  EXPECT_EQ(md.AdvanceTime(kT0).error().code, Code::kInvalidField);  // time cannot go back
}

TEST(MarketData, ChangeBasisPointsTruncateTowardZero) {
  MarketData md(kInst);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0, 3, 1).ok());
  ASSERT_TRUE(f.Add(kT0 + 1, 4, 1).ok());
  EXPECT_EQ(md.Stats().change_bp, 3333);  // 1/3 = 3333.33 bp
  ASSERT_TRUE(f.Add(kT0 + 2, 2, 1).ok());
  EXPECT_EQ(md.Stats().change_bp, -3333);
  // The largest possible rise does not overflow: saturates only beyond int64.
  MarketData big(kInst);
  Feeder g{big};
  ASSERT_TRUE(g.Add(kT0, 1, 1).ok());
  ASSERT_TRUE(g.Add(kT0 + 1, kMaxPrice, 1).ok());
  EXPECT_EQ(big.Stats().change_bp, INT64_MAX);  // (10^15 - 1) * 10^4 > 2^63 - 1
}

TEST(MarketData, RefusedTradesChangeNothing) {
  MarketData md(kInst);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0 + 100, 1000, 1000).ok());
  auto code = [&](const Trade& t) { auto r = md.Apply(t); return r.ok() ? Code::kOk : r.error().code; };
  Trade good{kInst, TradeId{10}, kT0 + 200, 1000, 1000, Side::kSell, kNatureBased};
  Trade t = good;
  t.price = 0;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.price = kMaxPrice + 1;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.qty_kg = -5;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.qty_kg = kMaxQtyKg + 1;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.instrument = InstrumentId{8};
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.ts_us = kT0 + 99;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.ts_us = -1;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.id = TradeId{1};  // the id already applied
  EXPECT_EQ(code(t), Code::kConflict);
  t = good; t.categories = 0x80;
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.taker_side = static_cast<Side>(9);
  EXPECT_EQ(code(t), Code::kInvalidField);
  t = good; t.venue = static_cast<Venue>(7);
  EXPECT_EQ(code(t), Code::kInvalidField);
  EXPECT_EQ(md.lifetime_trades(), 1);
  EXPECT_EQ(md.candles(Interval::k1m).back().trades, 1);
  EXPECT_EQ(md.Stats().volume_kg, 1000);
  EXPECT_EQ(md.now_us(), kT0 + 100);
  EXPECT_EQ(code(good), Code::kOk);
  EXPECT_EQ(md.lifetime_trades(), 2);
}

TEST(MarketData, HugeNotionalStaysExactOrIsRefused) {
  MarketDataOptions o;
  // Allow 2.5 maximal trades of lifetime notional (10^27 milli each).
  o.max_lifetime_notional_milli = static_cast<Int128>(kMaxPrice) * kMaxQtyKg * 5 / 2;
  MarketData md(kInst, o);
  Feeder f{md};
  ASSERT_TRUE(f.Add(kT0, kMaxPrice, kMaxQtyKg).ok());
  ASSERT_TRUE(f.Add(kT0 + 1, kMaxPrice, kMaxQtyKg).ok());
  const Candle& c = md.candles(Interval::k1d).back();
  // 2 * 10^15 * 10^12 / 1000 = 2 * 10^24 minor units: exact, but beyond int64.
  EXPECT_EQ(FormatDecimal128(MilliToMinor(c.notional_milli), 0), "2000000000000000000000000");
  auto n64 = NotionalMinor64(c.notional_milli);
  ASSERT_FALSE(n64.ok());
  EXPECT_EQ(n64.error().code, Code::kOverflow);
  EXPECT_EQ(md.Stats().vwap, kMaxPrice);
  // The third would pass the cap: refused with kOverflow, nothing changed.
  auto r = f.Add(kT0 + 2, kMaxPrice, kMaxQtyKg);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kOverflow);
  EXPECT_EQ(md.lifetime_trades(), 2);
  EXPECT_EQ(md.candles(Interval::k1m).back().trades, 2);
  // The default cap is the 128-bit limit itself.
  EXPECT_TRUE(AddOverflows(kInt128Max - 5, 6));
  EXPECT_FALSE(AddOverflows(kInt128Max - 5, 5));
}

// Naive recomputation over every trade, for the random comparison.
struct Naive {
  std::vector<Trade> all;
  RollingStats Stats(int64_t now, int64_t window) const {
    RollingStats s;
    s.last = all.empty() ? std::nullopt : std::optional<int64_t>(all.back().price);
    for (const Trade& t : all) {
      if (t.ts_us <= now - window || t.ts_us > now) continue;
      if (!s.open) s.open = s.high = s.low = t.price;
      s.high = std::max(*s.high, t.price);
      s.low = std::min(*s.low, t.price);
      s.trades++;
      s.volume_kg += t.qty_kg;
      s.notional_milli += MilliNotional(t.price, t.qty_kg);
    }
    s.vwap = VwapOf(s.notional_milli, s.volume_kg);
    return s;
  }
  Candle CandleAt(Interval i, int64_t start) const {
    Candle c;
    c.start_us = start;
    for (const Trade& t : all) {
      if (t.ts_us < start || t.ts_us >= start + IntervalUs(i)) continue;
      if (c.trades == 0) c.open = c.high = c.low = t.price;
      c.high = std::max(c.high, t.price);
      c.low = std::min(c.low, t.price);
      c.close = t.price;
      c.volume_kg += t.qty_kg;
      c.notional_milli += MilliNotional(t.price, t.qty_kg);
      c.trades++;
    }
    return c;
  }
};

TEST(MarketData, RandomStreamMatchesNaiveRecomputation) {
  const uint32_t seed = 20261128;
  std::printf("seed %u\n", seed);
  std::mt19937_64 rng(seed);
  MarketData md(kInst);
  Naive naive;
  int64_t ts = kT0;
  int64_t price = 1500;
  for (int i = 1; i <= 30000; ++i) {
    // Gaps from 0 to ~40 min: ~2 weeks in all, many expiries and candle boundaries.
    ts += static_cast<int64_t>(rng() % (40 * kUsPerMinute)) * (rng() % 4 == 0 ? 0 : 1);
    price = std::max<int64_t>(1, price + static_cast<int64_t>(rng() % 201) - 100);
    Trade t{kInst, TradeId{i}, ts, price, 1 + static_cast<int64_t>(rng() % 5'000'000),
            rng() % 2 ? Side::kBuy : Side::kSell, 0};
    ASSERT_TRUE(md.Apply(t).ok());
    naive.all.push_back(t);
    if (i % 97 == 0) {
      RollingStats a = md.Stats(), b = naive.Stats(ts, kUsPerDay);
      ASSERT_EQ(a.trades, b.trades) << i;
      ASSERT_EQ(a.open, b.open) << i;
      ASSERT_EQ(a.high, b.high) << i;
      ASSERT_EQ(a.low, b.low) << i;
      ASSERT_EQ(a.last, b.last) << i;
      ASSERT_EQ(a.volume_kg, b.volume_kg) << i;
      ASSERT_TRUE(a.notional_milli == b.notional_milli) << i;
      ASSERT_EQ(a.vwap, b.vwap) << i;
      for (int64_t w : {5 * kUsPerMinute, kUsPerHour, 3 * kUsPerHour}) {
        RollingStats n = naive.Stats(ts, w);
        auto v = md.Vwap(w);
        ASSERT_TRUE(v.ok());
        ASSERT_EQ(v->trades, n.trades) << i << " w=" << w;
        ASSERT_EQ(v->vwap, n.vwap) << i << " w=" << w;
      }
      for (Interval iv : kIntervals) {
        const Candle& c = md.candles(iv).back();
        Candle n = naive.CandleAt(iv, c.start_us);
        ASSERT_EQ(c.start_us, ts - ts % IntervalUs(iv));
        ASSERT_EQ(c.open, n.open);
        ASSERT_EQ(c.high, n.high);
        ASSERT_EQ(c.low, n.low);
        ASSERT_EQ(c.close, n.close);
        ASSERT_EQ(c.volume_kg, n.volume_kg);
        ASSERT_TRUE(c.notional_milli == n.notional_milli);
        ASSERT_EQ(c.trades, n.trades);
      }
      // An advance without trades expires the same way as the naive window.
      int64_t later = ts + static_cast<int64_t>(rng() % (2 * kUsPerHour));
      ASSERT_TRUE(md.AdvanceTime(later).ok());
      ts = later;
      RollingStats c = md.Stats(), d = naive.Stats(ts, kUsPerDay);
      ASSERT_EQ(c.trades, d.trades);
      ASSERT_EQ(c.high, d.high);
      ASSERT_EQ(c.low, d.low);
      ASSERT_EQ(c.vwap, d.vwap);
    }
  }
  EXPECT_GT(md.candles(Interval::k1d).size(), 2u);
}

TEST(MarketData, RecentTradesAreBounded) {
  MarketDataOptions o;
  o.max_recent_trades = 3;
  MarketData md(kInst, o);
  Feeder f{md};
  EXPECT_TRUE(md.RecentTrades().empty());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(f.Add(kT0 + i, 1000 + i, 1).ok());
  auto r = md.RecentTrades();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].price, 1002);
  EXPECT_EQ(r[2].price, 1004);
  r = md.RecentTrades(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, TradeId{4});
}

TEST(Ring, WrapsAndGrowsInOrder) {
  Ring<int> q;
  int next_in = 0, next_out = 0;
  std::mt19937 rng(5);
  for (int step = 0; step < 10000; ++step) {
    if (q.empty() || rng() % 3 != 0) {
      q.push_back(next_in++);
    } else {
      ASSERT_EQ(q.front(), next_out++);
      q.pop_front();
    }
    ASSERT_EQ(q.size(), static_cast<size_t>(next_in - next_out));
    if (!q.empty()) {
      ASSERT_EQ(q.back(), next_in - 1);
      ASSERT_EQ(q[q.size() / 2], next_out + static_cast<int>(q.size() / 2));
    }
  }
}

TEST(MarketData, IntervalNames) {
  EXPECT_EQ(ParseInterval("5m").value(), Interval::k5m);
  EXPECT_EQ(ParseInterval("1d").value(), Interval::k1d);
  EXPECT_EQ(ParseInterval("2h").error().code, Code::kInvalidField);
  EXPECT_EQ(IntervalUs(Interval::k1h), 3'600'000'000);
}

// Issue 9: on-chain fills have their own id space; they feed the same candles.
TEST(MarketData, VenuesHaveSeparateIdSpacesAndShareCandles) {
  MarketData md(InstrumentId{1});
  Trade ex{InstrumentId{1}, TradeId{50}, kT0, 1000, 1000, Side::kBuy, 0};
  ASSERT_TRUE(md.Apply(ex).ok());
  Trade oc{InstrumentId{1}, TradeId{1}, kT0 + 10, 1200, 500, Side::kBuy, 0, Venue::kOnchain};
  ASSERT_TRUE(md.Apply(oc).ok());  // id 1 < 50, but another venue
  Trade dup = oc;
  dup.ts_us = kT0 + 20;
  EXPECT_EQ(md.Apply(dup).error().code, Code::kConflict);  // same venue, same id
  Trade ex2{InstrumentId{1}, TradeId{51}, kT0 + 30, 1100, 500, Side::kSell, 0};
  ASSERT_TRUE(md.Apply(ex2).ok());
  const Candle& c = md.candles(Interval::k1m).back();
  EXPECT_EQ(c.trades, 3);
  EXPECT_EQ(c.high, 1200);
  EXPECT_EQ(c.volume_kg, 2000);
  auto recent = md.RecentTrades();
  ASSERT_EQ(recent.size(), 3U);
  EXPECT_EQ(recent[1].venue, Venue::kOnchain);
}

}  // namespace
}  // namespace cx::marketdata
