// Small shared primitives for the security modules: HMAC-SHA256 (OpenSSL), constant-time
// comparison and lowercase hex. Pure computation, no I/O; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sha256.h"

namespace cx::auth {

Hash256 HmacSha256(std::string_view key, std::string_view data);
// Compares in time that depends only on the lengths (lengths are not secret here: every
// compared value is a fixed-size digest or its hex form).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Lowercase hex of arbitrary bytes.
std::string HexOf(std::string_view bytes);
inline std::string HexOf(const Hash256& h) { return ToHex(h); }

}  // namespace cx::auth
