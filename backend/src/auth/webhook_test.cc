#include "auth/webhook.h"

#include <gtest/gtest.h>

#include "auth/mac.h"
#include "core/sha256.h"

namespace cx::auth::webhook {
namespace {

const std::string kSecret = "whsec_test_5e3c2a";
const std::string kPayload = R"({"id":"evt_1","type":"payment_intent.succeeded","amount":12500})";
constexpr int64_t kT = 1795860000;

void ExpectErr(const Result<int64_t>& r, Code c, const std::string& field) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, c) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
}

TEST(Webhook, SignedPayloadIsTimestampDotBody) {
  const std::string h = SignPayload(kPayload, kSecret, kT);
  EXPECT_EQ(h, "t=1795860000,v1=" + ToHex(HmacSha256(kSecret, "1795860000." + kPayload)));
}

TEST(Webhook, ValidSignatureAccepted) {
  const std::string h = SignPayload(kPayload, kSecret, kT);
  auto r = Verify(kPayload, h, kSecret, kT + 10);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, kT);
  // Rotation: an old-secret v1 next to the current one, other schemes, spaces.
  const std::string old = SignPayload(kPayload, "whsec_old", kT).substr(16);
  const std::string cur = h.substr(16);
  std::string multi = "t=" + std::to_string(kT) + ", v1=" + old + ", v0=deadbeef , v1=" + cur;
  EXPECT_TRUE(Verify(kPayload, multi, kSecret, kT).ok());
  EXPECT_TRUE(Verify(kPayload, multi, "whsec_old", kT).ok());
  // Upper-case hex is accepted.
  std::string upper = h;
  for (size_t i = 16; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_TRUE(Verify(kPayload, upper, kSecret, kT).ok());
}

TEST(Webhook, BadSignatureRefused) {
  const std::string h = SignPayload(kPayload, kSecret, kT);
  ExpectErr(Verify(kPayload + " ", h, kSecret, kT), Code::kBadToken, "signature");
  ExpectErr(Verify(kPayload, h, "whsec_other", kT), Code::kBadToken, "signature");
  // Moving t breaks the signature (t is signed), so the window cannot be stretched.
  std::string moved = h;
  moved.replace(2, 10, std::to_string(kT + 100));
  ExpectErr(Verify(kPayload, moved, kSecret, kT + 100), Code::kBadToken, "signature");
  std::string flipped = h;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  ExpectErr(Verify(kPayload, flipped, kSecret, kT), Code::kBadToken, "signature");
}

TEST(Webhook, OutsideToleranceRefused) {
  const std::string h = SignPayload(kPayload, kSecret, kT);
  EXPECT_TRUE(Verify(kPayload, h, kSecret, kT + 300).ok());
  EXPECT_TRUE(Verify(kPayload, h, kSecret, kT - 300).ok());
  ExpectErr(Verify(kPayload, h, kSecret, kT + 301), Code::kTokenExpired, "timestamp");
  ExpectErr(Verify(kPayload, h, kSecret, kT - 301), Code::kTokenExpired, "timestamp");
  EXPECT_TRUE(Verify(kPayload, h, kSecret, kT + 3000, 3600).ok());
  // A replay inside the window verifies again: the caller's event-id journal stops it.
  EXPECT_TRUE(Verify(kPayload, h, kSecret, kT + 1).ok());
}

TEST(Webhook, MalformedHeadersRefused) {
  const std::string v1 = SignPayload(kPayload, kSecret, kT).substr(16);
  const std::string t = "t=" + std::to_string(kT);
  for (const std::string& bad :
       {std::string(""), std::string("garbage"), "v1=" + v1, t, t + ",v0=" + v1,
        t + "," + t + ",v1=" + v1, "t=abc,v1=" + v1, "t=-5,v1=" + v1, "t=,v1=" + v1,
        t + ",v1=" + v1.substr(1), t + ",v1=" + v1 + "0", t + ",v1=" + std::string(64, 'g'),
        t + ",,v1=" + v1, t + ",=x,v1=" + v1, t + ",v1=" + v1 + ",",
        "t=1795860000000000,v1=" + v1, std::string(5000, 'a')}) {
    auto r = Verify(kPayload, bad, kSecret, kT);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidField) << bad;
    EXPECT_EQ(r.error().field, "signature_header") << bad;
  }
}

}  // namespace
}  // namespace cx::auth::webhook
