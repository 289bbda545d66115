#include "utils/stats.h"

#include <gtest/gtest.h>

#include <cmath>

#include "utils/optimize.h"

namespace cx::ml {

TEST(Stats, LogReturnsOfKnownPrices) {
  std::vector<double> p = {100, 110, 99};
  auto r = LogReturns(p);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NEAR(r[0], std::log(1.1), 1e-15);
  EXPECT_NEAR(r[1], std::log(0.9), 1e-15);
}

TEST(Stats, QuantileMatchesNumpyType7) {
  // numpy.quantile([1,2,3,4,10], [0.1, 0.5, 0.9]) = [1.4, 3.0, 7.6]
  std::vector<double> x = {10, 3, 1, 4, 2};
  EXPECT_NEAR(Quantile(x, 0.1), 1.4, 1e-12);
  EXPECT_NEAR(Quantile(x, 0.5), 3.0, 1e-12);
  EXPECT_NEAR(Quantile(x, 0.9), 7.6, 1e-12);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
}

TEST(Stats, SampleVarianceUsesNMinusOne) {
  std::vector<double> x = {2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, sum sq dev 32
  EXPECT_NEAR(Mean(x), 5.0, 1e-15);
  EXPECT_NEAR(Variance(x), 32.0 / 7.0, 1e-12);
  EXPECT_TRUE(std::isnan(Variance(std::vector<double>{1.0})));
}

TEST(NelderMead, FindsMinimumOfRosenbrock) {
  auto f = [](const std::vector<double>& v) {
    return 100 * std::pow(v[1] - v[0] * v[0], 2) + std::pow(1 - v[0], 2);
  };
  NelderMeadOptions o;
  o.max_iterations = 5000;
  o.tolerance = 1e-16;
  auto r = NelderMead(f, {-1.2, 1.0}, o);
  EXPECT_NEAR(r.x[0], 1.0, 1e-3);
  EXPECT_NEAR(r.x[1], 1.0, 2e-3);
}

}  // namespace cx::ml
