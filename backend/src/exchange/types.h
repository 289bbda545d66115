// Value types shared by the production OrderBook and the naive ReferenceBook: orders as
// submitted, the events a book emits, book parameters and snapshots.
//
// Units: prices are integers in the instrument's minor units (cents) and must be a
// multiple of BookParams::tick_size; quantities are integers (kilograms of CO2e) and
// must be a multiple of BookParams::lot_size. No floating point anywhere.
// Thread-safety: plain values.
#pragma once
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/strong.h"

namespace cx::exchange {

enum class Side : uint8_t { kBuy = 0, kSell = 1 };
inline constexpr Side Opposite(Side s) { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

enum class OrderType : uint8_t {
  kLimit = 0,      // trades at `price` or better
  kMarket = 1,     // no price limit; never rests (tif must be IOC or FOK)
  kStop = 2,       // becomes a market order when a trade prints at or through stop_price
  kStopLimit = 3,  // becomes a limit order at `price` when triggered
};

enum class TimeInForce : uint8_t {
  kGtc = 0,  // rests until filled or cancelled
  kGtt = 1,  // rests until `expire_at` (time given by the caller, see OrderBook::AdvanceTime)
  kIoc = 2,  // immediate or cancel: the remainder is cancelled
  kFok = 3,  // fill or kill: executes in full at once, or is refused whole
};

// Self-trade prevention, applied when the incoming (taker) order would trade against a
// resting order of the same account. Off in matching-only mode.
enum class StpMode : uint8_t {
  kNone = 0,          // trade with yourself
  kCancelNewest = 1,  // cancel the rest of the incoming order; matching stops
  kCancelOldest = 2,  // cancel the resting order and keep matching
  kCancelBoth = 3,    // cancel both; matching stops
};

inline constexpr int64_t kMaxQuantity = 1'000'000'000'000;       // 10^12 lots of any size
inline constexpr int64_t kMaxPrice = 1'000'000'000'000'000;      // 10^15 minor units

struct NewOrder {
  OrderId id;             // caller-assigned, unique among the book's live orders, non-zero
  AccountId account;      // owner; used by STP and mass cancel
  Side side = Side::kBuy;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kGtc;
  StpMode stp = StpMode::kNone;
  bool post_only = false;  // refused with kPostOnlyWouldTrade if it would take liquidity
  int64_t price = 0;       // limit price (kLimit, kStopLimit); ignored for kMarket/kStop
  int64_t stop_price = 0;  // trigger price (kStop, kStopLimit)
  int64_t qty = 0;         // total quantity
  int64_t display_qty = 0; // iceberg peak; 0 = fully displayed. Resting orders only.
  int64_t min_qty = 0;     // minimum quantity that must execute on entry, else refused
  int64_t expire_at = 0;   // kGtt only: the order expires when time >= expire_at
};

enum class EventType : uint8_t {
  kAccepted = 0,   // order passed validation and entered the book (qty = total qty)
  kFill = 1,       // a trade; see the Event fields below
  kCancelled = 2,  // the order's open quantity `qty` left the book (see CancelReason)
  kRejected = 3,   // a triggered stop was refused on entry (code says why)
  kTriggered = 4,  // a stop order was triggered and is about to enter the book
  kReplaced = 5,   // a resting order now has `price` and open quantity `qty`
};

enum class CancelReason : uint8_t {
  kNone = 0,
  kUser = 1,          // Cancel()
  kMassCancel = 2,    // MassCancel()
  kUnfilled = 3,      // IOC / market remainder
  kSelfTrade = 4,     // self-trade prevention
  kExpired = 5,       // good-till-time reached
  kReplaced = 6,      // never emitted by the books; reserved for engines
};

// One outcome. Which fields mean what:
//   all:        order/account = the order the event is about (the taker for a fill)
//   kAccepted:  side, price (limit; 0 for market/stop), qty = order quantity
//   kFill:      maker/maker_account = resting order, price = maker's price, qty = traded,
//               side = taker's side, taker_done / maker_done = that order has no open qty
//               left in the book (a taker that will rest is not done)
//   kCancelled: qty = open quantity removed, reason
//   kRejected:  code
//   kTriggered: price = trade price that triggered it
//   kReplaced:  price, qty = new open quantity; leaves = previous open quantity
struct Event {
  EventType type = EventType::kAccepted;
  Side side = Side::kBuy;
  CancelReason reason = CancelReason::kNone;
  bool taker_done = false;
  bool maker_done = false;
  Code code = Code::kOk;
  OrderId order;
  AccountId account;
  OrderId maker;
  AccountId maker_account;
  int64_t price = 0;
  int64_t qty = 0;
  int64_t leaves = 0;

  friend bool operator==(const Event&, const Event&) = default;
};

// Where a book appends its outcomes during one call. The caller reads them after the call
// returns (liquibook-style: a listener never runs inside matching, so it can never
// re-enter the book). Reusing one sink and calling Clear() keeps the hot path free of
// allocation once its capacity has grown.
class EventSink {
 public:
  EventSink() { events_.reserve(256); }
  void Clear() { events_.clear(); }
  void Push(const Event& e) { events_.push_back(e); }
  // Appends a default event and returns it for filling in place (no copy of a stack
  // temporary, which costs a store-forwarding stall per event in the matching loop).
  Event& Add() { return events_.emplace_back(); }
  const std::vector<Event>& events() const { return events_; }
  size_t size() const { return events_.size(); }
  const Event& operator[](size_t i) const { return events_[i]; }

 private:
  std::vector<Event> events_;
};

struct BookParams {
  InstrumentId instrument;
  int64_t tick_size = 1;  // prices must be multiples of this
  int64_t lot_size = 1;   // quantities must be multiples of this
  // Matching-only mode (NW-1): self-trade prevention off whatever the order asks.
  bool matching_only = false;
  // Capacity hint for pools and the id index (grows past it when needed).
  uint32_t expected_orders = 1024;
};

// A resting order as seen in a snapshot (priority order within its level).
struct RestingOrder {
  OrderId id;
  AccountId account;
  Side side = Side::kBuy;
  int64_t price = 0;
  int64_t leaves = 0;   // total open quantity (visible + hidden)
  int64_t visible = 0;  // displayed quantity (== leaves unless iceberg)
  friend bool operator==(const RestingOrder&, const RestingOrder&) = default;
};

// Whole-book snapshot: bids best-first then asks best-first, each level in time order.
struct BookSnapshot {
  std::vector<RestingOrder> bids;
  std::vector<RestingOrder> asks;
  std::vector<OrderId> stops;  // untriggered stop orders, in submission order
  friend bool operator==(const BookSnapshot&, const BookSnapshot&) = default;
};

// Aggregated price level for L2 depth.
struct DepthLevel {
  int64_t price = 0;
  int64_t qty = 0;      // displayed quantity
  uint32_t orders = 0;
  friend bool operator==(const DepthLevel&, const DepthLevel&) = default;
};

}  // namespace cx::exchange
