#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/json_util.h"

namespace cx::api {
namespace {

boost::json::object Obj(std::string_view s) { return std::move(ParseJsonObject(s)).value(); }

TEST(JsonUtil, MalformedBodiesAreBadJson) {
  for (std::string_view bad : {"", "{", "[1,2]", "\"str\"", "{\"a\":1,}", "nul", "{} x",
                               "{\"a\":\"\xff\"}"}) {
    auto r = ParseJsonObject(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::kBadJson) << bad;
  }
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  EXPECT_EQ(ParseJsonObject(deep).error().code, Code::kBadJson);
  EXPECT_TRUE(ParseJsonObject(R"({"a":1})").ok());
}

TEST(JsonUtil, MissingAndWronglyTypedFieldsNameTheField) {
  auto o = Obj(R"({"name":"x","n":5,"f":1.5,"big":18446744073709551615,"s":"7","nul":null,
                   "b":true,"arr":["a","b"],"mixed":["a",1],"obj":{"k":1}})");
  EXPECT_EQ(*GetString(o, "name"), "x");
  auto miss = GetString(o, "absent");
  EXPECT_EQ(miss.error().code, Code::kMissingField);
  EXPECT_EQ(miss.error().field, "absent");
  EXPECT_EQ(GetString(o, "nul").error().code, Code::kMissingField);  // null counts as absent
  auto wrong = GetString(o, "n");
  EXPECT_EQ(wrong.error().code, Code::kInvalidField);
  EXPECT_EQ(wrong.error().field, "n");
  EXPECT_EQ(GetString(o, "name", 0).error().code, Code::kInvalidField);  // too long
  EXPECT_EQ(*GetInt64(o, "n"), 5);
  EXPECT_EQ(GetInt64(o, "f").error().code, Code::kInvalidField);
  EXPECT_EQ(GetInt64(o, "s").error().code, Code::kInvalidField);
  EXPECT_EQ(GetInt64(o, "big").error().code, Code::kInvalidField);
  EXPECT_FALSE(GetOptInt64(o, "absent")->has_value());
  EXPECT_EQ(GetOptString(o, "n").error().field, "n");
  EXPECT_TRUE(*GetBool(o, "b"));
  EXPECT_EQ(GetBool(o, "n").error().code, Code::kInvalidField);
  EXPECT_EQ(GetStringArray(o, "arr")->size(), 2u);
  EXPECT_EQ(GetStringArray(o, "mixed").error().field, "mixed");
  EXPECT_EQ(GetStringArray(o, "arr", 1).error().code, Code::kInvalidField);
  EXPECT_EQ((*GetObject(o, "obj"))->size(), 1u);
  EXPECT_EQ(GetObject(o, "arr").error().code, Code::kInvalidField);
}

TEST(JsonUtil, AmountsAreDecimalStringsOnly) {
  auto o = Obj(R"({"price":"10.50","qty":"1.250","num":10.5,"bad":"1.2.3","fine":"0.001",
                   "toofine":"0.0001","neg":"-1.00"})");
  EXPECT_EQ(*GetDecimal(o, "price", 2), 1050);
  EXPECT_EQ(*GetTonnesKg(o, "qty"), 1250);
  EXPECT_EQ(*GetTonnesKg(o, "fine"), 1);
  auto num = GetDecimal(o, "num", 2);
  EXPECT_EQ(num.error().code, Code::kInvalidField);
  EXPECT_EQ(num.error().field, "num");
  EXPECT_EQ(GetDecimal(o, "bad", 2).error().field, "bad");
  EXPECT_EQ(GetTonnesKg(o, "toofine").error().code, Code::kInvalidField);
  EXPECT_EQ(GetDecimal(o, "price", 1).error().code, Code::kInvalidField);  // too many decimals
  EXPECT_EQ(GetTonnesKg(o, "absent").error().code, Code::kMissingField);
  EXPECT_FALSE(GetOptDecimal(o, "absent", 2)->has_value());
  EXPECT_EQ(**GetOptDecimal(o, "neg", 2), -100);
}

TEST(JsonUtil, ParseIdAcceptsOnlyPositiveIntegers) {
  EXPECT_EQ(*ParseId("42", "id"), 42);
  for (std::string_view bad : {"", "0", "-1", "1x", "x", "99999999999999999999", " 1"}) {
    auto r = ParseId(bad, "id");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "id");
  }
}

}  // namespace
}  // namespace cx::api
