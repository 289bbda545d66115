// Trained ensemble and the forecast a server shows: every model's point forecast beside
// the naive one, the ensemble with its calibrated interval, and a verdict saying whether
// anything beat naive in the walk-forward backtest.
//
// TrainEnsemble runs the walk-forward backtest (training only on the past at every step)
// to learn ensemble weights and interval quantiles, then fits every model on the whole
// series. Forecast() then only needs the newest prices. Not thread-safe (the models own
// XGBoost handles); one instance per thread or a mutex in the caller.
#pragma once
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "models/forecasters.h"
#include "training/backtest.h"

namespace cx::ml {

struct EnsembleSpec {
  std::vector<int> horizons;
  double interval_level = 0.8;
  std::map<int, std::map<std::string, double>> weights;        // per horizon, per model
  std::map<int, std::pair<double, double>> quantiles;          // standardised error quantiles
  std::map<int, std::map<std::string, double>> backtest_mase;  // per horizon, per model + "ensemble"
};

struct TrainedEnsemble {
  std::vector<std::unique_ptr<Forecaster>> models;
  EnsembleSpec spec;
  BacktestResult backtest;
};

Result<TrainedEnsemble> TrainEnsemble(std::span<const double> prices, const BacktestOptions& opt);

// A model "beats naive" only when its walk-forward MAE is at least 1 % below naive's:
// smaller differences are within the noise of a few thousand daily forecasts.
inline constexpr double kBeatsNaiveMase = 0.99;

struct HorizonForecast {
  int horizon = 0;
  double naive = 0, point = 0, lo = 0, hi = 0;
  std::map<std::string, double> by_model;
  double backtest_mase = 0;  // ensemble's walk-forward MASE at this horizon (< 1 beats naive)
  bool beats_naive = false;  // backtest_mase < kBeatsNaiveMase
};

struct ForecastOutput {
  double sigma_daily = 0;  // EWMA volatility of log returns used to scale the interval
  std::vector<HorizonForecast> horizons;
  std::string verdict;     // plain-language: which horizons beat naive
};

// Forecast from the end of `prices` (which must extend the training data or equal it).
Result<ForecastOutput> Forecast(std::span<const double> prices, const std::vector<const Forecaster*>& models,
                                const EnsembleSpec& spec);

}  // namespace cx::ml
