#include "auth/jwt.h"

#include <jwt.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <memory>

#include "auth/random.h"

namespace cx::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;
struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
using CStr = std::unique_ptr<char, FreeDeleter>;

Error Bad(std::string msg) { return Err(Code::kBadToken, std::move(msg)); }

// Parses the JSON array of role names libjwt hands back (e.g. ["trader","admin"]).
// Role names are plain identifiers, so anything with an escape or odd character is refused.
Result<RoleSet> ParseRolesJson(std::string_view s) {
  RoleSet out;
  size_t i = 0;
  auto skip_ws = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i; };
  skip_ws();
  if (i >= s.size() || s[i] != '[') return Bad("roles claim is not an array");
  ++i;
  skip_ws();
  if (i < s.size() && s[i] == ']') return out;
  while (i < s.size()) {
    skip_ws();
    if (i >= s.size() || s[i] != '"') return Bad("roles claim holds a non-string");
    size_t end = s.find('"', i + 1);
    if (end == std::string_view::npos) return Bad("roles claim malformed");
    std::string_view name = s.substr(i + 1, end - i - 1);
    if (name.find('\\') != std::string_view::npos) return Bad("roles claim malformed");
    auto r = ParseRole(name);
    if (!r.ok()) return Bad("unknown role in token");
    out.Add(*r);
    i = end + 1;
    skip_ws();
    if (i < s.size() && s[i] == ',') { ++i; continue; }
    if (i < s.size() && s[i] == ']') return out;
    return Bad("roles claim malformed");
  }
  return Bad("roles claim malformed");
}

}  // namespace

Result<JwtCodec> JwtCodec::Create(std::string key, int64_t ttl_seconds, std::string issuer) {
  if (key.size() < kMinKeyBytes)
    return Err(Code::kInvalidField, "JWT key must be at least 32 bytes", "jwt_key");
  if (ttl_seconds <= 0) return Err(Code::kInvalidField, "JWT ttl must be positive", "jwt_ttl");
  return JwtCodec(std::move(key), ttl_seconds, std::move(issuer));
}

Result<std::string> JwtCodec::Issue(int64_t user_id, const RoleSet& roles, int64_t now,
                                    std::string jti) const {
  if (jti.empty()) jti = RandomToken(16);
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Err(Code::kInternal, "jwt_new failed");
  JwtPtr j(raw);
  std::string roles_json = "{\"roles\":[";
  bool first = true;
  for (const auto& n : roles.Names()) {
    if (!first) roles_json += ',';
    first = false;
    roles_json += '"' + n + '"';
  }
  roles_json += "]}";
  std::string sub = std::to_string(user_id);
  int rc = 0;
  if (!issuer_.empty()) rc |= jwt_add_grant(j.get(), "iss", issuer_.c_str());
  rc |= jwt_add_grant(j.get(), "sub", sub.c_str());
  rc |= jwt_add_grant(j.get(), "jti", jti.c_str());
  rc |= jwt_add_grant_int(j.get(), "iat", static_cast<long>(now));
  rc |= jwt_add_grant_int(j.get(), "exp", static_cast<long>(now + ttl_));
  rc |= jwt_add_grants_json(j.get(), roles_json.c_str());
  rc |= jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key_.data()),
                    static_cast<int>(key_.size()));
  if (rc != 0) return Err(Code::kInternal, "building JWT failed");
  CStr enc(jwt_encode_str(j.get()));
  if (!enc) return Err(Code::kInternal, "encoding JWT failed");
  return std::string(enc.get());
}

Result<AccessClaims> JwtCodec::Verify(std::string_view token, int64_t now) const {
  if (token.empty() || token.size() > 8192) return Bad("token missing or too long");
  // Exactly three segments with a non-empty signature: an unsigned ("alg":"none") token
  // has an empty third segment and is refused before libjwt sees it.
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos ||
      d2 + 1 >= token.size())
    return Bad("token is not a signed JWT");
  std::string tok(token);
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, tok.c_str(), reinterpret_cast<const unsigned char*>(key_.data()),
                      static_cast<int>(key_.size()));
  JwtPtr j(raw);
  if (rc != 0 || !j) return Bad("token signature or format invalid");
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return Bad("token algorithm not accepted");

  AccessClaims c;
  const char* iss = jwt_get_grant(j.get(), "iss");
  if (!issuer_.empty() && (!iss || issuer_ != iss)) return Bad("token issuer not accepted");
  const char* sub = jwt_get_grant(j.get(), "sub");
  if (!sub) return Bad("token has no subject");
  std::string_view sv(sub);
  auto [p, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), c.user_id);
  if (ec != std::errc() || p != sv.data() + sv.size() || c.user_id <= 0)
    return Bad("token subject invalid");
  errno = 0;
  c.issued_at = jwt_get_grant_int(j.get(), "iat");
  if (errno != 0) return Bad("token has no iat");
  errno = 0;
  c.expires_at = jwt_get_grant_int(j.get(), "exp");
  if (errno != 0) return Bad("token has no exp");
  const char* jti = jwt_get_grant(j.get(), "jti");
  if (!jti) return Bad("token has no jti");
  c.jti = jti;
  CStr roles(jwt_get_grants_json(j.get(), "roles"));
  if (!roles) return Bad("token has no roles");
  CX_ASSIGN_OR_RETURN(c.roles, ParseRolesJson(roles.get()));
  if (c.expires_at <= now) return Err(Code::kTokenExpired, "access token expired");
  if (c.issued_at > now + 300) return Bad("token issued in the future");
  return c;
}

}  // namespace cx::auth
