#include "prediction/forecast.h"

#include <cmath>

#include "models/volatility.h"
#include "utils/stats.h"

namespace cx::ml {

Result<TrainedEnsemble> TrainEnsemble(std::span<const double> prices, const BacktestOptions& opt) {
  TrainedEnsemble te;
  CX_ASSIGN_OR_RETURN(te.backtest, RunBacktest(prices, opt));
  te.spec.horizons = opt.horizons;
  te.spec.interval_level = opt.interval_level;
  te.spec.weights = te.backtest.last_weights;
  te.spec.quantiles = te.backtest.last_quantiles;
  for (const auto& m : te.backtest.metrics) te.spec.backtest_mase[m.horizon][m.model] = m.mase;
  for (const auto& name : te.backtest.models) {
    CX_ASSIGN_OR_RETURN(auto m, MakeForecaster(name, opt.horizons));
    CX_TRY(m->Fit(prices));
    te.models.push_back(std::move(m));
  }
  return te;
}

Result<ForecastOutput> Forecast(std::span<const double> prices, const std::vector<const Forecaster*>& models,
                                const EnsembleSpec& spec) {
  size_t need = 2;
  for (const auto* m : models) need = std::max(need, m->min_history());
  CX_TRY(CheckPrices(prices, need));
  ForecastOutput out;
  const auto r = LogReturns(prices);
  out.sigma_daily = std::sqrt(EwmaVariance(r).back());
  std::string good, bad;
  for (int h : spec.horizons) {
    HorizonForecast f;
    f.horizon = h;
    f.naive = prices.back();
    auto wit = spec.weights.find(h);
    if (wit == spec.weights.end()) return Err(Code::kInvalidField, "no weights for horizon " + std::to_string(h), "horizon");
    double lf = 0, wsum = 0;
    for (const auto* m : models) {
      const double p = m->Predict(prices, h);
      f.by_model[m->name()] = p;
      auto w = wit->second.find(m->name());
      if (w != wit->second.end()) { lf += w->second * std::log(p); wsum += w->second; }
    }
    if (wsum <= 0) return Err(Code::kInvalidField, "ensemble weights match no model", "weights");
    f.point = std::exp(lf / wsum);
    const auto q = spec.quantiles.count(h) ? spec.quantiles.at(h) : std::pair<double, double>{-1.2816, 1.2816};
    const double sc = out.sigma_daily * std::sqrt(static_cast<double>(h));
    f.lo = f.point * std::exp(q.first * sc);
    f.hi = f.point * std::exp(q.second * sc);
    auto mit = spec.backtest_mase.find(h);
    f.backtest_mase = mit != spec.backtest_mase.end() && mit->second.count("ensemble") ? mit->second.at("ensemble") : NAN;
    f.beats_naive = f.backtest_mase < kBeatsNaiveMase;
    auto& list = f.beats_naive ? good : bad;
    list += (list.empty() ? "" : ", ") + std::to_string(h) + "-day";
    out.horizons.push_back(std::move(f));
  }
  if (good.empty())
    out.verdict = "nothing beat the naive forecast (tomorrow = today) by 1 % or more in the walk-forward backtest: "
                  "treat the naive price as the forecast";
  else if (bad.empty()) out.verdict = "the ensemble beat the naive forecast at every horizon in the walk-forward backtest";
  else out.verdict = "the ensemble beat naive at " + good + " but not at " + bad + " in the walk-forward backtest";
  return out;
}

}  // namespace cx::ml
