// Password hashing with argon2id (libargon2), OWASP floor parameters: m = 19 MiB, t = 2,
// p = 1, 16-byte random salt, 32-byte tag, stored as the PHC string
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". Verification reads the parameters from
// the stored string (so raising them later keeps old hashes valid) and compares in
// constant time (libargon2's argon2_verify). Thread-safe; each call allocates m memory.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cx::auth {

struct Argon2Params {
  uint32_t t_cost = 2;
  uint32_t m_cost_kib = 19 * 1024;
  uint32_t parallelism = 1;
  uint32_t salt_len = 16;
  uint32_t hash_len = 32;
};

inline constexpr size_t kMaxPasswordBytes = 1024;  // bounds the work an attacker can ask for

// kInvalidField (field "password") if empty or longer than kMaxPasswordBytes.
Result<std::string> HashPassword(std::string_view password, const Argon2Params& p = {});
// True only if `encoded` is a well-formed argon2id PHC string of `password`.
bool VerifyPassword(std::string_view password, std::string_view encoded);
// True if `encoded` was made with weaker parameters than `p` (rehash on next login).
bool NeedsRehash(std::string_view encoded, const Argon2Params& p = {});

}  // namespace cx::auth
