#include "marketdata/types.h"

#include <algorithm>

namespace cx::marketdata {

std::string_view VenueName(Venue v) { return v == Venue::kOnchain ? "onchain" : "exchange"; }

std::string_view SideName(Side s) { return s == Side::kBuy ? "buy" : "sell"; }

Result<void> ValidateTrade(const Trade& t) {
  if (!t.instrument.valid()) return Err(Code::kInvalidField, "instrument id is zero", "instrument");
  if (t.ts_us < 0) return Err(Code::kInvalidField, "timestamp before the epoch", "ts");
  if (t.price <= 0 || t.price > kMaxPrice)
    return Err(Code::kInvalidField, "price must be in 1..10^15 minor units", "price");
  if (t.qty_kg <= 0 || t.qty_kg > kMaxQtyKg)
    return Err(Code::kInvalidField, "quantity must be in 1..10^12 kg", "qty");
  if (t.taker_side != Side::kBuy && t.taker_side != Side::kSell)
    return Err(Code::kInvalidField, "unknown taker side", "side");
  if (t.categories & ~kKnownCategoryFlags)
    return Err(Code::kInvalidField, "unknown category flag", "categories");
  if (t.venue != Venue::kExchange && t.venue != Venue::kOnchain)
    return Err(Code::kInvalidField, "unknown venue", "venue");
  return Ok();
}

Result<int64_t> NotionalMinor64(Int128 milli) {
  Int128 m = MilliToMinor(milli);
  if (m > INT64_MAX || m < INT64_MIN)
    return Err(Code::kOverflow, "notional does not fit in 64 bits", "notional");
  return static_cast<int64_t>(m);
}

std::optional<int64_t> VwapOf(Int128 sum_pq, int64_t sum_q) {
  if (sum_q <= 0) return std::nullopt;
  // sum_pq <= kMaxPrice * sum_q, so the quotient is at most kMaxPrice: fits.
  Int128 q = sum_pq / sum_q;
  Int128 r = sum_pq % sum_q;
  if (2 * r >= sum_q) q += 1;
  return static_cast<int64_t>(q);
}

std::string FormatDecimal128(Int128 v, int scale) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  std::string out;
  if (neg) out.push_back('-');
  if (scale > 0) {
    out.append(digits, 0, digits.size() - scale);
    out.push_back('.');
    out.append(digits, digits.size() - scale, scale);
  } else {
    out.append(digits);
  }
  return out;
}

int64_t IntervalUs(Interval i) {
  switch (i) {
    case Interval::k1m: return kUsPerMinute;
    case Interval::k5m: return 5 * kUsPerMinute;
    case Interval::k1h: return kUsPerHour;
    case Interval::k1d: return kUsPerDay;
  }
  return kUsPerMinute;
}

std::string_view IntervalName(Interval i) {
  switch (i) {
    case Interval::k1m: return "1m";
    case Interval::k5m: return "5m";
    case Interval::k1h: return "1h";
    case Interval::k1d: return "1d";
  }
  return "?";
}

Result<Interval> ParseInterval(std::string_view s) {
  for (Interval i : kIntervals)
    if (IntervalName(i) == s) return i;
  return Err(Code::kInvalidField, "interval must be one of 1m, 5m, 1h, 1d", "interval");
}

}  // namespace cx::marketdata
