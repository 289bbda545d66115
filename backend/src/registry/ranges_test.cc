#include "registry/ranges.h"

#include <gtest/gtest.h>

#include <random>

namespace cx::registry {

TEST(RangeSet, AddMergesAdjacentRanges) {
  RangeSet s;
  s.Add(10, 20);
  s.Add(0, 10);
  s.Add(20, 30);
  ASSERT_EQ(s.ranges().size(), 1u);
  EXPECT_EQ(s.ranges()[0], (Range{0, 30}));
  s.Add(40, 50);
  EXPECT_EQ(s.ranges().size(), 2u);
  EXPECT_EQ(s.total(), 40);
}

TEST(RangeSet, TakeLowestSplitsRanges) {
  RangeSet s;
  s.Add(0, 10);
  s.Add(20, 30);
  Ranges got = s.TakeLowest(15);
  EXPECT_EQ(got, (Ranges{{0, 10}, {20, 25}}));
  EXPECT_EQ(s.ranges(), (Ranges{{25, 30}}));
  EXPECT_EQ(s.total(), 5);
}

TEST(RangeSet, RemoveInMiddleSplits) {
  RangeSet s;
  s.Add(0, 100);
  ASSERT_TRUE(s.ContainsAll({{10, 20}, {50, 60}}));
  s.RemoveAll({{10, 20}, {50, 60}});
  EXPECT_EQ(s.ranges(), (Ranges{{0, 10}, {20, 50}, {60, 100}}));
  EXPECT_FALSE(s.Contains(5, 15));
  EXPECT_TRUE(s.Overlaps(5, 15));
  EXPECT_FALSE(s.Overlaps(10, 20));
  EXPECT_EQ(s.total(), 80);
}

TEST(RangeSet, RandomOperationsMatchABitmap) {
  uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::vector<bool> bits(500, false);
  RangeSet s;
  for (int step = 0; step < 5000; ++step) {
    int64_t lo = static_cast<int64_t>(rng() % 500), len = 1 + static_cast<int64_t>(rng() % 20);
    int64_t hi = std::min<int64_t>(500, lo + len);
    if (rng() % 2) {
      if (!s.Overlaps(lo, hi)) {
        s.Add(lo, hi);
        for (int64_t k = lo; k < hi; ++k) bits[k] = true;
      }
    } else if (s.total() > 0) {
      int64_t q = 1 + static_cast<int64_t>(rng() % s.total());
      for (const auto& r : s.TakeLowest(q))
        for (int64_t k = r.first; k < r.second; ++k) bits[k] = false;
    }
    int64_t count = 0;
    for (bool b : bits) count += b;
    ASSERT_EQ(count, s.total());
    for (size_t i = 1; i < s.ranges().size(); ++i)
      ASSERT_LT(s.ranges()[i - 1].second, s.ranges()[i].first);  // disjoint, not adjacent
  }
}

}  // namespace cx::registry
