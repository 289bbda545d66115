// HS256 JWT access tokens (libjwt). Claims: iss, sub (user id as a decimal string, as
// RFC 7519 wants a string), roles (array of role names), iat, exp, jti.
// Verification accepts only alg HS256 with our key: "none", other algorithms, a wrong key,
// a tampered header/payload/signature, a wrong issuer, a missing claim and an expired
// token are all refused. Time is passed in (unix seconds), so tests control it.
// Thread-safe: JwtCodec is immutable after construction.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "core/result.h"

namespace cx::auth {

struct AccessClaims {
  int64_t user_id = 0;
  RoleSet roles;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::string jti;

  Principal ToPrincipal() const {
    return Principal{user_id, roles, true, jti, expires_at};
  }
};

class JwtCodec {
 public:
  static constexpr size_t kMinKeyBytes = 32;
  // `key` must be at least kMinKeyBytes (checked by Create).
  static Result<JwtCodec> Create(std::string key, int64_t ttl_seconds = 900,
                                 std::string issuer = "carbonx");

  // Signs an access token for `user_id` with `roles`, valid [now, now + ttl).
  // `jti` empty -> a random 128-bit id.
  Result<std::string> Issue(int64_t user_id, const RoleSet& roles, int64_t now,
                            std::string jti = {}) const;
  // kBadToken for anything malformed, unsigned, wrongly signed or with bad claims;
  // kTokenExpired when exp <= now (checked only after the signature is good).
  Result<AccessClaims> Verify(std::string_view token, int64_t now) const;

  int64_t ttl_seconds() const { return ttl_; }

 private:
  JwtCodec(std::string key, int64_t ttl, std::string issuer)
      : key_(std::move(key)), ttl_(ttl), issuer_(std::move(issuer)) {}
  std::string key_;
  int64_t ttl_;
  std::string issuer_;
};

}  // namespace cx::auth
