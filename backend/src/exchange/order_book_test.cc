// Behaviour tests for the order books. Every test runs against both the production
// OrderBook and the naive ReferenceBook (typed tests), so the oracle of the differential
// test is itself pinned to the documented semantics.
#include <gtest/gtest.h>

#include <vector>

#include "exchange/order_book.h"
#include "exchange/reference_book.h"

namespace cx::exchange {
namespace {

NewOrder Limit(int64_t id, Side side, int64_t price, int64_t qty, int64_t account = 1) {
  NewOrder o;
  o.id = OrderId(id);
  o.account = AccountId(account);
  o.side = side;
  o.price = price;
  o.qty = qty;
  return o;
}
NewOrder Buy(int64_t id, int64_t price, int64_t qty, int64_t account = 1) {
  return Limit(id, Side::kBuy, price, qty, account);
}
NewOrder Sell(int64_t id, int64_t price, int64_t qty, int64_t account = 2) {
  return Limit(id, Side::kSell, price, qty, account);
}
NewOrder Market(int64_t id, Side side, int64_t qty, int64_t account = 3) {
  NewOrder o = Limit(id, side, 0, qty, account);
  o.type = OrderType::kMarket;
  o.tif = TimeInForce::kIoc;
  return o;
}

std::vector<Event> Of(const EventSink& s, EventType t) {
  std::vector<Event> r;
  for (const Event& e : s.events())
    if (e.type == t) r.push_back(e);
  return r;
}

template <typename Book>
class BookTest : public ::testing::Test {
 protected:
  BookTest() : book_(Params()) {}
  static BookParams Params() {
    BookParams p;
    p.instrument = InstrumentId(7);
    return p;
  }
  // Submits and expects success; returns the events of this call.
  const EventSink& Ok(const NewOrder& o) {
    sink_.Clear();
    Result<void> r = book_.Submit(o, sink_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return sink_;
  }
  Code Refused(const NewOrder& o) {
    sink_.Clear();
    const BookSnapshot before = book_.Snapshot();
    Result<void> r = book_.Submit(o, sink_);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(sink_.size(), 0u) << "a refused order must emit nothing";
    EXPECT_EQ(book_.Snapshot(), before) << "a refused order must change nothing";
    return r.ok() ? Code::kOk : r.error().code;
  }
  std::vector<int64_t> Ids(Side side) {
    std::vector<int64_t> ids;
    const BookSnapshot s = book_.Snapshot();
    for (const RestingOrder& o : side == Side::kBuy ? s.bids : s.asks) ids.push_back(o.id.value());
    return ids;
  }

  Book book_;
  EventSink sink_;
};

using Books = ::testing::Types<OrderBook, ReferenceBook>;
TYPED_TEST_SUITE(BookTest, Books);

TYPED_TEST(BookTest, PartialFillLeavesRemainderResting) {
  this->Ok(Sell(1, 100, 5));
  const EventSink& s = this->Ok(Buy(2, 100, 8));
  auto fills = Of(s, EventType::kFill);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].qty, 5);
  EXPECT_TRUE(fills[0].maker_done);
  EXPECT_FALSE(fills[0].taker_done);
  auto rest = this->book_.Find(OrderId(2));
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->leaves, 3);
  EXPECT_EQ(this->book_.best_bid(), 100);
  EXPECT_FALSE(this->book_.best_ask());
}

TYPED_TEST(BookTest, FillCarriesBothPartiesAndTradesAtRestingPrice) {
  this->Ok(Sell(1, 100, 5, /*account=*/20));
  const EventSink& s = this->Ok(Buy(2, 105, 2, /*account=*/10));
  auto fills = Of(s, EventType::kFill);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].order, OrderId(2));
  EXPECT_EQ(fills[0].account, AccountId(10));
  EXPECT_EQ(fills[0].maker, OrderId(1));
  EXPECT_EQ(fills[0].maker_account, AccountId(20));
  EXPECT_EQ(fills[0].price, 100);
  EXPECT_EQ(fills[0].side, Side::kBuy);
  EXPECT_TRUE(fills[0].taker_done);
  EXPECT_FALSE(fills[0].maker_done);
  EXPECT_EQ(this->book_.last_trade_price(), 100);
}

TYPED_TEST(BookTest, BetterPriceFirstThenTimePriority) {
  this->Ok(Sell(1, 101, 1));
  this->Ok(Sell(2, 100, 1));
  this->Ok(Sell(3, 100, 1));
  const EventSink& s = this->Ok(Buy(4, 101, 3));
  auto fills = Of(s, EventType::kFill);
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[0].maker, OrderId(2));
  EXPECT_EQ(fills[1].maker, OrderId(3));
  EXPECT_EQ(fills[2].maker, OrderId(1));
  EXPECT_EQ(fills[2].price, 101);
}

TYPED_TEST(BookTest, EventsComeInOrderAcceptedFillsThenRest) {
  this->Ok(Sell(1, 100, 1));
  const EventSink& s = this->Ok(Buy(2, 100, 2));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].type, EventType::kAccepted);
  EXPECT_EQ(s[0].qty, 2);
  EXPECT_EQ(s[1].type, EventType::kFill);
}

TYPED_TEST(BookTest, MarketOrderSweepsAndCancelsRemainder) {
  this->Ok(Sell(1, 100, 2));
  this->Ok(Sell(2, 150, 2));
  const EventSink& s = this->Ok(Market(3, Side::kBuy, 10));
  EXPECT_EQ(Of(s, EventType::kFill).size(), 2u);
  auto c = Of(s, EventType::kCancelled);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].order, OrderId(3));
  EXPECT_EQ(c[0].qty, 6);
  EXPECT_EQ(c[0].reason, CancelReason::kUnfilled);
  EXPECT_FALSE(this->book_.best_ask());
  EXPECT_FALSE(this->book_.Find(OrderId(3)));
}

TYPED_TEST(BookTest, MarketOrderOnEmptyBookIsCancelled) {
  const EventSink& s = this->Ok(Market(1, Side::kSell, 4));
  auto c = Of(s, EventType::kCancelled);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].qty, 4);
  EXPECT_EQ(this->book_.live_orders(), 0u);
}

TYPED_TEST(BookTest, IocTradesWhatCrossesAndCancelsTheRest) {
  this->Ok(Buy(1, 100, 3));
  this->Ok(Buy(2, 99, 3));
  NewOrder o = Sell(3, 100, 5);
  o.tif = TimeInForce::kIoc;
  const EventSink& s = this->Ok(o);
  EXPECT_EQ(Of(s, EventType::kFill).size(), 1u);
  ASSERT_EQ(Of(s, EventType::kCancelled).size(), 1u);
  EXPECT_EQ(Of(s, EventType::kCancelled)[0].qty, 2);
  EXPECT_EQ(this->book_.best_bid(), 99);
  EXPECT_FALSE(this->book_.best_ask());
}

TYPED_TEST(BookTest, FokRefusedWhenNotFullyFillableAndChangesNothing) {
  this->Ok(Sell(1, 100, 3));
  this->Ok(Sell(2, 102, 3));
  NewOrder o = Buy(3, 101, 4);
  o.tif = TimeInForce::kFok;
  EXPECT_EQ(this->Refused(o), Code::kFokNotFilled);
  o.price = 102;
  const EventSink& s = this->Ok(o);
  EXPECT_EQ(Of(s, EventType::kFill).size(), 2u);
  EXPECT_TRUE(Of(s, EventType::kCancelled).empty());
  EXPECT_EQ(this->book_.Find(OrderId(2))->leaves, 2);
}

TYPED_TEST(BookTest, PostOnlyRefusedWhenItWouldTradeElseRests) {
  this->Ok(Sell(1, 100, 3));
  NewOrder o = Buy(2, 100, 1);
  o.post_only = true;
  EXPECT_EQ(this->Refused(o), Code::kPostOnlyWouldTrade);
  o.price = 99;
  this->Ok(o);
  EXPECT_EQ(this->book_.best_bid(), 99);
}

TYPED_TEST(BookTest, MinimumFillRefusedWhenNotAvailableElseRemainderRests) {
  this->Ok(Sell(1, 100, 3));
  NewOrder o = Buy(2, 100, 10);
  o.min_qty = 4;
  EXPECT_EQ(this->Refused(o), Code::kMinFillNotMet);
  o.min_qty = 3;
  const EventSink& s = this->Ok(o);
  EXPECT_EQ(Of(s, EventType::kFill).size(), 1u);
  EXPECT_EQ(this->book_.Find(OrderId(2))->leaves, 7);
}

TYPED_TEST(BookTest, InvalidOrdersAreRefusedWithStableCodes) {
  BookParams p;
  p.tick_size = 5;
  p.lot_size = 10;
  TypeParam book(p);
  EventSink sink;
  auto code = [&](const NewOrder& o) {
    Result<void> r = book.Submit(o, sink);
    return r.ok() ? Code::kOk : r.error().code;
  };
  EXPECT_EQ(code(Buy(1, 100, 0)), Code::kBadQuantity);
  EXPECT_EQ(code(Buy(1, 100, -10)), Code::kBadQuantity);
  EXPECT_EQ(code(Buy(1, 100, kMaxQuantity + 10)), Code::kBadQuantity);
  EXPECT_EQ(code(Buy(1, 101, 10)), Code::kOffTick);
  EXPECT_EQ(code(Buy(1, 100, 15)), Code::kOffLot);
  EXPECT_EQ(code(Buy(1, 0, 10)), Code::kInvalidField);
  EXPECT_EQ(code(Buy(1, -5, 10)), Code::kInvalidField);
  EXPECT_EQ(code(Buy(0, 100, 10)), Code::kInvalidField);
  NewOrder m = Market(1, Side::kBuy, 10);
  m.tif = TimeInForce::kGtc;
  EXPECT_EQ(code(m), Code::kInvalidField);
  NewOrder ice = Buy(1, 100, 100);
  ice.display_qty = 15;
  EXPECT_EQ(code(ice), Code::kOffLot);
  ice.display_qty = 200;
  EXPECT_EQ(code(ice), Code::kBadQuantity);
  NewOrder mq = Buy(1, 100, 100);
  mq.min_qty = 110;
  EXPECT_EQ(code(mq), Code::kBadQuantity);
  NewOrder st = Buy(1, 100, 10);
  st.type = OrderType::kStopLimit;
  st.stop_price = 102;
  EXPECT_EQ(code(st), Code::kOffTick);
  EXPECT_TRUE(sink.events().empty());
  EXPECT_EQ(book.live_orders(), 0u);
  EXPECT_EQ(code(Buy(1, 100, 10)), Code::kOk);
  EXPECT_EQ(code(Buy(1, 95, 10)), Code::kConflict);
  EXPECT_EQ(book.live_orders(), 1u);
}

TYPED_TEST(BookTest, CancelRemovesOnlyThatOrderAndKeepsQueueOrder) {
  this->Ok(Buy(1, 100, 1));
  this->Ok(Buy(2, 100, 1));
  this->Ok(Buy(3, 100, 1));
  this->sink_.Clear();
  ASSERT_TRUE(this->book_.Cancel(OrderId(2), this->sink_).ok());
  ASSERT_EQ(this->sink_.size(), 1u);
  EXPECT_EQ(this->sink_[0].reason, CancelReason::kUser);
  EXPECT_EQ(this->Ids(Side::kBuy), (std::vector<int64_t>{1, 3}));
  Result<void> again = this->book_.Cancel(OrderId(2), this->sink_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::kUnknownOrder);
  ASSERT_TRUE(this->book_.Cancel(OrderId(1), this->sink_).ok());
  ASSERT_TRUE(this->book_.Cancel(OrderId(3), this->sink_).ok());
  EXPECT_FALSE(this->book_.best_bid());
}

TYPED_TEST(BookTest, ReplaceQtyDownKeepsPriorityOtherChangesLoseIt) {
  this->Ok(Sell(1, 100, 5));
  this->Ok(Sell(2, 100, 5));
  this->sink_.Clear();
  ASSERT_TRUE(this->book_.Replace(OrderId(1), 100, 3, this->sink_).ok());
  EXPECT_EQ(this->Ids(Side::kSell), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(this->book_.Replace(OrderId(1), 100, 4, this->sink_).ok());  // qty up
  EXPECT_EQ(this->Ids(Side::kSell), (std::vector<int64_t>{2, 1}));
  ASSERT_TRUE(this->book_.Replace(OrderId(2), 101, 5, this->sink_).ok());  // price change
  ASSERT_TRUE(this->book_.Replace(OrderId(2), 100, 5, this->sink_).ok());
  EXPECT_EQ(this->Ids(Side::kSell), (std::vector<int64_t>{1, 2}));
  auto r = Of(this->sink_, EventType::kReplaced);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].leaves, 5);
  EXPECT_EQ(r[0].qty, 3);
  EXPECT_EQ(this->book_.Find(OrderId(1))->leaves, 4);
}

TYPED_TEST(BookTest, ReplaceThatCrossesTradesAsTaker) {
  this->Ok(Buy(1, 100, 5));
  this->Ok(Sell(2, 105, 5));
  this->sink_.Clear();
  ASSERT_TRUE(this->book_.Replace(OrderId(2), 100, 7, this->sink_).ok());
  auto fills = Of(this->sink_, EventType::kFill);
  ASSERT_EQ(fills.size(), 1u);
  EXPECT_EQ(fills[0].order, OrderId(2));
  EXPECT_EQ(fills[0].qty, 5);
  EXPECT_EQ(this->book_.best_ask(), 100);
  EXPECT_EQ(this->book_.Find(OrderId(2))->leaves, 2);
}

TYPED_TEST(BookTest, ReplaceRefusalsChangeNothing) {
  this->Ok(Buy(1, 100, 5));
  this->Ok(Sell(2, 102, 5));
  NewOrder po = Buy(3, 99, 5);
  po.post_only = true;
  this->Ok(po);
  const BookSnapshot before = this->book_.Snapshot();
  this->sink_.Clear();
  auto code = [&](int64_t id, int64_t px, int64_t q) {
    Result<void> r = this->book_.Replace(OrderId(id), px, q, this->sink_);
    return r.ok() ? Code::kOk : r.error().code;
  };
  EXPECT_EQ(code(9, 100, 5), Code::kUnknownOrder);
  EXPECT_EQ(code(1, 100, 0), Code::kBadQuantity);
  EXPECT_EQ(code(1, 0, 5), Code::kInvalidField);
  EXPECT_EQ(code(3, 102, 5), Code::kPostOnlyWouldTrade);
  EXPECT_TRUE(this->sink_.events().empty());
  EXPECT_EQ(this->book_.Snapshot(), before);
}

TYPED_TEST(BookTest, MassCancelRemovesOneAccountInBookOrder) {
  this->Ok(Sell(3, 111, 1, 5));
  this->Ok(Buy(1, 100, 1, 5));
  this->Ok(Sell(2, 110, 1, 6));
  NewOrder stop = Buy(4, 0, 1, 5);
  stop.type = OrderType::kStop;
  stop.tif = TimeInForce::kIoc;
  stop.stop_price = 120;
  this->Ok(stop);
  this->sink_.Clear();
  EXPECT_EQ(this->book_.MassCancel(AccountId(5), this->sink_), 3u);
  ASSERT_EQ(this->sink_.size(), 3u);
  EXPECT_EQ(this->sink_[0].order, OrderId(1));
  EXPECT_EQ(this->sink_[1].order, OrderId(3));
  EXPECT_EQ(this->sink_[2].order, OrderId(4));
  EXPECT_EQ(this->sink_[2].reason, CancelReason::kMassCancel);
  EXPECT_EQ(this->book_.live_orders(), 1u);
  EXPECT_TRUE(this->book_.Find(OrderId(2)));
}

TYPED_TEST(BookTest, IcebergShowsDisplayAndRefillGoesToBackOfQueue) {
  NewOrder ice = Sell(1, 100, 10);
  ice.display_qty = 3;
  this->Ok(ice);
  this->Ok(Sell(2, 100, 2));
  auto depth = this->book_.Depth(Side::kSell, 5);
  ASSERT_EQ(depth.size(), 1u);
  EXPECT_EQ(depth[0].qty, 5);  // 3 displayed + 2
  EXPECT_EQ(depth[0].orders, 2u);
  // Takes the displayed 3; the refill (3) goes behind order 2.
  this->Ok(Buy(3, 100, 3));
  EXPECT_EQ(this->Ids(Side::kSell), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(this->book_.Find(OrderId(1))->leaves, 7);
  EXPECT_EQ(this->book_.Find(OrderId(1))->visible, 3);
  // A large taker reaches hidden quantity: 2 from order 2, then slices of the iceberg.
  const EventSink& s = this->Ok(Buy(4, 100, 9));
  auto fills = Of(s, EventType::kFill);
  ASSERT_EQ(fills.size(), 4u);
  EXPECT_EQ(fills[0].maker, OrderId(2));
  EXPECT_EQ(fills[1].qty, 3);
  EXPECT_EQ(fills[2].qty, 3);
  EXPECT_EQ(fills[3].qty, 1);
  EXPECT_TRUE(fills[3].maker_done);
  EXPECT_FALSE(this->book_.best_ask());
}

TYPED_TEST(BookTest, StopBuyTriggersOnTradeAtOrAboveStop) {
  NewOrder stop = Buy(1, 0, 4, 9);
  stop.type = OrderType::kStop;
  stop.tif = TimeInForce::kIoc;
  stop.stop_price = 105;
  const EventSink& a = this->Ok(stop);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, EventType::kAccepted);
  this->Ok(Sell(2, 104, 1));
  this->Ok(Sell(3, 105, 1));
  this->Ok(Sell(4, 106, 10));
  this->Ok(Buy(5, 104, 1));  // trade at 104: below the stop
  EXPECT_TRUE(this->book_.Find(OrderId(1)));
  const EventSink& s = this->Ok(Buy(6, 105, 1));  // trade at 105: triggers
  ASSERT_GE(s.size(), 4u);
  EXPECT_EQ(s[1].type, EventType::kFill);
  EXPECT_EQ(s[2].type, EventType::kTriggered);
  EXPECT_EQ(s[2].order, OrderId(1));
  EXPECT_EQ(s[2].price, 105);
  auto fills = Of(s, EventType::kFill);
  ASSERT_EQ(fills.size(), 2u);
  EXPECT_EQ(fills[1].order, OrderId(1));
  EXPECT_EQ(fills[1].price, 106);
  EXPECT_EQ(fills[1].qty, 4);
  EXPECT_FALSE(this->book_.Find(OrderId(1)));
}

TYPED_TEST(BookTest, TriggeredStopsEnterInTriggerOrderAndCascade) {
  this->Ok(Buy(1, 100, 50, 1));
  this->Ok(Buy(2, 98, 50, 1));
  this->Ok(Buy(3, 96, 50, 1));
  auto stop = [](int64_t id, int64_t stop_px, int64_t limit, int64_t qty) {
    NewOrder o = Sell(id, limit, qty, 4);
    o.type = OrderType::kStopLimit;
    o.stop_price = stop_px;
    return o;
  };
  this->Ok(stop(10, 99, 98, 50));   // triggered by the cascade's trades at 98
  this->Ok(stop(11, 100, 90, 10));  // triggered by the trade at 100
  this->Ok(stop(12, 97, 96, 5));    // never triggered: nothing trades at or below 97
  this->Ok(stop(13, 101, 90, 5));   // higher sell stop: enters before 11
  const EventSink& s = this->Ok(Sell(20, 100, 50, 2));  // trades 50 at 100
  std::vector<int64_t> triggered;
  for (const Event& e : s.events())
    if (e.type == EventType::kTriggered) triggered.push_back(e.order.value());
  EXPECT_EQ(triggered, (std::vector<int64_t>{13, 11, 10}));
  // 13 sells 5 and 11 sells 10 into the bid at 98 (45, then 35 left); 10 sells 35 there
  // and rests its last 15 at 98.
  EXPECT_EQ(this->book_.Find(OrderId(10))->leaves, 15);
  EXPECT_EQ(this->book_.best_ask(), 98);
  EXPECT_EQ(this->book_.best_bid(), 96);
  EXPECT_EQ(this->book_.Snapshot().stops, (std::vector<OrderId>{OrderId(12)}));
}

TYPED_TEST(BookTest, StopLimitRestsAfterTriggerAndRefusalsBecomeRejectedEvents) {
  this->Ok(Sell(1, 100, 1));
  NewOrder st = Buy(2, 101, 5, 8);
  st.type = OrderType::kStopLimit;
  st.stop_price = 100;
  this->Ok(st);
  NewOrder fok = Buy(3, 101, 50, 8);
  fok.type = OrderType::kStopLimit;
  fok.tif = TimeInForce::kFok;
  fok.stop_price = 100;
  this->Ok(fok);
  const EventSink& s = this->Ok(Buy(4, 100, 1));
  auto rej = Of(s, EventType::kRejected);
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(rej[0].order, OrderId(3));
  EXPECT_EQ(rej[0].code, Code::kFokNotFilled);
  EXPECT_EQ(this->book_.best_bid(), 101);
  EXPECT_EQ(this->book_.Find(OrderId(2))->leaves, 5);
  EXPECT_FALSE(this->book_.Find(OrderId(3)));
  // A stop whose condition already holds triggers on submission.
  NewOrder now = Buy(5, 0, 1, 8);
  now.type = OrderType::kStop;
  now.tif = TimeInForce::kIoc;
  now.stop_price = 90;
  const EventSink& t = this->Ok(now);
  EXPECT_EQ(Of(t, EventType::kTriggered).size(), 1u);
  EXPECT_EQ(Of(t, EventType::kCancelled).size(), 1u);  // no asks left: market remainder
}

TYPED_TEST(BookTest, GoodTillTimeExpiresWhenTimeAdvances) {
  this->sink_.Clear();
  this->book_.AdvanceTime(1000, this->sink_);
  NewOrder g = Buy(1, 100, 1);
  g.tif = TimeInForce::kGtt;
  g.expire_at = 1000;
  EXPECT_EQ(this->Refused(g), Code::kInvalidField);
  g.expire_at = 2000;
  this->Ok(g);
  NewOrder g2 = Buy(2, 99, 1);
  g2.tif = TimeInForce::kGtt;
  g2.expire_at = 1500;
  this->Ok(g2);
  this->Ok(Buy(3, 98, 1));
  this->sink_.Clear();
  this->book_.AdvanceTime(1499, this->sink_);
  EXPECT_TRUE(this->sink_.events().empty());
  this->book_.AdvanceTime(2000, this->sink_);
  ASSERT_EQ(this->sink_.size(), 2u);
  EXPECT_EQ(this->sink_[0].order, OrderId(2));
  EXPECT_EQ(this->sink_[1].order, OrderId(1));
  EXPECT_EQ(this->sink_[1].reason, CancelReason::kExpired);
  EXPECT_EQ(this->Ids(Side::kBuy), (std::vector<int64_t>{3}));
  this->book_.AdvanceTime(10, this->sink_);  // never goes back
  EXPECT_EQ(this->Refused(g2), Code::kInvalidField);
}

TYPED_TEST(BookTest, SelfTradePreventionModes) {
  auto run = [](StpMode mode) {
    TypeParam book(BookParams{});
    EventSink sink;
    EXPECT_TRUE(book.Submit(Sell(1, 100, 2, 7), sink).ok());  // own, oldest
    EXPECT_TRUE(book.Submit(Sell(2, 100, 2, 8), sink).ok());
    NewOrder b = Buy(3, 100, 3, 7);
    b.stp = mode;
    sink.Clear();
    EXPECT_TRUE(book.Submit(b, sink).ok());
    return std::make_pair(std::vector<Event>(sink.events()), book.Snapshot());
  };
  {
    auto [ev, snap] = run(StpMode::kNone);
    int fills = 0;
    for (const Event& e : ev) fills += e.type == EventType::kFill;
    EXPECT_EQ(fills, 2);
  }
  {
    auto [ev, snap] = run(StpMode::kCancelNewest);
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1].type, EventType::kCancelled);
    EXPECT_EQ(ev[1].order, OrderId(3));
    EXPECT_EQ(ev[1].reason, CancelReason::kSelfTrade);
    EXPECT_EQ(snap.asks.size(), 2u);
  }
  {
    auto [ev, snap] = run(StpMode::kCancelOldest);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[1].order, OrderId(1));
    EXPECT_EQ(ev[1].reason, CancelReason::kSelfTrade);
    EXPECT_EQ(ev[2].type, EventType::kFill);
    EXPECT_EQ(ev[2].maker, OrderId(2));
    EXPECT_EQ(snap.bids.size(), 1u);  // 1 left rests
    EXPECT_TRUE(snap.asks.empty());
  }
  {
    auto [ev, snap] = run(StpMode::kCancelBoth);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[1].order, OrderId(1));
    EXPECT_EQ(ev[2].order, OrderId(3));
    EXPECT_EQ(snap.asks.size(), 1u);
    EXPECT_TRUE(snap.bids.empty());
  }
}

TYPED_TEST(BookTest, MatchingOnlyModeIgnoresSelfTradePrevention) {
  BookParams p;
  p.matching_only = true;
  TypeParam book(p);
  EventSink sink;
  ASSERT_TRUE(book.Submit(Sell(1, 100, 2, 7), sink).ok());
  NewOrder b = Buy(2, 100, 2, 7);
  b.stp = StpMode::kCancelBoth;
  sink.Clear();
  ASSERT_TRUE(book.Submit(b, sink).ok());
  EXPECT_EQ(Of(sink, EventType::kFill).size(), 1u);
}

TYPED_TEST(BookTest, FokWithStopOnOwnOrderCountsOnlyWhatStpLetsTrade) {
  this->Ok(Sell(1, 100, 2, 7));
  this->Ok(Sell(2, 100, 2, 8));
  NewOrder f = Buy(3, 100, 3, 7);
  f.tif = TimeInForce::kFok;
  f.stp = StpMode::kCancelNewest;
  EXPECT_EQ(this->Refused(f), Code::kFokNotFilled);
  f.qty = 2;
  f.stp = StpMode::kCancelOldest;
  const EventSink& s = this->Ok(f);
  EXPECT_EQ(Of(s, EventType::kFill).size(), 1u);
  EXPECT_EQ(Of(s, EventType::kCancelled).size(), 1u);  // own order 1 removed
}

TYPED_TEST(BookTest, DepthAggregatesLevelsFromTheTouch) {
  this->Ok(Buy(1, 100, 2));
  this->Ok(Buy(2, 100, 3));
  this->Ok(Buy(3, 98, 1));
  this->Ok(Buy(4, 99, 4));
  auto d = this->book_.Depth(Side::kBuy, 2);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (DepthLevel{100, 5, 2}));
  EXPECT_EQ(d[1], (DepthLevel{99, 4, 1}));
}

}  // namespace
}  // namespace cx::exchange
