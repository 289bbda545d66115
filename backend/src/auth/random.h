// Cryptographically secure random bytes (OpenSSL RAND_bytes) and base64url helpers.
// Thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cx::auth {

// Fills `out` with `n` random bytes; aborts the process if the OS random source fails
// (continuing without entropy would silently issue guessable secrets).
void SecureRandom(uint8_t* out, size_t n);
// `n` random bytes encoded as unpadded base64url.
std::string RandomToken(size_t n);
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace cx::auth
