#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdlib>
#include <set>

#include "auth/jwt.h"
#include "auth/token_cache.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "auth/random.h"
#include "auth/refresh.h"

namespace cx::auth {
namespace {

const std::string kKey(40, 'k');
constexpr int64_t kNow = 1'800'000'000;

TEST(Roles, NamesRoundTripAndUnknownIsRefused) {
  for (Role r : kAllRoles) {
    auto p = ParseRole(RoleName(r));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, r);
  }
  auto bad = ParseRole("superuser");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kInvalidField);
  RoleSet s{Role::kAdmin, Role::kTrader};
  EXPECT_EQ(s.Names(), (std::vector<std::string>{"trader", "admin"}));
  EXPECT_EQ(RoleSet::FromBits(s.bits()), s);
  EXPECT_TRUE(s.Intersects(RoleSet{Role::kAdmin}));
  EXPECT_FALSE(s.Intersects(RoleSet{Role::kVerifier}));
  EXPECT_FALSE(Principal::Anonymous().Has(Role::kTrader));
}

TEST(Password, HashVerifiesAndUsesOwaspParameters) {
  auto h = HashPassword("correct horse battery staple");
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *h));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", *h));
  EXPECT_FALSE(VerifyPassword("", *h));
  EXPECT_FALSE(NeedsRehash(*h));
  // Same password twice -> different salts -> different strings.
  auto h2 = HashPassword("correct horse battery staple");
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(*h, *h2);
}

TEST(Password, RefusesBadInputAndForeignHashes) {
  EXPECT_EQ(HashPassword("").error().code, Code::kInvalidField);
  EXPECT_EQ(HashPassword(std::string(kMaxPasswordBytes + 1, 'x')).error().field, "password");
  EXPECT_FALSE(VerifyPassword("x", "not a hash"));
  EXPECT_FALSE(VerifyPassword("x", ""));
  // argon2i (not id) strings are refused even when otherwise valid.
  EXPECT_FALSE(VerifyPassword("x", "$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$AAAA"));
  Argon2Params weak;
  weak.m_cost_kib = 1024;
  weak.t_cost = 1;
  auto h = HashPassword("pw", weak);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(VerifyPassword("pw", *h));
  EXPECT_TRUE(NeedsRehash(*h));
}

JwtCodec Codec(const std::string& key = kKey, int64_t ttl = 900) {
  auto c = JwtCodec::Create(key, ttl);
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

std::vector<std::string> Split(const std::string& t) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t d = t.find('.', start);
    out.push_back(t.substr(start, d == std::string::npos ? std::string::npos : d - start));
    if (d == std::string::npos) break;
    start = d + 1;
  }
  return out;
}

TEST(Jwt, IssueVerifyRoundTrip) {
  auto codec = Codec();
  auto tok = codec.Issue(42, RoleSet{Role::kTrader, Role::kVerifier}, kNow, "jti-1");
  ASSERT_TRUE(tok.ok());
  auto c = codec.Verify(*tok, kNow + 10);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->user_id, 42);
  EXPECT_EQ(c->roles, (RoleSet{Role::kTrader, Role::kVerifier}));
  EXPECT_EQ(c->issued_at, kNow);
  EXPECT_EQ(c->expires_at, kNow + 900);
  EXPECT_EQ(c->jti, "jti-1");
  auto p = c->ToPrincipal();
  EXPECT_TRUE(p.authenticated);
  EXPECT_TRUE(p.Has(Role::kVerifier));
  EXPECT_FALSE(p.Has(Role::kAdmin));
  // Random jti when none is given.
  auto a = codec.Verify(*codec.Issue(1, {}, kNow), kNow);
  auto b = codec.Verify(*codec.Issue(1, {}, kNow), kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->jti, b->jti);
  EXPECT_TRUE(a->roles.empty());
}

TEST(Jwt, ShortKeyIsRefused) {
  EXPECT_FALSE(JwtCodec::Create("short").ok());
}

TEST(Jwt, ExpiredIsRefusedWithExpiredCode) {
  auto codec = Codec(kKey, 60);
  auto tok = codec.Issue(7, RoleSet{Role::kTrader}, kNow);
  ASSERT_TRUE(tok.ok());
  EXPECT_TRUE(codec.Verify(*tok, kNow + 59).ok());
  auto r = codec.Verify(*tok, kNow + 60);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kTokenExpired);
}

TEST(Jwt, WrongKeyIsRefused) {
  auto good = Codec();
  auto other = Codec(std::string(40, 'z'));
  auto tok = other.Issue(7, RoleSet{Role::kAdmin}, kNow);
  ASSERT_TRUE(tok.ok());
  auto r = good.Verify(*tok, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kBadToken);
}

TEST(Jwt, AlgNoneIsRefused) {
  auto codec = Codec();
  std::string header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = Base64UrlEncode(
      R"({"iss":"carbonx","sub":"1","roles":["admin"],"iat":1800000000,"exp":1900000000,"jti":"x"})");
  for (const std::string& sig : {std::string(), std::string("AAAA")}) {
    auto r = codec.Verify(header + "." + payload + "." + sig, kNow);
    ASSERT_FALSE(r.ok()) << "sig=" << sig;
    EXPECT_EQ(r.error().code, Code::kBadToken);
  }
  // libjwt itself, asked to make an unsigned token.
  jwt_t* j = nullptr;
  ASSERT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "iss", "carbonx");
  jwt_add_grant(j, "sub", "1");
  jwt_add_grant(j, "jti", "x");
  jwt_add_grant_int(j, "iat", kNow);
  jwt_add_grant_int(j, "exp", kNow + 100);
  jwt_add_grants_json(j, R"({"roles":["admin"]})");
  char* s = jwt_encode_str(j);
  ASSERT_NE(s, nullptr);
  std::string unsigned_tok(s);
  std::free(s);
  jwt_free(j);
  auto r = codec.Verify(unsigned_tok, kNow);
  ASSERT_FALSE(r.ok()) << unsigned_tok;
  EXPECT_EQ(r.error().code, Code::kBadToken);
}

TEST(Jwt, OtherAlgorithmWithSameKeyIsRefused) {
  jwt_t* j = nullptr;
  ASSERT_EQ(jwt_new(&j), 0);
  jwt_add_grant(j, "iss", "carbonx");
  jwt_add_grant(j, "sub", "1");
  jwt_add_grant(j, "jti", "x");
  jwt_add_grant_int(j, "iat", kNow);
  jwt_add_grant_int(j, "exp", kNow + 100);
  jwt_add_grants_json(j, R"({"roles":["admin"]})");
  jwt_set_alg(j, JWT_ALG_HS512, reinterpret_cast<const unsigned char*>(kKey.data()),
              kKey.size());
  char* s = jwt_encode_str(j);
  ASSERT_NE(s, nullptr);
  std::string tok(s);
  std::free(s);
  jwt_free(j);
  auto r = Codec().Verify(tok, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kBadToken);
}

TEST(Jwt, TamperedTokenIsRefused) {
  auto codec = Codec();
  auto tok = codec.Issue(7, RoleSet{Role::kTrader}, kNow, "j");
  ASSERT_TRUE(tok.ok());
  auto parts = Split(*tok);
  ASSERT_EQ(parts.size(), 3u);
  // Payload swapped for one granting admin, original signature kept.
  std::string forged = Base64UrlEncode(
      R"({"exp":1800000900,"iat":1800000000,"iss":"carbonx","jti":"j","roles":["admin"],"sub":"7"})");
  auto r = codec.Verify(parts[0] + "." + forged + "." + parts[2], kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kBadToken);
  // Every single-character flip in the signature is refused.
  std::string sig = parts[2];
  for (size_t i = 0; i + 1 < sig.size(); ++i) {  // last char carries padding bits only
    std::string s = sig;
    s[i] = s[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.Verify(parts[0] + "." + parts[1] + "." + s, kNow).ok()) << i;
  }
  EXPECT_FALSE(codec.Verify("", kNow).ok());
  EXPECT_FALSE(codec.Verify("a.b", kNow).ok());
  EXPECT_FALSE(codec.Verify("a.b.c.d", kNow).ok());
  EXPECT_FALSE(codec.Verify(*tok + "x", kNow).ok());
}

TEST(Jwt, WrongIssuerIsRefused) {
  auto a = JwtCodec::Create(kKey, 900, "someone-else");
  ASSERT_TRUE(a.ok());
  auto tok = a->Issue(3, {}, kNow);
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(Codec().Verify(*tok, kNow).error().code, Code::kBadToken);
}

TEST(Refresh, TokensAreRandomAndStoredHashed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = NewRefreshToken();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_TRUE(seen.insert(t).second);
  }
  EXPECT_EQ(RefreshTokenHash("abc").size(), 64u);
}


}  // namespace
}  // namespace cx::auth

namespace cx::auth {
TEST(TokenCache, HitsOnlyTheExactTokenAndOnlyUntilExpiry) {
  VerifiedTokenCache cache(2);
  AccessClaims c;
  c.user_id = 7;
  c.expires_at = 1000;
  cache.Put("aaa.bbb.ccc", c);
  ASSERT_TRUE(cache.Find("aaa.bbb.ccc", 999).has_value());
  EXPECT_EQ(cache.Find("aaa.bbb.ccc", 999)->user_id, 7);
  EXPECT_FALSE(cache.Find("aaa.bbb.ccc", 1000).has_value());  // expired
  EXPECT_FALSE(cache.Find("aaa.bbb.ccd", 999).has_value());   // another token
  cache.Put("t2", c);
  cache.Put("t3", c);  // full: cleared first
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.Find("aaa.bbb.ccc", 1).has_value());
}
}  // namespace cx::auth
