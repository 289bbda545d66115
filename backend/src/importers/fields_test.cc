#include "importers/fields.h"

#include <gtest/gtest.h>

namespace cx::importers {
namespace {

int64_t Kg(std::string_view s) {
  auto r = ParseTonnesKg(s, "q");
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : -1;
}

TEST(Fields, QuantitiesWithThousandsSeparatorsAndFloats) {
  EXPECT_EQ(Kg("1,454,054"), 1454054000);
  EXPECT_EQ(Kg("425"), 425000);
  EXPECT_EQ(Kg(" 28,571 "), 28571000);
  EXPECT_EQ(Kg("79565.0"), 79565000);
  EXPECT_EQ(Kg("2710.062"), 2710062);
  EXPECT_EQ(Kg("0.0005"), 1);  // half a kg rounds up
  EXPECT_EQ(Kg("0.0004"), 0);
  EXPECT_EQ(Kg("1.5e3"), 1500000);
  EXPECT_EQ(Kg("1,000.25"), 1000250);
  EXPECT_EQ(Kg("+7"), 7000);
}

TEST(Fields, QuantityRefusals) {
  for (std::string_view bad : {"", "  ", "-5", "abc", "1,23", "12,3456", "1.2.3", "1e", "5 t",
                               ",100", "1,,000", "1.0,000"}) {
    auto r = ParseTonnesKg(bad, "qty");
    EXPECT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.error().field, "qty");
    }
  }
  auto big = ParseTonnesKg("99999999999999999999", "qty");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Code::kOverflow);
}

TEST(Fields, KilogramsReadExactly) {
  auto r = ParseScaledQuantity("2765370", 0, "kg");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2765370);
}

TEST(Fields, Years) {
  EXPECT_EQ(*ParseYear("2024", "v"), 2024);
  EXPECT_EQ(*ParseYear("2024.0", "v"), 2024);
  EXPECT_FALSE(ParseYear("24", "v").ok());
  EXPECT_FALSE(ParseYear("", "v").ok());
  EXPECT_FALSE(ParseYear("1800", "v").ok());
  EXPECT_FALSE(ParseYear("2024.5", "v").ok());
}

TEST(Fields, DatesInEveryRegistryFormat) {
  EXPECT_EQ(*ParseDate("2026-04-03", "d"), "2026-04-03");
  EXPECT_EQ(*ParseDate("2026-04-13T12:35:58.842275", "d"), "2026-04-13");
  EXPECT_EQ(*ParseDate("2026-04-14T16:50:41.621676Z", "d"), "2026-04-14");
  EXPECT_EQ(*ParseDate("2022-02-24 20:20:59", "d"), "2022-02-24");
  EXPECT_EQ(*ParseDate("3/24/2026 9:08:01 PM", "d"), "2026-03-24");
  EXPECT_EQ(*ParseDate("03/19/2026", "d"), "2026-03-19");
  EXPECT_EQ(*ParseDate("1/15/2020", "d"), "2020-01-15");
  EXPECT_EQ(*ParseDate("2024-02-29", "d"), "2024-02-29");
}

TEST(Fields, DateRefusals) {
  for (std::string_view bad :
       {"", "2023-02-29", "2026-13-01", "2026-04-31", "13/01/2026", "1/1/26", "1/1/2026x",
        "1/1/20261", "2026/04/03", "yesterday", "2026-4-3x", "20260403"}) {
    EXPECT_FALSE(ParseDate(bad, "d").ok()) << "accepted \"" << bad << "\"";
  }
  EXPECT_EQ(*ParseOptionalDate("  ", "d"), "");
}

TEST(Fields, YesNo) {
  EXPECT_EQ(ParseYesNo("Yes"), Tri::kYes);
  EXPECT_EQ(ParseYesNo(" no "), Tri::kNo);
  EXPECT_EQ(ParseYesNo("Not Applicable"), Tri::kNo);
  EXPECT_EQ(ParseYesNo(""), Tri::kUnknown);
  EXPECT_EQ(ParseYesNo("maybe"), Tri::kUnknown);
}

TEST(Fields, HeadersNormalize) {
  EXPECT_EQ(NormalizeHeader("  Status Effective  (GMT) "), "status effective (gmt)");
  EXPECT_EQ(NormalizeHeader("Program  Country"), "program country");
}

TEST(Fields, ClassificationFromText) {
  using M = RemovalOrReduction;
  using N = NatureOrTechnical;
  EXPECT_EQ(InferMitigation({"Agriculture Forestry and Other Land Use", "ARR"}), M::kRemoval);
  EXPECT_EQ(InferMitigation({"Agriculture Forestry and Other Land Use", "REDD"}), M::kReduction);
  EXPECT_EQ(InferMitigation({"Agriculture Forestry and Other Land Use", "IFM"}), M::kUnknown);
  EXPECT_EQ(InferMitigation({"Ozone Depleting Substances"}), M::kReduction);
  EXPECT_EQ(InferMitigation({"A/R"}), M::kRemoval);
  EXPECT_EQ(InferMitigation({"biomass_carbon_removal_and_storage"}), M::kRemoval);
  EXPECT_EQ(InferMitigation({"Energy Efficiency - Domestic"}), M::kReduction);
  EXPECT_EQ(InferMitigation({"Other"}), M::kUnknown);
  // Whole words only: "methods" does not mean ODS, "Carr" does not mean ARR.
  EXPECT_EQ(InferMitigation({"Carr methods"}), M::kUnknown);

  EXPECT_EQ(InferNature({"Agriculture Forestry and Other Land Use"}), N::kNature);
  EXPECT_EQ(InferNature({"Forestry - MX"}), N::kNature);
  EXPECT_EQ(InferNature({"Mangrove-Restoration"}), N::kNature);
  EXPECT_EQ(InferNature({"Coal Mine Methane"}), N::kTechnical);
  EXPECT_EQ(InferNature({"direct_air_capture"}), N::kTechnical);
  EXPECT_EQ(InferNature({"Other"}), N::kUnknown);
}

}  // namespace
}  // namespace cx::importers
