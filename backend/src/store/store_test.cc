#include "store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace cx::store {
namespace {

std::string TempDb() {
  auto dir = std::filesystem::temp_directory_path() /
             ("cx-store-" + std::to_string(getpid()) + "-" + std::to_string(rand()));
  std::filesystem::create_directories(dir);
  return (dir / "carbonx.db").string();
}

std::vector<JournalRow> Rows(int64_t first, int64_t n, Hash256 prev) {
  std::vector<JournalRow> v;
  for (int64_t s = first; s < first + n; ++s) {
    JournalRow r{s, 1000 + s, "T", "payload-" + std::to_string(s), prev, {}};
    r.hash = EventHash(prev, s, r.ts, r.type, r.payload);
    prev = r.hash;
    v.push_back(r);
  }
  return v;
}

}  // namespace

TEST(SqliteStore, AppendScanTailAndReopen) {
  std::string path = TempDb();
  {
    auto s = OpenSqlite(path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto rows = Rows(1, 10, Hash256{});
    BlockRow b{1, 1, 10, Sha256("root"), {}, {}, 5};
    b.header_hash = BlockHeaderHash(b);
    ASSERT_TRUE((*s)->Append(rows, {b}).ok());
    auto t = (*s)->ReadTail();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->last_seq, 10);
    EXPECT_EQ(t->last_hash, rows.back().hash);
    ASSERT_TRUE(t->last_block.has_value());
    EXPECT_EQ(t->last_block->root, Sha256("root"));
  }
  auto s = OpenSqlite(path);
  ASSERT_TRUE(s.ok());
  int64_t n = 0;
  ASSERT_TRUE((*s)->ScanJournal(4, [&](const JournalRow& r) {
    EXPECT_EQ(r.seq, 4 + n);
    EXPECT_EQ(r.payload, "payload-" + std::to_string(r.seq));
    ++n;
    return true;
  }).ok());
  EXPECT_EQ(n, 7);
  auto blk = (*s)->BlockContaining(7);
  ASSERT_TRUE(blk.ok() && blk->has_value());
  EXPECT_EQ((*blk)->height, 1);
  auto none = (*s)->BlockContaining(11);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ((*s)->EventHashes(1, 10)->size(), 10u);
}

TEST(SqliteStore, FailedAppendLeavesNothing) {
  auto s = OpenSqlite(TempDb());
  ASSERT_TRUE(s.ok());
  auto rows = Rows(1, 5, Hash256{});
  ASSERT_TRUE((*s)->Append(rows, {}).ok());
  auto more = Rows(6, 5, rows.back().hash);
  more.push_back(rows[0]);  // duplicate seq 1: the whole group must fail
  EXPECT_FALSE((*s)->Append(more, {}).ok());
  EXPECT_EQ((*s)->ReadTail()->last_seq, 5);
  // And the store still works afterwards.
  ASSERT_TRUE((*s)->Append(Rows(6, 2, rows.back().hash), {}).ok());
  EXPECT_EQ((*s)->ReadTail()->last_seq, 7);
}

TEST(SqliteStore, SnapshotsKeepNewest) {
  auto s = OpenSqlite(TempDb());
  ASSERT_TRUE(s.ok());
  for (int64_t q : {10, 20, 30}) ASSERT_TRUE((*s)->PutSnapshot({q, Sha256("h"), "state" + std::to_string(q)}).ok());
  auto snap = (*s)->LatestSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->seq, 30);
  EXPECT_EQ((*snap)->state, "state30");
}

}  // namespace cx::store
