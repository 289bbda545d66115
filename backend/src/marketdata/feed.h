// MarketDataFeed: all market data of the exchange behind one object, for the publisher.
// It owns a MarketData and a DepthBook per instrument and the CategoryIndex, and turns
// each engine output into the channel messages to publish, with a per-channel sequence
// number that grows by exactly 1 per message on every channel. A subscriber is sent
// SnapshotMessage(channel) first; a message with seq != last + 1 means it lost one and
// must ask for a new snapshot (the same rule as depth, on every channel).
//
// Channels: depth:<id>, bbo:<id>, trades:<id>, candles:<id>:<1m|5m|1h|1d>, stats:<id>,
// index:<all|nature|technical|removal>.
// Per trade: trades:<id> "trade", candles:<id>:<iv> "candle" (4, the forming candles),
// stats:<id> "stats", index:<c> "index" for "all" and each category of the instrument.
// Per depth change: depth:<id> "delta", and bbo:<id> "bbo" when the best bid or offer
// changed. AdvanceTime emits stats/index messages only where the rolling window changed.
// Snapshots: depth:<id> is the full book (DepthSnapshotMessage); bbo:<id> is the current
// "bbo" message; the others are {"channel":..,"type":"snapshot","seq":N,"data":<the REST
// body: TradesJson (recent trades), CandlesJson, StatsJson, IndexJson>}.
//
// Errors change nothing: unknown instrument → kUnknownInstrument; a bad channel name →
// kInvalidField "channel"; the rest as MarketData / DepthBook / CategoryIndex. Trades'
// category flags are those registered with the instrument (the trade's own are ignored).
// Pure: no I/O, no clock, no threads. Not thread-safe: one owner (the publisher thread).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketdata/depth.h"
#include "marketdata/index.h"
#include "marketdata/json.h"
#include "marketdata/market_data.h"

namespace cx::marketdata {

struct Outgoing {
  std::string channel;
  std::string text;
};

struct InstrumentInfo {
  InstrumentId id;
  uint8_t categories = 0;  // CategoryFlag bits
  int price_scale = kDefaultPriceScale;
};

struct FeedOptions {
  MarketDataOptions market;
  IndexOptions index;
  int index_price_scale = kDefaultPriceScale;
  size_t snapshot_candles = 500;  // candles in a candles:<id>:<iv> snapshot
  size_t snapshot_trades = 100;   // trades in a trades:<id> snapshot
};

enum class ChannelKind : uint8_t { kDepth, kBbo, kTrades, kCandles, kStats, kIndex };
struct ChannelRef {
  ChannelKind kind = ChannelKind::kDepth;
  InstrumentId instrument;                    // all kinds but kIndex
  Interval interval = Interval::k1m;          // kCandles
  IndexCategory category = IndexCategory::kAll;  // kIndex
};
// Parses a channel name (syntax only; kInvalidField "channel").
Result<ChannelRef> ParseChannel(std::string_view channel);

class MarketDataFeed {
 public:
  explicit MarketDataFeed(FeedOptions options = {});

  // kConflict if already added; kInvalidField for a zero id, unknown flags or a scale
  // outside 0..6.
  [[nodiscard]] Result<void> AddInstrument(const InstrumentInfo& info);
  [[nodiscard]] Result<void> OnTrade(const Trade& trade, std::vector<Outgoing>& out);
  [[nodiscard]] Result<void> OnDepth(InstrumentId id, std::span<const LevelUpdate> updates,
                                     std::vector<Outgoing>& out);
  [[nodiscard]] Result<void> AdvanceTime(int64_t now_us, std::vector<Outgoing>& out);

  // The message a new subscriber gets first. kInvalidField / kUnknownInstrument.
  Result<std::string> SnapshotMessage(std::string_view channel) const;
  // The seq of the last message on a channel (0 before any).
  uint64_t channel_seq(const std::string& channel) const;

  // Read access for REST handlers (nullptr for an unknown instrument).
  const MarketData* market(InstrumentId id) const;
  const DepthBook* depth(InstrumentId id) const;
  const InstrumentInfo* info(InstrumentId id) const;
  const CategoryIndex& index() const { return index_; }
  std::vector<InstrumentId> instruments() const;  // ascending

 private:
  struct PerInstrument {
    InstrumentInfo info;
    std::unique_ptr<MarketData> market;
    DepthBook depth;
    std::string id_str;
  };
  uint64_t NextSeq(const std::string& channel) { return ++seqs_[channel]; }
  void EmitIndex(IndexCategory c, std::vector<Outgoing>& out);

  FeedOptions options_;
  std::map<InstrumentId, PerInstrument> instruments_;
  CategoryIndex index_;
  std::unordered_map<std::string, uint64_t> seqs_;
};

}  // namespace cx::marketdata
