// MarketDataFeed: which channel messages each input produces, strictly +1 seq per
// channel, snapshots that line up with the following messages, refusals that change
// nothing, and channel-name parsing.
#include "marketdata/feed.h"

#include <gtest/gtest.h>

namespace cx::marketdata {
namespace {

constexpr int64_t kT0 = 1'699'920'000'000'000;
Trade T(int64_t inst, int64_t id, int64_t ts, int64_t price, int64_t qty) {
  return Trade{InstrumentId{inst}, TradeId{id}, ts, price, qty, Side::kBuy, 0};
}
std::vector<std::string> Channels(const std::vector<Outgoing>& out) {
  std::vector<std::string> v;
  for (const auto& o : out) v.push_back(o.channel);
  return v;
}
bool HasSeq(const Outgoing& o, uint64_t seq) {
  return o.text.find("\"seq\":" + std::to_string(seq) + ",") != std::string::npos;
}

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(feed.AddInstrument({InstrumentId{1}, kNatureBased, 2}).ok());
    ASSERT_TRUE(feed.AddInstrument({InstrumentId{2}, kTechnical | kRemoval, 2}).ok());
  }
  MarketDataFeed feed;
  std::vector<Outgoing> out;
};

TEST_F(FeedTest, RegistrationIsChecked) {
  EXPECT_EQ(feed.AddInstrument({InstrumentId{1}, 0, 2}).error().code, Code::kConflict);
  EXPECT_EQ(feed.AddInstrument({InstrumentId{0}, 0, 2}).error().code, Code::kInvalidField);
  EXPECT_EQ(feed.AddInstrument({InstrumentId{3}, 0x40, 2}).error().code, Code::kInvalidField);
  EXPECT_EQ(feed.AddInstrument({InstrumentId{3}, 0, 9}).error().code, Code::kInvalidField);
  EXPECT_EQ(feed.instruments(), (std::vector<InstrumentId>{InstrumentId{1}, InstrumentId{2}}));
}

TEST_F(FeedTest, TradeProducesEveryChannelWithPlusOneSeq) {
  ASSERT_TRUE(feed.OnTrade(T(1, 1, kT0, 1000, 1000), out).ok());
  EXPECT_EQ(Channels(out),
            (std::vector<std::string>{"trades:1", "candles:1:1m", "candles:1:5m", "candles:1:1h",
                                      "candles:1:1d", "stats:1", "index:all", "index:nature"}));
  for (const auto& o : out) EXPECT_TRUE(HasSeq(o, 1)) << o.text;
  EXPECT_EQ(out[0].text.rfind(R"({"channel":"trades:1","type":"trade","seq":1,)", 0), 0u);
  out.clear();
  ASSERT_TRUE(feed.OnTrade(T(1, 2, kT0 + 5, 1100, 1000), out).ok());
  for (const auto& o : out) EXPECT_TRUE(HasSeq(o, 2)) << o.text;
  out.clear();
  // Instrument 2's flags come from its registration (the trade says 0).
  ASSERT_TRUE(feed.OnTrade(T(2, 1, kT0 + 6, 3000, 1000), out).ok());
  EXPECT_EQ(Channels(out),
            (std::vector<std::string>{"trades:2", "candles:2:1m", "candles:2:5m", "candles:2:1h",
                                      "candles:2:1d", "stats:2", "index:all", "index:technical",
                                      "index:removal"}));
  EXPECT_TRUE(HasSeq(out[0], 1));
  EXPECT_TRUE(HasSeq(out[6], 3));  // the third message on index:all
  EXPECT_TRUE(HasSeq(out[7], 1));
  EXPECT_NE(out[6].text.find(R"("value":"17.00")"), std::string::npos) << out[6].text;
  EXPECT_EQ(feed.channel_seq("index:all"), 3u);
  EXPECT_EQ(feed.channel_seq("index:nature"), 2u);
  EXPECT_EQ(feed.market(InstrumentId{2})->last_trade()->categories, kTechnical | kRemoval);
}

TEST_F(FeedTest, RefusedTradesChangeNothing) {
  ASSERT_TRUE(feed.OnTrade(T(1, 1, kT0 + 100, 1000, 1000), out).ok());
  out.clear();
  EXPECT_EQ(feed.OnTrade(T(9, 1, kT0 + 200, 1000, 1), out).error().code, Code::kUnknownInstrument);
  // Valid for instrument 2 alone, but older than the feed's time (the index's).
  EXPECT_EQ(feed.OnTrade(T(2, 1, kT0 + 50, 1000, 1), out).error().code, Code::kInvalidField);
  EXPECT_EQ(feed.market(InstrumentId{2})->lifetime_trades(), 0);
  EXPECT_EQ(feed.OnTrade(T(1, 1, kT0 + 200, 1000, 1), out).error().code, Code::kConflict);
  EXPECT_EQ(feed.OnTrade(T(1, 2, kT0 + 200, 0, 1), out).error().code, Code::kInvalidField);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(feed.channel_seq("trades:1"), 1u);
  EXPECT_EQ(feed.index().Value(IndexCategory::kAll).trades, 1);
}

TEST_F(FeedTest, DepthDeltasAndBboOnlyWhenTheBestChanges) {
  ASSERT_TRUE(feed.OnDepth(InstrumentId{1}, std::vector<LevelUpdate>{{Side::kBuy, 1000, 5000}},
                           out).ok());
  EXPECT_EQ(Channels(out), (std::vector<std::string>{"depth:1", "bbo:1"}));
  EXPECT_EQ(out[0].text, R"({"channel":"depth:1","type":"delta","seq":1,)"
                         R"("bids":[["10.00","5.000"]],"asks":[]})");
  EXPECT_EQ(out[1].text, R"({"channel":"bbo:1","type":"bbo","seq":1,)"
                         R"("bid":["10.00","5.000"],"ask":null})");
  out.clear();
  ASSERT_TRUE(feed.OnDepth(InstrumentId{1}, std::vector<LevelUpdate>{{Side::kBuy, 990, 1}},
                           out).ok());
  EXPECT_EQ(Channels(out), (std::vector<std::string>{"depth:1"}));  // best unchanged
  EXPECT_TRUE(HasSeq(out[0], 2));
  out.clear();
  ASSERT_TRUE(feed.OnDepth(InstrumentId{1}, std::vector<LevelUpdate>{{Side::kBuy, 990, 1}},
                           out).ok());
  EXPECT_TRUE(out.empty());  // no change: nothing published, no seq used
  EXPECT_EQ(feed.OnDepth(InstrumentId{1}, std::vector<LevelUpdate>{{Side::kSell, 1500, 0}}, out)
                .error().code, Code::kNotFound);
  EXPECT_EQ(feed.OnDepth(InstrumentId{5}, std::vector<LevelUpdate>{}, out).error().code,
            Code::kUnknownInstrument);
  EXPECT_EQ(feed.SnapshotMessage("depth:1").value(),
            R"({"channel":"depth:1","type":"snapshot","seq":2,)"
            R"("bids":[["10.00","5.000"],["9.90","0.001"]],"asks":[]})");
  EXPECT_EQ(feed.SnapshotMessage("bbo:1").value(), R"({"channel":"bbo:1","type":"bbo","seq":1,)"
                                                   R"("bid":["10.00","5.000"],"ask":null})");
}

TEST_F(FeedTest, SnapshotsLineUpWithTheNextMessage) {
  ASSERT_TRUE(feed.OnTrade(T(1, 1, kT0, 1000, 1000), out).ok());
  ASSERT_TRUE(feed.OnTrade(T(1, 2, kT0 + 1, 1200, 1000), out).ok());
  auto snap = feed.SnapshotMessage("trades:1");
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->rfind(R"({"channel":"trades:1","type":"snapshot","seq":2,"data":{"instrument":1,"trades":[{"id":1,)", 0), 0u) << *snap;
  auto stats = feed.SnapshotMessage("stats:1");
  EXPECT_NE(stats->find(R"("seq":2,"data":{"instrument":1,"window":86400000000,)"), std::string::npos) << *stats;
  auto candles = feed.SnapshotMessage("candles:1:5m");
  EXPECT_NE(candles->find(R"("interval":"5m","candles":[{"t":1699920000000000,"open":"10.00","high":"12.00")"), std::string::npos) << *candles;
  auto idx = feed.SnapshotMessage("index:nature");
  EXPECT_NE(idx->find(R"("seq":2,"data":{"index":"nature")"), std::string::npos) << *idx;
  EXPECT_NE(feed.SnapshotMessage("index:technical")->find(R"("seq":0,)"), std::string::npos);
  out.clear();
  ASSERT_TRUE(feed.OnTrade(T(1, 3, kT0 + 2, 1300, 1000), out).ok());
  EXPECT_TRUE(HasSeq(out[0], 3));  // the next trades:1 message follows the snapshot's seq 2

  EXPECT_EQ(feed.SnapshotMessage("trades:9").error().code, Code::kUnknownInstrument);
  for (const char* bad : {"depth", "depth:", "depth:x", "depth:-1", "depth:1x", "book:1",
                          "candles:1", "candles:1:2m", "index:geo"})
    EXPECT_EQ(feed.SnapshotMessage(bad).error().code, Code::kInvalidField) << bad;
}

TEST_F(FeedTest, AdvanceTimePublishesOnlyChangedWindows) {
  ASSERT_TRUE(feed.OnTrade(T(1, 1, kT0, 1000, 1000), out).ok());
  ASSERT_TRUE(feed.OnTrade(T(2, 1, kT0 + kUsPerHour, 2000, 1000), out).ok());
  out.clear();
  ASSERT_TRUE(feed.AdvanceTime(kT0 + kUsPerHour, out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(feed.AdvanceTime(kT0 + kUsPerDay, out).ok());  // instrument 1's trade leaves
  EXPECT_EQ(Channels(out), (std::vector<std::string>{"stats:1", "index:all", "index:nature"}));
  EXPECT_NE(out[0].text.find(R"("trades":0,"open":null)"), std::string::npos) << out[0].text;
  EXPECT_NE(out[1].text.find(R"("value":"20.00")"), std::string::npos) << out[1].text;
  out.clear();
  EXPECT_EQ(feed.AdvanceTime(kT0, out).error().code, Code::kInvalidField);
  EXPECT_TRUE(out.empty());
}

TEST(FeedChannels, Parse) {
  auto c = ParseChannel("candles:12:1h");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, ChannelKind::kCandles);
  EXPECT_EQ(c->instrument, InstrumentId{12});
  EXPECT_EQ(c->interval, Interval::k1h);
  EXPECT_EQ(ParseChannel("index:removal")->category, IndexCategory::kRemoval);
  EXPECT_EQ(ParseChannel("bbo:3")->kind, ChannelKind::kBbo);
  EXPECT_EQ(ParseChannel("stats:99999999999999999999").error().code, Code::kInvalidField);
}

}  // namespace
}  // namespace cx::marketdata
