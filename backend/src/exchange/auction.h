// Call auction (uniform clearing price): the orders collected during a call phase are
// uncrossed at one price. Used to re-open a market after a halt and for primary issuance,
// where a project developer sells a new batch (one sell order of quantity Q at a reserve
// price) against many bids, and every winner pays the same price.
//
// Pure functions over values: no I/O, no clock, no floating point; thread-safe.
// Complexity O(n log n) time and O(n) memory for n orders.
//
// Units as in types.h: prices are integers in minor units and multiples of tick_size;
// quantities are integers (kg) and multiples of lot_size. Every fill quantity is then a
// multiple of lot_size too (it is a minimum of differences of multiples).
//
// Price determination (the equilibrium-price rules of Xetra, LSE and Euronext):
//   For a price p, demand D(p) = market buys + limit buys with limit >= p, supply
//   S(p) = market sells + limit sells with limit <= p, executable volume
//   V(p) = min(D(p), S(p)) and surplus D(p) - S(p) (> 0: buy surplus).
//   Candidate prices are the distinct limit prices of both sides (no other price can have
//   a larger V). Among the candidates, the clearing price is the one that
//   (1) maximises V;
//   (2) then minimises |surplus|;
//   (3) then, if the surplus is on the buy side at every remaining candidate, is the
//       highest; if on the sell side at every one, the lowest (market pressure);
//   (4) then (mixed or zero surplus) is the closest to the reference price, if one is given;
//   (5) then is the lowest (stated tie rule; also when there is no reference price).
//   If the largest V is 0 nothing crosses: crossed == false, price == volume ==
//   imbalance == 0, no fills, every order keeps its full quantity.
// Only market orders executing: when the largest V equals min(market buys, market sells)
//   > 0, no limit order can execute at any price (market orders have priority), so limit
//   prices say nothing about value. Then the price is the reference price, clamped to
//   [highest limit buy, lowest limit sell] (bounds that exist) so that no limit order left
//   unexecuted could have traded at the clearing price; this interval is never empty in
//   that case. With no reference price the rules above choose among the limit prices; with
//   neither a reference price nor any limit price the call is refused (kInvalidField,
//   field "reference_price").
// Allocation at the clearing price p: executable buys are market buys and limit buys with
//   limit >= p, in priority order: market orders first, then higher limit first, then
//   lower seq (earlier arrival) first; sells likewise with lower limit first. Each side's
//   queue is filled in that order up to V, so the last order reached may fill partly
//   (ties at the clearing price are allocated by time).
// Fill pairing (stable, so settlement is deterministic): walk both queues together; each
//   fill pairs the current buy with the current sell for min(their unfilled quantities)
//   and advances past whichever is used up (both when equal). Fills come out in that order.
//   There is no self-trade prevention: a buy and a sell of one account may be paired (the
//   engine refuses such orders on entry if it must).
//
// Validation (the whole input before any computation; the first failure is returned, in
// this order):
//   tick_size <= 0 / lot_size <= 0                   kInvalidField "tick_size"/"lot_size"
//   reference_price < 0 or > kMaxPrice               kInvalidField "reference_price"
//   reference_price not a multiple of tick_size      kOffTick      "reference_price"
//   then per order, in input order:
//   id == 0                                          kInvalidField "id"
//   account == 0                                     kInvalidField "account"
//   side not kBuy/kSell                              kInvalidField "side"
//   qty <= 0 or qty > kMaxQuantity                   kBadQuantity  "qty"
//   qty not a multiple of lot_size                   kOffLot       "qty"
//   limit: price <= 0 or price > kMaxPrice           kInvalidField "price"
//   limit: price not a multiple of tick_size         kOffTick      "price"
//   (the price of a market order is ignored)
//   then across orders:
//   an id used twice                                 kConflict     "id"
//   a seq used twice (time priority must be total)   kConflict     "seq"
//   total quantity of a side above INT64_MAX         kTooLarge     "qty"
//   The message names the offending order's input index (the later of two duplicates;
//   the smallest such index when there are several).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "core/result.h"
#include "exchange/types.h"

namespace cx::exchange {

struct AuctionOrder {
  OrderId id;         // non-zero, unique within one auction
  AccountId account;  // non-zero
  Side side = Side::kBuy;
  bool market = false;  // true: executes at any price, ahead of limit orders
  int64_t price = 0;    // limit price; ignored when market
  int64_t qty = 0;
  uint64_t seq = 0;  // arrival order (sequencer stamp), unique: time priority
};

struct AuctionParams {
  int64_t tick_size = 1;
  int64_t lot_size = 1;
  int64_t reference_price = 0;  // last price before the halt, or 0 = none
};

// Which rule fixed the price (market data and audit; kNone when nothing crossed).
enum class PriceRule : uint8_t {
  kNone = 0,
  kMaxVolume = 1,       // (1) a single candidate maximises volume
  kMinSurplus = 2,      // (2)
  kMarketPressure = 3,  // (3)
  kReference = 4,       // (4) closest to the reference price
  kLowest = 5,          // (5) tie rule
  kMarketOnly = 6,      // only market orders execute: the (clamped) reference price
};

// What the auction would do now; published during the call phase.
struct AuctionIndication {
  bool crossed = false;
  int64_t price = 0;      // clearing price (0 when not crossed)
  int64_t volume = 0;     // V(price)
  int64_t imbalance = 0;  // D(price) - S(price): > 0 buy surplus, < 0 sell surplus
  PriceRule rule = PriceRule::kNone;
};

struct AuctionFill {
  OrderId buy, sell;
  AccountId buyer, seller;
  int64_t qty = 0;  // at the auction's price
  friend bool operator==(const AuctionFill&, const AuctionFill&) = default;
};

struct AuctionResult : AuctionIndication {
  std::vector<AuctionFill> fills;  // pairing order, see above; sum of qty == volume
  // Open quantity per order after the uncross, in input order (0 if fully filled):
  // qty - filled. The engine decides whether remainders rest in the re-opened book or,
  // in a primary issuance, return to the developer.
  std::vector<std::pair<OrderId, int64_t>> remaining;
};

// Price, volume and imbalance, without allocating quantity to orders (no fills). Same
// validation and refusals as Uncross.
Result<AuctionIndication> Indicative(const std::vector<AuctionOrder>& orders,
                                     const AuctionParams& params);

// Uncrosses the book: the price as Indicative, plus fills and remainders.
Result<AuctionResult> Uncross(const std::vector<AuctionOrder>& orders, const AuctionParams& params);

}  // namespace cx::exchange
