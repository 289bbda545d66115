// Market-data value types: the trade record every aggregation consumes, candle intervals,
// and exact integer helpers for notional and VWAP.
//
// Units (no floating point anywhere):
// - price: integer minor units of the quote currency (cents) per tonne of CO2e.
// - qty_kg: integer kilograms of CO2e.
// - ts_us: microseconds since the Unix epoch, stamped by the engine and passed in; this
//   module never reads a clock.
// - notional: price * qty_kg / 1000 minor units. Aggregates keep it EXACT as a 128-bit
//   "milli-notional" (price * qty_kg, i.e. minor units x 10^-3) and round only when a
//   value is shown: to the nearest minor unit, halves rounded up (all operands are
//   positive). So a candle's notional is the rounded exact sum, not a sum of roundings.
// - VWAP = sum(price * qty_kg) / sum(qty_kg), rounded to the nearest minor unit, halves up.
// Thread-safety: plain values and pure functions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/strong.h"

namespace cx::marketdata {

using Int128 = __int128;
inline constexpr Int128 kInt128Max = static_cast<Int128>(~static_cast<unsigned __int128>(0) >> 1);

enum class Side : uint8_t { kBuy = 0, kSell = 1 };
std::string_view SideName(Side s);  // "buy" / "sell"

// Where a trade printed (issue 9): the exchange's own book, or the on-chain CarbonMarket
// venue (a ListingFilled log indexed by the chain worker). Trade ids are unique per venue.
enum class Venue : uint8_t { kExchange = 0, kOnchain = 1 };
inline constexpr int kVenueCount = 2;
std::string_view VenueName(Venue v);  // "exchange" / "onchain"

// Category flags of the instrument a trade printed in (a bit set; a standard contract or
// batch may be, e.g., nature-based AND a removal).
enum CategoryFlag : uint8_t {
  kNatureBased = 1,
  kTechnical = 2,
  kRemoval = 4,
};
inline constexpr uint8_t kKnownCategoryFlags = kNatureBased | kTechnical | kRemoval;

// Input bounds (the same as the matching core's): a price * qty product is below 10^27,
// so 128-bit sums (max ~1.7 * 10^38) hold more than 10^11 maximal trades.
inline constexpr int64_t kMaxPrice = 1'000'000'000'000'000;  // 10^15 minor units per tonne
inline constexpr int64_t kMaxQtyKg = 1'000'000'000'000;      // 10^12 kg

struct Trade {
  InstrumentId instrument;
  TradeId id;               // strictly increasing per instrument (duplicates are refused)
  int64_t ts_us = 0;        // >= 0, non-decreasing per aggregator
  int64_t price = 0;        // minor units per tonne, 1..kMaxPrice
  int64_t qty_kg = 0;       // 1..kMaxQtyKg
  Side taker_side = Side::kBuy;
  uint8_t categories = 0;   // CategoryFlag bits
  Venue venue = Venue::kExchange;
};

// Field-level checks shared by every aggregator: kInvalidField with the field name.
Result<void> ValidateTrade(const Trade& t);

// Exact price * qty_kg (minor units x 10^-3).
inline Int128 MilliNotional(int64_t price, int64_t qty_kg) {
  return static_cast<Int128>(price) * qty_kg;
}
// Milli-notional -> minor units, nearest, halves up (x >= 0).
inline Int128 MilliToMinor(Int128 milli) { return (milli + 500) / 1000; }
// Notional of one trade in minor units (always fits: < 10^24 needs 128 bits, see
// NotionalMinor64 for an int64 view).
inline Int128 TradeNotionalMinor(const Trade& t) {
  return MilliToMinor(MilliNotional(t.price, t.qty_kg));
}
// An exact milli-notional as int64 minor units, or kOverflow if it does not fit.
Result<int64_t> NotionalMinor64(Int128 milli);
// sum_pq / sum_q rounded to nearest (halves up); nullopt when sum_q == 0.
std::optional<int64_t> VwapOf(Int128 sum_pq, int64_t sum_q);
// True when a + b would overflow (a, b >= 0).
inline bool AddOverflows(Int128 a, Int128 b) { return a > kInt128Max - b; }

// Decimal string of a 128-bit integer with `scale` fraction digits (like FormatDecimal).
std::string FormatDecimal128(Int128 v, int scale);

// Candle intervals.
enum class Interval : uint8_t { k1m = 0, k5m = 1, k1h = 2, k1d = 3 };
inline constexpr int kIntervalCount = 4;
inline constexpr Interval kIntervals[kIntervalCount] = {Interval::k1m, Interval::k5m,
                                                        Interval::k1h, Interval::k1d};
inline constexpr int64_t kUsPerSecond = 1'000'000;
inline constexpr int64_t kUsPerMinute = 60 * kUsPerSecond;
inline constexpr int64_t kUsPerHour = 60 * kUsPerMinute;
inline constexpr int64_t kUsPerDay = 24 * kUsPerHour;
int64_t IntervalUs(Interval i);
std::string_view IntervalName(Interval i);                 // "1m" "5m" "1h" "1d"
Result<Interval> ParseInterval(std::string_view s);        // kInvalidField "interval"

}  // namespace cx::marketdata
