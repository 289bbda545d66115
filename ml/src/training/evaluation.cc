#include "training/evaluation.h"

#include <algorithm>
#include <cmath>

#include "models/risk.h"

namespace cx::ml {

Result<VolEvaluation> EvaluateVolatility(std::span<const double> r, size_t min_train, int refit_every,
                                         size_t fit_window, size_t rolling_window) {
  if (r.size() < min_train + 10 || min_train < std::max<size_t>(50, rolling_window))
    return Err(Code::kInvalidField, "too few returns for the volatility evaluation", "returns");
  VolEvaluation ev;
  const auto roll = RollingVariance(r, rolling_window);
  std::vector<double> garch;  // garch[t] = forecast for return t made with [0, t)
  double sg = 0, sr = 0;
  int since = refit_every;
  for (size_t t = min_train; t < r.size(); ++t) {
    if (since >= refit_every) {
      const size_t from = t > fit_window ? t - fit_window : 0;
      CX_ASSIGN_OR_RETURN(ev.last, FitGarch11(r.subspan(from, t - from), /*demean=*/false, /*student_t=*/true));
      garch = GarchFilter(ev.last, r.subspan(0, t));  // size t + 1; garch[t] is the forecast
      since = 0;
    } else {
      garch.push_back(GarchStep(ev.last, r[t - 1], garch.back()));
    }
    ++since;
    const double r2 = (r[t] - 0.0) * (r[t] - 0.0);
    if (r2 <= 0) continue;
    sg += Qlike(r2, garch[t]);
    sr += Qlike(r2, roll[t]);
    ++ev.n;
  }
  ev.qlike_garch = sg / static_cast<double>(ev.n);
  ev.qlike_rolling = sr / static_cast<double>(ev.n);
  ev.ratio = ev.qlike_garch / ev.qlike_rolling;
  return ev;
}

Result<VarBacktest> BacktestHistoricalVar(std::span<const double> r, size_t window, double level) {
  if (r.size() <= window + 1) return Err(Code::kInvalidField, "too few returns for the VaR backtest", "returns");
  VarBacktest b;
  for (size_t t = window; t < r.size(); ++t) {
    CX_ASSIGN_OR_RETURN(VarEs v, HistoricalVarEs(r.subspan(t - window, window), level));
    b.exceedances += -r[t] > v.var;
    ++b.n;
  }
  b.rate = static_cast<double>(b.exceedances) / static_cast<double>(b.n);
  return b;
}

}  // namespace cx::ml
