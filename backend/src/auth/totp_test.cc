#include "auth/totp.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <numeric>

namespace cx::auth::totp {
namespace {

const std::string kRfcSecret = "12345678901234567890";  // RFC 6238 Appendix B, SHA-1 seed

TEST(Totp, Rfc6238AppendixBSha1Vectors) {
  Params p;
  p.digits = 8;
  const std::pair<int64_t, const char*> kVectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (auto [t, want] : kVectors) {
    auto code = CodeAt(kRfcSecret, t, p);
    ASSERT_TRUE(code.ok()) << t;
    EXPECT_EQ(*code, want) << "T=" << t;
    // Verify agrees with the generator at the exact time.
    auto step = Verify(kRfcSecret, want, t, kNoStepUsed, p);
    ASSERT_TRUE(step.ok()) << t;
    EXPECT_EQ(*step, t / 30);
  }
}

TEST(Totp, SixDigitCodeIsLastSixOfEight) {
  // Truncation mod 10^6 of the same HOTP value: the 8-digit vector's last six digits.
  auto code = CodeAt(kRfcSecret, 1111111109);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, "081804");
}

TEST(Totp, WindowEdges) {
  const int64_t t0 = 1111111110;  // first second of step 37037037
  ASSERT_EQ(StepAt(t0), 37037037);
  auto at = [&](int64_t t) { return *CodeAt(kRfcSecret, t); };
  // Previous step's code still accepted at the first second of the next step.
  EXPECT_EQ(*Verify(kRfcSecret, at(t0 - 1), t0, kNoStepUsed), 37037036);
  // Next step's code accepted (client clock ahead by up to one step).
  EXPECT_EQ(*Verify(kRfcSecret, at(t0 + 30), t0, kNoStepUsed), 37037038);
  // Two steps away either side: refused.
  EXPECT_EQ(Verify(kRfcSecret, at(t0 - 31), t0, kNoStepUsed).error().code, Code::kBadCredentials);
  EXPECT_EQ(Verify(kRfcSecret, at(t0 + 60), t0, kNoStepUsed).error().code, Code::kBadCredentials);
  // Last second of the step: the next step's code still in, two ahead still out.
  EXPECT_TRUE(Verify(kRfcSecret, at(t0 + 30), t0 + 29, kNoStepUsed).ok());
  EXPECT_FALSE(Verify(kRfcSecret, at(t0 + 60), t0 + 29, kNoStepUsed).ok());
  // Window 0 accepts only the current step.
  Params strict;
  strict.window = 0;
  EXPECT_FALSE(Verify(kRfcSecret, at(t0 - 1), t0, kNoStepUsed, strict).ok());
  EXPECT_TRUE(Verify(kRfcSecret, at(t0), t0, kNoStepUsed, strict).ok());
}

TEST(Totp, ReplayOfSameOrEarlierStepRefused) {
  const int64_t t = 1700000000;
  const std::string code = *CodeAt(kRfcSecret, t);
  auto first = Verify(kRfcSecret, code, t, kNoStepUsed);
  ASSERT_TRUE(first.ok());
  auto again = Verify(kRfcSecret, code, t + 5, *first);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::kBadCredentials);
  EXPECT_EQ(again.error().message, "code already used");
  // A code from an earlier step than the last accepted one is refused too.
  const std::string prev = *CodeAt(kRfcSecret, t - 30);
  EXPECT_FALSE(Verify(kRfcSecret, prev, t, *first).ok());
  // The next step's code is accepted and moves last_step on.
  auto next = Verify(kRfcSecret, *CodeAt(kRfcSecret, t + 30), t + 30, *first);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, *first + 1);
}

TEST(Totp, MalformedCodesAndShortSecretRefused) {
  const int64_t t = 1700000000;
  for (std::string bad : {"", "12345", "1234567", "12a456", " 23456", "-12345"})
    EXPECT_EQ(Verify(kRfcSecret, bad, t, kNoStepUsed).error().code, Code::kBadCredentials) << bad;
  EXPECT_EQ(CodeAt("short", t).error().code, Code::kInvalidField);
  EXPECT_EQ(Verify(std::string(15, 'x'), "123456", t, kNoStepUsed).error().code,
            Code::kInvalidField);
}

TEST(Totp, Base32RoundTripAndRfc4648Vectors) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(Base32Encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*Base32Decode("mzxw6ytboi"), "foobar");
  EXPECT_EQ(*Base32Decode("MZXW6YQ="), "foob");
  EXPECT_EQ(Base32Decode("MZ1W").error().code, Code::kInvalidField);
  EXPECT_FALSE(Base32Decode("MZX").ok());  // 15 bits: a cut-off character group
  std::string all(256, '\0');
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(*Base32Decode(Base32Encode(all)), all);
}

TEST(Totp, OtpauthUri) {
  auto uri = OtpauthUri("CarbonXchange", "alice@example.com", kRfcSecret);
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(*uri,
            "otpauth://totp/CarbonXchange:alice%40example.com?secret="
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CarbonXchange&algorithm=SHA1&digits=6"
            "&period=30");
  EXPECT_EQ(OtpauthUri("Bad:Issuer", "a", kRfcSecret).error().field, "issuer");
  EXPECT_EQ(OtpauthUri("X", "", kRfcSecret).error().field, "account");
}

// Decodes our own PNG (chunks, CRCs, zlib) and checks each module's pixels.
TEST(Totp, QrPngAndSvgMatchTheSymbol) {
  auto qr = EncodeQr(*OtpauthUri("CarbonXchange", "alice@example.com", kRfcSecret));
  ASSERT_TRUE(qr.ok());
  ASSERT_GE(qr->width, 21);
  ASSERT_EQ((qr->width - 17) % 4, 0);  // QR widths are 17 + 4 * version
  // Finder pattern: top-left 7x7 ring is dark on its border, light inside ring.
  EXPECT_TRUE(qr->dark(0, 0) && qr->dark(6, 0) && qr->dark(0, 6) && qr->dark(3, 3));
  EXPECT_FALSE(qr->dark(1, 1));

  const int px = 3;
  auto png = QrPng(*qr, px);
  ASSERT_TRUE(png.ok());
  const std::string& s = *png;
  ASSERT_EQ(s.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto u32 = [&](size_t at) {
    return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
           (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
  };
  size_t pos = 8;
  std::string idat, types;
  uint32_t w = 0, h = 0;
  while (pos < s.size()) {
    uint32_t len = u32(pos);
    std::string type = s.substr(pos + 4, 4);
    std::string data = s.substr(pos + 8, len);
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(s.data() + pos + 4), len + 4);
    EXPECT_EQ(crc, u32(pos + 8 + len)) << type;
    if (type == "IHDR") { w = u32(pos + 8); h = u32(pos + 12); EXPECT_EQ(data.substr(8), std::string("\x08\0\0\0\0", 5)); }
    if (type == "IDAT") idat += data;
    types += type;
    pos += 12 + len;
  }
  EXPECT_EQ(types, "IHDRIDATIEND");
  const uint32_t side = (qr->width + 8) * px;
  EXPECT_EQ(w, side);
  EXPECT_EQ(h, side);
  std::string raw(side * (side + 1), '\0');
  uLongf rawlen = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &rawlen,
                       reinterpret_cast<const Bytef*>(idat.data()), idat.size()), Z_OK);
  ASSERT_EQ(rawlen, raw.size());
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x) {
      size_t py = (y + 4) * px + 1, pxl = (x + 4) * px + 1;  // centre pixel of the module
      uint8_t v = uint8_t(raw[py * (side + 1) + 1 + pxl]);
      ASSERT_EQ(v, qr->dark(x, y) ? 0 : 255) << x << "," << y;
    }
  // Quiet zone is white.
  EXPECT_EQ(uint8_t(raw[1]), 255);

  std::string svg = QrSvg(*qr, 5);
  size_t dark = 0;
  for (bool b : qr->modules) dark += b;
  size_t squares = 0;
  for (size_t i = 0; (i = svg.find("h1v1h-1z", i)) != std::string::npos; ++i) ++squares;
  EXPECT_EQ(squares, dark);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + std::to_string(qr->width + 8)), std::string::npos);
  EXPECT_EQ(QrPng(*qr, 0).error().code, Code::kInvalidField);
  EXPECT_EQ(EncodeQr("").error().code, Code::kInvalidField);
}

TEST(Totp, RecoveryCodesAreSingleUseAndStoredHashed) {
  std::vector<uint8_t> rnd(8 * kRecoveryCodeBytes);
  for (size_t i = 0; i < rnd.size(); ++i) rnd[i] = static_cast<uint8_t>(i * 37 + 11);
  auto rc = MakeRecoveryCodes(rnd, 8);
  ASSERT_TRUE(rc.ok());
  ASSERT_EQ(rc->codes.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(rc->codes[i].size(), 19u);  // 16 chars + 3 dashes
    EXPECT_EQ(rc->hashes[i].size(), 64u);
    EXPECT_EQ(rc->hashes[i].find(rc->codes[i]), std::string::npos);
  }
  std::vector<std::string> stored = rc->hashes;
  // Users may type it in upper case and without dashes.
  std::string typed;
  for (char c : rc->codes[3]) if (c != '-') typed += static_cast<char>(std::toupper(c));
  auto used = ConsumeRecoveryCode(typed, stored);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, 3u);
  EXPECT_EQ(stored.size(), 7u);
  EXPECT_EQ(ConsumeRecoveryCode(rc->codes[3], stored).error().code, Code::kBadCredentials);
  EXPECT_EQ(ConsumeRecoveryCode("aaaa-bbbb-cccc-dddd", stored).error().code,
            Code::kBadCredentials);
  EXPECT_TRUE(ConsumeRecoveryCode(rc->codes[7], stored).ok());
  EXPECT_EQ(MakeRecoveryCodes(rnd, 7).error().code, Code::kInvalidField);
}

}  // namespace
}  // namespace cx::auth::totp
