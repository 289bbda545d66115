#include "models/volatility.h"

#include <cmath>
#include <limits>

#include "utils/optimize.h"
#include "utils/stats.h"

namespace cx::ml {

std::vector<double> EwmaVariance(std::span<const double> r, double lambda) {
  std::vector<double> v(r.size() + 1);
  double s = 0;
  const size_t seed_n = std::min<size_t>(r.size(), 30);
  for (size_t i = 0; i < seed_n; ++i) s += r[i] * r[i];
  v[0] = seed_n ? s / seed_n : 0;
  for (size_t t = 0; t < r.size(); ++t) v[t + 1] = lambda * v[t] + (1 - lambda) * r[t] * r[t];
  return v;
}

std::vector<double> RollingVariance(std::span<const double> r, size_t w) {
  std::vector<double> v(r.size() + 1, std::numeric_limits<double>::quiet_NaN());
  double s = 0;
  for (size_t t = 0; t < r.size(); ++t) {
    s += r[t] * r[t];
    if (t >= w) s -= r[t - w] * r[t - w];
    if (t + 1 >= w) v[t + 1] = s / static_cast<double>(w);
  }
  return v;
}

std::vector<double> RealizedVol(std::span<const double> r, size_t w) {
  auto v = RollingVariance(r, w);
  for (double& x : v) x = std::sqrt(x);
  return v;
}

std::vector<double> GarchFilter(const GarchParams& p, std::span<const double> r) {
  std::vector<double> v(r.size() + 1);
  double s = 0;
  for (double x : r) s += (x - p.mu) * (x - p.mu);
  v[0] = r.empty() ? p.omega : s / static_cast<double>(r.size());
  for (size_t t = 0; t < r.size(); ++t) v[t + 1] = GarchStep(p, r[t], v[t]);
  return v;
}

double GarchStep(const GarchParams& p, double r, double sigma2) {
  if (r == 0) return sigma2;  // a stale day: no new information (see the header)
  const double e = r - p.mu;
  return p.omega + p.alpha * e * e + p.beta * sigma2;
}

double GarchForecast(const GarchParams& p, double s2, int k) {
  const double pers = p.alpha + p.beta, u = p.unconditional_variance();
  return u + std::pow(pers, k - 1) * (s2 - u);
}

namespace {
double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// x = (log omega_scaled, logit persistence, logit share of alpha in persistence)
GarchParams Decode(const std::vector<double>& x, double var, double mu) {
  GarchParams p;
  if (x.size() > 3) p.nu = 2.05 + std::exp(x[3]);
  p.mu = mu;
  const double pers = 0.9999 * Logistic(x[1]);
  const double share = Logistic(x[2]);
  p.alpha = pers * share;
  p.beta = pers - p.alpha;
  p.omega = var * std::exp(x[0]);
  return p;
}

// Negative log-likelihood without the constant terms of the Gaussian case.
double NegLogLik(const GarchParams& p, std::span<const double> r, double var0) {
  double v = var0, ll = 0;
  const bool t_dist = p.nu > 0;
  // lgamma_r, not std::lgamma: lgamma writes the global signgam, a data race when forecasts
  // run on several worker threads at once (the sign is not needed: nu > 2 here).
  int sign = 0;
  const double c = t_dist ? ::lgamma_r((p.nu + 1) / 2, &sign) - ::lgamma_r(p.nu / 2, &sign) - 0.5 * std::log(M_PI * (p.nu - 2)) : 0;
  for (size_t t = 0; t < r.size(); ++t) {
    if (!(v > 0) || !std::isfinite(v)) return std::numeric_limits<double>::infinity();
    if (r[t] == 0) continue;  // a stale day: neither observed nor an update (GarchStep)
    const double e = r[t] - p.mu;
    if (t_dist) ll += 2 * (-c + 0.5 * std::log(v) + 0.5 * (p.nu + 1) * std::log1p(e * e / (v * (p.nu - 2))));
    else ll += std::log(v) + e * e / v;
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return 0.5 * ll;
}
}  // namespace

Result<GarchParams> FitGarch11(std::span<const double> r, bool demean, bool student_t) {
  if (r.size() < 50) return Err(Code::kInvalidField, "GARCH needs at least 50 returns", "returns");
  for (double x : r)
    if (!std::isfinite(x)) return Err(Code::kInvalidField, "non-finite return", "returns");
  const double mu = demean ? Mean(r) : 0.0;
  double var = 0;
  for (double x : r) var += (x - mu) * (x - mu);
  var /= static_cast<double>(r.size());
  if (!(var > 0)) return Err(Code::kInvalidField, "returns have zero variance", "returns");
  auto f = [&](const std::vector<double>& x) { return NegLogLik(Decode(x, var, mu), r, var); };
  // Start near typical daily-return estimates: persistence 0.95, alpha 0.08,
  // omega = (1 - persistence) * var.
  std::vector<double> x0 = {std::log(0.05), std::log(0.95 / 0.05), std::log(0.08 / 0.87)};
  if (student_t) x0.push_back(std::log(6.0 - 2.05));
  NelderMeadOptions opt;
  opt.initial_step = 0.5;
  opt.max_iterations = 1500;
  opt.tolerance = 1e-7;  // log-likelihood units: far below any meaningful difference
  auto best = NelderMead(f, x0, opt);
  // One restart from the optimum guards against an early collapse of the simplex.
  auto again = NelderMead(f, best.x, opt);
  if (again.value < best.value) best = again;
  GarchParams p = Decode(best.x, var, mu);
  p.log_likelihood = -best.value - (student_t ? 0.0 : 0.5 * std::log(2 * M_PI) * static_cast<double>(r.size()));
  return p;
}

Result<VolatilitySummary> SummarizeVolatility(std::span<const double> prices) {
  if (prices.size() < 51) return Err(Code::kInvalidField, "volatility needs at least 51 prices", "prices");
  for (double p : prices)
    if (!(p > 0) || !std::isfinite(p)) return Err(Code::kInvalidField, "prices must be positive numbers", "prices");
  const auto r = LogReturns(prices);
  VolatilitySummary s;
  s.ewma = std::sqrt(EwmaVariance(r).back());
  s.realized_20 = RealizedVol(r, 20).back();
  CX_ASSIGN_OR_RETURN(s.garch, FitGarch11(r, false, true));
  const double next = GarchFilter(s.garch, r).back();
  s.garch_next = std::sqrt(next);
  double v5 = 0, v20 = 0;
  for (int k = 1; k <= 20; ++k) {
    const double v = GarchForecast(s.garch, next, k);
    if (k <= 5) v5 += v;
    v20 += v;
  }
  s.garch_5 = std::sqrt(v5 / 5);
  s.garch_20 = std::sqrt(v20 / 20);
  return s;
}

double Qlike(double r2, double h) {
  const double q = r2 / h;
  return q - std::log(q) - 1;
}

}  // namespace cx::ml
