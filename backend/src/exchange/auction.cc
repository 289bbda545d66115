#include "exchange/auction.h"

#include <algorithm>
#include <climits>
#include <cstddef>
#include <string>

#include "core/units.h"

namespace cx::exchange {
namespace {

Error AtOrder(Code c, size_t index, const char* field, const std::string& what) {
  return Err(c, "order " + std::to_string(index) + ": " + what, field);
}

// The smallest input index whose key already occurred at a smaller index, or SIZE_MAX.
template <typename Key>
size_t FirstDuplicate(std::vector<std::pair<Key, size_t>> keyed) {
  std::sort(keyed.begin(), keyed.end());
  size_t first = SIZE_MAX;
  for (size_t i = 1; i < keyed.size(); ++i)
    if (keyed[i].first == keyed[i - 1].first) first = std::min(first, keyed[i].second);
  return first;
}

Result<void> Validate(const std::vector<AuctionOrder>& orders, const AuctionParams& p) {
  if (p.tick_size <= 0) return Err(Code::kInvalidField, "tick size must be positive", "tick_size");
  if (p.lot_size <= 0) return Err(Code::kInvalidField, "lot size must be positive", "lot_size");
  if (p.reference_price < 0 || p.reference_price > kMaxPrice)
    return Err(Code::kInvalidField, "reference price must be 0 (none) or positive",
               "reference_price");
  if (p.reference_price % p.tick_size != 0)
    return Err(Code::kOffTick, "reference price is not on the tick grid", "reference_price");
  for (size_t i = 0; i < orders.size(); ++i) {
    const AuctionOrder& o = orders[i];
    if (!o.id.valid()) return AtOrder(Code::kInvalidField, i, "id", "order id must be non-zero");
    if (!o.account.valid())
      return AtOrder(Code::kInvalidField, i, "account", "account must be non-zero");
    if (o.side != Side::kBuy && o.side != Side::kSell)
      return AtOrder(Code::kInvalidField, i, "side", "side must be buy or sell");
    if (o.qty <= 0 || o.qty > kMaxQuantity)
      return AtOrder(Code::kBadQuantity, i, "qty", "quantity must be positive and at most 10^12");
    if (o.qty % p.lot_size != 0)
      return AtOrder(Code::kOffLot, i, "qty", "quantity is not a whole number of lots");
    if (!o.market) {
      if (o.price <= 0 || o.price > kMaxPrice)
        return AtOrder(Code::kInvalidField, i, "price", "limit price must be positive");
      if (o.price % p.tick_size != 0)
        return AtOrder(Code::kOffTick, i, "price", "price is not on the tick grid");
    }
  }
  std::vector<std::pair<int64_t, size_t>> ids;
  std::vector<std::pair<uint64_t, size_t>> seqs;
  ids.reserve(orders.size());
  seqs.reserve(orders.size());
  for (size_t i = 0; i < orders.size(); ++i) {
    ids.emplace_back(orders[i].id.value(), i);
    seqs.emplace_back(orders[i].seq, i);
  }
  if (size_t d = FirstDuplicate(std::move(ids)); d != SIZE_MAX)
    return AtOrder(Code::kConflict, d, "id",
                   "order id " + std::to_string(orders[d].id.value()) + " is used twice");
  if (size_t d = FirstDuplicate(std::move(seqs)); d != SIZE_MAX)
    return AtOrder(Code::kConflict, d, "seq",
                   "seq " + std::to_string(orders[d].seq) + " is used twice");
  int64_t total[2] = {0, 0};
  for (const AuctionOrder& o : orders) {
    auto sum = CheckedAdd(total[size_t(o.side)], o.qty);
    if (!sum) return Err(Code::kTooLarge, "total quantity of one side overflows", "qty");
    total[size_t(o.side)] = *sum;
  }
  return Ok();
}

// Aggregate demand and supply curves over the distinct limit prices.
struct Curves {
  std::vector<int64_t> prices;  // distinct limit prices, ascending
  std::vector<int64_t> demand;  // D(prices[i])
  std::vector<int64_t> supply;  // S(prices[i])
  int64_t market_buy = 0;
  int64_t market_sell = 0;
  int64_t best_limit_buy = 0;   // highest limit buy, 0 = none
  int64_t best_limit_sell = 0;  // lowest limit sell, 0 = none

  // D(p) for any p: buys with limit >= p are those with limit >= the first candidate >= p.
  int64_t Demand(int64_t p) const {
    const size_t i = size_t(std::lower_bound(prices.begin(), prices.end(), p) - prices.begin());
    return i == prices.size() ? market_buy : demand[i];
  }
  // S(p) for any p: sells with limit <= the last candidate <= p.
  int64_t Supply(int64_t p) const {
    const size_t i = size_t(std::upper_bound(prices.begin(), prices.end(), p) - prices.begin());
    return i == 0 ? market_sell : supply[i - 1];
  }
};

Curves BuildCurves(const std::vector<AuctionOrder>& orders) {
  Curves c;
  c.prices.reserve(orders.size());
  for (const AuctionOrder& o : orders) {
    if (o.market) {
      (o.side == Side::kBuy ? c.market_buy : c.market_sell) += o.qty;
      continue;
    }
    c.prices.push_back(o.price);
    if (o.side == Side::kBuy) {
      c.best_limit_buy = std::max(c.best_limit_buy, o.price);
    } else if (c.best_limit_sell == 0 || o.price < c.best_limit_sell) {
      c.best_limit_sell = o.price;
    }
  }
  std::sort(c.prices.begin(), c.prices.end());
  c.prices.erase(std::unique(c.prices.begin(), c.prices.end()), c.prices.end());
  const size_t n = c.prices.size();
  std::vector<int64_t> buy_at(n, 0), sell_at(n, 0);
  for (const AuctionOrder& o : orders) {
    if (o.market) continue;
    const size_t i =
        size_t(std::lower_bound(c.prices.begin(), c.prices.end(), o.price) - c.prices.begin());
    (o.side == Side::kBuy ? buy_at : sell_at)[i] += o.qty;
  }
  // Validation bounded each side's total by INT64_MAX, so these sums cannot overflow.
  c.demand.assign(n, 0);
  c.supply.assign(n, 0);
  int64_t d = c.market_buy;
  for (size_t i = n; i-- > 0;) c.demand[i] = d += buy_at[i];
  int64_t s = c.market_sell;
  for (size_t i = 0; i < n; ++i) c.supply[i] = s += sell_at[i];
  return c;
}

int64_t Abs(int64_t x) { return x < 0 ? -x : x; }

Result<AuctionIndication> Price(const Curves& c, int64_t reference) {
  AuctionIndication r;
  const size_t n = c.prices.size();
  const int64_t market_volume = std::min(c.market_buy, c.market_sell);
  int64_t max_volume = market_volume;  // V(p) >= min(market buys, market sells) everywhere
  for (size_t i = 0; i < n; ++i)
    max_volume = std::max(max_volume, std::min(c.demand[i], c.supply[i]));
  if (max_volume == 0) return r;

  r.crossed = true;
  r.volume = max_volume;
  if (max_volume == market_volume && (reference > 0 || n == 0)) {
    if (reference == 0)
      return Err(Code::kInvalidField,
                 "only market orders cross and there is no reference price or limit price",
                 "reference_price");
    int64_t p = reference;
    if (c.best_limit_buy > 0) p = std::max(p, c.best_limit_buy);
    if (c.best_limit_sell > 0) p = std::min(p, c.best_limit_sell);
    r.price = p;
    r.imbalance = c.Demand(p) - c.Supply(p);
    r.rule = PriceRule::kMarketOnly;
    return r;
  }

  // (1) and (2): candidates with the largest volume, then the smallest |surplus|.
  std::vector<size_t> best;
  int64_t min_abs = INT64_MAX;
  size_t max_volume_count = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::min(c.demand[i], c.supply[i]) != max_volume) continue;
    ++max_volume_count;
    const int64_t a = Abs(c.demand[i] - c.supply[i]);
    if (a < min_abs) {
      min_abs = a;
      best.clear();
    }
    if (a == min_abs) best.push_back(i);
  }
  size_t pick;
  if (best.size() == 1) {
    pick = best[0];
    r.rule = max_volume_count > 1 ? PriceRule::kMinSurplus : PriceRule::kMaxVolume;
  } else {
    // (3) market pressure: all remaining surpluses have the same absolute value.
    bool all_buy = true, all_sell = true;
    for (size_t i : best) {
      const int64_t s = c.demand[i] - c.supply[i];
      all_buy = all_buy && s > 0;
      all_sell = all_sell && s < 0;
    }
    if (all_buy) {
      pick = best.back();  // `best` is in ascending price order
      r.rule = PriceRule::kMarketPressure;
    } else if (all_sell) {
      pick = best.front();
      r.rule = PriceRule::kMarketPressure;
    } else if (reference > 0) {
      // (4) closest to the reference price; (5) the lower one on a tie (the first found).
      pick = best.front();
      int64_t dist = Abs(c.prices[pick] - reference);
      bool tie = false;
      for (size_t k = 1; k < best.size(); ++k) {
        const int64_t d = Abs(c.prices[best[k]] - reference);
        if (d < dist) {
          dist = d;
          pick = best[k];
          tie = false;
        } else if (d == dist) {
          tie = true;
        }
      }
      r.rule = tie ? PriceRule::kLowest : PriceRule::kReference;
    } else {
      pick = best.front();  // (5)
      r.rule = PriceRule::kLowest;
    }
  }
  r.price = c.prices[pick];
  r.imbalance = c.demand[pick] - c.supply[pick];
  return r;
}

}  // namespace

Result<AuctionIndication> Indicative(const std::vector<AuctionOrder>& orders,
                                     const AuctionParams& params) {
  CX_TRY(Validate(orders, params));
  return Price(BuildCurves(orders), params.reference_price);
}

Result<AuctionResult> Uncross(const std::vector<AuctionOrder>& orders,
                              const AuctionParams& params) {
  CX_TRY(Validate(orders, params));
  CX_ASSIGN_OR_RETURN(const AuctionIndication ind,
                      Price(BuildCurves(orders), params.reference_price));
  AuctionResult r;
  static_cast<AuctionIndication&>(r) = ind;
  std::vector<int64_t> filled(orders.size(), 0);

  if (r.crossed) {
    const int64_t p = r.price;
    std::vector<size_t> buys, sells;
    for (size_t i = 0; i < orders.size(); ++i) {
      const AuctionOrder& o = orders[i];
      if (o.side == Side::kBuy) {
        if (o.market || o.price >= p) buys.push_back(i);
      } else if (o.market || o.price <= p) {
        sells.push_back(i);
      }
    }
    // Priority: market first, then the better limit, then the earlier seq (unique).
    auto buy_first = [&](size_t a, size_t b) {
      const AuctionOrder &x = orders[a], &y = orders[b];
      if (x.market != y.market) return x.market;
      if (!x.market && x.price != y.price) return x.price > y.price;
      return x.seq < y.seq;
    };
    auto sell_first = [&](size_t a, size_t b) {
      const AuctionOrder &x = orders[a], &y = orders[b];
      if (x.market != y.market) return x.market;
      if (!x.market && x.price != y.price) return x.price < y.price;
      return x.seq < y.seq;
    };
    std::sort(buys.begin(), buys.end(), buy_first);
    std::sort(sells.begin(), sells.end(), sell_first);

    int64_t left = r.volume;
    size_t bi = 0, si = 0;
    while (left > 0) {
      // V(p) <= D(p) and <= S(p): both queues hold at least `left` unfilled quantity.
      const size_t b = buys[bi], s = sells[si];
      const int64_t q = std::min({orders[b].qty - filled[b], orders[s].qty - filled[s], left});
      r.fills.push_back(
          AuctionFill{orders[b].id, orders[s].id, orders[b].account, orders[s].account, q});
      filled[b] += q;
      filled[s] += q;
      left -= q;
      if (filled[b] == orders[b].qty) ++bi;
      if (filled[s] == orders[s].qty) ++si;
    }
  }
  r.remaining.reserve(orders.size());
  for (size_t i = 0; i < orders.size(); ++i)
    r.remaining.emplace_back(orders[i].id, orders[i].qty - filled[i]);
  return r;
}

}  // namespace cx::exchange
