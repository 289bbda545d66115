// Replica mode, promotion and demotion of the engine (engine.h), on SQLite: a replica
// tailing a leader's journal reaches the same state, refuses commands, publishes what it
// applies, and takes over as the writer with the hash chain and blocks intact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "engine/engine.h"
#include "engine/verify.h"
#include "store/pg_lease.h"
#include "store/pg_store.h"
#include "store/pg_testing.h"

namespace cx::engine {
namespace {
using namespace cx::registry;

std::string TempDb() {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("cx-replica-" + std::to_string(getpid()) + "-" + std::to_string(++n));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "carbonx.db").string();
}

std::unique_ptr<Engine> Open(const std::string& path, bool writer, Options o = {}) {
  auto s = store::OpenSqlite(path, writer);
  EXPECT_TRUE(s.ok());
  auto e = std::make_unique<Engine>(std::move(*s), std::move(o));
  auto r = e->Recover();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return e;
}

Result<std::string> Register(Engine& e, int i) {
  return e.Execute(RegisterUser{"u" + std::to_string(i) + "@x", "h", "U", kTrader, ""});
}

TEST(Replica, FollowsTheLeaderAndRefusesCommands) {
  auto path = TempDb();
  auto leader = Open(path, true);
  leader->Start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Register(*leader, i).ok());
  Options ro;
  ro.replica = true;
  ro.replica_poll_ms = 5;
  std::atomic<int> observed{0};
  ro.observe = [&](const RegistryState&, const Outcome& o) -> std::shared_ptr<const void> {
    observed += static_cast<int>(o.events->size());
    return nullptr;
  };
  auto replica = Open(path, false, ro);
  EXPECT_TRUE(replica->replica());
  replica->Start();
  for (int i = 5; i < 40; ++i) ASSERT_TRUE(Register(*leader, i).ok());
  int64_t seq = leader->stats().committed_seq;
  ASSERT_TRUE(replica->WaitApplied(seq, 5000));
  auto users = replica->Query([](const RegistryState& s, const Outcome&) -> Result<std::string> {
    return std::to_string(s.users().size());
  });
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(*users, "40");
  EXPECT_EQ(observed.load(), 35);  // only what it tailed: the first 5 came by recovery
  auto refused = Register(*replica, 99);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::kNotLeader);
  replica->Stop();
  leader->Stop();
  EXPECT_EQ(leader->state().Snapshot(), replica->state().Snapshot());
}

TEST(Replica, PromotedReplicaContinuesTheChainAndVerifies) {
  auto path = TempDb();
  Options lo;
  lo.block_events = 7;
  auto leader = Open(path, true, lo);
  leader->Start();
  Options ro;
  ro.replica = true;
  ro.replica_poll_ms = 5;
  ro.block_events = 7;
  auto replica = Open(path, false, ro);
  replica->Start();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(Register(*leader, i).ok());
  leader->Stop();  // the "dead" leader: 30 users, one open block
  leader.reset();
  auto w = store::OpenSqlite(path, true);
  ASSERT_TRUE(w.ok());
  auto p = replica->Promote(std::move(*w));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(replica->replica());
  for (int i = 30; i < 45; ++i) ASSERT_TRUE(Register(*replica, i).ok()) << i;
  replica->Stop();
  EXPECT_EQ(replica->state().users().size(), 45u);
  auto st = store::OpenSqlite(path);
  auto rep = VerifyJournal(**st);
  EXPECT_TRUE(rep.ok) << rep.message;
  EXPECT_EQ(rep.events, 45);
}

TEST(Replica, PromotionAppliesWhatTheJournalGainedSinceTheLastTail) {
  // Promote applies what the journal holds beyond the replica's seq. (The PostgreSQL
  // fence is what keeps an old writer from appending after that: see the test below.)
  auto path = TempDb();
  auto leader = Open(path, true);
  leader->Start();
  ASSERT_TRUE(Register(*leader, 0).ok());
  Options ro;
  ro.replica = true;
  auto replica = Open(path, false, ro);
  replica->Start();
  ASSERT_TRUE(Register(*leader, 1).ok());
  leader->Stop();
  auto w = store::OpenSqlite(path, true);
  ASSERT_TRUE(replica->Promote(std::move(*w)).ok());
  EXPECT_EQ(replica->stats().committed_seq, 2);
  replica->Stop();
}

TEST(Replica, DemotedWriterDropsWhatItNeverCommittedAndFollows) {
  auto path = TempDb();
  auto a = Open(path, true);
  a->Start();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Register(*a, i).ok());
  auto r = store::OpenSqlite(path, false);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(a->Demote(std::move(*r)).ok());
  EXPECT_TRUE(a->replica());
  EXPECT_FALSE(Register(*a, 9).ok());
  // Another writer appends; the demoted engine follows it.
  a->Stop();
  Options ro;
  ro.replica = true;
  ro.replica_poll_ms = 5;
  auto b = Open(path, true);
  b->Start();
  auto follower = Open(path, false, ro);
  follower->Start();
  for (int i = 3; i < 6; ++i) ASSERT_TRUE(Register(*b, i).ok());
  ASSERT_TRUE(follower->WaitApplied(b->stats().committed_seq, 5000));
  b->Stop();
  follower->Stop();
  EXPECT_EQ(follower->state().Snapshot(), b->state().Snapshot());
}

// PostgreSQL: a writer whose lease epoch was taken over cannot append; its requests are
// answered UNAVAILABLE (retryable) and nothing of them is in the journal; a replica on the
// same database promoted with the new epoch continues the chain.
TEST(Replica, FencedWriterCannotAppendAndTheNewLeaderContinues) {
  auto url = store::TestDatabaseUrl("replica_fence");
  if (!url.ok()) GTEST_SKIP() << "no PostgreSQL here: " << url.error().message;
  auto lease = store::PgLease::Open(*url);
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  auto e1 = (*lease)->TryAcquire("a", "127.0.0.1:1", 60000);
  ASSERT_TRUE(e1.ok()) << e1.error().message;
  auto w1 = store::OpenPostgres(*url, store::PgOpenOptions{true, "a", *e1});
  ASSERT_TRUE(w1.ok()) << w1.error().message;
  Options lo;
  lo.is_fenced = [](const Error& e) { return store::IsFenced(e); };
  auto old_leader = std::make_unique<Engine>(std::move(*w1), lo);
  ASSERT_TRUE(old_leader->Recover().ok());
  old_leader->Start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Register(*old_leader, i).ok());
  Options ro;
  ro.replica = true;
  ro.replica_poll_ms = 5;
  auto rd = store::OpenPostgres(*url, store::PgOpenOptions{});
  ASSERT_TRUE(rd.ok());
  auto standby = std::make_unique<Engine>(std::move(*rd), ro);
  ASSERT_TRUE(standby->Recover().ok());
  standby->Start();
  ASSERT_TRUE(standby->WaitApplied(5, 5000));
  // "a" is paused past its lease; "b" takes it over (TryAcquire with a 1 ms lease for "a"
  // would need waiting: renew "a" with 1 ms and let it lapse instead).
  ASSERT_TRUE((*lease)->Renew("a", *e1, 1).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto e2 = (*lease)->TryAcquire("b", "127.0.0.1:2", 60000);
  ASSERT_TRUE(e2.ok()) << e2.error().message;
  EXPECT_EQ(*e2, *e1 + 1);
  auto w2 = store::OpenPostgres(*url, store::PgOpenOptions{true, "b", *e2});
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE(standby->Promote(std::move(*w2)).ok());
  // The old leader resumes: its next append is fenced.
  auto refused = Register(*old_leader, 100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::kFenced) << refused.error().message;
  EXPECT_TRUE(old_leader->broken());
  for (int i = 5; i < 10; ++i) ASSERT_TRUE(Register(*standby, i).ok());
  // The old leader steps down and follows the new one, without its refused user.
  auto rd2 = store::OpenPostgres(*url, store::PgOpenOptions{});
  ASSERT_TRUE(rd2.ok());
  ASSERT_TRUE(old_leader->Demote(std::move(*rd2)).ok());
  ASSERT_TRUE(old_leader->WaitApplied(standby->stats().committed_seq, 5000));
  old_leader->Stop();
  standby->Stop();
  EXPECT_EQ(old_leader->state().Snapshot(), standby->state().Snapshot());
  EXPECT_EQ(standby->state().users().size(), 10u);
  auto st = store::OpenPostgres(*url, store::PgOpenOptions{});
  auto rep = VerifyJournal(**st);
  EXPECT_TRUE(rep.ok) << rep.message;
  EXPECT_EQ(rep.events, 10);
}

}  // namespace
}  // namespace cx::engine
