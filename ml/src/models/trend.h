// Market trend analysis on a daily price series and liquidity from the exchange's own
// quotes and trades. Pure functions over plain values, thread-safe.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace cx::ml {

enum class Regime : uint8_t { kUnknown, kUp, kDown, kSideways };
std::string_view RegimeName(Regime r);

struct RegimeOptions {
  size_t short_window = 20;
  size_t long_window = 50;
  double band = 0.01;  // |MA_short / MA_long - 1| below this is sideways
};
// Regime of each day: up when the short moving average is above the long one by more
// than `band` and the price is above the long average; down symmetrically; otherwise
// sideways. kUnknown until long_window prices exist.
std::vector<Regime> MaRegimes(std::span<const double> prices, const RegimeOptions& o = {});

// Simple moving average; NaN until `window` values exist.
std::vector<double> MovingAverage(std::span<const double> x, size_t window);
// Rate of change over `lookback` days: p[t] / p[t - lookback] - 1; NaN before.
std::vector<double> Momentum(std::span<const double> prices, size_t lookback);
// Drawdown from the running maximum, <= 0 (e.g. -0.25 = 25 % below the peak).
std::vector<double> Drawdown(std::span<const double> prices);
double MaxDrawdown(std::span<const double> prices);

// An external price series (e.g. EUA futures from a data provider's file) rebased to
// `base` at index `from`, to show beside the exchange's own prices as a reference index.
// Empty if from is out of range or the base price is not positive.
std::vector<double> ReferenceIndex(std::span<const double> prices, size_t from = 0, double base = 100.0);

struct TrendSummary {
  Regime regime = Regime::kUnknown;
  double momentum_20 = 0, momentum_60 = 0;
  double drawdown = 0, max_drawdown = 0;
  double realized_vol_20 = 0;  // per day
};
TrendSummary SummarizeTrend(std::span<const double> prices, const RegimeOptions& o = {});

// Liquidity inputs from the exchange: top-of-book snapshots and trades (integer cents,
// kilograms, milliseconds).
struct QuoteSnapshot {
  int64_t ts_ms = 0;
  int64_t bid = 0, ask = 0;          // cents; 0 = no quote on that side
  int64_t bid_qty = 0, ask_qty = 0;  // kg resting within the depth band
};
struct TradePrint {
  int64_t ts_ms = 0;
  int64_t price = 0;  // cents per tonne
  int64_t qty = 0;    // kg
};
struct Liquidity {
  double mean_spread_bps = 0;   // over two-sided snapshots
  double mean_depth_kg = 0;     // bid_qty + ask_qty
  int64_t turnover_cents = 0;   // sum price * qty / 1000
  int64_t volume_kg = 0;
  size_t trades = 0;
};
Liquidity ComputeLiquidity(std::span<const QuoteSnapshot> quotes, std::span<const TradePrint> trades);

}  // namespace cx::ml
