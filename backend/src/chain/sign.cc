#include "chain/sign.h"

#include <cstring>

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "chain/hex.h"
#include "chain/keccak.h"

namespace cx::chain {
namespace {

// One context for the process: created on first use (thread-safe static init) and only
// read afterwards, which libsecp256k1 documents as safe for concurrent use.
const secp256k1_context* Ctx() {
  static secp256k1_context* ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);  // 0.2: any context signs and verifies
    std::array<uint8_t, 32> seed{};
    if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) == 1) {
      // Side-channel blinding only: a failure leaves the context unblinded but correct.
      const int randomized = secp256k1_context_randomize(c, seed.data());
      static_cast<void>(randomized);
    }
    return c;
  }();
  return ctx;
}

// secp256k1 group order / 2, big-endian (EIP-2: s must not exceed it).
constexpr std::array<uint8_t, 32> kHalfOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}

}  // namespace

Result<PrivateKey> PrivateKeyFromBytes(std::string_view raw32) {
  if (raw32.size() != 32) return Bad("private_key", "must be 32 bytes");
  PrivateKey k;
  std::memcpy(k.bytes.data(), raw32.data(), 32);
  if (secp256k1_ec_seckey_verify(Ctx(), k.bytes.data()) != 1)
    return Bad("private_key", "not a valid secp256k1 secret (zero or >= curve order)");
  return k;
}

Result<PrivateKey> ParsePrivateKey(std::string_view hex) {
  std::string with_prefix;
  if (hex.size() == 64) {
    with_prefix = "0x" + std::string(hex);
    hex = with_prefix;
  }
  auto raw = FromHexN(hex, 32, "private_key");
  if (!raw.ok()) return raw.take_error();
  auto k = PrivateKeyFromBytes(*raw);
  OPENSSL_cleanse(raw->data(), raw->size());
  return k;
}

Result<PrivateKey> GeneratePrivateKey() {
  for (int attempt = 0; attempt < 16; ++attempt) {
    PrivateKey k;
    if (RAND_bytes(k.bytes.data(), static_cast<int>(k.bytes.size())) != 1)
      return Err(Code::kInternal, "OS random source failed");
    if (secp256k1_ec_seckey_verify(Ctx(), k.bytes.data()) == 1) return k;
  }
  return Err(Code::kInternal, "could not generate a private key");
}

Result<Bytes> PublicKeyOf(const PrivateKey& key) {
  secp256k1_pubkey pub;
  if (secp256k1_ec_pubkey_create(Ctx(), &pub, key.bytes.data()) != 1)
    return Bad("private_key", "not a valid secp256k1 secret");
  std::array<uint8_t, 65> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Ctx(), out.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return Bytes(reinterpret_cast<const char*>(out.data()) + 1, 64);  // NOLINT
}

Result<Address> AddressOf(const PrivateKey& key) {
  CX_ASSIGN_OR_RETURN(Bytes pub, PublicKeyOf(key));
  Hash32 h = Keccak256(pub);
  return Address::FromRaw(h.str().substr(12));
}

Result<Signature> SignDigest(const Hash32& digest, const PrivateKey& key) {
  secp256k1_ecdsa_recoverable_signature rsig;
  // nullptr nonce function = RFC 6979 (HMAC-SHA256), no extra entropy: deterministic, and
  // libsecp256k1 always produces low-s signatures.
  if (secp256k1_ecdsa_sign_recoverable(Ctx(), &rsig, digest.bytes.data(), key.bytes.data(), nullptr,
                                       nullptr) != 1)
    return Bad("private_key", "signing failed (invalid key)");
  std::array<uint8_t, 64> compact{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Ctx(), compact.data(), &recid, &rsig);
  Signature s;
  std::memcpy(s.r.bytes.data(), compact.data(), 32);
  std::memcpy(s.s.bytes.data(), compact.data() + 32, 32);
  s.v = static_cast<uint8_t>(recid);
  return s;
}

Result<Address> RecoverAddress(const Hash32& digest, const Signature& sig) {
  if (sig.v > 1) return Bad("signature", "recovery id must be 0 or 1");
  if (sig.s.bytes > kHalfOrder) return Bad("signature", "high s value (EIP-2)");
  std::array<uint8_t, 64> compact{};
  std::memcpy(compact.data(), sig.r.bytes.data(), 32);
  std::memcpy(compact.data() + 32, sig.s.bytes.data(), 32);
  secp256k1_ecdsa_recoverable_signature rsig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(Ctx(), &rsig, compact.data(), sig.v) != 1)
    return Bad("signature", "r or s out of range");
  secp256k1_pubkey pub;
  if (secp256k1_ecdsa_recover(Ctx(), &pub, &rsig, digest.bytes.data()) != 1)
    return Bad("signature", "signature does not recover to a public key");
  std::array<uint8_t, 65> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Ctx(), out.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  Hash32 h = Keccak256(std::string_view(reinterpret_cast<const char*>(out.data()) + 1, 64));  // NOLINT
  return Address::FromRaw(h.str().substr(12));
}

Bytes SignatureTo65(const Signature& sig) {
  Bytes out = sig.r.str() + sig.s.str();
  out += static_cast<char>(27 + sig.v);
  return out;
}

Result<Signature> SignatureFrom65(std::string_view raw65, std::string_view field) {
  if (raw65.size() != 65) return Bad(field, "signature must be 65 bytes");
  Signature s;
  s.r = Hash32::FromRaw(raw65.substr(0, 32));
  s.s = Hash32::FromRaw(raw65.substr(32, 32));
  auto v = static_cast<uint8_t>(raw65[64]);
  if (v == 27 || v == 28) v = static_cast<uint8_t>(v - 27);
  if (v > 1) return Bad(field, "v must be 0, 1, 27 or 28");
  s.v = v;
  return s;
}

Result<Signature> ParseSignatureHex(std::string_view hex, std::string_view field) {
  CX_ASSIGN_OR_RETURN(Bytes raw, FromHexN(hex, 65, field));
  return SignatureFrom65(raw, field);
}

Hash32 PersonalMessageHash(std::string_view message) {
  Keccak256Hasher h;
  h.Update("\x19" "Ethereum Signed Message:\n");
  h.Update(std::to_string(message.size()));
  h.Update(message);
  return h.Final();
}

Result<Signature> PersonalSign(std::string_view message, const PrivateKey& key) {
  return SignDigest(PersonalMessageHash(message), key);
}

Result<Address> RecoverPersonal(std::string_view message, const Signature& sig) {
  return RecoverAddress(PersonalMessageHash(message), sig);
}

}  // namespace cx::chain
