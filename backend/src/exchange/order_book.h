// Central limit order book for one instrument: price-time priority, integer prices and
// quantities, fills at the resting order's price.
//
// Thread-safety: none. Owned and called by the engine thread only.
//
// Outcomes are appended to the EventSink passed to each call, in the order they happen,
// and read by the caller after the call returns (a listener never re-enters the book).
// A call that returns an error appends nothing and changes nothing.
//
// Semantics (ReferenceBook implements exactly the same; the differential test holds both
// to it):
// - Submit: ValidateNewOrder (order_rules.h), then a live id -> kConflict. Non-stop
//   orders are pre-checked without mutation: post-only that would trade ->
//   kPostOnlyWouldTrade; FOK whose executable quantity < qty -> kFokNotFilled; min_qty > 0
//   whose executable quantity < min_qty -> kMinFillNotMet. "Executable quantity" walks the
//   crossing resting orders in priority order, counting full open quantity (iceberg hidden
//   part included); with STP active a same-account order stops the walk (cancel newest /
//   both) or is skipped (cancel oldest). Then kAccepted, matching, and the remainder
//   rests (limit GTC/GTT) or is cancelled (kUnfilled; kSelfTrade when STP stopped it).
// - Matching: best price first, then time. Each fill trades min(taker remainder, maker's
//   displayed qty) at the maker's price. An iceberg whose displayed part is used up while
//   hidden quantity remains is refilled to min(peak, open) and moves to the back of its
//   level (new time priority), where the same taker may reach it again.
// - STP (off in matching-only mode) by account: the taker's mode decides; see StpMode.
// - Stops: a stop buy triggers on a trade at >= stop_price, a stop sell at <= stop_price.
//   After an order finishes matching, its fills are walked in order; for each fill price,
//   untriggered buy stops it triggers (by stop price ascending, then age) and then sell
//   stops (stop price descending, then age) are triggered (kTriggered) and queued. Queued
//   orders then enter one by one in that order (a stop as market, a stop-limit as limit,
//   same tif/flags); their own fills can queue further stops behind them. A stop whose
//   condition already holds against the last trade price when submitted triggers at once.
//   A triggered order refused by its entry checks yields kRejected with the code.
// - Cancel: any live order (resting or untriggered stop), O(1): the id index gives the
//   node and the level's intrusive list unlinks it. Unknown id -> kUnknownOrder.
// - Replace (NW-1 semantics): new limit price and new absolute open quantity. Same price
//   and a quantity not above the current open quantity keeps time priority; anything
//   else is cancel + re-insert at the back of the queue at the new price (and may trade as
//   a taker). kReplaced is emitted first. Untriggered stops -> kBadState.
// - MassCancel(account): every live order of the account, in book order (bids best
//   first, then asks best first, each level in time order), then its untriggered stops in
//   acceptance order. O(live orders).
// - AdvanceTime(now): GTT orders with expire_at <= now are cancelled (kExpired) in
//   (expire_at, acceptance) order. The engine calls it with each command's timestamp;
//   the book never reads a clock.
// - ExportState / ImportState: the whole state as a value (book_state.h) for engine
//   snapshots; an imported book behaves exactly like the exported one.
//
// Data structures (README.md has the measurements behind them): orders live in a pooled
// vector of 64-byte nodes (index links, free list), with rarely used fields in a
// parallel cold vector. Once pools are warm, limit/market/IOC/FOK/iceberg orders, cancels
// and replaces allocate nothing; an untriggered stop costs one map node, a GTT order a
// heap slot (amortised), a refusal its error message. A Robin Hood open-addressing
// id -> node index (O(1)). Each price level is an intrusive doubly linked list of nodes,
// so a cancel never scans a level; levels keep displayed and total open quantity, so FOK
// and minimum-fill checks sum levels (orders are walked only when STP is active). Levels
// per side are kept in a vector sorted with the best price at the back (best bid/ask
// O(1)), plus a (side, price) -> level hash so an order joins an existing level in O(1);
// only a new level searches the vector (from the touch, binary search beyond 16 levels).
// Stops: ordered maps by (stop price, acceptance). Expiry: a lazy min-heap.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "exchange/book_state.h"
#include "exchange/types.h"

namespace cx::exchange {

// Starts loading the cache line at `p`. Not __builtin_prefetch: in a function that does
// nothing else, GCC 12's IPA mod-ref analysis deems it side-effect free and deletes the
// call (found when the NW-1 look-ahead hints silently vanished from the binary); a
// volatile asm survives.
inline void PrefetchLine(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

class OrderBook final {
 public:
  explicit OrderBook(const BookParams& params);
  OrderBook(const OrderBook&) = delete;
  OrderBook& operator=(const OrderBook&) = delete;

  [[nodiscard]] Result<void> Submit(const NewOrder& order, EventSink& out);
  [[nodiscard]] Result<void> Cancel(OrderId id, EventSink& out);
  [[nodiscard]] Result<void> Replace(OrderId id, int64_t new_price, int64_t new_qty, EventSink& out);
  // Returns how many orders were cancelled (order: see the file comment).
  uint32_t MassCancel(AccountId account, EventSink& out);
  // Moves the book's clock forward (never back) and expires due GTT orders.
  void AdvanceTime(int64_t now, EventSink& out);

  std::optional<int64_t> best_bid() const;
  std::optional<int64_t> best_ask() const;
  std::optional<int64_t> last_trade_price() const {
    return has_last_ ? std::optional<int64_t>(last_price_) : std::nullopt;
  }
  size_t live_orders() const { return index_.size(); }
  const BookParams& params() const { return params_; }
  int64_t now() const { return now_; }
  std::optional<RestingOrder> Find(OrderId id) const;
  // Optional hint for an engine that can see upcoming commands: starts loading the index
  // slot of `id` (stage 0), once that is cached its order node (stage 1), and once that
  // is cached the node's queue neighbours that a cancel will touch (stage 2).
  // Never changes state or results.
  void Prefetch(OrderId id, int stage) const {
    const uint64_t k = uint64_t(id.value());
    if (stage == 0) {
      index_.PrefetchSlot(k);
      return;
    }
    const uint32_t n = index_.Candidate(k);
    if (n == kNil) return;
    if (stage == 1) {
      PrefetchLine(&nodes_[n]);
    } else {
      const Node& nd = nodes_[n];  // unconfirmed candidate: its links are only hints
      if (nd.prev < nodes_.size()) PrefetchLine(&nodes_[nd.prev]);
      if (nd.next < nodes_.size()) PrefetchLine(&nodes_[nd.next]);
    }
  }
  // Up to `max_levels` levels from the best price outwards.
  std::vector<DepthLevel> Depth(Side side, size_t max_levels) const;
  // Displayed quantity resting at one price (0 if no level there). O(1).
  int64_t DisplayedAt(Side side, int64_t price) const;
  BookSnapshot Snapshot() const;
  // Snapshot support (book_state.h has the format and its canonical form).
  // ExportState: every live order, queue order, stops, clock, serial and last trade.
  // O(live orders + stops log stops); allocates. Not for the hot path.
  BookState ExportState() const;
  // Rebuilds the book from `state`, which then behaves exactly like the exported book.
  // Needs a book without live orders (new, or every order gone), else kBadState; the
  // clock, serial and last trade are replaced. The whole state is validated before any
  // change, and a refusal leaves the book as it was. Refusals (field names the offending
  // entry, e.g. "bids[3].visible"):
  //   version != kBookStateVersion                        kUnsupported   "version"
  //   instrument / tick / lot / matching_only != params   kConflict      that field
  //   next_serial < 1; last trade price out of range, off
  //     tick, or non-zero without a trade                 kInvalidField / kOffTick
  //   an enum out of range, id == 0, side not the list's,
  //     resting order not kLimit GTC/GTT, stop not
  //     kStop/kStopLimit, a field not canonical (0 where
  //     the book keeps nothing), order of prices wrong
  //     (bids descending, asks ascending), crossed book     kInvalidField
  //   price / quantity rules as for Submit (order_rules.h,
  //     stops with qty = leaves); resting leaves in
  //     1..10^12, visible == leaves (plain) or in
  //     1..min(display_qty, leaves) (iceberg)              kInvalidField / kBadQuantity /
  //                                                        kOffTick / kOffLot
  //   GTT expire_at <= now; serial missing, >= next_serial,
  //     or stops not in serial order                      kInvalidField
  //   a stop that the last trade price already triggers   kInvalidField  "stops[i].stop_price"
  //   an id or a serial used twice                        kConflict
  //   2^31 orders or more                                 kTooLarge
  [[nodiscard]] Result<void> ImportState(const BookState& state);
  // Walks every structure and checks the invariants the fast paths rely on (sorted sides,
  // level aggregates, link symmetry, id and level indexes). O(live orders); for tests.
  // Returns an empty string when all hold, else what is broken.
  std::string CheckInvariants() const;

 private:
  static constexpr uint32_t kNil = 0xffffffffu;

  // Hot part of an order: exactly one cache line. Fields needed only at entry, on iceberg
  // refill or for expiry/mass cancel live in the parallel `cold_` vector.
  struct alignas(64) Node {
    int64_t leaves;   // open quantity, visible + hidden
    int64_t visible;  // displayed part still in the queue
    int64_t price;
    uint64_t id;      // 0 = free node
    uint64_t account;
    uint32_t prev, next;
    uint32_t level;   // level slot, or kNil when not resting
    Side side;
    OrderType type;
    TimeInForce tif;
    StpMode stp;
    bool post_only;
    bool pending_stop;
    bool iceberg;     // cold_.peak is set
  };
  static_assert(sizeof(Node) == 64);
  struct Cold {
    int64_t peak;     // iceberg display size; 0 = plain
    int64_t stop_price;
    int64_t min_qty;
    int64_t expire_at;
    uint64_t serial;  // acceptance order
  };
  struct Level {
    int64_t price;
    int64_t qty;    // displayed
    int64_t total;  // open, hidden included: FOK / min-fill checks sum levels, not orders
    uint32_t head, tail, count;
    Side side;
  };
  struct LevelRef {
    int64_t price;
    uint32_t level;
  };

  // Open-addressing hash map order id -> node index: Robin Hood linear probing,
  // backward-shift erase. A slot is 8 bytes: a 32-bit tag of the id and the node index; the full id is
  // confirmed on the node (which the caller reads next anyway). Ids come from the
  // sequencer (increasing), and the home slot keeps consecutive ids in adjacent slots, so
  // inserts stay in cache.
  class IdIndex {
   public:
    explicit IdIndex(uint32_t expected);
    uint32_t Find(uint64_t id, const std::vector<Node>& nodes) const;
    // First node whose tag matches (unconfirmed); for prefetching only.
    uint32_t Candidate(uint64_t id) const {
      const uint32_t tag = Tag(id);
      size_t i = Home(tag);
      for (size_t d = 0;; ++d, i = (i + 1) & mask_) {
        const Slot s = slots_[i];
        if (s.val == kNil || ((i - Home(s.tag)) & mask_) < d) return kNil;
        if (s.tag == tag) return s.val;
      }
    }
    // Adds id -> node unless the id is present (then returns false, nothing changes).
    bool InsertUnique(uint64_t id, uint32_t node, const std::vector<Node>& nodes);
    void Erase(uint64_t id, const std::vector<Node>& nodes);
    size_t size() const { return size_; }
    void PrefetchSlot(uint64_t id) const { PrefetchLine(&slots_[Home(Tag(id))]); }

   private:
    struct Slot { uint32_t tag; uint32_t val; };  // val == kNil: empty
    static uint32_t Tag(uint64_t k) { return uint32_t(k) ^ uint32_t(k >> 32); }
    size_t Home(uint32_t tag) const { return (tag ^ (tag >> shift_)) & mask_; }
    void Grow();
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    int shift_ = 0;
    size_t size_ = 0;
  };

  // (side, price) -> level slot, open addressing; keys are confirmed on the level itself.
  // Lets an order join an existing level in O(1); only a new level pays the search for its
  // place in the sorted side vector.
  class LevelIndex {
   public:
    LevelIndex();
    uint32_t Find(Side s, int64_t price, const std::vector<Level>& levels) const;
    void Insert(Side s, int64_t price, uint32_t level, const std::vector<Level>& levels);
    void Erase(Side s, int64_t price, const std::vector<Level>& levels);

   private:
    size_t Home(Side s, int64_t price) const {
      return ((uint64_t(price) * 2 + uint64_t(s)) * 0x9E3779B97F4A7C15ull) >> shift_;
    }
    void Grow(const std::vector<Level>& levels);
    std::vector<uint32_t> slots_;
    size_t mask_ = 0;
    int shift_ = 0;
    size_t size_ = 0;
  };

  struct Expiry {
    int64_t at;
    uint64_t serial;
    uint64_t id;
    bool operator>(const Expiry& o) const { return at != o.at ? at > o.at : serial > o.serial; }
  };

  uint32_t AllocNode();
  void FreeNode(uint32_t n);
  uint32_t AllocLevel(Side side, int64_t price);
  std::vector<LevelRef>& SideLevels(Side s) { return s == Side::kBuy ? bids_ : asks_; }
  const std::vector<LevelRef>& SideLevels(Side s) const { return s == Side::kBuy ? bids_ : asks_; }
  size_t FindLevelPos(Side s, int64_t price, bool* found) const;
  void Rest(uint32_t n);                      // append to the back of its price level
  void Unlink(uint32_t n);                    // remove from level (drops empty level)
  void Remove(uint32_t n);                    // unlink/unstop + erase from index + free
  void CancelNode(uint32_t n, CancelReason why, EventSink& out);
  int64_t Executable(const Node& t, int64_t need) const;
  // Pre-checks + matching + rest/cancel of the remainder for node `n` (already in the
  // index). On a refusal returns the code and leaves the book unchanged.
  // min_qty and peak are passed in (not read from cold_) to keep entry to one cache line.
  Code Enter(uint32_t n, EventSink& out, bool emit_accept, int64_t min_qty, int64_t peak);
  template <Side kTaker>
  void Match(uint32_t n, EventSink& out, bool* stp_stop);
  void CollectTriggers(size_t from, EventSink& out);
  void RunTriggered(EventSink& out);
  void AddStop(uint32_t n);
  void EraseStop(uint32_t n);
  BookOrderState ExportOrder(uint32_t n) const;
  uint32_t ImportOrder(const BookOrderState& o);  // node + cold + id index + expiry

  BookParams params_;
  std::vector<Node> nodes_;
  std::vector<Cold> cold_;
  uint32_t free_nodes_ = kNil;
  std::vector<Level> levels_;
  std::vector<uint32_t> free_levels_;
  std::vector<LevelRef> bids_;  // ascending price: best bid at back
  std::vector<LevelRef> asks_;  // descending price: best ask at back
  IdIndex index_;
  LevelIndex level_index_;
  std::map<std::pair<int64_t, uint64_t>, uint32_t> buy_stops_;   // (stop, serial)
  std::map<std::pair<int64_t, uint64_t>, uint32_t> sell_stops_;  // (-stop, serial)
  std::priority_queue<Expiry, std::vector<Expiry>, std::greater<Expiry>> expiries_;
  std::vector<uint32_t> trigger_queue_;
  size_t trigger_head_ = 0;
  uint64_t next_serial_ = 1;
  int64_t now_ = INT64_MIN;
  int64_t last_price_ = 0;
  bool has_last_ = false;
};

}  // namespace cx::exchange
