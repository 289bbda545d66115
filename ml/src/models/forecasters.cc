#include "models/forecasters.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/gbt.h"
#include "utils/optimize.h"
#include "utils/stats.h"

namespace cx::ml {

Result<void> CheckPrices(std::span<const double> prices, size_t min) {
  if (prices.size() < min)
    return Err(Code::kInvalidField,
               "need at least " + std::to_string(min) + " prices, got " +
                   std::to_string(prices.size()), "prices");
  for (size_t i = 0; i < prices.size(); ++i)
    if (!std::isfinite(prices[i]) || prices[i] <= 0)
      return Err(Code::kInvalidField, "price " + std::to_string(i) + " is not a positive number",
                 "prices");
  return Ok();
}

Result<void> NaiveForecaster::Fit(std::span<const double> prices) { return CheckPrices(prices, 1); }
double NaiveForecaster::Predict(std::span<const double> prices, int) const { return prices.back(); }

Result<void> DriftForecaster::Fit(std::span<const double> prices) {
  CX_TRY(CheckPrices(prices, 2));
  mu_ = std::log(prices.back() / prices.front()) / static_cast<double>(prices.size() - 1);
  return Ok();
}
double DriftForecaster::Predict(std::span<const double> prices, int h) const {
  return prices.back() * std::exp(mu_ * h);
}
Result<void> DriftForecaster::Restore(const ModelState& s) {
  auto it = s.params.find("mu");
  if (it == s.params.end()) return Err(Code::kMissingField, "drift model lacks mu", "mu");
  mu_ = it->second;
  return Ok();
}

namespace {
double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double Logit(double p) { return std::log(p / (1 - p)); }

// Runs Holt's damped recursion over log prices y; returns one-step SSE and leaves the
// final level and trend in *l and *b.
double HoltRun(std::span<const double> y, double a, double be, double phi, double* l, double* b) {
  double lev = y[0], tr = 0, sse = 0;
  for (size_t t = 1; t < y.size(); ++t) {
    const double f = lev + phi * tr;
    const double e = y[t] - f;
    sse += e * e;
    const double nl = f + a * e;
    tr = be * (nl - lev) + (1 - be) * phi * tr;
    lev = nl;
  }
  *l = lev;
  *b = tr;
  return sse;
}
}  // namespace

Result<void> HoltForecaster::Fit(std::span<const double> prices) {
  CX_TRY(CheckPrices(prices, min_history()));
  const size_t n = std::min(prices.size(), window_);
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = std::log(prices[prices.size() - n + i]);
  // Parameters live in (0,1) (phi in (0.8, 0.999)): optimise unconstrained logits.
  auto f = [&](const std::vector<double>& v) {
    double l, b;
    return HoltRun(y, Logistic(v[0]), Logistic(v[1]), 0.8 + 0.199 * Logistic(v[2]), &l, &b);
  };
  NelderMeadOptions opt;
  opt.initial_step = 1.0;
  opt.max_iterations = 400;
  opt.tolerance = 1e-12;
  auto r = NelderMead(f, {Logit(0.9), Logit(0.05), 0.0}, opt);
  alpha_ = Logistic(r.x[0]);
  beta_ = Logistic(r.x[1]);
  phi_ = 0.8 + 0.199 * Logistic(r.x[2]);
  return Ok();
}

double HoltForecaster::Predict(std::span<const double> prices, int h) const {
  const size_t n = std::min(prices.size(), window_);
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = std::log(prices[prices.size() - n + i]);
  double l, b;
  HoltRun(y, alpha_, beta_, phi_, &l, &b);
  double damp = 0, pk = 1;
  for (int k = 1; k <= h; ++k) { pk *= phi_; damp += pk; }
  return std::exp(l + damp * b);
}

ModelState HoltForecaster::State() const {
  return {name(), {{"alpha", alpha_}, {"beta", beta_}, {"phi", phi_},
                   {"window", static_cast<double>(window_)}}, {}};
}
Result<void> HoltForecaster::Restore(const ModelState& s) {
  for (const char* k : {"alpha", "beta", "phi"})
    if (!s.params.count(k)) return Err(Code::kMissingField, std::string("holt model lacks ") + k, k);
  alpha_ = s.params.at("alpha");
  beta_ = s.params.at("beta");
  phi_ = s.params.at("phi");
  if (s.params.count("window")) window_ = static_cast<size_t>(s.params.at("window"));
  return Ok();
}

Result<ArFit> FitArOls(std::span<const double> x, int p) {
  if (p < 1) return Err(Code::kInvalidField, "AR order must be >= 1", "p");
  const long n = static_cast<long>(x.size()) - p;
  if (n < p + 2) return Err(Code::kInvalidField, "series too short for AR(" + std::to_string(p) + ")", "x");
  Eigen::MatrixXd X(n, p + 1);
  Eigen::VectorXd y(n);
  for (long t = 0; t < n; ++t) {
    y(t) = x[t + p];
    X(t, 0) = 1.0;
    for (int i = 1; i <= p; ++i) X(t, i) = x[t + p - i];
  }
  // Column-pivoting QR: stable for nearly collinear lags, cheap at these sizes.
  Eigen::VectorXd beta = X.colPivHouseholderQr().solve(y);
  const Eigen::VectorXd res = y - X * beta;
  ArFit f;
  f.c = beta(0);
  for (int i = 1; i <= p; ++i) f.phi.push_back(beta(i));
  f.sigma2 = res.squaredNorm() / static_cast<double>(n);
  f.aic = static_cast<double>(n) * std::log(std::max(f.sigma2, 1e-300)) + 2.0 * (p + 1);
  return f;
}

Result<void> ArForecaster::Fit(std::span<const double> prices) {
  CX_TRY(CheckPrices(prices, min_history()));
  auto r = LogReturns(prices);
  const size_t n = std::min(r.size(), window_);
  std::span<const double> x(r.data() + r.size() - n, n);
  ArFit best;
  best.aic = std::numeric_limits<double>::infinity();
  const int lo = fixed_p_ > 0 ? fixed_p_ : 1, hi = fixed_p_ > 0 ? fixed_p_ : max_p_;
  for (int p = lo; p <= hi; ++p) {
    // Compare AIC on the same sample: drop the first (hi - p) points.
    auto f = FitArOls(x.subspan(static_cast<size_t>(hi - p)), p);
    if (!f.ok()) return f.take_error();
    if (f->aic < best.aic) best = *f;
  }
  c_ = best.c;
  phi_ = best.phi;
  return Ok();
}

double ArForecaster::Predict(std::span<const double> prices, int h) const {
  const size_t p = phi_.size();
  std::vector<double> hist;  // the last p log returns, oldest first
  for (size_t i = prices.size() - p; i < prices.size(); ++i)
    hist.push_back(std::log(prices[i] / prices[i - 1]));
  double cum = 0;
  for (int k = 0; k < h; ++k) {
    double r = c_;
    for (size_t i = 0; i < p; ++i) r += phi_[i] * hist[hist.size() - 1 - i];
    hist.push_back(r);
    cum += r;
  }
  return prices.back() * std::exp(cum);
}

ModelState ArForecaster::State() const {
  ModelState s{name(), {{"c", c_}, {"p", static_cast<double>(phi_.size())}}, {}};
  for (size_t i = 0; i < phi_.size(); ++i) s.params["phi" + std::to_string(i + 1)] = phi_[i];
  return s;
}
Result<void> ArForecaster::Restore(const ModelState& s) {
  if (!s.params.count("c") || !s.params.count("p"))
    return Err(Code::kMissingField, "ar model lacks c or p", "p");
  c_ = s.params.at("c");
  const int p = static_cast<int>(s.params.at("p"));
  phi_.clear();
  for (int i = 1; i <= p; ++i) {
    auto it = s.params.find("phi" + std::to_string(i));
    if (it == s.params.end()) return Err(Code::kMissingField, "ar model lacks phi", "phi");
    phi_.push_back(it->second);
  }
  return Ok();
}

Result<std::unique_ptr<Forecaster>> MakeForecaster(const std::string& name,
                                                   const std::vector<int>& horizons) {
  if (name == "naive") return std::unique_ptr<Forecaster>(new NaiveForecaster());
  if (name == "drift") return std::unique_ptr<Forecaster>(new DriftForecaster());
  if (name == "holt") return std::unique_ptr<Forecaster>(new HoltForecaster());
  if (name == "ar") return std::unique_ptr<Forecaster>(new ArForecaster());
  if (name == "gbt") return std::unique_ptr<Forecaster>(new GbtForecaster(horizons));
  return Err(Code::kInvalidField, "unknown model '" + name + "'", "model");
}

}  // namespace cx::ml
