// Store contract tests, run against BOTH backends (SQLite file; PostgreSQL in a throwaway
// cluster started once per test process, or $CX_TEST_PG_URL), plus PostgreSQL-only
// tests: migrations, partitions, the trades read model, the lease and its fence, TLS.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "core/codec.h"
#include "store/migrations.h"
#include "store/pg_conn.h"
#include "store/pg_lease.h"
#include "store/pg_store.h"
#include "store/pg_testing.h"

namespace cx::store {
namespace {

std::string TempDb() {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("cx-store-" + std::to_string(getpid()) + "-" + std::to_string(++n));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "carbonx.db").string();
}

std::vector<JournalRow> Rows(int64_t first, int64_t n, Hash256 prev, std::string type = "T") {
  std::vector<JournalRow> v;
  for (int64_t s = first; s < first + n; ++s) {
    JournalRow r{s, 1000 + s, type, "payload-" + std::to_string(s), prev, {}};
    r.hash = EventHash(prev, s, r.ts, r.type, r.payload);
    prev = r.hash;
    v.push_back(r);
  }
  return v;
}

// A fresh, empty location for the backend under test: a SQLite path or a new database.
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Fresh() {
    if (GetParam() == "sqlite") return TempDb();
    auto u = TestDatabaseUrl("store");
    EXPECT_TRUE(u.ok()) << "PostgreSQL: " << u.error().message;
    return u.ok() ? *u : std::string("postgresql://invalid");
  }
  std::unique_ptr<Store> Open(const std::string& loc, bool writer = false) {
    auto s = OpenStore(loc, writer);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? std::move(s).value() : nullptr;
  }
};

PgOpenOptions Writer(const std::string& holder = "", int64_t epoch = 0) {
  PgOpenOptions o;
  o.writer = true;
  o.fence_holder = holder;
  o.fence_epoch = epoch;
  return o;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

TEST_P(StoreTest, AppendScanTailAndReopen) {
  std::string loc = Fresh();
  auto rows = Rows(1, 10, Hash256{});
  {
    auto s = Open(loc, true);
    ASSERT_TRUE(s);
    BlockRow b{1, 1, 10, Sha256("root"), {}, {}, 5};
    b.header_hash = BlockHeaderHash(b);
    auto ap = s->Append(rows, {b});
    ASSERT_TRUE(ap.ok()) << ap.error().message;
    auto t = s->ReadTail();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->last_seq, 10);
    EXPECT_EQ(t->last_hash, rows.back().hash);
    EXPECT_EQ(t->last_ts, rows.back().ts);
    ASSERT_TRUE(t->last_block.has_value());
    EXPECT_EQ(t->last_block->root, Sha256("root"));
    EXPECT_EQ(t->last_block->header_hash, b.header_hash);
  }
  auto s = Open(loc);
  ASSERT_TRUE(s);
  int64_t n = 0;
  ASSERT_TRUE(s->ScanJournal(4, [&](const JournalRow& r) {
    EXPECT_EQ(r.seq, 4 + n);
    EXPECT_EQ(r.payload, "payload-" + std::to_string(r.seq));
    EXPECT_EQ(r.hash, rows[static_cast<size_t>(r.seq - 1)].hash);
    EXPECT_EQ(r.prev_hash, rows[static_cast<size_t>(r.seq - 1)].prev_hash);
    ++n;
    return true;
  }).ok());
  EXPECT_EQ(n, 7);
  auto blk = s->BlockContaining(7);
  ASSERT_TRUE(blk.ok() && blk->has_value());
  EXPECT_EQ((*blk)->height, 1);
  auto none = s->BlockContaining(11);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto hashes = s->EventHashes(1, 10);
  ASSERT_TRUE(hashes.ok());
  ASSERT_EQ(hashes->size(), 10u);
  EXPECT_EQ((*hashes)[9], rows[9].hash);
  auto ev = s->GetEvent(3);
  ASSERT_TRUE(ev.ok() && ev->has_value());
  EXPECT_EQ((*ev)->payload, "payload-3");
  EXPECT_FALSE(s->GetEvent(11)->has_value());
  int blocks = 0;
  ASSERT_TRUE(s->ScanBlocks([&](const BlockRow&) { return ++blocks, true; }).ok());
  EXPECT_EQ(blocks, 1);
}

TEST_P(StoreTest, ScanStopsWhenAskedAndPagesThroughLargeJournals) {
  auto s = Open(Fresh(), true);
  ASSERT_TRUE(s);
  auto rows = Rows(1, 12'345, Hash256{});
  ASSERT_TRUE(s->Append(rows, {}).ok());
  int64_t n = 0, expect = 1;
  ASSERT_TRUE(s->ScanJournal(1, [&](const JournalRow& r) {
    EXPECT_EQ(r.seq, expect++);
    return ++n < 12'000;
  }).ok());
  EXPECT_EQ(n, 12'000);
  n = 0;
  ASSERT_TRUE(s->ScanJournal(5'000, [&](const JournalRow&) { return ++n, true; }).ok());
  EXPECT_EQ(n, 12'345 - 5'000 + 1);
}

TEST_P(StoreTest, FailedAppendLeavesNothing) {
  auto s = Open(Fresh(), true);
  ASSERT_TRUE(s);
  auto rows = Rows(1, 5, Hash256{});
  ASSERT_TRUE(s->Append(rows, {}).ok());
  auto more = Rows(6, 5, rows.back().hash);
  more.push_back(rows[0]);  // duplicate seq 1: the whole group must fail
  auto bad = s->Append(more, {});
  EXPECT_FALSE(bad.ok());
  if (!bad.ok()) {
    EXPECT_EQ(bad.error().code, Code::kStorage);
  }
  EXPECT_EQ(s->ReadTail()->last_seq, 5);
  EXPECT_FALSE(s->GetEvent(6)->has_value());
  // And the store still works afterwards.
  ASSERT_TRUE(s->Append(Rows(6, 2, rows.back().hash), {}).ok());
  EXPECT_EQ(s->ReadTail()->last_seq, 7);
}

TEST_P(StoreTest, SnapshotsKeepNewest) {
  std::string loc = Fresh();
  auto s = Open(loc, true);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->LatestSnapshot()->has_value());
  std::string big(3 << 20, 'x');  // a multi-megabyte state
  for (int64_t q : {10, 20, 30}) ASSERT_TRUE(s->PutSnapshot({q, Sha256("h"), big + std::to_string(q)}).ok());
  auto snap = s->LatestSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->seq, 30);
  EXPECT_EQ((*snap)->state, big + "30");
  EXPECT_EQ((*snap)->last_hash, Sha256("h"));
}

TEST_P(StoreTest, ReaderSeesCommittedGroupsWhileWriterAppends) {
  std::string loc = Fresh();
  auto w = Open(loc, true);
  auto r = Open(loc);
  ASSERT_TRUE(w && r);
  Hash256 prev{};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int g = 0; g < 40; ++g) {
      auto rows = Rows(1 + g * 50, 50, prev);
      prev = rows.back().hash;
      ASSERT_TRUE(w->Append(rows, {}).ok());
    }
    done = true;
  });
  int64_t last = 0;
  while (!done) {
    auto t = r->ReadTail();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->last_seq % 50, 0) << "a reader saw part of a group";
    EXPECT_GE(t->last_seq, last);
    last = t->last_seq;
  }
  writer.join();
  EXPECT_EQ(r->ReadTail()->last_seq, 2000);
}

TEST_P(StoreTest, TamperForTestRewritesOnePayload) {
  auto s = Open(Fresh(), true);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->Append(Rows(1, 3, Hash256{}), {}).ok());
  ASSERT_TRUE(s->TamperForTest(2, "evil").ok());
  EXPECT_EQ((*s->GetEvent(2))->payload, "evil");
  EXPECT_EQ((*s->GetEvent(3))->payload, "payload-3");
}

// --- migrations ---

TEST(SqliteMigrations, OldDatabaseWithoutVersionIsStampedAndKeepsItsRows) {
  std::string path = TempDb();
  {
    // What builds before migrations created: the tables and an empty schema_version.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE schema_version (version BIGINT NOT NULL);" 
                               "CREATE TABLE journal (seq INTEGER PRIMARY KEY, ts BIGINT NOT NULL, type TEXT NOT NULL,"
                               " payload BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
                               "INSERT INTO journal VALUES (1, 5, 'T', x'01', zeroblob(32), zeroblob(32));",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = OpenSqlite(path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ((*s)->ReadTail()->last_seq, 1);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(MigrateSqlite(db).value(), LatestVersion(Backend::kSqlite));
  // A database from a newer build is refused, not misread.
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto newer = OpenSqlite(path);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, Code::kStorage);
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
}

TEST(PgMigrations, StepsAreNumberedWithoutGapsAndAppliedOnce) {
  for (Backend b : {Backend::kSqlite, Backend::kPostgres}) {
    int64_t v = 0;
    for (const auto& m : Migrations(b)) EXPECT_EQ(m.version, ++v);
  }
  auto url = TestDatabaseUrl("migr");
  ASSERT_TRUE(url.ok()) << url.error().message;
  // Several openers at once: each step applied exactly once.
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      if (OpenPostgres(*url).ok()) ++ok;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 4);
  auto c = PgConn::Connect(*url);
  ASSERT_TRUE(c.ok());
  auto q = (*c)->Query("SELECT count(*)::bigint, max(version)::bigint FROM schema_version");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->Int(0, 0), LatestVersion(Backend::kPostgres));
  EXPECT_EQ(q->Int(0, 1), LatestVersion(Backend::kPostgres));
  ASSERT_TRUE((*c)->Exec("INSERT INTO schema_version (version) VALUES (999)").ok());
  auto newer = OpenPostgres(*url);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
}

// --- PostgreSQL layout: partitions and the trades read model ---

TEST(PgStore, JournalPartitionsAreCreatedAheadAcrossTheBoundary) {
  auto url = TestDatabaseUrl("parts");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto s = OpenPostgres(*url, Writer());
  ASSERT_TRUE(s.ok()) << s.error().message;
  int64_t first = kJournalPartitionRows - 2;
  auto rows = Rows(first, 5, Hash256{});  // spans journal_p0 and journal_p1
  auto ap = (*s)->Append(rows, {});
  ASSERT_TRUE(ap.ok()) << ap.error().message;
  auto c = PgConn::Connect(*url);
  ASSERT_TRUE(c.ok());
  auto q = (*c)->Query("SELECT (SELECT count(*) FROM journal_p0)::bigint, (SELECT count(*) FROM journal_p1)::bigint,"
                       " to_regclass('journal_p2') IS NOT NULL");
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->Int(0, 0), 2);
  EXPECT_EQ(q->Int(0, 1), 3);
  EXPECT_EQ(q->Bytes(0, 2)[0], 1) << "the next partition is created ahead";
  int64_t n = 0;
  ASSERT_TRUE((*s)->ScanJournal(0, [&](const JournalRow& r) {
    EXPECT_EQ(r.seq, first + n);
    ++n;
    return true;
  }).ok());
  EXPECT_EQ(n, 5);
}

TEST(PgStore, TradeEventsFillThePartitionedTradesTableInTheSameTransaction) {
  auto url = TestDatabaseUrl("trades");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto s = OpenPostgres(*url, Writer());
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto rows = Rows(1, 4, Hash256{});
  // Two trades in different months (2026-01-31 23:59:59 and 2026-02-01 00:00:00 UTC).
  const int64_t jan = 1769903999LL * 1'000'000, feb = 1769904000LL * 1'000'000;
  int64_t fields[10] = {7, 3, 11, 12, 101, 102, 0, 1050, 2000, 9};
  for (int i : {1, 2}) {
    std::string p;
    cx::Writer w(p);
    for (int64_t f : fields) w.I(f + i);
    w.S("ranges and the rest are not decoded");
    rows[static_cast<size_t>(i)].type = "TradeExecuted";
    rows[static_cast<size_t>(i)].payload = p;
    rows[static_cast<size_t>(i)].ts = i == 1 ? jan : feb;
  }
  Hash256 prev{};
  for (auto& r : rows) {
    r.prev_hash = prev;
    r.hash = EventHash(prev, r.seq, r.ts, r.type, r.payload);
    prev = r.hash;
  }
  ASSERT_TRUE((*s)->Append(rows, {}).ok());
  auto c = PgConn::Connect(*url);
  ASSERT_TRUE(c.ok());
  auto q = (*c)->Query("SELECT tableoid::regclass::text, seq, trade_id, instrument, buyer, seller, price, qty, batch"
                       " FROM trades ORDER BY seq");
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->rows(), 2);
  EXPECT_EQ(q->Bytes(0, 0), "trades_y2026m01");
  EXPECT_EQ(q->Bytes(1, 0), "trades_y2026m02");
  EXPECT_EQ(q->Int(0, 1), 2);
  EXPECT_EQ(q->Int(0, 2), 8);
  EXPECT_EQ(q->Int(0, 3), 4);
  EXPECT_EQ(q->Int(1, 6), 1052);
  EXPECT_EQ(q->Int(1, 7), 2002);
  EXPECT_EQ(q->Int(1, 8), 11);
  // A failed group leaves no trade behind either.
  auto more = Rows(5, 2, prev);
  more[0] = rows[1];
  more[0].seq = 5;
  more.push_back(rows[0]);  // duplicate seq 1
  EXPECT_FALSE((*s)->Append(more, {}).ok());
  EXPECT_EQ((*c)->Query("SELECT count(*)::bigint FROM trades")->Int(0, 0), 2);
}

TEST(PgStore, ReconnectsAfterTheServerDropsTheSession) {
  auto url = TestDatabaseUrl("reconnect");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto s = OpenPostgres(*url, Writer());
  ASSERT_TRUE(s.ok());
  auto rows = Rows(1, 3, Hash256{});
  ASSERT_TRUE((*s)->Append(rows, {}).ok());
  auto admin = PgConn::Connect(*url);
  ASSERT_TRUE(admin.ok());
  auto killed = (*admin)->Query("SELECT count(pg_terminate_backend(pid))::bigint FROM pg_stat_activity"
                                " WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  EXPECT_EQ(killed->Int(0, 0), 1);
  (void)(*s)->ReadTail();  // the first call finds the session gone (it may fail)
  auto ap = (*s)->Append(Rows(4, 3, rows.back().hash), {});
  ASSERT_TRUE(ap.ok()) << ap.error().message;
  EXPECT_EQ((*s)->ReadTail()->last_seq, 6);
}

// --- lease and fence ---

TEST(PgLease, AcquireRenewExpireAndTakeOverWithAHigherEpoch) {
  auto url = TestDatabaseUrl("lease");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto a = PgLease::Open(*url);
  auto b = PgLease::Open(*url);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE((*a)->Current()->has_value());
  auto ea = (*a)->TryAcquire("node-a", "10.0.0.1:9000", 400);
  ASSERT_TRUE(ea.ok()) << ea.error().message;
  EXPECT_EQ(*ea, 1);
  auto cur = (*b)->Current();
  ASSERT_TRUE(cur.ok() && cur->has_value());
  EXPECT_EQ((*cur)->holder, "node-a");
  EXPECT_EQ((*cur)->advertise, "10.0.0.1:9000");
  EXPECT_GT((*cur)->expires_in_ms, 0);
  EXPECT_LE((*cur)->expires_in_ms, 400);
  auto busy = (*b)->TryAcquire("node-b", "10.0.0.2:9000", 400);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, Code::kConflict);
  EXPECT_FALSE(IsFenced(busy.error()));
  EXPECT_TRUE((*a)->Renew("node-a", 1, 400).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_LE((*b)->Current().value()->expires_in_ms, 0);
  auto eb = (*b)->TryAcquire("node-b", "10.0.0.2:9000", 5000);
  ASSERT_TRUE(eb.ok()) << eb.error().message;
  EXPECT_EQ(*eb, 2);
  auto late = (*a)->Renew("node-a", 1, 400);
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(IsFenced(late.error()));
  // Release by a stale holder is a no-op; by the holder it frees the lease at once.
  EXPECT_TRUE((*a)->Release("node-a", 1).ok());
  EXPECT_EQ((*a)->Current().value()->holder, "node-b");
  EXPECT_TRUE((*b)->Release("node-b", 2).ok());
  auto again = (*a)->TryAcquire("node-a", "10.0.0.1:9000", 400);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 3);
}

// A leader paused (SIGSTOP) inside an append transaction holds the lease row's lock for as
// long as it is paused. Once its lease has expired, a standby's TryAcquire ends that
// session (named by epoch) instead of waiting forever; the paused transaction is lost.
TEST(PgLease, TakeoverEndsTheSessionOfAWriterStalledInsideItsTransaction) {
  auto url = TestDatabaseUrl("stall");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto a = PgLease::Open(*url, kEngineLease, 100);
  auto b = PgLease::Open(*url, kEngineLease, 100);
  ASSERT_TRUE(a.ok() && b.ok());
  int64_t e1 = (*a)->TryAcquire("old", "a:1", 300).value();
  auto writer = OpenPostgres(*url, Writer("old", e1));  // the old leader's (idle) store
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Rows(1, 2, Hash256{}), {}).ok());
  auto stalled = PgConn::Connect(*url);
  ASSERT_TRUE(stalled.ok());
  ASSERT_TRUE((*stalled)->AddSessionSetup("SET application_name = '" + WriterSessionName(kEngineLease, e1) + "'").ok());
  ASSERT_TRUE((*stalled)->Begin().ok());
  ASSERT_TRUE((*stalled)->Query("UPDATE cx_lease SET last_seq = 1 WHERE name = 'engine' AND epoch = $1",
                                {PgParam::Int(e1)}).ok());
  // While the lease is live, the row lock makes a takeover attempt fail fast, not hang.
  auto busy = (*b)->TryAcquire("new", "b:1", 5000);
  ASSERT_FALSE(busy.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto e2 = (*b)->TryAcquire("new", "b:1", 5000);
  ASSERT_TRUE(e2.ok()) << e2.error().message;
  EXPECT_EQ(*e2, e1 + 1);
  EXPECT_FALSE((*stalled)->Commit().ok());  // its session was ended: nothing of it commits
  EXPECT_EQ((*b)->Current().value()->last_seq, 2);
  EXPECT_EQ((*b)->Current().value()->holder, "new");
  // The old leader's store lost its session too; its next append says "fenced".
  auto late = (*writer)->Append(Rows(3, 1, Hash256{}), {});
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(IsFenced(late.error())) << late.error().message;
}

// A writer opened with idle_tx_timeout_ms loses a transaction it leaves idle (paused) even
// when nobody terminates it, so the lease row is free again.
TEST(PgLease, AnIdleWriterTransactionIsEndedByTheServer) {
  auto url = TestDatabaseUrl("idle");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto lease = PgLease::Open(*url, kEngineLease, 100);
  ASSERT_TRUE(lease.ok());
  int64_t e1 = (*lease)->TryAcquire("old", "a:1", 5000).value();
  PgOpenOptions o = Writer("old", e1);
  o.idle_tx_timeout_ms = 200;
  auto w = OpenPostgres(*url, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto conn = PgConn::Connect(*url);
  ASSERT_TRUE(conn.ok());
  auto row = (*conn)->Query("SELECT setting FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->Bytes(0, 0), "0");  // other sessions keep the default
  auto named = (*conn)->Query("SELECT count(*)::bigint FROM pg_stat_activity WHERE application_name = $1",
                              {PgParam::Text(WriterSessionName(kEngineLease, e1))});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->Int(0, 0), 1);
  // The same settings on a session of our own, left idle inside a transaction.
  ASSERT_TRUE((*conn)->AddSessionSetup("SET idle_in_transaction_session_timeout = 200").ok());
  ASSERT_TRUE((*conn)->Begin().ok());
  ASSERT_TRUE((*conn)->Query("UPDATE cx_lease SET last_seq = 1 WHERE name = 'engine'").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE((*conn)->Commit().ok());
  EXPECT_EQ((*lease)->Current().value()->last_seq, 0);
  // The writer itself still appends (its timeout only bites on an idle transaction).
  ASSERT_TRUE((*w)->Append(Rows(1, 3, Hash256{}), {}).ok());
  EXPECT_EQ((*lease)->Current().value()->last_seq, 3);
}

TEST(PgLease, FencedOldLeaderCannotAppendAndNothingOfItIsVisible) {
  auto url = TestDatabaseUrl("fence");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto lease = PgLease::Open(*url);
  ASSERT_TRUE(lease.ok());
  int64_t e1 = (*lease)->TryAcquire("old", "a:1", 100).value();
  auto old_store = OpenPostgres(*url, Writer("old", e1));
  ASSERT_TRUE(old_store.ok());
  auto rows = Rows(1, 5, Hash256{});
  ASSERT_TRUE((*old_store)->Append(rows, {}).ok());
  EXPECT_EQ((*lease)->Current().value()->last_seq, 5);
  // The old leader pauses; its lease lapses and the new one takes epoch e1 + 1.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int64_t e2 = (*lease)->TryAcquire("new", "b:1", 5000).value();
  EXPECT_EQ(e2, e1 + 1);
  auto new_store = OpenPostgres(*url, Writer("new", e2));
  ASSERT_TRUE(new_store.ok());
  // The old leader resumes and tries to write its next group: refused, nothing visible.
  auto more = Rows(6, 5, rows.back().hash);
  BlockRow b{1, 1, 10, Sha256("r"), {}, {}, 1};
  auto r = (*old_store)->Append(more, {b});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsFenced(r.error())) << r.error().message;
  auto tail = (*new_store)->ReadTail();
  EXPECT_EQ(tail->last_seq, 5);
  EXPECT_FALSE(tail->last_block.has_value());
  // The new leader continues from the durable tail.
  ASSERT_TRUE((*new_store)->Append(more, {b}).ok());
  EXPECT_EQ((*new_store)->ReadTail()->last_seq, 10);
  EXPECT_FALSE((*old_store)->Append(Rows(11, 1, more.back().hash), {}).ok());
  EXPECT_EQ((*lease)->Current().value()->last_seq, 10);
}

// --- TLS ---

TEST(PgTls, VerifyFullAgainstTheThrowawayCaWorksAndAWrongCaFails) {
  PgClusterOptions o;
  o.fsync = false;
  o.tls = true;
  auto c = PgCluster::Start(o);
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::string url = (*c)->url();
  ASSERT_NE(url.find("sslmode=verify-full"), std::string::npos);
  auto s = OpenStore(url, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE((*s)->Append(Rows(1, 3, Hash256{}), {}).ok());
  auto conn = PgConn::Connect(url);
  ASSERT_TRUE(conn.ok());
  auto ssl = (*conn)->Query("SELECT ssl::int::int8 FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  ASSERT_TRUE(ssl.ok()) << ssl.error().message;
  EXPECT_EQ(ssl->Int(0, 0), 1) << "the session is encrypted";
  std::string wrong = url.substr(0, url.find("sslrootcert=")) + "sslrootcert=" + (*c)->wrong_ca_file();
  auto bad = OpenStore(wrong, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kStorage);
  // Plain TCP is refused by the server (hostssl only).
  auto plain = OpenStore("postgresql://cx@127.0.0.1:" + std::to_string((*c)->port()) + "/postgres?sslmode=disable");
  EXPECT_FALSE(plain.ok());
}

}  // namespace cx::store
