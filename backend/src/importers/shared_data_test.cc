// The >= 95 % rule on the real registry exports in $CX_ROOT/../shared/data (issue 2,
// "Must show"). Skipped when that folder is absent (a fresh clone elsewhere).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "importers/importers.h"

namespace cx::importers {
namespace {

namespace fs = std::filesystem;

fs::path SharedExports() {
  const char* root = std::getenv("CX_ROOT");
  if (!root) return {};
  return fs::path(root) / ".." / "shared" / "data" / "registry-exports";
}

struct Expected {
  std::string folder;    // folder under registry-exports
  std::string registry;  // name given to ParseExport
};

const std::vector<Expected> kFolders = {
    {"verra", "verra"},
    {"gold-standard", "gold-standard"},
    {"american-carbon-registry", "acr"},
    {"climate-action-reserve", "car"},
    {"art-trees", "art"},
    {"arb", "arb"},
    {"isometric", "isometric"},
    {"cercarbono", "cercarbono"},
};

TEST(SharedExports, AtLeast95PercentOfEveryFileImports) {
  fs::path dir = SharedExports();
  if (dir.empty() || !fs::is_directory(dir)) GTEST_SKIP() << "no shared data at " << dir;
  int files = 0;
  for (const auto& f : kFolders) {
    fs::path sub = dir / f.folder;
    ASSERT_TRUE(fs::is_directory(sub)) << sub;
    std::vector<fs::path> csvs;
    for (const auto& e : fs::directory_iterator(sub))
      if (e.path().extension() == ".csv") csvs.push_back(e.path());
    std::sort(csvs.begin(), csvs.end());
    ASSERT_FALSE(csvs.empty()) << sub;
    for (const auto& path : csvs) {
      SCOPED_TRACE(path.string());
      auto kind = DetectFileKind(path.filename().string());
      ASSERT_TRUE(kind.ok()) << kind.error().message;
      std::ifstream in(path, std::ios::binary);
      ASSERT_TRUE(in.is_open());
      int progress_calls = 0;
      bool done = false;
      auto r = ParseExport(f.registry, FileKindName(*kind), in, [&](const ImportProgress& p) {
        ++progress_calls;
        done = p.done;
        EXPECT_EQ(p.total_bytes, static_cast<int64_t>(fs::file_size(path)));
      });
      ASSERT_TRUE(r.ok()) << r.error().message;
      const ImportCounts& c = r->counts;
      EXPECT_GT(c.data_rows, 0);
      EXPECT_EQ(c.imported + c.rejected, c.data_rows);
      EXPECT_GE(c.imported * 100, c.data_rows * 95)
          << c.imported << " of " << c.data_rows << " rows imported";
      EXPECT_EQ(static_cast<int64_t>(r->errors.size()), c.rejected);
      for (const RowError& e : r->errors) {
        EXPECT_GT(e.line, 1);
        EXPECT_FALSE(e.reason.empty());
      }
      EXPECT_TRUE(done);
      EXPECT_GE(progress_calls, 1);
      size_t records =
          r->projects.size() + r->batches.size() + r->retirements.size() + r->cancellations.size();
      EXPECT_GE(records, static_cast<size_t>(c.imported));
      std::printf("%-28s %-20s rows %4lld imported %4lld rejected %2lld\n", f.folder.c_str(),
                  path.filename().c_str(), static_cast<long long>(c.data_rows),
                  static_cast<long long>(c.imported), static_cast<long long>(c.rejected));
      for (const RowError& e : r->errors)
        std::printf("    line %lld: %s\n", static_cast<long long>(e.line), e.reason.c_str());
      ++files;
    }
  }
  EXPECT_EQ(files, 24);
}

}  // namespace
}  // namespace cx::importers
