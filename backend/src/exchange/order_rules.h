// Validation rules shared by OrderBook and ReferenceBook: what makes a NewOrder or a
// replace request well formed for a book's parameters, independent of book state.
// Checks run in a fixed order so both books refuse a bad order with the same code.
// Pure functions; thread-safe.
#pragma once
#include <cstdint>

#include "core/result.h"
#include "exchange/types.h"

namespace cx::exchange {

// Refusals (all leave the book unchanged):
//   id == 0                                        kInvalidField  "id"
//   qty <= 0 or qty > kMaxQuantity                 kBadQuantity   "qty"
//   qty not a multiple of lot_size                 kOffLot        "qty"
//   limit / stop-limit price <= 0 or > kMaxPrice   kInvalidField  "price"
//   price not a multiple of tick_size              kOffTick       "price"
//   stop / stop-limit stop_price out of range      kInvalidField  "stop_price"
//   stop_price not a multiple of tick_size         kOffTick       "stop_price"
//   market / stop with GTC or GTT                  kInvalidField  "tif"
//   post_only with market, stop, IOC or FOK        kInvalidField  "post_only"
//   display_qty < 0 or > qty                       kBadQuantity   "display_qty"
//   display_qty not a multiple of lot_size         kOffLot        "display_qty"
//   display_qty on an order that cannot rest       kInvalidField  "display_qty"
//   min_qty < 0 or > qty                           kBadQuantity   "min_qty"
//   min_qty not a multiple of lot_size             kOffLot        "min_qty"
//   GTT with expire_at <= now                      kInvalidField  "expire_at"
Result<void> ValidateNewOrder(const NewOrder& o, const BookParams& p, int64_t now);
// The same checks without building an Error: kOk, or the code with static strings for the
// offending field and a message.
Code CheckNewOrder(const NewOrder& o, const BookParams& p, int64_t now, const char** field,
                   const char** message);

// Replace request: new limit price and new absolute open quantity.
Result<void> ValidateReplace(int64_t new_price, int64_t new_qty, const BookParams& p);

// True if a resting order at `maker_price` trades with a taker limited to `limit`
// (is_market: no limit).
inline bool Crosses(Side taker, bool is_market, int64_t limit, int64_t maker_price) {
  if (is_market) return true;
  return taker == Side::kBuy ? maker_price <= limit : maker_price >= limit;
}

// True if a stop on `side` with `stop_price` triggers on a trade at `trade_price`.
inline bool StopTriggers(Side side, int64_t stop_price, int64_t trade_price) {
  return side == Side::kBuy ? trade_price >= stop_price : trade_price <= stop_price;
}

}  // namespace cx::exchange
