// Basic Ethereum value types shared by the chain module: raw bytes, 32-byte hashes,
// 20-byte addresses, 256-bit unsigned integers, private keys and recoverable signatures.
// Contract: plain values, no I/O, thread-safe as values. U256 is boost::multiprecision's
// fixed 256-bit unsigned integer (header-only; arithmetic wraps modulo 2^256, so callers
// that must not overflow check bounds themselves). Conversions that can fail return
// cx::Result with Code::kInvalidField and the field name at fault.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>

#include "core/result.h"

namespace cx::chain {

// Raw bytes (not text): the byte string as it goes on the wire or into a hash.
using Bytes = std::string;

using U256 = boost::multiprecision::uint256_t;

// 32 raw bytes: Keccak-256 digests, transaction hashes, bytes32 values, topics.
struct Hash32 {
  std::array<uint8_t, 32> bytes{};
  auto operator<=>(const Hash32&) const = default;
  Bytes str() const { return Bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }  // NOLINT
  static Hash32 FromRaw(std::string_view raw32);  // requires raw32.size() == 32 (asserts)
};

// 20-byte account address.
struct Address {
  std::array<uint8_t, 20> bytes{};
  auto operator<=>(const Address&) const = default;
  bool IsZero() const;
  Bytes str() const { return Bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }  // NOLINT
  static Address FromRaw(std::string_view raw20);  // requires raw20.size() == 20 (asserts)
};

// secp256k1 secret scalar, big-endian. Validity (0 < k < n) is checked where it is used
// (sign.h: ParsePrivateKey / AddressOf); the bytes are wiped on destruction.
struct PrivateKey {
  std::array<uint8_t, 32> bytes{};
  PrivateKey() = default;
  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  ~PrivateKey();
  bool operator==(const PrivateKey&) const = default;
};

// Recoverable ECDSA signature. `v` is the recovery id (y parity): 0 or 1. The 65-byte
// wire form r || s || (27 + v) and the transaction encodings live in sign.h / tx.h.
struct Signature {
  Hash32 r;
  Hash32 s;
  uint8_t v = 0;
  bool operator==(const Signature&) const = default;
};

// Big-endian 32-byte encoding of a U256 and back.
Hash32 U256ToBe32(const U256& x);
U256 U256FromBe(std::string_view be);  // up to 32 bytes (asserts); empty = 0
// Minimal big-endian bytes (no leading zeros; 0 -> empty), as RLP wants.
Bytes U256ToMinimalBe(const U256& x);
// Decimal string (no sign, no leading '+').
std::string U256ToDecimal(const U256& x);
// Parses "123" (decimal) or "0x7b" (hex); rejects empty, signs, overflow past 2^256-1.
Result<U256> ParseU256(std::string_view s, std::string_view field = "value");

}  // namespace cx::chain
