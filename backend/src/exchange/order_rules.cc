#include "exchange/order_rules.h"

namespace cx::exchange {

namespace {
bool HasLimitPrice(OrderType t) { return t == OrderType::kLimit || t == OrderType::kStopLimit; }
bool IsStop(OrderType t) { return t == OrderType::kStop || t == OrderType::kStopLimit; }
bool CanRest(const NewOrder& o) {
  return HasLimitPrice(o.type) && (o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
}
}  // namespace

namespace {
// x % m != 0, skipping the division for the common m == 1 (and for x == 0).
inline bool OffGrid(int64_t x, int64_t m) { return m != 1 && x != 0 && x % m != 0; }
}  // namespace

Code CheckNewOrder(const NewOrder& o, const BookParams& p, int64_t now, const char** field,
                   const char** message) {
  auto fail = [&](Code c, const char* f, const char* m) {
    *field = f;
    *message = m;
    return c;
  };
  if (!o.id.valid()) return fail(Code::kInvalidField, "id", "order id must be non-zero");
  if (o.qty <= 0 || o.qty > kMaxQuantity)
    return fail(Code::kBadQuantity, "qty", "quantity must be positive and at most 10^12");
  if (OffGrid(o.qty, p.lot_size)) return fail(Code::kOffLot, "qty", "quantity is not a whole number of lots");
  if (HasLimitPrice(o.type)) {
    if (o.price <= 0 || o.price > kMaxPrice)
      return fail(Code::kInvalidField, "price", "limit price must be positive");
    if (OffGrid(o.price, p.tick_size)) return fail(Code::kOffTick, "price", "price is not on the tick grid");
  }
  if (IsStop(o.type)) {
    if (o.stop_price <= 0 || o.stop_price > kMaxPrice)
      return fail(Code::kInvalidField, "stop_price", "stop price must be positive");
    if (OffGrid(o.stop_price, p.tick_size))
      return fail(Code::kOffTick, "stop_price", "stop price is not on the tick grid");
  }
  if (!HasLimitPrice(o.type) && (o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt))
    return fail(Code::kInvalidField, "tif", "market and stop orders must be IOC or FOK");
  if (o.post_only && !CanRest(o))
    return fail(Code::kInvalidField, "post_only", "post-only needs a resting limit order");
  if (o.display_qty < 0 || o.display_qty > o.qty)
    return fail(Code::kBadQuantity, "display_qty", "display quantity must be within 0..qty");
  if (OffGrid(o.display_qty, p.lot_size))
    return fail(Code::kOffLot, "display_qty", "display quantity is not a whole number of lots");
  if (o.display_qty > 0 && !CanRest(o))
    return fail(Code::kInvalidField, "display_qty", "iceberg needs a resting limit order");
  if (o.min_qty < 0 || o.min_qty > o.qty)
    return fail(Code::kBadQuantity, "min_qty", "minimum quantity must be within 0..qty");
  if (OffGrid(o.min_qty, p.lot_size))
    return fail(Code::kOffLot, "min_qty", "minimum quantity is not a whole number of lots");
  if (o.tif == TimeInForce::kGtt && o.expire_at <= now)
    return fail(Code::kInvalidField, "expire_at", "expiry time has already passed");
  return Code::kOk;
}

Result<void> ValidateNewOrder(const NewOrder& o, const BookParams& p, int64_t now) {
  const char* field = "";
  const char* message = "";
  const Code c = CheckNewOrder(o, p, now, &field, &message);
  if (c != Code::kOk) return Err(c, message, field);
  return Ok();
}

Result<void> ValidateReplace(int64_t new_price, int64_t new_qty, const BookParams& p) {
  if (new_qty <= 0 || new_qty > kMaxQuantity)
    return Err(Code::kBadQuantity, "quantity must be positive and at most 10^12", "qty");
  if (new_qty % p.lot_size != 0) return Err(Code::kOffLot, "quantity is not a whole number of lots", "qty");
  if (new_price <= 0 || new_price > kMaxPrice)
    return Err(Code::kInvalidField, "limit price must be positive", "price");
  if (new_price % p.tick_size != 0) return Err(Code::kOffTick, "price is not on the tick grid", "price");
  return Ok();
}

}  // namespace cx::exchange
