// Point forecasters for a daily price series. Every model works on log prices or log
// returns and predicts the price h trading days after the last observation it is given.
//
// Contract (walk-forward friendly): Fit() sees only the past it is handed; Predict() may
// be handed a longer series later (more history arrived since the last refit) and uses
// the fitted parameters with the newest observations, never anything after them.
// Models are values owned by one thread at a time; no I/O, no globals.
#pragma once
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace cx::ml {

// Everything needed to restore a fitted model: named parameters plus an opaque blob
// (the XGBoost model for trees). Serialised by the I/O layer, not here.
struct ModelState {
  std::string name;
  std::map<std::string, double> params;
  std::string blob;
};

class Forecaster {
 public:
  virtual ~Forecaster() = default;
  virtual std::string name() const = 0;
  // Minimum number of prices Fit() needs.
  virtual size_t min_history() const { return 2; }
  // Fits on `prices` (all > 0). kInvalidField for bad input.
  [[nodiscard]] virtual Result<void> Fit(std::span<const double> prices) = 0;
  // Price forecast h >= 1 steps after prices.back(). Requires a successful Fit.
  virtual double Predict(std::span<const double> prices, int h) const = 0;
  virtual ModelState State() const = 0;
  [[nodiscard]] virtual Result<void> Restore(const ModelState& s) = 0;
};

// Tomorrow = today, at every horizon. The baseline every other model is scored against.
class NaiveForecaster final : public Forecaster {
 public:
  std::string name() const override { return "naive"; }
  Result<void> Fit(std::span<const double> prices) override;
  double Predict(std::span<const double> prices, int h) const override;
  ModelState State() const override { return {name(), {}, {}}; }
  Result<void> Restore(const ModelState&) override { return Ok(); }
};

// Random walk with drift: the mean log return of the fitted history, compounded h times.
class DriftForecaster final : public Forecaster {
 public:
  std::string name() const override { return "drift"; }
  Result<void> Fit(std::span<const double> prices) override;
  double Predict(std::span<const double> prices, int h) const override;
  ModelState State() const override { return {name(), {{"mu", mu_}}, {}}; }
  Result<void> Restore(const ModelState& s) override;
  double mu() const { return mu_; }

 private:
  double mu_ = 0;
};

// Holt's linear exponential smoothing with a damped trend on log prices. alpha, beta and
// phi minimise the one-step squared error over the last `window` observations.
class HoltForecaster final : public Forecaster {
 public:
  explicit HoltForecaster(size_t window = 1000) : window_(window) {}
  std::string name() const override { return "holt"; }
  size_t min_history() const override { return 10; }
  Result<void> Fit(std::span<const double> prices) override;
  double Predict(std::span<const double> prices, int h) const override;
  ModelState State() const override;
  Result<void> Restore(const ModelState& s) override;
  // Sets parameters directly (tests, restored models).
  void SetParams(double alpha, double beta, double phi) { alpha_ = alpha; beta_ = beta; phi_ = phi; }
  double alpha() const { return alpha_; }
  double beta() const { return beta_; }
  double phi() const { return phi_; }

 private:
  size_t window_;
  double alpha_ = 1, beta_ = 0, phi_ = 0.9;
};

// AR(p) on log returns with an intercept, fitted by ordinary least squares (Eigen);
// p in [1, max_p] chosen by AIC unless fixed_p > 0. Multi-step forecasts iterate the
// recursion and compound the predicted returns.
class ArForecaster final : public Forecaster {
 public:
  explicit ArForecaster(int max_p = 10, int fixed_p = 0, size_t window = 1000)
      : max_p_(max_p), fixed_p_(fixed_p), window_(window) {}
  std::string name() const override { return "ar"; }
  size_t min_history() const override { return 3 * static_cast<size_t>(max_p_) + 10; }
  Result<void> Fit(std::span<const double> prices) override;
  double Predict(std::span<const double> prices, int h) const override;
  ModelState State() const override;
  Result<void> Restore(const ModelState& s) override;
  int order() const { return static_cast<int>(phi_.size()); }
  double intercept() const { return c_; }
  const std::vector<double>& coefficients() const { return phi_; }

 private:
  int max_p_, fixed_p_;
  size_t window_;
  double c_ = 0;
  std::vector<double> phi_;
};

// Fits AR(p) with intercept to a series x by OLS: x_t = c + sum_i phi_i x_{t-i} + e_t.
// Returns {c, phi_1..phi_p, residual variance}. kInvalidField when x is too short.
struct ArFit {
  double c = 0;
  std::vector<double> phi;
  double sigma2 = 0;
  double aic = 0;
};
Result<ArFit> FitArOls(std::span<const double> x, int p);

// Checks prices are finite and > 0 and there are at least `min` of them.
Result<void> CheckPrices(std::span<const double> prices, size_t min);

// Builds a model by name: naive, drift, holt, ar, gbt (gbt needs the horizons it will
// be asked for, since it fits one direct model per horizon). kInvalidField if unknown.
Result<std::unique_ptr<Forecaster>> MakeForecaster(const std::string& name,
                                                   const std::vector<int>& horizons);

}  // namespace cx::ml
