// Walk-forward evaluations of the volatility and risk models on a return series:
// GARCH(1,1) one-day variance vs a rolling variance under QLIKE, and the exceedance rate
// of a rolling historical VaR. Only past returns feed each forecast. Pure, thread-safe.
#pragma once
#include <span>

#include "core/result.h"
#include "models/volatility.h"

namespace cx::ml {

struct VolEvaluation {
  size_t n = 0;                 // forecasts scored (days with a non-zero return)
  double qlike_garch = 0;       // mean QLIKE
  double qlike_rolling = 0;
  double ratio = 0;             // garch / rolling (< 1: GARCH better)
  GarchParams last;             // parameters of the last refit
};
// GARCH (Student-t likelihood, zero mean) is refitted every `refit_every` days on the
// last `fit_window` returns (default: all the past); the
// benchmark is the mean of the last `rolling_window` squared returns. Days with a zero
// return are skipped (QLIKE is undefined for a zero proxy).
Result<VolEvaluation> EvaluateVolatility(std::span<const double> returns, size_t min_train = 500,
                                         int refit_every = 20, size_t fit_window = 1000000,
                                         size_t rolling_window = 20);

struct VarBacktest {
  size_t n = 0, exceedances = 0;
  double rate = 0;
};
// One-day historical VaR at `level` from the previous `window` returns, compared with
// the next return.
Result<VarBacktest> BacktestHistoricalVar(std::span<const double> returns, size_t window = 250,
                                          double level = 0.99);

}  // namespace cx::ml
