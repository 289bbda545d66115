// CategoryIndex: hand-computed volume weighting per category, constituents and weights,
// rolling-window expiry, refusals, and a seeded random comparison with a naive scan.
#include "marketdata/index.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

namespace cx::marketdata {
namespace {

constexpr int64_t kT0 = 1'699'920'000'000'000;
Trade T(int64_t inst, int64_t id, int64_t ts, int64_t price, int64_t qty, uint8_t flags) {
  return Trade{InstrumentId{inst}, TradeId{id}, ts, price, qty, Side::kBuy, flags};
}

TEST(CategoryIndex, WeightsByVolumePerCategory) {
  IndexOptions o;
  o.window_us = kUsPerHour;
  CategoryIndex idx(o);
  // 1: nature-based; 2: technical removal; 3: nature-based removal.
  ASSERT_TRUE(idx.Apply(T(1, 1, kT0, 1000, 2000, kNatureBased)).ok());
  ASSERT_TRUE(idx.Apply(T(2, 1, kT0 + 10, 3000, 1000, kTechnical | kRemoval)).ok());
  ASSERT_TRUE(idx.Apply(T(3, 1, kT0 + 20, 2000, 1000, kNatureBased | kRemoval)).ok());

  IndexValue all = idx.Value(IndexCategory::kAll);
  EXPECT_EQ(all.value, 1750);  // (2,000,000 + 3,000,000 + 2,000,000) / 4000
  EXPECT_EQ(all.volume_kg, 4000);
  EXPECT_EQ(all.trades, 3);
  ASSERT_EQ(all.constituents.size(), 3u);
  EXPECT_EQ(all.constituents[0].weight_bp, 5000);
  EXPECT_EQ(all.constituents[1].weight_bp, 2500);
  EXPECT_EQ(all.constituents[2].weight_bp, 2500);

  IndexValue nature = idx.Value(IndexCategory::kNatureBased);
  EXPECT_EQ(nature.value, 1333);  // 4,000,000 / 3000 = 1333.33
  ASSERT_EQ(nature.constituents.size(), 2u);
  EXPECT_EQ(nature.constituents[0].instrument, InstrumentId{1});
  EXPECT_EQ(nature.constituents[0].weight_bp, 6666);  // 2/3 truncated
  EXPECT_EQ(nature.constituents[0].vwap, 1000);
  EXPECT_EQ(nature.constituents[1].instrument, InstrumentId{3});
  EXPECT_EQ(nature.constituents[1].weight_bp, 3333);

  IndexValue tech = idx.Value(IndexCategory::kTechnical);
  EXPECT_EQ(tech.value, 3000);
  ASSERT_EQ(tech.constituents.size(), 1u);
  EXPECT_EQ(tech.constituents[0].weight_bp, 10000);

  IndexValue rem = idx.Value(IndexCategory::kRemoval);
  EXPECT_EQ(rem.value, 2500);  // 5,000,000 / 2000
  EXPECT_EQ(rem.volume_kg, 2000);
  EXPECT_TRUE(rem.notional_milli == 5'000'000);
  ASSERT_EQ(rem.constituents.size(), 2u);
  EXPECT_EQ(rem.constituents[0].instrument, InstrumentId{2});
}

TEST(CategoryIndex, OldTradesLeaveTheWindowAndTheConstituents) {
  IndexOptions o;
  o.window_us = kUsPerHour;
  CategoryIndex idx(o);
  ASSERT_TRUE(idx.Apply(T(1, 1, kT0, 1000, 2000, kNatureBased)).ok());
  ASSERT_TRUE(idx.Apply(T(3, 1, kT0 + kUsPerMinute, 2000, 1000, kNatureBased)).ok());
  ASSERT_TRUE(idx.AdvanceTime(kT0 + kUsPerHour).ok());  // the first trade leaves
  IndexValue v = idx.Value(IndexCategory::kNatureBased);
  EXPECT_EQ(v.value, 2000);
  EXPECT_EQ(v.trades, 1);
  ASSERT_EQ(v.constituents.size(), 1u);
  EXPECT_EQ(v.constituents[0].instrument, InstrumentId{3});
  EXPECT_EQ(v.constituents[0].weight_bp, 10000);
  ASSERT_TRUE(idx.AdvanceTime(kT0 + kUsPerHour + kUsPerMinute).ok());
  v = idx.Value(IndexCategory::kNatureBased);
  EXPECT_EQ(v.value, std::nullopt);
  EXPECT_TRUE(v.constituents.empty());
  EXPECT_EQ(v.volume_kg, 0);
  EXPECT_EQ(idx.Value(IndexCategory::kTechnical).value, std::nullopt);  // never traded
}

TEST(CategoryIndex, RefusalsChangeNothing) {
  CategoryIndex idx;
  ASSERT_TRUE(idx.Apply(T(1, 1, kT0 + 100, 1000, 10, kRemoval)).ok());
  EXPECT_EQ(idx.Apply(T(1, 2, kT0 + 99, 1000, 10, kRemoval)).error().code, Code::kInvalidField);
  EXPECT_EQ(idx.Apply(T(1, 2, kT0 + 200, 0, 10, kRemoval)).error().code, Code::kInvalidField);
  EXPECT_EQ(idx.Apply(T(0, 2, kT0 + 200, 10, 10, kRemoval)).error().code, Code::kInvalidField);
  EXPECT_EQ(idx.AdvanceTime(kT0).error().code, Code::kInvalidField);
  EXPECT_EQ(idx.Value(IndexCategory::kAll).trades, 1);
  EXPECT_EQ(idx.now_us(), kT0 + 100);
  EXPECT_EQ(ParseIndexCategory("removal").value(), IndexCategory::kRemoval);
  EXPECT_EQ(ParseIndexCategory("geo").error().code, Code::kInvalidField);
}

TEST(CategoryIndex, RandomStreamMatchesNaiveScan) {
  const uint32_t seed = 777;
  std::printf("seed %u\n", seed);
  std::mt19937_64 rng(seed);
  IndexOptions o;
  o.window_us = 6 * kUsPerHour;
  CategoryIndex idx(o);
  std::vector<Trade> all;
  int64_t ts = kT0;
  const uint8_t flags[6] = {kNatureBased, kTechnical, kNatureBased | kRemoval,
                            kTechnical | kRemoval, 0, kNatureBased};
  for (int i = 1; i <= 20000; ++i) {
    ts += static_cast<int64_t>(rng() % (3 * kUsPerMinute));
    int64_t inst = 1 + static_cast<int64_t>(rng() % 6);
    Trade t = T(inst, i, ts, 500 + static_cast<int64_t>(rng() % 3000),
                1 + static_cast<int64_t>(rng() % 100'000), flags[inst - 1]);
    ASSERT_TRUE(idx.Apply(t).ok());
    all.push_back(t);
    if (i % 211 != 0) continue;
    for (IndexCategory c : kIndexCategories) {
      std::map<int64_t, std::pair<int64_t, Int128>> per;  // instrument -> (kg, pq)
      int64_t kg = 0;
      Int128 pq = 0;
      for (const Trade& x : all) {
        if (x.ts_us <= ts - o.window_us || !InCategory(x.categories, c)) continue;
        kg += x.qty_kg;
        pq += MilliNotional(x.price, x.qty_kg);
        per[x.instrument.value()].first += x.qty_kg;
        per[x.instrument.value()].second += MilliNotional(x.price, x.qty_kg);
      }
      IndexValue v = idx.Value(c);
      ASSERT_EQ(v.volume_kg, kg);
      ASSERT_TRUE(v.notional_milli == pq);
      ASSERT_EQ(v.value, VwapOf(pq, kg));
      ASSERT_EQ(v.constituents.size(), per.size());
      size_t k = 0;
      for (const auto& [id, s] : per) {
        ASSERT_EQ(v.constituents[k].instrument.value(), id);
        ASSERT_EQ(v.constituents[k].volume_kg, s.first);
        ASSERT_EQ(v.constituents[k].weight_bp, s.first * 10000 / kg);
        ++k;
      }
    }
  }
}

}  // namespace
}  // namespace cx::marketdata
