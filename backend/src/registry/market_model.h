// Exchange domain model kept by the registry state: instruments (one per batch, or a
// standard contract defined by criteria), orders with what they lock, and fills.
// Plain values with codec field lists; not thread-safe (owned by the engine thread).
//
// Units: prices are minor units of the instrument's currency PER TONNE; quantities are
// kilograms. notional(price, kg) = price * kg / 1000, exact because every instrument has
// (tick * lot_kg) % 1000 == 0. Fees: floor(notional * bp / 10000) per fill and side
// (rounded down to the minor unit; the venue absorbs the fraction).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "registry/model.h"
#include "registry/ranges.h"

namespace cx::registry {

enum class InstrumentKind : int32_t { kBatch = 0, kContract = 1 };
enum class MarketPhase : int32_t {
  kContinuous = 0,  // orders match as they arrive
  kHalted = 1,      // no new orders (cancels allowed); admin resume
  kAuction = 2,     // call phase: orders are collected and uncrossed at auction_end
};
const char* MarketPhaseName(MarketPhase p);

// Which batches a standard contract accepts. Empty lists and 0 / kUnknown mean "any".
struct ContractCriteria {
  std::vector<std::string> standards;      // credit class code or origin registry (VCS, GS, verra...)
  std::vector<std::string> methodologies;  // prefix of the project's methodology (VM0015...)
  std::vector<std::string> countries;      // the project's country as recorded
  int64_t vintage_from = 0;
  int64_t vintage_to = 0;
  Mitigation mitigation = Mitigation::kUnknown;
  Nature nature = Nature::kUnknown;
  Tri corsia = Tri::kUnknown;                    // kYes: CORSIA-eligible required
  Tri corresponding_adjustment = Tri::kUnknown;  // kYes: adjustment required
  template <class V>
  void Fields(V& v) {
    v("standards", standards); v("methodologies", methodologies); v("countries", countries);
    v("vintage_from", vintage_from); v("vintage_to", vintage_to); v("mitigation", mitigation);
    v("nature", nature); v("corsia", corsia); v("corresponding_adjustment", corresponding_adjustment);
  }
};

struct Instrument {
  int64_t id = 0;
  std::string symbol;
  InstrumentKind kind = InstrumentKind::kBatch;
  int64_t batch = 0;  // kBatch
  ContractCriteria criteria;  // kContract
  std::string currency = "USD";
  int64_t tick = 1;        // minor units per tonne
  int64_t lot_kg = 1000;   // a tonne by default
  int64_t maker_fee_bp = 0;
  int64_t taker_fee_bp = 0;
  int64_t band_bp = 1000;   // price band around the reference price; 0 = none
  int64_t halt_bp = 2000;   // volatility halt: move from the window reference; 0 = never
  int64_t halt_window_us = 300'000'000;  // 5 minutes
  int64_t reopen_us = 60'000'000;        // length of the re-opening call auction
  int64_t created_by = 0;
  int64_t created_ts = 0;
  // Mutable market state.
  MarketPhase phase = MarketPhase::kContinuous;
  std::string phase_reason;
  int64_t auction_end = 0;        // kAuction: uncross at the first step at or after this time
  int64_t reference_price = 0;    // last trade / auction price, or set at creation; 0 = none
  int64_t window_start = 0;       // volatility window start time and its reference price
  int64_t window_price = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("symbol", symbol); v("kind", kind); v("batch", batch); v("criteria", criteria);
    v("currency", currency); v("tick", tick); v("lot_kg", lot_kg); v("maker_fee_bp", maker_fee_bp);
    v("taker_fee_bp", taker_fee_bp); v("band_bp", band_bp); v("halt_bp", halt_bp);
    v("halt_window_us", halt_window_us); v("reopen_us", reopen_us); v("created_by", created_by);
    v("created_ts", created_ts); v("phase", phase); v("phase_reason", phase_reason);
    v("auction_end", auction_end); v("reference_price", reference_price);
    v("window_start", window_start); v("window_price", window_price);
  }
};

enum class OrderSide : int32_t { kBuy = 0, kSell = 1 };
enum class OrderKind : int32_t { kLimit = 0, kMarket = 1, kStop = 2, kStopLimit = 3 };
enum class OrderTif : int32_t { kGtc = 0, kGtt = 1, kIoc = 2, kFok = 3 };
enum class OrderStp : int32_t { kNone = 0, kCancelNewest = 1, kCancelOldest = 2, kCancelBoth = 3 };
enum class OrderStatus : int32_t {
  kPendingStop = 0,  // untriggered stop
  kOpen = 1,         // resting (or collected in a call auction)
  kFilled = 2,
  kCancelled = 3,    // by the user, mass cancel, self-trade prevention or IOC remainder
  kExpired = 4,
  kRejected = 5,     // refused by the book on entry (FOK, post-only, minimum fill...)
};
const char* OrderStatusName(OrderStatus s);
const char* OrderSideName(OrderSide s);
const char* OrderKindName(OrderKind k);
const char* OrderTifName(OrderTif t);
const char* OrderStpName(OrderStp s);

struct Order {
  int64_t id = 0;
  int64_t user = 0;
  int64_t account = 0;
  int64_t instrument = 0;
  int64_t batch = 0;  // sell: the batch delivered (a contract sell names one eligible batch)
  OrderSide side = OrderSide::kBuy;
  OrderKind kind = OrderKind::kLimit;
  OrderTif tif = OrderTif::kGtc;
  OrderStp stp = OrderStp::kCancelNewest;
  bool post_only = false;
  int64_t price = 0;       // limit (limit / stop-limit)
  int64_t stop_price = 0;  // stop / stop-limit
  int64_t book_price = 0;  // the limit the book enforces (market/stop: the band protection)
  int64_t qty = 0;         // total quantity, kg (a replace changes it)
  int64_t display_qty = 0; // iceberg peak
  int64_t min_qty = 0;
  int64_t expire_at = 0;
  std::string client_id;
  int64_t created_ts = 0;
  // Running state.
  OrderStatus status = OrderStatus::kOpen;
  int64_t open_qty = 0;     // still in the book (hidden included)
  int64_t filled_qty = 0;
  int64_t notional = 0;     // sum of fill notionals
  int64_t fees = 0;
  int64_t cash_locked = 0;  // buy: cash still locked for it
  int64_t updated_ts = 0;
  int32_t code = 0;         // kRejected: the refusal code
  bool in_call = false;     // collected in a call auction, not (yet) in the book
  // The highest fee rate (bp) this order can pay: max(maker, taker) of the instrument at
  // entry. Its cash lock is sized with it, and a later fee change never charges it more
  // (fills pay min(current rate, fee_bp)).
  int64_t fee_bp = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("user", user); v("account", account); v("instrument", instrument);
    v("batch", batch); v("side", side); v("kind", kind); v("tif", tif); v("stp", stp);
    v("post_only", post_only); v("price", price); v("stop_price", stop_price);
    v("book_price", book_price); v("qty", qty); v("display_qty", display_qty);
    v("min_qty", min_qty); v("expire_at", expire_at); v("client_id", client_id);
    v("created_ts", created_ts); v("status", status); v("open_qty", open_qty);
    v("filled_qty", filled_qty); v("notional", notional); v("fees", fees);
    v("cash_locked", cash_locked); v("updated_ts", updated_ts); v("code", code);
    v("in_call", in_call); v("fee_bp", fee_bp);
  }
};

// Still working: resting, collected in a call auction, or an untriggered stop.
inline bool IsLive(const Order& o) { return o.status == OrderStatus::kOpen || o.status == OrderStatus::kPendingStop; }

// One execution (also the journal event TradeExecuted).
struct Fill {
  int64_t id = 0;
  int64_t instrument = 0;
  int64_t buy_order = 0;
  int64_t sell_order = 0;
  int64_t buyer = 0;   // accounts
  int64_t seller = 0;
  int32_t aggressor = 0;  // 0 buy, 1 sell, 2 auction (no aggressor)
  int64_t price = 0;
  int64_t qty = 0;
  int64_t batch = 0;   // delivered batch
  Ranges ranges;       // delivered kilogram ranges of the batch
  int64_t notional = 0;
  int64_t buyer_fee = 0;
  int64_t seller_fee = 0;
  std::string currency;
  int64_t ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("instrument", instrument); v("buy_order", buy_order); v("sell_order", sell_order);
    v("buyer", buyer); v("seller", seller); v("aggressor", aggressor); v("price", price);
    v("qty", qty); v("batch", batch); v("ranges", ranges); v("notional", notional);
    v("buyer_fee", buyer_fee); v("seller_fee", seller_fee); v("currency", currency); v("ts", ts);
  }
};

}  // namespace cx::registry
