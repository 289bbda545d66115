#include "utils/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cx::ml {

std::vector<double> LogReturns(std::span<const double> p) {
  std::vector<double> r;
  if (p.size() < 2) return r;
  r.reserve(p.size() - 1);
  for (size_t i = 1; i < p.size(); ++i) r.push_back(std::log(p[i] / p[i - 1]));
  return r;
}

double Mean(std::span<const double> x) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

double MeanRange(std::span<const double> x, size_t from, size_t to) {
  double s = 0;
  for (size_t i = from; i < to; ++i) s += x[i];
  return s / static_cast<double>(to - from);
}

double Variance(std::span<const double> x) {
  if (x.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double m = Mean(x);
  double s = 0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size() - 1);
}

double StdDev(std::span<const double> x) { return std::sqrt(Variance(x)); }

double Quantile(std::vector<double> x, double p) {
  if (x.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(x.begin(), x.end());
  const double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(x.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, x.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return x[lo] + (x[hi] - x[lo]) * frac;
}

double Median(std::vector<double> x) { return Quantile(std::move(x), 0.5); }

}  // namespace cx::ml
