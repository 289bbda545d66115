// JSON rendering: exact strings for every message shape (hand-written expectations).
#include "marketdata/json.h"

#include <gtest/gtest.h>

#include "core/units.h"

namespace cx::marketdata {
namespace {

constexpr int64_t kT0 = 1'699'920'000'000'000;

TEST(MarketDataJson, Trade) {
  Trade t{InstrumentId{1}, TradeId{7}, kT0, 1250, 1500, Side::kSell, kNatureBased};
  EXPECT_EQ(TradeJson(t),
            R"({"id":7,"instrument":1,"ts":1699920000000000,"price":"12.50","qty":"1.500",)"
            R"("side":"sell","venue":"exchange","notional":"18.75"})");
  // 0.333 cents rounds to 0.00; 3 decimals of a different currency scale.
  Trade small{InstrumentId{1}, TradeId{8}, kT0, 333, 1, Side::kBuy, 0};
  EXPECT_NE(TradeJson(small).find(R"("notional":"0.00")"), std::string::npos);
  EXPECT_NE(TradeJson(t, 3).find(R"("price":"1.250")"), std::string::npos);
  EXPECT_EQ(TradeMessage(t, 42),
            R"({"channel":"trades:1","type":"trade","seq":42,"trade":{"id":7,"instrument":1,)"
            R"("ts":1699920000000000,"price":"12.50","qty":"1.500","side":"sell",)"
            R"("venue":"exchange","notional":"18.75"}})");
  Trade oc = t;
  oc.venue = Venue::kOnchain;
  EXPECT_NE(TradeJson(oc).find(R"("venue":"onchain")"), std::string::npos);
  EXPECT_EQ(TradesJson(InstrumentId{1}, {}), R"({"instrument":1,"trades":[]})");
}

TEST(MarketDataJson, CandlesAndHugeNotional) {
  Candle c{kT0, 1000, 1200, 900, 1100, 3750, 4'025'000, 4};
  EXPECT_EQ(CandlesJson(InstrumentId{2}, Interval::k1h, {c}),
            R"({"instrument":2,"interval":"1h","candles":[{"t":1699920000000000,)"
            R"("open":"10.00","high":"12.00","low":"9.00","close":"11.00","volume":"3.750",)"
            R"("notional":"40.25","trades":4}]})");
  Candle huge = c;
  huge.notional_milli = static_cast<Int128>(kMaxPrice) * kMaxQtyKg * 3;
  std::string s = CandlesJson(InstrumentId{2}, Interval::k1d, {huge});
  EXPECT_NE(s.find(R"("notional":"30000000000000000000000.00")"), std::string::npos) << s;
  EXPECT_EQ(CandleMessage(InstrumentId{2}, Interval::k5m, c, 9).substr(0, 55),
            R"({"channel":"candles:2:5m","type":"candle","seq":9,"cand)");
}

TEST(MarketDataJson, StatsWithAndWithoutTrades) {
  RollingStats empty;
  empty.window_us = kUsPerDay;
  empty.as_of_us = kT0;
  EXPECT_EQ(StatsJson(InstrumentId{1}, empty),
            R"({"instrument":1,"window":86400000000,"as_of":1699920000000000,"trades":0,)"
            R"("open":null,"high":null,"low":null,"last":null,"change":null,"change_bp":null,)"
            R"("volume":"0.000","notional":"0.00","vwap":null})");
  RollingStats s = empty;
  s.trades = 2;
  s.open = 1000;
  s.high = 1000;
  s.low = 950;
  s.last = 950;
  s.change = -50;
  s.change_bp = -500;
  s.volume_kg = 2000;
  s.notional_milli = 1'950'000;
  s.vwap = 975;
  EXPECT_EQ(StatsMessage(InstrumentId{1}, s, 3),
            R"({"channel":"stats:1","type":"stats","seq":3,"stats":{"instrument":1,)"
            R"("window":86400000000,"as_of":1699920000000000,"trades":2,"open":"10.00",)"
            R"("high":"10.00","low":"9.50","last":"9.50","change":"-0.50","change_bp":-500,)"
            R"("volume":"2.000","notional":"19.50","vwap":"9.75"}})");
  VwapResult v{975, 2000, 1'950'000, 2};
  EXPECT_EQ(VwapJson(InstrumentId{1}, 0, v),
            R"({"instrument":1,"window":"session","vwap":"9.75","volume":"2.000",)"
            R"("notional":"19.50","trades":2})");
  EXPECT_EQ(VwapJson(InstrumentId{1}, 300'000'000, VwapResult{}),
            R"({"instrument":1,"window":300000000,"vwap":null,"volume":"0.000",)"
            R"("notional":"0.00","trades":0})");
}

TEST(MarketDataJson, DepthSnapshotAndDelta) {
  DepthBook b(InstrumentId{5});
  ASSERT_TRUE(b.Apply(std::vector<LevelUpdate>{{Side::kBuy, 1000, 5000},
                                               {Side::kBuy, 1010, 1000},
                                               {Side::kSell, 1020, 250}})
                  .ok());
  EXPECT_EQ(DepthSnapshotMessage(b.Snapshot()),
            R"({"channel":"depth:5","type":"snapshot","seq":1,)"
            R"("bids":[["10.10","1.000"],["10.00","5.000"]],"asks":[["10.20","0.250"]]})");
  EXPECT_EQ(DepthJson(b.Snapshot(1)),
            R"({"instrument":5,"seq":1,"bids":[["10.10","1.000"]],"asks":[["10.20","0.250"]]})");
  EXPECT_EQ(BboMessage(b.instrument(), b.seq(), b.best_bid(), b.best_ask()),
            R"({"channel":"bbo:5","type":"bbo","seq":1,"bid":["10.10","1.000"],)"
            R"("ask":["10.20","0.250"]})");
  EXPECT_EQ(BboMessage(b.instrument(), 0, std::nullopt, std::nullopt),
            R"({"channel":"bbo:5","type":"bbo","seq":0,"bid":null,"ask":null})");
  auto d = b.Apply(std::vector<LevelUpdate>{{Side::kBuy, 1010, 0}, {Side::kSell, 1030, 7}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(DepthDeltaMessage(*d),
            R"({"channel":"depth:5","type":"delta","seq":2,)"
            R"("bids":[["10.10","0.000"]],"asks":[["10.30","0.007"]]})");
}

TEST(MarketDataJson, Index) {
  IndexValue v;
  v.category = IndexCategory::kNatureBased;
  v.window_us = kUsPerDay;
  v.as_of_us = kT0;
  v.value = 1333;
  v.trades = 2;
  v.volume_kg = 3000;
  v.notional_milli = 4'000'000;
  v.constituents.push_back(IndexConstituent{InstrumentId{1}, 1, 2000, 2'000'000, 1000, 6666});
  v.constituents.push_back(IndexConstituent{InstrumentId{3}, 1, 1000, 2'000'000, 2000, 3333});
  const std::string body =
      R"({"index":"nature","window":86400000000,"as_of":1699920000000000,"value":"13.33",)"
      R"("trades":2,"volume":"3.000","notional":"40.00","constituents":[)"
      R"({"instrument":1,"trades":1,"volume":"2.000","notional":"20.00","vwap":"10.00",)"
      R"("weight_bp":6666},{"instrument":3,"trades":1,"volume":"1.000","notional":"20.00",)"
      R"("vwap":"20.00","weight_bp":3333}]})";
  EXPECT_EQ(IndexJson(v), body);
  EXPECT_EQ(IndicesJson({v}), "{\"indices\":[" + body + "]}");
  EXPECT_EQ(IndexMessage(v, 11),
            R"({"channel":"index:nature","type":"index","seq":11,"index":{"index":"nature",)"
            R"("window":86400000000,"as_of":1699920000000000,"value":"13.33","trades":2,)"
            R"("volume":"3.000","notional":"40.00"}})");
}

TEST(MarketDataJson, Decimal128) {
  EXPECT_EQ(FormatDecimal128(0, 2), "0.00");
  EXPECT_EQ(FormatDecimal128(5, 2), "0.05");
  EXPECT_EQ(FormatDecimal128(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal128(123456, 0), "123456");
  EXPECT_EQ(FormatDecimal128(kInt128Max, 0), "170141183460469231731687303715884105727");
}

TEST(MarketDataJson, DecimalsMatchCoreFormatting) {
  // json.cc formats in place; it must agree with cx::FormatDecimal / FormatKgAsTonnes.
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{9}, int64_t{10}, int64_t{99}, int64_t{100},
                    int64_t{101}, int64_t{1250}, int64_t{-1}, int64_t{-50}, int64_t{-1234567},
                    kMaxPrice, INT64_MAX, INT64_MIN + 1}) {
    for (int scale : {0, 1, 2, 3, 6}) {
      Trade t{InstrumentId{1}, TradeId{1}, 0, v, 1, Side::kBuy, 0};
      std::string j = TradeJson(t, scale);
      EXPECT_NE(j.find("\"price\":\"" + FormatDecimal(v, scale) + "\""), std::string::npos)
          << v << " " << scale << " " << j;
    }
    DepthSnapshot s{InstrumentId{1}, 0, {Level{1, v}}, {}};
    EXPECT_NE(DepthJson(s).find("\"" + FormatKgAsTonnes(v) + "\"]"), std::string::npos) << v;
  }
}

}  // namespace
}  // namespace cx::marketdata
