#include "marketdata/market_data.h"

#include <algorithm>

namespace cx::marketdata {

MarketData::MarketData(InstrumentId instrument, MarketDataOptions options)
    : instrument_(instrument),
      options_(std::move(options)),
      stats_(std::max<int64_t>(options_.stats_window_us, 1)) {
  // Configuration, not input: out-of-range values are clamped to the nearest valid one.
  if (options_.max_candles == 0) options_.max_candles = 1;
  if (options_.max_recent_trades == 0) options_.max_recent_trades = 1;
  for (int64_t w : options_.vwap_windows_us) vwap_windows_.emplace_back(std::max<int64_t>(w, 1), false);
}

std::optional<int64_t> MarketData::last_price() const {
  if (!last_trade_) return std::nullopt;
  return last_trade_->price;
}

std::vector<Trade> MarketData::RecentTrades(size_t n) const {
  size_t k = (n == 0 || n > recent_.size()) ? recent_.size() : n;
  std::vector<Trade> out;
  out.reserve(k);
  for (size_t i = recent_.size() - k; i < recent_.size(); ++i) out.push_back(recent_[i]);
  return out;
}

Result<void> MarketData::Check(const Trade& t) const {
  CX_TRY(ValidateTrade(t));
  if (t.instrument != instrument_)
    return Err(Code::kInvalidField, "trade is for another instrument", "instrument");
  if (t.ts_us < now_us_)
    return Err(Code::kInvalidField, "trade is older than the aggregator's time", "ts");
  const auto& last_id = last_id_.at(static_cast<size_t>(t.venue));
  if (last_id && t.id.value() <= *last_id)
    return Err(Code::kConflict, "trade id not after the last trade (duplicate?)", "id");
  int64_t vol;
  if (__builtin_add_overflow(lifetime_volume_kg_, t.qty_kg, &vol))
    return Err(Code::kOverflow, "lifetime volume would overflow", "qty");
  const Int128 pq = MilliNotional(t.price, t.qty_kg);
  if (lifetime_notional_milli_ > options_.max_lifetime_notional_milli - pq)
    return Err(Code::kOverflow, "lifetime notional would overflow", "price");
  return Ok();
}

Result<void> MarketData::Apply(const Trade& t) {
  CX_TRY(Check(t));
  // Validated: mutate.
  const Int128 pq = MilliNotional(t.price, t.qty_kg);
  lifetime_volume_kg_ += t.qty_kg;
  lifetime_notional_milli_ += pq;
  ++lifetime_trades_;
  now_us_ = t.ts_us;
  last_trade_ = t;
  last_id_.at(static_cast<size_t>(t.venue)) = t.id.value();
  recent_.push_back(t);
  while (recent_.size() > options_.max_recent_trades) recent_.pop_front();
  AddToCandles(t);
  stats_.Add(t.ts_us, t.price, t.qty_kg);
  for (RollingWindow& w : vwap_windows_) w.Add(t.ts_us, t.price, t.qty_kg);
  ExpireWindows();
  session_.volume_kg += t.qty_kg;
  session_.notional_milli += pq;
  session_.trades += 1;
  return Ok();
}

Result<void> MarketData::AdvanceTime(int64_t now_us) {
  if (now_us < now_us_) return Err(Code::kInvalidField, "time cannot go back", "ts");
  now_us_ = now_us;
  ExpireWindows();
  return Ok();
}

void MarketData::StartSession() { session_ = VwapResult{}; }

void MarketData::ExpireWindows() {
  stats_.Expire(now_us_);
  for (RollingWindow& w : vwap_windows_) w.Expire(now_us_);
}

void MarketData::AddToCandles(const Trade& t) {
  for (Interval i : kIntervals) {
    const int64_t len = IntervalUs(i);
    const int64_t start = t.ts_us - t.ts_us % len;  // ts >= 0: floor
    auto& series = candles_[static_cast<size_t>(i)];
    if (series.empty() || series.back().start_us != start) {
      Candle c;
      c.start_us = start;
      c.open = c.high = c.low = t.price;
      series.push_back(c);
      if (series.size() > options_.max_candles) series.pop_front();
    }
    Candle& c = series.back();
    c.high = std::max(c.high, t.price);
    c.low = std::min(c.low, t.price);
    c.close = t.price;
    c.volume_kg += t.qty_kg;
    c.notional_milli += MilliNotional(t.price, t.qty_kg);
    c.trades += 1;
  }
}

std::vector<Candle> MarketData::Candles(Interval i, int64_t from_us, int64_t to_us,
                                        size_t limit) const {
  const auto& series = candles_[static_cast<size_t>(i)];
  auto lo = std::lower_bound(series.begin(), series.end(), from_us,
                             [](const Candle& c, int64_t v) { return c.start_us < v; });
  auto hi = std::lower_bound(lo, series.end(), to_us,
                             [](const Candle& c, int64_t v) { return c.start_us < v; });
  if (limit > 0 && static_cast<size_t>(hi - lo) > limit) lo = hi - static_cast<ptrdiff_t>(limit);
  return std::vector<Candle>(lo, hi);
}

RollingStats MarketData::Stats() const {
  RollingStats s;
  s.window_us = stats_.length_us();
  s.as_of_us = now_us_;
  s.last = last_price();
  s.trades = stats_.count();
  s.volume_kg = stats_.volume_kg();
  s.notional_milli = stats_.notional_milli();
  if (!stats_.empty()) {
    s.open = stats_.open();
    s.high = stats_.high();
    s.low = stats_.low();
    s.last = stats_.last();
    s.change = *s.last - *s.open;
    // 128-bit: change * 10^4 can exceed int64 (price 1 -> 10^15); saturate the result.
    Int128 bp = static_cast<Int128>(*s.change) * 10000 / *s.open;
    s.change_bp = static_cast<int64_t>(std::clamp<Int128>(bp, INT64_MIN, INT64_MAX));
    s.vwap = stats_.vwap();
  }
  return s;
}

Result<VwapResult> MarketData::Vwap(int64_t window_us) const {
  VwapResult r;
  for (const RollingWindow& w : vwap_windows_) {
    if (w.length_us() == window_us) {
      r.trades = w.count();
      r.volume_kg = w.volume_kg();
      r.notional_milli = w.notional_milli();
      r.vwap = w.vwap();
      return r;
    }
  }
  if (window_us <= 0 || window_us > stats_.length_us())
    return Err(Code::kInvalidField, "VWAP window must be configured or in 1..stats window",
               "window");
  RollingWindow::Sums s = stats_.SumSince(now_us_ - window_us);
  r.trades = s.count;
  r.volume_kg = s.volume_kg;
  r.notional_milli = s.notional_milli;
  r.vwap = VwapOf(s.notional_milli, s.volume_kg);
  return r;
}

VwapResult MarketData::SessionVwap() const {
  VwapResult r = session_;
  r.vwap = VwapOf(r.notional_milli, r.volume_kg);
  return r;
}

}  // namespace cx::marketdata
