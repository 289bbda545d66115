#include "exchange/reference_book.h"

#include <algorithm>

#include "exchange/order_rules.h"

namespace cx::exchange {

namespace {
bool Better(Side side, int64_t a, int64_t b) { return side == Side::kBuy ? a > b : a < b; }
bool Rests(const NewOrder& o) {
  return o.type == OrderType::kLimit && (o.tif == TimeInForce::kGtc || o.tif == TimeInForce::kGtt);
}
}  // namespace

ReferenceBook::ReferenceBook(const BookParams& params) : params_(params) {
  if (params_.tick_size <= 0) params_.tick_size = 1;
  if (params_.lot_size <= 0) params_.lot_size = 1;
}

std::vector<ReferenceBook::Ord> ReferenceBook::SortedSide(Side side) const {
  std::vector<Ord> v;
  for (const Ord& o : book_)
    if (o.o.side == side) v.push_back(o);
  std::sort(v.begin(), v.end(), [side](const Ord& a, const Ord& b) {
    if (a.o.price != b.o.price) return Better(side, a.o.price, b.o.price);
    return a.priority < b.priority;
  });
  return v;
}

int ReferenceBook::Locate(const std::vector<Ord>& v, OrderId id) const {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].o.id == id) return int(i);
  return -1;
}

void ReferenceBook::EmitCancel(const Ord& o, CancelReason why, EventSink& out) {
  Event e;
  e.type = EventType::kCancelled;
  e.side = o.o.side;
  e.reason = why;
  e.order = o.o.id;
  e.account = o.o.account;
  e.price = o.o.price;
  e.qty = o.leaves;
  out.Push(e);
}

int64_t ReferenceBook::Executable(const Ord& t, int64_t need) const {
  const bool market = t.o.type == OrderType::kMarket;
  const bool stp = !params_.matching_only && t.o.stp != StpMode::kNone;
  int64_t sum = 0;
  for (const Ord& m : SortedSide(Opposite(t.o.side))) {
    if (!Crosses(t.o.side, market, t.o.price, m.o.price)) break;
    if (stp && m.o.account == t.o.account) {
      if (t.o.stp == StpMode::kCancelOldest) continue;
      return sum;
    }
    sum += m.leaves;
    if (sum >= need) return sum;
  }
  return sum;
}

Code ReferenceBook::Enter(Ord t, EventSink& out, bool emit_accept) {
  const Side opp = Opposite(t.o.side);
  const bool market = t.o.type == OrderType::kMarket;
  if (t.o.post_only) {
    std::vector<Ord> o = SortedSide(opp);
    if (!o.empty() && Crosses(t.o.side, market, t.o.price, o[0].o.price)) return Code::kPostOnlyWouldTrade;
  }
  if (t.o.tif == TimeInForce::kFok && Executable(t, t.leaves) < t.leaves) return Code::kFokNotFilled;
  if (t.o.min_qty > 0 && Executable(t, t.o.min_qty) < t.o.min_qty) return Code::kMinFillNotMet;
  if (emit_accept) {
    Event e;
    e.type = EventType::kAccepted;
    e.side = t.o.side;
    e.order = t.o.id;
    e.account = t.o.account;
    e.price = t.o.price;
    e.qty = t.leaves;
    e.leaves = t.leaves;
    out.Push(e);
  }
  const size_t from = out.size();
  const bool stp = !params_.matching_only && t.o.stp != StpMode::kNone;
  bool stopped = false;
  while (t.leaves > 0) {
    int best = -1;
    for (size_t i = 0; i < book_.size(); ++i) {
      const Ord& m = book_[i];
      if (m.o.side != opp || !Crosses(t.o.side, market, t.o.price, m.o.price)) continue;
      if (best < 0 || Better(opp, m.o.price, book_[best].o.price) ||
          (m.o.price == book_[best].o.price && m.priority < book_[best].priority))
        best = int(i);
    }
    if (best < 0) break;
    Ord& m = book_[best];
    if (stp && m.o.account == t.o.account) {
      if (t.o.stp == StpMode::kCancelNewest) { stopped = true; break; }
      EmitCancel(m, CancelReason::kSelfTrade, out);
      book_.erase(book_.begin() + best);
      if (t.o.stp == StpMode::kCancelBoth) { stopped = true; break; }
      continue;
    }
    const int64_t f = std::min(t.leaves, m.visible);
    m.visible -= f;
    m.leaves -= f;
    t.leaves -= f;
    last_ = m.o.price;
    Event e;
    e.type = EventType::kFill;
    e.side = t.o.side;
    e.order = t.o.id;
    e.account = t.o.account;
    e.maker = m.o.id;
    e.maker_account = m.o.account;
    e.price = m.o.price;
    e.qty = f;
    e.leaves = t.leaves;
    e.taker_done = t.leaves == 0;
    e.maker_done = m.leaves == 0;
    out.Push(e);
    if (m.visible == 0) {
      if (m.leaves == 0) {
        book_.erase(book_.begin() + best);
      } else {
        m.visible = std::min(m.o.display_qty, m.leaves);
        m.priority = next_priority_++;
      }
    }
  }
  if (t.leaves > 0) {
    if (!stopped && Rests(t.o)) {
      t.visible = (t.o.display_qty > 0) ? std::min(t.o.display_qty, t.leaves) : t.leaves;
      t.priority = next_priority_++;
      book_.push_back(t);
    } else {
      EmitCancel(t, stopped ? CancelReason::kSelfTrade : CancelReason::kUnfilled, out);
    }
  }
  Collect(from, out);
  return Code::kOk;
}

void ReferenceBook::Collect(size_t from, EventSink& out) {
  const size_t end = out.size();
  for (size_t k = from; k < end; ++k) {
    if (out[k].type != EventType::kFill) continue;
    const int64_t p = out[k].price;
    std::vector<Ord> buys, sells;
    for (const Ord& s : stops_) {
      if (s.o.side == Side::kBuy && StopTriggers(Side::kBuy, s.o.stop_price, p)) buys.push_back(s);
      if (s.o.side == Side::kSell && StopTriggers(Side::kSell, s.o.stop_price, p)) sells.push_back(s);
    }
    std::sort(buys.begin(), buys.end(), [](const Ord& a, const Ord& b) {
      return a.o.stop_price != b.o.stop_price ? a.o.stop_price < b.o.stop_price : a.serial < b.serial;
    });
    std::sort(sells.begin(), sells.end(), [](const Ord& a, const Ord& b) {
      return a.o.stop_price != b.o.stop_price ? a.o.stop_price > b.o.stop_price : a.serial < b.serial;
    });
    for (const auto* group : {&buys, &sells})
      for (const Ord& s : *group) {
        Event e;
        e.type = EventType::kTriggered;
        e.side = s.o.side;
        e.order = s.o.id;
        e.account = s.o.account;
        e.price = p;
        e.qty = s.leaves;
        out.Push(e);
        stops_.erase(stops_.begin() + Locate(stops_, s.o.id));
        queue_.push_back(s);
      }
  }
}

void ReferenceBook::RunQueue(EventSink& out) {
  while (!queue_.empty()) {
    Ord t = queue_.front();
    queue_.erase(queue_.begin());
    t.o.type = t.o.type == OrderType::kStop ? OrderType::kMarket : OrderType::kLimit;
    const Code c = Enter(t, out, false);
    if (c != Code::kOk) {
      Event e;
      e.type = EventType::kRejected;
      e.side = t.o.side;
      e.code = c;
      e.order = t.o.id;
      e.account = t.o.account;
      e.price = t.o.price;
      e.qty = t.leaves;
      out.Push(e);
    }
  }
}

Result<void> ReferenceBook::Submit(const NewOrder& order, EventSink& out) {
  CX_TRY(ValidateNewOrder(order, params_, now_));
  if (Locate(book_, order.id) >= 0 || Locate(stops_, order.id) >= 0)
    return Err(Code::kConflict, "order id is already live", "id");
  Ord t;
  t.o = order;
  if (order.type == OrderType::kMarket || order.type == OrderType::kStop) t.o.price = 0;
  t.leaves = order.qty;
  t.serial = next_serial_;
  if (order.type == OrderType::kStop || order.type == OrderType::kStopLimit) {
    ++next_serial_;
    Event e;
    e.type = EventType::kAccepted;
    e.side = order.side;
    e.order = order.id;
    e.account = order.account;
    e.price = t.o.price;
    e.qty = order.qty;
    e.leaves = order.qty;
    out.Push(e);
    if (last_ && StopTriggers(order.side, order.stop_price, *last_)) {
      e.type = EventType::kTriggered;
      e.price = *last_;
      e.leaves = 0;
      out.Push(e);
      queue_.push_back(t);
      RunQueue(out);
    } else {
      stops_.push_back(t);
    }
    return Ok();
  }
  const Code c = Enter(t, out, true);
  if (c != Code::kOk) return Err(c, "refused on entry");
  ++next_serial_;
  RunQueue(out);
  return Ok();
}

Result<void> ReferenceBook::Cancel(OrderId id, EventSink& out) {
  for (std::vector<Ord>* v : {&book_, &stops_}) {
    const int i = Locate(*v, id);
    if (i >= 0) {
      EmitCancel((*v)[i], CancelReason::kUser, out);
      v->erase(v->begin() + i);
      return Ok();
    }
  }
  return Err(Code::kUnknownOrder, "no live order with this id", "id");
}

Result<void> ReferenceBook::Replace(OrderId id, int64_t new_price, int64_t new_qty, EventSink& out) {
  const int i = Locate(book_, id);
  if (i < 0) {
    if (Locate(stops_, id) >= 0) return Err(Code::kBadState, "an untriggered stop cannot be replaced", "id");
    return Err(Code::kUnknownOrder, "no live order with this id", "id");
  }
  CX_TRY(ValidateReplace(new_price, new_qty, params_));
  Ord t = book_[i];
  Event e;
  e.type = EventType::kReplaced;
  e.side = t.o.side;
  e.order = id;
  e.account = t.o.account;
  e.price = new_price;
  e.qty = new_qty;
  e.leaves = t.leaves;
  if (new_price == t.o.price && new_qty <= t.leaves) {
    book_[i].leaves = new_qty;
    book_[i].visible = std::min(book_[i].visible, new_qty);
    out.Push(e);
    return Ok();
  }
  if (t.o.post_only) {
    std::vector<Ord> o = SortedSide(Opposite(t.o.side));
    if (!o.empty() && Crosses(t.o.side, false, new_price, o[0].o.price))
      return Err(Code::kPostOnlyWouldTrade, "post-only order would take liquidity", "post_only");
  }
  book_.erase(book_.begin() + i);
  t.o.price = new_price;
  t.leaves = new_qty;
  t.o.min_qty = 0;
  out.Push(e);
  (void)Enter(t, out, false);
  RunQueue(out);
  return Ok();
}

uint32_t ReferenceBook::MassCancel(AccountId account, EventSink& out) {
  std::vector<Ord> mine;
  for (Side side : {Side::kBuy, Side::kSell})
    for (const Ord& o : SortedSide(side)) if (o.o.account == account) mine.push_back(o);
  std::vector<Ord> st;
  for (const Ord& o : stops_) if (o.o.account == account) st.push_back(o);
  std::sort(st.begin(), st.end(), [](const Ord& a, const Ord& b) { return a.serial < b.serial; });
  mine.insert(mine.end(), st.begin(), st.end());
  for (const Ord& o : mine) {
    EmitCancel(o, CancelReason::kMassCancel, out);
    for (std::vector<Ord>* v : {&book_, &stops_}) {
      const int i = Locate(*v, o.o.id);
      if (i >= 0) v->erase(v->begin() + i);
    }
  }
  return uint32_t(mine.size());
}

void ReferenceBook::AdvanceTime(int64_t now, EventSink& out) {
  now_ = std::max(now_, now);
  std::vector<Ord> due;
  for (const Ord& o : book_) if (o.o.tif == TimeInForce::kGtt && o.o.expire_at <= now_) due.push_back(o);
  for (const Ord& o : stops_) if (o.o.tif == TimeInForce::kGtt && o.o.expire_at <= now_) due.push_back(o);
  std::sort(due.begin(), due.end(), [](const Ord& a, const Ord& b) {
    return a.o.expire_at != b.o.expire_at ? a.o.expire_at < b.o.expire_at : a.serial < b.serial;
  });
  for (const Ord& o : due) {
    EmitCancel(o, CancelReason::kExpired, out);
    for (std::vector<Ord>* v : {&book_, &stops_}) {
      const int i = Locate(*v, o.o.id);
      if (i >= 0) v->erase(v->begin() + i);
    }
  }
}

std::optional<int64_t> ReferenceBook::best_bid() const {
  std::vector<Ord> v = SortedSide(Side::kBuy);
  if (v.empty()) return std::nullopt;
  return v[0].o.price;
}

std::optional<int64_t> ReferenceBook::best_ask() const {
  std::vector<Ord> v = SortedSide(Side::kSell);
  if (v.empty()) return std::nullopt;
  return v[0].o.price;
}

std::optional<RestingOrder> ReferenceBook::Find(OrderId id) const {
  for (const std::vector<Ord>* v : {&book_, &stops_}) {
    const int i = Locate(*v, id);
    if (i >= 0) {
      const Ord& o = (*v)[i];
      return RestingOrder{o.o.id, o.o.account, o.o.side, o.o.price, o.leaves, o.visible};
    }
  }
  return std::nullopt;
}

std::vector<DepthLevel> ReferenceBook::Depth(Side side, size_t max_levels) const {
  std::vector<DepthLevel> r;
  for (const Ord& o : SortedSide(side)) {
    if (r.empty() || r.back().price != o.o.price) {
      if (r.size() == max_levels) break;
      r.push_back(DepthLevel{o.o.price, 0, 0});
    }
    r.back().qty += o.visible;
    ++r.back().orders;
  }
  return r;
}

BookSnapshot ReferenceBook::Snapshot() const {
  BookSnapshot s;
  for (const Ord& o : SortedSide(Side::kBuy))
    s.bids.push_back(RestingOrder{o.o.id, o.o.account, o.o.side, o.o.price, o.leaves, o.visible});
  for (const Ord& o : SortedSide(Side::kSell))
    s.asks.push_back(RestingOrder{o.o.id, o.o.account, o.o.side, o.o.price, o.leaves, o.visible});
  std::vector<Ord> st = stops_;
  std::sort(st.begin(), st.end(), [](const Ord& a, const Ord& b) { return a.serial < b.serial; });
  for (const Ord& o : st) s.stops.push_back(o.o.id);
  return s;
}

}  // namespace cx::exchange
