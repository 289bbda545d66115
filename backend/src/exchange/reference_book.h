// ReferenceBook: a deliberately naive order book with the same interface and the same
// semantics as OrderBook (see order_book.h), written to be obviously correct rather than
// fast: orders in plain vectors, every decision by a linear scan (the best maker is found
// by scanning all resting orders for the best price, then the lowest priority number).
// Used only by tests, as the oracle in the differential test. Not thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.h"
#include "exchange/types.h"

namespace cx::exchange {

class ReferenceBook final {
 public:
  explicit ReferenceBook(const BookParams& params);

  [[nodiscard]] Result<void> Submit(const NewOrder& order, EventSink& out);
  [[nodiscard]] Result<void> Cancel(OrderId id, EventSink& out);
  [[nodiscard]] Result<void> Replace(OrderId id, int64_t new_price, int64_t new_qty, EventSink& out);
  uint32_t MassCancel(AccountId account, EventSink& out);
  void AdvanceTime(int64_t now, EventSink& out);

  std::optional<int64_t> best_bid() const;
  std::optional<int64_t> best_ask() const;
  std::optional<int64_t> last_trade_price() const { return last_; }
  size_t live_orders() const { return book_.size() + stops_.size(); }
  std::optional<RestingOrder> Find(OrderId id) const;
  std::vector<DepthLevel> Depth(Side side, size_t max_levels) const;
  BookSnapshot Snapshot() const;

 private:
  struct Ord {
    NewOrder o;          // as submitted (type becomes market/limit once triggered)
    int64_t leaves = 0;
    int64_t visible = 0;
    uint64_t priority = 0;  // time priority within a price: lower is older
    uint64_t serial = 0;    // acceptance order
  };

  std::vector<Ord> SortedSide(Side side) const;  // best first, time order within price
  int Locate(const std::vector<Ord>& v, OrderId id) const;
  int64_t Executable(const Ord& t, int64_t need) const;
  Code Enter(Ord t, EventSink& out, bool emit_accept);
  void Collect(size_t from, EventSink& out);
  void RunQueue(EventSink& out);
  void EmitCancel(const Ord& o, CancelReason why, EventSink& out);

  BookParams params_;
  std::vector<Ord> book_;   // resting orders, any order
  std::vector<Ord> stops_;  // untriggered stops
  std::vector<Ord> queue_;  // triggered, waiting to enter
  std::optional<int64_t> last_;
  uint64_t next_priority_ = 1;
  uint64_t next_serial_ = 1;
  int64_t now_ = INT64_MIN;
};

}  // namespace cx::exchange
