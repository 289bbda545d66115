#include "marketdata/feed.h"

#include <charconv>

namespace cx::marketdata {
namespace {

Result<InstrumentId> ParseId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || s.empty())
    return Err(Code::kInvalidField, "bad instrument id in channel", "channel");
  return InstrumentId{v};
}

std::string SnapshotEnvelope(const std::string& channel, uint64_t seq, const std::string& body) {
  std::string out = "{\"channel\":\"" + channel + "\",\"type\":\"snapshot\",\"seq\":" +
                    std::to_string(seq) + ",\"data\":";
  out.append(body);
  out.push_back('}');
  return out;
}

}  // namespace

Result<ChannelRef> ParseChannel(std::string_view ch) {
  ChannelRef r;
  auto colon = ch.find(':');
  if (colon == std::string_view::npos)
    return Err(Code::kInvalidField, "channel must be <kind>:<name>", "channel");
  std::string_view kind = ch.substr(0, colon), rest = ch.substr(colon + 1);
  if (kind == "index") {
    r.kind = ChannelKind::kIndex;
    auto c = ParseIndexCategory(rest);
    if (!c.ok()) return Err(Code::kInvalidField, "unknown index in channel", "channel");
    r.category = *c;
    return r;
  }
  if (kind == "candles") {
    auto c2 = rest.find(':');
    if (c2 == std::string_view::npos)
      return Err(Code::kInvalidField, "candles channel is candles:<id>:<interval>", "channel");
    auto iv = ParseInterval(rest.substr(c2 + 1));
    if (!iv.ok()) return Err(Code::kInvalidField, "unknown interval in channel", "channel");
    r.kind = ChannelKind::kCandles;
    r.interval = *iv;
    rest = rest.substr(0, c2);
  } else if (kind == "depth") {
    r.kind = ChannelKind::kDepth;
  } else if (kind == "bbo") {
    r.kind = ChannelKind::kBbo;
  } else if (kind == "trades") {
    r.kind = ChannelKind::kTrades;
  } else if (kind == "stats") {
    r.kind = ChannelKind::kStats;
  } else {
    return Err(Code::kInvalidField, "unknown channel kind", "channel");
  }
  CX_ASSIGN_OR_RETURN(r.instrument, ParseId(rest));
  return r;
}

MarketDataFeed::MarketDataFeed(FeedOptions options)
    : options_(std::move(options)), index_(options_.index) {}

Result<void> MarketDataFeed::AddInstrument(const InstrumentInfo& info) {
  if (!info.id.valid()) return Err(Code::kInvalidField, "instrument id is zero", "instrument");
  if (info.categories & ~kKnownCategoryFlags)
    return Err(Code::kInvalidField, "unknown category flag", "categories");
  if (info.price_scale < 0 || info.price_scale > 6)
    return Err(Code::kInvalidField, "price scale must be 0..6", "price_scale");
  if (instruments_.count(info.id))
    return Err(Code::kConflict, "instrument already registered", "instrument");
  instruments_.emplace(info.id,
                       PerInstrument{info, std::make_unique<MarketData>(info.id, options_.market),
                                     DepthBook(info.id), std::to_string(info.id.value())});
  return Ok();
  // The analyzer loses track of the unique_ptr inside the PerInstrument temporary (it is
  // owned by the map entry, or destroyed with the temporary if emplace does not insert).
}  // NOLINT(clang-analyzer-cplusplus.NewDeleteLeaks)

Result<void> MarketDataFeed::OnTrade(const Trade& trade, std::vector<Outgoing>& out) {
  auto it = instruments_.find(trade.instrument);
  if (it == instruments_.end())
    return Err(Code::kUnknownInstrument, "unknown instrument", "instrument");
  PerInstrument& p = it->second;
  Trade t = trade;
  t.categories = p.info.categories;
  // Both consumers check before either changes, so a refusal changes nothing.
  CX_TRY(p.market->Check(t));
  CX_TRY(index_.Check(t));
  CX_TRY(p.market->Apply(t));
  CX_TRY(index_.Apply(t));

  const int scale = p.info.price_scale;
  std::string ch = "trades:" + p.id_str;
  out.push_back({ch, TradeMessage(t, NextSeq(ch), scale)});
  for (Interval iv : kIntervals) {
    ch = "candles:" + p.id_str + ":" + std::string(IntervalName(iv));
    out.push_back({ch, CandleMessage(t.instrument, iv, p.market->candles(iv).back(),
                                     NextSeq(ch), scale)});
  }
  ch = "stats:" + p.id_str;
  out.push_back({ch, StatsMessage(t.instrument, p.market->Stats(), NextSeq(ch), scale)});
  for (IndexCategory c : kIndexCategories)
    if (InCategory(t.categories, c)) EmitIndex(c, out);
  return Ok();
}

void MarketDataFeed::EmitIndex(IndexCategory c, std::vector<Outgoing>& out) {
  std::string ch = "index:" + std::string(IndexCategoryName(c));
  out.push_back({ch, IndexMessage(index_.Value(c, false), NextSeq(ch), options_.index_price_scale)});
}

Result<void> MarketDataFeed::OnDepth(InstrumentId id, std::span<const LevelUpdate> updates,
                                     std::vector<Outgoing>& out) {
  auto it = instruments_.find(id);
  if (it == instruments_.end())
    return Err(Code::kUnknownInstrument, "unknown instrument", "instrument");
  PerInstrument& p = it->second;
  const auto bid0 = p.depth.best_bid(), ask0 = p.depth.best_ask();
  CX_ASSIGN_OR_RETURN(DepthDelta d, p.depth.Apply(updates));
  if (d.changes.empty()) return Ok();
  out.push_back({"depth:" + p.id_str, DepthDeltaMessage(d, p.info.price_scale)});
  seqs_["depth:" + p.id_str] = d.seq;
  const auto bid1 = p.depth.best_bid(), ask1 = p.depth.best_ask();
  if (bid0 != bid1 || ask0 != ask1) {
    std::string ch = "bbo:" + p.id_str;
    out.push_back({ch, BboMessage(id, NextSeq(ch), bid1, ask1, p.info.price_scale)});
  }
  return Ok();
}

Result<void> MarketDataFeed::AdvanceTime(int64_t now_us, std::vector<Outgoing>& out) {
  if (now_us < index_.now_us()) return Err(Code::kInvalidField, "time cannot go back", "ts");
  for (auto& [id, p] : instruments_)
    if (now_us < p.market->now_us()) return Err(Code::kInvalidField, "time cannot go back", "ts");
  for (auto& [id, p] : instruments_) {
    const int64_t before = p.market->Stats().trades;
    (void)p.market->AdvanceTime(now_us);  // checked above
    if (p.market->Stats().trades != before) {
      std::string ch = "stats:" + p.id_str;
      out.push_back({ch, StatsMessage(id, p.market->Stats(), NextSeq(ch), p.info.price_scale)});
    }
  }
  int64_t before[kIndexCategoryCount];
  for (IndexCategory c : kIndexCategories)
    before[static_cast<size_t>(c)] = index_.Value(c, false).trades;
  (void)index_.AdvanceTime(now_us);
  for (IndexCategory c : kIndexCategories)
    if (index_.Value(c, false).trades != before[static_cast<size_t>(c)]) EmitIndex(c, out);
  return Ok();
}

Result<std::string> MarketDataFeed::SnapshotMessage(std::string_view channel) const {
  CX_ASSIGN_OR_RETURN(ChannelRef ref, ParseChannel(channel));
  const std::string ch(channel);
  if (ref.kind == ChannelKind::kIndex)
    return SnapshotEnvelope(ch, channel_seq(ch),
                            IndexJson(index_.Value(ref.category), options_.index_price_scale));
  auto it = instruments_.find(ref.instrument);
  if (it == instruments_.end())
    return Err(Code::kUnknownInstrument, "unknown instrument", "channel");
  const PerInstrument& p = it->second;
  const int scale = p.info.price_scale;
  const InstrumentId id = ref.instrument;
  switch (ref.kind) {
    case ChannelKind::kDepth:
      return DepthSnapshotMessage(p.depth.Snapshot(0), scale);
    case ChannelKind::kBbo:  // a bbo message is the whole state: it is its own snapshot
      return BboMessage(id, channel_seq(ch), p.depth.best_bid(), p.depth.best_ask(), scale);
    case ChannelKind::kTrades:
      return SnapshotEnvelope(
          ch, channel_seq(ch),
          TradesJson(id, p.market->RecentTrades(options_.snapshot_trades), scale));
    case ChannelKind::kCandles:
      return SnapshotEnvelope(
          ch, channel_seq(ch),
          CandlesJson(id, ref.interval,
                      p.market->Candles(ref.interval, 0, INT64_MAX, options_.snapshot_candles),
                      scale));
    case ChannelKind::kStats:
      return SnapshotEnvelope(ch, channel_seq(ch), StatsJson(id, p.market->Stats(), scale));
    case ChannelKind::kIndex:
      break;
  }
  return Err(Code::kInternal, "unhandled channel kind", "channel");
}

uint64_t MarketDataFeed::channel_seq(const std::string& channel) const {
  auto it = seqs_.find(channel);
  return it == seqs_.end() ? 0 : it->second;
}

const MarketData* MarketDataFeed::market(InstrumentId id) const {
  auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : it->second.market.get();
}
const DepthBook* MarketDataFeed::depth(InstrumentId id) const {
  auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : &it->second.depth;
}
const InstrumentInfo* MarketDataFeed::info(InstrumentId id) const {
  auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : &it->second.info;
}
std::vector<InstrumentId> MarketDataFeed::instruments() const {
  std::vector<InstrumentId> v;
  for (const auto& [id, p] : instruments_) v.push_back(id);
  return v;
}

}  // namespace cx::marketdata
