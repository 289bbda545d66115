// KYC levels, limits (rolling 24-hour windows), payments held for review, sanctions
// screening (normaliser and matcher), and replay / snapshot of all of it.
#include <gtest/gtest.h>

#include "registry/registry.h"
#include "registry/test_harness.h"
#include "registry/sanctions.h"

namespace cx::registry {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1'000'000;

struct K : TestEngine {
  int64_t admin = 0, alice = 0, bob = 0;
  K() {
    ts = 1'000 * kHour;
    step_us = 0;  // the tests move time themselves
    admin = AddUser("admin", kAdmin);
    alice = AddUser("alice", kTrader);
    bob = AddUser("bob", kTrader);
  }
  int64_t AddUser(const std::string& name, uint32_t roles) {
    RegisterUser r;
    r.email_index = "idx-" + name;
    r.pii = "sealed";
    r.roles = roles;
    EXPECT_TRUE(Run(r).ok());
    return s.users().rbegin()->first;
  }
  int64_t acct(int64_t u) const { return s.user(u)->account; }
  int64_t Submit(int64_t u, KycLevel level, KycScreening scr = {}) {
    SubmitKyc c;
    c.actor = u;
    c.requested_level = level;
    c.country = "DE";
    c.sealed = "ciphertext";
    c.screening = std::move(scr);
    EXPECT_TRUE(Run(c).ok());
    return s.kyc().cases.rbegin()->first;
  }
  Result<void> Decide(int64_t actor, int64_t kcase, bool approve, KycLevel level, std::string reason = "",
                      bool override_hit = false) {
    DecideKyc d;
    d.actor = actor;
    d.kyc_case = kcase;
    d.approve = approve;
    d.level = level;
    d.reason = std::move(reason);
    d.override_hit = override_hit;
    return Run(d);
  }
};

TEST(Kyc, LevelNoneAllowsNoDepositsWithdrawalsOrOrders) {
  K k;
  auto r = k.Run(DepositCash{k.admin, k.acct(k.alice), "USD", 100, ""});
  ASSERT_EQ(CodeOf(r), Code::kLimitExceeded);
  EXPECT_EQ(r.error().field, "amount");
  EXPECT_EQ(CodeOf(k.Run(RequestWithdrawal{k.alice, 0, "USD", 1, ""})), Code::kLimitExceeded);  // before the balance
}

TEST(Kyc, SubmitApproveGrantsLevelAndLimitsApply) {
  K k;
  int64_t c = k.Submit(k.alice, KycLevel::kBasic);
  EXPECT_EQ(k.s.kyc_case(c)->status, KycStatus::kPending);
  // A second case while one is pending, and deciding one's own case, are refused.
  SubmitKyc again;
  again.actor = k.alice;
  again.requested_level = KycLevel::kFull;
  again.country = "DE";
  again.sealed = "x";
  EXPECT_EQ(CodeOf(k.Run(again)), Code::kConflict);
  EXPECT_EQ(CodeOf(k.Decide(k.bob, c, true, KycLevel::kBasic)), Code::kForbidden);  // not an admin
  EXPECT_EQ(CodeOf(k.Decide(k.admin, c, false, KycLevel::kBasic, " ")), Code::kMissingField);
  ASSERT_TRUE(k.Decide(k.admin, c, true, KycLevel::kBasic).ok());
  EXPECT_EQ(k.s.kyc_level(k.alice), KycLevel::kBasic);
  EXPECT_EQ(CodeOf(k.Decide(k.admin, c, true, KycLevel::kBasic)), Code::kBadState);  // decided already
  // Basic: 10,000.00 a day.
  const int64_t a = k.acct(k.alice);
  EXPECT_TRUE(k.Run(DepositCash{k.admin, a, "USD", 600'000, ""}).ok());
  auto r = k.Run(DepositCash{k.admin, a, "USD", 400'001, ""});
  EXPECT_EQ(CodeOf(r), Code::kLimitExceeded);
  EXPECT_NE(r.error().message.find("4000.00 left"), std::string::npos) << r.error().message;
  EXPECT_TRUE(k.Run(DepositCash{k.admin, a, "USD", 400'000, ""}).ok());  // exactly the limit
  EXPECT_TRUE(k.Run(DepositCash{k.admin, a, "EUR", 1'000'000, ""}).ok());  // each currency its own window
  EXPECT_TRUE(k.s.CheckInvariants().ok());
}

TEST(Kyc, RollingWindowForgetsAfter24Hours) {
  K k;
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.alice, KycLevel::kBasic, "offline review"}).ok());
  const int64_t a = k.acct(k.alice);
  ASSERT_TRUE(k.Run(DepositCash{k.admin, a, "USD", 1'000'000, ""}).ok());
  k.ts += 23 * kHour;
  EXPECT_EQ(CodeOf(k.Run(DepositCash{k.admin, a, "USD", 1, ""})), Code::kLimitExceeded);
  k.ts += kHour;  // exactly 24 h later: the first deposit has left the window
  EXPECT_TRUE(k.Run(DepositCash{k.admin, a, "USD", 1'000'000, ""}).ok());
  EXPECT_EQ(k.s.KycWindowSum(a, "USD", 0, k.ts), 1'000'000);
  // Withdrawals: a rejected one stops counting.
  ASSERT_TRUE(k.Run(RequestWithdrawal{k.alice, 0, "USD", 900'000, ""}).ok());
  EXPECT_EQ(CodeOf(k.Run(RequestWithdrawal{k.alice, 0, "USD", 200'000, ""})), Code::kLimitExceeded);
  ASSERT_TRUE(k.Run(DecideWithdrawal{k.admin, 1, false, "wrong IBAN", -1}).ok());
  EXPECT_TRUE(k.Run(RequestWithdrawal{k.alice, 0, "USD", 200'000, ""}).ok());
  EXPECT_TRUE(k.s.CheckInvariants().ok());
}

TEST(Kyc, OrderLimitsOnPlaceAndReplace) {
  K k;
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.alice, KycLevel::kBasic, ""}).ok());
  // A credit class, project and batch for alice to sell, an instrument to trade it on.
  int64_t dev = k.AddUser("dev", kProjectDeveloper), ver = k.AddUser("ver", kVerifier);
  CreditClass cls;
  cls.code = "VCS";
  ASSERT_TRUE(k.Run(CreateCreditClass{0, cls}).ok());
  ProjectInfo info;
  info.name = "P";
  info.country = "BR";
  info.methodology = "VM0015";
  info.credit_class = 1;
  ASSERT_TRUE(k.Run(CreateProject{dev, info}).ok());
  ASSERT_TRUE(k.Run(SubmitProject{dev, 1}).ok());
  ASSERT_TRUE(k.Run(ReviewProject{ver, 1, ReviewProject::kValidate, ""}).ok());
  ASSERT_TRUE(k.Run(RequestIssuance{dev, 1, 2022, "2022-01-01", "2022-12-31", 5'000'000, "VB", "bafyreport"}).ok());
  ASSERT_TRUE(k.Run(ApproveIssuance{ver, 1}).ok());
  ASSERT_TRUE(k.Run(Transfer{dev, 0, k.acct(k.alice), 1, 2'000'000}).ok());
  Instrument in;
  in.batch = 1;
  in.symbol = "P22";
  ASSERT_TRUE(k.Run(CreateInstrument{k.admin, true, in}).ok());
  KycLimits deposits = DefaultKycLimits(KycLevel::kBasic);
  deposits.deposit_24h = kNoLimit;  // so cash is not what refuses the larger orders below
  ASSERT_TRUE(k.Run(SetKycLimits{k.admin, KycLevel::kBasic, deposits}).ok());
  ASSERT_TRUE(k.Run(DepositCash{k.admin, k.acct(k.alice), "USD", 5'000'000, ""}).ok());
  PlaceOrder sell;
  sell.actor = k.alice;
  sell.order.instrument = 1;
  sell.order.side = OrderSide::kSell;
  sell.order.price = 100'000;  // 1,000.00 a tonne
  sell.order.qty = 1'001'000;  // one tonne over basic's 1,000 t
  auto r = k.Run(sell);
  ASSERT_EQ(CodeOf(r), Code::kLimitExceeded);
  EXPECT_EQ(r.error().field, "quantity");
  sell.order.qty = 1'000'000;
  ASSERT_TRUE(k.Run(sell).ok());
  PlaceOrder buy;
  buy.actor = k.alice;
  buy.order.instrument = 1;
  buy.order.side = OrderSide::kBuy;
  buy.order.price = 1'000;  // 10.00 a tonne
  buy.order.qty = 100'000;  // 100 t: notional 1,000.00
  ASSERT_TRUE(k.Run(buy).ok());
  const int64_t buy_id = k.s.order_count();
  // Replacing it up to 1,000 t at 10.00 = 10,000.00 is the limit; one more tonne is over.
  EXPECT_EQ(CodeOf(k.Run(ReplaceOrder{k.alice, buy_id, 1'000, 1'001'000})), Code::kLimitExceeded);
  EXPECT_TRUE(k.Run(ReplaceOrder{k.alice, buy_id, 1'000, 900'000}).ok());
  // bob, frozen (level none) with cash, cannot order at all.
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.bob, KycLevel::kBasic, ""}).ok());
  ASSERT_TRUE(k.Run(DepositCash{k.admin, k.acct(k.bob), "USD", 1'000'000, ""}).ok());
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.bob, KycLevel::kNone, "frozen"}).ok());
  buy.actor = k.bob;
  EXPECT_EQ(CodeOf(k.Run(buy)), Code::kLimitExceeded);
  // Admin limits: unlimited order size for basic.
  KycLimits l = deposits;
  l.order_qty_kg = kNoLimit;
  EXPECT_EQ(CodeOf(k.Run(SetKycLimits{k.alice, KycLevel::kBasic, l})), Code::kForbidden);
  KycLimits bad = l;
  bad.deposit_24h = -2;
  EXPECT_EQ(CodeOf(k.Run(SetKycLimits{k.admin, KycLevel::kBasic, bad})), Code::kInvalidField);
  ASSERT_TRUE(k.Run(SetKycLimits{k.admin, KycLevel::kBasic, l}).ok());
  sell.order.qty = 1'000'000;
  sell.order.price = 100'001;
  EXPECT_TRUE(k.Run(sell).ok());
  EXPECT_TRUE(k.s.CheckInvariants().ok());
}

TEST(Kyc, ScreeningHitRaisesAlertAndNeedsOverride) {
  K k;
  KycScreening scr;
  scr.hit = true;
  scr.matches.push_back(KycMatch{"BIN LADIN, Usama", "OFAC SDN", 960'000});
  int64_t c = k.Submit(k.alice, KycLevel::kFull, scr);
  ASSERT_EQ(k.s.alerts().size(), 1u);
  EXPECT_EQ(k.s.alerts()[0].kind, "sanctions_hit");
  EXPECT_EQ(k.s.alerts()[0].accounts, std::vector<int64_t>{k.acct(k.alice)});
  // The provider cannot clear a hit; an admin needs override and a reason.
  DecideKyc p;
  p.kyc_case = c;
  p.approve = true;
  p.level = KycLevel::kFull;
  p.source = KycSource::kProvider;
  p.provider_event = "evt_1";
  EXPECT_EQ(CodeOf(k.Run(p)), Code::kBadState);
  EXPECT_EQ(CodeOf(k.Decide(k.admin, c, true, KycLevel::kFull)), Code::kBadState);
  EXPECT_EQ(CodeOf(k.Decide(k.admin, c, true, KycLevel::kFull, "", true)), Code::kBadState);
  EXPECT_EQ(k.s.kyc_case(c)->status, KycStatus::kPending);
  ASSERT_TRUE(k.Decide(k.admin, c, true, KycLevel::kFull, "different person: date of birth differs", true).ok());
  EXPECT_TRUE(k.s.kyc_case(c)->override_hit);
  EXPECT_EQ(k.s.kyc_level(k.alice), KycLevel::kFull);
}

TEST(Kyc, ProviderDecisionIsIdempotentByEventId) {
  K k;
  int64_t c1 = k.Submit(k.alice, KycLevel::kBasic);
  DecideKyc p;
  p.kyc_case = c1;
  p.approve = true;
  p.level = KycLevel::kBasic;
  p.source = KycSource::kProvider;
  p.provider_event = "evt_9";
  p.actor = k.admin;
  EXPECT_EQ(CodeOf(k.Run(p)), Code::kForbidden);  // only the webhook (actor 0) is the provider
  p.actor = 0;
  ASSERT_TRUE(k.Run(p).ok());
  EXPECT_EQ(k.s.kyc_case(c1)->source, KycSource::kProvider);
  int64_t c2 = k.Submit(k.bob, KycLevel::kBasic);
  p.kyc_case = c2;
  EXPECT_EQ(CodeOf(k.Run(p)), Code::kConflict);  // same event id
  EXPECT_EQ(k.s.kyc_case(c2)->status, KycStatus::kPending);
}

TEST(Kyc, PaymentsCreditOnceAndOverLimitAreHeld) {
  K k;
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.alice, KycLevel::kBasic, ""}).ok());
  const int64_t a = k.acct(k.alice);
  ASSERT_TRUE(k.Run(RecordPayment{"evt_1", "pi_1", a, "USD", 250'000}).ok());
  EXPECT_EQ(k.s.cash(a)->at("USD").available, 250'000);
  EXPECT_EQ(CodeOf(k.Run(RecordPayment{"evt_1", "pi_1", a, "USD", 250'000})), Code::kConflict);
  EXPECT_EQ(CodeOf(k.Run(RecordPayment{"evt_2", "pi_1", a, "USD", 250'000})), Code::kConflict);
  EXPECT_EQ(k.s.cash(a)->at("USD").available, 250'000);
  // Over the window: held, not credited, not lost.
  ASSERT_TRUE(k.Run(RecordPayment{"evt_3", "pi_3", a, "USD", 800'000}).ok());
  const Payment& held = k.s.kyc().payments.rbegin()->second;
  EXPECT_EQ(held.status, PaymentStatus::kHeld);
  EXPECT_EQ(k.s.cash(a)->at("USD").available, 250'000);
  // bob has no level: everything is held.
  ASSERT_TRUE(k.Run(RecordPayment{"evt_4", "pi_4", k.acct(k.bob), "USD", 1}).ok());
  EXPECT_EQ(k.s.kyc().payments.rbegin()->second.status, PaymentStatus::kHeld);
  EXPECT_EQ(CodeOf(k.Run(SettlePayment{k.alice, held.id, true, ""})), Code::kForbidden);
  EXPECT_EQ(CodeOf(k.Run(SettlePayment{k.admin, 3, false, ""})), Code::kMissingField);
  ASSERT_TRUE(k.Run(SettlePayment{k.admin, held.id, true, "source of funds checked"}).ok());
  EXPECT_EQ(k.s.cash(a)->at("USD").available, 1'050'000);
  ASSERT_TRUE(k.Run(SettlePayment{k.admin, 3, false, "no verified owner"}).ok());
  EXPECT_EQ(CodeOf(k.Run(SettlePayment{k.admin, 3, true, ""})), Code::kBadState);
  EXPECT_EQ(CodeOf(k.Run(RecordPayment{"evt_5", "pi_5", 424242, "USD", 1})), Code::kUnknownAccount);
  EXPECT_TRUE(k.s.CheckInvariants().ok());
}

TEST(Kyc, ReplayAndSnapshotRebuildTheSameState) {
  K k;
  int64_t c = k.Submit(k.alice, KycLevel::kFull);
  ASSERT_TRUE(k.Decide(k.admin, c, true, KycLevel::kFull).ok());
  ASSERT_TRUE(k.Run(SetKycLevel{k.admin, k.bob, KycLevel::kBasic, ""}).ok());
  ASSERT_TRUE(k.Run(RecordPayment{"evt_1", "pi_1", k.acct(k.bob), "USD", 900'000}).ok());
  ASSERT_TRUE(k.Run(RecordPayment{"evt_2", "pi_2", k.acct(k.bob), "USD", 900'000}).ok());  // held
  ASSERT_TRUE(k.Run(RequestWithdrawal{k.bob, 0, "USD", 50'000, ""}).ok());
  KycLimits l = DefaultKycLimits(KycLevel::kFull);
  l.withdrawal_24h = kNoLimit;
  ASSERT_TRUE(k.Run(SetKycLimits{k.admin, KycLevel::kFull, l}).ok());
  KycScreening scr;
  scr.hit = true;
  scr.matches.push_back(KycMatch{"Some Body", "test", 950'000});
  int64_t dev = k.AddUser("dev", kProjectDeveloper);
  k.Submit(dev, KycLevel::kBasic, scr);
  const std::string live = k.s.Snapshot();
  RegistryState replay;
  for (size_t i = 0; i < k.log.size(); ++i) replay.Apply(k.log[i], static_cast<int64_t>(i + 1), k.log_ts[i]);
  EXPECT_EQ(replay.Snapshot(), live);
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(live));
  EXPECT_EQ(restored.Snapshot(), live);
  EXPECT_EQ(restored.kyc_level(k.alice), KycLevel::kFull);
  EXPECT_EQ(restored.kyc().limits[2].withdrawal_24h, kNoLimit);
  EXPECT_EQ(restored.KycWindowSum(k.acct(k.bob), "USD", 0, k.ts), 900'000);
  EXPECT_EQ(restored.KycWindowSum(k.acct(k.bob), "USD", 1, k.ts), 50'000);
  // Idempotency survives the snapshot.
  std::vector<Event> out;
  EXPECT_FALSE(restored.Decide(RecordPayment{"evt_1", "pi_9", k.acct(k.bob), "USD", 1}, k.ts, out).ok());
  EXPECT_TRUE(restored.kyc().open_case.count(dev));
  EXPECT_TRUE(restored.CheckInvariants().ok());
}

// ---------------------------------------------------------------- screening
TEST(Sanctions, NormaliserFoldsCaseDiacriticsPunctuationAndOrder) {
  using sanctions::Normalize;
  EXPECT_EQ(Normalize("BIN LADIN, Usama"), "bin ladin usama");
  EXPECT_EQ(Normalize("usama   bin-ladin."), "bin ladin usama");
  EXPECT_EQ(Normalize("Jos\xC3\xA9 \xC3\x81lvarez"), "alvarez jose");           // José Álvarez
  EXPECT_EQ(Normalize("Stra\xC3\x9F" "e"), "strasse");                          // Straße
  EXPECT_EQ(Normalize("\xC5\x81ukasz \xC5\xBB\xC3\xB3\xC5\x82w"), "lukasz zolw");  // Łukasz Żółw
  EXPECT_EQ(Normalize("Jose\xCC\x81"), "jose");                                 // combining acute
  EXPECT_EQ(Normalize("O'Brien"), "obrien");
  EXPECT_EQ(Normalize("'; DROP TABLE users; --"), "drop table users");
  EXPECT_EQ(Normalize(""), "");
  EXPECT_EQ(Normalize("\xFF\xFE"), "");  // invalid UTF-8 is a separator, not a crash
}

TEST(Sanctions, SimilarityToleratesOrderTyposAndMiddleNames) {
  using sanctions::SimilarityPpm;
  EXPECT_EQ(SimilarityPpm("Usama BIN LADIN", "bin ladin, usama"), 1'000'000);
  EXPECT_GE(SimilarityPpm("Usama bin Ladn", "BIN LADIN, Usama"), 900'000);   // one letter missing
  EXPECT_GE(SimilarityPpm("Vladimir Putin", "PUTIN, Vladimir Vladimirovich"), 900'000);  // middle name
  EXPECT_LT(SimilarityPpm("Usama Smith", "BIN LADIN, Usama"), 900'000);      // first name alone
  EXPECT_LT(SimilarityPpm("Maria Garcia", "Mario Gomez"), 900'000);
  EXPECT_LT(SimilarityPpm("Ali", "ALI, Hassan Mohammed"), 900'000);          // one shared token
}

TEST(Sanctions, ListsInOfacAndPlainFormats) {
  sanctions::List list;
  const std::string sdn =
      "ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\n"
      "2674,\"BIN LADIN, Usama\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 30 Jul 1957\"\r\n"
      "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
  auto n = list.AddText(sdn, "OFAC SDN");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2u);
  auto alt = list.AddText("2674,1120,\"aka\",\"BIN LADEN, Osama\",-0- \n", "OFAC ALT");
  ASSERT_TRUE(alt.ok());
  EXPECT_EQ(*alt, 1u);
  auto plain = list.AddText("# test list\n\nIvan Petrov\nJ\xC3\xBCrgen M\xC3\xBCller\n", "local");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, 2u);
  EXPECT_EQ(list.size(), 5u);

  KycScreening s = list.Screen("Osama bin Laden");
  ASSERT_TRUE(s.hit);
  EXPECT_EQ(s.matches[0].name, "BIN LADEN, Osama");
  EXPECT_EQ(s.matches[0].list, "OFAC ALT");
  EXPECT_EQ(s.matches[0].score_ppm, 1'000'000);
  s = list.Screen("juergen mueller");  // transliterated umlauts are a typo away
  EXPECT_FALSE(s.hit);
  s = list.Screen("JURGEN MULLER");
  ASSERT_TRUE(s.hit);
  EXPECT_EQ(s.matches[0].list, "local");
  s = list.Screen("Aerocaribbean Airline");
  EXPECT_TRUE(s.hit);
  EXPECT_FALSE(list.Screen("Jane Doe").hit);
  EXPECT_FALSE(list.Screen("").hit);
  EXPECT_FALSE(list.Screen(std::string(1 << 20, 'x')).hit);  // a 1 MB name is cut, not slow
}

}  // namespace
}  // namespace cx::registry
