// Refresh tokens: 256 random bits (base64url, 43 chars) shown to the client once; only
// their SHA-256 is kept. Rotation, reuse detection (OAuth 2.0 Security BCP, section 4.14)
// and session families live in the registry's journaled sessions (registry/messages.h:
// OpenSession, RotateSession, CloseSession), so they survive restarts and replay exactly.
#pragma once
#include <string>
#include <string_view>

namespace cx::auth {

// 32 random bytes as base64url (43 chars). Uses the OS random source.
std::string NewRefreshToken();
// Hex SHA-256 of the token text: the only form the registry (and the store) keeps.
std::string RefreshTokenHash(std::string_view token);

}  // namespace cx::auth
