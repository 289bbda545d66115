// Exchange routes: instruments, orders (place, list, get, cancel, replace, mass cancel),
// fills, market data (book, trades, candles, stats), indices and primary auctions.
// Prices are decimal strings in the instrument currency per tonne (2 decimals);
// quantities are tonnes with up to 3 decimals (kilogram precision).
#include <atomic>
#include <memory>

#include <boost/json.hpp>

#include "app/market_feed.h"
#include "app/market_views.h"
#include "app/route_util.h"
#include "app/views.h"
#include "core/units.h"
#include "exchange/auction.h"
#include "exchange/order_book.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::RegistryState;
using namespace routes;

namespace {

template <class E>
Result<E> Enum(const json::object& b, std::string_view key, std::initializer_list<std::pair<const char*, E>> names, E def,
               bool required = false) {
  CX_ASSIGN_OR_RETURN(std::optional<std::string> v, api::GetOptString(b, key, 32));
  if (!v) {
    if (required) return Err(Code::kMissingField, "required", std::string(key));
    return def;
  }
  std::string allowed;
  for (const auto& [n, e] : names) {
    if (*v == n) return e;
    allowed += allowed.empty() ? n : std::string(", ") + n;
  }
  return Err(Code::kInvalidField, "one of: " + allowed, std::string(key));
}

Result<std::optional<int64_t>> OptTonnes(const json::object& b, std::string_view key) {
  CX_ASSIGN_OR_RETURN(std::optional<std::string> v, api::GetOptString(b, key, 32));
  if (!v) return std::optional<int64_t>();
  CX_ASSIGN_OR_RETURN(int64_t kg, ParseTonnesToKg(*v, key));
  return std::optional<int64_t>(kg);
}

// Unix seconds (JSON integer) -> engine microseconds.
Result<std::optional<int64_t>> OptUnixUs(const json::object& b, std::string_view key) {
  CX_ASSIGN_OR_RETURN(std::optional<int64_t> v, api::GetOptInt64(b, key));
  if (!v) return std::optional<int64_t>();
  if (*v <= 0 || *v > 32503680000) return Err(Code::kInvalidField, "unix seconds", std::string(key));
  return std::optional<int64_t>(*v * 1'000'000);
}

Result<registry::Order> ParseOrder(const json::object& b) {
  using namespace registry;
  Order o;
  CX_ASSIGN_OR_RETURN(o.instrument, api::GetInt64(b, "instrument"));
  CX_ASSIGN_OR_RETURN(o.side, Enum<OrderSide>(b, "side", {{"buy", OrderSide::kBuy}, {"sell", OrderSide::kSell}}, OrderSide::kBuy, true));
  CX_ASSIGN_OR_RETURN(o.kind, Enum<OrderKind>(b, "type", {{"limit", OrderKind::kLimit}, {"market", OrderKind::kMarket}, {"stop", OrderKind::kStop}, {"stop_limit", OrderKind::kStopLimit}}, OrderKind::kLimit));
  OrderTif def = (o.kind == OrderKind::kMarket || o.kind == OrderKind::kStop) ? OrderTif::kIoc : OrderTif::kGtc;
  CX_ASSIGN_OR_RETURN(o.tif, Enum<OrderTif>(b, "time_in_force", {{"gtc", OrderTif::kGtc}, {"gtt", OrderTif::kGtt}, {"ioc", OrderTif::kIoc}, {"fok", OrderTif::kFok}}, def));
  CX_ASSIGN_OR_RETURN(o.stp, Enum<OrderStp>(b, "stp", {{"none", OrderStp::kNone}, {"cancel_newest", OrderStp::kCancelNewest}, {"cancel_oldest", OrderStp::kCancelOldest}, {"cancel_both", OrderStp::kCancelBoth}}, OrderStp::kCancelNewest));
  CX_ASSIGN_OR_RETURN(o.qty, api::GetTonnesKg(b, "quantity"));
  if (o.kind == OrderKind::kLimit || o.kind == OrderKind::kStopLimit) {
    CX_ASSIGN_OR_RETURN(o.price, api::GetDecimal(b, "price", 2));
  } else if (b.contains("price")) {
    return Err(Code::kInvalidField, "market and stop orders take no limit price", "price");
  }
  if (o.kind == OrderKind::kStop || o.kind == OrderKind::kStopLimit) {
    CX_ASSIGN_OR_RETURN(o.stop_price, api::GetDecimal(b, "stop_price", 2));
  } else if (b.contains("stop_price")) {
    return Err(Code::kInvalidField, "only stop orders take a stop price", "stop_price");
  }
  CX_ASSIGN_OR_RETURN(auto disp, OptTonnes(b, "display_quantity"));
  o.display_qty = disp.value_or(0);
  CX_ASSIGN_OR_RETURN(auto minq, OptTonnes(b, "min_quantity"));
  o.min_qty = minq.value_or(0);
  CX_ASSIGN_OR_RETURN(auto exp, OptUnixUs(b, "expire_at"));
  if (o.tif == OrderTif::kGtt && !exp) return Err(Code::kMissingField, "good-till-time orders need expire_at (unix seconds)", "expire_at");
  if (o.tif != OrderTif::kGtt && exp) return Err(Code::kInvalidField, "expire_at needs time_in_force gtt", "expire_at");
  o.expire_at = exp.value_or(0);
  CX_ASSIGN_OR_RETURN(auto po, api::GetOptBool(b, "post_only"));
  o.post_only = po.value_or(false);
  CX_ASSIGN_OR_RETURN(auto batch, api::GetOptInt64(b, "batch"));
  o.batch = batch.value_or(0);
  CX_ASSIGN_OR_RETURN(auto cid, api::GetOptString(b, "client_order_id", 64));
  o.client_id = cid.value_or("");
  return o;
}

// The reply of an order command: the order now, with the fills of this command; a
// refusal by the book (FOK, post-only, minimum fill) is answered as that error.
Result<std::string> OrderReply(const RegistryState& s, const engine::Outcome& out, int64_t id) {
  const registry::Order* o = s.order(id);
  if (!o) return Err(Code::kInternal, "order not found after submit");
  for (const auto& e : *out.events)
    if (const auto* u = std::get_if<registry::OrderUpdated>(&e); u && u->order == id && (u->what == 3 || (u->what == 0 && u->status == registry::OrderStatus::kRejected)))
      return Err(static_cast<Code>(u->code), u->what == 3 ? "the book refused the replace" : "the book refused the order", "order");
  std::string v = OrderJson(s, *o);
  v.pop_back();  // reopen the object to add this command's fills
  v += ",\"fills\":[";
  bool first = true;
  for (const auto& e : *out.events)
    if (const auto* t = std::get_if<registry::TradeExecuted>(&e); t && (t->fill.buy_order == id || t->fill.sell_order == id)) {
      if (!first) v += ',';
      first = false;
      v += FillJson(s, t->fill, o->account);
    }
  v += "]}";
  return v;
}

// The reply to an idempotent retry: the order now, with all its fills so far; an order
// the book refused on entry gets the refusal it got the first time.
Result<std::string> ReplayReply(const RegistryState& s, const registry::Order& o) {
  if (o.status == registry::OrderStatus::kRejected)
    return Err(static_cast<Code>(o.code), "the book refused the order", "order");
  std::string v = OrderJson(s, o);
  v.pop_back();
  v += ",\"fills\":[";
  bool first = true;
  if (const auto* ids = s.FillsOf(o.account))
    for (int64_t fid : *ids) {
      const registry::Fill& f = s.fills()[static_cast<size_t>(fid - 1)];
      if (f.buy_order != o.id && f.sell_order != o.id) continue;
      if (!first) v += ',';
      first = false;
      v += FillJson(s, f, o.account);
    }
  v += "]}";
  return v;
}

bool Oversight(const Principal& p) { return p.Has(Role::kAdmin) || p.Has(Role::kAuditor); }

}  // namespace

Result<void> RegisterMarketRoutes(api::Router& router, ServiceContext& ctx, MarketFeed& feed) {
  ServiceContext* c = &ctx;
  MarketFeed* f = &feed;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h)).Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kPublic = Access::Public();
  const Access kUser = Access::AnyUser();
  const Access kAdmin = Access::Roles({Role::kAdmin});

  // ---------------------------------------------------------------- instruments
  CX_TRY(add(Method::kGet, "/api/v1/instruments", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    auto kind = req.Query("kind");
    Query(*c, [kind](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (const auto& [id, in] : s.instruments()) {
        if (kind && *kind != (in.kind == registry::InstrumentKind::kBatch ? "batch" : "contract")) continue;
        items.push_back(InstrumentView(s, in));
      }
      json::object o;
      o["items"] = std::move(items);
      return Serialize(o);
    }, respond);
  }, "Instruments: one per listed batch, and standard contracts by criteria", {}, "InstrumentList"));

  CX_TRY(add(Method::kGet, "/api/v1/instruments/{id}", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Query(*c, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Instrument* in = s.instrument(id);
      if (!in) return Err(Code::kUnknownInstrument, "no such instrument", "id");
      return Serialize(InstrumentView(s, *in));
    }, respond);
  }, "One instrument with its phase, reference price and best bid/offer", {}, "Instrument"));

  CX_TRY(add(Method::kPost, "/api/v1/instruments", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    using namespace registry;
    Instrument in;
    CX_GET(kind, Enum<InstrumentKind>(b, "kind", {{"batch", InstrumentKind::kBatch}, {"contract", InstrumentKind::kContract}}, InstrumentKind::kBatch));
    in.kind = kind;
    CX_GET(symbol, api::GetOptString(b, "symbol", 32));
    in.symbol = symbol.value_or("");
    if (kind == InstrumentKind::kBatch) {
      CX_GET(batch, api::GetInt64(b, "batch"));
      in.batch = batch;
    } else {
      CX_GET(crit, api::GetObject(b, "criteria"));
      auto& k = in.criteria;
      for (auto [key, dst] : {std::pair<const char*, std::vector<std::string>*>{"standards", &k.standards},
                              {"methodologies", &k.methodologies}, {"countries", &k.countries}}) {
        if (crit->contains(key)) {
          CX_GET(v, api::GetStringArray(*crit, key, 64));
          *dst = v;
        }
      }
      CX_GET(vf, api::GetOptInt64(*crit, "vintage_from"));
      CX_GET(vt, api::GetOptInt64(*crit, "vintage_to"));
      k.vintage_from = vf.value_or(0);
      k.vintage_to = vt.value_or(0);
      CX_GET(mit, Enum<Mitigation>(*crit, "mitigation", {{"any", Mitigation::kUnknown}, {"removal", Mitigation::kRemoval}, {"reduction", Mitigation::kReduction}}, Mitigation::kUnknown));
      CX_GET(nat, Enum<Nature>(*crit, "nature", {{"any", Nature::kUnknown}, {"nature", Nature::kNatureBased}, {"technical", Nature::kTechnical}}, Nature::kUnknown));
      CX_GET(cor, api::GetOptBool(*crit, "corsia"));
      CX_GET(ca, api::GetOptBool(*crit, "corresponding_adjustment"));
      k.mitigation = mit;
      k.nature = nat;
      k.corsia = cor.value_or(false) ? Tri::kYes : Tri::kUnknown;
      k.corresponding_adjustment = ca.value_or(false) ? Tri::kYes : Tri::kUnknown;
    }
    CX_GET(cur, api::GetOptString(b, "currency", 3));
    in.currency = cur.value_or("USD");
    CX_GET(tick, api::GetOptDecimal(b, "tick", 2));
    in.tick = tick.value_or(1);
    CX_GET(lot, OptTonnes(b, "lot"));
    in.lot_kg = lot.value_or(1000);
    CX_GET(maker, api::GetOptInt64(b, "maker_fee_bp"));
    CX_GET(taker, api::GetOptInt64(b, "taker_fee_bp"));
    CX_GET(band, api::GetOptInt64(b, "band_bp"));
    CX_GET(halt, api::GetOptInt64(b, "halt_bp"));
    CX_GET(reopen, api::GetOptInt64(b, "reopen_seconds"));
    CX_GET(ref, api::GetOptDecimal(b, "reference_price", 2));
    in.maker_fee_bp = maker.value_or(10);
    in.taker_fee_bp = taker.value_or(20);
    in.band_bp = band.value_or(1000);
    in.halt_bp = halt.value_or(2000);
    if (reopen && (*reopen < 0 || *reopen > 86400)) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "0 to 86400", "reopen_seconds")));
    in.reopen_us = reopen.value_or(60) * 1'000'000;
    in.reference_price = ref.value_or(0);
    Submit(*c, CreateInstrument{p.user_id, p.Has(Role::kAdmin), in},
           [](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<InstrumentCreated>(o.events->front());
             return Serialize(InstrumentView(s, *s.instrument(e.instrument.id)));
           }, respond, 201);
  }, "List a batch (admin, its developer or a holder) or define a standard contract (admin)", "InstrumentRequest", "Instrument", 201));

  auto phase = [&](const char* path, bool halt, const char* summary) {
    return add(Method::kPost, path, kAdmin, [c, halt](HttpRequest&& req, const Principal& p, Responder respond) {
      CX_GET(id, PathId(req));
      json::object empty;
      auto bo = req.body.empty() ? std::optional<json::object>(empty) : Body(req, respond);
      if (!bo) return;
      CX_GET(reason, api::GetOptText(*bo, "reason", 500));
      CX_GET(reopen, api::GetOptInt64(*bo, "reopen_seconds"));
      if (reopen && (*reopen < 0 || *reopen > 86400)) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "0 to 86400", "reopen_seconds")));
      Submit(*c, registry::SetMarketPhase{p.user_id, id, halt, reopen.value_or(0) * 1'000'000, reason.value_or("")},
             [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
               return Serialize(InstrumentView(s, *s.instrument(id)));
             }, respond);
    }, summary, "PhaseRequest", "Instrument");
  };
  CX_TRY(phase("/api/v1/instruments/{id}/halt", true, "Halt trading in an instrument (admin); cancels stay possible"));
  CX_TRY(phase("/api/v1/instruments/{id}/resume", false, "Resume an instrument (admin), through a re-opening call auction of reopen_seconds"));

  CX_TRY(add(Method::kPut, "/api/v1/instruments/{id}/fees", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(maker, api::GetInt64(b, "maker_fee_bp"));
    CX_GET(taker, api::GetInt64(b, "taker_fee_bp"));
    Submit(*c, registry::SetInstrumentFees{p.user_id, id, maker, taker},
           [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return Serialize(InstrumentView(s, *s.instrument(id)));
           }, respond);
  }, "Set an instrument's maker and taker fees in bp (admin). New orders lock and pay the new rates; "
     "resting orders pay the lower of the new rate and the rate they entered at", "FeesRequest", "Instrument"));

  // ---------------------------------------------------------------- orders
  CX_TRY(add(Method::kPost, "/api/v1/orders", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(o, ParseOrder(b));
    registry::PlaceOrder cmd;
    cmd.actor = p.user_id;
    cmd.order = std::move(o);
    // An idempotent retry (same client_order_id, same terms) produces no event: it is
    // answered 200 with the existing order and `Idempotent-Replay: true`.
    auto replay = std::make_shared<std::atomic<bool>>(false);
    c->engine->Submit(engine::Request{cmd, [cmd, replay](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> {
      if (out.events && !out.events->empty()) {
        const auto& e = std::get<registry::OrderSubmitted>(out.events->front());
        return OrderReply(s, out, e.order.id);
      }
      const registry::Order* prior = s.ClientOrder(cmd);
      if (!prior) return Err(Code::kInternal, "no order for this client_order_id");
      replay->store(true);
      return ReplayReply(s, *prior);
    }, [respond, replay](Result<std::string> r) {
      if (!r.ok()) {
        respond(HttpResponse::Problem(r.error()));
        return;
      }
      const bool again = replay->load();
      HttpResponse res = HttpResponse::Json(again ? 200 : 201, std::move(r).value());
      if (again) res.headers.Set("Idempotent-Replay", "true");
      respond(std::move(res));
    }});
  }, "Place an order; cash or credits are locked before it enters the book. client_order_id is unique per "
     "account: a retry with the same id and terms answers 200 with the existing order (header "
     "Idempotent-Replay: true); the same id with other terms is refused 409", "OrderRequest", "Order", 201));

  CX_TRY(add(Method::kGet, "/api/v1/orders", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(page, GetPage(req));
    auto status = req.Query("status");
    std::optional<int64_t> inst, account;
    if (auto v = req.Query("instrument")) {
      CX_GET(x, api::ParseId(*v, "instrument"));
      inst = x;
    }
    if (auto v = req.Query("account")) {
      CX_GET(x, api::ParseId(*v, "account"));
      account = x;
    }
    if (status && *status != "open" && *status != "closed" && *status != "all")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "open, closed or all", "status")));
    bool oversight = Oversight(p);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      int64_t acct = AccountOf(s, uid);
      if (account && *account != acct) {
        if (!oversight) return Err(Code::kForbidden, "not your account", "account");
        acct = *account;
      }
      std::vector<const registry::Order*> matches;
      if (const auto* ids = s.OrdersOf(acct))
        for (auto it = ids->rbegin(); it != ids->rend(); ++it) {
          const registry::Order* o = s.order(*it);
          const bool live = registry::IsLive(*o);
          if (inst && o->instrument != *inst) continue;
          if (status && *status == "open" && !live) continue;
          if (status && *status == "closed" && live) continue;
          matches.push_back(o);
        }
      return PagedJson(matches, page, [&](const registry::Order& o) { return OrderJson(s, o); });
    }, respond);
  }, "Your orders, newest first (?status=open|closed|all, ?instrument=, admins/auditors ?account=)", {}, "OrderList"));

  CX_TRY(add(Method::kGet, "/api/v1/orders/{id}", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    bool oversight = Oversight(p);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Order* o = s.order(id);
      if (!o || (!oversight && o->account != AccountOf(s, uid))) return Err(Code::kUnknownOrder, "no such order", "id");
      return OrderJson(s, *o);
    }, respond);
  }, "One of your orders", {}, "Order"));

  CX_TRY(add(Method::kDelete, "/api/v1/orders/{id}", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    Submit(*c, registry::CancelOrder{p.user_id, p.Has(Role::kAdmin), id},
           [id](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> { return OrderReply(s, out, id); },
           respond);
  }, "Cancel an order (its owner, or an admin); the lock is released", {}, "Order"));

  CX_TRY(add(Method::kPost, "/api/v1/orders/{id}/replace", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(price, api::GetDecimal(b, "price", 2));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    Submit(*c, registry::ReplaceOrder{p.user_id, id, price, qty},
           [id](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> { return OrderReply(s, out, id); },
           respond);
  }, "Cancel/replace: new limit price and new open quantity (same price, smaller quantity keeps priority)", "ReplaceRequest", "Order"));

  CX_TRY(add(Method::kDelete, "/api/v1/orders", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    int64_t inst = 0;
    if (auto v = req.Query("instrument")) {
      CX_GET(x, api::ParseId(*v, "instrument"));
      inst = x;
    }
    Submit(*c, registry::MassCancel{p.user_id, 0, inst}, [](const RegistryState&, const engine::Outcome& out) -> Result<std::string> {
      int64_t n = 0;
      if (out.events)
        for (const auto& e : *out.events)
          if (const auto* u = std::get_if<registry::OrderUpdated>(&e); u && u->status == registry::OrderStatus::kCancelled) ++n;
      json::object o;
      o["cancelled"] = n;
      return Serialize(o);
    }, respond);
  }, "Mass cancel: all your open orders (?instrument= to limit)", {}, "MassCancelResult"));

  CX_TRY(add(Method::kGet, "/api/v1/fills", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(page, GetPage(req));
    std::optional<int64_t> inst;
    if (auto v = req.Query("instrument")) {
      CX_GET(x, api::ParseId(*v, "instrument"));
      inst = x;
    }
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      int64_t acct = AccountOf(s, uid);
      std::vector<const registry::Fill*> matches;
      if (const auto* ids = s.FillsOf(acct))
        for (auto it = ids->rbegin(); it != ids->rend(); ++it) {
          const registry::Fill& fl = s.fills()[static_cast<size_t>(*it - 1)];
          if (!inst || fl.instrument == *inst) matches.push_back(&fl);
        }
      return PagedJson(matches, page, [&](const registry::Fill& fl) { return FillJson(s, fl, acct); });
    }, respond);
  }, "Your fills, newest first: price, quantity, fee, delivered batch and kilogram ranges", {}, "FillList"));

  // ---------------------------------------------------------------- market data
  CX_TRY(add(Method::kGet, "/api/v1/markets/{id}/book", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    int64_t depth = 20;
    if (auto v = req.Query("depth")) {
      CX_GET(x, api::ParseId(*v, "depth"));
      depth = std::min<int64_t>(x, 1000);
    }
    Query(*c, [id, depth](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      if (!s.instrument(id)) return Err(Code::kUnknownInstrument, "no such instrument", "id");
      return Serialize(BookView(s, id, static_cast<size_t>(depth)));
    }, respond);
  }, "L2 order book: aggregated displayed quantity per price, best first (?depth=, max 1000)", {}, "Book"));

  CX_TRY(add(Method::kGet, "/api/v1/markets/{id}/trades", kPublic, [f](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    int64_t limit = 100;
    if (auto v = req.Query("limit")) {
      CX_GET(x, api::ParseId(*v, "limit"));
      limit = std::min<int64_t>(x, 1000);
    }
    Answer(respond, f->Trades(id, static_cast<size_t>(limit)), 200);
  }, "Recent trades, newest first", {}, "Trades"));

  CX_TRY(add(Method::kGet, "/api/v1/markets/{id}/candles", kPublic, [f](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    std::string iv(req.Query("interval").value_or("1m"));
    int64_t from = 0, to = INT64_MAX, limit = 500;
    if (auto v = req.Query("from")) {
      CX_GET(x, api::ParseId(*v, "from"));
      from = x * 1'000'000;
    }
    if (auto v = req.Query("to")) {
      CX_GET(x, api::ParseId(*v, "to"));
      to = x * 1'000'000;
    }
    if (auto v = req.Query("limit")) {
      CX_GET(x, api::ParseId(*v, "limit"));
      limit = std::min<int64_t>(x, 1000);
    }
    Answer(respond, f->Candles(id, iv, from, to, static_cast<size_t>(limit)), 200);
  }, "OHLCV candles (?interval=1m|5m|1h|1d, ?from=&to= unix seconds, ?limit=)", {}, "Candles"));

  CX_TRY(add(Method::kGet, "/api/v1/markets/{id}/stats", kPublic, [f](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Answer(respond, f->Stats(id), 200);
  }, "24 h statistics: open, high, low, last, change, volume, notional, VWAP", {}, "Stats"));

  CX_TRY(add(Method::kGet, "/api/v1/indices", kPublic, [f](HttpRequest&&, const Principal&, Responder respond) {
    respond(HttpResponse::Json(200, f->Indices()));
  }, "Volume-weighted category price indices (all, nature-based, technology-based, removals) over 24 h", {}, "Indices"));

  // ---------------------------------------------------------------- auctions
  CX_TRY(add(Method::kPost, "/api/v1/auctions", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(inst, api::GetInt64(b, "instrument"));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(reserve, api::GetDecimal(b, "reserve_price", 2));
    CX_GET(end, OptUnixUs(b, "end_at"));
    if (!end) return respond(HttpResponse::Problem(Err(Code::kMissingField, "required (unix seconds)", "end_at")));
    Submit(*c, registry::StartAuction{p.user_id, inst, qty, reserve, *end},
           [inst](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return Serialize(InstrumentView(s, *s.instrument(inst)));
           }, respond, 201);
  }, "Primary issuance auction: sell credits of a batch you hold at one uniform clearing price", "AuctionRequest", "Instrument", 201));

  CX_TRY(add(Method::kGet, "/api/v1/auctions", kPublic, [c](HttpRequest&&, const Principal&, Responder respond) {
    Query(*c, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (const auto& [id, in] : s.instruments()) {
        if (in.phase != registry::MarketPhase::kAuction) continue;
        json::object o = InstrumentView(s, in);
        // Indicative uncross over resting and collected orders.
        std::vector<exchange::AuctionOrder> ao;
        uint64_t seq = 0;
        auto add_order = [&](const registry::Order& x, int64_t qty) {
          ao.push_back(exchange::AuctionOrder{OrderId(x.id), AccountId(x.account),
                                              x.side == registry::OrderSide::kBuy ? exchange::Side::kBuy : exchange::Side::kSell,
                                              false, x.book_price, qty, seq++});
        };
        exchange::BookSnapshot snap = s.book(id)->Snapshot();
        for (const auto* side : {&snap.bids, &snap.asks})
          for (const auto& r : *side) add_order(*s.order(r.id.value()), r.leaves);
        int64_t orders = 0;
        for (int64_t oid : s.CallOrders(id)) {
          const registry::Order* x = s.order(oid);
          if (x->open_qty > 0) add_order(*x, x->open_qty), ++orders;
        }
        exchange::AuctionParams ap{in.tick, in.lot_kg, in.reference_price};
        auto ind = exchange::Indicative(ao, ap);
        json::object i;
        if (ind.ok() && ind->crossed) {
          i["price"] = FormatDecimal(ind->price, 2);
          i["volume"] = FormatKgAsTonnes(ind->volume);
          i["imbalance"] = FormatKgAsTonnes(ind->imbalance < 0 ? -ind->imbalance : ind->imbalance);
          i["imbalance_side"] = ind->imbalance > 0 ? "buy" : ind->imbalance < 0 ? "sell" : "none";
        } else {
          i["price"] = nullptr;
          i["volume"] = "0.000";
        }
        o["indicative"] = std::move(i);
        o["collected_orders"] = orders;
        items.push_back(std::move(o));
      }
      json::object o;
      o["items"] = std::move(items);
      return Serialize(o);
    }, respond);
  }, "Instruments in a call auction (primary issuance or re-opening) with the indicative price", {}, "AuctionList"));

  return Ok();
}

}  // namespace cx::app
