// Notifications and on-chain fills in market data (issue 9), through the real pipeline: a
// SQLite-backed engine whose observe/publish hooks are MarketFeed's, with the Redis-style
// outlet capturing every rendered message (what a cluster's API nodes would receive).
#include "app/notifications.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "app/market_feed.h"
#include "engine/engine.h"
#include "store/pg_store.h"

namespace cx::app {
namespace {
namespace json = boost::json;
using namespace registry;  // NOLINT(google-build-using-namespace)

std::string Addr(char c) { return "0x" + std::string(40, c); }
std::string Hash(int n) {
  std::string s = std::to_string(n);
  return "0x" + std::string(64 - s.size(), 'b') + s;
}

struct Captured {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<std::string, std::string>> msgs;
  // Messages on `channel`, waiting up to 5 s for at least `n` of them.
  std::vector<json::object> On(const std::string& channel, size_t n = 0) {
    std::unique_lock l(mu);
    std::vector<json::object> out;
    cv.wait_for(l, std::chrono::seconds(5), [&] {
      out.clear();
      for (const auto& [c, t] : msgs)
        if (c == channel) out.push_back(json::parse(t).as_object());
      return out.size() >= n;
    });
    return out;
  }
};

class World {
 public:
  explicit World(std::string path = {}) {
    static int n = 0;
    if (path.empty()) {
      auto dir = std::filesystem::temp_directory_path() / ("cx-notify-" + std::to_string(getpid()) + "-" + std::to_string(++n));
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      path = (dir / "carbonx.db").string();
    }
    path_ = path;
    feed_ = std::make_unique<MarketFeed>();
    feed_->set_outlet([this](uint64_t, std::vector<std::pair<std::string, std::string>> m) {
      {
        std::lock_guard l(cap.mu);
        for (auto& x : m) cap.msgs.push_back(std::move(x));
      }
      cap.cv.notify_all();
    });
    engine::Options o;
    o.clock = [this] { return clock_ += 1'000'000; };  // one second per command
    o.observe = [f = feed_.get()](const RegistryState& s, const engine::Outcome& x) { return f->Observe(s, x); };
    o.publish = [f = feed_.get()](const std::vector<std::shared_ptr<const void>>& items) { f->Publish(items); };
    auto st = store::OpenStore(path, /*writer=*/true);
    EXPECT_TRUE(st.ok());
    engine_ = std::make_unique<engine::Engine>(std::move(*st), o);
    EXPECT_TRUE(engine_->Recover().ok());
    feed_->Bootstrap(engine_->state());
    EXPECT_TRUE(feed_->RebuildNotifications(path, engine_->state()).ok());
    engine_->Start();
  }
  ~World() {
    engine_->Stop();
    engine_.reset();
    feed_.reset();
  }
  Result<std::string> Run(Command c) { return engine_->Execute(std::move(c)); }
  void Ok(Command c) {
    auto r = Run(std::move(c));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  template <class F>
  auto Q(F f) {
    using R = decltype(f(std::declval<const RegistryState&>()));
    R out{};
    EXPECT_TRUE(engine_->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
                         out = f(s);
                         return std::string();
                       })
                    .ok());
    return out;
  }
  int64_t AddUser(const std::string& email, uint32_t roles) {
    Ok(RegisterUser{email, "k", email, roles, ""});
    const int64_t id = Q([&](const RegistryState& s) { return s.user_by_email(email)->id; });
    Ok(SetKycLevel{0, id, KycLevel::kFull, "fixture"});
    return id;
  }
  int64_t Account(int64_t user) { return Q([&](const RegistryState& s) { return s.user(user)->account; }); }

  // dev (seller, holds the batch), buyer, third; a batch instrument on the batch.
  void Seed() {
    admin = AddUser("admin@x", kAdmin);
    dev = AddUser("dev@x", kProjectDeveloper | kTrader);
    ver = AddUser("ver@x", kVerifier);
    buyer = AddUser("buyer@x", kTrader);
    third = AddUser("third@x", kTrader);
    CreditClass c;
    c.code = "VCS";
    c.required_approvals = 1;
    Ok(CreateCreditClass{0, c});
    ProjectInfo i;
    i.name = "Forest";
    i.country = "BR";
    i.methodology = "VM0015";
    i.credit_class = Q([](const RegistryState& s) { return s.credit_classes().begin()->first; });
    i.nature = Nature::kNatureBased;
    Ok(CreateProject{dev, i});
    const int64_t p = Q([](const RegistryState& s) { return s.projects().rbegin()->first; });
    Ok(SubmitProject{dev, p});
    Ok(ReviewProject{ver, p, ReviewProject::kValidate, ""});
    Ok(RequestIssuance{dev, p, 2024, "2024-01-01", "2024-12-31", 100'000, "SCS", "bafyreport"});
    const int64_t iss = Q([](const RegistryState& s) { return s.issuances().rbegin()->first; });
    Ok(ApproveIssuance{ver, iss});
    batch = Q([&](const RegistryState& s) { return s.issuance(iss)->batch; });
    Ok(DepositCash{admin, Account(buyer), "USD", 10'000'000, "wire"});
    Ok(DepositCash{admin, Account(third), "USD", 10'000'000, "wire"});
    Instrument in;
    in.batch = batch;
    in.symbol = "FOREST24";
    in.tick = 1;
    in.lot_kg = 1000;
    Ok(CreateInstrument{admin, true, in});
    instrument = Q([](const RegistryState& s) { return s.instruments().rbegin()->first; });
  }
  void Place(int64_t user, OrderSide side, int64_t price, int64_t qty) {
    PlaceOrder p;
    p.actor = user;
    p.order.instrument = instrument;
    p.order.side = side;
    p.order.kind = OrderKind::kLimit;
    p.order.price = price;
    p.order.qty = qty;
    Ok(p);
  }

  MarketFeed& feed() { return *feed_; }
  const std::string& path() const { return path_; }
  Captured cap;
  int64_t admin = 0, dev = 0, ver = 0, buyer = 0, third = 0, batch = 0, instrument = 0;

 private:
  std::string path_;
  int64_t clock_ = 1'750'000'000'000'000;
  std::unique_ptr<MarketFeed> feed_;
  std::unique_ptr<engine::Engine> engine_;
};

std::vector<std::string> Types(const std::vector<json::object>& v) {
  std::vector<std::string> out;
  for (const auto& o : v) out.emplace_back(o.at("type").as_string());
  return out;
}

TEST(Notifications, FillReachesBothSidesAndNobodyElse) {
  World w;
  w.Seed();
  const std::string cb = NotificationLog::Channel(w.buyer), cs = NotificationLog::Channel(w.dev);
  // The issuance itself is news for the developer.
  auto dev_notes = w.cap.On(cs, 1);
  ASSERT_GE(dev_notes.size(), 1U);
  EXPECT_EQ(dev_notes[0].at("type").as_string(), "credits.issued");
  w.Place(w.dev, OrderSide::kSell, 1250, 3'000);
  w.Place(w.buyer, OrderSide::kBuy, 1250, 1'000);  // partial for the seller
  w.Place(w.buyer, OrderSide::kBuy, 1250, 2'000);  // fills the seller's order
  auto b = w.cap.On(cb, 2);
  ASSERT_EQ(Types(b), (std::vector<std::string>{"order.filled", "order.filled"}));
  EXPECT_EQ(b[0].at("seq").as_int64() + 1, b[1].at("seq").as_int64());
  EXPECT_EQ(b[0].at("data").at("quantity").as_string(), "1.000");
  EXPECT_EQ(b[0].at("data").at("price").as_string(), "12.50");
  EXPECT_EQ(b[0].at("data").at("side").as_string(), "buy");
  EXPECT_EQ(b[0].at("link").as_string(), "/markets/" + std::to_string(w.instrument));
  EXPECT_EQ(b[0].at("channel").as_string(), cb);
  EXPECT_FALSE(b[0].at("title").as_string().empty());
  auto s = w.cap.On(cs, 3);
  ASSERT_EQ(Types(s), (std::vector<std::string>{"credits.issued", "order.partially_filled", "order.filled"}));
  EXPECT_EQ(s[2].at("data").at("filled").as_string(), "3.000");
  EXPECT_TRUE(w.cap.On(NotificationLog::Channel(w.third)).empty());
  // A cancel is news for its owner only.
  w.Place(w.third, OrderSide::kBuy, 1000, 1'000);
  const int64_t oid = w.Q([](const RegistryState& st) { return st.order_count(); });
  w.Ok(CancelOrder{w.third, false, oid});
  auto t = w.cap.On(NotificationLog::Channel(w.third), 1);
  ASSERT_EQ(Types(t), std::vector<std::string>{"order.cancelled"});
  EXPECT_EQ(w.cap.On(cb).size(), 2U);
  // REST body: the newest kept, after a seq.
  json::object rest = json::parse(w.feed().Notifications(w.dev, 1, 10)).as_object();
  EXPECT_EQ(rest.at("seq").as_int64(), 3);
  EXPECT_EQ(rest.at("items").as_array().size(), 2U);
  rest = json::parse(w.feed().Notifications(w.dev, 0, 1)).as_object();
  ASSERT_EQ(rest.at("items").as_array().size(), 1U);
  EXPECT_EQ(rest.at("items").as_array()[0].at("seq").as_int64(), 3);
}

TEST(Notifications, RetirementAndKycDecisionReachTheirUser) {
  World w;
  w.Seed();
  w.Ok(Retire{w.dev, 0, w.batch, 1'500, "Acme", "scope 1", "BR", "2024-01-01", "2024-12-31"});
  const int64_t rid = w.Q([](const RegistryState& st) { return st.retirements().rbegin()->first; });
  auto d = w.cap.On(NotificationLog::Channel(w.dev), 2);
  ASSERT_EQ(Types(d), (std::vector<std::string>{"credits.issued", "retirement.done"}));
  EXPECT_EQ(d[1].at("data").at("certificate").as_string(), std::to_string(rid));
  EXPECT_EQ(d[1].at("data").at("quantity").as_string(), "1.500");
  EXPECT_EQ(d[1].at("link").as_string(), "/certificates/" + std::to_string(rid));
  // A KYC case submitted by a new user, rejected by the admin: news for that user only.
  w.Ok(RegisterUser{"new@x", "k", "new@x", kTrader, ""});
  const int64_t nu = w.Q([](const RegistryState& st) { return st.user_by_email("new@x")->id; });
  SubmitKyc k;
  k.actor = nu;
  k.requested_level = KycLevel::kBasic;
  k.country = "DE";
  k.pii_key = "k";
  k.sealed = "sealed-details";
  w.Ok(k);
  const int64_t kc = w.Q([](const RegistryState& st) { return st.kyc().cases.rbegin()->first; });
  w.Ok(DecideKyc{w.admin, kc, false, KycLevel::kBasic, "documents unreadable", false, KycSource::kManual, ""});
  auto t = w.cap.On(NotificationLog::Channel(nu), 1);
  ASSERT_EQ(Types(t), std::vector<std::string>{"kyc.rejected"});
  EXPECT_EQ(t[0].at("detail").as_string(), "documents unreadable");
  EXPECT_TRUE(w.cap.On(NotificationLog::Channel(w.buyer)).empty());
  EXPECT_TRUE(w.cap.On(NotificationLog::Channel(w.third)).empty());
}

TEST(Notifications, OnlyTheOwnerMaySubscribe) {
  auth::Principal p;
  p.authenticated = true;
  p.user_id = 7;
  EXPECT_TRUE(MarketFeed::Authorize(p, "notifications:7"));
  EXPECT_FALSE(MarketFeed::Authorize(p, "notifications:8"));
  EXPECT_FALSE(MarketFeed::Authorize(p, "notifications"));
  EXPECT_FALSE(MarketFeed::Authorize(p, "notifications:07"));
  auth::Principal anon;
  EXPECT_FALSE(MarketFeed::Authorize(anon, "notifications:0"));
  MarketFeed f;
  auto snap = f.Subscribe("notifications:7", [] { return true; });
  ASSERT_TRUE(snap.ok());
  EXPECT_NE(snap->find("\"seq\":0"), std::string::npos);
  EXPECT_EQ(f.Subscribe("notifications:x", [] { return true; }).error().code, Code::kInvalidField);
}

TEST(Notifications, LogIsBoundedAndSequenced) {
  NotificationLog log(3);
  Notice n;
  n.user = 5;
  n.type = "order.filled";
  n.title = "t \"quoted\"";
  for (int i = 0; i < 5; ++i) (void)log.Add(n);
  EXPECT_EQ(log.seq(5), 5U);
  EXPECT_EQ(log.seq(6), 0U);
  auto body = json::parse(log.Recent(5, 0, 100)).as_object();
  const auto& items = body.at("items").as_array();
  ASSERT_EQ(items.size(), 3U);  // only the last 3 kept
  EXPECT_EQ(items[0].at("seq").as_int64(), 3);
  EXPECT_EQ(items[0].at("title").as_string(), "t \"quoted\"");
  EXPECT_EQ(json::parse(log.Recent(5, 5, 100)).at("items").as_array().size(), 0U);
  EXPECT_EQ(json::parse(log.Recent(9, 0, 100)).at("items").as_array().size(), 0U);
}

// An on-chain listing of the listed batch, filled: the fill prints in the instrument's
// trades and candles with venue "onchain" (price converted exactly), and both wallets'
// users hear of it.
TEST(Notifications, OnchainFillFeedsMarketDataAndNotifiesWallets) {
  World w;
  w.Seed();
  w.Ok(LinkWallet{w.dev, Addr('d')});
  w.Ok(LinkWallet{w.buyer, Addr('e')});
  ChainConfig k;
  k.chain_id = 31337;
  k.network = "localhost";
  k.registry = Addr('1');
  k.token = Addr('2');
  k.market = Addr('3');
  k.anchor = Addr('4');
  k.operator_address = Addr('5');
  w.Ok(SetChainConfig{0, k});
  w.Ok(MirrorChainBatch{w.batch, "77", Hash(1), Hash(2), Hash(3), Hash(4), "ipfs://bafy", Addr('d')});
  // An exchange trade first (trade id 1), then the on-chain fill (on-chain id 1 too).
  w.Place(w.dev, OrderSide::kSell, 1500, 1'000);
  w.Place(w.buyer, OrderSide::kBuy, 1500, 1'000);
  ChainLogFact c;
  c.kind = ChainLogKind::kListingCreated;
  c.tx_hash = Hash(10);
  c.block_number = 5;
  c.block_ts = 1'750'000'100;
  c.id = 1;
  c.party = Addr('d');
  c.token_id = "77";
  c.amount_kg = 5'000;
  c.unit_price = "12340";  // 0.012340 tUSD per kg = 12.34 USD per tonne
  w.Ok(ObserveChainLog{c});
  ChainLogFact f;
  f.kind = ChainLogKind::kListingFilled;
  f.tx_hash = Hash(11);
  f.block_number = 6;
  f.block_ts = 1'750'000'200;
  f.id = 1;
  f.party = Addr('e');
  f.amount_kg = 2'000;
  f.cost = "24680000";
  f.fee = "0";
  w.Ok(ObserveChainLog{f});
  auto trades = w.cap.On("trades:" + std::to_string(w.instrument), 2);
  ASSERT_EQ(trades.size(), 2U);
  const auto& t = trades[1].at("trade").as_object();
  EXPECT_EQ(t.at("venue").as_string(), "onchain");
  EXPECT_EQ(t.at("price").as_string(), "12.34");
  EXPECT_EQ(t.at("qty").as_string(), "2.000");
  EXPECT_EQ(trades[0].at("trade").at("venue").as_string(), "exchange");
  auto rest = json::parse(*w.feed().Trades(w.instrument, 10)).as_object();
  ASSERT_EQ(rest.at("trades").as_array().size(), 2U);
  EXPECT_EQ(rest.at("trades").as_array()[0].at("venue").as_string(), "onchain");  // newest first
  EXPECT_EQ(rest.at("trades").as_array()[0].at("id").as_int64(), 1);  // on-chain ids: their own space
  auto candles = json::parse(*w.feed().Candles(w.instrument, "1d", 0, INT64_MAX, 10)).as_object();
  ASSERT_EQ(candles.at("candles").as_array().size(), 1U);
  const auto& cd = candles.at("candles").as_array()[0].as_object();
  EXPECT_EQ(cd.at("trades").as_int64(), 2);
  EXPECT_EQ(cd.at("close").as_string(), "12.34");
  EXPECT_EQ(cd.at("volume").as_string(), "3.000");
  // A listing priced at a fraction of a cent per tonne prints only in the on-chain venue.
  c.tx_hash = Hash(12);
  c.id = 2;
  c.unit_price = "12345";
  w.Ok(ObserveChainLog{c});
  f.tx_hash = Hash(13);
  f.id = 2;
  f.amount_kg = 1'000;
  f.cost = "12345000";
  w.Ok(ObserveChainLog{f});
  EXPECT_EQ(w.Q([](const RegistryState& st) { return st.proofs().fills.size(); }), 2U);
  EXPECT_EQ(json::parse(*w.feed().Trades(w.instrument, 10)).at("trades").as_array().size(), 2U);
  auto sold = w.cap.On(NotificationLog::Channel(w.dev), 1);
  ASSERT_GE(sold.size(), 2U);
  const auto& first = sold[sold.size() - 2];  // listing 1 (the last one is listing 2)
  EXPECT_EQ(first.at("type").as_string(), "chain.listing_sold");
  EXPECT_EQ(first.at("data").at("listing").as_string(), "1");
  EXPECT_EQ(first.at("data").at("cost").as_string(), "24680000");
  EXPECT_EQ(sold.back().at("data").at("listing").as_string(), "2");
  auto bought = w.cap.On(NotificationLog::Channel(w.buyer), 1);
  ASSERT_FALSE(bought.empty());
  EXPECT_EQ(bought.back().at("type").as_string(), "chain.listing_bought");
  EXPECT_TRUE(w.cap.On(NotificationLog::Channel(w.third)).empty());
}

TEST(Notifications, OnchainPriceConversionIsExactOrNothing) {
  RegistryState s;  // no instrument: nothing prints in the exchange's market data
  OnchainFill f;
  f.batch = 1;
  f.quantity_kg = 1000;
  f.unit_price = "12340";
  EXPECT_FALSE(OnchainTradeOf(s, f, 1).has_value());
}

// A restart rebuilds the history from the journal: same messages, same seqs.
TEST(Notifications, RestartRebuildsFromTheJournal) {
  std::string path;
  std::string before_dev, before_buyer;
  int64_t dev = 0, buyer = 0, instrument = 0;
  {
    World w;
    w.Seed();
    w.Place(w.dev, OrderSide::kSell, 1250, 3'000);
    w.Place(w.buyer, OrderSide::kBuy, 1250, 1'000);
    w.Place(w.buyer, OrderSide::kBuy, 1250, 2'000);
    ASSERT_EQ(w.cap.On(NotificationLog::Channel(w.dev), 3).size(), 3U);
    ASSERT_EQ(w.cap.On(NotificationLog::Channel(w.buyer), 2).size(), 2U);
    before_dev = w.feed().Notifications(w.dev, 0, 200);
    before_buyer = w.feed().Notifications(w.buyer, 0, 200);
    dev = w.dev;
    buyer = w.buyer;
    instrument = w.instrument;
    path = w.path();
  }
  World again(path);
  EXPECT_EQ(again.feed().Notifications(dev, 0, 200), before_dev);
  EXPECT_EQ(again.feed().Notifications(buyer, 0, 200), before_buyer);
  EXPECT_NE(before_dev.find("order.partially_filled"), std::string::npos);
  // Market data is rebuilt too (from the state's fills).
  auto rest = json::parse(*again.feed().Trades(instrument, 10)).as_object();
  EXPECT_EQ(rest.at("trades").as_array().size(), 2U);
}

}  // namespace
}  // namespace cx::app
