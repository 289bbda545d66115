#include "importers/serials.h"

#include <gtest/gtest.h>

namespace cx::importers {
namespace {

TEST(Serials, VerraBlock) {
  auto r =
      ParseVerraSerial("19385-941467007-941467431-VCS-VCU-1507-VER-ET-14-1340-01012020-31122020-1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->space, "VCS-VCU");
  EXPECT_EQ(r->start, 941467007);
  EXPECT_EQ(r->end, 941467431);
  EXPECT_EQ(r->tonnes(), 425);
  auto readme = ParseVerraSerial("0001-000001-000100-VCS-VCU-003-VER-US-0003-01012020-31122020-1");
  ASSERT_TRUE(readme.ok());
  EXPECT_EQ(readme->tonnes(), 100);
}

TEST(Serials, VerraRefusals) {
  for (std::string_view bad :
       {"", "19385-941467431-941467007-VCS-VCU-1", "19385-9414x7007-941467431-VCS-VCU-1",
        "19385-1-2-GS-VCU-1", "GS1-1-KE-GS11603-16-2025-30256-110-5463", "1-2-3-VCS",
        "1-1234567890123456789-1234567890123456790-VCS-VCU"}) {
    auto r = ParseVerraSerial(bad);
    EXPECT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.error().field, "serial");
    }
  }
}

TEST(Serials, ApxToRange) {
  auto car = ParseToRangeSerial("CAR-1-US-1335-31-983-KS-2025-9659-43177 to 43276");
  ASSERT_TRUE(car.ok());
  EXPECT_EQ(car->space, "CAR-1-US-1335-31-983-KS-2025-9659");
  EXPECT_EQ(car->start, 43177);
  EXPECT_EQ(car->end, 43276);
  EXPECT_EQ(car->tonnes(), 100);
  auto acr = ParseToRangeSerial("ACR-FR-1129-2025-2917-30932 to 35143");
  ASSERT_TRUE(acr.ok());
  EXPECT_EQ(acr->space, "ACR-FR-1129-2025-2917");
  EXPECT_EQ(acr->tonnes(), 4212);
  auto art = ParseToRangeSerial("ART-GY-102-2021-11-2759599 to 2760598");
  ASSERT_TRUE(art.ok());
  EXPECT_EQ(art->tonnes(), 1000);
  EXPECT_FALSE(ParseToRangeSerial("CAR-1-US-5000 to 1").ok());
  EXPECT_FALSE(ParseToRangeSerial("CAR-1-US-1-5000").ok());
  EXPECT_FALSE(ParseToRangeSerial("1 to 5").ok());
  EXPECT_FALSE(ParseToRangeSerial("CAR-1-x to 5").ok());
}

TEST(Serials, GoldStandardBlockAndCdmRange) {
  auto gs = ParseGoldStandardSerial("GS1-1-KE-GS11603-16-2025-30256-110-5463");
  ASSERT_TRUE(gs.ok());
  EXPECT_EQ(gs->space, "GS1-1-KE-GS11603-16-2025-30256");
  EXPECT_EQ(gs->start, 110);
  EXPECT_EQ(gs->end, 5463);
  EXPECT_EQ(gs->tonnes(), 5354);
  auto cdm = ParseGoldStandardSerial("RW-5-1463953-2-2-0-7014 - RW-5-1467609-2-2-0-7014");
  ASSERT_TRUE(cdm.ok()) << cdm.error().message;
  EXPECT_EQ(cdm->space, "RW-5-*-2-2-0-7014");
  EXPECT_EQ(cdm->tonnes(), 3657);
  EXPECT_FALSE(ParseGoldStandardSerial("GS1-1-KE-5463-110").ok());
  EXPECT_FALSE(ParseGoldStandardSerial("RW-5-1-2 - RW-6-3-2").ok());    // two parts differ
  EXPECT_FALSE(ParseGoldStandardSerial("RW-5-1-2 - RW-5-1-2-3").ok());  // shapes differ
  EXPECT_FALSE(ParseGoldStandardSerial("RW-A-1 - RW-B-1").ok());        // not a number
  EXPECT_FALSE(ParseGoldStandardSerial("5463").ok());
}

TEST(Serials, SameSpaceMeansComparableRanges) {
  auto a = ParseGoldStandardSerial("GS1-1-MG-GS7566-16-2023-29960-1-52");
  auto b = ParseGoldStandardSerial("GS1-1-MG-GS7566-16-2023-29960-53-53");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->space, b->space);
  EXPECT_EQ(a->end + 1, b->start);
}

}  // namespace
}  // namespace cx::importers
