// RollingWindow: the trades of the last `length_us` microseconds with their sums, first and
// last price, and running high/low, all maintained in O(1) amortized per trade.
//
// A trade at ts belongs to the window as of time `now` iff now - length_us < ts <= now.
// Add() must be called with non-decreasing ts (callers validate; see MarketData); Expire()
// drops trades that left the window. High/low use monotonic deques: each trade enters and
// leaves each deque at most once. Sums are exact (kg in int64, price*kg in 128 bits); the
// owner guarantees they cannot overflow (see MarketData's lifetime bound).
// Not thread-safe: one owner.
#pragma once
#include <cstdint>

#include "marketdata/ring.h"
#include "marketdata/types.h"

namespace cx::marketdata {

class RollingWindow {
 public:
  // track_extremes = false skips high/low (a VWAP-only window): high()/low() are then
  // not to be called.
  explicit RollingWindow(int64_t length_us, bool track_extremes = true)
      : length_us_(length_us), extremes_(track_extremes) {}

  void Add(int64_t ts_us, int64_t price, int64_t qty_kg);
  void Expire(int64_t now_us);

  int64_t length_us() const { return length_us_; }
  bool empty() const { return trades_.empty(); }
  int64_t count() const { return static_cast<int64_t>(trades_.size()); }
  int64_t volume_kg() const { return volume_kg_; }
  Int128 notional_milli() const { return notional_milli_; }
  // Only meaningful when !empty().
  int64_t open() const { return trades_.front().price; }
  int64_t last() const { return trades_.back().price; }
  int64_t high() const { return max_.front().price; }
  int64_t low() const { return min_.front().price; }
  std::optional<int64_t> vwap() const { return VwapOf(notional_milli_, volume_kg_); }

  // Sums over the trades with ts > from_us, scanning back from the newest: O(trades found).
  struct Sums {
    int64_t count = 0;
    int64_t volume_kg = 0;
    Int128 notional_milli = 0;
  };
  Sums SumSince(int64_t from_us) const;

 private:
  struct Entry {
    int64_t ts_us = 0;
    int64_t price = 0;
    int64_t qty_kg = 0;
    uint64_t n = 0;  // arrival number, identifies the entry in the extreme deques
  };
  struct Extreme {
    uint64_t n = 0;
    int64_t price = 0;
  };
  int64_t length_us_;
  bool extremes_;
  Ring<Entry> trades_;
  Ring<Extreme> max_;  // prices strictly decreasing from front to back
  Ring<Extreme> min_;  // prices strictly increasing from front to back
  uint64_t next_n_ = 0;
  int64_t volume_kg_ = 0;
  Int128 notional_milli_ = 0;
};

}  // namespace cx::marketdata
