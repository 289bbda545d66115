#include "auth/password.h"

#include <argon2.h>

#include <cstdio>
#include <vector>

#include "auth/random.h"

namespace cx::auth {

Result<std::string> HashPassword(std::string_view password, const Argon2Params& p) {
  if (password.empty())
    return Err(Code::kInvalidField, "password must not be empty", "password");
  if (password.size() > kMaxPasswordBytes)
    return Err(Code::kInvalidField, "password too long", "password");
  std::vector<uint8_t> salt(p.salt_len);
  SecureRandom(salt.data(), salt.size());
  size_t len = argon2_encodedlen(p.t_cost, p.m_cost_kib, p.parallelism, p.salt_len,
                                 p.hash_len, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(p.t_cost, p.m_cost_kib, p.parallelism, password.data(),
                                 password.size(), salt.data(), salt.size(), p.hash_len,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK)
    return Err(Code::kInternal, std::string("argon2id: ") + argon2_error_message(rc));
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return encoded;
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  if (password.size() > kMaxPasswordBytes) return false;
  if (encoded.substr(0, 10) != "$argon2id$") return false;
  std::string enc(encoded);  // needs NUL termination
  return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool NeedsRehash(std::string_view encoded, const Argon2Params& p) {
  unsigned v = 0, m = 0, t = 0, par = 0;
  std::string enc(encoded);
  // A PHC string HashPassword wrote; the match count is checked and a garbled number can only
  // make the answer "rehash", which is the safe side.
  if (std::sscanf(enc.c_str(), "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &m, &t, &par) != 4)  // NOLINT(cert-err34-c)
    return true;
  return m < p.m_cost_kib || t < p.t_cost || par < p.parallelism;
}

}  // namespace cx::auth
