#include "marketdata/depth.h"

#include <algorithm>

namespace cx::marketdata {
namespace {

template <typename Map>
std::vector<Level> TopOf(const Map& m, size_t n) {
  std::vector<Level> out;
  out.reserve(n == 0 ? m.size() : std::min(n, m.size()));
  for (const auto& [p, q] : m) {
    if (n != 0 && out.size() >= n) break;
    out.push_back(Level{p, q});
  }
  return out;
}

template <typename Map>
std::optional<Level> BestOf(const Map& m) {
  if (m.empty()) return std::nullopt;
  return Level{m.begin()->first, m.begin()->second};
}

// Sets a level; returns the previous qty (0 when absent).
template <typename Map>
int64_t SetLevel(Map& m, int64_t price, int64_t qty) {
  auto it = m.find(price);
  int64_t old = it == m.end() ? 0 : it->second;
  if (qty == 0) {
    if (it != m.end()) m.erase(it);
  } else if (it == m.end()) {
    m.emplace(price, qty);
  } else {
    it->second = qty;
  }
  return old;
}

}  // namespace

Result<DepthDelta> DepthBook::Apply(std::span<const LevelUpdate> updates) {
  // Field checks first, for the whole batch.
  for (const LevelUpdate& u : updates) {
    if (u.side != Side::kBuy && u.side != Side::kSell)
      return Err(Code::kInvalidField, "unknown side", "side");
    if (u.price <= 0 || u.price > kMaxPrice)
      return Err(Code::kInvalidField, "price must be in 1..10^15 minor units", "price");
    if (u.qty_kg < 0 || u.qty_kg > kMaxQtyKg)
      return Err(Code::kInvalidField, "level quantity must be in 0..10^12 kg", "qty");
  }
  // Apply in order with an undo log; roll back on a removal of a missing level.
  struct Undo {
    Side side;
    int64_t price;
    int64_t old_qty;
  };
  std::vector<Undo> undo;
  undo.reserve(updates.size());
  DepthDelta delta;
  delta.instrument = instrument_;
  for (const LevelUpdate& u : updates) {
    int64_t old = u.side == Side::kBuy ? SetLevel(bids_, u.price, u.qty_kg)
                                       : SetLevel(asks_, u.price, u.qty_kg);
    if (u.qty_kg == 0 && old == 0) {
      for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
        if (it->side == Side::kBuy) SetLevel(bids_, it->price, it->old_qty);
        else SetLevel(asks_, it->price, it->old_qty);
      }
      return Err(Code::kNotFound, "removing a price level that does not exist", "price");
    }
    undo.push_back(Undo{u.side, u.price, old});
    if (old != u.qty_kg) delta.changes.push_back(u);
  }
  if (!delta.changes.empty()) ++seq_;
  delta.seq = seq_;
  return delta;
}

DepthSnapshot DepthBook::Snapshot(size_t depth) const {
  return DepthSnapshot{instrument_, seq_, TopOf(bids_, depth), TopOf(asks_, depth)};
}

std::vector<Level> DepthBook::Top(Side side, size_t n) const {
  return side == Side::kBuy ? TopOf(bids_, n) : TopOf(asks_, n);
}
std::optional<Level> DepthBook::best_bid() const { return BestOf(bids_); }
std::optional<Level> DepthBook::best_ask() const { return BestOf(asks_); }

void DepthClient::ApplySnapshot(const DepthSnapshot& s) {
  bids_.clear();
  asks_.clear();
  for (const Level& l : s.bids) bids_[l.price] = l.qty_kg;
  for (const Level& l : s.asks) asks_[l.price] = l.qty_kg;
  seq_ = s.seq;
  synced_ = true;
  needs_resync_ = false;
}

DepthClient::Status DepthClient::ApplyDelta(const DepthDelta& d) {
  if (!synced_ || needs_resync_) return Status::kNeedsSnapshot;
  if (d.seq <= seq_) return Status::kStale;
  if (d.seq != seq_ + 1) {
    needs_resync_ = true;
    ++gaps_;
    return Status::kGap;
  }
  for (const LevelUpdate& u : d.changes) {
    int64_t old = u.side == Side::kBuy ? SetLevel(bids_, u.price, u.qty_kg)
                                       : SetLevel(asks_, u.price, u.qty_kg);
    if (u.qty_kg == 0 && old == 0) {
      needs_resync_ = true;
      return Status::kInconsistent;
    }
  }
  seq_ = d.seq;
  return Status::kApplied;
}

std::vector<Level> DepthClient::Top(Side side, size_t n) const {
  return side == Side::kBuy ? TopOf(bids_, n) : TopOf(asks_, n);
}
std::optional<Level> DepthClient::best_bid() const { return BestOf(bids_); }
std::optional<Level> DepthClient::best_ask() const { return BestOf(asks_); }
DepthSnapshot DepthClient::Book() const {
  return DepthSnapshot{instrument_, seq_, TopOf(bids_, 0), TopOf(asks_, 0)};
}

}  // namespace cx::marketdata
