// JSON rendering of market data for REST replies and WebSocket channel messages.
// Plain string building; the output is compact JSON with keys in a fixed order.
//
// Value formats (the API's rule: amounts as decimal strings):
// - prices, VWAPs, index values, notionals: decimal strings in the currency's major unit
//   with `price_scale` fraction digits (2 for cents: 1250 -> "12.50"); notional is the
//   exact sum rounded to the nearest minor unit, halves up.
// - quantities and volumes: tonnes with three decimals ("1.500" = 1500 kg).
// - timestamps (ts, t, as_of), windows, sequence numbers, counts, ids, basis points:
//   JSON integers (microseconds since the epoch are below 2^53, exact in JavaScript).
// - absent values (no trade yet, empty window): null.
// WebSocket messages: {"channel":"<kind>:<instrument>","type":...,"seq":N,...}; depth
// channels carry the book's seq (strictly +1 per delta), other channels the seq given by
// the caller (the publisher's per-channel counter).
// Thread-safe: pure functions.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "marketdata/depth.h"
#include "marketdata/index.h"
#include "marketdata/market_data.h"

namespace cx::marketdata {

inline constexpr int kDefaultPriceScale = 2;

// Objects (append to `out`).
void AppendTrade(std::string& out, const Trade& t, int price_scale = kDefaultPriceScale);
void AppendCandle(std::string& out, const Candle& c, int price_scale = kDefaultPriceScale);

// REST bodies.
// {"id":7,"instrument":1,"ts":..,"price":"12.50","qty":"1.500","side":"buy","notional":"18.75"}
std::string TradeJson(const Trade& t, int price_scale = kDefaultPriceScale);
// {"instrument":1,"trades":[...]} (the given order)
std::string TradesJson(InstrumentId instrument, const std::vector<Trade>& trades,
                       int price_scale = kDefaultPriceScale);
// {"instrument":1,"interval":"1m","candles":[{"t":..,"open":..,"high":..,"low":..,
//  "close":..,"volume":..,"notional":..,"trades":N},...]}
std::string CandlesJson(InstrumentId instrument, Interval interval,
                        const std::vector<Candle>& candles, int price_scale = kDefaultPriceScale);
// {"instrument":1,"window":86400000000,"as_of":..,"trades":N,"open":..,"high":..,"low":..,
//  "last":..,"change":..,"change_bp":N,"volume":..,"notional":..,"vwap":..}
std::string StatsJson(InstrumentId instrument, const RollingStats& s,
                      int price_scale = kDefaultPriceScale);
// {"instrument":1,"window":..|"session","vwap":..,"volume":..,"notional":..,"trades":N}
// window_us == 0 renders "session".
std::string VwapJson(InstrumentId instrument, int64_t window_us, const VwapResult& v,
                     int price_scale = kDefaultPriceScale);
// {"instrument":1,"seq":N,"bids":[["12.50","1.000"],...],"asks":[...]}
std::string DepthJson(const DepthSnapshot& s, int price_scale = kDefaultPriceScale);
// {"index":"nature","window":..,"as_of":..,"value":..,"trades":N,"volume":..,"notional":..,
//  "constituents":[{"instrument":1,"trades":N,"volume":..,"notional":..,"vwap":..,
//  "weight_bp":N},...]}
std::string IndexJson(const IndexValue& v, int price_scale = kDefaultPriceScale);
// {"indices":[...]} in the given order.
std::string IndicesJson(const std::vector<IndexValue>& vs, int price_scale = kDefaultPriceScale);

// WebSocket channel messages.
// {"channel":"depth:1","type":"snapshot","seq":N,"bids":[[p,q],...],"asks":[...]}
std::string DepthSnapshotMessage(const DepthSnapshot& s, int price_scale = kDefaultPriceScale);
// {"channel":"depth:1","type":"delta","seq":N,"bids":[[p,q],...],"asks":[...]}: the
// changes of each side in applied order; q "0.000" removes the level.
std::string DepthDeltaMessage(const DepthDelta& d, int price_scale = kDefaultPriceScale);
// {"channel":"bbo:1","type":"bbo","seq":N,"bid":["10.10","1.000"],"ask":null}: best bid
// and offer as of depth seq N (null: that side is empty).
std::string BboMessage(InstrumentId instrument, uint64_t seq, const std::optional<Level>& bid,
                       const std::optional<Level>& ask, int price_scale = kDefaultPriceScale);
// {"channel":"trades:1","type":"trade","seq":N,"trade":{...}}
std::string TradeMessage(const Trade& t, uint64_t seq, int price_scale = kDefaultPriceScale);
// {"channel":"candles:1:1m","type":"candle","seq":N,"candle":{...}} (the forming candle)
std::string CandleMessage(InstrumentId instrument, Interval interval, const Candle& c,
                          uint64_t seq, int price_scale = kDefaultPriceScale);
// {"channel":"stats:1","type":"stats","seq":N,"stats":{...StatsJson...}}
std::string StatsMessage(InstrumentId instrument, const RollingStats& s, uint64_t seq,
                         int price_scale = kDefaultPriceScale);
// {"channel":"index:nature","type":"index","seq":N,"index":{...IndexJson without
// "constituents"...}}: the per-trade update stays small; constituents come with the
// snapshot and REST.
std::string IndexMessage(const IndexValue& v, uint64_t seq, int price_scale = kDefaultPriceScale);

}  // namespace cx::marketdata
