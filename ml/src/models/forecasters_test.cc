#include "models/forecasters.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/gbt.h"

namespace cx::ml {
namespace {

std::vector<double> PricesFromReturns(const std::vector<double>& r, double p0 = 100) {
  std::vector<double> p = {p0};
  for (double x : r) p.push_back(p.back() * std::exp(x));
  return p;
}

// x_t = c + phi1 x_{t-1} + phi2 x_{t-2} + e_t, seeded.
std::vector<double> SimulateAr2(double c, double phi1, double phi2, double sd, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> e(0, sd);
  std::vector<double> x = {0, 0};
  for (size_t t = 2; t < n + 2; ++t) x.push_back(c + phi1 * x[t - 1] + phi2 * x[t - 2] + e(rng));
  return std::vector<double>(x.begin() + 2, x.end());
}

}  // namespace

TEST(Naive, ForecastsTheLastPriceAtEveryHorizon) {
  NaiveForecaster m;
  std::vector<double> p = {1, 2, 3.5};
  ASSERT_TRUE(m.Fit(p).ok());
  EXPECT_EQ(m.Predict(p, 1), 3.5);
  EXPECT_EQ(m.Predict(p, 20), 3.5);
}

TEST(Drift, RecoversTheGrowthRateOfAGeometricSeries) {
  std::vector<double> p;
  for (int i = 0; i < 50; ++i) p.push_back(10 * std::exp(0.02 * i));
  DriftForecaster m;
  ASSERT_TRUE(m.Fit(p).ok());
  EXPECT_NEAR(m.mu(), 0.02, 1e-12);
  EXPECT_NEAR(m.Predict(p, 5), 10 * std::exp(0.02 * 54), 1e-9);
}

TEST(Forecasters, RejectBadPrices) {
  DriftForecaster m;
  auto r = m.Fit(std::vector<double>{1, -2, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  auto u = MakeForecaster("prophet", {1});
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, Code::kInvalidField);
}

TEST(Holt, HandComputedDampedTrendForecast) {
  // Exact log-linear trend; alpha = beta = 1 makes level = y_t and trend = y_t - y_{t-1}
  // after the first steps, so the h-step forecast is y_T + (phi + ... + phi^h) * 0.01.
  std::vector<double> p;
  for (int i = 0; i < 30; ++i) p.push_back(std::exp(std::log(100.0) + 0.01 * i));
  HoltForecaster m;
  m.SetParams(1.0, 1.0, 0.9);
  const double damp = 0.9 + 0.81 + 0.729;
  EXPECT_NEAR(std::log(m.Predict(p, 3)), std::log(p.back()) + damp * 0.01, 1e-12);
}

TEST(Holt, FitTracksALinearTrend) {
  std::vector<double> p;
  for (int i = 0; i < 300; ++i) p.push_back(std::exp(1.0 + 0.005 * i));
  HoltForecaster m;
  ASSERT_TRUE(m.Fit(p).ok());
  const double truth = std::exp(1.0 + 0.005 * 300);
  EXPECT_NEAR(m.Predict(p, 1) / truth, 1.0, 2e-4);
  EXPECT_GT(m.beta(), 0.0);
}

TEST(Ar, OlsRecoversAKnownAr2Process) {
  auto x = SimulateAr2(0.0005, 0.5, -0.3, 0.01, 6000, 7);
  auto f = FitArOls(x, 2);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->phi[0], 0.5, 0.03);
  EXPECT_NEAR(f->phi[1], -0.3, 0.03);
  EXPECT_NEAR(f->c, 0.0005, 0.0003);
  EXPECT_NEAR(std::sqrt(f->sigma2), 0.01, 0.0005);
}

TEST(Ar, AicPicksTheTrueOrderAndForecastsByRecursion) {
  auto x = SimulateAr2(0.0, 0.5, -0.3, 0.01, 6000, 11);
  auto p = PricesFromReturns(x);
  ArForecaster m(6, 0, 100000);
  ASSERT_TRUE(m.Fit(p).ok());
  EXPECT_EQ(m.order(), 2);
  // Hand recursion for h = 2 from the last two returns.
  const double r1 = std::log(p[p.size() - 1] / p[p.size() - 2]);
  const double r0 = std::log(p[p.size() - 2] / p[p.size() - 3]);
  const auto& phi = m.coefficients();
  const double f1 = m.intercept() + phi[0] * r1 + phi[1] * r0;
  const double f2 = m.intercept() + phi[0] * f1 + phi[1] * r1;
  EXPECT_NEAR(m.Predict(p, 2), p.back() * std::exp(f1 + f2), 1e-9);
}

TEST(Ar, TooShortSeriesIsAnError) {
  auto f = FitArOls(std::vector<double>{0.1, 0.2, 0.3}, 2);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, Code::kInvalidField);
}

TEST(Gbt, LearnsMeanReversionOutOfSampleAndRoundTrips) {
  // Returns that strongly revert: r_t = -0.6 r_{t-1} + noise. The trees see ret_1.
  auto x = SimulateAr2(0.0, -0.6, 0.0, 0.01, 1800, 3);
  auto p = PricesFromReturns(x);
  std::span<const double> train(p.data(), 1500);
  GbtForecaster m({1});
  ASSERT_TRUE(m.Fit(train).ok());
  double err_gbt = 0, err_naive = 0;
  for (size_t t = 1500; t + 1 < p.size(); ++t) {
    std::span<const double> past(p.data(), t + 1);
    err_gbt += std::fabs(p[t + 1] - m.Predict(past, 1));
    err_naive += std::fabs(p[t + 1] - p[t]);
  }
  EXPECT_LT(err_gbt, 0.95 * err_naive);
  GbtForecaster back({});
  ASSERT_TRUE(back.Restore(m.State()).ok());
  std::span<const double> past(p.data(), 1700);
  EXPECT_DOUBLE_EQ(back.Predict(past, 1), m.Predict(past, 1));
  // A horizon it was not fitted for falls back to naive.
  EXPECT_DOUBLE_EQ(m.Predict(past, 5), past.back());
}

TEST(Gbt, FeaturesUseOnlyThePast) {
  auto x = SimulateAr2(0.0, 0.1, 0.0, 0.01, 200, 5);
  auto p = PricesFromReturns(x);
  auto f1 = GbtFeatures(p, 120);
  auto q = p;
  for (size_t i = 121; i < q.size(); ++i) q[i] *= 3;  // change the future only
  EXPECT_EQ(f1, GbtFeatures(q, 120));
}

}  // namespace cx::ml
