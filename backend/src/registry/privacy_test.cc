// Erasure and consent records in the registry (privacy.cc): what erasure removes, what it
// refuses, and that replay and snapshots keep it.
#include <gtest/gtest.h>

#include "registry/registry.h"
#include "registry/test_harness.h"

namespace cx::registry {
namespace {

struct PHarness : TestEngine {
  int64_t Add(const std::string& index, const std::string& key) {
    EXPECT_TRUE(Run(RegisterUser{index, key, "\x01sealed-bytes", kTrader}).ok());
    return s.user_by_email_index(index)->id;
  }
};

std::string FieldOf(const Result<void>& r) { return r.ok() ? "" : r.error().field; }

TEST(Privacy, EmailIndexIsUniqueAndRequiredWithoutWallet) {
  PHarness h;
  h.Add("aa11", "k1");
  EXPECT_EQ(CodeOf(h.Run(RegisterUser{"aa11", "k2", "x", kTrader})), Code::kEmailTaken);
  EXPECT_EQ(CodeOf(h.Run(RegisterUser{"", "k2", "x", kTrader})), Code::kMissingField);
  EXPECT_EQ(CodeOf(h.Run(RegisterUser{"bb", "k2", std::string(5000, 'x'), kTrader})), Code::kInvalidField);
}

TEST(Privacy, EraseFreesTheIndexRevokesSessionsAndKeepsTheId) {
  PHarness h;
  int64_t u = h.Add("idx-u", "key-u");
  int64_t other = h.Add("idx-o", "key-o");
  const std::string t1(64, 'a'), t2(64, 'b');
  auto os = h.Run(OpenSession{u, t1, 1000});
  ASSERT_TRUE(os.ok()) << os.error().message;
  ASSERT_TRUE(h.Run(OpenSession{u, t2, 1000}).ok());
  ASSERT_TRUE(h.Run(RecordConsent{u, "marketing_email", true, "2026-01"}).ok());
  EXPECT_EQ(CodeOf(h.Run(EraseUser{u, other})), Code::kForbidden);
  std::vector<Event> out;
  ASSERT_TRUE(h.s.Decide(EraseUser{u, u}, h.ts + 1, out).ok());
  ASSERT_EQ(out.size(), 3u);  // two sessions, then the erasure naming the key to shred
  EXPECT_EQ(std::get<UserErased>(out.back()).pii_key, "key-u");
  ASSERT_TRUE(h.Run(EraseUser{u, u}).ok());
  const User* x = h.s.user(u);
  ASSERT_NE(x, nullptr);
  EXPECT_TRUE(x->erased);
  EXPECT_TRUE(x->pii.empty());
  EXPECT_TRUE(x->email_index.empty());
  EXPECT_EQ(x->pii_key, "key-u");  // kept: a restart shreds keys of erased users again
  EXPECT_EQ(h.s.user_by_email_index("idx-u"), nullptr);
  EXPECT_EQ(h.s.SessionFamilyOf(t1), 0);
  EXPECT_EQ(h.s.SessionFamilyOf(t2), 0);
  EXPECT_EQ(CodeOf(h.Run(EraseUser{u, u})), Code::kBadState);
  EXPECT_EQ(CodeOf(h.Run(RecordConsent{u, "analytics", true, "1"})), Code::kBadState);
  // The same email (index) may register again, as a new user.
  int64_t again = h.Add("idx-u", "key-u2");
  EXPECT_NE(again, u);
  bool audited = false;
  for (const auto& a : h.s.audit()) audited |= a.kind == "user_erased" && a.user == u;
  EXPECT_TRUE(audited);
}

TEST(Privacy, ErasureWaitsForPendingWithdrawalsAndLockedCash) {
  PHarness h;
  int64_t u = h.Add("idx", "k");
  int64_t acct = h.s.user(u)->account;
  int64_t admin = h.Add("admin", "ka");
  ASSERT_TRUE(h.Run(SetUserRoles{0, admin, kAdmin}).ok());
  // Cash needs a verified identity (KYC level); an admin sets it directly.
  ASSERT_TRUE(h.Run(SetKycLevel{admin, u, KycLevel::kFull, "test"}).ok());
  auto dep = h.Run(DepositCash{0, acct, "USD", 10'000, "wire"});
  ASSERT_TRUE(dep.ok()) << dep.error().message;
  ASSERT_TRUE(h.Run(RequestWithdrawal{u, 0, "USD", 2'000, "payout"}).ok());
  auto r = h.Run(EraseUser{u, u});
  EXPECT_EQ(CodeOf(r), Code::kConflict);
  EXPECT_EQ(FieldOf(r), "pending_withdrawals");
  EXPECT_FALSE(h.s.user(u)->erased);
  int64_t wid = h.s.withdrawals().begin()->first;
  // An admin rejects it: the lock is released and erasure goes through.
  ASSERT_TRUE(h.Run(DecideWithdrawal{admin, wid, false, "no"}).ok());
  EXPECT_TRUE(h.Run(EraseUser{u, u}).ok());
  EXPECT_TRUE(h.s.CheckInvariants().ok());
}

TEST(Privacy, ConsentsValidateAndSurviveReplayAndSnapshots) {
  PHarness h;
  int64_t u = h.Add("i1", "k1");
  int64_t v = h.Add("i2", "k2");
  EXPECT_EQ(CodeOf(h.Run(RecordConsent{u, "", true, "1"})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(RecordConsent{u, "Bad Purpose", true, "1"})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(RecordConsent{u, "analytics", true, ""})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(RecordConsent{999, "analytics", true, "1"})), Code::kUnknownUser);
  ASSERT_TRUE(h.Run(RecordConsent{u, "analytics", true, "2026-01"}).ok());
  ASSERT_TRUE(h.Run(RecordConsent{u, "analytics", false, "2026-02"}).ok());
  ASSERT_TRUE(h.Run(RecordConsent{v, "marketing_email", true, "2026-01"}).ok());
  ASSERT_TRUE(h.Run(EraseUser{v, v}).ok());
  ASSERT_EQ(h.s.ConsentsOf(u)->size(), 2u);
  EXPECT_FALSE(h.s.ConsentsOf(u)->back().granted);
  EXPECT_EQ(h.s.ConsentsOf(u)->back().policy_version, "2026-02");

  RegistryState replayed;
  for (size_t i = 0; i < h.log.size(); ++i) {
    Event e;
    ASSERT_TRUE(DecodeEvent(EventTypeName(h.log[i]), EncodeEvent(h.log[i]), e));
    replayed.Apply(e, static_cast<int64_t>(i + 1), h.log_ts[i]);
  }
  EXPECT_TRUE(replayed.Snapshot() == h.s.Snapshot());
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(h.s.Snapshot()));
  EXPECT_TRUE(restored.Snapshot() == h.s.Snapshot());
  ASSERT_NE(restored.ConsentsOf(u), nullptr);
  EXPECT_EQ(restored.ConsentsOf(u)->size(), 2u);
  EXPECT_TRUE(restored.user(v)->erased);
  EXPECT_EQ(restored.user_by_email_index("i2"), nullptr);
  EXPECT_EQ(restored.user_by_email_index("i1")->id, u);
}

}  // namespace
}  // namespace cx::registry
