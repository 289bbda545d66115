#include "registry/ranges.h"

#include <algorithm>
#include <cassert>

namespace cx::registry {

int64_t TotalOf(const Ranges& rs) {
  int64_t t = 0;
  for (const auto& r : rs) t += r.second - r.first;
  return t;
}

void RangeSet::Add(int64_t lo, int64_t hi) {
  if (lo >= hi) return;
  total_ += hi - lo;
  // First range whose end >= lo (could merge on the left).
  auto it = std::lower_bound(r_.begin(), r_.end(), lo,
                             [](const Range& a, int64_t v) { return a.second < v; });
  if (it != r_.end() && it->first <= hi) {
    assert(it->second == lo || it->first == hi);
    if (it->second == lo) {
      it->second = hi;
      auto next = it + 1;
      if (next != r_.end() && next->first == hi) {
        it->second = next->second;
        r_.erase(next);
      }
    } else {
      it->first = lo;
    }
    return;
  }
  r_.insert(it, Range{lo, hi});
}

Ranges RangeSet::TakeLowest(int64_t qty) {
  Ranges out;
  size_t i = 0;
  while (qty > 0 && i < r_.size()) {
    Range& x = r_[i];
    int64_t n = x.second - x.first;
    if (n <= qty) {
      out.push_back(x);
      qty -= n;
      total_ -= n;
      ++i;
    } else {
      out.push_back({x.first, x.first + qty});
      x.first += qty;
      total_ -= qty;
      qty = 0;
    }
  }
  r_.erase(r_.begin(), r_.begin() + static_cast<long>(i));
  return out;
}

Ranges RangeSet::PeekLowest(int64_t qty) const {
  Ranges out;
  for (size_t i = 0; qty > 0 && i < r_.size(); ++i) {
    int64_t n = r_[i].second - r_[i].first;
    int64_t take = n <= qty ? n : qty;
    out.push_back({r_[i].first, r_[i].first + take});
    qty -= take;
  }
  return out;
}

bool RangeSet::Contains(int64_t lo, int64_t hi) const {
  auto it = std::upper_bound(r_.begin(), r_.end(), lo,
                             [](int64_t v, const Range& a) { return v < a.second; });
  return it != r_.end() && it->first <= lo && hi <= it->second;
}

bool RangeSet::ContainsAll(const Ranges& rs) const {
  for (const auto& x : rs)
    if (x.first >= x.second || !Contains(x.first, x.second)) return false;
  return true;
}

bool RangeSet::Overlaps(int64_t lo, int64_t hi) const {
  auto it = std::upper_bound(r_.begin(), r_.end(), lo,
                             [](int64_t v, const Range& a) { return v < a.second; });
  return it != r_.end() && it->first < hi;
}

void RangeSet::RemoveAll(const Ranges& rs) {
  for (const auto& x : rs) {
    auto it = std::upper_bound(r_.begin(), r_.end(), x.first,
                               [](int64_t v, const Range& a) { return v < a.second; });
    assert(it != r_.end() && it->first <= x.first && x.second <= it->second);
    total_ -= x.second - x.first;
    if (it->first == x.first && it->second == x.second) {
      r_.erase(it);
    } else if (it->first == x.first) {
      it->first = x.second;
    } else if (it->second == x.second) {
      it->second = x.first;
    } else {
      Range tail{x.second, it->second};
      it->second = x.first;
      r_.insert(it + 1, tail);
    }
  }
}

}  // namespace cx::registry
