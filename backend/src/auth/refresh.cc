#include "auth/refresh.h"

#include "core/sha256.h"

#include "auth/random.h"

namespace cx::auth {

std::string NewRefreshToken() { return RandomToken(32); }

std::string RefreshTokenHash(std::string_view token) { return ToHex(Sha256(token)); }

}  // namespace cx::auth
