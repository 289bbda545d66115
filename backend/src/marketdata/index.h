// Category price indices, like a GEO benchmark: for each category (all trades, nature-
// based, technical, removals) the volume-weighted average price of every trade in a
// flagged instrument within a rolling window, with its constituents (per-instrument
// volume, notional, trade count and weight).
//
// Contract:
// - Apply(trade) takes the trades of ALL instruments in time order (ts non-decreasing
//   across instruments); a trade counts in "all" and in each category whose flag it
//   carries. Refused, changing nothing: bad fields (ValidateTrade), ts earlier than the
//   index's time (kInvalidField "ts"), lifetime volume past INT64_MAX kg or lifetime
//   price*kg past the 128-bit limit (kOverflow). Trade ids are not checked here (the
//   per-instrument MarketData refuses duplicates).
// - The window holds trades with now - window_us < ts <= now; AdvanceTime(now) expires.
// - Index value = sum(price * qty_kg) / sum(qty_kg), nearest minor unit, halves up.
//   Constituent weight = its volume / category volume in basis points (an inherently
//   fractional ratio, shown as integer basis points truncated toward zero; weights may
//   therefore sum to slightly less than 10000).
// - O(1) amortized per trade (one deque, per-category and per-instrument running sums).
// No I/O, no clock, no threads. Not thread-safe: one owner.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "marketdata/ring.h"
#include "marketdata/types.h"

namespace cx::marketdata {

enum class IndexCategory : uint8_t { kAll = 0, kNatureBased = 1, kTechnical = 2, kRemoval = 3 };
inline constexpr int kIndexCategoryCount = 4;
inline constexpr IndexCategory kIndexCategories[kIndexCategoryCount] = {
    IndexCategory::kAll, IndexCategory::kNatureBased, IndexCategory::kTechnical,
    IndexCategory::kRemoval};
std::string_view IndexCategoryName(IndexCategory c);  // "all" "nature" "technical" "removal"
Result<IndexCategory> ParseIndexCategory(std::string_view s);  // kInvalidField "index"
bool InCategory(uint8_t flags, IndexCategory c);

struct IndexConstituent {
  InstrumentId instrument;
  int64_t trades = 0;
  int64_t volume_kg = 0;
  Int128 notional_milli = 0;
  std::optional<int64_t> vwap;
  int64_t weight_bp = 0;
};

struct IndexValue {
  IndexCategory category = IndexCategory::kAll;
  int64_t window_us = 0;
  int64_t as_of_us = 0;
  std::optional<int64_t> value;  // absent when no trade in the window
  int64_t trades = 0;
  int64_t volume_kg = 0;
  Int128 notional_milli = 0;
  std::vector<IndexConstituent> constituents;  // by instrument id, ascending
};

struct IndexOptions {
  int64_t window_us = kUsPerDay;
};

class CategoryIndex {
 public:
  explicit CategoryIndex(IndexOptions options = {});
  [[nodiscard]] Result<void> Apply(const Trade& t);
  // The checks of Apply without applying: Apply(t) succeeds iff Check(t) does.
  [[nodiscard]] Result<void> Check(const Trade& t) const;
  [[nodiscard]] Result<void> AdvanceTime(int64_t now_us);
  // with_constituents = false leaves `constituents` empty (O(1) instead of O(instruments)).
  IndexValue Value(IndexCategory c, bool with_constituents = true) const;
  int64_t now_us() const { return now_us_; }

 private:
  struct Sums {
    int64_t trades = 0;
    int64_t volume_kg = 0;
    Int128 notional_milli = 0;
  };
  struct Entry {
    int64_t ts_us = 0;
    InstrumentId instrument;
    int64_t price = 0;
    int64_t qty_kg = 0;
    uint8_t categories = 0;
  };
  struct PerInstrument {
    std::array<Sums, kIndexCategoryCount> cat;
    int64_t trades = 0;  // in the window, any category; the entry goes at 0
  };
  void Expire();

  IndexOptions options_;
  int64_t now_us_ = 0;
  Ring<Entry> window_;
  std::array<Sums, kIndexCategoryCount> totals_;
  std::unordered_map<InstrumentId, PerInstrument> by_instrument_;
  int64_t lifetime_volume_kg_ = 0;
  Int128 lifetime_notional_milli_ = 0;
};

}  // namespace cx::marketdata
