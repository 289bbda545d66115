#include "documents/http_range.h"

#include <gtest/gtest.h>

#include "documents/errors.h"

namespace cx::documents {
namespace {

ByteRange Must(std::string_view h, uint64_t size) {
  auto r = ParseRangeHeader(h, size);
  EXPECT_TRUE(r.ok()) << h;
  EXPECT_TRUE(r.ok() && r->has_value()) << h;
  return r.ok() && r->has_value() ? **r : ByteRange{};
}

TEST(HttpRange, SatisfiableForms) {
  auto r = Must("bytes=0-99", 1000);
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.length, 100u);
  r = Must("bytes=900-", 1000);
  EXPECT_EQ(r.offset, 900u);
  EXPECT_EQ(r.length, 100u);
  r = Must("bytes=-10", 1000);
  EXPECT_EQ(r.offset, 990u);
  EXPECT_EQ(r.length, 10u);
  r = Must("bytes=-5000", 1000);  // suffix longer than the document: all of it
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.length, 1000u);
  r = Must("Bytes=990-5000", 1000);  // unit is case-insensitive; end clamped
  EXPECT_EQ(r.length, 10u);
  EXPECT_EQ(ContentRange(Must("bytes=5-9", 1000), 1000), "bytes 5-9/1000");
}

TEST(HttpRange, IgnoredHeadersServeTheWholeDocument) {
  for (const char* h : {"", "items=0-1", "bytes=0-1,5-6", "bytes=abc", "bytes=5-1", "bytes=-",
                        "bytes=1-x", "bytes=99999999999999999999-"}) {
    auto r = ParseRangeHeader(h, 1000);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_FALSE(r->has_value()) << h;
  }
}

TEST(HttpRange, UnsatisfiableIs416) {
  for (const char* h : {"bytes=1000-", "bytes=1000-2000", "bytes=-0"}) {
    auto r = ParseRangeHeader(h, 1000);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().code, kBadRange);
  }
  EXPECT_FALSE(ParseRangeHeader("bytes=0-", 0).ok());  // empty document
  EXPECT_FALSE(ParseRangeHeader("bytes=-1", 0).ok());
}

}  // namespace
}  // namespace cx::documents
