#include "models/volatility.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cx::ml {
namespace {
std::vector<double> SimulateGarch(double omega, double alpha, double beta, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::vector<double> r;
  double v = omega / (1 - alpha - beta);
  for (size_t t = 0; t < n; ++t) {
    const double x = std::sqrt(v) * z(rng);
    r.push_back(x);
    v = omega + alpha * x * x + beta * v;
  }
  return r;
}
}  // namespace

TEST(Ewma, HandComputedRecursion) {
  std::vector<double> r = {0.01, -0.02, 0.03};
  auto v = EwmaVariance(r, 0.9);
  const double v0 = (1e-4 + 4e-4 + 9e-4) / 3;
  EXPECT_NEAR(v[0], v0, 1e-18);
  EXPECT_NEAR(v[1], 0.9 * v0 + 0.1 * 1e-4, 1e-18);
  EXPECT_NEAR(v[3], 0.9 * (0.9 * (0.9 * v0 + 0.1 * 1e-4) + 0.1 * 4e-4) + 0.1 * 9e-4, 1e-18);
}

TEST(RollingVariance, MeanOfSquaresOverTheWindow) {
  std::vector<double> r = {1, 2, 3, 4};
  auto v = RollingVariance(r, 2);
  EXPECT_TRUE(std::isnan(v[1]));
  EXPECT_DOUBLE_EQ(v[2], 2.5);
  EXPECT_DOUBLE_EQ(v[4], 12.5);
  EXPECT_DOUBLE_EQ(RealizedVol(r, 2)[4], std::sqrt(12.5));
}

TEST(Garch, MaximumLikelihoodRecoversSimulatedParameters) {
  auto r = SimulateGarch(2e-6, 0.08, 0.90, 8000, 42);
  auto p = FitGarch11(r);
  ASSERT_TRUE(p.ok());
  EXPECT_NEAR(p->alpha, 0.08, 0.025);
  EXPECT_NEAR(p->beta, 0.90, 0.03);
  EXPECT_NEAR(p->unconditional_variance(), 2e-6 / 0.02, 0.3 * 2e-6 / 0.02);
  auto t = FitGarch11(r, false, true);  // Student-t on Gaussian data: nu runs large
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->alpha + t->beta, 0.98, 0.03);
  EXPECT_GT(t->nu, 15);
}

TEST(Garch, ForecastRevertsToTheUnconditionalVariance) {
  GarchParams p{0, 1e-6, 0.1, 0.85, 0, 0};
  const double u = p.unconditional_variance();
  EXPECT_NEAR(GarchForecast(p, 5 * u, 1), 5 * u, 1e-18);
  EXPECT_NEAR(GarchForecast(p, 5 * u, 2), u + 0.95 * 4 * u, 1e-15);
  EXPECT_NEAR(GarchForecast(p, 5 * u, 2000), u, 1e-12);
  auto v = GarchFilter(p, std::vector<double>{0.01});
  EXPECT_NEAR(v[1], 1e-6 + 0.1 * 1e-4 + 0.85 * v[0], 1e-18);
}

TEST(Garch, AZeroReturnIsAStaleDayThatLeavesTheVarianceUnchanged) {
  GarchParams p{0, 1e-6, 0.1, 0.85, 0, 0};
  auto v = GarchFilter(p, std::vector<double>{0.01, 0.0, 0.0, -0.02});
  EXPECT_EQ(v[2], v[1]);
  EXPECT_EQ(v[3], v[1]);
  EXPECT_NEAR(v[4], 1e-6 + 0.1 * 4e-4 + 0.85 * v[1], 1e-18);
  EXPECT_EQ(GarchStep(p, 0.0, 3e-4), 3e-4);
  // The fit ignores stale days: inserting zeros between the returns of a simulated
  // series leaves the estimates (nearly: only the start-up variance moves) where they were.
  auto r = SimulateGarch(2e-6, 0.08, 0.90, 3000, 5);
  std::vector<double> with_zeros;
  for (size_t i = 0; i < r.size(); ++i) {
    with_zeros.push_back(r[i]);
    if (i % 10 == 0) with_zeros.push_back(0.0);
  }
  auto a = FitGarch11(r, false, true), b = FitGarch11(with_zeros, false, true);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(a->alpha, b->alpha, 2e-3);
  EXPECT_NEAR(a->beta, b->beta, 2e-3);
  EXPECT_NEAR(a->omega / b->omega, 1.0, 0.02);
}

TEST(Garch, TooFewReturnsIsAnError) {
  auto p = FitGarch11(std::vector<double>(10, 0.01));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Code::kInvalidField);
}

TEST(VolatilitySummary, ForecastsRevertTowardsTheLongRunLevel) {
  auto r = SimulateGarch(2e-6, 0.08, 0.90, 3000, 9);
  std::vector<double> p = {100};
  for (double x : r) p.push_back(p.back() * std::exp(x));
  auto s = SummarizeVolatility(p);
  ASSERT_TRUE(s.ok());
  const double lr = std::sqrt(s->garch.unconditional_variance());
  // The 20-day average lies between the next-day value and the long-run level.
  EXPECT_LE(std::min(s->garch_next, lr) - 1e-12, s->garch_20);
  EXPECT_GE(std::max(s->garch_next, lr) + 1e-12, s->garch_20);
  EXPECT_NEAR(s->ewma, s->garch_next, 0.5 * s->garch_next);
  EXPECT_FALSE(SummarizeVolatility(std::vector<double>(10, 1.0)).ok());
}

TEST(Qlike, ZeroForAPerfectForecastAndAsymmetric) {
  EXPECT_DOUBLE_EQ(Qlike(2.0, 2.0), 0.0);
  EXPECT_GT(Qlike(2.0, 1.0), Qlike(2.0, 4.0));  // under-prediction costs more
}

}  // namespace cx::ml
