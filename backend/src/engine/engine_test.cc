#include "engine/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "engine/verify.h"
#include "store/pg_conn.h"
#include "store/pg_store.h"
#include "store/pg_testing.h"

namespace cx::engine {
namespace {
using namespace cx::registry;

std::string TempDb() {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("cx-engine-" + std::to_string(getpid()) + "-" + std::to_string(++n));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "carbonx.db").string();
}

// A fresh location for the backend under test: a SQLite file, or a new database in the
// throwaway PostgreSQL cluster of this test process (store/pg_testing.h).
std::string Fresh(const std::string& backend) {
  if (backend == "sqlite") return TempDb();
  auto u = store::TestDatabaseUrl("engine");
  EXPECT_TRUE(u.ok()) << "PostgreSQL: " << (u.ok() ? "" : u.error().message);
  return u.ok() ? *u : std::string("postgresql://invalid");
}

std::unique_ptr<Engine> Open(const std::string& path, Options o = {}) {
  auto s = store::OpenStore(path, /*writer=*/true);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  if (!s.ok()) std::abort();
  auto e = std::make_unique<Engine>(std::move(*s), o);
  auto r = e->Recover();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return e;
}

// Builds users, a validated project and one issued batch; returns the batch id.
int64_t Seed(Engine& e) {
  EXPECT_TRUE(e.Execute(RegisterUser{"dev@x", "h", "Dev", kProjectDeveloper}).ok());
  EXPECT_TRUE(e.Execute(RegisterUser{"ver@x", "h", "Ver", kVerifier}).ok());
  for (int i = 0; i < 8; ++i)
    EXPECT_TRUE(e.Execute(RegisterUser{"t" + std::to_string(i) + "@x", "h", "T", kTrader}).ok());
  ProjectInfo info;
  info.name = "P";
  info.country = "KE";
  info.methodology = "AMS-II.G";
  EXPECT_TRUE(e.Execute(CreateProject{1, info}).ok());
  EXPECT_TRUE(e.Execute(SubmitProject{1, 1}).ok());
  EXPECT_TRUE(e.Execute(ReviewProject{2, 1, ReviewProject::kValidate, ""}).ok());
  EXPECT_TRUE(e.Execute(RequestIssuance{1, 1, 2023, "2023-01-01", "2023-12-31", 1'000'000, "VVB", "cid"}).ok());
  auto r = e.Execute(ApproveIssuance{2, 1}, [](const RegistryState& s, const Outcome&) {
    return std::to_string(s.issuance(1)->batch);
  });
  EXPECT_TRUE(r.ok());
  return std::stoll(*r);
}

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Fresh() { return engine::Fresh(GetParam()); }
};
INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace

TEST_P(EngineTest, AcknowledgedCommandsSurviveRestartAndVerify) {
  std::string path = Fresh();
  std::string live;
  {
    auto e = Open(path, Options{16, 5, 50, nullptr});
    e->Start();
    int64_t b = Seed(*e);
    // Concurrent submitters.
    std::vector<std::thread> ts;
    std::atomic<int> acked{0}, refused{0};
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&, t] {
        std::mt19937 rng(t);
        for (int i = 0; i < 200; ++i) {
          int64_t from = i == 0 && t == 0 ? 100 : kFirstUserAccount + 2 + rng() % 8;
          int64_t to = kFirstUserAccount + 2 + rng() % 8;
          auto r = e->Execute(Transfer{0, i % 3 == 0 ? 100 : from, to, b, 1 + rng() % 5000});
          (r.ok() ? acked : refused)++;
        }
      });
    }
    for (auto& t : ts) t.join();
    EXPECT_GT(acked.load(), 100);
    auto q = e->Query([](const RegistryState& s, const Outcome&) { return s.Snapshot(); });
    ASSERT_TRUE(q.ok());
    live = *q;
    e->Stop();
    EXPECT_GT(e->stats().blocks, 3);
  }
  auto e2 = Open(path);
  EXPECT_TRUE(e2->state().Snapshot() == live) << "recovered state differs";
  auto st = store::OpenStore(path);
  ASSERT_TRUE(st.ok());
  VerifyReport rep = VerifyJournal(**st);
  EXPECT_TRUE(rep.ok) << rep.message;
  EXPECT_GT(rep.events, 100);
  EXPECT_GT(rep.blocks, 3);
}

TEST_P(EngineTest, RefusedCommandChangesNothing) {
  auto e = Open(Fresh());
  e->Start();
  int64_t b = Seed(*e);
  auto before = e->Query([](const RegistryState& s, const Outcome&) { return s.Snapshot(); });
  auto r = e->Execute(Transfer{0, 100, 101, b, 999'999'999});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInsufficientCredits);
  auto after = e->Query([](const RegistryState& s, const Outcome&) { return s.Snapshot(); });
  EXPECT_TRUE(*before == *after);
  e->Stop();
}

TEST_P(EngineTest, VerifyNamesFirstTamperedSeq) {
  std::string path = Fresh();
  {
    auto e = Open(path, Options{8, 5, 1'000'000, nullptr});
    e->Start();
    Seed(*e);
    e->Stop();
  }
  auto st = store::OpenStore(path);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE((*st)->TamperForTest(5, "evil").ok());
  VerifyReport rep = VerifyJournal(**st);
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.first_bad_seq, 5);
}

TEST_P(EngineTest, RecoversFromSnapshotPlusTail) {
  std::string path = Fresh();
  std::string live;
  {
    auto e = Open(path, Options{4, 5, 5, nullptr});  // snapshot every 5 events
    e->Start();
    int64_t b = Seed(*e);
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(e->Execute(Transfer{0, 100, 102 + i % 5, b, 1000}).ok());
    live = *e->Query([](const RegistryState& s, const Outcome&) { return s.Snapshot(); });
    e->Stop();
  }
  auto st = store::OpenStore(path);
  auto snap = (*st)->LatestSnapshot();
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_GT((*snap)->seq, 1);
  auto e2 = Open(path);
  EXPECT_TRUE(e2->state().Snapshot() == live);
  VerifyReport rep = VerifyJournal(**st);
  EXPECT_TRUE(rep.ok) << rep.message;
}

// Exchange traffic (orders, fills, cancels, a call auction) through the real engine and
// SQLite, with snapshots every 40 events: a restart rebuilds books, locks and orders
// exactly (snapshot + replay re-deriving every outcome), and verify accepts the journal.
TEST_P(EngineTest, ExchangeStateSurvivesRestartThroughSnapshotsAndReplay) {
  std::string path = Fresh();
  std::string live;
  int64_t batch = 0;
  {
    auto e = Open(path, Options{16, 5, 40, nullptr});
    e->Start();
    batch = Seed(*e);
    for (int64_t t = 3; t <= 10; ++t) {
      ASSERT_TRUE(e->Execute(SetKycLevel{0, t, KycLevel::kFull, "test"}).ok());  // cash and orders need KYC
      ASSERT_TRUE(e->Execute(DepositCash{0, 99 + t, "USD", 1'000'000'000, ""}).ok());
      ASSERT_TRUE(e->Execute(Transfer{1, 0, 99 + t, batch, 50'000}).ok());
    }
    Instrument in;
    in.batch = batch;
    in.symbol = "KE23";
    in.maker_fee_bp = 5;
    in.taker_fee_bp = 15;
    ASSERT_TRUE(e->Execute(CreateInstrument{0, true, in}).ok());
    std::mt19937_64 rng(7);
    int fills_seen = 0;
    for (int i = 0; i < 600; ++i) {
      int64_t user = 3 + static_cast<int64_t>(rng() % 8);
      if (rng() % 5 == 0 && i > 10) {
        (void)e->Execute(CancelOrder{user, false, static_cast<int64_t>(1 + rng() % static_cast<uint64_t>(i))});
        continue;
      }
      PlaceOrder p;
      p.actor = user;
      p.order.instrument = 1;
      p.order.side = rng() % 2 ? OrderSide::kBuy : OrderSide::kSell;
      p.order.price = 1000 + static_cast<int64_t>(rng() % 40);
      p.order.qty = 1000 * static_cast<int64_t>(1 + rng() % 4);
      p.order.tif = rng() % 4 == 0 ? OrderTif::kIoc : OrderTif::kGtc;
      p.order.stp = OrderStp::kCancelOldest;
      auto r = e->Execute(p, [](const RegistryState& s, const Outcome&) { return std::to_string(s.fills().size()); });
      if (r.ok()) fills_seen = std::stoi(*r);
    }
    EXPECT_GT(fills_seen, 20);
    ASSERT_TRUE(e->Execute(SetMarketPhase{0, 1, true, 0, "test"}).ok());
    ASSERT_TRUE(e->Execute(SetMarketPhase{0, 1, false, 3'600'000'000, ""}).ok());  // re-open by auction
    PlaceOrder p;
    p.actor = 3;
    p.order.instrument = 1;
    p.order.side = OrderSide::kBuy;
    p.order.price = 1100;
    p.order.qty = 2000;
    ASSERT_TRUE(e->Execute(p).ok());  // collected in the call
    e->Stop();
    ASSERT_TRUE(e->state().CheckInvariants().ok());
    live = e->state().Snapshot();
  }
  auto e = Open(path, Options{16, 5, 40, nullptr});
  EXPECT_EQ(e->state().Snapshot(), live);
  EXPECT_EQ(e->state().instrument(1)->phase, MarketPhase::kAuction);
  auto st = store::OpenStore(path);
  ASSERT_TRUE(st.ok());
  auto rep = VerifyJournal(**st);
  EXPECT_TRUE(rep.ok) << rep.message;
  if (store::IsPostgresUrl(path)) {
    // The trades read model, written in the same transactions, agrees with the journal.
    int64_t trades = 0, qty = 0;
    ASSERT_TRUE((*st)->ScanJournal(1, [&](const store::JournalRow& r) {
      Event ev;
      if (r.type == "TradeExecuted" && DecodeEvent(r.type, r.payload, ev)) {
        ++trades;
        qty += std::get<TradeExecuted>(ev).fill.qty;
      }
      return true;
    }).ok());
    auto c = store::PgConn::Connect(path);
    ASSERT_TRUE(c.ok());
    auto q = (*c)->Query("SELECT count(*)::bigint, coalesce(sum(qty), 0)::bigint FROM trades");
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_GT(trades, 20);
    EXPECT_EQ(q->Int(0, 0), trades);
    EXPECT_EQ(q->Int(0, 1), qty);
  }
}

}  // namespace cx::engine
