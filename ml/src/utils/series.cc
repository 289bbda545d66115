#include "utils/series.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cx::ml {

std::string IsoDateFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char b[32];
  std::snprintf(b, sizeof b, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return b;
}

DailySeries DailyCloses(std::span<const TimedPrice> prices) {
  std::vector<size_t> idx;
  idx.reserve(prices.size());
  for (size_t i = 0; i < prices.size(); ++i)
    if (std::isfinite(prices[i].price) && prices[i].price > 0) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return prices[a].ts_us < prices[b].ts_us; });
  constexpr int64_t kDayUs = 86'400'000'000;
  auto day_of = [](int64_t ts) { return ts >= 0 ? ts / kDayUs : -((-ts + kDayUs - 1) / kDayUs); };
  DailySeries out;
  int64_t cur = 0;
  for (size_t i : idx) {
    const int64_t d = day_of(prices[i].ts_us);
    if (out.closes.empty() || d != cur) {
      out.dates.push_back(IsoDateFromDays(d));
      out.closes.push_back(prices[i].price);
      cur = d;
    } else {
      out.closes.back() = prices[i].price;
    }
  }
  return out;
}

}  // namespace cx::ml
