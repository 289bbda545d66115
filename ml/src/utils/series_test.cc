#include "utils/series.h"

#include <gtest/gtest.h>

namespace cx::ml {

constexpr int64_t kDay = 86'400'000'000;

TEST(DailyCloses, LastTradeOfEachUtcDayInTimeOrder) {
  // 2024-03-01 is day 19783 since the epoch (hand count: 54 years, 13 leap days + Jan + Feb).
  const int64_t d0 = 19783 * kDay;
  std::vector<TimedPrice> p = {
      {d0 + 5, 10.0}, {d0 + kDay - 1, 11.0}, {d0 + 3, 9.0},  // day 1: last is 11 (unsorted input)
      {d0 + 2 * kDay + 7, 12.0}, {d0 + 2 * kDay + 7, 12.5},   // day 3: equal timestamps, later wins
      {d0 + 2 * kDay + 1, 0.0},                               // skipped: not a price
  };
  DailySeries s = DailyCloses(p);
  ASSERT_EQ(s.closes.size(), 2u);  // day 2 had no trades: absent, not filled forward
  EXPECT_EQ(s.dates[0], "2024-03-01");
  EXPECT_EQ(s.dates[1], "2024-03-03");
  EXPECT_DOUBLE_EQ(s.closes[0], 11.0);
  EXPECT_DOUBLE_EQ(s.closes[1], 12.5);
}

TEST(DailyCloses, EmptyAndCalendarEdges) {
  EXPECT_TRUE(DailyCloses({}).closes.empty());
  EXPECT_EQ(IsoDateFromDays(0), "1970-01-01");
  EXPECT_EQ(IsoDateFromDays(-1), "1969-12-31");
  EXPECT_EQ(IsoDateFromDays(11016), "2000-02-29");  // leap day of a century leap year
  EXPECT_EQ(IsoDateFromDays(11017), "2000-03-01");
  std::vector<TimedPrice> neg = {{-1, 5.0}};
  EXPECT_EQ(DailyCloses(neg).dates[0], "1969-12-31");
}

}  // namespace cx::ml
