// MarketData: the per-instrument aggregator fed the instrument's trades in order.
// Maintains last price, OHLCV candles (1m, 5m, 1h, 1d) with bounded history, VWAP over
// configured rolling windows and since the session start, rolling 24-hour statistics and
// a bounded list of recent trades.
//
// Contract:
// - Apply(trade) validates the whole trade first; on error nothing changed. Refused:
//   bad fields (kInvalidField, see ValidateTrade), another instrument (kInvalidField
//   "instrument"), ts earlier than the aggregator's time (kInvalidField "ts"), a trade id
//   not greater than the last one of the same venue (kConflict "id": duplicate or
//   replayed trade; exchange and on-chain trades have separate id spaces), and a
//   trade that would take the lifetime volume past INT64_MAX kg or the lifetime
//   price*kg sum past options.max_lifetime_notional_milli (kOverflow). Every aggregate is a
//   sum over a subset of the lifetime trades, so that one check keeps all sums exact.
// - Time is the caller's: Apply moves it to the trade's ts; AdvanceTime(now) moves it
//   without a trade (expires rolling windows); going back is refused (kInvalidField).
// - Candles: a trade at ts falls in the bucket starting at floor(ts / interval) * interval.
//   Only buckets with trades have candles (no filler candles for quiet periods). Each
//   interval keeps at most options.max_candles candles (oldest dropped first).
// - Rolling windows hold the trades with now - length < ts <= now.
// - No I/O, no clock, no threads. Not thread-safe: one owner (the market-data publisher).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "marketdata/ring.h"
#include "marketdata/types.h"
#include "marketdata/window.h"

namespace cx::marketdata {

struct Candle {
  int64_t start_us = 0;  // bucket start, a multiple of the interval
  int64_t open = 0;
  int64_t high = 0;
  int64_t low = 0;
  int64_t close = 0;
  int64_t volume_kg = 0;
  Int128 notional_milli = 0;  // exact sum of price * qty_kg; see types.h for rounding
  int64_t trades = 0;
};

// Rolling statistics (the 24-hour ticker). When trades == 0 the window is empty: open,
// high, low, change, change_bp and vwap are absent, and last is the last price ever seen
// (or absent before the first trade).
struct RollingStats {
  int64_t window_us = 0;
  int64_t as_of_us = 0;        // the aggregator's time
  int64_t trades = 0;
  std::optional<int64_t> open;  // first trade in the window
  std::optional<int64_t> high;
  std::optional<int64_t> low;
  std::optional<int64_t> last;
  std::optional<int64_t> change;     // last - open, minor units
  // (last - open) / open in basis points: an inherently fractional ratio, shown as an
  // integer number of basis points truncated toward zero (saturated at the int64 limits,
  // reachable only for a rise from 1 to near 10^15).
  std::optional<int64_t> change_bp;
  int64_t volume_kg = 0;
  Int128 notional_milli = 0;
  std::optional<int64_t> vwap;
};

struct VwapResult {
  std::optional<int64_t> vwap;  // absent when no volume
  int64_t volume_kg = 0;
  Int128 notional_milli = 0;
  int64_t trades = 0;
};

// Window lengths must be >= 1 us and counts >= 1; smaller values are clamped.
struct MarketDataOptions {
  size_t max_candles = 1000;                 // per interval, >= 1
  int64_t stats_window_us = kUsPerDay;        // the rolling statistics window
  // VWAP windows kept in O(1); other lengths up to stats_window_us are computed by a scan.
  std::vector<int64_t> vwap_windows_us = {5 * kUsPerMinute, kUsPerHour};
  size_t max_recent_trades = 1000;           // recent trades kept for REST /trades
  // Cap on the lifetime sum of price * qty_kg (a test hook and a sanity bound; the default
  // is the 128-bit maximum).
  Int128 max_lifetime_notional_milli = kInt128Max;
};

class MarketData {
 public:
  explicit MarketData(InstrumentId instrument, MarketDataOptions options = {});
  MarketData(const MarketData&) = delete;
  MarketData& operator=(const MarketData&) = delete;
  MarketData(MarketData&&) = default;

  [[nodiscard]] Result<void> Apply(const Trade& t);
  // The checks of Apply without applying: Apply(t) succeeds iff Check(t) does.
  [[nodiscard]] Result<void> Check(const Trade& t) const;
  [[nodiscard]] Result<void> AdvanceTime(int64_t now_us);
  // Starts a new session at the aggregator's current time: the session VWAP restarts.
  void StartSession();

  InstrumentId instrument() const { return instrument_; }
  int64_t now_us() const { return now_us_; }
  std::optional<int64_t> last_price() const;
  const std::optional<Trade>& last_trade() const { return last_trade_; }
  // The newest `n` kept trades (all kept when n == 0), oldest first.
  std::vector<Trade> RecentTrades(size_t n = 0) const;

  // All kept candles of an interval, oldest first (the last one may still be forming).
  const std::deque<Candle>& candles(Interval i) const {
    return candles_[static_cast<size_t>(i)];
  }
  // Candles with from_us <= start_us < to_us, oldest first; when limit > 0 only the
  // newest `limit` of them. O(log n + k).
  std::vector<Candle> Candles(Interval i, int64_t from_us, int64_t to_us,
                              size_t limit = 0) const;

  RollingStats Stats() const;  // over options.stats_window_us (24 h by default)
  // VWAP over the trades with now - window_us < ts <= now: O(1) for a configured window,
  // a scan for other windows up to stats_window_us; longer windows are refused
  // (kInvalidField "window").
  Result<VwapResult> Vwap(int64_t window_us) const;
  VwapResult SessionVwap() const;
  int64_t lifetime_trades() const { return lifetime_trades_; }

 private:
  void AddToCandles(const Trade& t);
  void ExpireWindows();

  InstrumentId instrument_;
  MarketDataOptions options_;
  int64_t now_us_ = 0;
  std::optional<Trade> last_trade_;
  std::array<std::optional<int64_t>, kVenueCount> last_id_;  // per venue
  Ring<Trade> recent_;
  std::array<std::deque<Candle>, kIntervalCount> candles_;
  RollingWindow stats_;
  std::vector<RollingWindow> vwap_windows_;
  VwapResult session_;
  int64_t lifetime_trades_ = 0;
  int64_t lifetime_volume_kg_ = 0;
  Int128 lifetime_notional_milli_ = 0;
};

}  // namespace cx::marketdata
