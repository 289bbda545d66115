#include "core/codec.h"

#include <gtest/gtest.h>

#include "core/strong.h"

namespace cx {
namespace {
struct Inner {
  int64_t a = 0;
  std::string b;
  template <class V> void Fields(V& v) { v("a", a); v("b", b); }
  bool operator==(const Inner&) const = default;
};
struct Rec {
  AccountId acct;
  int64_t neg = 0;
  bool flag = false;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::optional<Inner> inner;
  std::vector<Inner> list;
  template <class V> void Fields(V& v) {
    v("acct", acct); v("neg", neg); v("flag", flag); v("ranges", ranges); v("inner", inner);
    v("list", list);
  }
  bool operator==(const Rec&) const = default;
};
}  // namespace

TEST(Codec, RoundTripsEveryFieldKind) {
  Rec r{AccountId(42), -123456789012345, true, {{0, 1000}, {5000, 7000}}, Inner{7, "x\"y"},
        {Inner{1, "a"}, Inner{-2, ""}}};
  std::string bytes = Encode(r);
  Rec back;
  ASSERT_TRUE(Decode(bytes, back));
  EXPECT_EQ(r, back);
  EXPECT_EQ(ToJson(r),
            "{\"acct\":42,\"neg\":-123456789012345,\"flag\":true,\"ranges\":[[0,1000],[5000,"
            "7000]],\"inner\":{\"a\":7,\"b\":\"x\\\"y\"},\"list\":[{\"a\":1,\"b\":\"a\"},{\"a\":-2,"
            "\"b\":\"\"}]}");
}

TEST(Codec, RejectsTruncatedAndTrailingBytes) {
  Rec r{AccountId(1), 2, false, {{1, 2}}, std::nullopt, {}};
  std::string bytes = Encode(r);
  Rec back;
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(Decode(bytes.substr(0, n), back)) << n;
  EXPECT_FALSE(Decode(bytes + "x", back));
}

TEST(Codec, ExtremeIntegers) {
  for (int64_t v : {INT64_MIN, INT64_MAX, int64_t{0}, int64_t{-1}}) {
    Inner i{v, ""}, back;
    ASSERT_TRUE(Decode(Encode(i), back));
    EXPECT_EQ(back.a, v);
  }
}

}  // namespace cx

namespace cx {
namespace {
struct Small {
  uint32_t u = 0;
  bool b = false;
  template <class V> void Fields(V& v) { v("u", u); v("b", b); }
};
}  // namespace
TEST(Codec, RefusesNonCanonicalBytes) {
  Small x;
  EXPECT_FALSE(Decode(std::string("\x27\x00", 2), x));   // negative into an unsigned field
  EXPECT_FALSE(Decode(std::string("\x02\x02", 2), x));   // bool must be 0 or 1
  EXPECT_FALSE(Decode(std::string("\x82\x00\x00", 3), x));  // overlong varint
  Rec rec;
  EXPECT_FALSE(Decode(std::string("\x02\x00\x00\xff\xff\xff\x63\x00", 8), rec));  // absurd vector count
  EXPECT_TRUE(Decode(std::string("\x02\x01", 2), x));
  EXPECT_EQ(x.u, 1u);
  EXPECT_TRUE(x.b);
}
}  // namespace cx
