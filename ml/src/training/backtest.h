// Walk-forward backtest of the point forecasters and their ensemble.
//
// At every origin t (index of the last price known) each model has been fitted on
// prices[0..t'] for some refit day t' <= t and predicts prices[t + h]. Nothing after t is
// ever used: ensemble weights come from forecasts whose outcomes were known by t
// (origin s with s + h <= t), and so do the interval quantiles.
//
// Ensemble: weights proportional to 1 / MSE of each model's log errors over the last
// `ensemble_window` resolved forecasts (inverse-MSE combination, Bates & Granger 1969).
// Intervals: ensemble log errors are standardised by the EWMA (lambda 0.94) daily
// volatility at their origin times sqrt(h); the empirical quantiles of the last
// `calib_window` resolved standardised errors, rescaled by today's volatility, give the
// interval. MASE here is the out-of-sample MAE of a model divided by that of the naive
// forecast over the same origins and horizon (< 1 beats naive).
// Pure computation; single-threaded; deterministic.
#pragma once
#include <atomic>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace cx::ml {

struct BacktestOptions {
  std::vector<int> horizons{1, 5, 20};
  std::vector<std::string> models{"naive", "drift", "holt", "ar", "gbt"};
  size_t min_train = 250;      // first origin: this many prices are known
  int refit_every = 20;        // refit cheap models every N origins
  int gbt_refit_every = 250;   // refit trees every N origins
  size_t ensemble_window = 250;
  // Only models that beat the naive model over the trailing window join the
  // combination (naive always does): their squared-error advantage must be significant
  // by a one-sided Diebold-Mariano test (Newey-West variance, lag h - 1) at the 10 %
  // level, t < -1.2816. If nothing has beaten naive lately, the ensemble is naive.
  bool gate_on_naive = true;
  double gate_t = -1.2816;
  size_t min_resolved = 20;    // resolved forecasts needed before the ensemble is scored
  double interval_level = 0.8;
  size_t calib_window = 500;
  // When set and true, RunBacktest stops at the next origin with kUnavailable (a server
  // shutting down while it trains in the background). Read only; never written here.
  const std::atomic<bool>* cancel = nullptr;
};

struct ModelMetrics {
  std::string model;
  int horizon = 0;
  size_t n = 0;
  double mae = 0, mape = 0, mase = 0;  // mape in percent
};

struct PathPoint {
  size_t origin = 0;  // index of the last known price
  int horizon = 0;
  double actual = 0, naive = 0, forecast = 0, lo = 0, hi = 0;
};

struct BacktestResult {
  std::vector<ModelMetrics> metrics;  // per model and horizon, plus "ensemble"
  std::map<int, double> coverage;     // share of actuals inside the interval, per horizon
  std::map<int, size_t> coverage_n;
  std::vector<PathPoint> path;        // scored ensemble forecasts
  // Weights and standardised-error quantiles as of the last origin: what a model
  // trained on all data would use next.
  std::map<int, std::map<std::string, double>> last_weights;
  std::map<int, std::pair<double, double>> last_quantiles;
  std::vector<std::string> models;    // models actually run
  std::vector<std::string> notes;     // e.g. models dropped for lack of history
  size_t first_origin = 0;
};

// The defaults for a series of n prices, as `carbonx ml train` and the server use them:
// for short series the first origin moves earlier (min_train = n - max_horizon -
// min_resolved - 40, kept within [30, 250]) so that the ensemble is still scored.
BacktestOptions DefaultBacktestOptions(size_t n, int max_horizon = 20);
// The fewest prices the server trains a forecast on (RunBacktest itself accepts 75 with
// horizons up to 20): with DefaultBacktestOptions the ensemble is then scored on at
// least 20 walk-forward origins at every horizon (tested).
inline constexpr size_t kMinTrainingPrices = 110;

// kInvalidField for bad prices, unknown models or a series too short for min_train plus
// the longest horizon.
Result<BacktestResult> RunBacktest(std::span<const double> prices, const BacktestOptions& opt);

// Inverse-MSE weights from per-model error samples (all the same length, in time
// order); a model with zero error gets all the weight. With `gate` set, a model takes
// part only when DieboldMariano(its errors, baseline's, lag) < gate_t (the baseline
// always takes part). Exposed for tests.
struct WeightGate {
  bool on = false;
  std::string baseline = "naive";
  double t = -1.2816;
  int lag = 0;
};
std::map<std::string, double> InverseMseWeights(const std::map<std::string, std::vector<double>>& errors,
                                                const WeightGate& gate = {});
// Diebold-Mariano statistic of the squared-error differential a^2 - b^2 with a
// Newey-West (Bartlett) long-run variance of `lag` lags: negative when a is better.
double DieboldMariano(std::span<const double> a, std::span<const double> b, int lag);

}  // namespace cx::ml
