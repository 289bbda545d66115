#include "app/market_views.h"

#include <boost/json.hpp>

#include "app/json_out.h"
#include "core/units.h"
#include "exchange/order_book.h"

namespace cx::app {
namespace json = boost::json;
using namespace registry;

namespace {
const char* KindName(InstrumentKind k) { return k == InstrumentKind::kBatch ? "batch" : "contract"; }
const char* TriName(Tri t) { return t == Tri::kYes ? "yes" : t == Tri::kNo ? "no" : "any"; }
json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
}
json::value Price(int64_t minor) { return minor > 0 ? json::value(FormatDecimal(minor, 2)) : json::value(nullptr); }
}  // namespace

json::object InstrumentView(const RegistryState& s, const Instrument& in) {
  json::object o;
  o["id"] = in.id;
  o["symbol"] = in.symbol;
  o["kind"] = KindName(in.kind);
  if (in.kind == InstrumentKind::kBatch) {
    o["batch"] = in.batch;
    if (const Batch* b = s.batch(in.batch)) {
      o["vintage"] = b->vintage;
      if (const Project* p = s.project(b->project)) {
        o["project"] = p->id;
        o["project_name"] = p->info.name;
        o["country"] = p->info.country;
      }
    }
  } else {
    json::object c;
    const auto& k = in.criteria;
    c["standards"] = Strings(k.standards);
    c["methodologies"] = Strings(k.methodologies);
    c["countries"] = Strings(k.countries);
    c["vintage_from"] = k.vintage_from ? json::value(k.vintage_from) : json::value(nullptr);
    c["vintage_to"] = k.vintage_to ? json::value(k.vintage_to) : json::value(nullptr);
    c["mitigation"] = k.mitigation == Mitigation::kRemoval ? "removal" : k.mitigation == Mitigation::kReduction ? "reduction" : "any";
    c["nature"] = k.nature == Nature::kNatureBased ? "nature" : k.nature == Nature::kTechnical ? "technical" : "any";
    c["corsia"] = TriName(k.corsia);
    c["corresponding_adjustment"] = TriName(k.corresponding_adjustment);
    o["criteria"] = std::move(c);
  }
  o["currency"] = in.currency;
  o["tick"] = FormatDecimal(in.tick, 2);
  o["tick_minor"] = in.tick;
  o["lot"] = FormatKgAsTonnes(in.lot_kg);
  o["lot_kg"] = in.lot_kg;
  o["maker_fee_bp"] = in.maker_fee_bp;
  o["taker_fee_bp"] = in.taker_fee_bp;
  o["band_bp"] = in.band_bp;
  o["halt_bp"] = in.halt_bp;
  o["phase"] = MarketPhaseName(in.phase);
  o["phase_reason"] = in.phase_reason;
  o["auction_end_us"] = in.auction_end ? json::value(in.auction_end) : json::value(nullptr);
  o["reference_price"] = Price(in.reference_price);
  if (const exchange::OrderBook* b = s.book(in.id)) {
    o["best_bid"] = b->best_bid() ? Price(*b->best_bid()) : json::value(nullptr);
    o["best_ask"] = b->best_ask() ? Price(*b->best_ask()) : json::value(nullptr);
  }
  o["created_us"] = in.created_ts;
  return o;
}

void AppendOrderJson(std::string& out, const Order& o, std::string_view symbol) {
  JsonOut j(out);
  auto price = [&](std::string_view k, int64_t minor) {
    if (minor > 0) j.KStr(k, FormatDecimal(minor, 2)); else j.KNull(k);
  };
  j.Open();
  j.KInt("id", o.id).KStr("client_order_id", o.client_id).KInt("instrument", o.instrument).KStr("symbol", symbol);
  j.KInt("account", o.account).KStr("side", OrderSideName(o.side)).KStr("type", OrderKindName(o.kind));
  j.KStr("time_in_force", OrderTifName(o.tif)).KStr("stp", OrderStpName(o.stp)).KBool("post_only", o.post_only);
  price("price", o.price);
  price("stop_price", o.stop_price);
  price("protection_price", o.book_price);
  j.KInt("price_minor", o.price);
  j.KStr("quantity", FormatKgAsTonnes(o.qty)).KInt("quantity_kg", o.qty);
  j.KStr("open_quantity", FormatKgAsTonnes(o.open_qty)).KInt("open_kg", o.open_qty);
  j.KStr("filled_quantity", FormatKgAsTonnes(o.filled_qty)).KInt("filled_kg", o.filled_qty);
  if (o.display_qty) j.KStr("display_quantity", FormatKgAsTonnes(o.display_qty)); else j.KNull("display_quantity");
  if (o.min_qty) j.KStr("min_quantity", FormatKgAsTonnes(o.min_qty)); else j.KNull("min_quantity");
  if (o.expire_at) j.KInt("expire_at_us", o.expire_at); else j.KNull("expire_at_us");
  if (o.filled_qty)
    j.KStr("average_price", FormatDecimal(static_cast<int64_t>(static_cast<__int128>(o.notional) * 1000 / o.filled_qty), 2));
  else
    j.KNull("average_price");
  j.KStr("notional", FormatDecimal(o.notional, 2)).KStr("fees", FormatDecimal(o.fees, 2));
  j.KStr("cash_locked", FormatDecimal(o.cash_locked, 2));
  if (o.batch) j.KInt("batch", o.batch);
  j.KStr("status", OrderStatusName(o.status)).KBool("in_auction", o.in_call);
  if (o.code) j.KStr("reject_code", CodeName(static_cast<Code>(o.code)));
  j.KInt("created_us", o.created_ts).KInt("updated_us", o.updated_ts);
  j.Close();
}

std::string OrderJson(const RegistryState& s, const Order& o) {
  std::string out;
  const Instrument* in = s.instrument(o.instrument);
  AppendOrderJson(out, o, in ? std::string_view(in->symbol) : std::string_view());
  return out;
}

void AppendFillJson(std::string& out, const Fill& f, int64_t viewer, const Batch* b) {
  JsonOut j(out);
  j.Open();
  j.KInt("id", f.id).KInt("instrument", f.instrument).KInt("buy_order", f.buy_order).KInt("sell_order", f.sell_order);
  if (viewer == f.buyer || viewer == f.seller) {
    j.KStr("side", viewer == f.buyer ? "buy" : "sell");
    j.KStr("liquidity", f.aggressor == 2 ? "auction" : ((f.aggressor == 0) == (viewer == f.buyer) ? "taker" : "maker"));
    j.KStr("fee", FormatDecimal(viewer == f.buyer ? f.buyer_fee : f.seller_fee, 2));
  }
  j.KStr("price", FormatDecimal(f.price, 2)).KInt("price_minor", f.price);
  j.KStr("quantity", FormatKgAsTonnes(f.qty)).KInt("quantity_kg", f.qty);
  j.KStr("notional", FormatDecimal(f.notional, 2)).KStr("currency", f.currency).KInt("batch", f.batch);
  j.Key("kg_ranges").OpenArray();
  for (const auto& [lo, hi] : f.ranges) j.OpenArray().Int(lo).Int(hi).CloseArray();
  j.CloseArray();
  if (b) j.KStr("batch_serial", b->serial);
  j.Key("serials").OpenArray();
  if (b)
    for (const auto& range : f.ranges) j.Str(RegistryState::SerialRangeText(*b, range));
  j.CloseArray();
  j.KInt("ts_us", f.ts);
  j.Close();
}

std::string FillJson(const RegistryState& s, const Fill& f, int64_t viewer) {
  std::string out;
  AppendFillJson(out, f, viewer, s.batch(f.batch));
  return out;
}

json::object BookView(const RegistryState& s, int64_t instrument, size_t depth) {
  json::object o;
  o["instrument"] = instrument;
  const exchange::OrderBook* b = s.book(instrument);
  for (auto side : {exchange::Side::kBuy, exchange::Side::kSell}) {
    json::array a;
    if (b)
      for (const auto& l : b->Depth(side, depth))
        a.push_back(json::object{{"price", FormatDecimal(l.price, 2)}, {"quantity", FormatKgAsTonnes(l.qty)}, {"orders", l.orders}});
    o[side == exchange::Side::kBuy ? "bids" : "asks"] = std::move(a);
  }
  if (const Instrument* in = s.instrument(instrument)) o["phase"] = MarketPhaseName(in->phase);
  return o;
}

}  // namespace cx::app
