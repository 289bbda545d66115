// Web3 Secret Storage (keystore version 3), the JSON key files geth and ethers write.
// Contract:
// - DecryptKeystore reads kdf "scrypt" and "pbkdf2" (prf "hmac-sha256") with cipher
//   "aes-128-ctr"; it checks the MAC keccak256(derived_key[16..32] || ciphertext) before
//   decrypting. Wrong password (or a tampered file) -> Code::kBadCredentials
//   ("keystore MAC mismatch: wrong password or corrupted file", field "password");
//   malformed JSON / fields -> kBadJson / kInvalidField naming the field ("crypto.kdfparams.n");
//   other kdfs/ciphers -> kUnsupported. Scrypt parameters are bounded (n <= 2^20, r*p small)
//   so a hostile file cannot make us allocate gigabytes. Both "crypto" and "Crypto" keys are
//   accepted (geth writes the latter in old files).
// - EncryptKeystore writes scrypt + aes-128-ctr with fresh random salt (32 bytes), iv (16)
//   and a random v4 uuid; `address` is the lower-case hex without 0x, as ethers writes it.
// Uses OpenSSL (EVP_PBE_scrypt, PKCS5_PBKDF2_HMAC, AES-128-CTR). Thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

struct ScryptParams {
  uint64_t n = 131072;  // ethers' default (2^17); tests may use small n such as 1024
  uint32_t r = 8;
  uint32_t p = 1;
  uint32_t dklen = 32;
};

Result<PrivateKey> DecryptKeystore(std::string_view json, std::string_view password);
Result<std::string> EncryptKeystore(const PrivateKey& key, std::string_view password,
                                    const ScryptParams& params = {});
// Deterministic form for tests: the caller supplies salt (any length > 0), iv (16 bytes)
// and the uuid text.
Result<std::string> EncryptKeystoreWith(const PrivateKey& key, std::string_view password,
                                        const ScryptParams& params, std::string_view salt,
                                        std::string_view iv, std::string_view uuid);

}  // namespace cx::chain
