// Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not NIST SHA3-256).
// Backed by Crypto++'s Keccak_256. Pure, thread-safe (no shared state).
#pragma once
#include <memory>
#include <string_view>

#include "chain/types.h"

namespace cx::chain {

Hash32 Keccak256(std::string_view data);

// Incremental form for hashing without concatenating.
class Keccak256Hasher {
 public:
  Keccak256Hasher();
  ~Keccak256Hasher();
  Keccak256Hasher(const Keccak256Hasher&) = delete;
  Keccak256Hasher& operator=(const Keccak256Hasher&) = delete;
  void Update(std::string_view data);
  Hash32 Final();  // resets the hasher afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cx::chain
