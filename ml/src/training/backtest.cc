#include "training/backtest.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "models/forecasters.h"
#include "models/volatility.h"
#include "utils/stats.h"

namespace cx::ml {

double DieboldMariano(std::span<const double> a, std::span<const double> b, int lag) {
  const size_t n = std::min(a.size(), b.size());
  if (n < 3) return 0;
  std::vector<double> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = a[i] * a[i] - b[i] * b[i];
  const double m = Mean(d);
  auto gamma = [&](size_t k) {
    double s = 0;
    for (size_t i = k; i < n; ++i) s += (d[i] - m) * (d[i - k] - m);
    return s / static_cast<double>(n);
  };
  double lr = gamma(0);
  for (int k = 1; k <= lag && static_cast<size_t>(k) < n; ++k) lr += 2 * (1 - k / (lag + 1.0)) * gamma(k);
  if (!(lr > 0)) return m < 0 ? -INFINITY : (m > 0 ? INFINITY : 0);
  return m / std::sqrt(lr / static_cast<double>(n));
}

std::map<std::string, double> InverseMseWeights(const std::map<std::string, std::vector<double>>& errors,
                                                const WeightGate& gate) {
  std::map<std::string, double> mse, w;
  for (const auto& [m, e] : errors) {
    double s = 0;
    for (double x : e) s += x * x;
    mse[m] = e.empty() ? 0 : s / static_cast<double>(e.size());
  }
  const auto base = errors.find(gate.baseline);
  double total = 0;
  for (const auto& [m, v] : mse) {
    if (v <= 0) {  // a perfect model takes everything
      for (const auto& [m2, v2] : mse) w[m2] = m2 == m ? 1.0 : 0.0;
      return w;
    }
    const bool keep = !gate.on || base == errors.end() || m == gate.baseline ||
                      DieboldMariano(errors.at(m), base->second, gate.lag) < gate.t;
    w[m] = keep ? 1.0 / v : 0.0;
    total += w[m];
  }
  for (auto& [m, v] : w) v /= total;
  return w;
}

BacktestOptions DefaultBacktestOptions(size_t n, int max_horizon) {
  BacktestOptions o;
  const long room = static_cast<long>(n) - max_horizon - static_cast<long>(o.min_resolved) - 40;
  o.min_train = static_cast<size_t>(std::clamp<long>(room, 30, 250));
  return o;
}

Result<BacktestResult> RunBacktest(std::span<const double> prices, const BacktestOptions& opt) {
  CX_TRY(CheckPrices(prices, 2));
  if (opt.horizons.empty()) return Err(Code::kInvalidField, "no horizons", "horizons");
  const int max_h = *std::max_element(opt.horizons.begin(), opt.horizons.end());
  if (*std::min_element(opt.horizons.begin(), opt.horizons.end()) < 1)
    return Err(Code::kInvalidField, "horizons must be >= 1", "horizons");
  const size_t n = prices.size();
  if (opt.min_train < 10 || n < opt.min_train + static_cast<size_t>(max_h) + opt.min_resolved + 5)
    return Err(Code::kInvalidField,
               "series of " + std::to_string(n) + " prices is too short for min_train " +
                   std::to_string(opt.min_train) + " and horizon " + std::to_string(max_h),
               "prices");
  BacktestResult res;
  res.first_origin = opt.min_train - 1;
  std::vector<std::unique_ptr<Forecaster>> models;
  for (const auto& name : opt.models) {
    CX_ASSIGN_OR_RETURN(auto m, MakeForecaster(name, opt.horizons));
    if (m->min_history() > opt.min_train) {
      res.notes.push_back(name + " dropped: needs " + std::to_string(m->min_history()) +
                          " prices of history, min_train is " + std::to_string(opt.min_train));
      continue;
    }
    res.models.push_back(name);
    models.push_back(std::move(m));
  }
  if (std::find(res.models.begin(), res.models.end(), "naive") == res.models.end())
    return Err(Code::kInvalidField, "the naive model is required as the baseline", "models");
  const size_t M = models.size();
  const auto rets = LogReturns(prices);
  const auto ewma = EwmaVariance(rets);  // ewma[t] = variance forecast made at price index t

  // fc[h][m][t]: forecast of model m made at origin t; NaN where not made.
  std::map<int, std::vector<std::vector<double>>> fc;
  std::map<int, std::vector<double>> ens, zres;
  for (int h : opt.horizons) {
    fc[h].assign(M, std::vector<double>(n, NAN));
    ens[h].assign(n, NAN);
    zres[h].assign(n, NAN);
  }
  std::vector<int> since_fit(M, 1 << 30);
  const double qlo = (1 - opt.interval_level) / 2, qhi = 1 - qlo;

  // Weights from the `ensemble_window` newest forecasts resolved by origin last + h.
  auto weights_at = [&](int h, size_t last, size_t avail) {
    const size_t win = std::min(avail, opt.ensemble_window);
    std::map<std::string, std::vector<double>> errs;
    for (size_t m = 0; m < M; ++m) {
      auto& e = errs[res.models[m]];
      for (size_t s = last + 1 - win; s <= last; ++s)
        e.push_back(std::log(prices[s + h] / fc[h][m][s]));
    }
    return InverseMseWeights(errs, WeightGate{opt.gate_on_naive, "naive", opt.gate_t, h - 1});
  };
  for (size_t t = res.first_origin; t + 1 < n; ++t) {
    if (opt.cancel && opt.cancel->load(std::memory_order_relaxed))
      return Err(Code::kUnavailable, "backtest cancelled");
    std::span<const double> past = prices.subspan(0, t + 1);
    for (size_t m = 0; m < M; ++m) {
      const int every = res.models[m] == "gbt" ? opt.gbt_refit_every : opt.refit_every;
      if (since_fit[m] >= every) {
        CX_TRY(models[m]->Fit(past));
        since_fit[m] = 0;
      }
      ++since_fit[m];
      for (int h : opt.horizons)
        if (t + h < n) fc[h][m][t] = models[m]->Predict(past, h);
    }
    for (int h : opt.horizons) {
      if (t + h >= n) continue;
      // Resolved origins: s + h <= t.
      if (t < res.first_origin + h) continue;
      const size_t last = t - h;
      const size_t avail = last + 1 - res.first_origin;
      if (avail < opt.min_resolved) continue;
      auto w = weights_at(h, last, avail);
      double lf = 0;
      for (size_t m = 0; m < M; ++m) lf += w[res.models[m]] * std::log(fc[h][m][t]);
      ens[h][t] = std::exp(lf);
    }
  }
  for (int h : opt.horizons) {  // the weights a forecast made today would use
    const size_t last = n - 1 - h;
    res.last_weights[h] = weights_at(h, last, last + 1 - res.first_origin);
  }
  // Scoring and intervals, in origin order so calibration only sees resolved errors.
  for (int h : opt.horizons) {
    const auto& e = ens[h];
    for (size_t t = 0; t < n; ++t)
      if (!std::isnan(e[t]) && t + h < n)
        zres[h][t] = std::log(prices[t + h] / e[t]) / std::sqrt(ewma[t] * h);
    std::vector<size_t> scored;
    size_t inside = 0;
    std::vector<double> window;
    for (size_t t = 0; t + h < n; ++t) {
      if (std::isnan(e[t])) continue;
      scored.push_back(t);
      // Standardised errors known at t: origins s with s + h <= t.
      window.clear();
      for (size_t s = (t >= static_cast<size_t>(h) ? t - h : 0) + 1; s-- > 0;) {
        if (!std::isnan(zres[h][s])) window.push_back(zres[h][s]);
        if (window.size() >= opt.calib_window) break;
      }
      if (window.size() < opt.min_resolved) continue;
      const double lo = Quantile(window, qlo), hi = Quantile(window, qhi);
      const double sc = std::sqrt(ewma[t + 0] * h);
      PathPoint p{t, h, prices[t + h], prices[t], e[t], e[t] * std::exp(lo * sc), e[t] * std::exp(hi * sc)};
      if (p.actual >= p.lo && p.actual <= p.hi) ++inside;
      res.path.push_back(p);
    }
    const size_t cn = std::count_if(res.path.begin(), res.path.end(), [&](const PathPoint& p) { return p.horizon == h; });
    res.coverage_n[h] = cn;
    res.coverage[h] = cn ? static_cast<double>(inside) / static_cast<double>(cn) : NAN;
    // Quantiles for the next forecast: the latest resolved standardised errors.
    std::vector<double> lastw;
    for (size_t s = n - 1 - h + 1; s-- > 0 && lastw.size() < opt.calib_window;)
      if (!std::isnan(zres[h][s])) lastw.push_back(zres[h][s]);
    if (!lastw.empty()) res.last_quantiles[h] = {Quantile(lastw, qlo), Quantile(lastw, qhi)};

    // MAE/MAPE on the origins where the ensemble exists, for every model alike.
    double naive_mae = 0;
    auto score = [&](const std::string& name, auto get) {
      ModelMetrics mm{name, h, scored.size(), 0, 0, 0};
      for (size_t t : scored) {
        const double a = prices[t + h], f = get(t);
        mm.mae += std::fabs(a - f);
        mm.mape += 100 * std::fabs(a - f) / a;
      }
      if (!scored.empty()) { mm.mae /= scored.size(); mm.mape /= scored.size(); }
      return mm;
    };
    naive_mae = score("naive", [&](size_t t) { return prices[t]; }).mae;
    for (size_t m = 0; m < M; ++m) {
      auto mm = score(res.models[m], [&](size_t t) { return fc[h][m][t]; });
      mm.mase = naive_mae > 0 ? mm.mae / naive_mae : NAN;
      res.metrics.push_back(mm);
    }
    auto mm = score("ensemble", [&](size_t t) { return e[t]; });
    mm.mase = naive_mae > 0 ? mm.mae / naive_mae : NAN;
    res.metrics.push_back(mm);
  }
  return res;
}

}  // namespace cx::ml
