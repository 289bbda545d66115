#include "documents/e2e.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "documents/document_store.h"
#include "documents/test_util.h"

namespace cx::documents {
namespace {

// The P-256 base point G (SEC 2), in JWK coordinates; thumbprint computed independently
// (Python hashlib over the RFC 7638 member order).
constexpr char kGx[] = "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY";
constexpr char kGy[] = "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU";
constexpr char kGThumb[] = "xx0BcA-wMohw8atYDJOe6peGModklG2wRHBlXHMvl0M";

TEST(E2e, Base64UrlRoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    std::string enc = Base64UrlEncodeBytes(bytes);
    EXPECT_EQ(enc.find('='), std::string::npos);
    auto dec = Base64UrlDecode(enc);
    ASSERT_TRUE(dec) << n;
    EXPECT_EQ(*dec, bytes);
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
  EXPECT_EQ(Base64UrlEncodeBytes("\xfb\xff"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("a"));       // impossible length
  EXPECT_FALSE(Base64UrlDecode("ab+/"));    // standard alphabet refused
  EXPECT_FALSE(Base64UrlDecode("ab=="));    // padding refused
  EXPECT_FALSE(Base64UrlDecode("-_9"));     // non-zero tail bits
}

TEST(E2e, ThumbprintOfTheBasePointMatchesRfc7638) {
  auto t = P256JwkThumbprint(kGx, kGy);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(*t, kGThumb);
}

TEST(E2e, PointsOffTheCurveAndBadCoordinatesAreRefused) {
  std::string y = kGy;
  y[5] = y[5] == 'A' ? 'B' : 'A';  // G with a changed y is not on the curve
  auto off = P256JwkThumbprint(kGx, y);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().code, Code::kInvalidField);
  EXPECT_EQ(off.error().field, "jwk");
  EXPECT_FALSE(P256JwkThumbprint("", kGy).ok());
  EXPECT_FALSE(P256JwkThumbprint(std::string(kGx) + "AA", kGy).ok());  // 33+ bytes
  EXPECT_FALSE(P256JwkThumbprint("not base64!", kGy).ok());
}

TEST(E2e, StoreKeepsKeysAndEnvelopesAcrossReopen) {
  testing::TempDir t;
  std::string dir = t.path() + "/e2e";
  {
    auto s = E2eStore::Open(dir);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(s->PutRecipientKey(7, CanonicalP256Jwk(kGx, kGy)).ok());
    ASSERT_TRUE(s->PutRecipientKey(3, "{\"k\":3}").ok());
    ASSERT_TRUE(s->PutEnvelope("bafkreiabc", "{\"v\":1}").ok());
    EXPECT_FALSE(s->PutRecipientKey(0, "{}").ok());
    EXPECT_FALSE(s->PutEnvelope("../etc/passwd", "{}").ok());
    EXPECT_FALSE(s->PutEnvelope("bafkreiabc", std::string(70000, 'x')).ok());
  }
  auto s = E2eStore::Open(dir);
  ASSERT_TRUE(s.ok());
  auto k = s->GetRecipientKey(7);
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ(**k, CanonicalP256Jwk(kGx, kGy));
  auto all = s->ListRecipientKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].first, 3);
  EXPECT_EQ((*all)[1].first, 7);
  auto e = s->GetEnvelope("bafkreiabc");
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ(**e, "{\"v\":1}");
  auto none = s->GetEnvelope("bafkreinone");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(s->DeleteEnvelope("bafkreiabc").ok());
  EXPECT_FALSE(s->GetEnvelope("bafkreiabc")->has_value());
  EXPECT_TRUE(s->DeleteEnvelope("bafkreiabc").ok());  // idempotent
  ASSERT_TRUE(s->DeleteRecipientKey(7).ok());
  EXPECT_FALSE(s->GetRecipientKey(7)->has_value());
  struct stat st{};
  ASSERT_EQ(::stat((dir + "/keys/3.jwk").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);  // not readable by others
}

}  // namespace
}  // namespace cx::documents

namespace cx::documents {
namespace {

TEST(E2e, CheckEndToEndPaperAcceptsOnlyTheOwnersEnvelopedCiphertext) {
  testing::TempDir t;
  auto store = DocumentStore::Open({t.path(), std::nullopt});
  ASSERT_TRUE(store.ok());
  PutOptions e2e{.is_private = false, .end_to_end = true, .media_type = "", .owner = "7", .max_size = 0, .created_unix = 1};
  auto paper = (*store)->PutBytes("ciphertext bytes", e2e);
  ASSERT_TRUE(paper.ok());
  PutOptions pub{.is_private = false, .end_to_end = false, .media_type = "text/plain", .owner = "7", .max_size = 0, .created_unix = 1};
  auto plain = (*store)->PutBytes("plain bytes", pub);
  ASSERT_TRUE(plain.ok());
  std::string cid = paper->cid.ToString();
  auto no_env = CheckEndToEndPaper(**store, cid, "7");
  ASSERT_FALSE(no_env.ok());
  EXPECT_NE(no_env.error().message.find("envelope"), std::string::npos);
  ASSERT_TRUE((*store)->e2e().PutEnvelope(cid, "{\"v\":1}").ok());
  EXPECT_TRUE(CheckEndToEndPaper(**store, cid, "7").ok());
  EXPECT_FALSE(CheckEndToEndPaper(**store, cid, "8").ok());                          // someone else's
  EXPECT_FALSE(CheckEndToEndPaper(**store, plain->cid.ToString(), "7").ok());        // not e2e
  EXPECT_FALSE(CheckEndToEndPaper(**store, "bafkreinotthere", "7").ok());            // not a CID / absent
  auto bad = CheckEndToEndPaper(**store, "Qm123", "7");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "documents");
}

}  // namespace
}  // namespace cx::documents
