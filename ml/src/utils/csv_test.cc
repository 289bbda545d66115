#include "utils/csv.h"

#include <gtest/gtest.h>

namespace cx::ml {

TEST(Csv, QuotedFieldsAndCrlf) {
  std::vector<std::vector<std::string>> rows;
  auto r = ForEachCsvRow("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\n3,4\n",
                         [](const std::vector<std::string>& h) -> Result<void> {
                           EXPECT_EQ(h.size(), 2u);
                           return Ok();
                         },
                         [&](const std::vector<std::string>& f, size_t) -> Result<void> {
                           rows.push_back(f);
                           return Ok();
                         });
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "x,1");
  EXPECT_EQ(rows[0][1], "say \"hi\"");
  EXPECT_EQ(rows[1][1], "4");
}

TEST(Csv, UnterminatedQuoteIsAnError) {
  auto r = ForEachCsvRow("a\n\"oops\n", [](auto&) -> Result<void> { return Ok(); },
                         [](auto&, size_t) -> Result<void> { return Ok(); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
}

TEST(PriceCsv, SkipsEmptyPricesAndSortsIsoDates) {
  auto r = ParsePriceCsv("date,close,x\n2021-01-03,3.5,a\n2021-01-01,1.25,b\n2021-01-02,,c\n", "date", "close");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->skipped_empty, 1u);
  ASSERT_EQ(r->prices.size(), 2u);
  EXPECT_EQ(r->dates[0], "2021-01-01");
  EXPECT_DOUBLE_EQ(r->prices[0], 1.25);
  EXPECT_DOUBLE_EQ(r->prices[1], 3.5);
}

TEST(PriceCsv, MissingColumnAndBadNumbersHaveStableCodes) {
  auto a = ParsePriceCsv("date,close\n2021-01-01,1\n", "date", "settle");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, Code::kMissingField);
  EXPECT_EQ(a.error().field, "settle");
  auto b = ParsePriceCsv("date,close\n2021-01-01,abc\n", "date", "close");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, Code::kInvalidField);
  EXPECT_NE(b.error().message.find("line 2"), std::string::npos);
  auto c = ParsePriceCsv("date,close\n2021-01-01,-1\n", "date", "close");
  ASSERT_FALSE(c.ok());
}

TEST(MarketCsv, ParsesSimulatorFormats) {
  auto o = ParseOrdersCsv(
      "ts_ms,event,order_id,account,instrument,side,type,price,qty\n"
      "24,new,1,acc1,1,buy,limit,2367,44000\n30,new,2,acc2,1,sell,market,,5000\n31,cancel,1,acc1,1,buy,limit,2367,44000\n");
  ASSERT_TRUE(o.ok()) << o.error().message;
  ASSERT_EQ(o->size(), 3u);
  EXPECT_FALSE((*o)[0].cancel);
  EXPECT_EQ((*o)[0].price, 2367);
  EXPECT_TRUE((*o)[1].market);
  EXPECT_EQ((*o)[1].side, Side::kSell);
  EXPECT_TRUE((*o)[2].cancel);
  auto t = ParseTradesCsv(
      "ts_ms,trade_id,instrument,price,qty,buy_order_id,sell_order_id,buyer,seller,aggressor\n"
      "1814,1,2,1744,10000,15,47,accA,accB,sell\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].aggressor, Side::kSell);
  EXPECT_EQ((*t)[0].seller, "accB");
  auto bad = ParseOrdersCsv("ts_ms,event,order_id,account,instrument,side,type,price,qty\n1,modify,1,a,1,buy,limit,1,1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "event");
}

}  // namespace cx::ml
