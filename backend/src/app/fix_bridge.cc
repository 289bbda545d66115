#include "app/fix_bridge.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/apikey_auth.h"
#include "core/units.h"
#include "exchange/order_book.h"

namespace cx::app {
using registry::RegistryState;
namespace fs = std::filesystem;

namespace {

// The bridge's item in the engine's publish list: what one command means in FIX.
struct FixItem {
  std::vector<std::pair<std::string, fix::ExecutionReport>> reports;
  std::vector<std::pair<std::string, fix::CancelReject>> cancel_rejects;
  std::vector<std::pair<std::string, fix::MarketData>> market_data;
  std::vector<std::string> route_lines;  // appended to DIR/orders
};
struct Pair {
  std::shared_ptr<const void> next, mine;
};

std::string Px(int64_t minor) { return FormatDecimal(minor, 2); }
std::string Qty(int64_t kg) { return FormatKgAsTonnes(kg); }

std::string ErrorText(const Error& e) {
  std::string t = std::string(CodeName(e.code)) + ": " + e.message;
  if (!e.field.empty()) t += " (" + e.field + ")";
  return t;
}

int OrdRejReason(Code c) {
  switch (c) {
    case Code::kUnknownInstrument: return 1;   // unknown symbol
    case Code::kMarketHalted: return 2;        // exchange closed
    case Code::kLimitExceeded: return 3;       // order exceeds limit
    case Code::kUnknownOrder: return 5;        // unknown order
    case Code::kConflict: return 6;            // duplicate order (ClOrdID)
    case Code::kPriceBand: return 8;           // price exceeds current price band
    case Code::kBadQuantity:
    case Code::kOffLot: return 13;             // incorrect quantity
    default: return 99;                        // other (the code is in Text)
  }
}

std::optional<int64_t> ParseId(std::string_view v) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size() || x <= 0) return std::nullopt;
  return x;
}

char SideChar(registry::OrderSide s) { return s == registry::OrderSide::kBuy ? '1' : '2'; }
char TypeChar(registry::OrderKind k) {
  switch (k) {
    case registry::OrderKind::kMarket: return '1';
    case registry::OrderKind::kStop: return '3';
    case registry::OrderKind::kStopLimit: return '4';
    default: return '2';
  }
}
char TifChar(registry::OrderTif t) {
  switch (t) {
    case registry::OrderTif::kIoc: return '3';
    case registry::OrderTif::kFok: return '4';
    case registry::OrderTif::kGtt: return '6';
    default: return '1';
  }
}
// OrdStatus of a live order with `cum` filled.
char LiveStatus(int64_t cum) { return cum > 0 ? '1' : '0'; }

}  // namespace

Result<registry::Order> OrderFromFix(const fix::OrderRequest& r) {
  using namespace registry;
  Order o;
  o.side = r.side == '2' ? OrderSide::kSell : OrderSide::kBuy;
  switch (r.ord_type) {
    case '1': o.kind = OrderKind::kMarket; break;
    case '3': o.kind = OrderKind::kStop; break;
    case '4': o.kind = OrderKind::kStopLimit; break;
    default: o.kind = OrderKind::kLimit; break;
  }
  const bool immediate = o.kind == OrderKind::kMarket || o.kind == OrderKind::kStop;
  switch (r.time_in_force) {
    case '3': o.tif = OrderTif::kIoc; break;
    case '4': o.tif = OrderTif::kFok; break;
    case '6': o.tif = OrderTif::kGtt; break;
    case '1': o.tif = OrderTif::kGtc; break;
    default: o.tif = immediate ? OrderTif::kIoc : OrderTif::kGtc; break;
  }
  CX_ASSIGN_OR_RETURN(o.qty, ParseTonnesToKg(r.quantity, "OrderQty(38)"));
  if (o.kind == OrderKind::kLimit || o.kind == OrderKind::kStopLimit) {
    if (r.price.empty()) return Err(Code::kMissingField, "Price (44) is required for limit orders", "Price(44)");
    CX_ASSIGN_OR_RETURN(o.price, ParseDecimal(r.price, 2, "Price(44)"));
  } else if (!r.price.empty()) {
    return Err(Code::kInvalidField, "market and stop orders take no limit price", "Price(44)");
  }
  if (o.kind == OrderKind::kStop || o.kind == OrderKind::kStopLimit) {
    if (r.stop_price.empty()) return Err(Code::kMissingField, "StopPx (99) is required for stop orders", "StopPx(99)");
    CX_ASSIGN_OR_RETURN(o.stop_price, ParseDecimal(r.stop_price, 2, "StopPx(99)"));
  }
  if (!r.max_floor.empty()) {
    CX_ASSIGN_OR_RETURN(o.display_qty, ParseTonnesToKg(r.max_floor, "MaxFloor(111)"));
  }
  if (!r.min_qty.empty()) {
    CX_ASSIGN_OR_RETURN(o.min_qty, ParseTonnesToKg(r.min_qty, "MinQty(110)"));
  }
  if (o.tif == OrderTif::kGtt) {
    if (r.expire_unix_s <= 0) return Err(Code::kMissingField, "ExpireTime (126) is required for GTD", "ExpireTime(126)");
    o.expire_at = r.expire_unix_s * 1'000'000;
  }
  o.post_only = r.exec_inst.find('6') != std::string::npos;
  if (!r.batch.empty()) {
    auto b = ParseId(r.batch);
    if (!b) return Err(Code::kInvalidField, "a batch id", "CxBatch(20001)");
    o.batch = *b;
  }
  if (r.cl_ord_id.size() > 64) return Err(Code::kInvalidField, "at most 64 characters", "ClOrdID(11)");
  o.client_id = r.cl_ord_id;
  return o;
}

FixBridge::FixBridge(std::string state_dir, std::function<int64_t()> now_ms)
    : dir_(std::move(state_dir)), now_ms_(std::move(now_ms)) {
  sender_ = std::thread([this] { Run(); });
}

FixBridge::~FixBridge() {
  {
    std::lock_guard l(q_mu_);
    stop_ = true;
  }
  q_cv_.notify_one();
  sender_.join();
}

void FixBridge::set_gateway(fix::Gateway* g) {
  gateway_.store(g);
  if (!g) return;
  std::lock_guard l(mu_);
  for (const auto& s : g->Sessions()) drop_copy_[s.key] = s.drop_copy;
}

void FixBridge::Post(std::function<void()> f) {
  {
    std::lock_guard l(q_mu_);
    queue_.push_back(std::move(f));
  }
  q_cv_.notify_one();
}

void FixBridge::Run() {
  for (;;) {
    std::deque<std::function<void()>> work;
    {
      std::unique_lock l(q_mu_);
      q_cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty() && stop_) return;
      work.swap(queue_);
    }
    for (auto& f : work) f();
  }
}

// ---------------------------------------------------------------- bindings and routes

void FixBridge::Bootstrap(const RegistryState& s) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  {
    std::lock_guard l(mu_);
    std::ifstream in(fs::path(dir_) / "bindings");
    std::string key;
    int64_t user = 0;
    while (in >> key >> user) bound_[key] = user;
    for (const auto& [id, in_] : s.instruments()) symbols_[in_.symbol] = id;
  }
  {
    std::ifstream in(fs::path(dir_) / "orders");
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      int64_t id = 0;
      std::string session, cl;
      if (!(ls >> id >> session)) continue;
      std::getline(ls >> std::ws, cl);
      {
        std::lock_guard l(mu_);
        seen_cl_.insert({session, cl});
      }
      const registry::Order* o = s.order(id);
      if (!o || !registry::IsLive(*o)) continue;
      routes_[id] = Route{session, cl, {}};
      by_cl_ord_id_[{session, cl}] = id;
    }
  }
  {  // compacted to the live orders' routes, so the file does not grow without bound
    const fs::path tmp = fs::path(dir_) / "orders.tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      for (const auto& [id, r] : routes_) out << id << ' ' << r.session << ' ' << r.cl_ord_id << '\n';
    }
    fs::rename(tmp, fs::path(dir_) / "orders", ec);
  }
  shadow_.clear();
  for (const auto& [id, in] : s.instruments())
    if (const exchange::OrderBook* b = s.book(id))
      for (auto side : {exchange::Side::kBuy, exchange::Side::kSell})
        for (const auto& lv : b->Depth(side, SIZE_MAX)) shadow_[{id, static_cast<int>(side), lv.price}] = lv.qty;
}

void FixBridge::SaveBindingsLocked() {
  const fs::path p = fs::path(dir_) / "bindings";
  const fs::path tmp = fs::path(dir_) / "bindings.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [k, u] : bound_) out << k << ' ' << u << '\n';
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
}

int64_t FixBridge::UserOf(const std::string& session) {
  std::lock_guard l(mu_);
  auto it = bound_.find(session);
  return it == bound_.end() ? 0 : it->second;
}

std::vector<std::string> FixBridge::DropCopiesOf(int64_t user) {
  std::vector<std::string> v;
  std::lock_guard l(mu_);
  for (const auto& [k, dc] : drop_copy_)
    if (dc) {
      auto it = bound_.find(k);
      if (it != bound_.end() && it->second == user) v.push_back(k);
    }
  return v;
}

std::optional<int64_t> FixBridge::InstrumentOf(const fix::InstrumentRef& r) {
  if (!r.security_id.empty()) {
    auto id = ParseId(r.security_id);
    if (!id) return std::nullopt;
    std::lock_guard l(mu_);
    for (const auto& [sym, i] : symbols_)
      if (i == *id) return (r.symbol.empty() || r.symbol == "[N/A]" || r.symbol == sym) ? id : std::nullopt;
    return std::nullopt;
  }
  std::lock_guard l(mu_);
  auto it = symbols_.find(r.symbol);
  if (it == symbols_.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------- logon

fix::LogonDecision FixBridge::Logon(const fix::LogonRequest& r) {
  fix::LogonDecision d;
  ApiKeyGate* gate = gate_.load();
  if (!gate) {
    d.text = "AUTH_UNAUTHENTICATED: API keys are not configured on this server";
    return d;
  }
  if (r.timestamp_ms < 0) {
    d.text = "AUTH_BAD_TOKEN: SendingTime (52) unreadable";
    return d;
  }
  auto p = gate->Verify(r.key_id, r.timestamp_ms, r.canonical, r.signature, "",
                        r.session.drop_copy ? auth::apikey::Scope::kRead : auth::apikey::Scope::kTrade, now_ms_());
  if (!p.ok()) {
    d.text = ErrorText(p.error());
    return d;
  }
  std::lock_guard l(mu_);
  auto it = bound_.find(r.session.key);
  if (it != bound_.end() && it->second != p->user_id) {
    d.text = "AUTH_FORBIDDEN: this session belongs to another account";
    return d;
  }
  if (it == bound_.end()) {
    bound_[r.session.key] = p->user_id;
    SaveBindingsLocked();
  }
  key_of_[r.session.key] = r.key_id;
  d.ok = true;
  d.user = p->user_id;
  return d;
}

void FixBridge::LoggedOn(const fix::SessionInfo&, int64_t) {}

bool FixBridge::KeyHolds(const fix::SessionInfo& s, int seq, const char* type, const std::string& ref) {
  const ApiKeyDirectory* dir = keys_.load();
  if (!dir) return true;
  std::string key;
  int64_t user = 0;
  {
    std::lock_guard l(mu_);
    auto k = key_of_.find(s.key);
    if (k != key_of_.end()) key = k->second;
    auto b = bound_.find(s.key);
    if (b != bound_.end()) user = b->second;
  }
  auto e = dir->Find(key);
  const int64_t now_s = now_ms_() / 1000;
  if (e && !e->record.revoked && (e->record.expires_at == 0 || e->record.expires_at > now_s) &&
      e->record.user_id == user && e->record.scopes.Has(auth::apikey::Scope::kTrade))
    return true;
  Error err{Code::kBadToken, "the session's API key was revoked, expired or lost the trade scope", "Username(553)"};
  if (auto* g = gateway_.load()) {  // the reject goes out now, before the Logout
    fix::BusinessReject br{type, seq, ref, 6, ErrorText(err)};
    g->Send(s.key, br);
    g->Logout(s.key, ErrorText(err));
  }
  return false;
}

void FixBridge::LoggedOut(const fix::SessionInfo& s) {
  if (!engine_) return;
  const int64_t user = UserOf(s.key);
  const bool cod = s.cancel_on_disconnect && user != 0;
  // Market-data subscriptions end with the session. Cancel on disconnect: the live orders
  // this session entered, found on the engine thread and cancelled from there (each cancel
  // is reported into the session's store and reaches it by resend at its next logon).
  std::string key = s.key;
  engine_->Submit(engine::Request{std::nullopt, [this, key, user, cod](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    std::erase_if(subs_, [&](const Sub& x) { return x.session == key; });
    if (!cod) return std::string();
    for (const auto& [id, route] : routes_) {
      const registry::Order* o = st.order(id);
      if (route.session != key || !o || !registry::IsLive(*o)) continue;
      engine_->Submit(engine::Request{registry::Command(registry::CancelOrder{user, false, id}), {},
                                      [](const Result<std::string>&) {}});
    }
    return std::string();
  }, [](const Result<std::string>&) {}});
}

// ---------------------------------------------------------------- order entry

void FixBridge::SubmitCmd(registry::Command cmd, engine::Render render, const std::function<void(const Error&)>& refused) {
  engine_->Submit(engine::Request{std::move(cmd), std::move(render), [this, refused](const Result<std::string>& r) {
    if (!r.ok()) Post([refused, e = r.error()] { refused(e); });
  }});
}

void FixBridge::SendRejectedOrder(const fix::SessionInfo& s, const fix::OrderRequest& r, const Error& e) {
  fix::ExecutionReport er;
  er.order_id = "NONE";
  er.cl_ord_id = r.cl_ord_id;
  er.exec_id = "R" + std::to_string(reject_ids_.fetch_add(1) + 1) + "-" + std::to_string(now_ms_());
  er.exec_type = '8';
  er.ord_status = '8';
  er.ord_rej_reason = OrdRejReason(e.code);
  er.symbol = r.instrument.symbol;
  er.security_id = r.instrument.security_id;
  er.side = r.side ? r.side : '1';
  er.ord_type = r.ord_type;
  er.order_qty = r.quantity;
  er.price = r.price;
  er.leaves_qty = "0";
  er.cum_qty = "0";
  er.avg_px = "0";
  er.text = ErrorText(e);
  er.account = r.account;
  if (auto* g = gateway_.load()) g->Send(s.key, er);
}

void FixBridge::SendCancelReject(const std::string& session, const std::string& order_id, const std::string& cl_ord_id,
                                 const std::string& orig, char response_to, const Error& e) {
  fix::CancelReject cr;
  cr.order_id = order_id.empty() ? "NONE" : order_id;
  cr.cl_ord_id = cl_ord_id;
  cr.orig_cl_ord_id = orig;
  cr.response_to = response_to;
  cr.reason = e.code == Code::kUnknownOrder ? 1 : (e.code == Code::kBadState ? 0 : 99);
  cr.text = ErrorText(e);
  if (auto* g = gateway_.load()) g->Send(session, cr);
}

void FixBridge::BusinessRejectOf(const fix::SessionInfo& s, int seq, const char* type, const std::string& ref,
                                 int reason, const Error& e) {
  fix::BusinessReject br;
  br.ref_msg_type = type;
  br.ref_seq_num = seq;
  br.ref_id = ref;
  br.reason = reason;
  br.text = ErrorText(e);
  Post([this, key = s.key, br] {
    if (auto* g = gateway_.load()) g->Send(key, br);
  });
}

void FixBridge::NewOrder(const fix::SessionInfo& s, int seq, const fix::OrderRequest& r) {
  if (!KeyHolds(s, seq, "D", r.cl_ord_id)) return;
  const int64_t user = UserOf(s.key);
  auto o = OrderFromFix(r);
  if (!o.ok()) {
    if (o.error().code == Code::kMissingField) return BusinessRejectOf(s, seq, "D", r.cl_ord_id, 5, o.error());
    return Post([this, s, r, e = o.error()] { SendRejectedOrder(s, r, e); });
  }
  {
    std::lock_guard l(mu_);
    if (!seen_cl_.insert({s.key, r.cl_ord_id}).second) {
      Error e{Code::kConflict, "duplicate ClOrdID on this session", "ClOrdID(11)"};
      return Post([this, s, r, e] { SendRejectedOrder(s, r, e); });
    }
  }
  auto inst = InstrumentOf(r.instrument);
  if (!inst) {
    Error e{Code::kUnknownInstrument, "no such instrument", "Symbol(55)"};
    return Post([this, s, r, e] { SendRejectedOrder(s, r, e); });
  }
  o->instrument = *inst;
  registry::PlaceOrder cmd;
  cmd.actor = user;
  cmd.order = std::move(o).value();
  std::string key = s.key, cl = r.cl_ord_id;
  SubmitCmd(std::move(cmd),
            [this, key, cl](const RegistryState&, const engine::Outcome& out) -> Result<std::string> {
              if (out.events && !out.events->empty())
                if (const auto* os = std::get_if<registry::OrderSubmitted>(&out.events->front())) {
                  routes_[os->order.id] = Route{key, cl, {}};
                  by_cl_ord_id_[{key, cl}] = os->order.id;
                }
              return std::string();
            },
            [this, s, r](const Error& e) { SendRejectedOrder(s, r, e); });
}

int64_t FixBridge::ResolveOrder(const RegistryState& st, const std::string& session, const std::string& order_id,
                                const std::string& orig_cl_ord_id, int64_t user) const {
  int64_t id = 0;
  if (auto x = ParseId(order_id)) {
    id = *x;
  } else {
    auto it = by_cl_ord_id_.find({session, orig_cl_ord_id});
    if (it != by_cl_ord_id_.end()) id = it->second;
  }
  const registry::Order* o = st.order(id);
  if (!o || o->user != user) return 0;
  return id;
}

void FixBridge::CancelOrder(const fix::SessionInfo& s, int seq, const fix::OrderRef& r) {
  if (!KeyHolds(s, seq, "F", r.cl_ord_id)) return;
  const int64_t user = UserOf(s.key);
  std::string key = s.key;
  // Resolved on the engine thread (the order may have been entered a moment ago), then
  // the cancel is submitted from there.
  engine_->Submit(engine::Request{std::nullopt, [this, key, r, user](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    int64_t id = ResolveOrder(st, key, r.order_id, r.orig_cl_ord_id, user);
    if (!id) {
      Post([this, key, r] {
        SendCancelReject(key, r.order_id, r.cl_ord_id, r.orig_cl_ord_id, '1', Error{Code::kUnknownOrder, "no such order", "OrigClOrdID(41)"});
      });
      return std::string();
    }
    std::string orig = r.orig_cl_ord_id;
    SubmitCmd(registry::CancelOrder{user, false, id},
              [this, id, cl = r.cl_ord_id](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
                routes_[id].pending = cl;
                return std::string();
              },
              [this, key, id, r](const Error& e) {
                SendCancelReject(key, std::to_string(id), r.cl_ord_id, r.orig_cl_ord_id, '1', e);
              });
    return std::string();
  }, [](const Result<std::string>&) {}});
}

void FixBridge::ReplaceOrder(const fix::SessionInfo& s, int seq, const fix::OrderRequest& r) {
  if (!KeyHolds(s, seq, "G", r.cl_ord_id)) return;
  const int64_t user = UserOf(s.key);
  std::string key = s.key;
  if (r.ord_type != '2') {
    Error e{Code::kUnsupported, "only limit orders can be replaced (OrdType 2)", "OrdType(40)"};
    return Post([this, key, r, e] { SendCancelReject(key, r.order_id, r.cl_ord_id, r.orig_cl_ord_id, '2', e); });
  }
  if (r.price.empty()) return BusinessRejectOf(s, seq, "G", r.cl_ord_id, 5, Error{Code::kMissingField, "Price (44) is required", "Price(44)"});
  auto price = ParseDecimal(r.price, 2, "Price(44)");
  auto qty = ParseTonnesToKg(r.quantity, "OrderQty(38)");
  if (!price.ok() || !qty.ok()) {
    Error e = !price.ok() ? price.error() : qty.error();
    return Post([this, key, r, e] { SendCancelReject(key, r.order_id, r.cl_ord_id, r.orig_cl_ord_id, '2', e); });
  }
  engine_->Submit(engine::Request{std::nullopt, [this, key, r, user, p = *price, q = *qty](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    int64_t id = ResolveOrder(st, key, r.order_id, r.orig_cl_ord_id, user);
    if (!id) {
      Post([this, key, r] {
        SendCancelReject(key, r.order_id, r.cl_ord_id, r.orig_cl_ord_id, '2', Error{Code::kUnknownOrder, "no such order", "OrigClOrdID(41)"});
      });
      return std::string();
    }
    // OrderQty is the new total quantity (FIX); the registry takes the new open quantity.
    const registry::Order* o = st.order(id);
    int64_t open = q - o->filled_qty;
    SubmitCmd(registry::ReplaceOrder{user, id, p, open},
              [this, id, key, cl = r.cl_ord_id](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
                routes_[id].pending = cl;
                by_cl_ord_id_[{key, cl}] = id;
                return std::string();
              },
              [this, key, id, r](const Error& e) {
                SendCancelReject(key, std::to_string(id), r.cl_ord_id, r.orig_cl_ord_id, '2', e);
              });
    return std::string();
  }, [](const Result<std::string>&) {}});
}

void FixBridge::OrderStatus(const fix::SessionInfo& s, int, const fix::OrderRef& r) {
  const int64_t user = UserOf(s.key);
  std::string key = s.key;
  auto out = std::make_shared<fix::ExecutionReport>();
  engine_->Submit(engine::Request{std::nullopt, [this, key, r, user, out](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    int64_t id = ResolveOrder(st, key, r.order_id, r.cl_ord_id.empty() ? r.orig_cl_ord_id : r.cl_ord_id, user);
    if (!id && !r.orig_cl_ord_id.empty()) id = ResolveOrder(st, key, r.order_id, r.orig_cl_ord_id, user);
    if (!id) {
      out->order_id = r.order_id.empty() ? "NONE" : r.order_id;
      out->cl_ord_id = r.cl_ord_id;
      out->exec_type = 'I';
      out->ord_status = '8';
      out->ord_rej_reason = 5;
      out->symbol = r.instrument.symbol;
      out->side = r.side ? r.side : '1';
      out->text = "EXCHANGE_UNKNOWN_ORDER: no such order";
    } else {
      const registry::Order& o = *st.order(id);
      char status = '0';
      switch (o.status) {
        case registry::OrderStatus::kFilled: status = '2'; break;
        case registry::OrderStatus::kCancelled: status = '4'; break;
        case registry::OrderStatus::kExpired: status = 'C'; break;
        case registry::OrderStatus::kRejected: status = '8'; break;
        default: status = LiveStatus(o.filled_qty); break;
      }
      *out = Report(st, o, 'I', status, o.filled_qty, o.notional);
      out->cl_ord_id = r.cl_ord_id;
    }
    out->exec_id = "S" + std::to_string(now_ms_()) + "-" + std::to_string(id);
    return std::string();
  }, [this, key, out](const Result<std::string>&) {
    Post([this, key, out] {
      if (auto* g = gateway_.load()) g->Send(key, *out);
    });
  }});
}

void FixBridge::MassCancel(const fix::SessionInfo& s, int seq, const fix::MassCancelRequest& r) {
  if (!KeyHolds(s, seq, "q", r.cl_ord_id)) return;
  const int64_t user = UserOf(s.key);
  std::string key = s.key;
  int64_t inst = 0;
  fix::MassCancelReport rep;
  rep.cl_ord_id = r.cl_ord_id;
  rep.order_id = "MC-" + r.cl_ord_id;
  rep.request_type = r.type;
  if (r.type == '1') {
    auto i = InstrumentOf(r.instrument);
    if (!i) {
      rep.response = '0';
      rep.text = "EXCHANGE_UNKNOWN_INSTRUMENT: no such instrument";
      return Post([this, key, rep] {
        if (auto* g = gateway_.load()) g->Send(key, rep);
      });
    }
    inst = *i;
  }
  auto count = std::make_shared<int>(0);
  engine_->Submit(engine::Request{registry::Command(registry::MassCancel{user, 0, inst}),
                                  [this, count](const RegistryState&, const engine::Outcome& out) -> Result<std::string> {
                                    if (out.events)
                                      for (const auto& e : *out.events)
                                        if (const auto* u = std::get_if<registry::OrderUpdated>(&e);
                                            u && u->status == registry::OrderStatus::kCancelled)
                                          ++*count;
                                    return std::string();
                                  },
                                  [this, key, rep, count](const Result<std::string>& res) mutable {
                                    if (res.ok() || res.error().code == Code::kNotFound) {
                                      rep.response = rep.request_type;
                                      rep.total_affected = *count;
                                    } else {
                                      rep.response = '0';
                                      rep.text = ErrorText(res.error());
                                    }
                                    Post([this, key, rep] {
                                      if (auto* g = gateway_.load()) g->Send(key, rep);
                                    });
                                  }});
}

// ---------------------------------------------------------------- reference and market data

void FixBridge::SecurityListRequest(const fix::SessionInfo& s, int, const std::string& req_id) {
  std::string key = s.key;
  auto list = std::make_shared<fix::SecurityList>();
  list->req_id = req_id;
  engine_->Submit(engine::Request{std::nullopt, [list](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    for (const auto& [id, in] : st.instruments()) {
      fix::Security sec;
      sec.symbol = in.symbol;
      sec.security_id = std::to_string(id);
      sec.currency = in.currency;
      sec.min_price_increment = Px(in.tick);
      sec.round_lot = Qty(in.lot_kg);
      sec.security_type = in.kind == registry::InstrumentKind::kBatch ? "BATCH" : "CONTRACT";
      if (in.kind == registry::InstrumentKind::kBatch)
        if (const registry::Batch* b = st.batch(in.batch)) sec.description = b->serial;
      list->securities.push_back(std::move(sec));
    }
    list->result = list->securities.empty() ? 2 : 0;
    return std::string();
  }, [this, key, list](const Result<std::string>&) {
    Post([this, key, list] {
      if (auto* g = gateway_.load()) g->Send(key, *list);
    });
  }});
}

void FixBridge::MarketDataRequest(const fix::SessionInfo& s, int, const fix::MarketDataRequest& r) {
  std::string key = s.key;
  auto reject = [this, key, id = r.req_id](int reason, std::string text) {
    fix::MarketDataReject rj{id, reason, std::move(text)};
    Post([this, key, rj] {
      if (auto* g = gateway_.load()) g->Send(key, rj);
    });
  };
  if (r.subscription == '2') {
    engine_->Submit(engine::Request{std::nullopt, [this, key, id = r.req_id](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
      std::erase_if(subs_, [&](const Sub& x) { return x.session == key && x.req_id == id; });
      return std::string();
    }, [](const Result<std::string>&) {}});
    return;
  }
  std::vector<int64_t> insts;
  for (const auto& ref : r.instruments) {
    auto i = InstrumentOf(ref);
    if (!i) return reject(0, "EXCHANGE_UNKNOWN_INSTRUMENT: unknown symbol " + ref.symbol);
    insts.push_back(*i);
  }
  bool book = false, trades = false;
  for (char t : r.entry_types) {
    if (t == '0' || t == '1') book = true;
    if (t == '2') trades = true;
  }
  const size_t depth = r.depth > 0 ? static_cast<size_t>(r.depth) : SIZE_MAX;
  auto snaps = std::make_shared<std::vector<fix::MarketData>>();
  const bool subscribe = r.subscription == '1';
  engine_->Submit(engine::Request{std::nullopt, [this, key, r, insts, book, trades, depth, snaps, subscribe](const RegistryState& st, const engine::Outcome&) -> Result<std::string> {
    for (int64_t id : insts) {
      const registry::Instrument* in = st.instrument(id);
      fix::MarketData md;
      md.req_id = r.req_id;
      md.snapshot = true;
      md.symbol = in->symbol;
      md.security_id = std::to_string(id);
      if (book)
        if (const exchange::OrderBook* b = st.book(id))
          for (auto side : {exchange::Side::kBuy, exchange::Side::kSell})
            for (const auto& lv : b->Depth(side, depth)) {
              fix::MdEntry e;
              e.type = side == exchange::Side::kBuy ? '0' : '1';
              e.price = Px(lv.price);
              e.size = Qty(lv.qty);
              md.entries.push_back(std::move(e));
            }
      if (trades) {  // the last ten trades, oldest first
        std::vector<const registry::Fill*> last;
        for (auto it = st.fills().rbegin(); it != st.fills().rend() && last.size() < 10; ++it)
          if (it->instrument == id) last.push_back(&*it);
        for (auto it = last.rbegin(); it != last.rend(); ++it) {
          fix::MdEntry e;
          e.type = '2';
          e.price = Px((*it)->price);
          e.size = Qty((*it)->qty);
          md.entries.push_back(std::move(e));
        }
      }
      snaps->push_back(std::move(md));
      if (subscribe) subs_.push_back(Sub{key, r.req_id, id, book, trades});
    }
    return std::string();
  }, [this, key, snaps](const Result<std::string>&) {
    Post([this, key, snaps] {
      if (auto* g = gateway_.load())
        for (const auto& m : *snaps) g->Send(key, m);
    });
  }});
}

// ---------------------------------------------------------------- execution reports

fix::ExecutionReport FixBridge::Report(const RegistryState& s, const registry::Order& o, char exec_type, char ord_status,
                                       int64_t cum, int64_t notional) const {
  fix::ExecutionReport er;
  er.order_id = std::to_string(o.id);
  auto rt = routes_.find(o.id);
  er.cl_ord_id = rt != routes_.end() ? rt->second.cl_ord_id : o.client_id;
  er.exec_type = exec_type;
  er.ord_status = ord_status;
  if (const registry::Instrument* in = s.instrument(o.instrument)) {
    er.symbol = in->symbol;
    er.currency = in->currency;
  }
  er.security_id = std::to_string(o.instrument);
  er.side = SideChar(o.side);
  er.ord_type = TypeChar(o.kind);
  er.time_in_force = TifChar(o.tif);
  er.order_qty = Qty(o.qty);
  if (o.kind == registry::OrderKind::kLimit || o.kind == registry::OrderKind::kStopLimit) er.price = Px(o.price);
  if (o.stop_price) er.stop_price = Px(o.stop_price);
  const bool terminal = ord_status == '2' || ord_status == '4' || ord_status == '8' || ord_status == 'C';
  er.cum_qty = Qty(cum);
  er.leaves_qty = Qty(terminal ? 0 : std::max<int64_t>(0, o.qty - cum));
  // Average price per tonne, to 1/100 of a minor unit.
  er.avg_px = cum > 0 ? FormatDecimal(MulDiv(notional, 100'000, cum).value_or(0), 4) : "0";
  er.account = std::to_string(o.account);
  er.transact_time_us = o.updated_ts;
  return er;
}

std::shared_ptr<const void> FixBridge::Observe(const RegistryState& s, const engine::Outcome& o) {
  if (!o.events) return nullptr;
  auto item = std::make_shared<FixItem>();
  bool any_drop_copy = false;
  {
    std::lock_guard l(mu_);
    for (const auto& [k, dc] : drop_copy_) any_drop_copy = any_drop_copy || (dc && bound_.count(k));
    for (const auto& e : *o.events)
      if (const auto* ic = std::get_if<registry::InstrumentCreated>(&e)) symbols_[ic->instrument.symbol] = ic->instrument.id;
  }
  // Running cumulative quantity and notional per order through this command's events:
  // start = final - this command's fills.
  std::unordered_map<int64_t, std::pair<int64_t, int64_t>> in_cmd, running;
  for (const auto& e : *o.events)
    if (const auto* t = std::get_if<registry::TradeExecuted>(&e)) {
      for (int64_t id : {t->fill.buy_order, t->fill.sell_order}) {
        in_cmd[id].first += t->fill.qty;
        in_cmd[id].second += t->fill.notional;
      }
    }
  // An order the book refused on entry (FOK, post-only...) is reported once, as Rejected.
  std::set<int64_t> refused_on_entry;
  for (const auto& e : *o.events)
    if (const auto* u = std::get_if<registry::OrderUpdated>(&e); u && u->what == 0 && u->status == registry::OrderStatus::kRejected)
      refused_on_entry.insert(u->order);
  auto run = [&](const registry::Order& ord) -> std::pair<int64_t, int64_t>& {
    auto it = running.find(ord.id);
    if (it == running.end()) {
      auto c = in_cmd[ord.id];
      it = running.emplace(ord.id, std::make_pair(ord.filled_qty - c.first, ord.notional - c.second)).first;
    }
    return it->second;
  };
  auto targets = [&](const registry::Order& ord) {
    std::vector<std::string> t;
    auto rt = routes_.find(ord.id);
    if (rt != routes_.end()) t.push_back(rt->second.session);
    if (any_drop_copy)
      for (auto& d : DropCopiesOf(ord.user)) t.push_back(std::move(d));
    return t;
  };
  auto emit = [&](const std::vector<std::string>& tg, fix::ExecutionReport er, int64_t seq) {
    er.exec_id = std::to_string(seq) + "-" + er.order_id;
    for (const auto& k : tg) item->reports.emplace_back(k, er);
  };
  std::set<int64_t> pending_used;
  int64_t seq = o.first_seq;
  for (const auto& e : *o.events) {
    const int64_t this_seq = seq++;
    if (const auto* os = std::get_if<registry::OrderSubmitted>(&e)) {
      const registry::Order* ord = s.order(os->order.id);
      if (!ord) continue;
      auto tg = targets(*ord);
      if (tg.empty()) continue;
      running[ord->id] = {0, 0};
      if (!refused_on_entry.count(ord->id)) emit(tg, Report(s, *ord, '0', '0', 0, 0), this_seq);
      if (auto rt = routes_.find(ord->id); rt != routes_.end())
        item->route_lines.push_back(std::to_string(ord->id) + " " + rt->second.session + " " + rt->second.cl_ord_id);
    } else if (const auto* t = std::get_if<registry::TradeExecuted>(&e)) {
      for (int64_t id : {t->fill.buy_order, t->fill.sell_order}) {
        const registry::Order* ord = s.order(id);
        if (!ord) continue;
        auto tg = targets(*ord);
        if (tg.empty()) continue;
        auto& r = run(*ord);
        r.first += t->fill.qty;
        r.second += t->fill.notional;
        fix::ExecutionReport er = Report(s, *ord, 'F', r.first >= ord->qty ? '2' : '1', r.first, r.second);
        er.last_qty = Qty(t->fill.qty);
        er.last_px = Px(t->fill.price);
        er.batch = std::to_string(t->fill.batch);
        std::string ranges;
        for (const auto& [lo, hi] : t->fill.ranges) ranges += (ranges.empty() ? "" : ",") + std::to_string(lo) + "-" + std::to_string(hi);
        er.serials = ranges;
        er.transact_time_us = t->fill.ts;
        emit(tg, er, this_seq);
      }
    } else if (const auto* u = std::get_if<registry::OrderUpdated>(&e)) {
      const registry::Order* ord = s.order(u->order);
      if (!ord) continue;
      auto tg = targets(*ord);
      if (tg.empty()) continue;
      auto& r = run(*ord);
      auto rt = routes_.find(ord->id);
      std::string pending = rt != routes_.end() ? rt->second.pending : std::string();
      std::string current = rt != routes_.end() ? rt->second.cl_ord_id : ord->client_id;
      if (u->what == 3) {  // the book refused a replace: the order stands unchanged
        if (rt != routes_.end()) {
          fix::CancelReject cr;
          cr.order_id = std::to_string(ord->id);
          cr.cl_ord_id = pending.empty() ? current : pending;
          cr.orig_cl_ord_id = current;
          cr.ord_status = LiveStatus(r.first);
          cr.response_to = '2';
          cr.text = std::string(CodeName(static_cast<Code>(u->code))) + ": the book refused the replace";
          item->cancel_rejects.emplace_back(rt->second.session, cr);
          pending_used.insert(ord->id);
        }
        continue;
      }
      char et = 0, st = 0;
      if (u->what == 1) {
        et = 'L';
        st = LiveStatus(r.first);
      } else if (u->what == 2) {
        et = '5';
        st = LiveStatus(r.first);
      } else if (u->status == registry::OrderStatus::kCancelled) {
        et = st = '4';
      } else if (u->status == registry::OrderStatus::kExpired) {
        et = st = 'C';
      } else if (u->status == registry::OrderStatus::kRejected) {
        et = st = '8';
      } else {
        continue;
      }
      fix::ExecutionReport er = Report(s, *ord, et, st, r.first, r.second);
      if (!pending.empty() && (et == '5' || et == '4')) {
        er.cl_ord_id = pending;
        er.orig_cl_ord_id = current;
        if (rt != routes_.end()) {
          rt->second.cl_ord_id = pending;
          item->route_lines.push_back(std::to_string(ord->id) + " " + rt->second.session + " " + pending);
        }
        pending_used.insert(ord->id);
      }
      if (et == '8') {
        er.ord_rej_reason = OrdRejReason(static_cast<Code>(u->code));
        er.text = std::string(CodeName(static_cast<Code>(u->code))) + ": the book refused the order";
      } else if (et == '4' && u->reason != 0) {
        er.text = "cancel reason " + std::to_string(u->reason);
      }
      emit(tg, er, this_seq);
    }
  }
  for (int64_t id : pending_used)
    if (auto rt = routes_.find(id); rt != routes_.end()) rt->second.pending.clear();
  for (auto it = routes_.begin(); it != routes_.end();) {  // closed orders need no route
    const registry::Order* ord = s.order(it->first);
    if (ord && !registry::IsLive(*ord) && running.count(it->first)) {
      it = routes_.erase(it);  // by_cl_ord_id_ keeps it: status by ClOrdID still answers
    } else {
      ++it;
    }
  }

  // Market data: changed levels (displayed quantity) and trades for subscribers.
  std::map<int64_t, std::vector<fix::MdEntry>> changes;
  if (!s.touched().empty()) {
    std::set<std::tuple<int64_t, int, int64_t>> keys;
    for (const auto& t : s.touched()) keys.insert({t.instrument, static_cast<int>(t.side), t.price});
    for (const auto& [inst, side, price] : keys) {
      const exchange::OrderBook* b = s.book(inst);
      int64_t qty = b ? b->DisplayedAt(static_cast<exchange::Side>(side), price) : 0;
      auto k = std::make_tuple(inst, side, price);
      auto sit = shadow_.find(k);
      int64_t was = sit == shadow_.end() ? 0 : sit->second;
      if (qty == was) continue;
      if (qty == 0) shadow_.erase(sit); else shadow_[k] = qty;
      fix::MdEntry me;
      me.type = side == 0 ? '0' : '1';
      me.action = was == 0 ? '0' : (qty == 0 ? '2' : '1');
      me.price = Px(price);
      me.size = Qty(qty);
      changes[inst].push_back(std::move(me));
    }
  }
  if (!subs_.empty()) {
    std::map<int64_t, std::vector<fix::MdEntry>> trade_entries;
    for (const auto& e : *o.events)
      if (const auto* t = std::get_if<registry::TradeExecuted>(&e)) {
        fix::MdEntry me;
        me.type = '2';
        me.action = '0';
        me.price = Px(t->fill.price);
        me.size = Qty(t->fill.qty);
        trade_entries[t->fill.instrument].push_back(std::move(me));
      }
    std::map<std::pair<std::string, std::string>, fix::MarketData> per_sub;
    for (const Sub& sub : subs_) {
      std::vector<fix::MdEntry> es;
      if (sub.book)
        if (auto it = changes.find(sub.instrument); it != changes.end()) es.insert(es.end(), it->second.begin(), it->second.end());
      if (sub.trades)
        if (auto it = trade_entries.find(sub.instrument); it != trade_entries.end()) es.insert(es.end(), it->second.begin(), it->second.end());
      if (es.empty()) continue;
      const registry::Instrument* in = s.instrument(sub.instrument);
      for (auto& me : es) {
        me.symbol = in ? in->symbol : std::string();
        me.security_id = std::to_string(sub.instrument);
      }
      auto& md = per_sub[{sub.session, sub.req_id}];
      md.req_id = sub.req_id;
      md.snapshot = false;
      md.entries.insert(md.entries.end(), es.begin(), es.end());
    }
    for (auto& [k, md] : per_sub) item->market_data.emplace_back(k.first, std::move(md));
  }
  if (item->reports.empty() && item->cancel_rejects.empty() && item->market_data.empty() && item->route_lines.empty())
    return nullptr;
  return item;
}

void FixBridge::Publish(const std::vector<std::shared_ptr<const void>>& items) {
  Post([this, items] {
    std::ofstream routes;
    for (const auto& p : items) {
      const auto& it = *std::static_pointer_cast<const FixItem>(p);
      if (!it.route_lines.empty()) {
        if (!routes.is_open()) routes.open(fs::path(dir_) / "orders", std::ios::app);
        for (const auto& l : it.route_lines) routes << l << '\n';
      }
      fix::Gateway* g = gateway_.load();
      if (!g) continue;
      for (const auto& [k, m] : it.reports) g->Send(k, m);
      for (const auto& [k, m] : it.cancel_rejects) g->Send(k, m);
      for (const auto& [k, m] : it.market_data) g->Send(k, m);
    }
  });
}

FixBridge::ObserveFn FixBridge::WrapObserve(ObserveFn next) {
  return [this, next = std::move(next)](const RegistryState& s, const engine::Outcome& o) -> std::shared_ptr<const void> {
    auto a = next ? next(s, o) : nullptr;
    auto b = Observe(s, o);
    if (!a && !b) return nullptr;
    return std::make_shared<const Pair>(Pair{std::move(a), std::move(b)});
  };
}

FixBridge::PublishFn FixBridge::WrapPublish(PublishFn next) {
  return [this, next = std::move(next)](const std::vector<std::shared_ptr<const void>>& items) {
    std::vector<std::shared_ptr<const void>> theirs, mine;
    for (const auto& i : items) {
      const auto& p = *std::static_pointer_cast<const Pair>(i);
      if (p.next) theirs.push_back(p.next);
      if (p.mine) mine.push_back(p.mine);
    }
    if (next && !theirs.empty()) next(theirs);
    if (!mine.empty()) Publish(mine);
  };
}

// ---------------------------------------------------------------- serve wiring

std::unique_ptr<FixService> FixService::Prepare(const std::string& data_dir, engine::Options& eopts) {
  auto f = std::make_unique<FixService>();
  f->dir_ = (fs::path(data_dir) / "fix").string();
  f->bridge_ = std::make_unique<FixBridge>(f->dir_, [] { return engine::SystemClockMicros() / 1000; });
  eopts.observe = f->bridge_->WrapObserve(std::move(eopts.observe));
  eopts.publish = f->bridge_->WrapPublish(std::move(eopts.publish));
  return f;
}

void FixService::Attach(engine::Engine& e) {
  bridge_->set_engine(&e);
  bridge_->Bootstrap(e.state());
}

Result<int> FixService::Start(ApiKeyGate* gate, const ApiKeyDirectory* keys, const std::string& config_file,
                              const std::string& listen) {
  if (config_file.empty()) return Err(Code::kInvalidField, "--fix-listen needs --fix-config FILE (the sessions)", "fix-config");
  fix::GatewayOptions o;
  o.settings_file = config_file;
  o.state_dir = dir_;
  if (!listen.empty()) {
    auto colon = listen.rfind(':');
    std::string host = colon == std::string::npos ? std::string() : listen.substr(0, colon);
    auto port = ParseId(colon == std::string::npos ? listen : listen.substr(colon + 1));
    if (!port || *port > 65535) return Err(Code::kInvalidField, "HOST:PORT", "fix-listen");
    if (!host.empty() && host != "0.0.0.0" && host != "127.0.0.1" && host != "localhost")
      return Err(Code::kInvalidField, "QuickFIX 1.15 listens on every interface: use 0.0.0.0 or 127.0.0.1", "fix-listen");
    o.port = static_cast<int>(*port);
  }
  bridge_->set_gate(gate);
  bridge_->set_keys(keys);
  std::string err;
  gateway_ = fix::Gateway::Create(o, bridge_.get(), &err);
  if (!gateway_) return Err(Code::kInvalidField, err, "fix-config");
  bridge_->set_gateway(gateway_.get());
  if (!gateway_->Start(&err)) {
    bridge_->set_gateway(nullptr);
    gateway_.reset();
    return Err(Code::kUnavailable, err, "fix-listen");
  }
  return o.port;
}

void FixService::Stop() {
  if (gateway_) gateway_->Stop();
}

FixService::~FixService() {
  Stop();
  if (bridge_) bridge_->set_gateway(nullptr);
  bridge_.reset();  // drains the sender queue (sends nothing once the gateway is detached)
  gateway_.reset();
}

}  // namespace cx::app
