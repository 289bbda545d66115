#include "core/sha256.h"

#include <gtest/gtest.h>

namespace cx {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(ToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(ToHex(h.Final()), ToHex(Sha256("abc")));
}

TEST(Sha256, HexRoundTrip) {
  Hash256 h = Sha256("x"), back{};
  ASSERT_TRUE(FromHex(ToHex(h), back));
  EXPECT_EQ(h, back);
  EXPECT_FALSE(FromHex("zz", back));
}

}  // namespace cx
