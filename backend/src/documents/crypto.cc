#include "documents/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/sha256.h"
#include "documents/errors.h"

namespace cx::documents {

namespace {

constexpr char kDekAad[] = "cx-doc-dek-v1";
constexpr char kSegAad[] = "cx-doc-seg-v1";
constexpr size_t kNonceSize = 12;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// AES-256-GCM seal: returns ciphertext || tag. Aborts only on OpenSSL misuse (the
// inputs here are always well formed), which would be a programming error.
std::string GcmSeal(const uint8_t* key, const uint8_t* nonce, std::string_view aad,
                    std::string_view plain) {
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string out(plain.size() + kTagSize, '\0');
  int n = 0, m = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key, nonce) &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const uint8_t*>(aad.data()),
                              static_cast<int>(aad.size())) &&
            EVP_EncryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(out.data()), &n,
                              reinterpret_cast<const uint8_t*>(plain.data()),
                              static_cast<int>(plain.size())) &&
            EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(out.data()) + n, &m) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                out.data() + plain.size());
  if (!ok) std::abort();
  return out;
}

Result<std::string> GcmOpen(const uint8_t* key, const uint8_t* nonce, std::string_view aad,
                            std::string_view sealed) {
  if (sealed.size() < kTagSize) return Err(kDecryptFailed, "ciphertext shorter than its tag");
  size_t len = sealed.size() - kTagSize;
  Ctx ctx(EVP_CIPHER_CTX_new());
  std::string out(len, '\0');
  std::array<uint8_t, kTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + len, kTagSize);
  int n = 0, m = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key, nonce) &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const uint8_t*>(aad.data()),
                              static_cast<int>(aad.size())) &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(out.data()), &n,
                              reinterpret_cast<const uint8_t*>(sealed.data()),
                              static_cast<int>(len)) &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) &&
            EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(out.data()) + n, &m) > 0;
  if (!ok) return Err(kDecryptFailed, "authentication failed (wrong key or altered data)");
  return out;
}

std::array<uint8_t, kNonceSize> SegmentNonce(uint64_t index, bool last) {
  std::array<uint8_t, kNonceSize> n{};
  for (int i = 0; i < 8; ++i) n[i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  n[11] = last ? 1 : 0;
  return n;
}

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  size_t b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

MasterKey MasterKey::FromBytes(const Key256& key) {
  MasterKey m;
  m.key = key;
  Hash256 h = Sha256(key.data(), key.size());
  m.id = ToHex(h.data(), 8);
  return m;
}

Result<MasterKey> MasterKey::FromHex(std::string_view hex) {
  std::string t = Trim(std::string(hex));
  Hash256 raw{};
  if (t.size() != 64 || !cx::FromHex(t, raw)) {
    return Err(Code::kInvalidField, "master key must be 64 hex digits (32 bytes)", "master_key");
  }
  Key256 k;
  std::memcpy(k.data(), raw.data(), 32);
  return FromBytes(k);
}

Result<MasterKey> MasterKey::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Code::kIo, "cannot read master key file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() == 32) {
    Key256 k;
    std::memcpy(k.data(), s.data(), 32);
    return FromBytes(k);
  }
  return FromHex(s);
}

Result<std::optional<MasterKey>> MasterKey::FromEnvironment() {
  const char* v = std::getenv(kMasterKeyEnv);
  if (v == nullptr || *v == '\0') return std::optional<MasterKey>();
  CX_ASSIGN_OR_RETURN(MasterKey k, FromHex(v));
  return std::optional<MasterKey>(std::move(k));
}

Key256 RandomKey() {
  Key256 k;
  if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) std::abort();
  return k;
}

std::string WrapKey(const MasterKey& master, const Key256& dek) {
  std::array<uint8_t, kNonceSize> nonce;
  if (RAND_bytes(nonce.data(), kNonceSize) != 1) std::abort();
  std::string out(reinterpret_cast<const char*>(nonce.data()), kNonceSize);
  out += GcmSeal(master.key.data(), nonce.data(), kDekAad,
                 std::string_view(reinterpret_cast<const char*>(dek.data()), dek.size()));
  return out;
}

Result<Key256> UnwrapKey(const MasterKey& master, std::string_view wrapped) {
  if (wrapped.size() != kNonceSize + 32 + kTagSize) {
    return Err(kDecryptFailed, "wrapped key has the wrong length");
  }
  auto r = GcmOpen(master.key.data(), reinterpret_cast<const uint8_t*>(wrapped.data()), kDekAad,
                   wrapped.substr(kNonceSize));
  if (!r.ok()) return Err(kDecryptFailed, "document key cannot be unwrapped: wrong master key");
  Key256 k;
  std::memcpy(k.data(), r->data(), 32);
  return k;
}

std::string SealSegment(const Key256& dek, uint64_t index, bool last, std::string_view plain) {
  auto nonce = SegmentNonce(index, last);
  return GcmSeal(dek.data(), nonce.data(), kSegAad, plain);
}

Result<std::string> OpenSegment(const Key256& dek, uint64_t index, bool last,
                                std::string_view sealed) {
  auto nonce = SegmentNonce(index, last);
  auto r = GcmOpen(dek.data(), nonce.data(), kSegAad, sealed);
  if (!r.ok()) {
    return Err(kDecryptFailed, "segment " + std::to_string(index) + ": " + r.error().message);
  }
  return r;
}

uint64_t SealedSize(uint64_t plain_size) {
  uint64_t segments = plain_size == 0 ? 1 : (plain_size + kPlainSegment - 1) / kPlainSegment;
  return plain_size + segments * kTagSize;
}

Result<uint64_t> PlainSize(uint64_t sealed_size) {
  uint64_t segments = (sealed_size + kSealedSegment - 1) / kSealedSegment;
  uint64_t rem = sealed_size - (segments == 0 ? 0 : (segments - 1) * kSealedSegment);
  if (segments == 0 || rem < kTagSize) {
    return Err(kBlockCorrupt, "impossible size for an encrypted document");
  }
  // An exact multiple ends in a full last segment; a short last segment must not be
  // empty unless it is the only one.
  if (rem == kTagSize && segments > 1) {
    return Err(kBlockCorrupt, "impossible size for an encrypted document");
  }
  return sealed_size - segments * kTagSize;
}

}  // namespace cx::documents
