#include "models/trend.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cx::ml {

TEST(Trend, MovingAverageAndMomentum) {
  std::vector<double> p = {1, 2, 3, 4, 5};
  auto ma = MovingAverage(p, 3);
  EXPECT_TRUE(std::isnan(ma[1]));
  EXPECT_DOUBLE_EQ(ma[2], 2.0);
  EXPECT_DOUBLE_EQ(ma[4], 4.0);
  auto m = Momentum(p, 2);
  EXPECT_DOUBLE_EQ(m[4], 5.0 / 3.0 - 1);
}

TEST(Trend, RegimesFollowTheMovingAverages) {
  std::vector<double> up, down, flat;
  for (int i = 0; i < 80; ++i) {
    up.push_back(100 * std::exp(0.01 * i));
    down.push_back(100 * std::exp(-0.01 * i));
    flat.push_back(100 + (i % 2 ? 0.1 : -0.1));
  }
  EXPECT_EQ(MaRegimes(up)[10], Regime::kUnknown);
  EXPECT_EQ(MaRegimes(up).back(), Regime::kUp);
  EXPECT_EQ(MaRegimes(down).back(), Regime::kDown);
  EXPECT_EQ(MaRegimes(flat).back(), Regime::kSideways);
  EXPECT_EQ(RegimeName(Regime::kSideways), "sideways");
}

TEST(Trend, DrawdownFromTheRunningPeak) {
  std::vector<double> p = {10, 12, 9, 11, 6, 13};
  auto d = Drawdown(p);
  EXPECT_DOUBLE_EQ(d[2], 9.0 / 12 - 1);
  EXPECT_DOUBLE_EQ(d[4], 0.5 - 1);
  EXPECT_DOUBLE_EQ(d[5], 0.0);
  EXPECT_DOUBLE_EQ(MaxDrawdown(p), -0.5);
}

TEST(Trend, ReferenceIndexRebases) {
  std::vector<double> p = {20, 25, 10};
  auto ix = ReferenceIndex(p, 1);
  ASSERT_EQ(ix.size(), 3u);
  EXPECT_DOUBLE_EQ(ix[0], 80.0);
  EXPECT_DOUBLE_EQ(ix[1], 100.0);
  EXPECT_DOUBLE_EQ(ix[2], 40.0);
  EXPECT_TRUE(ReferenceIndex(p, 3).empty());
}

TEST(Liquidity, HandComputedSpreadDepthTurnover) {
  std::vector<QuoteSnapshot> q = {{0, 990, 1010, 5000, 7000}, {1, 0, 1000, 0, 1000}};
  std::vector<TradePrint> t = {{0, 1000, 2500}, {1, 1010, 1000}};
  auto l = ComputeLiquidity(q, t);
  EXPECT_NEAR(l.mean_spread_bps, 200.0, 1e-9);  // 20 cents on a 1000-cent mid
  EXPECT_DOUBLE_EQ(l.mean_depth_kg, 6500.0);
  EXPECT_EQ(l.turnover_cents, 2500 + 1010);
  EXPECT_EQ(l.volume_kg, 3500);
  EXPECT_EQ(l.trades, 2u);
}

}  // namespace cx::ml
