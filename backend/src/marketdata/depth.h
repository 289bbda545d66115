// L2 depth per instrument: DepthBook (the server side) keeps aggregated price levels,
// applies level updates and numbers every change; DepthClient (a model of the client side)
// rebuilds the book from a snapshot plus deltas and notices a lost delta.
//
// Sequencing contract of a depth channel ("depth:<instrument>"):
// - The book's seq starts at 0. Each accepted Apply() that changes at least one level
//   yields ONE delta with seq = previous seq + 1 (strictly +1, no gaps, per instrument).
// - A snapshot carries the seq of the last delta it already includes. A client applies a
//   snapshot, drops deltas with seq <= snapshot seq (stale), applies seq == last + 1, and
//   on any other seq has lost a delta: it must resync (fetch a new snapshot).
// - A delta lists level changes in the order applied: (side, price, new total qty), qty 0
//   removing the level. Applying them in order reproduces the server's book.
//
// DepthBook::Apply validates and applies a batch atomically: on error (kInvalidField for a
// bad side/price/qty, kNotFound for removing a level that does not exist) nothing changed
// and no seq was used. Updates that set a level to the qty it already has are dropped from
// the delta; a batch that changes nothing yields an empty delta and uses no seq.
// No I/O, no clock, no threads. Not thread-safe: one owner each.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "marketdata/types.h"

namespace cx::marketdata {

struct Level {
  int64_t price = 0;   // minor units per tonne
  int64_t qty_kg = 0;  // total resting quantity at this price
  friend bool operator==(const Level&, const Level&) = default;
};

struct LevelUpdate {
  Side side = Side::kBuy;  // kBuy = bid side, kSell = ask side
  int64_t price = 0;
  int64_t qty_kg = 0;      // new total at the level; 0 removes it
  friend bool operator==(const LevelUpdate&, const LevelUpdate&) = default;
};

struct DepthSnapshot {
  InstrumentId instrument;
  uint64_t seq = 0;
  std::vector<Level> bids;  // best (highest) first
  std::vector<Level> asks;  // best (lowest) first
};

struct DepthDelta {
  InstrumentId instrument;
  uint64_t seq = 0;
  std::vector<LevelUpdate> changes;  // empty: nothing changed, nothing to publish
};

class DepthBook {
 public:
  explicit DepthBook(InstrumentId instrument) : instrument_(instrument) {}

  [[nodiscard]] Result<DepthDelta> Apply(std::span<const LevelUpdate> updates);
  [[nodiscard]] Result<DepthDelta> Apply(const LevelUpdate& u) { return Apply({&u, 1}); }

  // The whole book when depth == 0, else the best `depth` levels per side.
  DepthSnapshot Snapshot(size_t depth = 0) const;
  std::vector<Level> Top(Side side, size_t n) const;
  std::optional<Level> best_bid() const;
  std::optional<Level> best_ask() const;
  uint64_t seq() const { return seq_; }
  size_t bid_levels() const { return bids_.size(); }
  size_t ask_levels() const { return asks_.size(); }
  InstrumentId instrument() const { return instrument_; }

 private:
  InstrumentId instrument_;
  uint64_t seq_ = 0;
  std::map<int64_t, int64_t, std::greater<>> bids_;
  std::map<int64_t, int64_t> asks_;
};

class DepthClient {
 public:
  enum class Status : uint8_t {
    kApplied = 0,        // delta seq == last + 1, applied
    kStale = 1,          // seq <= last: already in the snapshot; ignored
    kGap = 2,            // seq > last + 1: a delta was lost; needs_resync() is now true
    kNeedsSnapshot = 3,  // no snapshot yet, or a resync is pending; delta ignored
    kInconsistent = 4,   // delta does not fit the local book (e.g. removes a missing
                         // level): needs_resync() is now true
  };

  explicit DepthClient(InstrumentId instrument) : instrument_(instrument) {}

  void ApplySnapshot(const DepthSnapshot& s);
  Status ApplyDelta(const DepthDelta& d);

  bool synced() const { return synced_ && !needs_resync_; }
  bool needs_resync() const { return needs_resync_ || !synced_; }
  uint64_t seq() const { return seq_; }
  uint64_t gaps_detected() const { return gaps_; }
  std::vector<Level> Top(Side side, size_t n) const;
  std::optional<Level> best_bid() const;
  std::optional<Level> best_ask() const;
  DepthSnapshot Book() const;  // the local book with its seq

 private:
  InstrumentId instrument_;
  bool synced_ = false;
  bool needs_resync_ = false;
  uint64_t seq_ = 0;
  uint64_t gaps_ = 0;
  std::map<int64_t, int64_t, std::greater<>> bids_;
  std::map<int64_t, int64_t> asks_;
};

}  // namespace cx::marketdata
