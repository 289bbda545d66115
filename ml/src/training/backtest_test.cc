#include "training/backtest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "training/evaluation.h"

namespace cx::ml {
namespace {
std::vector<double> RandomWalk(size_t n, double sd, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, sd);
  std::vector<double> p = {50};
  for (size_t i = 1; i < n; ++i) p.push_back(p.back() * std::exp(z(rng)));
  return p;
}
BacktestOptions Small() {
  BacktestOptions o;
  o.horizons = {1, 5};
  o.models = {"naive", "drift", "holt", "ar"};
  o.min_train = 150;
  return o;
}
}  // namespace

TEST(Backtest, NaiveIsItsOwnBaselineAndEnsembleStaysNearIt) {
  auto p = RandomWalk(700, 0.02, 1);
  auto r = RunBacktest(p, Small());
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const auto& m : r->metrics) {
    if (m.model == "naive") {
      EXPECT_DOUBLE_EQ(m.mase, 1.0);
    }
    if (m.model == "ensemble") {
      EXPECT_NEAR(m.mase, 1.0, 0.03) << m.horizon;
    }
    EXPECT_GT(m.n, 400u);
  }
}

TEST(Backtest, NoLookAhead) {
  // Forecasts made at an origin must not change when later prices change.
  auto p = RandomWalk(600, 0.02, 2);
  auto q = p;
  for (size_t i = 450; i < q.size(); ++i) q[i] *= 1.5;
  auto a = RunBacktest(p, Small());
  auto b = RunBacktest(q, Small());
  ASSERT_TRUE(a.ok() && b.ok());
  size_t compared = 0;
  for (const auto& x : a->path) {
    if (x.origin + x.horizon >= 449) continue;  // outcome known before the change
    for (const auto& y : b->path)
      if (y.origin == x.origin && y.horizon == x.horizon) {
        EXPECT_DOUBLE_EQ(x.forecast, y.forecast);
        EXPECT_DOUBLE_EQ(x.lo, y.lo);
        ++compared;
      }
  }
  EXPECT_GT(compared, 300u);
}

TEST(Backtest, IntervalsCoverAboutTheirLevelOnIidReturns) {
  auto p = RandomWalk(1500, 0.015, 3);
  auto o = Small();
  o.models = {"naive", "drift"};
  auto r = RunBacktest(p, o);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->coverage.at(1), 0.8, 0.04);
  EXPECT_NEAR(r->coverage.at(5), 0.8, 0.06);
}

TEST(Backtest, RejectsShortSeriesAndMissingBaseline) {
  auto p = RandomWalk(100, 0.02, 4);
  auto r = RunBacktest(p, Small());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  auto o = Small();
  o.models = {"drift"};
  EXPECT_FALSE(RunBacktest(RandomWalk(700, 0.02, 4), o).ok());
}

TEST(Backtest, DefaultOptionsTrainOnTheShortestSeriesTheServerAccepts) {
  EXPECT_EQ(DefaultBacktestOptions(3356).min_train, 250u);
  EXPECT_EQ(DefaultBacktestOptions(161).min_train, 81u);  // 161 - 20 - 20 - 40
  EXPECT_EQ(DefaultBacktestOptions(50).min_train, 30u);
  auto p = RandomWalk(kMinTrainingPrices, 0.02, 7);
  BacktestOptions o = DefaultBacktestOptions(p.size());
  o.models = {"naive", "drift", "holt", "ar"};  // the trees are dropped this short anyway
  auto r = RunBacktest(p, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (int h : {1, 5, 20}) EXPECT_EQ(r->last_weights.count(h), 1u) << h;
  // Even at 20 days ahead the ensemble is scored on 20+ walk-forward origins.
  for (const auto& m : r->metrics) {
    if (m.model == "ensemble") {
      EXPECT_GE(m.n, 20u) << m.horizon;
    }
  }
}

TEST(Weights, InverseMseByHandAndGate) {
  std::map<std::string, std::vector<double>> e = {{"naive", {1, -1}}, {"a", {2, -2}}, {"b", {0.5, -0.5}}};
  auto w = InverseMseWeights(e);  // 1/1, 1/4, 1/0.25 -> 1 : 0.25 : 4
  EXPECT_NEAR(w["naive"], 1 / 5.25, 1e-12);
  EXPECT_NEAR(w["a"], 0.25 / 5.25, 1e-12);
  EXPECT_NEAR(w["b"], 4 / 5.25, 1e-12);
  // Gated: "a" is worse than naive and drops out; "b" is consistently better.
  std::map<std::string, std::vector<double>> g = {{"naive", {1, -1, 1, -1, 1, -1.2}},
                                                  {"a", {2, -2, 2, -2, 2, -2.1}},
                                                  {"b", {0.5, -0.4, 0.5, -0.5, 0.6, -0.5}}};
  auto wg = InverseMseWeights(g, WeightGate{true, "naive", -1.2816, 0});
  EXPECT_EQ(wg["a"], 0.0);
  EXPECT_GT(wg["b"], wg["naive"]);
}

TEST(Weights, DieboldMarianoSign) {
  std::vector<double> good = {0.1, -0.2, 0.1, 0.1, -0.1, 0.2}, bad = {1, -1, 2, 1, -1, 1};
  EXPECT_LT(DieboldMariano(good, bad, 0), -2);
  EXPECT_GT(DieboldMariano(bad, good, 1), 2);
}

TEST(Evaluation, VarExceedanceRateOnIidNormalIsNearOnePercent) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z(0, 0.01);
  std::vector<double> r(20000);
  for (auto& x : r) x = z(rng);
  auto b = BacktestHistoricalVar(r, 250, 0.99);
  ASSERT_TRUE(b.ok());
  EXPECT_NEAR(b->rate, 0.01, 0.003);
}

TEST(Evaluation, GarchBeatsRollingVarianceOnAGarchProcess) {
  std::mt19937_64 rng(6);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> r;
  double v = 1e-4;
  for (int t = 0; t < 2000; ++t) {
    const double x = std::sqrt(v) * z(rng);
    r.push_back(x);
    v = 2e-6 + 0.1 * x * x + 0.88 * v;
  }
  auto ev = EvaluateVolatility(r, 500, 100);
  ASSERT_TRUE(ev.ok());
  // QLIKE carries a large term common to both forecasts (-log r^2), so ratios sit
  // near 1 even for a clearly better forecast.
  EXPECT_LT(ev->qlike_garch, ev->qlike_rolling);
  EXPECT_LT(ev->ratio, 0.99);
  EXPECT_NEAR(ev->last.alpha + ev->last.beta, 0.98, 0.04);
}

}  // namespace cx::ml
