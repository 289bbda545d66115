#include "marketdata/index.h"

#include <algorithm>

namespace cx::marketdata {

std::string_view IndexCategoryName(IndexCategory c) {
  switch (c) {
    case IndexCategory::kAll: return "all";
    case IndexCategory::kNatureBased: return "nature";
    case IndexCategory::kTechnical: return "technical";
    case IndexCategory::kRemoval: return "removal";
  }
  return "?";
}

Result<IndexCategory> ParseIndexCategory(std::string_view s) {
  for (IndexCategory c : kIndexCategories)
    if (IndexCategoryName(c) == s) return c;
  return Err(Code::kInvalidField, "index must be one of all, nature, technical, removal",
             "index");
}

bool InCategory(uint8_t flags, IndexCategory c) {
  switch (c) {
    case IndexCategory::kAll: return true;
    case IndexCategory::kNatureBased: return flags & kNatureBased;
    case IndexCategory::kTechnical: return flags & kTechnical;
    case IndexCategory::kRemoval: return flags & kRemoval;
  }
  return false;
}

CategoryIndex::CategoryIndex(IndexOptions options) : options_(options) {
  if (options_.window_us < 1) options_.window_us = 1;  // configuration: clamped
}

Result<void> CategoryIndex::Check(const Trade& t) const {
  CX_TRY(ValidateTrade(t));
  if (t.ts_us < now_us_)
    return Err(Code::kInvalidField, "trade is older than the index's time", "ts");
  int64_t vol;
  if (__builtin_add_overflow(lifetime_volume_kg_, t.qty_kg, &vol))
    return Err(Code::kOverflow, "lifetime volume would overflow", "qty");
  const Int128 pq = MilliNotional(t.price, t.qty_kg);
  if (AddOverflows(lifetime_notional_milli_, pq))
    return Err(Code::kOverflow, "lifetime notional would overflow", "price");
  return Ok();
}

Result<void> CategoryIndex::Apply(const Trade& t) {
  CX_TRY(Check(t));
  const Int128 pq = MilliNotional(t.price, t.qty_kg);
  lifetime_volume_kg_ += t.qty_kg;
  lifetime_notional_milli_ += pq;
  now_us_ = t.ts_us;
  window_.push_back(Entry{t.ts_us, t.instrument, t.price, t.qty_kg, t.categories});
  PerInstrument& per = by_instrument_[t.instrument];
  per.trades += 1;
  for (IndexCategory c : kIndexCategories) {
    if (!InCategory(t.categories, c)) continue;
    const size_t k = static_cast<size_t>(c);
    for (Sums* s : {&totals_[k], &per.cat[k]}) {
      s->trades += 1;
      s->volume_kg += t.qty_kg;
      s->notional_milli += pq;
    }
  }
  Expire();
  return Ok();
}

Result<void> CategoryIndex::AdvanceTime(int64_t now_us) {
  if (now_us < now_us_) return Err(Code::kInvalidField, "time cannot go back", "ts");
  now_us_ = now_us;
  Expire();
  return Ok();
}

void CategoryIndex::Expire() {
  const int64_t cutoff = now_us_ - options_.window_us;
  while (!window_.empty() && window_.front().ts_us <= cutoff) {
    const Entry& e = window_.front();
    const Int128 pq = MilliNotional(e.price, e.qty_kg);
    auto it = by_instrument_.find(e.instrument);
    for (IndexCategory c : kIndexCategories) {
      if (!InCategory(e.categories, c)) continue;
      const size_t k = static_cast<size_t>(c);
      for (Sums* s : {&totals_[k], &it->second.cat[k]}) {
        s->trades -= 1;
        s->volume_kg -= e.qty_kg;
        s->notional_milli -= pq;
      }
    }
    if (--it->second.trades == 0) by_instrument_.erase(it);
    window_.pop_front();
  }
}

IndexValue CategoryIndex::Value(IndexCategory c, bool with_constituents) const {
  const size_t k = static_cast<size_t>(c);
  const Sums& total = totals_[k];
  IndexValue v;
  v.category = c;
  v.window_us = options_.window_us;
  v.as_of_us = now_us_;
  v.trades = total.trades;
  v.volume_kg = total.volume_kg;
  v.notional_milli = total.notional_milli;
  v.value = VwapOf(total.notional_milli, total.volume_kg);
  if (!with_constituents) return v;
  for (const auto& [id, per] : by_instrument_) {
    const Sums& s = per.cat[k];
    if (s.trades == 0) continue;
    IndexConstituent k;
    k.instrument = id;
    k.trades = s.trades;
    k.volume_kg = s.volume_kg;
    k.notional_milli = s.notional_milli;
    k.vwap = VwapOf(s.notional_milli, s.volume_kg);
    k.weight_bp = static_cast<int64_t>(static_cast<Int128>(s.volume_kg) * 10000 /
                                       total.volume_kg);
    v.constituents.push_back(k);
  }
  std::sort(v.constituents.begin(), v.constituents.end(),
            [](const IndexConstituent& a, const IndexConstituent& b) {
              return a.instrument < b.instrument;
            });
  return v;
}

}  // namespace cx::marketdata
