// FIX order terms -> registry orders (app/fix_bridge.h OrderFromFix).
#include "app/fix_bridge.h"

#include <gtest/gtest.h>

namespace cx::app {
namespace {

fix::OrderRequest Limit(std::string qty, std::string price) {
  fix::OrderRequest r;
  r.cl_ord_id = "C1";
  r.side = '1';
  r.ord_type = '2';
  r.quantity = std::move(qty);
  r.price = std::move(price);
  return r;
}

TEST(FixOrderTerms, LimitOrderParsesExactly) {
  auto o = OrderFromFix(Limit("1.5", "24.05"));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->qty, 1500);
  EXPECT_EQ(o->price, 2405);
  EXPECT_EQ(o->side, registry::OrderSide::kBuy);
  EXPECT_EQ(o->kind, registry::OrderKind::kLimit);
  EXPECT_EQ(o->tif, registry::OrderTif::kGtc);
  EXPECT_EQ(o->client_id, "C1");
}

TEST(FixOrderTerms, TimeInForceTypesAndInstructions) {
  fix::OrderRequest r = Limit("2", "10");
  r.side = '2';
  r.time_in_force = '4';
  r.exec_inst = "6";
  r.max_floor = "0.5";
  r.min_qty = "1";
  r.batch = "7";
  auto o = OrderFromFix(r);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->side, registry::OrderSide::kSell);
  EXPECT_EQ(o->tif, registry::OrderTif::kFok);
  EXPECT_TRUE(o->post_only);
  EXPECT_EQ(o->display_qty, 500);
  EXPECT_EQ(o->min_qty, 1000);
  EXPECT_EQ(o->batch, 7);
  fix::OrderRequest m;
  m.ord_type = '1';
  m.side = '1';
  m.quantity = "1";
  auto mk = OrderFromFix(m);
  ASSERT_TRUE(mk.ok());
  EXPECT_EQ(mk->kind, registry::OrderKind::kMarket);
  EXPECT_EQ(mk->tif, registry::OrderTif::kIoc);
  fix::OrderRequest g = Limit("1", "10");
  g.time_in_force = '6';
  g.expire_unix_s = 1900000000;
  auto gt = OrderFromFix(g);
  ASSERT_TRUE(gt.ok());
  EXPECT_EQ(gt->expire_at, int64_t{1900000000} * 1'000'000);
}

TEST(FixOrderTerms, RefusalsCarryStableCodes) {
  EXPECT_EQ(OrderFromFix(Limit("1", "")).error().code, Code::kMissingField);
  EXPECT_EQ(OrderFromFix(Limit("1", "24.001")).error().code, Code::kInvalidField);
  EXPECT_EQ(OrderFromFix(Limit("1.0001", "24")).error().code, Code::kInvalidField);
  fix::OrderRequest m = Limit("1", "24");
  m.ord_type = '1';
  EXPECT_EQ(OrderFromFix(m).error().code, Code::kInvalidField);  // market with a price
  fix::OrderRequest s = Limit("1", "24");
  s.ord_type = '4';
  EXPECT_EQ(OrderFromFix(s).error().code, Code::kMissingField);  // stop-limit without StopPx
  fix::OrderRequest g = Limit("1", "24");
  g.time_in_force = '6';
  EXPECT_EQ(OrderFromFix(g).error().code, Code::kMissingField);  // GTD without ExpireTime
  fix::OrderRequest b = Limit("1", "24");
  b.batch = "x";
  EXPECT_EQ(OrderFromFix(b).error().code, Code::kInvalidField);
  fix::OrderRequest l = Limit("1", "24");
  l.cl_ord_id = std::string(65, 'a');
  EXPECT_EQ(OrderFromFix(l).error().code, Code::kInvalidField);
}

}  // namespace
}  // namespace cx::app
