#include "exchange/order_book.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>

#include "exchange/order_rules.h"

namespace cx::exchange {

// ---------------------------------------------------------------------------------------
// IdIndex

OrderBook::IdIndex::IdIndex(uint32_t expected) {
  size_t cap = 16;
  while (cap < size_t(expected) * 4) cap <<= 1;
  slots_.assign(cap, Slot{0, kNil});
  mask_ = cap - 1;
  shift_ = __builtin_ctzll(cap);
}

// Robin Hood linear probing: an entry's displacement from its home never exceeds that of
// the entry probing past it. With sequential ids almost every entry sits at its home
// (displacement 0), so lookups of absent ids and backward-shift erases stop at once.
uint32_t OrderBook::IdIndex::Find(uint64_t id, const std::vector<Node>& nodes) const {
  const uint32_t tag = Tag(id);
  size_t i = Home(tag);
  for (size_t d = 0;; ++d, i = (i + 1) & mask_) {
    const Slot s = slots_[i];
    if (s.val == kNil || ((i - Home(s.tag)) & mask_) < d) return kNil;
    if (s.tag == tag && nodes[s.val].id == id) return s.val;
  }
}

bool OrderBook::IdIndex::InsertUnique(uint64_t id, uint32_t node, const std::vector<Node>& nodes) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const uint32_t tag = Tag(id);
  size_t i = Home(tag);
  size_t d = 0;
  // Search phase: where an absent id would be found is exactly where it is inserted.
  for (;; ++d, i = (i + 1) & mask_) {
    const Slot s = slots_[i];
    if (s.val == kNil) {
      slots_[i] = Slot{tag, node};
      ++size_;
      return true;
    }
    if (((i - Home(s.tag)) & mask_) < d) break;
    if (s.tag == tag && nodes[s.val].id == id) return false;
  }
  // Insert phase: displace richer entries forward.
  Slot cur{tag, node};
  for (;; ++d, i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.val == kNil) {
      s = cur;
      break;
    }
    const size_t sd = (i - Home(s.tag)) & mask_;
    if (sd < d) {
      std::swap(cur, s);
      d = sd;
    }
  }
  ++size_;
  return true;
}

void OrderBook::IdIndex::Erase(uint64_t id, const std::vector<Node>& nodes) {
  const uint32_t tag = Tag(id);
  size_t i = Home(tag);
  for (size_t d = 0;; ++d, i = (i + 1) & mask_) {
    const Slot s = slots_[i];
    if (s.val == kNil || ((i - Home(s.tag)) & mask_) < d) return;
    if (s.tag == tag && nodes[s.val].id == id) break;
  }
  // Backward shift until an empty slot or an entry already at its home.
  for (;;) {
    const size_t j = (i + 1) & mask_;
    const Slot s = slots_[j];
    if (s.val == kNil || Home(s.tag) == j) break;
    slots_[i] = s;
    i = j;
  }
  slots_[i] = Slot{0, kNil};
  --size_;
}

void OrderBook::IdIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  const size_t cap = old.size() * 2;
  slots_.assign(cap, Slot{0, kNil});
  mask_ = cap - 1;
  shift_ = __builtin_ctzll(cap);
  const size_t n = size_;
  size_ = 0;
  for (const Slot& s : old)
    if (s.val != kNil) {
      // Re-insert by tag (the full id is not needed to place an entry).
      Slot cur = s;
      size_t i = Home(cur.tag);
      for (size_t d = 0;; ++d, i = (i + 1) & mask_) {
        Slot& t = slots_[i];
        if (t.val == kNil) {
          t = cur;
          break;
        }
        const size_t td = (i - Home(t.tag)) & mask_;
        if (td < d) {
          std::swap(cur, t);
          d = td;
        }
      }
    }
  size_ = n;
}

// ---------------------------------------------------------------------------------------
// LevelIndex

OrderBook::LevelIndex::LevelIndex() {
  slots_.assign(256, kNil);
  mask_ = 255;
  shift_ = 64 - 8;
}

uint32_t OrderBook::LevelIndex::Find(Side s, int64_t price, const std::vector<Level>& levels) const {
  for (size_t i = Home(s, price);; i = (i + 1) & mask_) {
    const uint32_t l = slots_[i];
    if (l == kNil) return kNil;
    if (levels[l].price == price && levels[l].side == s) return l;
  }
}

void OrderBook::LevelIndex::Insert(Side s, int64_t price, uint32_t level, const std::vector<Level>& levels) {
  if ((size_ + 1) * 2 > slots_.size()) Grow(levels);
  size_t i = Home(s, price);
  while (slots_[i] != kNil) i = (i + 1) & mask_;
  slots_[i] = level;
  ++size_;
}

void OrderBook::LevelIndex::Erase(Side s, int64_t price, const std::vector<Level>& levels) {
  size_t i = Home(s, price);
  for (;; i = (i + 1) & mask_) {
    const uint32_t l = slots_[i];
    if (l == kNil) return;
    if (levels[l].price == price && levels[l].side == s) break;
  }
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    const uint32_t l = slots_[j];
    if (l == kNil) break;
    const size_t h = Home(levels[l].side, levels[l].price);
    const bool in_range = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
    if (!in_range) {
      slots_[i] = l;
      i = j;
    }
  }
  slots_[i] = kNil;
  --size_;
}

void OrderBook::LevelIndex::Grow(const std::vector<Level>& levels) {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(old.size() * 2, kNil);
  mask_ = slots_.size() - 1;
  shift_ = 64 - __builtin_ctzll(slots_.size());
  for (uint32_t l : old)
    if (l != kNil) {
      size_t i = Home(levels[l].side, levels[l].price);
      while (slots_[i] != kNil) i = (i + 1) & mask_;
      slots_[i] = l;
    }
}

// ---------------------------------------------------------------------------------------
// Pools and levels

OrderBook::OrderBook(const BookParams& params) : params_(params), index_(params.expected_orders) {
  if (params_.tick_size <= 0) params_.tick_size = 1;
  if (params_.lot_size <= 0) params_.lot_size = 1;
  nodes_.reserve(params_.expected_orders);
  cold_.reserve(params_.expected_orders);
  levels_.reserve(256);
  bids_.reserve(256);
  asks_.reserve(256);
  trigger_queue_.reserve(16);
}

uint32_t OrderBook::AllocNode() {
  if (free_nodes_ != kNil) {
    uint32_t n = free_nodes_;
    free_nodes_ = nodes_[n].next;
    return n;
  }
  nodes_.emplace_back();
  cold_.emplace_back();
  return uint32_t(nodes_.size() - 1);
}

void OrderBook::FreeNode(uint32_t n) {
  nodes_[n].id = 0;  // marks the node free (ids are non-zero)
  nodes_[n].next = free_nodes_;
  free_nodes_ = n;
}

uint32_t OrderBook::AllocLevel(Side side, int64_t price) {
  uint32_t l;
  if (!free_levels_.empty()) {
    l = free_levels_.back();
    free_levels_.pop_back();
  } else {
    levels_.emplace_back();
    l = uint32_t(levels_.size() - 1);
  }
  levels_[l] = Level{price, 0, 0, kNil, kNil, 0, side};
  level_index_.Insert(side, price, l, levels_);
  return l;
}

// Vectors run worst -> best. Returns the position of `price` (found) or where it would
// be inserted. Scans from the best end, since activity clusters at the touch.
size_t OrderBook::FindLevelPos(Side s, int64_t price, bool* found) const {
  const std::vector<LevelRef>& v = SideLevels(s);
  auto better = [s](int64_t a, int64_t b) { return s == Side::kBuy ? a > b : a < b; };
  size_t i = v.size();
  int steps = 0;
  while (i > 0 && better(v[i - 1].price, price)) {
    --i;
    if (++steps == 16 && i > 16) {
      // Far from the touch: binary search over [0, i) for the first better element.
      size_t lo = 0, hi = i;
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (better(v[mid].price, price)) hi = mid; else lo = mid + 1;
      }
      i = lo;
      break;
    }
  }
  *found = i > 0 && v[i - 1].price == price;
  return *found ? i - 1 : i;
}

void OrderBook::Rest(uint32_t n) {
  Node& nd = nodes_[n];
  std::vector<LevelRef>& v = SideLevels(nd.side);
  uint32_t l;
  if (!v.empty() && v.back().price == nd.price) {
    l = v.back().level;
  } else {
    l = level_index_.Find(nd.side, nd.price, levels_);
    if (l == kNil) {
      bool found;
      const size_t pos = FindLevelPos(nd.side, nd.price, &found);
      l = AllocLevel(nd.side, nd.price);
      v.insert(v.begin() + pos, LevelRef{nd.price, l});
    }
  }
  Level& lv = levels_[l];
  nd.level = l;
  nd.next = kNil;
  nd.prev = lv.tail;
  if (lv.tail != kNil) nodes_[lv.tail].next = n; else lv.head = n;
  lv.tail = n;
  lv.qty += nd.visible;
  lv.total += nd.leaves;
  ++lv.count;
}

void OrderBook::Unlink(uint32_t n) {
  Node& nd = nodes_[n];
  Level& lv = levels_[nd.level];
  if (nd.prev != kNil) nodes_[nd.prev].next = nd.next; else lv.head = nd.next;
  if (nd.next != kNil) nodes_[nd.next].prev = nd.prev; else lv.tail = nd.prev;
  lv.qty -= nd.visible;
  lv.total -= nd.leaves;
  if (--lv.count == 0) {
    std::vector<LevelRef>& v = SideLevels(nd.side);
    if (v.back().level == nd.level) {
      v.pop_back();
    } else {
      bool found;
      size_t pos = FindLevelPos(nd.side, nd.price, &found);
      v.erase(v.begin() + pos);
    }
    level_index_.Erase(nd.side, nd.price, levels_);
    free_levels_.push_back(nd.level);
  }
  nd.level = kNil;
}

void OrderBook::AddStop(uint32_t n) {
  Node& nd = nodes_[n];
  nd.pending_stop = true;
  const Cold& c = cold_[n];
  if (nd.side == Side::kBuy) buy_stops_.emplace(std::make_pair(c.stop_price, c.serial), n);
  else sell_stops_.emplace(std::make_pair(-c.stop_price, c.serial), n);
}

void OrderBook::EraseStop(uint32_t n) {
  const Cold& c = cold_[n];
  if (nodes_[n].side == Side::kBuy) buy_stops_.erase(std::make_pair(c.stop_price, c.serial));
  else sell_stops_.erase(std::make_pair(-c.stop_price, c.serial));
}

void OrderBook::Remove(uint32_t n) {
  Node& nd = nodes_[n];
  if (nd.pending_stop) {
    EraseStop(n);
    nd.pending_stop = false;
  } else if (nd.level != kNil) {
    Unlink(n);
  }
  index_.Erase(nd.id, nodes_);
  FreeNode(n);
}

void OrderBook::CancelNode(uint32_t n, CancelReason why, EventSink& out) {
  const Node& nd = nodes_[n];
  Event& e = out.Add();
  e.type = EventType::kCancelled;
  e.side = nd.side;
  e.reason = why;
  e.order = OrderId(int64_t(nd.id));
  e.account = AccountId(int64_t(nd.account));
  e.price = nd.price;
  e.qty = nd.leaves;
  Remove(n);
}

// ---------------------------------------------------------------------------------------
// Matching

int64_t OrderBook::Executable(const Node& t, int64_t need) const {
  const std::vector<LevelRef>& v = SideLevels(Opposite(t.side));
  const bool market = t.type == OrderType::kMarket;
  const bool stp = !params_.matching_only && t.stp != StpMode::kNone;
  int64_t sum = 0;
  for (size_t i = v.size(); i-- > 0;) {
    if (!Crosses(t.side, market, t.price, v[i].price)) break;
    const Level& lv = levels_[v[i].level];
    if (!stp) {  // whole levels at once
      sum += lv.total;
      if (sum >= need) return sum;
      continue;
    }
    for (uint32_t m = lv.head; m != kNil; m = nodes_[m].next) {
      const Node& mk = nodes_[m];
      if (mk.account == t.account) {
        if (t.stp == StpMode::kCancelOldest) continue;
        return sum;
      }
      sum += mk.leaves;
      if (sum >= need) return sum;
    }
  }
  return sum;
}

template <Side kTaker>
void OrderBook::Match(uint32_t n, EventSink& out, bool* stp_stop) {
  std::vector<LevelRef>& book = kTaker == Side::kBuy ? asks_ : bids_;
  Node* t = &nodes_[n];
  const bool market = t->type == OrderType::kMarket;
  const int64_t limit = t->price;
  const bool stp = !params_.matching_only && t->stp != StpMode::kNone;
  int64_t rem = t->leaves;
  const OrderId taker_id(int64_t(t->id));
  const AccountId taker_account(int64_t(t->account));
  while (rem > 0 && !book.empty()) {
    const LevelRef ref = book.back();
    if (!market && !(kTaker == Side::kBuy ? ref.price <= limit : ref.price >= limit)) break;
    Level* lv = &levels_[ref.level];
    while (rem > 0) {
      const uint32_t m = lv->head;
      Node& mk = nodes_[m];
      if (stp && mk.account == t->account) {
        if (t->stp == StpMode::kCancelNewest) { *stp_stop = true; break; }
        const bool last = lv->count == 1;
        CancelNode(m, CancelReason::kSelfTrade, out);  // drops the level when it empties
        if (t->stp == StpMode::kCancelBoth) { *stp_stop = true; break; }
        if (last) break;
        continue;
      }
      const int64_t f = rem < mk.visible ? rem : mk.visible;
      if (f == mk.leaves) {
        // The maker goes: start loading its index slot (for the erase) and the next maker.
        index_.PrefetchSlot(mk.id);
        if (mk.next != kNil) PrefetchLine(&nodes_[mk.next]);
      }
      mk.visible -= f;
      mk.leaves -= f;
      lv->qty -= f;
      lv->total -= f;
      rem -= f;
      last_price_ = ref.price;
      Event& e = out.Add();
      e.type = EventType::kFill;
      e.side = kTaker;
      e.order = taker_id;
      e.account = taker_account;
      e.maker = OrderId(int64_t(mk.id));
      e.maker_account = AccountId(int64_t(mk.account));
      e.price = ref.price;
      e.qty = f;
      e.leaves = rem;
      e.taker_done = rem == 0;
      e.maker_done = mk.leaves == 0;
      if (mk.visible != 0) break;  // taker exhausted
      if (mk.leaves == 0) {
        lv->head = mk.next;
        if (mk.next != kNil) nodes_[mk.next].prev = kNil; else lv->tail = kNil;
        index_.Erase(mk.id, nodes_);
        FreeNode(m);
        if (--lv->count == 0) {
          level_index_.Erase(Opposite(kTaker), ref.price, levels_);
          free_levels_.push_back(ref.level);
          book.pop_back();
          break;
        }
      } else {
        // Iceberg refill: new displayed slice goes to the back of the level.
        const int64_t peak = cold_[m].peak;
        mk.visible = peak < mk.leaves ? peak : mk.leaves;
        lv->qty += mk.visible;
        if (lv->count > 1) {
          lv->head = mk.next;
          nodes_[mk.next].prev = kNil;
          mk.prev = lv->tail;
          mk.next = kNil;
          nodes_[lv->tail].next = m;
          lv->tail = m;
        }
      }
    }
    if (*stp_stop) break;
  }
  if (rem != t->leaves) has_last_ = true;
  t->leaves = rem;
}

Code OrderBook::Enter(uint32_t n, EventSink& out, bool emit_accept, int64_t min_qty, int64_t peak) {
  {
    const Node& t = nodes_[n];
    const bool market = t.type == OrderType::kMarket;
    if (t.post_only) {
      const std::vector<LevelRef>& opp = SideLevels(Opposite(t.side));
      if (!opp.empty() && Crosses(t.side, market, t.price, opp.back().price))
        return Code::kPostOnlyWouldTrade;
    }
    if (t.tif == TimeInForce::kFok && Executable(t, t.leaves) < t.leaves) return Code::kFokNotFilled;
    if (min_qty > 0 && Executable(t, min_qty) < min_qty) return Code::kMinFillNotMet;
    if (emit_accept) {
      Event& e = out.Add();
      e.type = EventType::kAccepted;
      e.side = t.side;
      e.order = OrderId(int64_t(t.id));
      e.account = AccountId(int64_t(t.account));
      e.price = t.price;
      e.qty = t.leaves;
      e.leaves = t.leaves;
    }
  }
  const size_t from = out.size();
  bool stp_stop = false;
  if (nodes_[n].side == Side::kBuy) Match<Side::kBuy>(n, out, &stp_stop);
  else Match<Side::kSell>(n, out, &stp_stop);
  Node& t = nodes_[n];
  if (t.leaves == 0) {
    index_.Erase(t.id, nodes_);
    FreeNode(n);
  } else if (!stp_stop && t.type == OrderType::kLimit &&
             (t.tif == TimeInForce::kGtc || t.tif == TimeInForce::kGtt)) {
    t.visible = (peak > 0 && peak < t.leaves) ? peak : t.leaves;
    Rest(n);
  } else {
    CancelNode(n, stp_stop ? CancelReason::kSelfTrade : CancelReason::kUnfilled, out);
  }
  if (!buy_stops_.empty() || !sell_stops_.empty()) CollectTriggers(from, out);
  return Code::kOk;
}

void OrderBook::CollectTriggers(size_t from, EventSink& out) {
  const size_t end = out.size();
  for (size_t k = from; k < end; ++k) {
    if (out[k].type != EventType::kFill) continue;
    const int64_t p = out[k].price;
    auto fire = [&](uint32_t n) {
      Node& nd = nodes_[n];
      nd.pending_stop = false;
      Event& e = out.Add();
      e.type = EventType::kTriggered;
      e.side = nd.side;
      e.order = OrderId(int64_t(nd.id));
      e.account = AccountId(int64_t(nd.account));
      e.price = p;
      e.qty = nd.leaves;
      trigger_queue_.push_back(n);
    };
    while (!buy_stops_.empty() && buy_stops_.begin()->first.first <= p) {
      uint32_t n = buy_stops_.begin()->second;
      buy_stops_.erase(buy_stops_.begin());
      fire(n);
    }
    while (!sell_stops_.empty() && -sell_stops_.begin()->first.first >= p) {
      uint32_t n = sell_stops_.begin()->second;
      sell_stops_.erase(sell_stops_.begin());
      fire(n);
    }
  }
}

void OrderBook::RunTriggered(EventSink& out) {
  while (trigger_head_ < trigger_queue_.size()) {
    const uint32_t n = trigger_queue_[trigger_head_++];
    Node& nd = nodes_[n];
    nd.type = nd.type == OrderType::kStop ? OrderType::kMarket : OrderType::kLimit;
    const Code c = Enter(n, out, /*emit_accept=*/false, cold_[n].min_qty, cold_[n].peak);
    if (c != Code::kOk) {
      const Node& r = nodes_[n];
      Event& e = out.Add();
      e.type = EventType::kRejected;
      e.side = r.side;
      e.code = c;
      e.order = OrderId(int64_t(r.id));
      e.account = AccountId(int64_t(r.account));
      e.price = r.price;
      e.qty = r.leaves;
      Remove(n);
    }
  }
  trigger_queue_.clear();
  trigger_head_ = 0;
}

// ---------------------------------------------------------------------------------------
// Commands

Result<void> OrderBook::Submit(const NewOrder& o, EventSink& out) {
  {
    const char* field;
    const char* message;
    const Code c = CheckNewOrder(o, params_, now_, &field, &message);
    if (c != Code::kOk) return Err(c, message, field);
  }
  const uint64_t id = uint64_t(o.id.value());
  const uint32_t n = AllocNode();
  Node& nd = nodes_[n];
  nd.leaves = o.qty;
  nd.visible = 0;
  nd.price = (o.type == OrderType::kLimit || o.type == OrderType::kStopLimit) ? o.price : 0;
  nd.prev = nd.next = kNil;
  nd.level = kNil;
  nd.side = o.side;
  nd.type = o.type;
  nd.tif = o.tif;
  nd.stp = o.stp;
  nd.post_only = o.post_only;
  nd.pending_stop = false;
  nd.iceberg = o.display_qty > 0;
  nd.id = id;
  nd.account = uint64_t(o.account.value());
  // Cold fields are written only for the orders that read them later (stops, GTT,
  // icebergs): a plain order touches one cache line of node state.
  const bool needs_cold = o.type == OrderType::kStop || o.type == OrderType::kStopLimit ||
                          o.tif == TimeInForce::kGtt || o.display_qty > 0;
  if (needs_cold) {
    Cold& cold = cold_[n];
    cold.peak = o.display_qty;
    cold.stop_price = o.stop_price;
    cold.min_qty = o.min_qty;
    cold.expire_at = o.tif == TimeInForce::kGtt ? o.expire_at : 0;
    cold.serial = next_serial_;  // consumed only if the order is accepted
  }
  if (!index_.InsertUnique(id, n, nodes_)) {
    FreeNode(n);
    return Err(Code::kConflict, "order id is already live", "id");
  }

  if (o.type == OrderType::kStop || o.type == OrderType::kStopLimit) {
    ++next_serial_;
    Event e;
    e.type = EventType::kAccepted;
    e.side = o.side;
    e.order = o.id;
    e.account = o.account;
    e.price = nd.price;
    e.qty = o.qty;
    e.leaves = o.qty;
    out.Push(e);
    if (nd.tif == TimeInForce::kGtt) expiries_.push(Expiry{o.expire_at, cold_[n].serial, id});
    if (has_last_ && StopTriggers(o.side, o.stop_price, last_price_)) {
      e.type = EventType::kTriggered;
      e.price = last_price_;
      e.leaves = 0;
      out.Push(e);
      trigger_queue_.push_back(n);
      RunTriggered(out);
    } else {
      AddStop(n);
    }
    return Ok();
  }

  const Code c = Enter(n, out, /*emit_accept=*/true, o.min_qty, o.display_qty);
  if (c != Code::kOk) {
    index_.Erase(id, nodes_);
    FreeNode(n);
    switch (c) {
      case Code::kPostOnlyWouldTrade: return Err(c, "post-only order would take liquidity", "post_only");
      case Code::kFokNotFilled: return Err(c, "fill-or-kill order cannot fill in full", "qty");
      default: return Err(c, "minimum fill quantity not available", "min_qty");
    }
  }
  if (o.tif == TimeInForce::kGtt && index_.Find(id, nodes_) == n)  // rests
    expiries_.push(Expiry{o.expire_at, next_serial_, id});
  ++next_serial_;
  if (!trigger_queue_.empty()) RunTriggered(out);
  return Ok();
}

Result<void> OrderBook::Cancel(OrderId id, EventSink& out) {
  const uint32_t n = index_.Find(uint64_t(id.value()), nodes_);
  if (n == kNil || id.value() == 0) return Err(Code::kUnknownOrder, "no live order with this id", "id");
  CancelNode(n, CancelReason::kUser, out);
  return Ok();
}

Result<void> OrderBook::Replace(OrderId id, int64_t new_price, int64_t new_qty, EventSink& out) {
  const uint32_t n = id.value() == 0 ? kNil : index_.Find(uint64_t(id.value()), nodes_);
  if (n == kNil) return Err(Code::kUnknownOrder, "no live order with this id", "id");
  if (nodes_[n].pending_stop) return Err(Code::kBadState, "an untriggered stop cannot be replaced", "id");
  CX_TRY(ValidateReplace(new_price, new_qty, params_));
  Node& nd = nodes_[n];
  auto emit = [&](int64_t old_leaves) {
    Event& e = out.Add();
    e.type = EventType::kReplaced;
    e.side = nd.side;
    e.order = id;
    e.account = AccountId(int64_t(nd.account));
    e.price = new_price;
    e.qty = new_qty;
    e.leaves = old_leaves;
  };
  if (new_price == nd.price && new_qty <= nd.leaves) {
    // Quantity down at the same price: keeps time priority.
    emit(nd.leaves);
    const int64_t vis = nd.visible < new_qty ? nd.visible : new_qty;
    levels_[nd.level].qty -= nd.visible - vis;
    levels_[nd.level].total -= nd.leaves - new_qty;
    nd.visible = vis;
    nd.leaves = new_qty;
    return Ok();
  }
  if (nd.post_only) {
    const std::vector<LevelRef>& opp = SideLevels(Opposite(nd.side));
    if (!opp.empty() && Crosses(nd.side, false, new_price, opp.back().price))
      return Err(Code::kPostOnlyWouldTrade, "post-only order would take liquidity", "post_only");
  }
  emit(nd.leaves);
  Unlink(n);
  nd.price = new_price;
  nd.leaves = new_qty;
  // Minimum fill applies on first entry only, hence 0.
  const Code c = Enter(n, out, /*emit_accept=*/false, 0, nd.iceberg ? cold_[n].peak : 0);
  (void)c;  // cannot be refused: no FOK (never rests), no min qty, post-only checked above
  if (!trigger_queue_.empty()) RunTriggered(out);
  return Ok();
}

uint32_t OrderBook::MassCancel(AccountId account, EventSink& out) {
  const uint64_t acc = uint64_t(account.value());
  std::vector<uint32_t> mine;
  for (const std::vector<LevelRef>* v : {&bids_, &asks_})
    for (size_t i = v->size(); i-- > 0;)
      for (uint32_t m = levels_[(*v)[i].level].head; m != kNil; m = nodes_[m].next)
        if (nodes_[m].account == acc) mine.push_back(m);
  std::vector<std::pair<uint64_t, uint32_t>> stops;
  for (const auto* st : {&buy_stops_, &sell_stops_})
    for (const auto& [key, m] : *st)
      if (nodes_[m].account == acc) stops.emplace_back(key.second, m);
  std::sort(stops.begin(), stops.end());
  for (const auto& [serial, m] : stops) mine.push_back(m);
  for (uint32_t m : mine) CancelNode(m, CancelReason::kMassCancel, out);
  return uint32_t(mine.size());
}

void OrderBook::AdvanceTime(int64_t now, EventSink& out) {
  if (now > now_) now_ = now;
  while (!expiries_.empty() && expiries_.top().at <= now_) {
    const Expiry x = expiries_.top();
    expiries_.pop();
    const uint32_t n = index_.Find(x.id, nodes_);
    // Only GTT orders have fresh cold fields; the serial tells this order from an older
    // one that had the same id.
    if (n != kNil && nodes_[n].tif == TimeInForce::kGtt && cold_[n].serial == x.serial) CancelNode(n, CancelReason::kExpired, out);
  }
}

// ---------------------------------------------------------------------------------------
// Queries

std::optional<int64_t> OrderBook::best_bid() const {
  if (bids_.empty()) return std::nullopt;
  return bids_.back().price;
}

std::optional<int64_t> OrderBook::best_ask() const {
  if (asks_.empty()) return std::nullopt;
  return asks_.back().price;
}

std::optional<RestingOrder> OrderBook::Find(OrderId id) const {
  const uint32_t n = id.value() == 0 ? kNil : index_.Find(uint64_t(id.value()), nodes_);
  if (n == kNil) return std::nullopt;
  const Node& nd = nodes_[n];
  return RestingOrder{id, AccountId(int64_t(nd.account)), nd.side, nd.price, nd.leaves, nd.visible};
}

std::vector<DepthLevel> OrderBook::Depth(Side side, size_t max_levels) const {
  const std::vector<LevelRef>& v = SideLevels(side);
  std::vector<DepthLevel> r;
  for (size_t i = v.size(); i-- > 0 && r.size() < max_levels;) {
    const Level& lv = levels_[v[i].level];
    r.push_back(DepthLevel{lv.price, lv.qty, lv.count});
  }
  return r;
}

BookSnapshot OrderBook::Snapshot() const {
  BookSnapshot s;
  for (int sd = 0; sd < 2; ++sd) {
    const Side side = sd == 0 ? Side::kBuy : Side::kSell;
    const std::vector<LevelRef>& v = SideLevels(side);
    std::vector<RestingOrder>& dst = sd == 0 ? s.bids : s.asks;
    for (size_t i = v.size(); i-- > 0;)
      for (uint32_t m = levels_[v[i].level].head; m != kNil; m = nodes_[m].next) {
        const Node& nd = nodes_[m];
        dst.push_back(RestingOrder{OrderId(int64_t(nd.id)), AccountId(int64_t(nd.account)), side,
                                   nd.price, nd.leaves, nd.visible});
      }
  }
  std::vector<std::pair<uint64_t, uint64_t>> stops;
  for (const auto& [k, n] : buy_stops_) stops.emplace_back(k.second, nodes_[n].id);
  for (const auto& [k, n] : sell_stops_) stops.emplace_back(k.second, nodes_[n].id);
  std::sort(stops.begin(), stops.end());
  for (const auto& [serial, id] : stops) s.stops.push_back(OrderId(int64_t(id)));
  return s;
}

}  // namespace cx::exchange

namespace cx::exchange {

std::string OrderBook::CheckInvariants() const {
  size_t resting = 0;
  for (int sd = 0; sd < 2; ++sd) {
    const Side side = sd == 0 ? Side::kBuy : Side::kSell;
    const std::vector<LevelRef>& v = SideLevels(side);
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0 && !(side == Side::kBuy ? v[i - 1].price < v[i].price : v[i - 1].price > v[i].price))
        return "side vector not strictly sorted towards the best price";
      const Level& lv = levels_[v[i].level];
      if (lv.price != v[i].price || lv.side != side) return "level ref disagrees with level";
      if (level_index_.Find(side, lv.price, levels_) != v[i].level) return "level index misses a level";
      int64_t qty = 0, total = 0;
      uint32_t count = 0, prev = kNil;
      for (uint32_t m = lv.head; m != kNil; prev = m, m = nodes_[m].next) {
        const Node& nd = nodes_[m];
        if (nd.prev != prev) return "prev link broken";
        if (nd.level != v[i].level || nd.side != side || nd.price != lv.price) return "node in wrong level";
        if (nd.visible <= 0 || nd.visible > nd.leaves) return "displayed quantity out of range";
        if (index_.Find(nd.id, nodes_) != m) return "resting order missing from the id index";
        qty += nd.visible;
        total += nd.leaves;
        if (++count > nodes_.size()) return "cycle in a level";
      }
      if (lv.tail != prev) return "tail link broken";
      if (count == 0) return "empty level kept";
      if (count != lv.count || qty != lv.qty || total != lv.total) return "level aggregates wrong";
      resting += count;
    }
  }
  const std::vector<LevelRef>& b = bids_;
  const std::vector<LevelRef>& a = asks_;
  if (!b.empty() && !a.empty() && b.back().price >= a.back().price) return "book crossed";
  for (const auto* st : {&buy_stops_, &sell_stops_})
    for (const auto& [key, m] : *st)
      if (!nodes_[m].pending_stop || index_.Find(nodes_[m].id, nodes_) != m) return "stop not indexed";
  if (index_.size() != resting + buy_stops_.size() + sell_stops_.size()) return "id index size wrong";
  size_t free_count = 0;
  for (uint32_t m = free_nodes_; m != kNil; m = nodes_[m].next) {
    if (nodes_[m].id != 0) return "live node on the free list";
    if (++free_count > nodes_.size()) return "cycle in the free list";
  }
  if (free_count + index_.size() != nodes_.size()) return "node leak";
  if (free_levels_.size() + bids_.size() + asks_.size() != levels_.size()) return "level leak";
  return {};
}

}  // namespace cx::exchange

// ---------------------------------------------------------------------------------------
// State export / import (book_state.h). Off the hot path: nothing above calls it.
//
// Written so that it does not change the machine code of the functions above (GCC -O2
// decides inlining per translation unit, by the number of callers): the checks return
// static strings and one place builds the Error; nodes are allocated with resize, not
// AllocNode / emplace_back; the stop order is sorted with its own element type.

namespace cx::exchange {

namespace {

// A refusal: `list`[`index`].`field` names the entry (list == nullptr: a top-level field).
struct Refusal {
  Code code = Code::kOk;
  const char* list = nullptr;
  size_t index = 0;
  const char* field = "";
  const char* message = "";
};
constexpr Refusal kAccept{};

// The first enum field holding a value the enum does not define, or nullptr. (Decoding
// accepts any integer that fits the enum's byte.)
const char* EnumOutOfRange(const BookOrderState& o) {
  if (uint8_t(o.side) > 1) return "side";
  if (uint8_t(o.type) > 3) return "type";
  if (uint8_t(o.tif) > 3) return "tif";
  if (uint8_t(o.stp) > 3) return "stp";
  return nullptr;
}

// One entry of `bids` / `asks`.
Refusal CheckResting(const BookOrderState& o, const char* list, size_t i, Side side, const BookState& s,
                     const BookParams& p) {
  auto bad = [&](Code c, const char* field, const char* msg) { return Refusal{c, list, i, field, msg}; };
  if (const char* f = EnumOutOfRange(o)) return bad(Code::kInvalidField, f, "value out of range");
  if (!o.id.valid()) return bad(Code::kInvalidField, "id", "order id must be non-zero");
  if (o.side != side) return bad(Code::kInvalidField, "side", "order is listed on the other side");
  if (o.type != OrderType::kLimit) return bad(Code::kInvalidField, "type", "a resting order is a limit order");
  if (o.tif != TimeInForce::kGtc && o.tif != TimeInForce::kGtt)
    return bad(Code::kInvalidField, "tif", "a resting order is GTC or GTT");
  if (o.price <= 0 || o.price > kMaxPrice) return bad(Code::kInvalidField, "price", "limit price must be positive");
  if (o.price % p.tick_size != 0) return bad(Code::kOffTick, "price", "price is not on the tick grid");
  if (o.stop_price != 0) return bad(Code::kInvalidField, "stop_price", "must be 0 for a resting order");
  if (o.min_qty != 0) return bad(Code::kInvalidField, "min_qty", "must be 0 for a resting order");
  if (o.leaves <= 0 || o.leaves > kMaxQuantity)
    return bad(Code::kBadQuantity, "leaves", "open quantity must be positive and at most 10^12");
  if (o.leaves % p.lot_size != 0) return bad(Code::kOffLot, "leaves", "open quantity is not a whole number of lots");
  if (o.display_qty < 0 || o.display_qty > kMaxQuantity)
    return bad(Code::kBadQuantity, "display_qty", "display quantity out of range");
  if (o.display_qty % p.lot_size != 0)
    return bad(Code::kOffLot, "display_qty", "display quantity is not a whole number of lots");
  if (o.display_qty == 0) {
    if (o.visible != o.leaves) return bad(Code::kBadQuantity, "visible", "a plain order displays its open quantity");
  } else {
    if (o.visible <= 0 || o.visible > o.leaves || o.visible > o.display_qty)
      return bad(Code::kBadQuantity, "visible", "iceberg display must be within 1..min(display_qty, leaves)");
    if (o.visible % p.lot_size != 0)
      return bad(Code::kOffLot, "visible", "displayed quantity is not a whole number of lots");
  }
  if (o.tif == TimeInForce::kGtt) {
    if (o.expire_at <= s.now) return bad(Code::kInvalidField, "expire_at", "a live GTT order expires after now");
    if (o.serial <= 0 || o.serial >= s.next_serial)
      return bad(Code::kInvalidField, "serial", "GTT serial must be within 1..next_serial-1");
  } else {
    if (o.expire_at != 0) return bad(Code::kInvalidField, "expire_at", "must be 0 for a GTC order");
    if (o.serial != 0) return bad(Code::kInvalidField, "serial", "must be 0 for a GTC order");
  }
  return kAccept;
}

// One entry of `stops`: as submitted (qty = leaves), never traded.
Refusal CheckStop(const BookOrderState& o, size_t i, const BookState& s, const BookParams& p) {
  auto bad = [&](Code c, const char* field, const char* msg) { return Refusal{c, "stops", i, field, msg}; };
  if (const char* f = EnumOutOfRange(o)) return bad(Code::kInvalidField, f, "value out of range");
  if (o.type != OrderType::kStop && o.type != OrderType::kStopLimit)
    return bad(Code::kInvalidField, "type", "an untriggered stop is kStop or kStopLimit");
  NewOrder n;
  n.id = o.id;
  n.account = o.account;
  n.side = o.side;
  n.type = o.type;
  n.tif = o.tif;
  n.stp = o.stp;
  n.post_only = o.post_only;
  n.price = o.price;
  n.stop_price = o.stop_price;
  n.qty = o.leaves;
  n.display_qty = o.display_qty;
  n.min_qty = o.min_qty;
  n.expire_at = o.expire_at;
  const char* field = "";
  const char* message = "";
  const Code c = CheckNewOrder(n, p, s.now, &field, &message);
  if (c != Code::kOk) return bad(c, std::string_view(field) == "qty" ? "leaves" : field, message);
  if (o.type == OrderType::kStop && o.price != 0) return bad(Code::kInvalidField, "price", "must be 0 for a stop order");
  if (o.visible != 0) return bad(Code::kInvalidField, "visible", "must be 0 for an untriggered stop");
  if (o.tif != TimeInForce::kGtt && o.expire_at != 0)
    return bad(Code::kInvalidField, "expire_at", "must be 0 unless GTT");
  if (o.serial <= 0 || o.serial >= s.next_serial)
    return bad(Code::kInvalidField, "serial", "serial must be within 1..next_serial-1");
  if (i > 0 && o.serial <= s.stops[i - 1].serial)
    return bad(Code::kInvalidField, "serial", "stops must be listed in serial order");
  if (s.has_last_trade && StopTriggers(o.side, o.stop_price, s.last_trade_price))
    return bad(Code::kInvalidField, "stop_price", "the last trade price would have triggered this stop");
  return kAccept;
}

Refusal ValidateState(const BookState& s, const BookParams& p) {
  auto top = [](Code c, const char* field, const char* msg) { return Refusal{c, nullptr, 0, field, msg}; };
  if (s.version != kBookStateVersion) return top(Code::kUnsupported, "version", "unknown book state version");
  if (s.instrument != p.instrument) return top(Code::kConflict, "instrument", "state of another instrument");
  if (s.tick_size != p.tick_size) return top(Code::kConflict, "tick_size", "state of another tick size");
  if (s.lot_size != p.lot_size) return top(Code::kConflict, "lot_size", "state of another lot size");
  if (s.matching_only != p.matching_only)
    return top(Code::kConflict, "matching_only", "state of another matching mode");
  if (s.next_serial < 1) return top(Code::kInvalidField, "next_serial", "next serial must be positive");
  if (s.has_last_trade) {
    if (s.last_trade_price <= 0 || s.last_trade_price > kMaxPrice)
      return top(Code::kInvalidField, "last_trade_price", "last trade price out of range");
    if (s.last_trade_price % p.tick_size != 0)
      return top(Code::kOffTick, "last_trade_price", "last trade price is not on the tick grid");
  } else if (s.last_trade_price != 0) {
    return top(Code::kInvalidField, "last_trade_price", "must be 0 without a last trade");
  }
  if (s.bids.size() + s.asks.size() + s.stops.size() >= size_t(1) << 31)
    return top(Code::kTooLarge, "bids", "too many orders");
  for (size_t i = 0; i < s.bids.size(); ++i) {
    const Refusal r = CheckResting(s.bids[i], "bids", i, Side::kBuy, s, p);
    if (r.code != Code::kOk) return r;
    if (i > 0 && s.bids[i].price > s.bids[i - 1].price)
      return Refusal{Code::kInvalidField, "bids", i, "price", "bids must be listed best (highest) price first"};
  }
  for (size_t i = 0; i < s.asks.size(); ++i) {
    const Refusal r = CheckResting(s.asks[i], "asks", i, Side::kSell, s, p);
    if (r.code != Code::kOk) return r;
    if (i > 0 && s.asks[i].price < s.asks[i - 1].price)
      return Refusal{Code::kInvalidField, "asks", i, "price", "asks must be listed best (lowest) price first"};
  }
  if (!s.bids.empty() && !s.asks.empty() && s.bids[0].price >= s.asks[0].price)
    return Refusal{Code::kInvalidField, "asks", 0, "price", "the book is crossed"};
  for (size_t i = 0; i < s.stops.size(); ++i) {
    const Refusal r = CheckStop(s.stops[i], i, s, p);
    if (r.code != Code::kOk) return r;
  }
  // Ids unique over all lists; serials unique where set (they order stops and expiries).
  std::unordered_set<int64_t> ids, serials;
  ids.reserve(s.bids.size() + s.asks.size() + s.stops.size());
  const std::pair<const char*, const std::vector<BookOrderState>*> lists[] = {
      {"bids", &s.bids}, {"asks", &s.asks}, {"stops", &s.stops}};
  for (const auto& [name, list] : lists)
    for (size_t i = 0; i < list->size(); ++i) {
      const BookOrderState& o = (*list)[i];
      if (!ids.insert(o.id.value()).second) return Refusal{Code::kConflict, name, i, "id", "order id listed twice"};
      if (o.serial != 0 && !serials.insert(o.serial).second)
        return Refusal{Code::kConflict, name, i, "serial", "serial used twice"};
    }
  return kAccept;
}

struct StopRef {  // an untriggered stop by acceptance order, for ExportState
  uint64_t serial;
  uint32_t node;
};

}  // namespace

BookOrderState OrderBook::ExportOrder(uint32_t n) const {
  const Node& nd = nodes_[n];
  const Cold& c = cold_[n];  // fresh only for stops, GTT orders and icebergs
  const bool gtt = nd.tif == TimeInForce::kGtt;
  BookOrderState o;
  o.id = OrderId(int64_t(nd.id));
  o.account = AccountId(int64_t(nd.account));
  o.side = nd.side;
  o.type = nd.type;
  o.tif = nd.tif;
  o.stp = nd.stp;
  o.post_only = nd.post_only;
  o.price = nd.price;
  o.stop_price = nd.pending_stop ? c.stop_price : 0;
  o.display_qty = nd.iceberg ? c.peak : 0;
  o.min_qty = nd.pending_stop ? c.min_qty : 0;
  o.expire_at = gtt ? c.expire_at : 0;
  o.leaves = nd.leaves;
  o.visible = nd.visible;
  o.serial = (nd.pending_stop || gtt) ? int64_t(c.serial) : 0;
  return o;
}

BookState OrderBook::ExportState() const {
  BookState s;
  s.instrument = params_.instrument;
  s.tick_size = params_.tick_size;
  s.lot_size = params_.lot_size;
  s.matching_only = params_.matching_only;
  for (const Side side : {Side::kBuy, Side::kSell}) {
    const std::vector<LevelRef>& v = SideLevels(side);
    std::vector<BookOrderState>& dst = side == Side::kBuy ? s.bids : s.asks;
    size_t count = 0;
    for (const LevelRef& r : v) count += levels_[r.level].count;
    dst.reserve(count);
    for (size_t i = v.size(); i-- > 0;)
      for (uint32_t m = levels_[v[i].level].head; m != kNil; m = nodes_[m].next) dst.push_back(ExportOrder(m));
  }
  std::vector<StopRef> stops;
  stops.reserve(buy_stops_.size() + sell_stops_.size());
  for (const auto* st : {&buy_stops_, &sell_stops_})
    for (const auto& [key, m] : *st) stops.push_back(StopRef{key.second, m});
  std::sort(stops.begin(), stops.end(), [](const StopRef& a, const StopRef& b) { return a.serial < b.serial; });
  for (const StopRef& r : stops) s.stops.push_back(ExportOrder(r.node));
  s.now = now_;
  s.next_serial = int64_t(next_serial_);
  s.has_last_trade = has_last_;
  s.last_trade_price = has_last_ ? last_price_ : 0;
  return s;
}

uint32_t OrderBook::ImportOrder(const BookOrderState& o) {
  uint32_t n = free_nodes_;
  if (n != kNil) {
    free_nodes_ = nodes_[n].next;
  } else {
    n = uint32_t(nodes_.size());
    nodes_.resize(n + 1);
    cold_.resize(n + 1);
  }
  Node& nd = nodes_[n];
  nd.leaves = o.leaves;
  nd.visible = o.visible;
  nd.price = o.price;
  nd.id = uint64_t(o.id.value());
  nd.account = uint64_t(o.account.value());
  nd.prev = nd.next = kNil;
  nd.level = kNil;
  nd.side = o.side;
  nd.type = o.type;
  nd.tif = o.tif;
  nd.stp = o.stp;
  nd.post_only = o.post_only;
  nd.pending_stop = false;
  nd.iceberg = o.display_qty > 0;
  cold_[n] = Cold{o.display_qty, o.stop_price, o.min_qty, o.expire_at, uint64_t(o.serial)};
  const bool inserted = index_.InsertUnique(nd.id, n, nodes_);
  (void)inserted;  // ids were checked unique
  if (o.tif == TimeInForce::kGtt) expiries_.push(Expiry{o.expire_at, uint64_t(o.serial), nd.id});
  return n;
}

Result<void> OrderBook::ImportState(const BookState& s) {
  Refusal r = index_.size() != 0 ? Refusal{Code::kBadState, nullptr, 0, "", "import needs a book without live orders"}
                                 : ValidateState(s, params_);
  if (r.code != Code::kOk) {
    std::string field = r.field;
    if (r.list) field = std::string(r.list) + "[" + std::to_string(r.index) + "]." + field;
    return Result<void>(Error{r.code, r.message, std::move(field)});
  }
  // Entries of orders that are gone: one could match an imported (id, serial) pair.
  expiries_ = {};
  // Levels worst first, each in queue order, so every Rest appends at the best end.
  for (const Side side : {Side::kBuy, Side::kSell}) {
    const std::vector<BookOrderState>& list = side == Side::kBuy ? s.bids : s.asks;
    size_t end = list.size();
    while (end > 0) {
      size_t begin = end - 1;
      while (begin > 0 && list[begin - 1].price == list[end - 1].price) --begin;
      for (size_t k = begin; k < end; ++k) Rest(ImportOrder(list[k]));
      end = begin;
    }
  }
  for (const BookOrderState& o : s.stops) AddStop(ImportOrder(o));
  now_ = s.now;
  next_serial_ = uint64_t(s.next_serial);
  has_last_ = s.has_last_trade;
  last_price_ = s.last_trade_price;
  return Ok();
}

int64_t OrderBook::DisplayedAt(Side side, int64_t price) const {
  const uint32_t l = level_index_.Find(side, price, levels_);
  return l == kNil ? 0 : levels_[l].qty;
}

}  // namespace cx::exchange
