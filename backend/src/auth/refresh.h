// Rotating refresh tokens with reuse detection (OAuth 2.0 Security BCP, section 4.14).
// A refresh token is 256 random bits (base64url, 43 chars) shown to the client once; the
// registry keeps only its SHA-256. Every token belongs to a family (one sign-in session).
// Rotate() retires the presented token and returns its successor in the same family;
// presenting an already-rotated token again is reuse: the whole family is revoked and
// kRefreshReused returned, so a thief and the victim both lose the session.
//
// Pure: no I/O, no clock (time is passed in), no randomness of its own (the caller passes
// the new token's text, from NewRefreshToken(), so the engine can journal the hash and a
// replay rebuilds exactly the same registry). Not thread-safe: owned by one thread
// (the engine).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "core/sha256.h"

namespace cx::auth {

// 32 random bytes as base64url (43 chars). Uses the OS random source.
std::string NewRefreshToken();
// Hex SHA-256 of the token text: the only form the registry (and the store) keeps.
std::string RefreshTokenHash(std::string_view token);

struct RefreshGrant {
  std::string token;  // the secret; returned once, never stored
  int64_t user_id = 0;
  int64_t family_id = 0;
  int64_t expires_at = 0;
};

struct RefreshFamilyInfo {
  int64_t family_id = 0;
  int64_t user_id = 0;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  bool revoked = false;
};

class RefreshTokenRegistry {
 public:
  // Tokens live `ttl_seconds` from their issue (each rotation restarts the clock).
  explicit RefreshTokenRegistry(int64_t ttl_seconds = 30 * 24 * 3600) : ttl_(ttl_seconds) {}

  // Registers `token` (from NewRefreshToken()) for `user_id`. With no `family_id` a new
  // family (session) starts. kInvalidField if the token is too short or already known,
  // kBadToken if the given family is unknown, revoked or another user's.
  Result<RefreshGrant> Issue(int64_t user_id, int64_t now, std::string token,
                             std::optional<int64_t> family_id = std::nullopt);
  // Exchanges `presented` for `next_token` in the same family.
  // kBadToken: unknown token or revoked family; kTokenExpired: expired;
  // kRefreshReused: `presented` was already rotated (the family is now revoked).
  Result<RefreshGrant> Rotate(std::string_view presented, int64_t now, std::string next_token);
  // Revokes a family (logout); false if unknown.
  bool RevokeFamily(int64_t family_id);
  // Revokes every family of a user (password change, admin action); returns the count.
  size_t RevokeUser(int64_t user_id);
  // Family a live token belongs to, if any (e.g. to log out with the refresh token).
  std::optional<int64_t> FamilyOf(std::string_view token) const;
  std::vector<RefreshFamilyInfo> ListFamilies(int64_t user_id) const;
  // Drops tokens expired before `now` and revoked families' tokens; returns how many.
  size_t Prune(int64_t now);
  size_t token_count() const { return tokens_.size(); }

 private:
  struct TokenRec {
    int64_t family_id;
    int64_t expires_at;
    bool rotated;
  };
  int64_t ttl_;
  int64_t next_family_ = 1;
  std::unordered_map<std::string, TokenRec> tokens_;  // by hex SHA-256
  std::unordered_map<int64_t, RefreshFamilyInfo> families_;
};

}  // namespace cx::auth
