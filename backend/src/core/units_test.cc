#include "core/units.h"

#include <gtest/gtest.h>

namespace cx {

TEST(Units, ParsesTonnesToKilograms) {
  EXPECT_EQ(ParseTonnesToKg("12.345").value(), 12345);
  EXPECT_EQ(ParseTonnesToKg("7").value(), 7000);
  EXPECT_EQ(ParseTonnesToKg("0.001").value(), 1);
  EXPECT_EQ(ParseTonnesToKg("-1.5").value(), -1500);
}

TEST(Units, RefusesMoreThanThreeDecimals) {
  auto r = ParseTonnesToKg("1.2345", "amount");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  EXPECT_EQ(r.error().field, "amount");
}

TEST(Units, RefusesGarbageAndOverflow) {
  EXPECT_FALSE(ParseTonnesToKg("").ok());
  EXPECT_FALSE(ParseTonnesToKg("1e3").ok());
  EXPECT_FALSE(ParseTonnesToKg("1.2.3").ok());
  EXPECT_FALSE(ParseTonnesToKg(".").ok());
  EXPECT_FALSE(ParseTonnesToKg("-").ok());
  EXPECT_EQ(ParseTonnesToKg("99999999999999999999").error().code, Code::kOverflow);
}

TEST(Units, FormatsRoundTrip) {
  for (int64_t v : {0L, 1L, 999L, 1000L, 123456789L, -5L, -1234L}) {
    EXPECT_EQ(ParseTonnesToKg(FormatKgAsTonnes(v)).value(), v) << v;
  }
  EXPECT_EQ(FormatKgAsTonnes(1), "0.001");
  EXPECT_EQ(FormatDecimal(1050, 2), "10.50");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
}

TEST(Units, CheckedArithmeticDetectsOverflow) {
  EXPECT_FALSE(CheckedAdd(INT64_MAX, 1).has_value());
  EXPECT_FALSE(CheckedMul(INT64_MAX / 2, 3).has_value());
  EXPECT_EQ(CheckedSub(5, 7).value(), -2);
  EXPECT_EQ(MulDiv(1001, 25, 10000).value(), 2);          // 2.5025 -> 2
  EXPECT_EQ(MulDiv(1001, 25, 10000, true).value(), 3);    // rounded up
  EXPECT_EQ(MulDiv(INT64_MAX, 2, 2).value(), INT64_MAX);  // 128-bit intermediate
  EXPECT_FALSE(MulDiv(1, 1, 0).has_value());
}

}  // namespace cx
