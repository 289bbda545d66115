// API keys in the registry: creation rules, step-up with the second factor, the live-key
// limit, revocation, audit entries, and that replay and snapshots rebuild them exactly.
#include <gtest/gtest.h>

#include "registry/registry.h"
#include "registry/test_harness.h"

namespace cx::registry {
namespace {

struct H : TestEngine {
  int64_t AddUser(const std::string& email, uint32_t roles) {
    EXPECT_TRUE(Run(RegisterUser{email, "$argon2id$x", email, roles}).ok());
    return s.user_by_email(email)->id;
  }
  int64_t now_s() const { return ts / 1'000'000; }
};

std::string Id(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "cxk_%024x", n);
  return buf;
}

CreateApiKey Key(int64_t actor, int n, int64_t expires_at, uint32_t scopes = kApiScopeRead | kApiScopeTrade) {
  CreateApiKey c;
  c.actor = actor;
  c.key.id = Id(n);
  c.key.label = "bot " + std::to_string(n);
  c.key.scopes = scopes;
  c.key.expires_at = expires_at;
  return c;
}

}  // namespace

TEST(ApiKeys, CreateValidatesEveryField) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  const int64_t exp = h.now_s() + 86400;
  EXPECT_EQ(CodeOf(h.Run(Key(999, 1, exp))), Code::kUnknownUser);
  auto bad_id = Key(u, 1, exp);
  bad_id.key.id = "cxk_XYZ";
  EXPECT_EQ(CodeOf(h.Run(bad_id)), Code::kInvalidField);
  auto no_label = Key(u, 1, exp);
  no_label.key.label.clear();
  EXPECT_EQ(CodeOf(h.Run(no_label)), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(Key(u, 1, exp, 0))), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(Key(u, 1, exp, 8))), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(Key(u, 1, h.now_s() - 1))), Code::kInvalidField);
  EXPECT_EQ(CodeOf(h.Run(Key(u, 1, h.now_s() + kMaxApiKeyLifetimeS + 10))), Code::kInvalidField);
  auto many = Key(u, 1, exp);
  many.key.allow.assign(17, "10.0.0.0/8");
  EXPECT_EQ(CodeOf(h.Run(many)), Code::kInvalidField);
  EXPECT_TRUE(h.log.size() == 1);  // only the user's registration

  auto good = Key(u, 1, exp);
  good.key.allow = {"203.0.113.0/24"};
  ASSERT_TRUE(h.Run(good).ok());
  const ApiKey* k = h.s.api_key(Id(1));
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->user, u);
  EXPECT_EQ(k->scopes, kApiScopeRead | kApiScopeTrade);
  EXPECT_EQ(k->allow, std::vector<std::string>{"203.0.113.0/24"});
  EXPECT_EQ(k->created_ts, h.ts);
  EXPECT_FALSE(k->revoked());
  EXPECT_EQ(CodeOf(h.Run(Key(u, 1, exp))), Code::kConflict);  // same id twice
  EXPECT_EQ(h.s.audit().back().kind, "api_key_created");
  EXPECT_NE(h.s.audit().back().detail.find("scopes read,trade"), std::string::npos);
}

TEST(ApiKeys, AtMostTwentyLiveKeysAndExpiredOnesDoNotCount) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  // One key that expires in 2 s, then 19 long-lived ones: 20 live.
  ASSERT_TRUE(h.Run(Key(u, 100, h.now_s() + 2)).ok());
  for (int i = 0; i < 19; ++i) ASSERT_TRUE(h.Run(Key(u, i, h.now_s() + 86400)).ok());
  EXPECT_EQ(CodeOf(h.Run(Key(u, 50, h.now_s() + 86400))), Code::kConflict);
  // Revoking one frees a slot.
  ASSERT_TRUE(h.Run(RevokeApiKey{u, false, Id(3)}).ok());
  ASSERT_TRUE(h.Run(Key(u, 50, h.now_s() + 86400)).ok());
  EXPECT_EQ(CodeOf(h.Run(Key(u, 51, h.now_s() + 86400))), Code::kConflict);
  // Once the short key has expired its slot is free as well.
  h.ts += 3'000'000;
  ASSERT_TRUE(h.Run(Key(u, 51, h.now_s() + 86400)).ok());
  EXPECT_EQ(h.s.ApiKeysOf(u).size(), 22u);
  // Another user is not affected.
  int64_t v = h.AddUser("other@x.org", kTrader);
  EXPECT_TRUE(h.Run(Key(v, 200, h.now_s() + 86400)).ok());
}

TEST(ApiKeys, RevokeByOwnerOrAdminOnlyAndOnce) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  int64_t other = h.AddUser("eve@x.org", kTrader);
  int64_t admin = h.AddUser("admin@x.org", kAdmin);
  ASSERT_TRUE(h.Run(Key(u, 1, h.now_s() + 3600)).ok());
  ASSERT_TRUE(h.Run(Key(u, 2, h.now_s() + 3600)).ok());
  EXPECT_EQ(CodeOf(h.Run(RevokeApiKey{other, false, Id(1)})), Code::kNotFound);
  EXPECT_EQ(CodeOf(h.Run(RevokeApiKey{u, false, Id(9)})), Code::kNotFound);
  EXPECT_FALSE(h.s.api_key(Id(1))->revoked());
  ASSERT_TRUE(h.Run(RevokeApiKey{u, false, Id(1)}).ok());
  EXPECT_EQ(h.s.api_key(Id(1))->revoked_ts, h.ts);
  EXPECT_EQ(h.s.api_key(Id(1))->revoked_by, u);
  EXPECT_EQ(CodeOf(h.Run(RevokeApiKey{u, false, Id(1)})), Code::kBadState);
  ASSERT_TRUE(h.Run(RevokeApiKey{admin, true, Id(2)}).ok());
  EXPECT_EQ(h.s.api_key(Id(2))->revoked_by, admin);
  const AuditEntry& a = h.s.audit().back();
  EXPECT_EQ(a.kind, "api_key_revoked");
  EXPECT_EQ(a.user, u);
  EXPECT_EQ(a.actor, admin);
}

TEST(ApiKeys, CreationNeedsTheSecondFactorWhenEnabled) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  ASSERT_TRUE(h.Run(StartMfaEnrollment{u, "sealed"}).ok());
  const std::string rh(64, 'a');  // a recovery code's hash
  ASSERT_TRUE(h.Run(ConfirmMfaEnrollment{u, 100, {rh}}).ok());
  auto c = Key(u, 1, h.now_s() + 3600);
  EXPECT_EQ(CodeOf(h.Run(c)), Code::kMfaRequired);
  c.mfa_step = 100;  // already used for the confirmation
  EXPECT_EQ(CodeOf(h.Run(c)), Code::kBadCredentials);
  EXPECT_EQ(h.s.api_key(Id(1)), nullptr);
  c.mfa_step = 101;
  ASSERT_TRUE(h.Run(c).ok());
  EXPECT_EQ(h.s.mfa(u)->last_step, 101);
  auto d = Key(u, 2, h.now_s() + 3600);
  d.recovery_hash = rh;
  ASSERT_TRUE(h.Run(d).ok());
  EXPECT_TRUE(h.s.mfa(u)->recovery_hashes.empty());
  EXPECT_EQ(CodeOf(h.Run(Key(u, 3, h.now_s() + 3600))), Code::kMfaRequired);
}

TEST(ApiKeys, ReplayAndSnapshotRebuildKeysExactly) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  int64_t v = h.AddUser("bot2@x.org", kTrader);
  for (int i = 0; i < 6; ++i) {
    auto c = Key(i % 2 ? u : v, 40 - i, h.now_s() + 3600 + i, static_cast<uint32_t>(1 + i % 7));
    if (i == 2) c.key.allow = {"10.0.0.0/8", "2001:db8::/32"};
    ASSERT_TRUE(h.Run(c).ok());
  }
  ASSERT_TRUE(h.Run(RevokeApiKey{u, false, Id(39)}).ok());

  RegistryState replayed;
  for (size_t i = 0; i < h.log.size(); ++i) {
    Event back;
    ASSERT_TRUE(DecodeEvent(EventTypeName(h.log[i]), EncodeEvent(h.log[i]), back));
    ASSERT_EQ(EncodeEvent(back), EncodeEvent(h.log[i]));
    replayed.Apply(back, static_cast<int64_t>(i + 1), h.log_ts[i]);
  }
  EXPECT_TRUE(replayed.Snapshot() == h.s.Snapshot());
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(h.s.Snapshot()));
  EXPECT_TRUE(restored.Snapshot() == h.s.Snapshot());
  ASSERT_EQ(restored.ApiKeysOf(u).size(), 3u);
  ASSERT_EQ(restored.ApiKeysOf(v).size(), 3u);
  // Oldest first after a restore, as live.
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(restored.ApiKeysOf(u)[i]->id, h.s.ApiKeysOf(u)[i]->id);
  EXPECT_TRUE(restored.api_key(Id(39))->revoked());
  EXPECT_EQ(restored.api_key(Id(38))->allow.size(), 2u);
  EXPECT_EQ(restored.audit().size(), h.s.audit().size());
}

TEST(ApiKeys, JournalEventsHoldNoSecretMaterial) {
  H h;
  int64_t u = h.AddUser("bot@x.org", kTrader);
  ASSERT_TRUE(h.Run(Key(u, 7, h.now_s() + 3600)).ok());
  const std::string json = EventToJson(h.log.back());
  EXPECT_EQ(json.find("cxs_"), std::string::npos);
  EXPECT_NE(json.find(Id(7)), std::string::npos);
}

}  // namespace cx::registry
