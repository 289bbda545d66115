// The exchange inside the registry: locks, delivery versus payment, fees, standard
// contracts, order types through the state machine, bands, halts, auctions, replay and
// snapshots. A tiny engine (Decide, then Apply with derived outcomes journaled) drives it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <algorithm>
#include <map>
#include <random>

#include "exchange/order_book.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Code CodeOf(const Result<void>& r) { return r.ok() ? Code::kOk : r.error().code; }

struct Engine {
  RegistryState s;
  std::vector<Event> log;
  std::vector<int64_t> log_ts;
  int64_t ts = 1'700'000'000'000'000;
  std::vector<Event> last;  // events of the last accepted command (inputs + outcomes)
  int64_t seq_base = 0;     // journal seq before this harness's first event (restored twins)

  Result<void> Run(const Command& c, int64_t advance_us = 1) {
    ts += advance_us;
    std::vector<Event> out, derived;
    s.BeginStep();
    auto r = s.Decide(c, ts, out);
    if (!r.ok()) {
      EXPECT_TRUE(out.empty());
      return r;
    }
    last.clear();
    for (auto& e : out) {
      derived.clear();
      s.Apply(e, seq_base + static_cast<int64_t>(log.size()) + 1, ts, &derived);
      log.push_back(e);
      log_ts.push_back(ts);
      last.push_back(e);
      for (auto& d : derived) {
        log.push_back(d);
        log_ts.push_back(ts);
        last.push_back(d);
      }
    }
    return r;
  }
  int64_t AddUser(const std::string& email, uint32_t roles) {
    EXPECT_TRUE(Run(RegisterUser{email, "$argon2id$x", email, roles}).ok());
    const int64_t id = s.user_by_email(email)->id;
    // Cash and orders need a KYC level (kyc.cc): fixture users are verified in full.
    EXPECT_TRUE(Run(SetKycLevel{0, id, KycLevel::kFull, "test fixture"}).ok());
    return id;
  }
  int64_t acct(int64_t user) const { return s.user(user)->account; }
  int64_t Cash(int64_t account, bool locked = false, const std::string& cur = "USD") const {
    const auto* m = s.cash(account);
    if (!m || !m->count(cur)) return 0;
    return locked ? m->at(cur).locked : m->at(cur).available;
  }
  int64_t Tradable(int64_t account, int64_t batch) const {
    const Holding* h = s.holding(account, batch);
    return h ? h->available() : 0;
  }
  int64_t Escrowed(int64_t account, int64_t batch) const {
    const Holding* h = s.holding(account, batch);
    return h ? h->escrowed_kg : 0;
  }
  // Places an order; returns its id (0 if refused) and the refusal in *code.
  int64_t Place(int64_t user, int64_t instrument, OrderSide side, OrderKind kind, int64_t price, int64_t qty,
                OrderTif tif = OrderTif::kGtc, Code* code = nullptr, int64_t batch = 0,
                OrderStp stp = OrderStp::kCancelNewest) {
    PlaceOrder p;
    p.actor = user;
    p.order.instrument = instrument;
    p.order.side = side;
    p.order.kind = kind;
    p.order.tif = tif;
    p.order.stp = stp;
    if (kind == OrderKind::kStop || kind == OrderKind::kStopLimit) p.order.stop_price = price;
    if (kind == OrderKind::kStopLimit) p.order.price = price;
    if (kind == OrderKind::kLimit) p.order.price = price;
    p.order.qty = qty;
    p.order.batch = batch;
    int64_t id = s.order_count() + 1;
    auto r = Run(p);
    if (code) *code = CodeOf(r);
    return r.ok() ? id : 0;
  }
  void ExpectInvariants() {
    auto r = s.CheckInvariants();
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
};

ProjectInfo Info(const std::string& name, int64_t cls, const std::string& country, Nature n,
                 Mitigation m = Mitigation::kReduction) {
  ProjectInfo i;
  i.name = name;
  i.country = country;
  i.methodology = "VM0015 v1.2";
  i.credit_class = cls;
  i.nature = n;
  i.mitigation = m;
  return i;
}

// Two batches (Brazil REDD 2021 CORSIA, India cookstoves 2018), a seller holding both, two
// funded buyers, a batch instrument and a standard contract.
struct Market : Engine {
  int64_t admin, dev, ver, seller, buyer, buyer2;
  int64_t cls, forest, stoves;
  int64_t inst_forest = 0, contract = 0;
  explicit Market(int64_t maker_bp = 10, int64_t taker_bp = 20) {
    admin = AddUser("admin@x.org", kAdmin);
    dev = AddUser("dev@x.org", kProjectDeveloper);
    ver = AddUser("ver@x.org", kVerifier);
    seller = AddUser("seller@x.org", kTrader);
    buyer = AddUser("buyer@x.org", kTrader);
    buyer2 = AddUser("buyer2@x.org", kTrader);
    CreditClass c;
    c.code = "VCS";
    c.required_approvals = 1;
    EXPECT_TRUE(Run(CreateCreditClass{0, c}).ok());
    cls = s.credit_classes().begin()->first;
    forest = Issue(Info("Forest", cls, "BR", Nature::kNatureBased), 2021, 100'000, Tri::kYes);
    stoves = Issue(Info("Stoves", cls, "IN", Nature::kTechnical), 2018, 50'000, Tri::kNo);
    EXPECT_TRUE(Run(Transfer{dev, 0, acct(seller), forest, 100'000}).ok());
    EXPECT_TRUE(Run(Transfer{dev, 0, acct(seller), stoves, 50'000}).ok());
    EXPECT_TRUE(Run(DepositCash{admin, acct(buyer), "USD", 10'000'000, "wire 1"}).ok());
    EXPECT_TRUE(Run(DepositCash{admin, acct(buyer2), "USD", 10'000'000, "wire 2"}).ok());
    Instrument in;
    in.batch = forest;
    in.symbol = "FOREST21";
    in.maker_fee_bp = maker_bp;
    in.taker_fee_bp = taker_bp;
    in.tick = 1;
    in.lot_kg = 1000;
    EXPECT_TRUE(Run(CreateInstrument{admin, true, in}).ok());
    inst_forest = s.instruments().rbegin()->first;
    Instrument k;
    k.kind = InstrumentKind::kContract;
    k.symbol = "NBS-CORSIA";
    k.criteria.standards = {"VCS"};
    k.criteria.countries = {"BR", "CO", "PE"};
    k.criteria.vintage_from = 2019;
    k.criteria.corsia = Tri::kYes;
    k.maker_fee_bp = maker_bp;
    k.taker_fee_bp = taker_bp;
    EXPECT_TRUE(Run(CreateInstrument{admin, true, k}).ok());
    contract = s.instruments().rbegin()->first;
  }
  int64_t Issue(ProjectInfo info, int64_t vintage, int64_t kg, Tri corsia) {
    info.corsia = corsia;
    EXPECT_TRUE(Run(CreateProject{dev, info}).ok());
    int64_t p = s.projects().rbegin()->first;
    EXPECT_TRUE(Run(SubmitProject{dev, p}).ok());
    EXPECT_TRUE(Run(ReviewProject{ver, p, ReviewProject::kValidate, ""}).ok());
    EXPECT_TRUE(Run(RequestIssuance{dev, p, vintage, "2021-01-01", "2021-12-31", kg, "SCS", "bafyreport"}).ok());
    int64_t i = s.issuances().rbegin()->first;
    EXPECT_TRUE(Run(ApproveIssuance{ver, i}).ok());
    return s.issuances().at(i).batch;
  }
};

TEST(Market, LimitOrdersSettleDeliveryVersusPaymentWithFees) {
  Market m(10, 20);  // maker 0.10 %, taker 0.20 %
  const int64_t s_acct = m.acct(m.seller), b_acct = m.acct(m.buyer);
  // Sell 10 t at 12.34 per tonne (price in cents per tonne).
  int64_t ask = m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1234, 10'000);
  ASSERT_NE(ask, 0);
  EXPECT_EQ(m.Escrowed(s_acct, m.forest), 10'000);
  EXPECT_EQ(m.Tradable(s_acct, m.forest), 90'000);
  // Buy 4 t at 13.00: trades 4 t at the resting 12.34.
  int64_t bid = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1300, 4'000);
  ASSERT_NE(bid, 0);
  ASSERT_EQ(m.s.fills().size(), 1u);
  const Fill& f = m.s.fills()[0];
  EXPECT_EQ(f.price, 1234);
  EXPECT_EQ(f.qty, 4'000);
  EXPECT_EQ(f.notional, 4936);          // 12.34 x 4
  EXPECT_EQ(f.buyer_fee, 9);            // floor(4936 x 0.0020)
  EXPECT_EQ(f.seller_fee, 4);           // floor(4936 x 0.0010)
  EXPECT_EQ(f.batch, m.forest);
  EXPECT_EQ(f.aggressor, 0);
  EXPECT_EQ(m.Cash(b_acct), 10'000'000 - 4936 - 9);
  EXPECT_EQ(m.Cash(b_acct, true), 0);   // filled: nothing stays locked
  EXPECT_EQ(m.Cash(s_acct), 4936 - 4);
  EXPECT_EQ(m.Cash(kFeeAccount), 13);
  EXPECT_EQ(m.Tradable(b_acct, m.forest), 4'000);
  EXPECT_EQ(m.Escrowed(s_acct, m.forest), 6'000);
  EXPECT_EQ(m.s.order(bid)->status, OrderStatus::kFilled);
  EXPECT_EQ(m.s.order(ask)->status, OrderStatus::kOpen);
  EXPECT_EQ(m.s.order(ask)->open_qty, 6'000);
  // The outcome events were journaled right after the input.
  ASSERT_GE(m.last.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<OrderSubmitted>(m.last[0]));
  EXPECT_TRUE(std::holds_alternative<TradeExecuted>(m.last[1]));
  m.ExpectInvariants();
  // A resting bid locks notional + fee at the higher rate; cancelling releases it all.
  int64_t bid2 = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 5'000);
  EXPECT_EQ(m.Cash(b_acct, true), 5000 + 10);
  EXPECT_TRUE(m.Run(CancelOrder{m.buyer, false, bid2}).ok());
  EXPECT_EQ(m.Cash(b_acct, true), 0);
  EXPECT_EQ(m.s.order(bid2)->status, OrderStatus::kCancelled);
  EXPECT_EQ(CodeOf(m.Run(CancelOrder{m.buyer, false, bid2})), Code::kBadState);
  EXPECT_EQ(CodeOf(m.Run(CancelOrder{m.buyer2, false, ask})), Code::kNotHolder);
  m.ExpectInvariants();
}

TEST(Market, FeeChangesApplyToNewOrdersAndNeverChargeRestingOnesMore) {
  Market m(10, 20);
  const int64_t s_acct = m.acct(m.seller), b_acct = m.acct(m.buyer);
  // A resting bid of 5 t at 10.00 locks notional + 20 bp.
  int64_t bid = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 5'000);
  ASSERT_NE(bid, 0);
  EXPECT_EQ(m.Cash(b_acct, true), 5000 + 10);
  // Only an admin, only 0..1000 bp, and only a change.
  EXPECT_EQ(CodeOf(m.Run(SetInstrumentFees{m.buyer, m.inst_forest, 50, 100})), Code::kForbidden);
  EXPECT_EQ(CodeOf(m.Run(SetInstrumentFees{m.admin, m.inst_forest, -1, 100})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(m.Run(SetInstrumentFees{m.admin, m.inst_forest, 50, 1001})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(m.Run(SetInstrumentFees{m.admin, 999, 50, 100})), Code::kUnknownInstrument);
  EXPECT_EQ(CodeOf(m.Run(SetInstrumentFees{m.admin, m.inst_forest, 10, 20})), Code::kBadState);
  // A rise to 50 / 100 bp: the resting bid's lock is untouched and it still pays its 20 bp
  // cap as maker; the seller entering now pays the new 100 bp as taker.
  ASSERT_TRUE(m.Run(SetInstrumentFees{m.admin, m.inst_forest, 50, 100}).ok());
  EXPECT_EQ(m.s.instrument(m.inst_forest)->taker_fee_bp, 100);
  EXPECT_EQ(m.Cash(b_acct, true), 5000 + 10);
  m.ExpectInvariants();
  ASSERT_NE(m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 5'000), 0);
  ASSERT_EQ(m.s.fills().size(), 1u);
  EXPECT_EQ(m.s.fills()[0].buyer_fee, 10);   // min(50, cap 20) bp of 5000
  EXPECT_EQ(m.s.fills()[0].seller_fee, 50);  // 100 bp of 5000
  EXPECT_EQ(m.Cash(b_acct, true), 0);
  EXPECT_EQ(m.Cash(s_acct), 5000 - 50);
  // A bid entered after the rise locks at the new cap (100 bp).
  int64_t bid2 = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 2'000);
  ASSERT_NE(bid2, 0);
  EXPECT_EQ(m.Cash(b_acct, true), 2000 + 20);
  // A cut to zero applies at once to resting orders; the excess lock is released on fill.
  ASSERT_TRUE(m.Run(SetInstrumentFees{m.admin, m.inst_forest, 0, 0}).ok());
  m.ExpectInvariants();
  ASSERT_NE(m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 2'000), 0);
  ASSERT_EQ(m.s.fills().size(), 2u);
  EXPECT_EQ(m.s.fills()[1].buyer_fee, 0);
  EXPECT_EQ(m.s.fills()[1].seller_fee, 0);
  EXPECT_EQ(m.Cash(b_acct, true), 0);
  EXPECT_EQ(m.Cash(b_acct), 10'000'000 - 5000 - 10 - 2000);
  m.ExpectInvariants();
  // The changes are audited, and a replay of the journal re-derives the same fills.
  int changes = 0;
  for (const auto& a : m.s.audit()) changes += a.kind == "fees_changed";
  EXPECT_EQ(changes, 2);
  RegistryState replay;
  for (size_t k = 0; k < m.log.size(); ++k) {
    replay.Apply(m.log[k], static_cast<int64_t>(k) + 1, m.log_ts[k]);
    ASSERT_TRUE(replay.replay_divergence().empty()) << "event " << k << ": " << replay.replay_divergence();
  }
  EXPECT_EQ(replay.Snapshot(), m.s.Snapshot());
}

TEST(Market, BadOrdersAreRefusedWithTheirCodeAndChangeNothing) {
  Market m;
  std::string before = m.s.Snapshot();
  size_t log = m.log.size();
  Code c;
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 0, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kBadQuantity);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, -1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kBadQuantity);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1500, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kOffLot);
  m.Place(m.buyer, 999, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kUnknownInstrument);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 100'000'000, 1'000'000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kInsufficientFunds);
  m.Place(m.buyer, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kInsufficientCredits);
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 200'000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kInsufficientCredits);
  // Market orders need a reference price (none yet).
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kMarket, 0, 1000, OrderTif::kIoc, &c);
  EXPECT_EQ(c, Code::kInvalidField);
  // Market order with GTC is malformed.
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kMarket, 0, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kInvalidField);
  // A contract sell must name an eligible batch: the Indian 2018 batch is not.
  m.Place(m.seller, m.contract, OrderSide::kSell, OrderKind::kLimit, 1000, 1000, OrderTif::kGtc, &c, 0);
  EXPECT_EQ(c, Code::kMissingField);
  m.Place(m.seller, m.contract, OrderSide::kSell, OrderKind::kLimit, 1000, 1000, OrderTif::kGtc, &c, m.stoves);
  EXPECT_EQ(c, Code::kInvalidField);
  EXPECT_EQ(m.log.size(), log);
  EXPECT_EQ(m.s.Snapshot(), before);
  // Off-tick on an instrument with a 5-cent tick.
  Instrument t;
  t.batch = m.stoves;
  t.symbol = "STOVES";
  t.tick = 5;
  t.lot_kg = 1000;
  ASSERT_TRUE(m.Run(CreateInstrument{m.admin, true, t}).ok());
  int64_t stoves = m.s.instruments().rbegin()->first;
  m.Place(m.buyer, stoves, OrderSide::kBuy, OrderKind::kLimit, 1003, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kOffTick);
  // tick x lot must give whole minor units.
  Instrument bad;
  bad.batch = m.forest;
  bad.symbol = "X";
  bad.lot_kg = 1;
  EXPECT_EQ(CodeOf(m.Run(CreateInstrument{m.admin, true, bad})), Code::kConflict);  // one per batch
  bad.kind = InstrumentKind::kContract;
  EXPECT_EQ(CodeOf(m.Run(CreateInstrument{m.admin, true, bad})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(m.Run(CreateInstrument{m.buyer, false, bad})), Code::kForbidden);
  // Halted market.
  before = m.s.Snapshot();
  ASSERT_TRUE(m.Run(SetMarketPhase{m.admin, m.inst_forest, true, 0, "maintenance"}).ok());
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kMarketHalted);
  EXPECT_EQ(CodeOf(m.Run(SetMarketPhase{m.buyer, m.inst_forest, false, 0, ""})), Code::kForbidden);
  ASSERT_TRUE(m.Run(SetMarketPhase{m.admin, m.inst_forest, false, 0, ""}).ok());
  EXPECT_NE(m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000), 0);
  m.ExpectInvariants();
}

TEST(Market, StandardContractDeliversAnEligibleBatchAndStatesSerials) {
  Market m;
  Code c;
  int64_t ask = m.Place(m.seller, m.contract, OrderSide::kSell, OrderKind::kLimit, 1500, 3000, OrderTif::kGtc, &c, m.forest);
  ASSERT_NE(ask, 0) << int(c);
  int64_t bid = m.Place(m.buyer, m.contract, OrderSide::kBuy, OrderKind::kLimit, 1500, 3000);
  ASSERT_NE(bid, 0);
  ASSERT_EQ(m.s.fills().size(), 1u);
  const Fill& f = m.s.fills()[0];
  EXPECT_EQ(f.batch, m.forest);
  EXPECT_EQ(f.instrument, m.contract);
  ASSERT_EQ(f.ranges.size(), 1u);
  EXPECT_EQ(f.ranges[0].second - f.ranges[0].first, 3000);
  EXPECT_EQ(m.Tradable(m.acct(m.buyer), m.forest), 3000);
  EXPECT_TRUE(m.s.holding(m.acct(m.buyer), m.forest)->tradable.ContainsAll(f.ranges));
  m.ExpectInvariants();
}

TEST(Market, MarketOrdersUseTheBandAsProtectionAndStopsTriggerOnTrades) {
  Market m(0, 0);
  // A first trade sets the reference price at 10.00.
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 1000);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000);
  ASSERT_EQ(m.s.instrument(m.inst_forest)->reference_price, 1000);
  // Band 10 %: a buy above 11.00 is refused; a sell below 9.00 too.
  Code c;
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1101, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kPriceBand);
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 899, 1000, OrderTif::kGtc, &c);
  EXPECT_EQ(c, Code::kPriceBand);
  // A stop buy at 10.50 (protection 10 % above: 11.55) rests untriggered.
  int64_t stop = m.Place(m.buyer2, m.inst_forest, OrderSide::kBuy, OrderKind::kStop, 1050, 2000, OrderTif::kIoc);
  ASSERT_NE(stop, 0);
  EXPECT_EQ(m.s.order(stop)->status, OrderStatus::kPendingStop);
  EXPECT_EQ(m.s.order(stop)->book_price, 1155);
  EXPECT_EQ(m.Cash(m.acct(m.buyer2), true), 1155 * 2);
  // Asks at 10.50 and 10.60; a market buy of 1 t trades at 10.50 and triggers the stop,
  // which buys the rest at 10.50 and 10.60.
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1050, 2000);
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1060, 5000);
  int64_t mkt = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kMarket, 0, 1000, OrderTif::kIoc);
  ASSERT_NE(mkt, 0);
  EXPECT_EQ(m.s.order(mkt)->status, OrderStatus::kFilled);
  EXPECT_EQ(m.s.order(stop)->status, OrderStatus::kFilled);
  EXPECT_EQ(m.s.order(stop)->notional, 1050 + 1060);
  EXPECT_EQ(m.Cash(m.acct(m.buyer2), true), 0);
  EXPECT_EQ(m.Cash(m.acct(m.buyer2)), 10'000'000 - 2110);
  m.ExpectInvariants();
}

TEST(Market, FokPostOnlyAndSelfTradePreventionRefuseOrCancelAndReleaseLocks) {
  Market m;
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 2000);
  int64_t fok = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 5000, OrderTif::kFok);
  ASSERT_NE(fok, 0);  // accepted into the journal, refused by the book
  EXPECT_EQ(m.s.order(fok)->status, OrderStatus::kRejected);
  EXPECT_EQ(m.s.order(fok)->code, static_cast<int32_t>(Code::kFokNotFilled));
  EXPECT_EQ(m.Cash(m.acct(m.buyer), true), 0);
  PlaceOrder po;
  po.actor = m.buyer;
  po.order.instrument = m.inst_forest;
  po.order.side = OrderSide::kBuy;
  po.order.price = 1000;
  po.order.qty = 1000;
  po.order.post_only = true;
  ASSERT_TRUE(m.Run(po).ok());
  EXPECT_EQ(m.s.order(m.s.order_count())->status, OrderStatus::kRejected);
  EXPECT_EQ(m.s.order(m.s.order_count())->code, static_cast<int32_t>(Code::kPostOnlyWouldTrade));
  // Minimum fill: 2 t available, 3 t asked with at least 2.5 t at once: refused whole.
  PlaceOrder mf;
  mf.actor = m.buyer2;
  mf.order.instrument = m.inst_forest;
  mf.order.side = OrderSide::kBuy;
  mf.order.price = 1000;
  mf.order.qty = 3000;
  mf.order.min_qty = 3000;
  mf.order.tif = OrderTif::kIoc;
  ASSERT_TRUE(m.Run(mf).ok());
  EXPECT_EQ(m.s.order(m.s.order_count())->status, OrderStatus::kRejected);
  EXPECT_EQ(m.s.order(m.s.order_count())->code, static_cast<int32_t>(Code::kMinFillNotMet));
  EXPECT_EQ(m.s.fills().size(), 0u);
  EXPECT_EQ(m.Cash(m.acct(m.buyer2), true), 0);
  // The seller buys against its own ask: cancel newest cancels the incoming buy.
  ASSERT_TRUE(m.Run(DepositCash{m.admin, m.acct(m.seller), "USD", 100'000, ""}).ok());
  int64_t self = m.Place(m.seller, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000);
  EXPECT_EQ(m.s.order(self)->status, OrderStatus::kCancelled);
  EXPECT_EQ(m.s.fills().size(), 0u);
  EXPECT_EQ(m.Cash(m.acct(m.seller), true), 0);
  m.ExpectInvariants();
}

TEST(Market, ReplaceAdjustsLocksAndMassCancelReleasesEverything) {
  Market m;
  const int64_t b = m.acct(m.buyer);
  int64_t bid = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 900, 2000);
  EXPECT_EQ(m.Cash(b, true), 1800 + 3);  // fee at 20 bp: floor(3.6)
  ASSERT_TRUE(m.Run(ReplaceOrder{m.buyer, bid, 950, 4000}).ok());
  EXPECT_EQ(m.Cash(b, true), 3800 + 7);
  EXPECT_EQ(m.s.order(bid)->price, 950);
  EXPECT_EQ(m.s.order(bid)->open_qty, 4000);
  EXPECT_EQ(CodeOf(m.Run(ReplaceOrder{m.buyer, bid, 951, 0})), Code::kBadQuantity);
  int64_t ask = m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1200, 3000);
  ASSERT_TRUE(m.Run(ReplaceOrder{m.seller, ask, 1200, 1000}).ok());
  EXPECT_EQ(m.Escrowed(m.acct(m.seller), m.forest), 1000);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 800, 1000);
  m.Place(m.buyer, m.contract, OrderSide::kBuy, OrderKind::kLimit, 800, 1000);
  ASSERT_TRUE(m.Run(MassCancel{m.buyer, 0, 0}).ok());
  EXPECT_EQ(m.Cash(b, true), 0);
  EXPECT_EQ(m.Cash(b), 10'000'000);
  EXPECT_EQ(m.s.book(m.inst_forest)->live_orders(), 1u);  // the seller's ask
  m.ExpectInvariants();
}

TEST(Market, GoodTillTimeExpiresOnTheTick) {
  Market m;
  PlaceOrder p;
  p.actor = m.buyer;
  p.order.instrument = m.inst_forest;
  p.order.side = OrderSide::kBuy;
  p.order.price = 1000;
  p.order.qty = 1000;
  p.order.tif = OrderTif::kGtt;
  p.order.expire_at = m.ts + 1'000'000;
  ASSERT_TRUE(m.Run(p).ok());
  int64_t id = m.s.order_count();
  EXPECT_GT(m.Cash(m.acct(m.buyer), true), 0);
  EXPECT_EQ(CodeOf(m.Run(MarketTick{})), Code::kNotFound);  // nothing due yet
  ASSERT_TRUE(m.Run(MarketTick{}, 2'000'000).ok());
  EXPECT_EQ(m.s.order(id)->status, OrderStatus::kExpired);
  EXPECT_EQ(m.Cash(m.acct(m.buyer), true), 0);
  m.ExpectInvariants();
}

TEST(Market, VolatilityHaltReopensWithACallAuction) {
  Market m(0, 0);
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 1000);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1000, 1000);
  // Walk the price up within the band until it is 20 % above the window reference.
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1100, 1000);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1100, 1000);
  EXPECT_EQ(m.s.instrument(m.inst_forest)->phase, MarketPhase::kContinuous);
  m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1210, 1000);
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1210, 1000);
  ASSERT_EQ(m.s.instrument(m.inst_forest)->phase, MarketPhase::kAuction);
  EXPECT_EQ(m.s.instrument(m.inst_forest)->phase_reason, "volatility");
  // During the call, orders are collected, not matched.
  Code c;
  m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1200, 1000, OrderTif::kIoc, &c);
  EXPECT_EQ(c, Code::kMarketHalted);
  int64_t b1 = m.Place(m.buyer, m.inst_forest, OrderSide::kBuy, OrderKind::kLimit, 1250, 2000);
  int64_t s1 = m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1150, 3000);
  EXPECT_TRUE(m.s.order(b1)->in_call);
  EXPECT_EQ(m.s.fills().size(), 3u);
  m.ExpectInvariants();
  ASSERT_TRUE(m.Run(MarketTick{}, 61'000'000).ok());
  EXPECT_EQ(m.s.instrument(m.inst_forest)->phase, MarketPhase::kContinuous);
  ASSERT_EQ(m.s.fills().size(), 4u);
  EXPECT_EQ(m.s.fills()[3].qty, 2000);
  EXPECT_EQ(m.s.fills()[3].aggressor, 2);
  EXPECT_EQ(m.s.order(b1)->status, OrderStatus::kFilled);
  EXPECT_EQ(m.s.order(s1)->open_qty, 1000);  // rests after the uncross
  EXPECT_EQ(m.s.book(m.inst_forest)->live_orders(), 1u);
  m.ExpectInvariants();
}

TEST(Market, PrimaryAuctionClearsAtOneUniformPrice) {
  Market m(0, 0);
  // The seller auctions 10 t of the stove batch at a 5.00 reserve.
  Instrument t;
  t.batch = m.stoves;
  t.symbol = "STOVES";
  ASSERT_TRUE(m.Run(CreateInstrument{m.seller, false, t}).ok());
  int64_t inst = m.s.instruments().rbegin()->first;
  ASSERT_TRUE(m.Run(StartAuction{m.seller, inst, 10'000, 500, m.ts + 3'600'000'000}).ok());
  EXPECT_EQ(m.s.instrument(inst)->phase, MarketPhase::kAuction);
  int64_t hi = m.Place(m.buyer, inst, OrderSide::kBuy, OrderKind::kLimit, 800, 6000);
  int64_t mid = m.Place(m.buyer2, inst, OrderSide::kBuy, OrderKind::kLimit, 650, 6000);
  int64_t low = m.Place(m.buyer2, inst, OrderSide::kBuy, OrderKind::kLimit, 450, 5000);
  ASSERT_TRUE(hi && mid && low);
  EXPECT_EQ(CodeOf(m.Run(MarketTick{})), Code::kNotFound);
  ASSERT_TRUE(m.Run(MarketTick{}, 3'700'000'000).ok());
  // Demand at 6.50 is 12 t >= 10 t supply; at 8.00 only 6 t: 10 t clear at 6.50.
  ASSERT_EQ(m.s.fills().size(), 2u);
  for (const Fill& f : m.s.fills()) EXPECT_EQ(f.price, 650);
  EXPECT_EQ(m.s.order(hi)->filled_qty, 6000);
  EXPECT_EQ(m.s.order(mid)->filled_qty, 4000);
  EXPECT_EQ(m.s.order(mid)->open_qty, 2000);  // rests in the re-opened book
  EXPECT_EQ(m.s.order(low)->filled_qty, 0);
  EXPECT_EQ(m.Cash(m.acct(m.seller)), 6500);
  EXPECT_EQ(m.s.instrument(inst)->reference_price, 650);
  m.ExpectInvariants();
}

TEST(Market, WithdrawalsLockCashUntilAnAdminDecidesWithTheSecondFactor) {
  Market m;
  const int64_t b = m.acct(m.buyer);
  EXPECT_EQ(CodeOf(m.Run(RequestWithdrawal{m.buyer, 0, "USD", 20'000'000, "too much"})), Code::kInsufficientFunds);
  EXPECT_EQ(CodeOf(m.Run(RequestWithdrawal{m.buyer, m.acct(m.seller), "USD", 100, ""})), Code::kNotHolder);
  ASSERT_TRUE(m.Run(RequestWithdrawal{m.buyer, 0, "USD", 300'000, "to my bank"}).ok());
  ASSERT_TRUE(m.Run(RequestWithdrawal{m.buyer, 0, "USD", 200'000, "again"}).ok());
  EXPECT_EQ(m.Cash(b, true), 500'000);
  EXPECT_EQ(m.Cash(b), 9'500'000);
  m.ExpectInvariants();
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.buyer, 1, true, "", 5})), Code::kForbidden);
  // The admin has no second factor yet: approving is refused until one is enrolled.
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.admin, 1, true, "", 5})), Code::kMfaRequired);
  ASSERT_TRUE(m.Run(StartMfaEnrollment{m.admin, "sealed-secret"}).ok());
  std::vector<std::string> hashes = {std::string(64, 'a'), std::string(64, 'b')};
  ASSERT_TRUE(m.Run(ConfirmMfaEnrollment{m.admin, 100, hashes}).ok());
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.admin, 1, true, "", -1})), Code::kMfaRequired);
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.admin, 1, true, "", 100})), Code::kBadCredentials);  // step used
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.admin, 2, false, "", -1})), Code::kMissingField);
  ASSERT_TRUE(m.Run(DecideWithdrawal{m.admin, 1, true, "", 101}).ok());
  EXPECT_EQ(m.s.mfa(m.admin)->last_step, 101);
  ASSERT_TRUE(m.Run(DecideWithdrawal{m.admin, 2, false, "account name mismatch", -1}).ok());
  EXPECT_EQ(CodeOf(m.Run(DecideWithdrawal{m.admin, 2, true, "", 102})), Code::kBadState);
  // Sign-in with the factor: a step, or a recovery code once.
  EXPECT_EQ(CodeOf(m.Run(OpenSession{m.admin, std::string(64, '1'), 0, -1, ""})), Code::kMfaRequired);
  EXPECT_EQ(CodeOf(m.Run(OpenSession{m.admin, std::string(64, '1'), 0, 101, ""})), Code::kBadCredentials);
  ASSERT_TRUE(m.Run(OpenSession{m.admin, std::string(64, '1'), 0, -1, std::string(64, 'a')}).ok());
  EXPECT_EQ(CodeOf(m.Run(OpenSession{m.admin, std::string(64, '2'), 0, -1, std::string(64, 'a')})), Code::kBadCredentials);
  EXPECT_EQ(m.s.mfa(m.admin)->recovery_hashes.size(), 1u);
  EXPECT_EQ(m.Cash(b, true), 0);
  EXPECT_EQ(m.Cash(b), 9'700'000);
  EXPECT_EQ(m.s.withdrawals().at(1).status, WithdrawalStatus::kApproved);
  EXPECT_EQ(m.s.withdrawals().at(2).status, WithdrawalStatus::kRejected);
  m.ExpectInvariants();
  // The audit trail names who asked and who decided.
  std::vector<std::string> kinds;
  for (const auto& a : m.s.audit())
    if (a.user == m.buyer) kinds.push_back(a.kind);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "withdrawal_requested"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "withdrawal_approved"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "withdrawal_rejected"), kinds.end());
}

TEST(Market, WalletSignUpAndLinking) {
  Market m;
  const std::string a = "0x2912343e772D7F3686e34a3d853abE6C254a31f8";
  ASSERT_TRUE(m.Run(RegisterUser{"", "", "Wallet user", kTrader, a}).ok());
  const User* u = m.s.user_by_wallet(a);
  ASSERT_NE(u, nullptr);
  EXPECT_TRUE(u->email_index.empty());
  EXPECT_EQ(m.s.user_by_email(""), nullptr);
  EXPECT_EQ(CodeOf(m.Run(RegisterUser{"", "", "Again", kTrader, a})), Code::kConflict);
  EXPECT_EQ(CodeOf(m.Run(RegisterUser{"", "", "No wallet", kTrader, ""})), Code::kMissingField);
  EXPECT_EQ(CodeOf(m.Run(LinkWallet{m.buyer, "0x1234"})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(m.Run(LinkWallet{m.buyer, a})), Code::kConflict);
  ASSERT_TRUE(m.Run(LinkWallet{m.buyer, "0x" + std::string(40, 'A')}).ok());
  EXPECT_EQ(m.s.user_by_wallet("0x" + std::string(40, 'a'))->id, m.buyer);
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(m.s.Snapshot()));
  EXPECT_EQ(restored.WalletsOf(m.buyer).size(), 1u);
}

TEST(Market, AlertsAreJournaledOncePerKey) {
  Market m;
  ASSERT_TRUE(m.Run(RaiseAlert{"selftrade:105:7", "selftrade", {105}, 1'000'000, "trade 7 between account 105 and itself"}).ok());
  EXPECT_EQ(CodeOf(m.Run(RaiseAlert{"selftrade:105:7", "selftrade", {105}, 1'000'000, "again"})), Code::kConflict);
  EXPECT_EQ(CodeOf(m.Run(RaiseAlert{"", "selftrade", {}, 0, ""})), Code::kInvalidField);
  ASSERT_EQ(m.s.alerts().size(), 1u);
  EXPECT_EQ(m.s.alerts()[0].id, 1);
  EXPECT_TRUE(m.s.alert_raised("selftrade:105:7"));
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(m.s.Snapshot()));
  EXPECT_TRUE(restored.alert_raised("selftrade:105:7"));
}

// Random streams of every order type over several accounts and both instruments:
// invariants (conservation, locks == open orders, uncrossed books) after every step,
// replay of the journal re-derives every outcome, and a snapshot restored mid-way
// continues exactly like the original.
TEST(Market, RandomStreamsKeepInvariantsReplayAndSnapshot) {
  uint64_t seed = std::random_device{}();
  if (const char* e = std::getenv("CX_SEED")) seed = std::strtoull(e, nullptr, 10);
  const int kOrders = std::getenv("CX_LONG") ? 400'000 : 40'000;
  std::printf("Market random stream seed %llu (CX_SEED=%llu replays)\n", (unsigned long long)seed,
              (unsigned long long)seed);
  std::mt19937_64 rng(seed);
  Market m(10, 25);
  std::vector<int64_t> traders = {m.seller, m.buyer, m.buyer2};
  for (int i = 0; i < 3; ++i) traders.push_back(m.AddUser("t" + std::to_string(i) + "@x.org", kTrader));
  for (int64_t u : traders) {
    ASSERT_TRUE(m.Run(DepositCash{m.admin, m.acct(u), "USD", 50'000'000, ""}).ok());
    if (u != m.seller) {
      ASSERT_TRUE(m.Run(Transfer{m.seller, 0, m.acct(u), m.forest, 10'000}).ok());
    }
  }
  std::unique_ptr<Engine> twin;
  std::string snap;
  size_t twin_log_from = 0;
  auto rnd = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  int accepted = 0;
  std::map<Code, int> refusals;
  std::vector<Command> after_snapshot;
  for (int i = 0; i < kOrders; ++i) {
    Command cmd;
    int64_t u = traders[static_cast<size_t>(rnd(0, static_cast<int64_t>(traders.size()) - 1))];
    int r = static_cast<int>(rnd(0, 99));
    if (r < 70) {
      PlaceOrder p;
      p.actor = u;
      p.order.instrument = rnd(0, 3) == 0 ? m.contract : m.inst_forest;
      p.order.side = rnd(0, 1) ? OrderSide::kBuy : OrderSide::kSell;
      if (p.order.side == OrderSide::kSell && p.order.instrument == m.contract) p.order.batch = m.forest;
      int k = static_cast<int>(rnd(0, 19));
      p.order.kind = k < 14 ? OrderKind::kLimit : k < 16 ? OrderKind::kMarket : k < 18 ? OrderKind::kStopLimit : OrderKind::kStop;
      int t = static_cast<int>(rnd(0, 9));
      p.order.tif = t < 6 ? OrderTif::kGtc : t < 7 ? OrderTif::kGtt : t < 9 ? OrderTif::kIoc : OrderTif::kFok;
      if (p.order.kind == OrderKind::kMarket || p.order.kind == OrderKind::kStop)
        p.order.tif = rnd(0, 1) ? OrderTif::kIoc : OrderTif::kFok;
      if (p.order.tif == OrderTif::kGtt) p.order.expire_at = m.ts + rnd(1, 50) * 1000;
      p.order.price = rnd(950, 1050);
      p.order.stop_price = rnd(950, 1050);
      p.order.qty = rnd(1, 5) * 1000;
      if (rnd(0, 9) == 0 && (p.order.tif == OrderTif::kGtc || p.order.tif == OrderTif::kGtt) &&
          p.order.kind == OrderKind::kLimit)
        p.order.display_qty = 1000;
      if (rnd(0, 19) == 0) p.order.min_qty = 1000 * rnd(1, 2);
      if (rnd(0, 19) == 0 && p.order.kind == OrderKind::kLimit && p.order.tif == OrderTif::kGtc) p.order.post_only = true;
      p.order.stp = static_cast<OrderStp>(rnd(0, 3));
      if (rnd(0, 50) == 0) p.order.qty = 0;  // malformed
      cmd = p;
    } else if (r < 93) {
      // Mostly one of the trader's own recent orders; sometimes anyone's.
      int64_t target = rnd(1, std::max<int64_t>(1, m.s.order_count()));
      const auto* own = m.s.OrdersOf(m.acct(u));
      if (own && !own->empty() && rnd(0, 9) < 8)
        target = (*own)[own->size() - 1 - static_cast<size_t>(rnd(0, std::min<int64_t>(20, static_cast<int64_t>(own->size()) - 1)))];
      if (r < 85)
        cmd = CancelOrder{u, false, target};
      else
        cmd = ReplaceOrder{u, target, rnd(950, 1050), rnd(1, 5) * 1000};
    } else if (r < 95) {
      cmd = MassCancel{u, 0, rnd(0, 1) ? m.inst_forest : 0};
    } else if (r < 97) {
      cmd = MarketTick{};
    } else if (r < 98 && (rnd(0, 9) == 0 || m.s.instrument(m.inst_forest)->phase == MarketPhase::kHalted)) {
      cmd = SetMarketPhase{m.admin, m.inst_forest, m.s.instrument(m.inst_forest)->phase != MarketPhase::kHalted,
                           rnd(0, 1) * 20'000, ""};
    } else {
      cmd = DepositCash{m.admin, m.acct(u), "USD", rnd(1, 100'000), ""};
    }
    int64_t adv = rnd(1, 3000);
    size_t before = m.log.size();
    auto res = m.Run(cmd, adv);
    if (res.ok()) ++accepted;
    else refusals[res.error().code]++;
    if (twin) {
      auto res2 = twin->Run(cmd, adv);
      ASSERT_EQ(res.ok(), res2.ok()) << "step " << i;
      ASSERT_EQ(m.log.size() - before, twin->log.size() - twin_log_from) << "step " << i;
      for (size_t k = before; k < m.log.size(); ++k)
        ASSERT_EQ(EncodeEvent(m.log[k]), EncodeEvent(twin->log[twin_log_from + (k - before)])) << "step " << i;
      twin_log_from = twin->log.size();
    }
    if (i % 25 == 0 || i == kOrders - 1 || std::getenv("CX_SEED")) {
      auto inv = m.s.CheckInvariants();
      if (!inv.ok())
        for (size_t k = before; k < m.log.size(); ++k) std::printf("  %s %s\n", EventTypeName(m.log[k]), EventToJson(m.log[k]).c_str());
      ASSERT_TRUE(inv.ok()) << "step " << i << ": " << inv.error().message;
      for (const auto& [id, in] : m.s.instruments())
        for (auto side : {exchange::Side::kBuy, exchange::Side::kSell})
          for (const auto& lv : m.s.book(id)->Depth(side, SIZE_MAX))
            ASSERT_EQ(m.s.book(id)->DisplayedAt(side, lv.price), lv.qty);
    }
    if (i == kOrders / 2) {
      snap = m.s.Snapshot();
      twin = std::make_unique<Engine>();
      ASSERT_TRUE(twin->s.Restore(snap));
      twin->ts = m.ts;
      twin->seq_base = static_cast<int64_t>(m.log.size());
      twin_log_from = 0;
      ASSERT_EQ(twin->s.Snapshot(), snap);
    }
  }
  std::printf("accepted %d, fills %zu, refusals:", accepted, m.s.fills().size());
  for (auto [c, n] : refusals) std::printf(" %s=%d", std::string(CodeName(c)).c_str(), n);
  std::printf("\n");
  EXPECT_GT(accepted, kOrders / 2);
  EXPECT_GT(m.s.fills().size(), 100u);
  // Replay: a fresh state fed the journal re-derives every outcome.
  RegistryState replay;
  for (size_t k = 0; k < m.log.size(); ++k) {
    replay.Apply(m.log[k], static_cast<int64_t>(k) + 1, m.log_ts[k]);
    ASSERT_TRUE(replay.replay_divergence().empty()) << "event " << k << ": " << replay.replay_divergence();
  }
  EXPECT_FALSE(replay.replay_pending());
  EXPECT_EQ(replay.Snapshot(), m.s.Snapshot());
  ASSERT_EQ(twin->s.Snapshot(), m.s.Snapshot());
  // A tampered outcome is detected.
  RegistryState tampered;
  bool caught = false;
  for (size_t k = 0; k < m.log.size(); ++k) {
    Event e = m.log[k];
    if (auto* t = std::get_if<TradeExecuted>(&e); t && !caught) t->fill.price += 1;
    tampered.Apply(e, static_cast<int64_t>(k) + 1, m.log_ts[k]);
    if (!tampered.replay_divergence().empty()) {
      caught = true;
      break;
    }
  }
  EXPECT_TRUE(caught);
}

}  // namespace
}  // namespace cx::registry

// ---------------------------------------------------------------- idempotency (issue 10)
namespace cx::registry {
namespace {

PlaceOrder Client(int64_t user, int64_t instrument, OrderSide side, int64_t price, int64_t qty, std::string cid) {
  PlaceOrder p;
  p.actor = user;
  p.order.instrument = instrument;
  p.order.side = side;
  p.order.kind = OrderKind::kLimit;
  p.order.price = price;
  p.order.qty = qty;
  p.order.client_id = std::move(cid);
  return p;
}

TEST(MarketIdempotency, SameClientIdSameTermsIsTheSameOrderWithoutEvents) {
  Market m;
  auto p = Client(m.buyer, m.inst_forest, OrderSide::kBuy, 1000, 5'000, "buy-1");
  ASSERT_TRUE(m.Run(p).ok());
  const int64_t id = m.s.order_count();
  const int64_t locked = m.Cash(m.acct(m.buyer), true);
  const size_t journal = m.log.size();
  // The retry: accepted, no event, nothing more locked; ClientOrder names the first order.
  ASSERT_TRUE(m.Run(p).ok());
  EXPECT_EQ(m.log.size(), journal);
  EXPECT_EQ(m.s.order_count(), id);
  EXPECT_EQ(m.Cash(m.acct(m.buyer), true), locked);
  ASSERT_NE(m.s.ClientOrder(p), nullptr);
  EXPECT_EQ(m.s.ClientOrder(p)->id, id);
  // Still the same order after it traded, was replaced and cancelled: its terms as placed count.
  ASSERT_NE(m.Place(m.seller, m.inst_forest, OrderSide::kSell, OrderKind::kLimit, 1000, 1'000), 0);
  ASSERT_TRUE(m.Run(ReplaceOrder{m.buyer, id, 990, 3'000}).ok());
  ASSERT_TRUE(m.Run(CancelOrder{m.buyer, false, id}).ok());
  const size_t later = m.log.size();
  ASSERT_TRUE(m.Run(p).ok());
  EXPECT_EQ(m.log.size(), later);
  EXPECT_EQ(m.s.ClientOrder(p)->id, id);
  // Another account may use the same client id; an empty client id is never deduplicated.
  auto other = Client(m.buyer2, m.inst_forest, OrderSide::kBuy, 1000, 5'000, "buy-1");
  ASSERT_TRUE(m.Run(other).ok());
  EXPECT_EQ(m.s.ClientOrder(other)->id, m.s.order_count());
  EXPECT_NE(m.s.ClientOrder(other)->id, id);
  auto anon = Client(m.buyer, m.inst_forest, OrderSide::kBuy, 1000, 1'000, "");
  ASSERT_TRUE(m.Run(anon).ok());
  ASSERT_TRUE(m.Run(anon).ok());
  EXPECT_EQ(m.s.ClientOrder(anon), nullptr);
  EXPECT_EQ(m.s.order_count(), id + 4);  // the sell, buy2's order and two anonymous ones
  m.ExpectInvariants();
}

TEST(MarketIdempotency, SameClientIdOtherTermsIsAConflict) {
  Market m;
  auto p = Client(m.buyer, m.inst_forest, OrderSide::kBuy, 1000, 5'000, "c-7");
  ASSERT_TRUE(m.Run(p).ok());
  const int64_t n = m.s.order_count();
  auto expect_conflict = [&](const PlaceOrder& q, const char* what) {
    auto r = m.Run(q);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, Code::kConflict) << what;
    EXPECT_EQ(r.error().field, "client_order_id") << what;
  };
  auto q = p;
  q.order.price = 1001;
  expect_conflict(q, "price");
  q = p;
  q.order.qty = 6'000;
  expect_conflict(q, "quantity");
  q = p;
  q.order.side = OrderSide::kSell;
  expect_conflict(q, "side");
  q = p;
  q.order.instrument = m.contract;
  expect_conflict(q, "instrument");
  q = p;
  q.order.tif = OrderTif::kIoc;
  expect_conflict(q, "time in force");
  q = p;
  q.order.post_only = true;
  expect_conflict(q, "post only");
  EXPECT_EQ(m.s.order_count(), n);
  // Fields that do not apply to the order type are not terms: a stop price on a limit order.
  q = p;
  q.order.stop_price = 5;
  EXPECT_TRUE(m.Run(q).ok());
  EXPECT_EQ(m.s.order_count(), n);
  // The primary-auction client id is reserved.
  auto r = m.Run(Client(m.buyer, m.inst_forest, OrderSide::kBuy, 1000, 1'000, "primary-auction"));
  EXPECT_EQ(CodeOf(r), Code::kInvalidField);
}

TEST(MarketIdempotency, SellOfABatchInstrumentMatchesWithOrWithoutTheBatch) {
  Market m;
  auto p = Client(m.seller, m.inst_forest, OrderSide::kSell, 1500, 2'000, "s-1");
  ASSERT_TRUE(m.Run(p).ok());
  const int64_t n = m.s.order_count();
  auto q = p;
  q.order.batch = m.forest;  // the same order, naming its batch
  ASSERT_TRUE(m.Run(q).ok());
  EXPECT_EQ(m.s.order_count(), n);
  // Retry during a halt still answers with the order (the check precedes the phase).
  ASSERT_TRUE(m.Run(SetMarketPhase{m.admin, m.inst_forest, true, 0, "test"}).ok());
  ASSERT_TRUE(m.Run(p).ok());
  EXPECT_EQ(m.s.order_count(), n);
  // A new client id during the halt is refused as before.
  EXPECT_EQ(CodeOf(m.Run(Client(m.seller, m.inst_forest, OrderSide::kSell, 1500, 2'000, "s-2"))), Code::kMarketHalted);
}

TEST(MarketIdempotency, IndexSurvivesSnapshotAndReplay) {
  Market m;
  auto a = Client(m.buyer, m.inst_forest, OrderSide::kBuy, 1000, 5'000, "a");
  auto b = Client(m.seller, m.inst_forest, OrderSide::kSell, 1200, 2'000, "b");
  ASSERT_TRUE(m.Run(a).ok());
  ASSERT_TRUE(m.Run(b).ok());
  ASSERT_TRUE(m.Run(ReplaceOrder{m.buyer, m.s.ClientOrder(a)->id, 1100, 4'000}).ok());
  const std::string snap = m.s.Snapshot();
  auto check = [&](const RegistryState& st, const char* what) {
    ASSERT_NE(st.ClientOrder(a), nullptr) << what;
    EXPECT_EQ(st.ClientOrder(a)->id, m.s.ClientOrder(a)->id) << what;
    EXPECT_EQ(st.ClientOrder(b)->id, m.s.ClientOrder(b)->id) << what;
    std::vector<Event> out;
    EXPECT_TRUE(st.Decide(a, m.ts + 1, out).ok()) << what;
    EXPECT_TRUE(out.empty()) << what;
    auto changed = a;
    changed.order.qty = 1'000;
    EXPECT_EQ(CodeOf(st.Decide(changed, m.ts + 1, out)), Code::kConflict) << what;
  };
  RegistryState restored;
  ASSERT_TRUE(restored.Restore(snap));
  EXPECT_EQ(restored.Snapshot(), snap);
  check(restored, "restored");
  RegistryState replay;
  for (size_t k = 0; k < m.log.size(); ++k) replay.Apply(m.log[k], static_cast<int64_t>(k) + 1, m.log_ts[k]);
  ASSERT_TRUE(replay.replay_divergence().empty()) << replay.replay_divergence();
  EXPECT_EQ(replay.Snapshot(), snap);
  check(replay, "replayed");
}

}  // namespace
}  // namespace cx::registry
