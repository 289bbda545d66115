#include "core/sha256.h"

#include <openssl/evp.h>

namespace cx {
namespace {
// Fetched once: with OpenSSL 3, passing EVP_sha256() makes every init look the
// implementation up again (EVP_MD_fetch showed in the engine thread's profile).
const EVP_MD* Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}
}  // namespace

Hash256 Sha256(const void* data, size_t len) {
  Hash256 h{};
  unsigned int n = 0;
  EVP_Digest(data, len, h.data(), &n, Md(), nullptr);
  return h;
}

Hash256 Sha256(std::string_view data) { return Sha256(data.data(), data.size()); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), Md(), nullptr);
}
Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256Hasher::Update(const void* data, size_t len) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, len);
}
Hash256 Sha256Hasher::Final() {
  Hash256 h{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), h.data(), &n);
  return h;
}

std::string ToHex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = kDigits[p[i] >> 4];
    s[2 * i + 1] = kDigits[p[i] & 15];
  }
  return s;
}

static int Nib(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHexBytes(std::string_view hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int a = Nib(hex[2 * i]), b = Nib(hex[2 * i + 1]);
    if (a < 0 || b < 0) return false;
    out[i] = static_cast<char>(a * 16 + b);
  }
  return true;
}

bool FromHex(std::string_view hex, Hash256& out) {
  std::string b;
  if (hex.size() != 64 || !FromHexBytes(hex, b)) return false;
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(b[i]);
  return true;
}

}  // namespace cx
