#include "chain/keystore.h"

#include <array>

#include <boost/json.hpp>
#include <cryptopp/scrypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/sign.h"

namespace cx::chain {
namespace json = boost::json;
namespace {

// Bounds for parameters read from a file: scrypt memory is 128 * r * n * p bytes; 2^20 * 8
// * 128 = 1 GiB would already be hostile, so cap the product of n * r * p.
constexpr uint64_t kMaxScryptN = uint64_t{1} << 20;
constexpr uint64_t kMaxScryptMem = uint64_t{1} << 30;  // bytes
constexpr uint64_t kMaxPbkdf2Iterations = 10'000'000;

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}

// Wipes a std::string holding secret bytes when it goes out of scope.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

Result<const json::object*> Obj(const json::object& o, std::string_view key, std::string_view field) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Err(Code::kMissingField, std::string(field) + " is missing", std::string(field));
  if (!v->is_object()) return Bad(field, "expected an object");
  return &v->get_object();
}

Result<std::string> Str(const json::object& o, std::string_view key, std::string_view field) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Err(Code::kMissingField, std::string(field) + " is missing", std::string(field));
  if (!v->is_string()) return Bad(field, "expected a string");
  return std::string(v->get_string());
}

Result<uint64_t> Uint(const json::object& o, std::string_view key, std::string_view field) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Err(Code::kMissingField, std::string(field) + " is missing", std::string(field));
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return Bad(field, "expected a non-negative integer");
}

// Hex without the 0x prefix (keystores write bare hex); tolerates a prefix.
Result<Bytes> BareHex(std::string_view s, std::string_view field) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return FromHex(s, field);
  return FromHex("0x" + std::string(s), field);
}

Result<Bytes> Scrypt(std::string_view password, std::string_view salt, uint64_t n, uint64_t r, uint64_t p,
                     size_t dklen) {
  Bytes out(dklen, '\0');
  // OpenSSL refuses n >= 2^(16 r) (RFC 7914's bound); geth does not, and the Web3 Secret
  // Storage spec's own scrypt vector (n = 2^18, r = 1) breaks it. Crypto++'s Scrypt computes
  // those; everything else goes through OpenSSL.
  if (16 * r < 64 && n >= (uint64_t{1} << (16 * r))) {
    try {
      CryptoPP::Scrypt kdf;
      kdf.DeriveKey(reinterpret_cast<CryptoPP::byte*>(out.data()), dklen,  // NOLINT
                    reinterpret_cast<const CryptoPP::byte*>(password.data()), password.size(),  // NOLINT
                    reinterpret_cast<const CryptoPP::byte*>(salt.data()), salt.size(), n, static_cast<unsigned>(r),  // NOLINT
                    static_cast<unsigned>(p));
    } catch (const std::exception& e) {
      return Err(Code::kInvalidField, std::string("scrypt parameters refused: ") + e.what(), "crypto.kdfparams");
    }
    return out;
  }
  uint64_t mem = 128 * r * n * p + 256 * r + 4096;
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,  // NOLINT
                     mem + (uint64_t{1} << 20), reinterpret_cast<unsigned char*>(out.data()), dklen) != 1)  // NOLINT
    return Err(Code::kInvalidField, "scrypt parameters refused", "crypto.kdfparams");
  return out;
}

Result<Bytes> AesCtr(std::string_view key16, std::string_view iv16, std::string_view in) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return Err(Code::kInternal, "EVP_CIPHER_CTX_new failed");
  Bytes out(in.size() + 16, '\0');
  int len1 = 0;
  int len2 = 0;
  bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, reinterpret_cast<const unsigned char*>(key16.data()),  // NOLINT
                               reinterpret_cast<const unsigned char*>(iv16.data())) == 1 &&  // NOLINT
            EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len1,  // NOLINT
                              reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size())) == 1 &&  // NOLINT
            EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len1, &len2) == 1;  // NOLINT
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Err(Code::kInternal, "aes-128-ctr failed");
  out.resize(static_cast<size_t>(len1) + static_cast<size_t>(len2));
  return out;
}

}  // namespace

Result<PrivateKey> DecryptKeystore(std::string_view text, std::string_view password) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return Err(Code::kBadJson, "keystore is not a JSON object", "keystore");
  const json::object& root = doc.get_object();
  if (const json::value* ver = root.if_contains("version");
      ver == nullptr || !((ver->is_int64() && ver->get_int64() == 3) || (ver->is_uint64() && ver->get_uint64() == 3)))
    return Err(Code::kUnsupported, "only keystore version 3 is supported", "version");
  const json::value* cv = root.if_contains("crypto");
  if (cv == nullptr) cv = root.if_contains("Crypto");
  if (cv == nullptr) return Err(Code::kMissingField, "crypto is missing", "crypto");
  if (!cv->is_object()) return Bad("crypto", "expected an object");
  const json::object& crypto = cv->get_object();

  CX_ASSIGN_OR_RETURN(std::string cipher, Str(crypto, "cipher", "crypto.cipher"));
  if (cipher != "aes-128-ctr") return Err(Code::kUnsupported, "unsupported cipher " + cipher, "crypto.cipher");
  CX_ASSIGN_OR_RETURN(const json::object* cparams, Obj(crypto, "cipherparams", "crypto.cipherparams"));
  CX_ASSIGN_OR_RETURN(std::string iv_hex, Str(*cparams, "iv", "crypto.cipherparams.iv"));
  CX_ASSIGN_OR_RETURN(Bytes iv, BareHex(iv_hex, "crypto.cipherparams.iv"));
  if (iv.size() != 16) return Bad("crypto.cipherparams.iv", "must be 16 bytes");
  CX_ASSIGN_OR_RETURN(std::string ct_hex, Str(crypto, "ciphertext", "crypto.ciphertext"));
  CX_ASSIGN_OR_RETURN(Bytes ct, BareHex(ct_hex, "crypto.ciphertext"));
  if (ct.size() != 32) return Bad("crypto.ciphertext", "must be 32 bytes");
  CX_ASSIGN_OR_RETURN(std::string mac_hex, Str(crypto, "mac", "crypto.mac"));
  CX_ASSIGN_OR_RETURN(Bytes mac, BareHex(mac_hex, "crypto.mac"));
  if (mac.size() != 32) return Bad("crypto.mac", "must be 32 bytes");
  CX_ASSIGN_OR_RETURN(std::string kdf, Str(crypto, "kdf", "crypto.kdf"));
  CX_ASSIGN_OR_RETURN(const json::object* kp, Obj(crypto, "kdfparams", "crypto.kdfparams"));
  CX_ASSIGN_OR_RETURN(std::string salt_hex, Str(*kp, "salt", "crypto.kdfparams.salt"));
  CX_ASSIGN_OR_RETURN(Bytes salt, BareHex(salt_hex, "crypto.kdfparams.salt"));
  CX_ASSIGN_OR_RETURN(uint64_t dklen, Uint(*kp, "dklen", "crypto.kdfparams.dklen"));
  if (dklen < 32 || dklen > 64) return Bad("crypto.kdfparams.dklen", "must be between 32 and 64");

  Bytes dk;
  Wipe wipe_dk{dk};
  if (kdf == "scrypt") {
    CX_ASSIGN_OR_RETURN(uint64_t n, Uint(*kp, "n", "crypto.kdfparams.n"));
    CX_ASSIGN_OR_RETURN(uint64_t r, Uint(*kp, "r", "crypto.kdfparams.r"));
    CX_ASSIGN_OR_RETURN(uint64_t p, Uint(*kp, "p", "crypto.kdfparams.p"));
    if (n < 2 || n > kMaxScryptN || (n & (n - 1)) != 0)
      return Bad("crypto.kdfparams.n", "must be a power of two in [2, 2^20]");
    if (r == 0 || r > 64) return Bad("crypto.kdfparams.r", "must be in [1, 64]");
    if (p == 0 || p > 16) return Bad("crypto.kdfparams.p", "must be in [1, 16]");
    if (128 * r * n * p > kMaxScryptMem) return Bad("crypto.kdfparams", "scrypt parameters need too much memory");
    CX_ASSIGN_OR_RETURN(dk, Scrypt(password, salt, n, r, p, dklen));
  } else if (kdf == "pbkdf2") {
    CX_ASSIGN_OR_RETURN(uint64_t c, Uint(*kp, "c", "crypto.kdfparams.c"));
    CX_ASSIGN_OR_RETURN(std::string prf, Str(*kp, "prf", "crypto.kdfparams.prf"));
    if (prf != "hmac-sha256") return Err(Code::kUnsupported, "unsupported prf " + prf, "crypto.kdfparams.prf");
    if (c == 0 || c > kMaxPbkdf2Iterations) return Bad("crypto.kdfparams.c", "iteration count out of range");
    dk.assign(dklen, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),  // NOLINT
                          static_cast<int>(c), EVP_sha256(), static_cast<int>(dklen),
                          reinterpret_cast<unsigned char*>(dk.data())) != 1)  // NOLINT
      return Err(Code::kInternal, "pbkdf2 failed", "crypto.kdfparams");
  } else {
    return Err(Code::kUnsupported, "unsupported kdf " + kdf, "crypto.kdf");
  }

  Hash32 want = Keccak256(dk.substr(16, 16) + ct);
  if (CRYPTO_memcmp(want.bytes.data(), mac.data(), 32) != 0)
    return Err(Code::kBadCredentials, "keystore MAC mismatch: wrong password or corrupted file", "password");
  CX_ASSIGN_OR_RETURN(Bytes plain, AesCtr(std::string_view(dk).substr(0, 16), iv, ct));
  Wipe wipe_plain{plain};
  CX_ASSIGN_OR_RETURN(PrivateKey key, PrivateKeyFromBytes(plain));
  // An address field, when present, must match the key (a mismatched file is corrupt).
  if (const json::value* av = root.if_contains("address"); av != nullptr && av->is_string()) {
    CX_ASSIGN_OR_RETURN(Address addr, AddressOf(key));
    auto stated = BareHex(av->get_string(), "address");
    if (!stated.ok() || stated->size() != 20 || Address::FromRaw(*stated) != addr)
      return Bad("address", "does not match the decrypted key");
  }
  return key;
}

Result<std::string> EncryptKeystoreWith(const PrivateKey& key, std::string_view password,
                                        const ScryptParams& params, std::string_view salt,
                                        std::string_view iv, std::string_view uuid) {
  if (params.n < 2 || params.n > kMaxScryptN || (params.n & (params.n - 1)) != 0)
    return Bad("n", "must be a power of two in [2, 2^20]");
  if (params.r == 0 || params.p == 0 || params.r > 64 || params.p > 16) return Bad("r", "r/p out of range");
  if (params.dklen < 32 || params.dklen > 64) return Bad("dklen", "must be between 32 and 64");
  if (salt.empty()) return Bad("salt", "must not be empty");
  if (iv.size() != 16) return Bad("iv", "must be 16 bytes");
  CX_ASSIGN_OR_RETURN(Address addr, AddressOf(key));
  CX_ASSIGN_OR_RETURN(Bytes dk, Scrypt(password, salt, params.n, params.r, params.p, params.dklen));
  Wipe wipe_dk{dk};
  std::string raw_key(reinterpret_cast<const char*>(key.bytes.data()), 32);  // NOLINT
  Wipe wipe_key{raw_key};
  CX_ASSIGN_OR_RETURN(Bytes ct, AesCtr(std::string_view(dk).substr(0, 16), iv, raw_key));
  Hash32 mac = Keccak256(dk.substr(16, 16) + ct);
  json::object kdfparams{{"salt", ToHex(salt).substr(2)},
                         {"n", params.n},
                         {"dklen", params.dklen},
                         {"p", params.p},
                         {"r", params.r}};
  json::object crypto{{"cipher", "aes-128-ctr"},
                      {"cipherparams", json::object{{"iv", ToHex(iv).substr(2)}}},
                      {"ciphertext", ToHex(ct).substr(2)},
                      {"kdf", "scrypt"},
                      {"kdfparams", std::move(kdfparams)},
                      {"mac", ToHex(mac).substr(2)}};
  json::object root{{"address", AddressToHex(addr).substr(2)},
                    {"id", uuid},
                    {"version", 3},
                    {"crypto", std::move(crypto)}};
  return json::serialize(root);
}

Result<std::string> EncryptKeystore(const PrivateKey& key, std::string_view password, const ScryptParams& params) {
  std::array<uint8_t, 32> salt{};
  std::array<uint8_t, 16> iv{};
  std::array<uint8_t, 16> u{};
  if (RAND_bytes(salt.data(), 32) != 1 || RAND_bytes(iv.data(), 16) != 1 || RAND_bytes(u.data(), 16) != 1)
    return Err(Code::kInternal, "OS random source failed");
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);
  std::string h = ToHex(std::string_view(reinterpret_cast<const char*>(u.data()), 16)).substr(2);  // NOLINT
  std::string uuid = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
  return EncryptKeystoreWith(key, password, params,
                             std::string_view(reinterpret_cast<const char*>(salt.data()), 32),  // NOLINT
                             std::string_view(reinterpret_cast<const char*>(iv.data()), 16), uuid);  // NOLINT
}

}  // namespace cx::chain
