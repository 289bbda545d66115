#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <fstream>

#include "auth/mac.h"

namespace cx::auth::apikey {
namespace {

const std::string kMaster(32, 'M');
constexpr int64_t kNow = 1795860000;  // unix seconds
constexpr int64_t kNowMs = kNow * 1000;

struct Fixture {
  ApiKeyAuthority auth = *ApiKeyAuthority::Create(kMaster);
  IssuedKey key;
  ReplayCache cache{1000};
  explicit Fixture(ScopeSet scopes = {Scope::kRead, Scope::kTrade},
                   std::vector<std::string> allow = {}) {
    std::vector<uint8_t> rnd(kKeyIdRandomBytes);
    for (size_t i = 0; i < rnd.size(); ++i) rnd[i] = static_cast<uint8_t>(i + 1);
    std::vector<Cidr> cidrs;
    for (auto& a : allow) cidrs.push_back(*ParseCidr(a));
    key = *auth.Issue(rnd, 42, scopes, kNow, kNow + 86400, cidrs);
  }
  // A request signed as a client would, at client time `ts_ms`.
  struct Req {
    std::string key_id, ts, sig, method, target, body;
    SignedRequest view() const { return {key_id, ts, sig, method, target, body}; }
  };
  Req Sign(int64_t ts_ms, std::string method = "POST", std::string target = "/api/v1/orders?x=1",
           std::string body = R"({"side":"buy","qty":"1.000"})") const {
    Req r{key.record.key_id, std::to_string(ts_ms), "", method, target, body};
    r.sig = SignRequest(key.secret, ts_ms, method, target, body);
    return r;
  }
  Result<void> Check(const Req& r, Scope s = Scope::kTrade, int64_t now_ms = kNowMs,
                     const std::string& ip = "198.51.100.9") {
    return auth.Verify(key.record, r.view(), ip, s, now_ms, cache);
  }
};

void ExpectErr(const Result<void>& r, Code c, const std::string& field) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, c) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
}

TEST(ApiKey, CanonicalStringIsDocumentedForm) {
  EXPECT_EQ(CanonicalString(1700000000123, "GET", "/api/v1/balances?a=b%20c", ""),
            "1700000000123\nGET\n/api/v1/balances?a=b%20c\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // HMAC-SHA256 check against RFC 4231 test case 2.
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ApiKey, IssueDerivesSecretAndStoresNone) {
  Fixture f;
  EXPECT_EQ(f.key.record.key_id, "cxk_0102030405060708090a0b0c");
  EXPECT_EQ(f.key.secret.size(), 4u + 64u);
  EXPECT_EQ(f.auth.SecretFor(f.key.record.key_id), f.key.secret);
  auto other = ApiKeyAuthority::Create(std::string(32, 'N'));
  EXPECT_NE(other->SecretFor(f.key.record.key_id), f.key.secret);
  EXPECT_EQ(ApiKeyAuthority::Create("short").error().code, Code::kInvalidField);
  std::vector<uint8_t> rnd(12, 7);
  EXPECT_EQ(f.auth.Issue(rnd, 1, {}, kNow, 0, {}).error().field, "scopes");
  EXPECT_EQ(f.auth.Issue(rnd, 1, {Scope::kRead}, kNow, kNow, {}).error().field, "expires_at");
  EXPECT_EQ(f.auth.Issue(std::span<const uint8_t>(rnd).first(11), 1, {Scope::kRead}, kNow, 0, {})
                .error().field, "random");
}

TEST(ApiKey, ValidRequestAcceptedOnce) {
  Fixture f;
  auto r = f.Sign(kNowMs - 1500);
  EXPECT_TRUE(f.Check(r).ok());
  ExpectErr(f.Check(r, Scope::kTrade, kNowMs + 1000), Code::kBadToken, "replay");
  EXPECT_EQ(f.cache.size(), 1u);
  // A new timestamp is a new request.
  EXPECT_TRUE(f.Check(f.Sign(kNowMs - 1499)).ok());
  // Upper-case hex signatures are the same signature (and the same replay entry).
  auto up = f.Sign(kNowMs);
  for (char& c : up.sig) c = static_cast<char>(std::toupper(c));
  EXPECT_TRUE(f.Check(up).ok());
  auto low = f.Sign(kNowMs);
  ExpectErr(f.Check(low), Code::kBadToken, "replay");
}

TEST(ApiKey, StaleAndFutureTimestampsRefused) {
  Fixture f;
  EXPECT_TRUE(f.Check(f.Sign(kNowMs - kReplayWindowMs)).ok());
  EXPECT_TRUE(f.Check(f.Sign(kNowMs + kReplayWindowMs)).ok());
  ExpectErr(f.Check(f.Sign(kNowMs - kReplayWindowMs - 1)), Code::kBadToken, "timestamp");
  ExpectErr(f.Check(f.Sign(kNowMs + kReplayWindowMs + 1)), Code::kBadToken, "timestamp");
  // A request replayed after the window is stale, not "replayed".
  auto r = f.Sign(kNowMs);
  EXPECT_TRUE(f.Check(r).ok());
  ExpectErr(f.Check(r, Scope::kTrade, kNowMs + kReplayWindowMs + 1), Code::kBadToken,
            "timestamp");
  for (std::string bad : {"", "-1", "+1795860000000", "1795860000000.0", "0x1", "17958600000001234"}) {
    auto b = f.Sign(kNowMs);
    b.ts = bad;
    ExpectErr(f.Check(b), Code::kBadToken, "timestamp");
  }
}

TEST(ApiKey, TamperedRequestRefused) {
  Fixture f;
  const auto good = f.Sign(kNowMs);
  auto body = good;
  body.body = R"({"side":"buy","qty":"9.000"})";
  ExpectErr(f.Check(body), Code::kBadToken, "signature");
  auto path = good;
  path.target = "/api/v1/orders?x=2";
  ExpectErr(f.Check(path), Code::kBadToken, "signature");
  auto method = good;
  method.method = "DELETE";
  ExpectErr(f.Check(method), Code::kBadToken, "signature");
  auto ts = good;
  ts.ts = std::to_string(kNowMs + 1);
  ExpectErr(f.Check(ts), Code::kBadToken, "signature");
  auto sig = good;
  sig.sig[10] = sig.sig[10] == '0' ? '1' : '0';
  ExpectErr(f.Check(sig), Code::kBadToken, "signature");
  auto trunc = good;
  trunc.sig.pop_back();
  ExpectErr(f.Check(trunc), Code::kBadToken, "signature");
  // Signed with another key's secret.
  auto other = good;
  other.sig = SignRequest(f.auth.SecretFor("cxk_other"), kNowMs, good.method, good.target,
                          good.body);
  ExpectErr(f.Check(other), Code::kBadToken, "signature");
  // None of the refusals consumed the good request.
  EXPECT_TRUE(f.Check(good).ok());
}

TEST(ApiKey, ScopeExpiryRevocationAndKeyId) {
  Fixture f({Scope::kRead});
  ExpectErr(f.Check(f.Sign(kNowMs), Scope::kTrade), Code::kForbidden, "scope");
  ExpectErr(f.Check(f.Sign(kNowMs + 1), Scope::kWithdraw), Code::kForbidden, "scope");
  EXPECT_TRUE(f.Check(f.Sign(kNowMs + 2), Scope::kRead).ok());
  const int64_t exp_ms = (kNow + 86400) * 1000;
  ExpectErr(f.Check(f.Sign(exp_ms), Scope::kRead, exp_ms), Code::kTokenExpired, "expires_at");
  EXPECT_TRUE(f.Check(f.Sign(exp_ms - 1), Scope::kRead, exp_ms - 1).ok());
  f.key.record.revoked = true;
  ExpectErr(f.Check(f.Sign(kNowMs + 3), Scope::kRead), Code::kBadToken, "revoked");
  f.key.record.revoked = false;
  auto wrong_id = f.Sign(kNowMs + 4);
  wrong_id.key_id = "cxk_000000000000000000000000";
  ExpectErr(f.Check(wrong_id, Scope::kRead), Code::kBadToken, "key_id");
}

TEST(ApiKey, IpAllowList) {
  Fixture f({Scope::kTrade}, {"203.0.113.0/24", "2001:db8:abcd::/48"});
  EXPECT_TRUE(f.Check(f.Sign(kNowMs), Scope::kTrade, kNowMs, "203.0.113.77").ok());
  EXPECT_TRUE(f.Check(f.Sign(kNowMs + 1), Scope::kTrade, kNowMs, "::ffff:203.0.113.1").ok());
  EXPECT_TRUE(f.Check(f.Sign(kNowMs + 2), Scope::kTrade, kNowMs, "2001:db8:abcd:12::5").ok());
  ExpectErr(f.Check(f.Sign(kNowMs + 3), Scope::kTrade, kNowMs, "203.0.114.1"), Code::kForbidden,
            "ip");
  ExpectErr(f.Check(f.Sign(kNowMs + 4), Scope::kTrade, kNowMs, "2001:db8:abce::1"),
            Code::kForbidden, "ip");
  ExpectErr(f.Check(f.Sign(kNowMs + 5), Scope::kTrade, kNowMs, "not-an-ip"), Code::kForbidden,
            "ip");
  ExpectErr(f.Check(f.Sign(kNowMs + 6), Scope::kTrade, kNowMs, ""), Code::kForbidden, "ip");
}

TEST(ApiKey, CidrParsing) {
  EXPECT_EQ(ParseCidr("10.0.0.0/8")->prefix, 104);
  EXPECT_EQ(ParseCidr("10.1.2.3")->prefix, 128);
  EXPECT_EQ(ParseCidr("::/0")->prefix, 0);
  EXPECT_TRUE(Contains(*ParseCidr("::/0"), *ParseIp("1.2.3.4")));
  EXPECT_TRUE(Contains(*ParseCidr("0.0.0.0/0"), *ParseIp("1.2.3.4")));
  EXPECT_FALSE(Contains(*ParseCidr("0.0.0.0/0"), *ParseIp("2001:db8::1")));
  EXPECT_TRUE(Contains(*ParseCidr("192.168.4.0/22"), *ParseIp("192.168.7.255")));
  EXPECT_FALSE(Contains(*ParseCidr("192.168.4.0/22"), *ParseIp("192.168.8.0")));
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::1/129",
                          "fe80::1%eth0", "1.2.3", "", "10.0.0.0/8/8", "2001:db8::1/32"})
    EXPECT_EQ(ParseCidr(bad).error().code, Code::kInvalidField) << bad;
}

TEST(ApiKey, VerifyCanonicalForOtherTransports) {
  // A FIX logon signs its own string; the checks and their order are those of Verify.
  Fixture f;
  const std::string logon = std::to_string(kNowMs) + "\x01" + "A\x01" + "BOT1\x01" + "CARBONX";
  const std::string sig = ToHex(HmacSha256(f.key.secret, logon));
  auto check = [&](const std::string& s, int64_t ts = kNowMs, int64_t now = kNowMs, Scope sc = Scope::kTrade) {
    return f.auth.VerifyCanonical(f.key.record, f.key.record.key_id, ts, logon, s, "198.51.100.9", sc, now, f.cache);
  };
  ExpectErr(check(sig, kNowMs - kReplayWindowMs - 1), Code::kBadToken, "timestamp");
  ExpectErr(check(std::string(64, '0')), Code::kBadToken, "signature");
  ExpectErr(check(sig, kNowMs, kNowMs, Scope::kWithdraw), Code::kForbidden, "scope");
  ASSERT_TRUE(check(sig).ok());
  ExpectErr(check(sig), Code::kBadToken, "replay");
  ApiKeyRecord revoked = f.key.record;
  revoked.revoked = true;
  ExpectErr(f.auth.VerifyCanonical(revoked, revoked.key_id, kNowMs, logon, sig, "198.51.100.9", Scope::kRead,
                                   kNowMs, f.cache),
            Code::kBadToken, "revoked");
  ExpectErr(f.auth.VerifyCanonical(f.key.record, "cxk_000000000000000000000000", kNowMs, logon, sig, "198.51.100.9",
                                   Scope::kRead, kNowMs, f.cache),
            Code::kBadToken, "key_id");
}

TEST(ApiKey, ScopeNames) {
  auto s = ScopeSet::Parse({"read", "withdraw"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Names(), (std::vector<std::string>{"read", "withdraw"}));
  EXPECT_EQ(ScopeSet::Parse({"admin"}).error().field, "scopes");
  EXPECT_EQ(ScopeSet::Parse({}).error().field, "scopes");
  EXPECT_EQ(ScopeSet::FromBits(s->bits()), *s);
}

TEST(ApiKey, ReplayCacheIsBoundedAndForgetsOnlyExpired) {
  ReplayCache c(3);
  EXPECT_TRUE(c.CheckAndRemember("a", 100, 0).ok());
  EXPECT_TRUE(c.CheckAndRemember("b", 200, 0).ok());
  EXPECT_TRUE(c.CheckAndRemember("c", 300, 0).ok());
  ExpectErr(c.CheckAndRemember("d", 300, 50), Code::kRateLimited, "replay");
  ExpectErr(c.CheckAndRemember("a", 100, 100), Code::kBadToken, "replay");  // still live at 100
  EXPECT_TRUE(c.CheckAndRemember("d", 400, 101).ok());                       // "a" expired
  EXPECT_EQ(c.size(), 3u);
  EXPECT_TRUE(c.CheckAndRemember("e", 400, 301).ok());
  EXPECT_EQ(c.size(), 2u);
}

}  // namespace
}  // namespace cx::auth::apikey

namespace cx::auth::apikey {
namespace {

// testdata/fuzz_api_key_seed.txt was signed by Python's hmac/hashlib from the documented
// derivation and canonical string alone: an independent implementation of the contract.
TEST(ApiKey, IndependentPythonSignatureVerifies) {
  std::ifstream in(std::string(CX_AUTH_TESTDATA) + "/fuzz_api_key_seed.txt");
  std::vector<std::string> f(6);
  for (auto& s : f) std::getline(in, s);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto auth = *ApiKeyAuthority::Create(std::string(32, 'k'));
  const uint8_t rnd[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto key = *auth.Issue(rnd, 1, {Scope::kTrade}, 0, 0, {*ParseCidr("10.0.0.0/8")});
  ASSERT_EQ(key.record.key_id, f[0]);
  ReplayCache cache;
  SignedRequest req{f[0], f[1], f[2], f[3], f[4], body};
  auto r = auth.Verify(key.record, req, f[5], Scope::kTrade, 1795860000000 + 29'000, cache);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

}  // namespace
}  // namespace cx::auth::apikey
