#include "documents/crypto.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "documents/errors.h"
#include "documents/test_util.h"

namespace cx::documents {
namespace {

MasterKey TestMaster() { return MasterKey::FromBytes(RandomKey()); }

TEST(Crypto, SegmentRoundTripAndTamperDetection) {
  Key256 dek = RandomKey();
  std::string plain = testing::Pattern(1000);
  std::string sealed = SealSegment(dek, 3, false, plain);
  EXPECT_EQ(sealed.size(), plain.size() + kTagSize);
  EXPECT_EQ(sealed.find(plain.substr(0, 32)), std::string::npos);
  auto back = OpenSegment(dek, 3, false, sealed);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, plain);
  // Wrong position, wrong last flag, altered byte, wrong key, truncated: all refused.
  EXPECT_EQ(OpenSegment(dek, 4, false, sealed).error().code, kDecryptFailed);
  EXPECT_EQ(OpenSegment(dek, 3, true, sealed).error().code, kDecryptFailed);
  std::string altered = sealed;
  altered[10] ^= 1;
  EXPECT_FALSE(OpenSegment(dek, 3, false, altered).ok());
  EXPECT_FALSE(OpenSegment(RandomKey(), 3, false, sealed).ok());
  EXPECT_FALSE(OpenSegment(dek, 3, false, sealed.substr(0, 10)).ok());
  // Empty last segment is just a tag, and still authenticated.
  std::string empty = SealSegment(dek, 0, true, "");
  EXPECT_EQ(empty.size(), kTagSize);
  EXPECT_TRUE(OpenSegment(dek, 0, true, empty).ok());
  EXPECT_FALSE(OpenSegment(dek, 0, false, empty).ok());
}

TEST(Crypto, KeyWrapNeedsTheRightMasterKey) {
  MasterKey master = TestMaster();
  Key256 dek = RandomKey();
  std::string wrapped = WrapKey(master, dek);
  EXPECT_EQ(wrapped.size(), 60u);
  EXPECT_NE(WrapKey(master, dek), wrapped);  // random nonce each time
  auto back = UnwrapKey(master, wrapped);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, dek);
  auto wrong = UnwrapKey(TestMaster(), wrapped);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, kDecryptFailed);
  EXPECT_FALSE(UnwrapKey(master, wrapped.substr(1)).ok());
}

TEST(Crypto, MasterKeyFromHexFileAndEnvironment) {
  std::string hex(64, 'a');
  auto k = MasterKey::FromHex(" " + hex + "\n");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->key[0], 0xaa);
  EXPECT_EQ(k->id.size(), 16u);
  EXPECT_EQ(MasterKey::FromHex(hex.substr(2)).error().code, Code::kInvalidField);
  EXPECT_FALSE(MasterKey::FromHex(std::string(64, 'g')).ok());

  testing::TempDir dir;
  std::string path = dir.path() + "/key";
  std::ofstream(path) << hex << "\n";
  auto f = MasterKey::FromFile(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->key, k->key);
  std::string raw(32, '\x07');
  std::ofstream(path, std::ios::binary | std::ios::trunc) << raw;
  EXPECT_EQ(MasterKey::FromFile(path)->key[31], 7);
  EXPECT_EQ(MasterKey::FromFile(dir.path() + "/missing").error().code, Code::kIo);

  ::setenv(kMasterKeyEnv, hex.c_str(), 1);
  auto e = MasterKey::FromEnvironment();
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->key, k->key);
  ::setenv(kMasterKeyEnv, "short", 1);
  EXPECT_FALSE(MasterKey::FromEnvironment().ok());
  ::unsetenv(kMasterKeyEnv);
  EXPECT_FALSE(MasterKey::FromEnvironment()->has_value());
}

TEST(Crypto, SealedAndPlainSizesInvert) {
  for (uint64_t p : {uint64_t{0}, uint64_t{1}, uint64_t{kPlainSegment - 1}, uint64_t{kPlainSegment},
                     uint64_t{kPlainSegment + 1}, uint64_t{3 * kPlainSegment},
                     uint64_t{5 * kPlainSegment + 77}}) {
    uint64_t s = SealedSize(p);
    auto back = PlainSize(s);
    ASSERT_TRUE(back.ok()) << p;
    EXPECT_EQ(*back, p);
  }
  EXPECT_EQ(SealedSize(kPlainSegment), kSealedSegment);
  EXPECT_FALSE(PlainSize(0).ok());
  EXPECT_FALSE(PlainSize(15).ok());
  EXPECT_FALSE(PlainSize(kSealedSegment + 16).ok());  // an empty non-first last segment
}

}  // namespace
}  // namespace cx::documents
