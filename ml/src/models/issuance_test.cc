#include "models/issuance.h"

#include <gtest/gtest.h>

namespace cx::ml {

TEST(Issuance, NormalizesProjectNames) {
  EXPECT_EQ(NormalizeProjectName("The Kariba REDD+ Project, Ltd."), "kariba redd");
  EXPECT_EQ(NormalizeProjectName("  kariba   redd  "), "kariba redd");
}

TEST(Issuance, SerialOverlapWithinANamespaceOnly) {
  std::vector<IssuanceRecord> r(3);
  r[0] = {"a", "verra", "VCS1", "P", "KE", "", 2015, 2015, "VCS-VCU-1", 1, 100, 100};
  r[1] = {"b", "verra", "VCS1", "P", "KE", "", 2015, 2015, "VCS-VCU-1", 91, 150, 60};
  r[2] = {"c", "verra", "VCS2", "Q", "BR", "", 2016, 2016, "VCS-VCU-2", 50, 60, 11};
  auto f = FindIssuanceConflicts(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, IssuanceFindingKind::kSerialOverlap);
  EXPECT_EQ(f[0].a, "a");
  EXPECT_EQ(f[0].b, "b");
  EXPECT_EQ(f[0].overlap, 10);
}

TEST(Issuance, DuplicateIssuanceAcrossRegistries) {
  std::vector<IssuanceRecord> r(3);
  r[0] = {"v", "verra", "VCS100", "Lake Wind Farm Project", "IN", "", 2012, 2015, "", 0, 0, 1000};
  r[1] = {"g", "gold-standard", "GS7", "Lake Wind Farm", "IN", "", 2015, 2018, "", 0, 0, 900};
  r[2] = {"h", "gold-standard", "GS8", "Lake Wind Farm", "PK", "", 2015, 2018, "", 0, 0, 900};  // other country
  auto f = FindIssuanceConflicts(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, IssuanceFindingKind::kDuplicateIssuance);
  EXPECT_EQ(f[0].overlap, 1);  // vintage 2015 in both
  // Non-overlapping vintages are a transfer between standards, not a duplicate.
  r[1].vintage_start = 2016;
  EXPECT_TRUE(FindIssuanceConflicts(r).empty());
  // An explicit cross-reference links differently named records.
  r[1].vintage_start = 2014;
  r[1].project_name = "LWF Phase I";
  r[1].cross_ref = "verra:VCS100";
  EXPECT_EQ(FindIssuanceConflicts(r).size(), 1u);
}

}  // namespace cx::ml
