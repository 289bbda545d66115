#include "app/market_views.h"

#include <boost/json.hpp>

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

json::object OrderView(const RegistryState& s, const Order& o) {
  json::object v;
  v["id"] = o.id;
  v["client_order_id"] = o.client_id;
  v["instrument"] = o.instrument;
  if (const Instrument* in = s.instrument(o.instrument)) v["symbol"] = in->symbol;
  v["account"] = o.account;
  v["side"] = OrderSideName(o.side);
  v["type"] = OrderKindName(o.kind);
  v["time_in_force"] = OrderTifName(o.tif);
  v["stp"] = OrderStpName(o.stp);
  v["post_only"] = o.post_only;
  v["price"] = Price(o.price);
  v["stop_price"] = Price(o.stop_price);
  v["protection_price"] = Price(o.book_price);
  v["price_minor"] = o.price;
  v["quantity"] = FormatKgAsTonnes(o.qty);
  v["quantity_kg"] = o.qty;
  v["open_quantity"] = FormatKgAsTonnes(o.open_qty);
  v["open_kg"] = o.open_qty;
  v["filled_quantity"] = FormatKgAsTonnes(o.filled_qty);
  v["filled_kg"] = o.filled_qty;
  v["display_quantity"] = o.display_qty ? json::value(FormatKgAsTonnes(o.display_qty)) : json::value(nullptr);
  v["min_quantity"] = o.min_qty ? json::value(FormatKgAsTonnes(o.min_qty)) : json::value(nullptr);
  v["expire_at_us"] = o.expire_at ? json::value(o.expire_at) : json::value(nullptr);
  v["average_price"] = o.filled_qty ? json::value(FormatDecimal(static_cast<int64_t>(static_cast<__int128>(o.notional) * 1000 / o.filled_qty), 2)) : json::value(nullptr);
  v["notional"] = FormatDecimal(o.notional, 2);
  v["fees"] = FormatDecimal(o.fees, 2);
  v["cash_locked"] = FormatDecimal(o.cash_locked, 2);
  if (o.batch) v["batch"] = o.batch;
  v["status"] = OrderStatusName(o.status);
  v["in_auction"] = o.in_call;
  if (o.code) v["reject_code"] = std::string(CodeName(static_cast<Code>(o.code)));
  v["created_us"] = o.created_ts;
  v["updated_us"] = o.updated_ts;
  return v;
}

json::object FillView(const RegistryState& s, const Fill& f, int64_t viewer) {
  json::object v;
  v["id"] = f.id;
  v["instrument"] = f.instrument;
  v["buy_order"] = f.buy_order;
  v["sell_order"] = f.sell_order;
  if (viewer == f.buyer || viewer == f.seller) {
    v["side"] = viewer == f.buyer ? "buy" : "sell";
    v["liquidity"] = f.aggressor == 2 ? "auction" : ((f.aggressor == 0) == (viewer == f.buyer) ? "taker" : "maker");
    v["fee"] = FormatDecimal(viewer == f.buyer ? f.buyer_fee : f.seller_fee, 2);
  }
  v["price"] = FormatDecimal(f.price, 2);
  v["price_minor"] = f.price;
  v["quantity"] = FormatKgAsTonnes(f.qty);
  v["quantity_kg"] = f.qty;
  v["notional"] = FormatDecimal(f.notional, 2);
  v["currency"] = f.currency;
  v["batch"] = f.batch;
  json::array r;
  for (const auto& [lo, hi] : f.ranges) r.push_back(json::array{lo, hi});
  v["kg_ranges"] = std::move(r);
  json::array serials;
  if (const Batch* b = s.batch(f.batch)) {
    v["batch_serial"] = b->serial;
    for (const auto& range : f.ranges) serials.push_back(json::value(RegistryState::SerialRangeText(*b, range)));
  }
  v["serials"] = std::move(serials);
  v["ts_us"] = f.ts;
  return v;
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
