// Gradient-boosted trees (XGBoost C API) on lagged-return and volatility features,
// one direct model per horizon: target = log(P[t+h] / P[t]).
//
// Features at day t use prices up to t only (see GbtFeatures). XGBoost runs with one
// thread and a fixed seed, so fits are deterministic. A GbtForecaster owns its boosters
// (freed in the destructor); not thread-safe, move-only.
#pragma once
#include <array>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "models/forecasters.h"

namespace cx::ml {

inline constexpr int kGbtFeatureCount = 10;
inline constexpr size_t kGbtLookback = 61;  // prices needed before the first feature row
// Names, in column order, written into model metadata.
const std::array<const char*, kGbtFeatureCount>& GbtFeatureNames();
// Features of day t (index into prices; t >= kGbtLookback - 1).
std::array<float, kGbtFeatureCount> GbtFeatures(std::span<const double> prices, size_t t);

// Returns a few days ahead are mostly noise: the trees are kept shallow, leaves need
// hundreds of rows (min_child_weight counts rows under squared error), and leaf values
// are shrunk hard (lambda), so the model predicts ~0 unless a pattern is broad.
struct GbtOptions {
  int rounds = 60;
  int max_depth = 2;
  double eta = 0.05;
  double subsample = 0.7;
  double min_child_weight = 200;
  double lambda = 100;
  size_t window = 1500;  // most recent training rows used
};

class GbtForecaster final : public Forecaster {
 public:
  explicit GbtForecaster(std::vector<int> horizons, const GbtOptions& opt = {});
  ~GbtForecaster() override;
  GbtForecaster(const GbtForecaster&) = delete;
  GbtForecaster& operator=(const GbtForecaster&) = delete;

  std::string name() const override { return "gbt"; }
  size_t min_history() const override { return kGbtLookback + 60; }
  Result<void> Fit(std::span<const double> prices) override;
  // Horizons not fitted fall back to the naive forecast.
  double Predict(std::span<const double> prices, int h) const override;
  ModelState State() const override;  // blob: "h=<h>\n<xgboost json>\n" per horizon
  Result<void> Restore(const ModelState& s) override;

 private:
  void Free();
  std::vector<int> horizons_;
  GbtOptions opt_;
  std::map<int, void*> boosters_;  // horizon -> BoosterHandle
};

}  // namespace cx::ml
