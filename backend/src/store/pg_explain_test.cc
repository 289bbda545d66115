// Fills a PostgreSQL store with 1,000,000 journal events (COPY through Store::Append,
// blocks every 1000 events, one event in ten a trade so the trades read model holds
// 100,000 rows over three months, 50,000 personal-data keys), ANALYZEs, then runs
// EXPLAIN (FORMAT JSON) on every statement the Store, the PII vault and the trades read
// model run (store/pg_queries.h) and fails on any Seq Scan of a large table (> 10,000
// rows by the planner's statistics).
// Runs in `make test` (about a minute on 2 cores).
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "core/codec.h"
#include "store/pg_conn.h"
#include "store/pg_queries.h"
#include "store/pg_store.h"
#include "store/pg_testing.h"

namespace cx::store {
namespace {

constexpr int64_t kEvents = 1'000'000;
constexpr int64_t kGroup = 25'000;
constexpr int64_t kT0 = 1767225600LL * 1'000'000;  // 2026-01-01T00:00:00Z

// Seq Scan nodes of the plan and their relations.
std::vector<std::string> SeqScans(std::string_view plan) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = plan.find("\"Seq Scan\"", pos)) != std::string_view::npos) {
    size_t rel = plan.find("\"Relation Name\": \"", pos);
    size_t end = rel == std::string_view::npos ? rel : plan.find('"', rel + 18);
    out.emplace_back(rel == std::string_view::npos ? "?" : plan.substr(rel + 18, end - rel - 18));
    pos += 10;
  }
  return out;
}

// Large: more than 10,000 rows by the statistics ANALYZE just gathered (every journal
// and trades partition holding data, pii_keys; not the empty DEFAULT partition, the
// 1,000 block headers, the one-row lease table or the two snapshots).
constexpr int64_t kLargeRows = 10'000;

}  // namespace

TEST(PgExplain, NoSequentialScanOfALargeTableWithAMillionEvents) {
  auto url = TestDatabaseUrl("explain");
  ASSERT_TRUE(url.ok()) << url.error().message;
  auto st = OpenPostgres(*url, PgOpenOptions{true, "", 0});
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(42);
  Hash256 prev{}, header{};
  int64_t height = 0;
  std::vector<JournalRow> rows;
  std::vector<BlockRow> blocks;
  std::vector<Hash256> open;
  for (int64_t seq = 1; seq <= kEvents; ++seq) {
    JournalRow r;
    r.seq = seq;
    r.ts = kT0 + seq * 8'000'000;  // 8 s apart: three months of history
    if (seq % 10 == 0) {
      r.type = "TradeExecuted";
      Writer w(r.payload);
      int64_t f[10] = {seq / 10, 1 + static_cast<int64_t>(rng() % 50), seq, seq - 1, 100 + static_cast<int64_t>(rng() % 10'000),
                       100 + static_cast<int64_t>(rng() % 10'000), 0, 1000 + static_cast<int64_t>(rng() % 500),
                       1000 * static_cast<int64_t>(1 + rng() % 9), 1 + static_cast<int64_t>(rng() % 200)};
      for (int64_t v : f) w.I(v);
      w.S(std::string(60, 'r'));
    } else {
      r.type = seq % 3 ? "OrderPlaced" : "OrderUpdated";
      r.payload.resize(80 + rng() % 160);
      for (char& c : r.payload) c = static_cast<char>(rng());
    }
    r.prev_hash = prev;
    r.hash = EventHash(prev, seq, r.ts, r.type, r.payload);
    prev = r.hash;
    open.push_back(r.hash);
    if (open.size() == 1000) {
      BlockRow b{++height, seq - 999, seq, Sha256(std::to_string(seq)), header, {}, r.ts};
      b.header_hash = BlockHeaderHash(b);
      header = b.header_hash;
      blocks.push_back(b);
      open.clear();
    }
    rows.push_back(std::move(r));
    if (static_cast<int64_t>(rows.size()) == kGroup) {
      auto ap = (*st)->Append(rows, blocks);
      ASSERT_TRUE(ap.ok()) << ap.error().message;
      rows.clear();
      blocks.clear();
    }
  }
  ASSERT_TRUE((*st)->PutSnapshot({kEvents, prev, "state"}).ok());
  auto fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "filled " << kEvents << " events in " << fill_s << " s\n";

  auto c = PgConn::Connect(*url);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Exec("INSERT INTO pii_keys (id, wrapped, created)"
                         " SELECT md5(g::text), decode(md5(g::text), 'hex'), 0 FROM generate_series(1, 50000) g")
                  .ok());
  ASSERT_TRUE((*c)->Exec("ANALYZE").ok());
  auto counts = (*c)->Query("SELECT (SELECT count(*) FROM journal)::bigint, (SELECT count(*) FROM trades)::bigint,"
                            " (SELECT count(*) FROM blocks)::bigint");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->Int(0, 0), kEvents);
  EXPECT_EQ(counts->Int(0, 1), kEvents / 10);
  EXPECT_EQ(counts->Int(0, 2), kEvents / 1000);

  struct Q {
    const char* name;
    const char* sql;
    std::vector<PgParam> params;
  };
  const std::string h(32, 'h');
  const int64_t mid = kT0 + 500'000LL * 8'000'000;
  std::vector<Q> qs = {
      {"ReadTail journal", pgq::kTailJournal, {}},
      {"ReadTail block", pgq::kTailBlock, {}},
      {"ScanJournal", pgq::kScanJournal, {PgParam::Int(500'000)}},
      {"ScanJournal from 1", pgq::kScanJournal, {PgParam::Int(1)}},
      {"GetEvent", pgq::kGetEvent, {PgParam::Int(777'777)}},
      {"EventHashes", pgq::kEventHashes, {PgParam::Int(500'001), PgParam::Int(501'000)}},
      {"BlockContaining", pgq::kBlockContaining, {PgParam::Int(654'321)}},
      {"ScanBlocks", pgq::kScanBlocks, {PgParam::Int(1)}},
      {"InsertBlock", pgq::kInsertBlock,
       {PgParam::Int(1001), PgParam::Int(1), PgParam::Int(2), PgParam::Bytes(h), PgParam::Bytes(h), PgParam::Bytes(h), PgParam::Int(1)}},
      {"Fence", pgq::kFence, {PgParam::Int(1), PgParam::Int(5), PgParam::Text("engine")}},
      {"PutSnapshot", pgq::kPutSnapshot, {PgParam::Int(5), PgParam::Bytes(h), PgParam::Bytes("s")}},
      {"PruneSnapshots", pgq::kPruneSnapshots, {}},
      {"LatestSnapshot", pgq::kLatestSnapshot, {}},
      {"TamperForTest", pgq::kTamper, {PgParam::Bytes("x"), PgParam::Int(5)}},
      {"PiiInsert", pgq::kPiiInsert, {PgParam::Text("k"), PgParam::Bytes(h)}},
      {"PiiGet", pgq::kPiiGet, {PgParam::Text("c4ca4238a0b923820dcc509a6f75849b")}},
      {"PiiDelete", pgq::kPiiDelete, {PgParam::Text("c4ca4238a0b923820dcc509a6f75849b")}},
      {"TradesByInstrument", pgq::kTradesByInstrument, {PgParam::Int(7), PgParam::Int(mid), PgParam::Int(mid + 86'400'000'000LL)}},
      {"TradesByAccount", pgq::kTradesByAccount, {PgParam::Int(4242), PgParam::Int(kT0)}},
      {"TradeBySeq", pgq::kTradeBySeq, {PgParam::Int(500'000)}},
  };
  for (const auto& q : qs) {
    auto plan = (*c)->Query(std::string("EXPLAIN (FORMAT JSON) ") + q.sql, q.params);
    ASSERT_TRUE(plan.ok()) << q.name << ": " << plan.error().message;
    std::string text(plan->Bytes(0, 0));
    for (const auto& rel : SeqScans(text)) {
      auto n = (*c)->Query("SELECT reltuples::bigint FROM pg_class WHERE relname = $1", {PgParam::Text(rel)});
      ASSERT_TRUE(n.ok() && n->rows() == 1) << rel;
      EXPECT_LE(n->Int(0, 0), kLargeRows) << q.name << " scans " << rel << " (" << n->Int(0, 0)
                                          << " rows) sequentially:\n" << text;
    }
  }
  // The test can fail: a query without a usable index is caught.
  auto bad = (*c)->Query("EXPLAIN (FORMAT JSON) SELECT seq FROM journal WHERE type = $1", {PgParam::Text("X")});
  ASSERT_TRUE(bad.ok());
  auto scans = SeqScans(bad->Bytes(0, 0));
  ASSERT_FALSE(scans.empty());
  EXPECT_EQ(scans[0], "journal_p0");
  // And the store still answers the queries right.
  auto ev = (*st)->GetEvent(777'777);
  ASSERT_TRUE(ev.ok() && ev->has_value());
  EXPECT_EQ((*ev)->seq, 777'777);
  auto blk = (*st)->BlockContaining(654'321);
  ASSERT_TRUE(blk.ok() && blk->has_value());
  EXPECT_EQ((*blk)->first_seq, 654'001);
  auto tail = (*st)->ReadTail();
  EXPECT_EQ(tail->last_seq, kEvents);
  EXPECT_EQ(tail->last_hash, prev);
}

}  // namespace cx::store
