#include "marketdata/json.h"

#include <charconv>

#include "core/codec.h"

namespace cx::marketdata {
namespace {

// Appends v / 10^scale as a decimal string with exactly `scale` fraction digits, quoted.
// Same output as cx::FormatDecimal / FormatDecimal128, without temporary strings (the
// formatting was ~30 % of the feed's time).
void AppendDecimal(std::string& out, Int128 v, int scale) {
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = end;
  const bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  int n = 0;
  // 128-bit division is a library call: divide in 64 bits once the value fits.
  while (u > UINT64_MAX) {
    *--p = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
    ++n;
    if (n == scale) *--p = '.';
  }
  uint64_t w = static_cast<uint64_t>(u);
  do {
    *--p = static_cast<char>('0' + static_cast<int>(w % 10));
    w /= 10;
    ++n;
    if (n == scale) *--p = '.';
  } while (w != 0 || n <= scale);
  out.push_back('"');
  if (neg) out.push_back('-');
  out.append(p, static_cast<size_t>(end - p));
  out.push_back('"');
}

void Key(std::string& out, const char* k) {
  out.push_back('"');
  out.append(k);
  out.append("\":");
}
void Int(std::string& out, const char* k, int64_t v) {
  Key(out, k);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void UInt(std::string& out, const char* k, uint64_t v) {
  Key(out, k);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void Str(std::string& out, std::string_view s) {
  out.push_back('"');
  out.append(s);  // only our own digit/name strings: nothing to escape
  out.push_back('"');
}
void Price(std::string& out, const char* k, int64_t p, int scale) {
  Key(out, k);
  AppendDecimal(out, p, scale);
}
void OptPrice(std::string& out, const char* k, const std::optional<int64_t>& p, int scale) {
  if (p) {
    Price(out, k, *p, scale);
  } else {
    Key(out, k);
    out.append("null");
  }
}
void Qty(std::string& out, const char* k, int64_t kg) {
  Key(out, k);
  AppendDecimal(out, kg, 3);  // tonnes with 3 decimals, as FormatKgAsTonnes
}
void Notional(std::string& out, const char* k, Int128 milli, int scale) {
  Key(out, k);
  AppendDecimal(out, MilliToMinor(milli), scale);
}
void Levels(std::string& out, const char* k, const std::vector<Level>& ls, int scale) {
  Key(out, k);
  out.push_back('[');
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('[');
    AppendDecimal(out, ls[i].price, scale);
    out.push_back(',');
    AppendDecimal(out, ls[i].qty_kg, 3);
    out.push_back(']');
  }
  out.push_back(']');
}
void Channel(std::string& out, std::string_view channel, const char* type, uint64_t seq) {
  out.reserve(out.size() + 384);  // one allocation for a typical message
  out.append("{\"channel\":");
  JsonEscape(out, channel);
  out.append(",\"type\":");
  Str(out, type);
  out.push_back(',');
  UInt(out, "seq", seq);
}
std::string Id(InstrumentId id) { return std::to_string(id.value()); }

void StatsBody(std::string& out, InstrumentId instrument, const RollingStats& s, int scale) {
  out.push_back('{');
  Int(out, "instrument", instrument.value());
  out.push_back(',');
  Int(out, "window", s.window_us);
  out.push_back(',');
  Int(out, "as_of", s.as_of_us);
  out.push_back(',');
  Int(out, "trades", s.trades);
  out.push_back(',');
  OptPrice(out, "open", s.open, scale);
  out.push_back(',');
  OptPrice(out, "high", s.high, scale);
  out.push_back(',');
  OptPrice(out, "low", s.low, scale);
  out.push_back(',');
  OptPrice(out, "last", s.last, scale);
  out.push_back(',');
  OptPrice(out, "change", s.change, scale);
  out.push_back(',');
  Key(out, "change_bp");
  out.append(s.change_bp ? std::to_string(*s.change_bp) : "null");
  out.push_back(',');
  Qty(out, "volume", s.volume_kg);
  out.push_back(',');
  Notional(out, "notional", s.notional_milli, scale);
  out.push_back(',');
  OptPrice(out, "vwap", s.vwap, scale);
  out.push_back('}');
}

void IndexBody(std::string& out, const IndexValue& v, int scale, bool constituents = true) {
  out.push_back('{');
  Key(out, "index");
  Str(out, IndexCategoryName(v.category));
  out.push_back(',');
  Int(out, "window", v.window_us);
  out.push_back(',');
  Int(out, "as_of", v.as_of_us);
  out.push_back(',');
  OptPrice(out, "value", v.value, scale);
  out.push_back(',');
  Int(out, "trades", v.trades);
  out.push_back(',');
  Qty(out, "volume", v.volume_kg);
  out.push_back(',');
  Notional(out, "notional", v.notional_milli, scale);
  if (!constituents) {
    out.push_back('}');
    return;
  }
  out.append(",\"constituents\":[");
  for (size_t i = 0; i < v.constituents.size(); ++i) {
    const IndexConstituent& k = v.constituents[i];
    if (i) out.push_back(',');
    out.push_back('{');
    Int(out, "instrument", k.instrument.value());
    out.push_back(',');
    Int(out, "trades", k.trades);
    out.push_back(',');
    Qty(out, "volume", k.volume_kg);
    out.push_back(',');
    Notional(out, "notional", k.notional_milli, scale);
    out.push_back(',');
    OptPrice(out, "vwap", k.vwap, scale);
    out.push_back(',');
    Int(out, "weight_bp", k.weight_bp);
    out.push_back('}');
  }
  out.append("]}");
}

}  // namespace

void AppendTrade(std::string& out, const Trade& t, int scale) {
  out.push_back('{');
  Int(out, "id", t.id.value());
  out.push_back(',');
  Int(out, "instrument", t.instrument.value());
  out.push_back(',');
  Int(out, "ts", t.ts_us);
  out.push_back(',');
  Price(out, "price", t.price, scale);
  out.push_back(',');
  Qty(out, "qty", t.qty_kg);
  out.push_back(',');
  Key(out, "side");
  Str(out, SideName(t.taker_side));
  out.push_back(',');
  Key(out, "venue");
  Str(out, VenueName(t.venue));
  out.push_back(',');
  Notional(out, "notional", MilliNotional(t.price, t.qty_kg), scale);
  out.push_back('}');
}

void AppendCandle(std::string& out, const Candle& c, int scale) {
  out.push_back('{');
  Int(out, "t", c.start_us);
  out.push_back(',');
  Price(out, "open", c.open, scale);
  out.push_back(',');
  Price(out, "high", c.high, scale);
  out.push_back(',');
  Price(out, "low", c.low, scale);
  out.push_back(',');
  Price(out, "close", c.close, scale);
  out.push_back(',');
  Qty(out, "volume", c.volume_kg);
  out.push_back(',');
  Notional(out, "notional", c.notional_milli, scale);
  out.push_back(',');
  Int(out, "trades", c.trades);
  out.push_back('}');
}

std::string TradeJson(const Trade& t, int scale) {
  std::string out;
  AppendTrade(out, t, scale);
  return out;
}

std::string TradesJson(InstrumentId instrument, const std::vector<Trade>& trades, int scale) {
  std::string out = "{";
  Int(out, "instrument", instrument.value());
  out.append(",\"trades\":[");
  for (size_t i = 0; i < trades.size(); ++i) {
    if (i) out.push_back(',');
    AppendTrade(out, trades[i], scale);
  }
  out.append("]}");
  return out;
}

std::string CandlesJson(InstrumentId instrument, Interval interval,
                        const std::vector<Candle>& candles, int scale) {
  std::string out = "{";
  Int(out, "instrument", instrument.value());
  out.push_back(',');
  Key(out, "interval");
  Str(out, IntervalName(interval));
  out.append(",\"candles\":[");
  for (size_t i = 0; i < candles.size(); ++i) {
    if (i) out.push_back(',');
    AppendCandle(out, candles[i], scale);
  }
  out.append("]}");
  return out;
}

std::string StatsJson(InstrumentId instrument, const RollingStats& s, int scale) {
  std::string out;
  StatsBody(out, instrument, s, scale);
  return out;
}

std::string VwapJson(InstrumentId instrument, int64_t window_us, const VwapResult& v,
                     int scale) {
  std::string out = "{";
  Int(out, "instrument", instrument.value());
  out.push_back(',');
  if (window_us == 0) {
    Key(out, "window");
    Str(out, "session");
  } else {
    Int(out, "window", window_us);
  }
  out.push_back(',');
  OptPrice(out, "vwap", v.vwap, scale);
  out.push_back(',');
  Qty(out, "volume", v.volume_kg);
  out.push_back(',');
  Notional(out, "notional", v.notional_milli, scale);
  out.push_back(',');
  Int(out, "trades", v.trades);
  out.push_back('}');
  return out;
}

std::string DepthJson(const DepthSnapshot& s, int scale) {
  std::string out = "{";
  Int(out, "instrument", s.instrument.value());
  out.push_back(',');
  UInt(out, "seq", s.seq);
  out.push_back(',');
  Levels(out, "bids", s.bids, scale);
  out.push_back(',');
  Levels(out, "asks", s.asks, scale);
  out.push_back('}');
  return out;
}

std::string IndexJson(const IndexValue& v, int scale) {
  std::string out;
  IndexBody(out, v, scale);
  return out;
}

std::string IndicesJson(const std::vector<IndexValue>& vs, int scale) {
  std::string out = "{\"indices\":[";
  for (size_t i = 0; i < vs.size(); ++i) {
    if (i) out.push_back(',');
    IndexBody(out, vs[i], scale);
  }
  out.append("]}");
  return out;
}

std::string DepthSnapshotMessage(const DepthSnapshot& s, int scale) {
  std::string out;
  Channel(out, "depth:" + Id(s.instrument), "snapshot", s.seq);
  out.push_back(',');
  Levels(out, "bids", s.bids, scale);
  out.push_back(',');
  Levels(out, "asks", s.asks, scale);
  out.push_back('}');
  return out;
}

std::string DepthDeltaMessage(const DepthDelta& d, int scale) {
  std::vector<Level> bids, asks;
  for (const LevelUpdate& u : d.changes)
    (u.side == Side::kBuy ? bids : asks).push_back(Level{u.price, u.qty_kg});
  std::string out;
  Channel(out, "depth:" + Id(d.instrument), "delta", d.seq);
  out.push_back(',');
  Levels(out, "bids", bids, scale);
  out.push_back(',');
  Levels(out, "asks", asks, scale);
  out.push_back('}');
  return out;
}

std::string BboMessage(InstrumentId instrument, uint64_t seq, const std::optional<Level>& bid,
                       const std::optional<Level>& ask, int scale) {
  std::string out;
  Channel(out, "bbo:" + Id(instrument), "bbo", seq);
  for (auto [k, l] : {std::pair{"bid", &bid}, std::pair{"ask", &ask}}) {
    out.push_back(',');
    Key(out, k);
    if (!*l) {
      out.append("null");
      continue;
    }
    out.push_back('[');
    AppendDecimal(out, (*l)->price, scale);
    out.push_back(',');
    AppendDecimal(out, (*l)->qty_kg, 3);
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

std::string TradeMessage(const Trade& t, uint64_t seq, int scale) {
  std::string out;
  Channel(out, "trades:" + Id(t.instrument), "trade", seq);
  out.append(",\"trade\":");
  AppendTrade(out, t, scale);
  out.push_back('}');
  return out;
}

std::string CandleMessage(InstrumentId instrument, Interval interval, const Candle& c,
                          uint64_t seq, int scale) {
  std::string out;
  Channel(out, "candles:" + Id(instrument) + ":" + std::string(IntervalName(interval)),
          "candle", seq);
  out.append(",\"candle\":");
  AppendCandle(out, c, scale);
  out.push_back('}');
  return out;
}

std::string StatsMessage(InstrumentId instrument, const RollingStats& s, uint64_t seq,
                         int scale) {
  std::string out;
  Channel(out, "stats:" + Id(instrument), "stats", seq);
  out.append(",\"stats\":");
  StatsBody(out, instrument, s, scale);
  out.push_back('}');
  return out;
}

std::string IndexMessage(const IndexValue& v, uint64_t seq, int scale) {
  std::string out;
  Channel(out, "index:" + std::string(IndexCategoryName(v.category)), "index", seq);
  out.append(",\"index\":");
  IndexBody(out, v, scale, /*constituents=*/false);
  out.push_back('}');
  return out;
}

}  // namespace cx::marketdata
