// RangeSet: a set of disjoint, non-adjacent half-open kilogram ranges [lo, hi) within one
// credit batch, kept sorted. A holding of a batch is a RangeSet; kilogram k of a batch is
// part of tonne serial (serial_start + k / 1000). Not thread-safe; a value type.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

namespace cx::registry {

using Range = std::pair<int64_t, int64_t>;  // [first, second)
using Ranges = std::vector<Range>;

class RangeSet {
 public:
  const Ranges& ranges() const { return r_; }
  int64_t total() const { return total_; }
  bool empty() const { return r_.empty(); }
  // Adds [lo, hi); the caller guarantees it does not overlap what is held (checked in
  // debug builds; callers check with Contains/Overlaps first).
  void Add(int64_t lo, int64_t hi);
  void AddAll(const Ranges& rs) {
    for (const auto& x : rs) Add(x.first, x.second);
  }
  // Removes `qty` kilograms from the lowest offsets and returns the ranges removed.
  // Precondition: qty <= total().
  Ranges TakeLowest(int64_t qty);
  // The ranges TakeLowest(qty) would remove, without removing them.
  Ranges PeekLowest(int64_t qty) const;
  // True if every range of `rs` is held.
  bool ContainsAll(const Ranges& rs) const;
  bool Contains(int64_t lo, int64_t hi) const;
  // Removes exactly these ranges; precondition ContainsAll(rs).
  void RemoveAll(const Ranges& rs);
  bool Overlaps(int64_t lo, int64_t hi) const;
  void Clear() {
    r_.clear();
    total_ = 0;
  }
  template <class V>
  void Fields(V& v) {
    v("r", r_);
    v("t", total_);
  }

 private:
  Ranges r_;
  int64_t total_ = 0;
};

int64_t TotalOf(const Ranges& rs);

}  // namespace cx::registry
