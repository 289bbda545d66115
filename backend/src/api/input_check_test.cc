#include "api/input_check.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "api/json_util.h"

namespace cx::api {
namespace {

std::string Cp(uint32_t cp) {  // UTF-8 encoding of one code point
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

TEST(InputCheck, EveryControlCharacterIsRefusedInALine) {
  for (uint32_t cp = 0; cp < 0x20; ++cp) {
    auto r = CheckText("a" + Cp(cp) + "b", "name");
    ASSERT_FALSE(r.ok()) << cp;
    EXPECT_EQ(r.error().code, Code::kInvalidField);
    EXPECT_EQ(r.error().field, "name");
  }
  for (uint32_t cp : {0x7Fu, 0x80u, 0x85u, 0x9Fu, 0x2028u, 0x2029u, 0x202Au, 0x202Eu, 0x2066u, 0x2069u}) {
    EXPECT_FALSE(CheckText("x" + Cp(cp), "f").ok()) << std::hex << cp;
    EXPECT_FALSE(CheckText("x" + Cp(cp), "f", TextKind::kMultiline).ok()) << std::hex << cp;
  }
  // The message names the code point and its offset, not the text.
  EXPECT_NE(CheckText(std::string("ab\0c", 4), "f").error().message.find("U+0000 at byte 2"), std::string::npos);
}

TEST(InputCheck, MultilineTextAllowsLineFeedAndTabOnly) {
  EXPECT_TRUE(CheckText("line one\n\tline two\n", "d", TextKind::kMultiline).ok());
  EXPECT_FALSE(CheckText("line one\n", "d").ok());
  EXPECT_FALSE(CheckText("a\tb", "d").ok());
  EXPECT_FALSE(CheckText("a\r\nb", "d", TextKind::kMultiline).ok());
  EXPECT_FALSE(CheckText(std::string("a\0b", 3), "d", TextKind::kMultiline).ok());
}

TEST(InputCheck, OrdinaryTextInAnyScriptPasses) {
  for (const char* s : {"", "ACME Corp.", "x'); DROP TABLE journal; --", "Café São Paulo", "中文 名字",
                        "مرحبا", "עברית", "🌳 emoji", "\xC2\xA0nbsp", "a\xC2\xA0" "b"})
    EXPECT_TRUE(CheckText(s, "f").ok()) << s;
  for (uint32_t cp : {0xA0u, 0xFFu, 0x7FFu, 0x800u, 0x2027u, 0x202Fu, 0x2065u, 0x206Au, 0xFFFDu, 0x10000u, 0x10FFFFu})
    EXPECT_TRUE(CheckText(Cp(cp), "f").ok()) << std::hex << cp;
}

TEST(InputCheck, MalformedUtf8IsRefused) {
  for (std::string_view bad : {"\xFF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                               "\xF5\x80\x80\x80", "\xC3", "\xE2\x82", "a\x80", "\xF0\x9F\x8C"}) {
    auto r = CheckText(bad, "f");
    ASSERT_FALSE(r.ok()) << bad.size();
    EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos);
  }
}

TEST(InputCheck, DatesMustExist) {
  for (const char* good : {"2024-02-29", "2000-02-29", "1900-01-01", "2200-12-31", "2025-12-31", "2023-04-30"}) {
    auto d = ParseIsoDate(good, "d");
    ASSERT_TRUE(d.ok()) << good;
    EXPECT_EQ(d->ToString(), good);
  }
  for (const char* bad : {"2023-02-29", "1900-02-29", "2100-02-29", "2025-13-01", "2025-00-10", "2025-04-31",
                          "2025-01-00", "2025-01-32", "1899-12-31", "2201-01-01", "garbage", "", "2025-1-01",
                          "2025-01-1", "20250101", "2025/01/01", "2025-01-01T00:00:00Z", " 2025-01-01",
                          "+2025-01-01", "2025-0a-01", "２０２５-01-01"}) {
    auto d = ParseIsoDate(bad, "period_start");
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code, Code::kInvalidField);
    EXPECT_EQ(d.error().field, "period_start");
  }
}

TEST(InputCheck, DaysFromEpochOrdersDates) {
  EXPECT_EQ((CalendarDate{1970, 1, 1}.DaysFromEpoch()), 0);
  EXPECT_EQ((CalendarDate{2000, 3, 1}.DaysFromEpoch()), 11017);
  EXPECT_EQ((CalendarDate{1900, 1, 1}.DaysFromEpoch()), -25567);
  int64_t prev = CalendarDate{1900, 1, 1}.DaysFromEpoch() - 1;
  for (int32_t y = 1900; y <= 2200; ++y)
    for (int32_t m = 1; m <= 12; ++m)
      for (int32_t d = 1; d <= 31; ++d) {
        CalendarDate c{y, m, d};
        if (!ParseIsoDate(c.ToString(), "d").ok()) continue;
        ASSERT_EQ(c.DaysFromEpoch(), prev + 1) << c.ToString();
        prev = c.DaysFromEpoch();
      }
}

TEST(InputCheck, DateRangeNamesTheFieldAtFault) {
  EXPECT_TRUE(CheckDateRange("2025-01-01", "a", "2025-12-31", "b").ok());
  EXPECT_TRUE(CheckDateRange("2025-01-01", "a", "2025-01-01", "b").ok());
  EXPECT_TRUE(CheckDateRange("", "a", "2025-01-01", "b").ok());
  EXPECT_TRUE(CheckDateRange("2025-01-01", "a", "", "b").ok());
  EXPECT_EQ(CheckDateRange("2025-01-02", "a", "2025-01-01", "b").error().field, "b");
  EXPECT_EQ(CheckDateRange("2025-02-30", "a", "2025-01-01", "b").error().field, "a");
  EXPECT_EQ(CheckDateRange("2025-01-01", "a", "x", "b").error().field, "b");
}

TEST(InputCheck, CountryCodes) {
  EXPECT_EQ(CountryCodeCount(), 250u);  // 249 assigned + XK
  for (const char* c : {"BR", "FR", "US", "GB", "CN", "IN", "ZW", "AD", "XK", "SS", "CW"}) EXPECT_TRUE(IsCountryCode(c)) << c;
  for (const char* c : {"", "B", "br", "Br", "BRA", "ZZ", "XX", "UK", "EU", "AA", "ZZZ!", "B\0"}) {
    EXPECT_FALSE(IsCountryCode(c)) << c;
    auto r = CheckCountry(c, "country");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "country");
  }
  // Every accepted code is two upper-case ASCII letters.
  int n = 0;
  for (char a = 'A'; a <= 'Z'; ++a)
    for (char b = 'A'; b <= 'Z'; ++b) n += IsCountryCode(std::string{a, b}) ? 1 : 0;
  EXPECT_EQ(n, 250);
}

TEST(InputCheck, JsonGettersApplyTheChecks) {
  auto o = std::move(ParseJsonObject(R"({"line":"a\nb","nul":"a\u0000b","tab":"a\tb","ok":"fine",
      "date":"2024-02-29","baddate":"2023-02-29","cc":"BR","badcc":"ZZ","arr":["a","b\u0007"],
      "desc":"para one\n\tpara two","bidi":"abc\u202Edef"})")).value();
  EXPECT_EQ(GetString(o, "line").error().field, "line");
  EXPECT_EQ(GetOptString(o, "nul").error().code, Code::kInvalidField);
  EXPECT_FALSE(GetString(o, "tab").ok());
  EXPECT_EQ(*GetString(o, "ok"), "fine");
  EXPECT_EQ(*GetText(o, "desc"), "para one\n\tpara two");
  EXPECT_FALSE(GetText(o, "nul").ok());
  EXPECT_FALSE(GetOptText(o, "bidi").ok());
  EXPECT_EQ(*GetDate(o, "date"), "2024-02-29");
  EXPECT_EQ(GetDate(o, "baddate").error().field, "baddate");
  EXPECT_EQ(GetDate(o, "absent").error().code, Code::kMissingField);
  EXPECT_FALSE(GetOptDate(o, "absent")->has_value());
  EXPECT_EQ(*GetCountry(o, "cc"), "BR");
  EXPECT_FALSE(GetOptCountry(o, "badcc").ok());
  EXPECT_FALSE(GetCountry(o, "ok").ok());
  auto lower = std::move(ParseJsonObject(R"({"cc":"fr"})")).value();
  EXPECT_EQ(*GetCountry(lower, "cc"), "FR");
  EXPECT_EQ(GetStringArray(o, "arr").error().field, "arr");
}

}  // namespace
}  // namespace cx::api
