// The exchange inside the registry state: instruments, order books, pre-trade locks,
// delivery-versus-payment settlement, fees, price bands, volatility halts and call
// auctions. Runs on the engine thread like the rest of RegistryState; see registry.h and
// messages.h for the contract (input events re-derive their outcomes in replay).
#include <algorithm>
#include <cctype>
#include <deque>
#include <set>
#include <unordered_map>

#include "core/codec.h"
#include "exchange/auction.h"
#include "exchange/order_book.h"
#include "exchange/order_rules.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Error Refuse(Code c, std::string msg, std::string field = {}) {
  return Error::Make(c, std::move(msg), std::move(field));
}

constexpr int64_t kMaxNotional = 1'000'000'000'000'000;  // 10^15 minor units per order
constexpr int64_t kMaxTick = 1'000'000'000;
constexpr int64_t kMaxLot = 1'000'000'000;
constexpr int64_t kMaxFeeBp = 1000;
constexpr int64_t kDayUs = 86'400'000'000;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool IsCurrency(const std::string& c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

int64_t FloorTick(int64_t p, int64_t tick) { return p / tick * tick; }
int64_t CeilTick(int64_t p, int64_t tick) { return (p + tick - 1) / tick * tick; }
int64_t BandOf(int64_t price, int64_t bp) {
  return static_cast<int64_t>(static_cast<__int128>(price) * bp / 10000);
}
int64_t Notional(int64_t price, int64_t qty) {
  return static_cast<int64_t>(static_cast<__int128>(price) * qty / 1000);
}
int64_t FeeOf(int64_t notional, int64_t bp) {
  return static_cast<int64_t>(static_cast<__int128>(notional) * bp / 10000);
}

// The highest rate an order entered now can pay (its lock is sized with it).
int64_t FeeCap(const Instrument& in) { return std::max(in.maker_fee_bp, in.taker_fee_bp); }

exchange::Side BookSide(OrderSide s) { return s == OrderSide::kBuy ? exchange::Side::kBuy : exchange::Side::kSell; }

exchange::BookParams ParamsOf(const Instrument& in) {
  exchange::BookParams p;
  p.instrument = InstrumentId(in.id);
  p.tick_size = in.tick;
  p.lot_size = in.lot_kg;
  p.matching_only = false;
  return p;
}

// The order as the book sees it: market orders become limit orders at the band edge and
// stop orders stop-limit orders at their protection price (book_price).
// original: the order as submitted (for validation); otherwise as the book gets it, with
// the minimum fill only on its first entry (not when re-entering after an auction).
exchange::NewOrder ToBook(const Order& o, bool original, bool first_entry = true) {
  exchange::NewOrder n;
  n.id = OrderId(o.id);
  n.account = AccountId(o.account);
  n.side = BookSide(o.side);
  n.tif = static_cast<exchange::TimeInForce>(o.tif);
  n.stp = static_cast<exchange::StpMode>(o.stp);
  n.post_only = o.post_only;
  n.stop_price = o.stop_price;
  n.qty = original ? o.qty : o.open_qty;
  n.display_qty = o.display_qty;
  n.min_qty = (original || first_entry) ? o.min_qty : 0;
  n.expire_at = o.expire_at;
  switch (o.kind) {
    case OrderKind::kLimit:
      n.type = exchange::OrderType::kLimit;
      n.price = o.price;
      break;
    case OrderKind::kMarket:
      n.type = original ? exchange::OrderType::kMarket : exchange::OrderType::kLimit;
      n.price = original ? 0 : o.book_price;
      break;
    case OrderKind::kStop:
      n.type = original ? exchange::OrderType::kStop : exchange::OrderType::kStopLimit;
      n.price = original ? 0 : o.book_price;
      break;
    case OrderKind::kStopLimit:
      n.type = exchange::OrderType::kStopLimit;
      n.price = o.price;
      break;
  }
  return n;
}


struct BookRow {
  int64_t instrument = 0;
  exchange::BookState state;
  template <class V> void Fields(V& v) { v("instrument", instrument); v("state", state); }
};
struct CallRow {
  int64_t instrument = 0;
  std::vector<int64_t> orders;
  template <class V> void Fields(V& v) { v("instrument", instrument); v("orders", orders); }
};

// Idempotency of order entry (issue 10): client_order_id is unique per account among all
// the orders the state holds (orders are never dropped from it, so the index has the same
// retention as the orders themselves). Each entry keeps the order's terms as placed,
// canonically encoded: a retry with the same terms is answered with the existing order,
// other terms are a conflict. Replace changes an order's price and quantity but not the
// terms it was placed with.
struct OrderTerms {
  int64_t instrument = 0, side = 0, kind = 0, tif = 0, stp = 0, post_only = 0, price = 0, stop_price = 0, qty = 0,
          display_qty = 0, min_qty = 0, expire_at = 0, batch = 0;
  template <class V>
  void Fields(V& v) {
    v("instrument", instrument); v("side", side); v("kind", kind); v("tif", tif); v("stp", stp);
    v("post_only", post_only); v("price", price); v("stop_price", stop_price); v("qty", qty);
    v("display_qty", display_qty); v("min_qty", min_qty); v("expire_at", expire_at); v("batch", batch);
  }
};
// `batch`: the batch the order delivers (0 for a buy), as DecideMarket(PlaceOrder) resolves it.
std::string TermsOf(const Order& o, int64_t batch) {
  const bool limit = o.kind == OrderKind::kLimit || o.kind == OrderKind::kStopLimit;
  const bool stop = o.kind == OrderKind::kStop || o.kind == OrderKind::kStopLimit;
  OrderTerms t;
  t.instrument = o.instrument;
  t.side = static_cast<int64_t>(o.side);
  t.kind = static_cast<int64_t>(o.kind);
  t.tif = static_cast<int64_t>(o.tif);
  t.stp = static_cast<int64_t>(o.stp);
  t.post_only = o.post_only ? 1 : 0;
  t.price = limit ? o.price : 0;
  t.stop_price = stop ? o.stop_price : 0;
  t.qty = o.qty;
  t.display_qty = o.display_qty;
  t.min_qty = o.min_qty;
  t.expire_at = o.tif == OrderTif::kGtt ? o.expire_at : 0;
  t.batch = batch;
  return Encode(t);
}
// The client id StartAuction gives its sell order; not indexed, refused on PlaceOrder.
constexpr const char* kAuctionClientId = "primary-auction";
struct ClientIdRow {
  int64_t account = 0;
  std::string client_id;
  int64_t order = 0;
  std::string terms;
  template <class V> void Fields(V& v) { v("account", account); v("client_id", client_id); v("order", order); v("terms", terms); }
};

}  // namespace

const char* MarketPhaseName(MarketPhase p) {
  switch (p) {
    case MarketPhase::kContinuous: return "continuous";
    case MarketPhase::kHalted: return "halted";
    case MarketPhase::kAuction: return "auction";
  }
  return "?";
}
const char* OrderStatusName(OrderStatus s) {
  static const char* kNames[] = {"pending_stop", "open", "filled", "cancelled", "expired", "rejected"};
  auto i = static_cast<size_t>(s);
  return i < 6 ? kNames[i] : "?";
}
const char* OrderSideName(OrderSide s) { return s == OrderSide::kBuy ? "buy" : "sell"; }
const char* OrderKindName(OrderKind k) {
  static const char* kNames[] = {"limit", "market", "stop", "stop_limit"};
  auto i = static_cast<size_t>(k);
  return i < 4 ? kNames[i] : "?";
}
const char* OrderTifName(OrderTif t) {
  static const char* kNames[] = {"gtc", "gtt", "ioc", "fok"};
  auto i = static_cast<size_t>(t);
  return i < 4 ? kNames[i] : "?";
}
const char* OrderStpName(OrderStp s) {
  static const char* kNames[] = {"none", "cancel_newest", "cancel_oldest", "cancel_both"};
  auto i = static_cast<size_t>(s);
  return i < 4 ? kNames[i] : "?";
}

struct RegistryState::MarketSnap {
  std::vector<Instrument> instruments;
  std::vector<Order> orders;  // ids 1..n in order
  std::vector<Fill> fills;
  std::vector<BookRow> books;
  std::vector<CallRow> calls;
  int64_t next_instrument = 1;
  std::vector<ClientIdRow> client_ids;  // idempotency index, by (account, client_id)
  template <class V>
  void Fields(V& v) {
    v("instruments", instruments); v("orders", orders); v("fills", fills); v("books", books);
    v("calls", calls); v("next_instrument", next_instrument); v("client_ids", client_ids);
  }
};

struct RegistryState::MarketState {
  std::map<int64_t, Instrument> instruments;
  std::vector<Instrument*> inst_ix;
  std::vector<std::unique_ptr<exchange::OrderBook>> books;  // by instrument id
  std::map<std::string, int64_t> by_symbol;
  std::map<int64_t, int64_t> by_batch;  // batch -> its batch instrument
  std::vector<Order> orders = std::vector<Order>(1);  // [0] unused: ids are indexes
  std::unordered_map<int64_t, std::vector<int64_t>> orders_by_account;
  std::vector<Fill> fills;
  std::unordered_map<int64_t, std::vector<int64_t>> fills_by_account;
  std::map<int64_t, std::vector<int64_t>> call;     // instrument -> collected orders
  std::set<std::pair<int64_t, int64_t>> gtt;        // (expire_at, order) of live GTT orders
  int64_t next_instrument = 1;
  // (account, client_order_id) -> (order, its terms as placed); see OrderTerms.
  std::map<std::pair<int64_t, std::string>, std::pair<int64_t, std::string>> client_ids;
  exchange::EventSink sink;
  // Live: where derived events go. Replay: null, and re-derived events wait in `expect`
  // for the journal's copies.
  std::vector<Event>* out = nullptr;
  std::deque<std::pair<size_t, std::string>> expect;
  std::string divergence;
  std::vector<Touched> touched;

  Instrument* inst(int64_t id) const {
    return id > 0 && static_cast<size_t>(id) < inst_ix.size() ? inst_ix[static_cast<size_t>(id)] : nullptr;
  }
  exchange::OrderBook& book(int64_t id) { return *books[static_cast<size_t>(id)]; }
  void AddInstrument(const Instrument& in) {
    Instrument& x = instruments[in.id] = in;
    if (inst_ix.size() <= static_cast<size_t>(in.id)) inst_ix.resize(static_cast<size_t>(in.id) * 2 + 8, nullptr);
    inst_ix[static_cast<size_t>(in.id)] = &x;
    if (books.size() <= static_cast<size_t>(in.id)) books.resize(static_cast<size_t>(in.id) * 2 + 8);
    books[static_cast<size_t>(in.id)] = std::make_unique<exchange::OrderBook>(ParamsOf(in));
    by_symbol[in.symbol] = in.id;
    if (in.kind == InstrumentKind::kBatch) by_batch[in.batch] = in.id;
    next_instrument = std::max(next_instrument, in.id + 1);
  }
};

RegistryState::RegistryState() : mkt_(std::make_unique<MarketState>()) {}
RegistryState::~RegistryState() = default;
RegistryState::RegistryState(RegistryState&&) noexcept = default;
RegistryState& RegistryState::operator=(RegistryState&&) noexcept = default;

// ------------------------------------------------------------------ read access
const std::map<int64_t, Instrument>& RegistryState::instruments() const { return mkt_->instruments; }
const Instrument* RegistryState::instrument(int64_t id) const { return mkt_->inst(id); }
const Order* RegistryState::order(int64_t id) const {
  return id > 0 && static_cast<size_t>(id) < mkt_->orders.size() ? &mkt_->orders[static_cast<size_t>(id)] : nullptr;
}
int64_t RegistryState::order_count() const { return static_cast<int64_t>(mkt_->orders.size()) - 1; }
const std::vector<int64_t>* RegistryState::OrdersOf(int64_t account) const {
  auto it = mkt_->orders_by_account.find(account);
  return it == mkt_->orders_by_account.end() ? nullptr : &it->second;
}
const Order* RegistryState::ClientOrder(const PlaceOrder& c) const {
  if (c.order.client_id.empty()) return nullptr;
  const int64_t account = c.actor != 0 ? OwnAccountIfZero(c.actor, c.account) : c.account;
  auto it = mkt_->client_ids.find({account, c.order.client_id});
  return it == mkt_->client_ids.end() ? nullptr : order(it->second.first);
}
const std::vector<Fill>& RegistryState::fills() const { return mkt_->fills; }
const std::vector<int64_t>* RegistryState::FillsOf(int64_t account) const {
  auto it = mkt_->fills_by_account.find(account);
  return it == mkt_->fills_by_account.end() ? nullptr : &it->second;
}
const exchange::OrderBook* RegistryState::book(int64_t instrument) const {
  return mkt_->inst(instrument) ? mkt_->books[static_cast<size_t>(instrument)].get() : nullptr;
}
std::vector<int64_t> RegistryState::CallOrders(int64_t instrument) const {
  auto it = mkt_->call.find(instrument);
  return it == mkt_->call.end() ? std::vector<int64_t>{} : it->second;
}
const std::vector<RegistryState::Touched>& RegistryState::touched() const { return mkt_->touched; }
void RegistryState::BeginStep() { mkt_->touched.clear(); }
const std::string& RegistryState::replay_divergence() const { return mkt_->divergence; }
bool RegistryState::replay_pending() const { return !mkt_->expect.empty(); }

bool RegistryState::IsAdmin(int64_t actor) const {
  if (actor == 0) return true;
  const User* u = user(actor);
  return u && (u->roles & kAdmin);
}

Result<int64_t> RegistryState::LockFor(int64_t fee_bp, int64_t price, int64_t qty) {
  __int128 n = static_cast<__int128>(price) * qty;
  if (price < 0 || qty < 0 || n / 1000 > kMaxNotional)
    return Refuse(Code::kBadQuantity, "order value too large", "quantity");
  int64_t notional = static_cast<int64_t>(n / 1000);
  return notional + FeeOf(notional, fee_bp);
}

bool RegistryState::Eligible(const Instrument& in, int64_t batch_id) const {
  const Batch* b = batch(batch_id);
  if (!b) return false;
  if (in.kind == InstrumentKind::kBatch) return batch_id == in.batch;
  const Project* p = project(b->project);
  if (!p) return false;
  const ContractCriteria& c = in.criteria;
  if (!c.standards.empty()) {
    std::vector<std::string> tags = {Lower(b->origin_registry), Lower(p->info.origin_registry)};
    if (auto it = classes_.find(p->info.credit_class); it != classes_.end()) tags.push_back(Lower(it->second.code));
    bool any = false;
    for (const auto& s : c.standards)
      if (std::find(tags.begin(), tags.end(), Lower(s)) != tags.end()) any = true;
    if (!any) return false;
  }
  if (!c.methodologies.empty()) {
    std::string m = Lower(p->info.methodology);
    bool any = false;
    for (const auto& x : c.methodologies)
      if (!x.empty() && m.rfind(Lower(x), 0) == 0) any = true;
    if (!any) return false;
  }
  if (!c.countries.empty()) {
    std::string country = Lower(p->info.country);
    bool any = false;
    for (const auto& x : c.countries)
      if (Lower(x) == country) any = true;
    if (!any) return false;
  }
  if (c.vintage_from && b->vintage < c.vintage_from) return false;
  if (c.vintage_to && b->vintage > c.vintage_to) return false;
  if (c.mitigation != Mitigation::kUnknown && p->info.mitigation != c.mitigation) return false;
  if (c.nature != Nature::kUnknown && p->info.nature != c.nature) return false;
  if (c.corsia == Tri::kYes && b->corsia != Tri::kYes && p->info.corsia != Tri::kYes) return false;
  if (c.corresponding_adjustment == Tri::kYes && b->corresponding_adjustment != Tri::kYes) return false;
  return true;
}

// ------------------------------------------------------------------ decide
Result<void> RegistryState::DecideMarket(const CreateInstrument& c, int64_t ts, std::vector<Event>& out) const {
  Instrument in = c.instrument;
  const bool admin = IsAdmin(c.actor);
  if (in.kind != InstrumentKind::kBatch && in.kind != InstrumentKind::kContract)
    return Refuse(Code::kInvalidField, "kind must be batch or contract", "kind");
  if (in.kind == InstrumentKind::kContract) {
    if (!admin) return Refuse(Code::kForbidden, "only an admin defines standard contracts", "kind");
    in.batch = 0;
    const auto& cr = in.criteria;
    if (cr.vintage_from < 0 || cr.vintage_to < 0 || (cr.vintage_to && cr.vintage_from > cr.vintage_to))
      return Refuse(Code::kInvalidField, "vintage range is empty", "criteria.vintage_to");
    for (const auto* list : {&cr.standards, &cr.methodologies, &cr.countries}) {
      if (list->size() > 64) return Refuse(Code::kInvalidField, "at most 64 values per criterion", "criteria");
      for (const auto& s : *list)
        if (s.empty() || s.size() > 64) return Refuse(Code::kInvalidField, "criteria values are 1 to 64 characters", "criteria");
    }
  } else {
    in.criteria = ContractCriteria{};
    const Batch* b = batch(in.batch);
    if (!b) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
    if (mkt_->by_batch.count(in.batch)) return Refuse(Code::kConflict, "this batch already has an instrument", "batch");
    if (!admin) {
      const Project* p = project(b->project);
      int64_t acct = OwnAccountIfZero(c.actor, 0);
      const Holding* h = holding(acct, in.batch);
      bool developer = p && p->developer == c.actor && c.actor != 0;
      if (!developer && !(h && h->tradable.total() > 0))
        return Refuse(Code::kForbidden, "only an admin, the project's developer or a holder may list a batch", "batch");
    }
    if (in.symbol.empty()) in.symbol = "BATCH-" + std::to_string(in.batch);
  }
  if (in.symbol.empty() || in.symbol.size() > 32 ||
      !std::all_of(in.symbol.begin(), in.symbol.end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
      }))
    return Refuse(Code::kInvalidField, "1 to 32 characters A-Z 0-9 - . _", "symbol");
  if (mkt_->by_symbol.count(in.symbol)) return Refuse(Code::kConflict, "symbol taken", "symbol");
  if (!IsCurrency(in.currency)) return Refuse(Code::kInvalidField, "an ISO 4217 currency code such as USD", "currency");
  if (in.tick < 1 || in.tick > kMaxTick) return Refuse(Code::kInvalidField, "tick must be 1 to 10^9 minor units", "tick");
  if (in.lot_kg < 1 || in.lot_kg > kMaxLot) return Refuse(Code::kInvalidField, "lot_kg must be 1 to 10^9", "lot_kg");
  if ((static_cast<__int128>(in.tick) * in.lot_kg) % 1000 != 0)
    return Refuse(Code::kInvalidField, "tick x lot_kg must be a multiple of 1000 so every trade is worth whole minor units", "lot_kg");
  if (in.maker_fee_bp < 0 || in.maker_fee_bp > kMaxFeeBp) return Refuse(Code::kInvalidField, "fee 0 to 1000 bp", "maker_fee_bp");
  if (in.taker_fee_bp < 0 || in.taker_fee_bp > kMaxFeeBp) return Refuse(Code::kInvalidField, "fee 0 to 1000 bp", "taker_fee_bp");
  if (in.band_bp < 0 || in.band_bp > 5000) return Refuse(Code::kInvalidField, "band 0 to 5000 bp", "band_bp");
  if (in.halt_bp < 0 || in.halt_bp > 10000) return Refuse(Code::kInvalidField, "halt 0 to 10000 bp", "halt_bp");
  if (in.halt_window_us < 1'000'000 || in.halt_window_us > kDayUs)
    return Refuse(Code::kInvalidField, "halt window 1 s to 1 day", "halt_window_us");
  if (in.reopen_us < 0 || in.reopen_us > kDayUs) return Refuse(Code::kInvalidField, "re-opening auction 0 to 1 day", "reopen_us");
  if (in.reference_price < 0 || in.reference_price > exchange::kMaxPrice || in.reference_price % in.tick != 0)
    return Refuse(Code::kOffTick, "reference price must be a multiple of the tick", "reference_price");
  in.id = mkt_->next_instrument;
  in.created_by = c.actor;
  in.created_ts = ts;
  in.phase = MarketPhase::kContinuous;
  in.phase_reason.clear();
  in.auction_end = 0;
  in.window_start = 0;
  in.window_price = 0;
  out.push_back(InstrumentCreated{std::move(in)});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const SetMarketPhase& c, int64_t ts, std::vector<Event>& out) const {
  if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admin only", "instrument");
  const Instrument* in = instrument(c.instrument);
  if (!in) return Refuse(Code::kUnknownInstrument, "no such instrument", "instrument");
  if (c.reason.size() > 500) return Refuse(Code::kInvalidField, "reason too long", "reason");
  if (c.halt) {
    if (in->phase == MarketPhase::kHalted) return Refuse(Code::kBadState, "already halted", "instrument");
    out.push_back(MarketPhaseSet{c.instrument, MarketPhase::kHalted, 0, c.reason.empty() ? "admin halt" : c.reason, c.actor});
    return Ok();
  }
  if (in->phase != MarketPhase::kHalted) return Refuse(Code::kBadState, "not halted", "instrument");
  if (c.reopen_us < 0 || c.reopen_us > kDayUs) return Refuse(Code::kInvalidField, "0 to 1 day", "reopen_us");
  bool auction = c.reopen_us > 0 || mkt_->call.count(c.instrument);
  out.push_back(MarketPhaseSet{c.instrument, auction ? MarketPhase::kAuction : MarketPhase::kContinuous,
                               auction ? ts + c.reopen_us : 0, c.reason.empty() ? "admin resume" : c.reason, c.actor});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const StartAuction& c, int64_t ts, std::vector<Event>& out) const {
  const Instrument* in = instrument(c.instrument);
  if (!in) return Refuse(Code::kUnknownInstrument, "no such instrument", "instrument");
  if (in->kind != InstrumentKind::kBatch) return Refuse(Code::kInvalidField, "primary auctions are for batch instruments", "instrument");
  if (in->phase != MarketPhase::kContinuous) return Refuse(Code::kMarketHalted, "the market is not in continuous trading", "instrument");
  int64_t account = OwnAccountIfZero(c.actor, 0);
  if (c.actor <= 0 || account == 0) return Refuse(Code::kUnknownUser, "unknown user", "actor");
  if (c.qty <= 0 || c.qty > exchange::kMaxQuantity) return Refuse(Code::kBadQuantity, "quantity must be positive", "quantity");
  if (c.qty % in->lot_kg) return Refuse(Code::kOffLot, "quantity must be a multiple of the lot", "quantity");
  if (c.reserve_price <= 0 || c.reserve_price > exchange::kMaxPrice) return Refuse(Code::kInvalidField, "reserve price must be positive", "reserve_price");
  if (c.reserve_price % in->tick) return Refuse(Code::kOffTick, "reserve price must be a multiple of the tick", "reserve_price");
  if (c.end_ts <= ts || c.end_ts > ts + 30 * kDayUs) return Refuse(Code::kInvalidField, "the auction must end within 30 days", "end_ts");
  CX_TRY(CanEscrow(account, in->batch, c.qty));
  Order o;
  o.id = static_cast<int64_t>(mkt_->orders.size());
  o.user = c.actor;
  o.account = account;
  o.instrument = in->id;
  o.batch = in->batch;
  o.side = OrderSide::kSell;
  o.kind = OrderKind::kLimit;
  o.tif = OrderTif::kGtc;
  o.stp = OrderStp::kNone;
  o.price = o.book_price = c.reserve_price;
  o.qty = o.open_qty = c.qty;
  o.client_id = "primary-auction";
  o.fee_bp = FeeCap(*in);
  o.created_ts = o.updated_ts = ts;
  o.status = OrderStatus::kOpen;
  out.push_back(MarketPhaseSet{in->id, MarketPhase::kAuction, c.end_ts, "primary auction", c.actor});
  out.push_back(OrderSubmitted{std::move(o)});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const PlaceOrder& c, int64_t ts, std::vector<Event>& out) const {
  const Order& q = c.order;
  const Instrument* in = instrument(q.instrument);
  if (!in) return Refuse(Code::kUnknownInstrument, "no such instrument", "instrument");
  int64_t account = c.account;
  if (c.actor != 0) {
    account = OwnAccountIfZero(c.actor, c.account);
    CX_TRY(CheckActorOwns(c.actor, account));
  }
  if (!account_exists(account) || account < kFirstUserAccount) return Refuse(Code::kUnknownAccount, "no such account", "account");
  if (q.client_id.size() > 64) return Refuse(Code::kInvalidField, "at most 64 characters", "client_order_id");
  if (q.client_id == kAuctionClientId) return Refuse(Code::kInvalidField, "reserved for primary auctions", "client_order_id");
  // Idempotent retry: checked before anything that depends on balances or the market phase,
  // so a retry after the order was accepted (and locked funds, traded...) finds it.
  if (!q.client_id.empty()) {
    if (auto it = mkt_->client_ids.find({account, q.client_id}); it != mkt_->client_ids.end()) {
      const bool sell_batch = q.side == OrderSide::kSell && in->kind == InstrumentKind::kBatch && q.batch == 0;
      if (TermsOf(q, sell_batch ? in->batch : q.batch) != it->second.second)
        return Refuse(Code::kConflict,
                      "client_order_id already names order " + std::to_string(it->second.first) + " with other terms",
                      "client_order_id");
      return Ok();  // no event: the caller answers with the existing order (ClientOrder)
    }
  }
  if (in->phase == MarketPhase::kHalted) return Refuse(Code::kMarketHalted, "trading in this instrument is halted", "instrument");
  if (in->phase == MarketPhase::kAuction &&
      (q.kind != OrderKind::kLimit || (q.tif != OrderTif::kGtc && q.tif != OrderTif::kGtt) || q.post_only))
    return Refuse(Code::kMarketHalted, "during a call auction only limit GTC / GTT orders are accepted", "type");
  Order o;
  o.id = static_cast<int64_t>(mkt_->orders.size());
  o.user = c.actor;
  o.account = account;
  o.instrument = in->id;
  o.side = q.side;
  o.kind = q.kind;
  o.tif = q.tif;
  o.stp = q.stp;
  o.post_only = q.post_only;
  o.price = (q.kind == OrderKind::kLimit || q.kind == OrderKind::kStopLimit) ? q.price : 0;
  o.stop_price = (q.kind == OrderKind::kStop || q.kind == OrderKind::kStopLimit) ? q.stop_price : 0;
  o.qty = o.open_qty = q.qty;
  o.display_qty = q.display_qty;
  o.min_qty = q.min_qty;
  o.expire_at = q.tif == OrderTif::kGtt ? q.expire_at : 0;
  o.client_id = q.client_id;
  o.created_ts = o.updated_ts = ts;
  if (static_cast<uint32_t>(o.side) > 1) return Refuse(Code::kInvalidField, "buy or sell", "side");
  if (static_cast<uint32_t>(o.kind) > 3) return Refuse(Code::kInvalidField, "unknown order type", "type");
  if (static_cast<uint32_t>(o.tif) > 3) return Refuse(Code::kInvalidField, "unknown time in force", "time_in_force");
  if (static_cast<uint32_t>(o.stp) > 3) return Refuse(Code::kInvalidField, "unknown self-trade prevention", "stp");
  const exchange::BookParams params = ParamsOf(*in);
  const char* field = nullptr;
  const char* message = nullptr;
  exchange::NewOrder n = ToBook(o, true);
  if (Code code = exchange::CheckNewOrder(n, params, ts, &field, &message); code != Code::kOk) {
    std::string f = field;
    if (f == "tif") f = "time_in_force";
    else if (f == "qty") f = "quantity";
    else if (f == "display_qty") f = "display_quantity";
    else if (f == "min_qty") f = "min_quantity";
    return Refuse(code, message, f);
  }
  // The price the book enforces: market and stop orders get the band as protection.
  const int64_t ref = in->reference_price;
  const int64_t band = in->band_bp;
  const bool buy = o.side == OrderSide::kBuy;
  if (o.kind == OrderKind::kMarket) {
    if (band <= 0 || ref <= 0)
      return Refuse(Code::kInvalidField, "market orders need a reference price and a price band; use a limit order", "type");
    o.book_price = buy ? FloorTick(ref + BandOf(ref, band), in->tick)
                       : std::max(in->tick, CeilTick(ref - BandOf(ref, band), in->tick));
  } else if (o.kind == OrderKind::kStop) {
    if (band <= 0) return Refuse(Code::kInvalidField, "stop orders need a price band; use a stop-limit order", "type");
    int64_t s = o.stop_price;
    o.book_price = buy ? FloorTick(s + BandOf(s, band), in->tick)
                       : std::max(in->tick, CeilTick(s - BandOf(s, band), in->tick));
    o.book_price = std::min(o.book_price, FloorTick(exchange::kMaxPrice, in->tick));
  } else {
    o.book_price = o.price;
    if (o.kind == OrderKind::kLimit && band > 0 && ref > 0) {
      if (buy && o.price > ref + BandOf(ref, band))
        return Refuse(Code::kPriceBand, "a buy above the price band (reference " + std::to_string(ref) + ")", "price");
      if (!buy && o.price < ref - BandOf(ref, band))
        return Refuse(Code::kPriceBand, "a sell below the price band (reference " + std::to_string(ref) + ")", "price");
    }
  }
  o.status = (o.kind == OrderKind::kStop || o.kind == OrderKind::kStopLimit) ? OrderStatus::kPendingStop : OrderStatus::kOpen;
  o.fee_bp = FeeCap(*in);
  if (buy) {
    if (q.batch != 0) return Refuse(Code::kInvalidField, "a buy order names no batch", "batch");
    CX_ASSIGN_OR_RETURN(int64_t lock, LockFor(o.fee_bp, o.book_price, o.qty));
    const auto* m = cash(account);
    const CashBalance* b = nullptr;
    if (m)
      if (auto it = m->find(in->currency); it != m->end()) b = &it->second;
    if (!b || b->available < lock)
      return Refuse(Code::kInsufficientFunds, "not enough available " + in->currency + " (needs " + std::to_string(lock) + " minor units)", "quantity");
    o.cash_locked = lock;
  } else {
    if (in->kind == InstrumentKind::kBatch) {
      if (q.batch != 0 && q.batch != in->batch) return Refuse(Code::kInvalidField, "this instrument trades another batch", "batch");
      o.batch = in->batch;
    } else {
      if (q.batch == 0) return Refuse(Code::kMissingField, "a sell into a standard contract names the batch it delivers", "batch");
      if (!batch(q.batch)) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
      if (!Eligible(*in, q.batch)) return Refuse(Code::kInvalidField, "the batch does not meet the contract's criteria", "batch");
      o.batch = q.batch;
    }
    CX_ASSIGN_OR_RETURN(int64_t value, LockFor(o.fee_bp, o.book_price, o.qty));
    (void)value;
    CX_TRY(CanEscrow(account, o.batch, o.qty));
  }
  CX_TRY(CheckOrderLimit(account, buy, o.book_price, o.qty));  // KYC level (kyc.cc)
  out.push_back(OrderSubmitted{std::move(o)});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const CancelOrder& c, int64_t, std::vector<Event>& out) const {
  const Order* o = order(c.order);
  if (!o) return Refuse(Code::kUnknownOrder, "no such order", "order");
  if (!(c.actor_is_admin && IsAdmin(c.actor))) CX_TRY(CheckActorOwns(c.actor, o->account));
  if (!IsLive(*o)) return Refuse(Code::kBadState, std::string("the order is ") + OrderStatusName(o->status), "order");
  out.push_back(OrderCancelRequested{c.order, c.actor});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const ReplaceOrder& c, int64_t, std::vector<Event>& out) const {
  const Order* o = order(c.order);
  if (!o) return Refuse(Code::kUnknownOrder, "no such order", "order");
  CX_TRY(CheckActorOwns(c.actor, o->account));
  if (o->status != OrderStatus::kOpen) return Refuse(Code::kBadState, std::string("the order is ") + OrderStatusName(o->status), "order");
  if (o->kind != OrderKind::kLimit && o->kind != OrderKind::kStopLimit)
    return Refuse(Code::kBadState, "only limit orders can be replaced", "order");
  const Instrument* in = instrument(o->instrument);
  if (in->phase == MarketPhase::kHalted) return Refuse(Code::kMarketHalted, "trading in this instrument is halted", "instrument");
  if (auto v = exchange::ValidateReplace(c.price, c.qty, ParamsOf(*in)); !v.ok()) {
    Error e = v.take_error();
    if (e.field == "qty") e.field = "quantity";
    return e;
  }
  const bool buy = o->side == OrderSide::kBuy;
  const int64_t ref = in->reference_price;
  if (in->band_bp > 0 && ref > 0) {
    if (buy && c.price > ref + BandOf(ref, in->band_bp)) return Refuse(Code::kPriceBand, "a buy above the price band", "price");
    if (!buy && c.price < ref - BandOf(ref, in->band_bp)) return Refuse(Code::kPriceBand, "a sell below the price band", "price");
  }
  if (buy) {
    CX_ASSIGN_OR_RETURN(int64_t need, LockFor(o->fee_bp, c.price, c.qty));
    if (need > o->cash_locked) {
      const auto* m = cash(o->account);
      auto it = m->find(in->currency);
      if (it == m->end() || it->second.available < need - o->cash_locked)
        return Refuse(Code::kInsufficientFunds, "not enough available cash for the larger order", "quantity");
    }
  } else {
    CX_ASSIGN_OR_RETURN(int64_t value, LockFor(o->fee_bp, c.price, c.qty));
    (void)value;
    if (c.qty > o->open_qty) CX_TRY(CanEscrow(o->account, o->batch, c.qty - o->open_qty));
  }
  CX_TRY(CheckOrderLimit(o->account, buy, c.price, c.qty));  // KYC level (kyc.cc)
  out.push_back(OrderReplaceRequested{c.order, c.price, c.qty, c.actor});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const MassCancel& c, int64_t, std::vector<Event>& out) const {
  int64_t account = c.account;
  if (c.actor != 0) {
    account = OwnAccountIfZero(c.actor, c.account);
    CX_TRY(CheckActorOwns(c.actor, account));
  }
  if (c.instrument != 0 && !instrument(c.instrument)) return Refuse(Code::kUnknownInstrument, "no such instrument", "instrument");
  bool any = false;
  if (const auto* ids = OrdersOf(account))
    for (int64_t id : *ids) {
      const Order& o = mkt_->orders[static_cast<size_t>(id)];
      if (IsLive(o) && (c.instrument == 0 || o.instrument == c.instrument)) {
        any = true;
        break;
      }
    }
  if (any) out.push_back(MassCancelRequested{account, c.instrument, c.actor});
  return Ok();
}

Result<void> RegistryState::DecideMarket(const SetInstrumentFees& c, int64_t, std::vector<Event>& out) const {
  if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admin only", "instrument");
  const Instrument* in = instrument(c.instrument);
  if (!in) return Refuse(Code::kUnknownInstrument, "no such instrument", "instrument");
  if (c.maker_fee_bp < 0 || c.maker_fee_bp > kMaxFeeBp) return Refuse(Code::kInvalidField, "fee 0 to 1000 bp", "maker_fee_bp");
  if (c.taker_fee_bp < 0 || c.taker_fee_bp > kMaxFeeBp) return Refuse(Code::kInvalidField, "fee 0 to 1000 bp", "taker_fee_bp");
  if (c.maker_fee_bp == in->maker_fee_bp && c.taker_fee_bp == in->taker_fee_bp)
    return Refuse(Code::kBadState, "the instrument already has these fees", "maker_fee_bp");
  out.push_back(InstrumentFeesSet{c.instrument, c.maker_fee_bp, c.taker_fee_bp, c.actor});
  return Ok();
}

void RegistryState::ApplyInstrumentFees(const InstrumentFeesSet& e, int64_t seq, int64_t ts) {
  Instrument& in = *mkt_->inst(e.instrument);
  Audit(seq, ts, 0, e.actor, "fees_changed",
        "instrument " + std::to_string(e.instrument) + ": maker " + std::to_string(in.maker_fee_bp) + " -> " +
            std::to_string(e.maker_fee_bp) + " bp, taker " + std::to_string(in.taker_fee_bp) + " -> " +
            std::to_string(e.taker_fee_bp) + " bp",
        "");
  in.maker_fee_bp = e.maker_fee_bp;
  in.taker_fee_bp = e.taker_fee_bp;
}

Result<void> RegistryState::DecideMarket(const MarketTick&, int64_t ts, std::vector<Event>& out) const {
  bool due = !mkt_->gtt.empty() && mkt_->gtt.begin()->first <= ts;
  for (const auto& [id, in] : mkt_->instruments)
    if (in.phase == MarketPhase::kAuction && in.auction_end <= ts) due = true;
  if (!due) return Refuse(Code::kNotFound, "nothing due");
  out.push_back(MarketTicked{ts});
  return Ok();
}

// ------------------------------------------------------------------ apply
void RegistryState::Emit(Event e) {
  if (mkt_->out) {
    mkt_->out->push_back(std::move(e));
  } else {
    mkt_->expect.emplace_back(e.index(), EncodeEvent(e));
  }
}

void RegistryState::Touch(const Order& o, int64_t price) {
  mkt_->touched.push_back(Touched{o.instrument, static_cast<int64_t>(o.side), price});
}

// Releases what an order no longer needs after its open quantity dropped by `removed`.
void RegistryState::ReleaseOpen(Order& o, int64_t removed) {
  if (o.side == OrderSide::kSell) {
    if (removed > 0) {
      MutHolding(o.account, o.batch).escrowed_kg -= removed;
    }
  } else {
    Relock(*mkt_->inst(o.instrument), o);
  }
}

// A buy order keeps exactly LockFor(fee_bp, book_price, open_qty) locked; frees the excess.
void RegistryState::Relock(Instrument& in, Order& o) {
  int64_t need = o.open_qty > 0 ? LockFor(o.fee_bp, o.book_price, o.open_qty).value() : 0;
  int64_t excess = o.cash_locked - need;
  if (excess > 0) {
    CashBalance& b = cash_[o.account][in.currency];
    b.locked -= excess;
    b.available += excess;
    o.cash_locked = need;
  }
}

void RegistryState::CloseOrder(Order& o, OrderStatus st, int32_t reason, int32_t code, int64_t ts) {
  int64_t removed = o.open_qty;
  o.open_qty = 0;
  ReleaseOpen(o, removed);
  o.status = st;
  o.code = code;
  o.updated_ts = ts;
  o.in_call = false;
  if (o.tif == OrderTif::kGtt) mkt_->gtt.erase({o.expire_at, o.id});
  Emit(OrderUpdated{o.id, st, reason, code, removed, 0, 0});
}

void RegistryState::Settle(Instrument& in, Order& buy, Order& sell, int64_t price, int64_t qty, int aggressor, int64_t ts) {
  const int64_t notional = Notional(price, qty);
  // Each side pays the current rate of its role, never more than its order's entry cap.
  const int64_t buyer_fee = FeeOf(notional, std::min(buy.fee_bp, aggressor == 0 ? in.taker_fee_bp : in.maker_fee_bp));
  const int64_t seller_fee = FeeOf(notional, std::min(sell.fee_bp, aggressor == 1 ? in.taker_fee_bp : in.maker_fee_bp));
  // Cash: the buyer's lock pays notional + fee; the seller gets notional - fee; fees go to
  // the fee account.
  {
    CashBalance& bb = cash_[buy.account][in.currency];
    bb.locked -= notional + buyer_fee;
    buy.cash_locked -= notional + buyer_fee;
    cash_[sell.account][in.currency].available += notional - seller_fee;
    if (buyer_fee + seller_fee) cash_[kFeeAccount][in.currency].available += buyer_fee + seller_fee;
  }
  // Credits: from the seller's escrow to the buyer's tradable holding, lowest kilograms first.
  Fill f;
  {
    Holding& sh = MutHolding(sell.account, sell.batch);
    sh.escrowed_kg -= qty;
    f.ranges = sh.tradable.TakeLowest(qty);
  }
  MutHolding(buy.account, sell.batch).tradable.AddAll(f.ranges);
  for (Order* o : {&buy, &sell}) {
    o->open_qty -= qty;
    o->filled_qty += qty;
    o->notional += notional;
    o->updated_ts = ts;
  }
  buy.fees += buyer_fee;
  sell.fees += seller_fee;
  Relock(in, buy);
  for (Order* o : {&buy, &sell})
    if (o->open_qty == 0 && o->status == OrderStatus::kOpen) {
      o->status = OrderStatus::kFilled;
      o->in_call = false;
      if (o->tif == OrderTif::kGtt) mkt_->gtt.erase({o->expire_at, o->id});
    }
  f.id = static_cast<int64_t>(mkt_->fills.size()) + 1;
  f.instrument = in.id;
  f.buy_order = buy.id;
  f.sell_order = sell.id;
  f.buyer = buy.account;
  f.seller = sell.account;
  f.aggressor = aggressor;
  f.price = price;
  f.qty = qty;
  f.batch = sell.batch;
  f.notional = notional;
  f.buyer_fee = buyer_fee;
  f.seller_fee = seller_fee;
  f.currency = in.currency;
  f.ts = ts;
  in.reference_price = price;
  mkt_->fills_by_account[buy.account].push_back(f.id);
  if (sell.account != buy.account) mkt_->fills_by_account[sell.account].push_back(f.id);
  mkt_->fills.push_back(f);
  Emit(TradeExecuted{std::move(f)});
}

void RegistryState::ProcessBookEvents(Instrument& in, int64_t ts) {
  auto& orders = mkt_->orders;
  for (const exchange::Event& e : mkt_->sink.events()) {
    Order& o = orders[static_cast<size_t>(e.order.value())];
    switch (e.type) {
      case exchange::EventType::kAccepted:
        Touch(o, o.book_price);
        break;
      case exchange::EventType::kFill: {
        Order& m = orders[static_cast<size_t>(e.maker.value())];
        const bool taker_buys = e.side == exchange::Side::kBuy;
        Settle(in, taker_buys ? o : m, taker_buys ? m : o, e.price, e.qty, taker_buys ? 0 : 1, ts);
        Touch(m, e.price);
        break;
      }
      case exchange::EventType::kCancelled:
        Touch(o, o.book_price);
        CloseOrder(o, e.reason == exchange::CancelReason::kExpired ? OrderStatus::kExpired : OrderStatus::kCancelled,
                   static_cast<int32_t>(e.reason), 0, ts);
        break;
      case exchange::EventType::kRejected:
        CloseOrder(o, OrderStatus::kRejected, 0, static_cast<int32_t>(e.code), ts);
        break;
      case exchange::EventType::kTriggered:
        o.status = OrderStatus::kOpen;
        o.updated_ts = ts;
        Emit(OrderUpdated{o.id, OrderStatus::kOpen, 0, 0, o.open_qty, e.price, 1});
        break;
      case exchange::EventType::kReplaced:
        Touch(o, o.book_price);
        o.open_qty = e.qty;
        o.price = o.book_price = e.price;
        o.qty = o.filled_qty + e.qty;
        o.updated_ts = ts;
        Touch(o, e.price);
        Emit(OrderUpdated{o.id, o.status, 0, 0, e.qty, e.price, 2});
        break;
    }
  }
  mkt_->sink.Clear();
}

// Volatility: a trade further than halt_bp from the window's reference price halts the
// instrument into a re-opening call auction (after the current command completes).
void RegistryState::AfterTrades(Instrument& in, int64_t ts, int64_t price_before, size_t fills_before) {
  if (in.halt_bp <= 0) return;
  for (size_t i = fills_before; i < mkt_->fills.size(); ++i) {
    const Fill& f = mkt_->fills[i];
    if (in.window_start == 0 || ts - in.window_start >= in.halt_window_us) {
      in.window_start = ts;
      in.window_price = price_before > 0 ? price_before : f.price;
    }
    price_before = f.price;
    __int128 move = f.price > in.window_price ? f.price - in.window_price : in.window_price - f.price;
    if (move * 10000 > static_cast<__int128>(in.halt_bp) * in.window_price) {
      in.phase = MarketPhase::kAuction;
      in.auction_end = ts + std::max<int64_t>(in.reopen_us, 1);
      in.phase_reason = "volatility";
      Emit(MarketPhaseChanged{in.id, MarketPhase::kAuction, in.auction_end, "volatility", f.price, 0});
      return;
    }
  }
}

void RegistryState::EnterBook(Instrument& in, Order& o, int64_t ts, bool first_entry) {
  exchange::OrderBook& book = mkt_->book(in.id);
  const int64_t price_before = in.reference_price;
  const size_t fills_before = mkt_->fills.size();
  mkt_->sink.Clear();
  Result<void> r = book.Submit(ToBook(o, false, first_entry), mkt_->sink);
  if (!r.ok()) {
    mkt_->sink.Clear();
    CloseOrder(o, OrderStatus::kRejected, 0, static_cast<int32_t>(r.error().code), ts);
    return;
  }
  ProcessBookEvents(in, ts);
  AfterTrades(in, ts, price_before, fills_before);
}

void RegistryState::Uncross(Instrument& in, int64_t ts) {
  exchange::OrderBook& book = mkt_->book(in.id);
  auto& orders = mkt_->orders;
  exchange::BookSnapshot snap = book.Snapshot();
  std::vector<int64_t> call;
  if (auto it = mkt_->call.find(in.id); it != mkt_->call.end()) {
    call = std::move(it->second);
    mkt_->call.erase(it);
  }
  std::vector<exchange::AuctionOrder> ao;
  uint64_t seq = 0;
  auto add = [&](const Order& o, int64_t qty) {
    exchange::AuctionOrder a;
    a.id = OrderId(o.id);
    a.account = AccountId(o.account);
    a.side = BookSide(o.side);
    a.market = false;
    a.price = o.book_price;
    a.qty = qty;
    a.seq = seq++;
    ao.push_back(a);
  };
  for (const auto* side : {&snap.bids, &snap.asks})
    for (const auto& r : *side) add(orders[static_cast<size_t>(r.id.value())], r.leaves);
  for (int64_t id : call)
    if (orders[static_cast<size_t>(id)].open_qty > 0) add(orders[static_cast<size_t>(id)], orders[static_cast<size_t>(id)].open_qty);
  int64_t price = 0, volume = 0;
  exchange::AuctionParams ap;
  ap.tick_size = in.tick;
  ap.lot_size = in.lot_kg;
  ap.reference_price = in.reference_price;
  auto res = exchange::Uncross(ao, ap);
  if (res.ok() && res->crossed) {
    price = res->price;
    volume = res->volume;
    for (const auto& f : res->fills)
      Settle(in, orders[static_cast<size_t>(f.buy.value())], orders[static_cast<size_t>(f.sell.value())], price, f.qty, 2, ts);
  }
  // Resting orders keep their place with what is left (a smaller quantity at the same
  // price keeps time priority); filled ones leave the book.
  exchange::EventSink scratch;
  for (const auto* side : {&snap.bids, &snap.asks})
    for (const auto& r : *side) {
      Order& o = orders[static_cast<size_t>(r.id.value())];
      if (o.open_qty == r.leaves) continue;
      Touch(o, r.price);
      scratch.Clear();
      if (o.open_qty == 0) {
        (void)book.Cancel(r.id, scratch);
      } else {
        (void)book.Replace(r.id, r.price, o.open_qty, scratch);
      }
    }
  in.phase = MarketPhase::kContinuous;
  in.auction_end = 0;
  in.phase_reason.clear();
  if (price > 0) in.reference_price = price;
  in.window_start = 0;
  in.window_price = 0;
  // Collected orders then enter the book in arrival order (nothing left crosses).
  for (int64_t id : call) {
    Order& o = orders[static_cast<size_t>(id)];
    o.in_call = false;
    if (!IsLive(o)) continue;
    if (o.tif == OrderTif::kGtt && o.expire_at <= ts) {
      CloseOrder(o, OrderStatus::kExpired, static_cast<int32_t>(exchange::CancelReason::kExpired), 0, ts);
      continue;
    }
    EnterBook(in, o, ts, /*first_entry=*/false);
  }
  Emit(MarketPhaseChanged{in.id, in.phase, 0, "uncross", price, volume});
}

void RegistryState::ApplyMarket(const Event& ev, int64_t ts, std::vector<Event>* derived) {
  MarketState& m = *mkt_;
  m.out = derived;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        auto advance = [&](Instrument& in) {
          m.sink.Clear();
          m.book(in.id).AdvanceTime(ts, m.sink);
          ProcessBookEvents(in, ts);
        };
        if constexpr (std::is_same_v<T, InstrumentCreated>) {
          m.AddInstrument(e.instrument);
          Instrument& in = *m.inst(e.instrument.id);
          in.window_price = in.reference_price;
        } else if constexpr (std::is_same_v<T, MarketPhaseSet>) {
          Instrument& in = *m.inst(e.instrument);
          in.phase = e.phase;
          in.auction_end = e.auction_end;
          in.phase_reason = e.phase == MarketPhase::kContinuous ? "" : e.reason;
          in.window_start = 0;
        } else if constexpr (std::is_same_v<T, OrderSubmitted>) {
          const Order& src = e.order;
          if (m.orders.size() <= static_cast<size_t>(src.id)) m.orders.resize(static_cast<size_t>(src.id) + 1);
          Order& o = m.orders[static_cast<size_t>(src.id)] = src;
          m.orders_by_account[o.account].push_back(o.id);
          if (!o.client_id.empty() && o.client_id != kAuctionClientId)  // first order keeps an id
            m.client_ids.try_emplace({o.account, o.client_id}, o.id, TermsOf(o, o.side == OrderSide::kSell ? o.batch : 0));
          Instrument& in = *m.inst(o.instrument);
          if (o.side == OrderSide::kBuy) {
            CashBalance& b = cash_[o.account][in.currency];
            b.available -= o.cash_locked;
            b.locked += o.cash_locked;
          } else {
            MutHolding(o.account, o.batch).escrowed_kg += o.qty;
          }
          if (o.tif == OrderTif::kGtt) m.gtt.insert({o.expire_at, o.id});
          advance(in);
          if (in.phase == MarketPhase::kAuction) {
            o.in_call = true;
            m.call[in.id].push_back(o.id);
          } else {
            EnterBook(in, o, ts, /*first_entry=*/true);
          }
        } else if constexpr (std::is_same_v<T, OrderCancelRequested>) {
          Order& o = m.orders[static_cast<size_t>(e.order)];
          Instrument& in = *m.inst(o.instrument);
          if (o.in_call) {
            auto& v = m.call[in.id];
            v.erase(std::remove(v.begin(), v.end(), o.id), v.end());
            if (v.empty()) m.call.erase(in.id);
            CloseOrder(o, OrderStatus::kCancelled, static_cast<int32_t>(exchange::CancelReason::kUser), 0, ts);
            return;
          }
          advance(in);
          if (!IsLive(o)) return;
          m.sink.Clear();
          (void)m.book(in.id).Cancel(OrderId(o.id), m.sink);
          ProcessBookEvents(in, ts);
        } else if constexpr (std::is_same_v<T, OrderReplaceRequested>) {
          Order& o = m.orders[static_cast<size_t>(e.order)];
          Instrument& in = *m.inst(o.instrument);
          if (!o.in_call) advance(in);
          if (o.status != OrderStatus::kOpen) return;
          // Lock exactly what the new order needs before the book may trade it.
          const int64_t old_open = o.open_qty;
          int64_t held = o.open_qty;  // sell: kilograms escrowed for this order
          auto relock_to = [&](int64_t price, int64_t qty) {
            if (o.side == OrderSide::kBuy) {
              int64_t need = LockFor(o.fee_bp, price, qty).value();
              CashBalance& b = cash_[o.account][in.currency];
              b.available -= need - o.cash_locked;
              b.locked += need - o.cash_locked;
              o.cash_locked = need;
            } else {
              MutHolding(o.account, o.batch).escrowed_kg += qty - held;
              held = qty;
            }
          };
          if (o.in_call) {
            relock_to(e.price, e.qty);
            Touch(o, o.book_price);
            o.price = o.book_price = e.price;
            o.open_qty = e.qty;
            o.qty = o.filled_qty + e.qty;
            o.updated_ts = ts;
            Emit(OrderUpdated{o.id, o.status, 0, 0, e.qty, e.price, 2});
            return;
          }
          relock_to(e.price, e.qty);
          const int64_t price_before = in.reference_price;
          const size_t fills_before = m.fills.size();
          m.sink.Clear();
          Result<void> r = m.book(in.id).Replace(OrderId(o.id), e.price, e.qty, m.sink);
          if (!r.ok()) {  // Decide checked the same rules; keep the old order intact
            m.sink.Clear();
            relock_to(o.book_price, old_open);
            Emit(OrderUpdated{o.id, o.status, 0, static_cast<int32_t>(r.error().code), old_open, o.book_price, 3});
            return;
          }
          // Until the book's kReplaced arrives, the lock already covers the new price.
          Touch(o, o.book_price);
          o.book_price = e.price;
          ProcessBookEvents(in, ts);
          AfterTrades(in, ts, price_before, fills_before);
        } else if constexpr (std::is_same_v<T, MassCancelRequested>) {
          for (auto& [id, in] : m.instruments) {
            if (e.instrument != 0 && id != e.instrument) continue;
            advance(in);
            m.sink.Clear();
            m.book(id).MassCancel(AccountId(e.account), m.sink);
            ProcessBookEvents(in, ts);
            if (auto it = m.call.find(id); it != m.call.end()) {
              std::vector<int64_t> keep;
              for (int64_t oid : it->second) {
                Order& o = m.orders[static_cast<size_t>(oid)];
                if (o.account == e.account)
                  CloseOrder(o, OrderStatus::kCancelled, static_cast<int32_t>(exchange::CancelReason::kMassCancel), 0, ts);
                else
                  keep.push_back(oid);
              }
              if (keep.empty()) m.call.erase(it); else it->second = std::move(keep);
            }
          }
        } else if constexpr (std::is_same_v<T, MarketTicked>) {
          for (auto& [id, in] : m.instruments)
            if (in.phase == MarketPhase::kAuction && in.auction_end <= e.at) Uncross(in, e.at);
          for (auto& [id, in] : m.instruments) advance(in);
          // Good-till-time orders collected in a call auction expire here too.
          while (!m.gtt.empty() && m.gtt.begin()->first <= e.at) {
            Order& o = m.orders[static_cast<size_t>(m.gtt.begin()->second)];
            if (!o.in_call) break;  // book orders expired through AdvanceTime above
            auto& v = m.call[o.instrument];
            v.erase(std::remove(v.begin(), v.end(), o.id), v.end());
            if (v.empty()) m.call.erase(o.instrument);
            CloseOrder(o, OrderStatus::kExpired, static_cast<int32_t>(exchange::CancelReason::kExpired), 0, e.at);
          }
        } else {
          // Derived: live, the engine never applies these; in replay, compare.
          if (derived) return;
          if (m.expect.empty() || m.expect.front().first != ev.index() || m.expect.front().second != EncodeEvent(ev)) {
            if (m.divergence.empty())
              m.divergence = std::string("journal ") + EventTypeName(ev) + " differs from the re-derived outcome";
          } else {
            m.expect.pop_front();
          }
        }
      },
      ev);
  m.out = nullptr;
}

// ------------------------------------------------------------------ invariants
Result<void> RegistryState::CheckMarketInvariants() const {
  const MarketState& m = *mkt_;
  std::map<std::pair<int64_t, std::string>, int64_t> locked;
  std::map<std::pair<int64_t, int64_t>, int64_t> escrowed;
  std::map<int64_t, size_t> live_in_book;
  for (size_t i = 1; i < m.orders.size(); ++i) {
    const Order& o = m.orders[i];
    if (o.id != static_cast<int64_t>(i)) return Err(Code::kInternal, "order index broken at " + std::to_string(i));
    const Instrument* in = m.inst(o.instrument);
    if (!in) return Err(Code::kInternal, "order on an unknown instrument");
    if (o.open_qty < 0 || o.filled_qty < 0 || o.filled_qty + o.open_qty > o.qty)
      return Err(Code::kInternal, "order " + std::to_string(o.id) + ": quantities do not add up");
    if (!IsLive(o)) {
      if (o.open_qty != 0 || o.cash_locked != 0) return Err(Code::kInternal, "closed order " + std::to_string(o.id) + " still holds a lock");
      continue;
    }
    if (!o.in_call) live_in_book[o.instrument]++;
    if (o.side == OrderSide::kBuy) {
      if (o.cash_locked != LockFor(o.fee_bp, o.book_price, o.open_qty).value())
        return Err(Code::kInternal, "order " + std::to_string(o.id) + ": lock differs from what it needs");
      locked[{o.account, in->currency}] += o.cash_locked;
    } else {
      escrowed[{o.account, o.batch}] += o.open_qty;
    }
  }
  for (const auto& [id, w] : withdrawals_)
    if (w.status == WithdrawalStatus::kPending) locked[{w.account, w.currency}] += w.amount;
  for (const auto& [acct, curs] : cash_)
    for (const auto& [cur, b] : curs) {
      auto it = locked.find({acct, cur});
      if (b.locked != (it == locked.end() ? 0 : it->second))
        return Err(Code::kInternal, "account " + std::to_string(acct) + ": locked " + cur + " differs from its open orders and pending withdrawals");
    }
  for (const auto& [key, qty] : locked)
    if (qty != 0 && (!cash(key.first) || !cash(key.first)->count(key.second)))
      return Err(Code::kInternal, "open buy orders of account " + std::to_string(key.first) + " lock missing cash");
  AddChainEscrow(escrowed);  // chain withdrawals in flight escrow too (chain.cc)
  bool bad = false;
  std::string what;
  holdings_.ForEach([&](int64_t acct, int64_t bid, const Holding& h) {
    auto it = escrowed.find({acct, bid});
    if (h.escrowed_kg != (it == escrowed.end() ? 0 : it->second) && !bad) {
      bad = true;
      what = "account " + std::to_string(acct) + " batch " + std::to_string(bid) + ": escrow differs from open sell orders";
    }
  });
  if (bad) return Err(Code::kInternal, what);
  for (const auto& [id, in] : m.instruments) {
    const exchange::OrderBook& b = *m.books[static_cast<size_t>(id)];
    if (b.live_orders() != live_in_book[id])
      return Err(Code::kInternal, "instrument " + std::to_string(id) + ": book and order records disagree");
    if (b.best_bid() && b.best_ask() && *b.best_bid() >= *b.best_ask())
      return Err(Code::kInternal, "instrument " + std::to_string(id) + ": book crossed");
  }
  return Ok();
}

// ------------------------------------------------------------------ snapshot
std::string RegistryState::SnapshotMarket() const {
  const MarketState& m = *mkt_;
  MarketSnap s;
  for (const auto& [id, in] : m.instruments) {
    s.instruments.push_back(in);
    s.books.push_back(BookRow{id, m.books[static_cast<size_t>(id)]->ExportState()});
  }
  s.orders.assign(m.orders.begin() + 1, m.orders.end());
  s.fills = m.fills;
  for (const auto& [id, v] : m.call) s.calls.push_back(CallRow{id, v});
  s.next_instrument = m.next_instrument;
  for (const auto& [key, v] : m.client_ids) s.client_ids.push_back(ClientIdRow{key.first, key.second, v.first, v.second});
  return Encode(s);
}

bool RegistryState::RestoreMarket(std::string_view bytes) {
  MarketSnap s;
  if (!Decode(bytes, s)) return false;
  MarketState& m = *mkt_;
  for (const auto& in : s.instruments) m.AddInstrument(in);
  m.next_instrument = std::max(m.next_instrument, s.next_instrument);
  for (auto& row : s.books) {
    if (!m.inst(row.instrument)) return false;
    if (!m.books[static_cast<size_t>(row.instrument)]->ImportState(row.state).ok()) return false;
  }
  m.orders.assign(1, Order{});
  for (auto& o : s.orders) {
    if (o.id != static_cast<int64_t>(m.orders.size())) return false;
    m.orders_by_account[o.account].push_back(o.id);
    if (IsLive(o) && o.tif == OrderTif::kGtt) m.gtt.insert({o.expire_at, o.id});
    m.orders.push_back(std::move(o));
  }
  m.fills = std::move(s.fills);
  for (const auto& f : m.fills) {
    m.fills_by_account[f.buyer].push_back(f.id);
    if (f.seller != f.buyer) m.fills_by_account[f.seller].push_back(f.id);
  }
  for (auto& c : s.calls) m.call[c.instrument] = std::move(c.orders);
  for (auto& r : s.client_ids) {
    if (!order(r.order)) return false;
    m.client_ids.try_emplace({r.account, std::move(r.client_id)}, r.order, std::move(r.terms));
  }
  return true;
}

}  // namespace cx::registry
