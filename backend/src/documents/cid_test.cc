#include "documents/cid.h"

#include <gtest/gtest.h>

#include <random>

#include "documents/errors.h"

namespace cx::documents {
namespace {

TEST(Base32, Rfc4648Vectors) {
  EXPECT_EQ(Base32Encode(""), "");
  EXPECT_EQ(Base32Encode("f"), "my");
  EXPECT_EQ(Base32Encode("fo"), "mzxq");
  EXPECT_EQ(Base32Encode("foo"), "mzxw6");
  EXPECT_EQ(Base32Encode("foob"), "mzxw6yq");
  EXPECT_EQ(Base32Encode("fooba"), "mzxw6ytb");
  EXPECT_EQ(Base32Encode("foobar"), "mzxw6ytboi");
  std::string out;
  ASSERT_TRUE(Base32Decode("MZXW6YTBOI", out));
  EXPECT_EQ(out, "foobar");
  EXPECT_FALSE(Base32Decode("mzxw6ytb0i", out));  // '0' is not in the alphabet
}

TEST(Base32, RoundTripsRandomBytes) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 80; ++n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    std::string back;
    ASSERT_TRUE(Base32Decode(Base32Encode(s), back));
    EXPECT_EQ(back, s);
  }
}

TEST(Varint, EdgeValues) {
  for (uint64_t v : {UINT64_C(0), UINT64_C(1), UINT64_C(127), UINT64_C(128), UINT64_C(300),
                     UINT64_C(1) << 35, UINT64_MAX}) {
    std::string s;
    AppendVarint(s, v);
    size_t pos = 0;
    uint64_t back = 0;
    ASSERT_TRUE(ReadVarint(s, pos, back));
    EXPECT_EQ(back, v);
    EXPECT_EQ(pos, s.size());
  }
  std::string s = "\x80\x80";
  size_t pos = 0;
  uint64_t v;
  EXPECT_FALSE(ReadVarint(s, pos, v));  // truncated
  std::string eleven(11, '\x80');
  pos = 0;
  EXPECT_FALSE(ReadVarint(eleven, pos, v));  // too long
}

TEST(Cid, EmptyRawLeafIsTheWellKnownCid) {
  Cid c = Cid::Of(Codec::kRaw, "");
  EXPECT_EQ(c.ToString(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  // "hello world\n", as in the IPFS documentation.
  EXPECT_EQ(Cid::Of(Codec::kRaw, "hello world\n").ToString(),
            "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
}

TEST(Cid, ParseRoundTrip) {
  for (Codec codec : {Codec::kRaw, Codec::kDagPb}) {
    Cid c = Cid::Of(codec, "some block");
    auto p = Cid::Parse(c.ToString());
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(*p, c);
    auto b = Cid::FromBytes(c.Bytes());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(*b, c);
    EXPECT_EQ(c.Bytes().size(), 36u);
  }
  EXPECT_EQ(Cid::Of(Codec::kDagPb, "x").ToString().substr(0, 4), "bafy");
  EXPECT_EQ(Cid::Of(Codec::kRaw, "x").ToString().substr(0, 4), "bafk");
}

TEST(Cid, RejectsBadInput) {
  for (const char* bad : {"", "zb2rh", "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
                          "bafkrei", "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk1",
                          "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvykuaa"}) {
    auto r = Cid::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, kBadCid) << bad;
    }
  }
  // dag-cbor codec (0x71) is not a UnixFS file codec.
  std::string b = Cid::Of(Codec::kRaw, "").Bytes();
  b[1] = 0x71;
  EXPECT_FALSE(Cid::FromBytes(b).ok());
  // CIDv0 prefix byte.
  b = Cid::Of(Codec::kRaw, "").Bytes();
  b[0] = 0x00;
  EXPECT_FALSE(Cid::FromBytes(b).ok());
}

}  // namespace
}  // namespace cx::documents
