#include "chain/keccak.h"

#include <cryptopp/keccak.h>

namespace cx::chain {

// Crypto++'s Keccak_256 is the pre-standard Keccak (padding 0x01) that Ethereum uses;
// SHA3_256 would be the NIST variant and give different digests.
struct Keccak256Hasher::Impl {
  CryptoPP::Keccak_256 h;
};

Keccak256Hasher::Keccak256Hasher() : impl_(std::make_unique<Impl>()) {}
Keccak256Hasher::~Keccak256Hasher() = default;

void Keccak256Hasher::Update(std::string_view data) {
  impl_->h.Update(reinterpret_cast<const CryptoPP::byte*>(data.data()), data.size());  // NOLINT
}

Hash32 Keccak256Hasher::Final() {
  Hash32 out;
  impl_->h.Final(out.bytes.data());
  return out;
}

Hash32 Keccak256(std::string_view data) {
  CryptoPP::Keccak_256 h;
  Hash32 out;
  h.CalculateDigest(out.bytes.data(), reinterpret_cast<const CryptoPP::byte*>(data.data()), data.size());  // NOLINT
  return out;
}

}  // namespace cx::chain
