#include "importers/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cx::importers {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvReader, SplitsPlainFieldsAndRecords) {
  auto recs = ParseCsv("a,b,c\n1,2,3\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_TRUE(recs[1].error.empty());
}

TEST(CsvReader, QuotedFieldKeepsCommasAndDoubledQuotes) {
  auto recs = ParseCsv("x,\"a, b\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"x", "a, b", "say \"hi\"", ""}));
  EXPECT_TRUE(recs[0].error.empty());
}

TEST(CsvReader, EmbeddedNewlinesKeepTheStartingLine) {
  auto recs = ParseCsv("h1,h2\n\"line one\nline two\r\nline three\",z\nnext,row\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields[0], "line one\nline two\r\nline three");
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_EQ(recs[2].line, 5);  // the quoted field spanned lines 2-4
  EXPECT_EQ(recs[2].fields, (Fields{"next", "row"}));
}

TEST(CsvReader, CrLfAndLoneCrEndRecords) {
  auto recs = ParseCsv("a,b\r\n1,2\r3,4");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(recs[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(recs[2].line, 3);
}

TEST(CsvReader, SkipsUtf8BomOnlyAtStart) {
  auto recs = ParseCsv("\xEF\xBB\xBFid,name\n1,x\xEF\xBB\xBF\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields[0], "id");
  EXPECT_EQ(recs[1].fields[1], "x\xEF\xBB\xBF");
}

TEST(CsvReader, EmptyFieldsAndTrailingComma) {
  auto recs = ParseCsv(",,\na,\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].fields, (Fields{"", "", ""}));
  EXPECT_EQ(recs[1].fields, (Fields{"a", ""}));
}

TEST(CsvReader, BlankLineIsOneEmptyField) {
  auto recs = ParseCsv("a\n\nb\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_TRUE(recs[1].blank());
  EXPECT_EQ(recs[2].line, 3);
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ParseCsv("").empty());
  EXPECT_TRUE(ParseCsv("\xEF\xBB\xBF").empty());
}

TEST(CsvReader, NoFinalNewlineStillEndsTheRecord) {
  auto recs = ParseCsv("a,\"b\"");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].fields, (Fields{"a", "b"}));
}

TEST(CsvReader, UnterminatedQuoteIsReportedWithItsLine) {
  auto recs = ParseCsv("a,b\n1,\"open\n2,3\n");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_NE(recs[1].error.find("line 2"), std::string::npos) << recs[1].error;
  EXPECT_EQ(recs[1].line, 2);
}

TEST(CsvReader, StrayQuotesAreFlaggedButReadingContinues) {
  auto recs = ParseCsv("ab\"c,d\n\"x\"y,z\nok,ok\n");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0].error, "quote inside an unquoted field");
  EXPECT_EQ(recs[0].fields[0], "ab\"c");
  EXPECT_EQ(recs[1].error, "text after a closing quote");
  EXPECT_EQ(recs[1].fields[0], "xy");
  EXPECT_TRUE(recs[2].error.empty());
  EXPECT_EQ(recs[2].line, 3);
}

TEST(CsvReader, OversizedRecordIsRefusedAndTheNextOneRead) {
  std::string big(100, 'x');
  std::istringstream in("a," + big + "\nb,c\n");
  CsvReader reader(in, 50);
  CsvRecord rec;
  ASSERT_TRUE(reader.Next(&rec));
  EXPECT_NE(rec.error.find("larger than 50"), std::string::npos);
  EXPECT_TRUE(rec.fields.empty());
  ASSERT_TRUE(reader.Next(&rec));
  EXPECT_EQ(rec.fields, (Fields{"b", "c"}));
  EXPECT_TRUE(rec.error.empty());
  EXPECT_FALSE(reader.Next(&rec));
}

TEST(CsvReader, ReadsAcrossBlockBoundaries) {
  // Records straddling the 64 KiB read blocks, with quotes and CRLF split across them.
  std::string text = "id,text\r\n";
  for (int i = 0; i < 5000; ++i)
    text += std::to_string(i) + ",\"quoted, \"\"field\"\"\r\nsecond line\"\r\n";
  auto recs = ParseCsv(text);
  ASSERT_EQ(recs.size(), 5001u);
  for (int i = 0; i < 5000; ++i) {
    const auto& r = recs[static_cast<size_t>(i) + 1];
    ASSERT_EQ(r.fields.size(), 2u);
    EXPECT_EQ(r.fields[0], std::to_string(i));
    EXPECT_EQ(r.fields[1], "quoted, \"field\"\r\nsecond line");
    EXPECT_EQ(r.line, 2 + 2 * i);
  }
}

TEST(CsvReader, CountsBytes) {
  std::istringstream in(
      "\xEF\xBB\xBF"
      "a,b\n1,2\n");
  CsvReader reader(in);
  CsvRecord rec;
  while (reader.Next(&rec)) {
  }
  EXPECT_EQ(reader.bytes_read(), 11);
}

}  // namespace
}  // namespace cx::importers
