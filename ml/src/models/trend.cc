#include "models/trend.h"

#include <cmath>
#include <limits>

#include "models/volatility.h"
#include "utils/stats.h"

namespace cx::ml {

std::string_view RegimeName(Regime r) {
  switch (r) {
    case Regime::kUp: return "up";
    case Regime::kDown: return "down";
    case Regime::kSideways: return "sideways";
    default: return "unknown";
  }
}

std::vector<double> MovingAverage(std::span<const double> x, size_t w) {
  std::vector<double> out(x.size(), std::numeric_limits<double>::quiet_NaN());
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    s += x[i];
    if (i >= w) s -= x[i - w];
    if (i + 1 >= w) out[i] = s / static_cast<double>(w);
  }
  return out;
}

std::vector<Regime> MaRegimes(std::span<const double> p, const RegimeOptions& o) {
  auto ms = MovingAverage(p, o.short_window), ml = MovingAverage(p, o.long_window);
  std::vector<Regime> out(p.size(), Regime::kUnknown);
  for (size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(ml[i]) || std::isnan(ms[i])) continue;
    const double gap = ms[i] / ml[i] - 1;
    if (gap > o.band && p[i] > ml[i]) out[i] = Regime::kUp;
    else if (gap < -o.band && p[i] < ml[i]) out[i] = Regime::kDown;
    else out[i] = Regime::kSideways;
  }
  return out;
}

std::vector<double> Momentum(std::span<const double> p, size_t k) {
  std::vector<double> out(p.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t i = k; i < p.size(); ++i) out[i] = p[i] / p[i - k] - 1;
  return out;
}

std::vector<double> Drawdown(std::span<const double> p) {
  std::vector<double> out(p.size());
  double peak = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    peak = std::max(peak, p[i]);
    out[i] = peak > 0 ? p[i] / peak - 1 : 0;
  }
  return out;
}

double MaxDrawdown(std::span<const double> p) {
  double m = 0;
  for (double d : Drawdown(p)) m = std::min(m, d);
  return m;
}

std::vector<double> ReferenceIndex(std::span<const double> p, size_t from, double base) {
  std::vector<double> out;
  if (from >= p.size() || !(p[from] > 0)) return out;
  for (double x : p) out.push_back(base * x / p[from]);
  return out;
}

TrendSummary SummarizeTrend(std::span<const double> p, const RegimeOptions& o) {
  TrendSummary s;
  if (p.empty()) return s;
  s.regime = MaRegimes(p, o).back();
  auto m20 = Momentum(p, 20), m60 = Momentum(p, 60);
  s.momentum_20 = std::isnan(m20.back()) ? 0 : m20.back();
  s.momentum_60 = std::isnan(m60.back()) ? 0 : m60.back();
  auto dd = Drawdown(p);
  s.drawdown = dd.back();
  s.max_drawdown = MaxDrawdown(p);
  auto r = LogReturns(p);
  if (r.size() >= 20) s.realized_vol_20 = RealizedVol(r, 20).back();
  return s;
}

Liquidity ComputeLiquidity(std::span<const QuoteSnapshot> q, std::span<const TradePrint> t) {
  Liquidity l;
  size_t two = 0;
  double spread = 0, depth = 0;
  for (const auto& s : q) {
    depth += static_cast<double>(s.bid_qty + s.ask_qty);
    if (s.bid > 0 && s.ask > 0 && s.ask >= s.bid) {
      const double mid = 0.5 * static_cast<double>(s.bid + s.ask);
      spread += 1e4 * static_cast<double>(s.ask - s.bid) / mid;
      ++two;
    }
  }
  l.mean_spread_bps = two ? spread / static_cast<double>(two) : 0;
  l.mean_depth_kg = q.empty() ? 0 : depth / static_cast<double>(q.size());
  __int128 turnover = 0;
  for (const auto& x : t) {
    turnover += static_cast<__int128>(x.price) * x.qty;
    l.volume_kg += x.qty;
  }
  l.turnover_cents = static_cast<int64_t>(turnover / 1000);
  l.trades = t.size();
  return l;
}

}  // namespace cx::ml
