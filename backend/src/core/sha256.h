// SHA-256 and hex helpers (pure computation; OpenSSL's libcrypto does the hashing).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cx {

using Hash256 = std::array<uint8_t, 32>;

Hash256 Sha256(std::string_view data);
Hash256 Sha256(const void* data, size_t len);
// Incremental hashing.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(const void* data, size_t len);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  Hash256 Final();

 private:
  void* ctx_;
};

std::string ToHex(const uint8_t* p, size_t n);
inline std::string ToHex(const Hash256& h) { return ToHex(h.data(), h.size()); }
// Decodes lowercase or uppercase hex; false on bad input or wrong length.
bool FromHex(std::string_view hex, Hash256& out);
bool FromHexBytes(std::string_view hex, std::string& out);

}  // namespace cx
