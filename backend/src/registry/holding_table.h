// HoldingTable: holdings keyed by (account, batch) in one open-addressing hash table
// (linear probing, power-of-two capacity, load <= 1/2), values stored inline, so a lookup
// costs one or two cache misses instead of the four of a node-based map. References are
// invalidated by an insertion that grows the table; callers hold them only within one
// Decide/Apply. Account ids are > 0 (0 marks an empty slot). Not thread-safe.
#pragma once
#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "registry/model.h"

namespace cx::registry {

class HoldingTable {
 public:
  const Holding* Find(int64_t account, int64_t batch) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Hash(account, batch) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.account == account && s.batch == batch) return &s.h;
      if (s.account == 0) return nullptr;
    }
  }
  Holding& Get(int64_t account, int64_t batch) {
    if ((n_ + 1) * 2 > slots_.size()) Grow();
    for (size_t i = Hash(account, batch) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.account == account && s.batch == batch) return s.h;
      if (s.account == 0) {
        s.account = account;
        s.batch = batch;
        ++n_;
        by_account_[account].push_back(batch);
        return s.h;
      }
    }
  }
  // Batches an account has (had) a holding of, in ascending order.
  std::vector<int64_t> BatchesOf(int64_t account) const {
    auto it = by_account_.find(account);
    if (it == by_account_.end()) return {};
    std::vector<int64_t> v = it->second;
    std::sort(v.begin(), v.end());
    return v;
  }
  std::vector<int64_t> Accounts() const {
    std::vector<int64_t> v;
    for (const auto& [a, bs] : by_account_) v.push_back(a);
    std::sort(v.begin(), v.end());
    return v;
  }
  template <class F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_)
      if (s.account != 0) f(s.account, s.batch, s.h);
  }
  size_t size() const { return n_; }
  void Clear() {
    slots_.clear();
    by_account_.clear();
    n_ = 0;
    mask_ = 0;
  }

 private:
  struct Slot {
    int64_t account = 0;
    int64_t batch = 0;
    Holding h;
  };
  static size_t Hash(int64_t a, int64_t b) {
    uint64_t h = static_cast<uint64_t>(a) * 0x9E3779B97F4A7C15ull ^ (static_cast<uint64_t>(b) * 0xC2B2AE3D27D4EB4Full);
    return static_cast<size_t>(h ^ (h >> 31));
  }
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.empty() ? 1024 : old.size() * 2);
    mask_ = slots_.size() - 1;
    for (Slot& s : old) {
      if (s.account == 0) continue;
      size_t i = Hash(s.account, s.batch) & mask_;
      while (slots_[i].account != 0) i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }
  std::vector<Slot> slots_;
  size_t n_ = 0;
  size_t mask_ = 0;
  std::unordered_map<int64_t, std::vector<int64_t>> by_account_;
};

}  // namespace cx::registry
