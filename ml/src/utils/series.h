// Daily close series from timestamped trade prices (the exchange's fills), for the
// analytics that work on daily data (forecasts, volatility, trend, portfolio VaR).
// Pure functions, no I/O, no clock; thread-safe.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cx::ml {

struct TimedPrice {
  int64_t ts_us = 0;  // microseconds since the Unix epoch (UTC)
  double price = 0;   // > 0
};

struct DailySeries {
  std::vector<std::string> dates;  // ISO YYYY-MM-DD (UTC), ascending, one per trading day
  std::vector<double> closes;      // the last price of each day
};

// One close per UTC calendar day that has trades: the price of the day's last trade (the
// latest timestamp; among equal timestamps the later element of `prices`). Input need
// not be sorted. Non-positive or non-finite prices are skipped. Days without trades are
// absent (no filling forward).
DailySeries DailyCloses(std::span<const TimedPrice> prices);

// ISO date (UTC) of a count of days since 1970-01-01 (Hinnant's civil_from_days).
std::string IsoDateFromDays(int64_t days);

}  // namespace cx::ml
