#include "chain/types.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include <openssl/crypto.h>

#include "chain/hex.h"

namespace cx::chain {

Hash32 Hash32::FromRaw(std::string_view raw32) {
  assert(raw32.size() == 32);
  Hash32 h;
  std::memcpy(h.bytes.data(), raw32.data(), std::min<size_t>(raw32.size(), 32));
  return h;
}

Address Address::FromRaw(std::string_view raw20) {
  assert(raw20.size() == 20);
  Address a;
  std::memcpy(a.bytes.data(), raw20.data(), std::min<size_t>(raw20.size(), 20));
  return a;
}

bool Address::IsZero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

PrivateKey::~PrivateKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

Hash32 U256ToBe32(const U256& x) {
  Hash32 h;
  U256 v = x;
  for (int i = 31; i >= 0; --i) {
    h.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return h;
}

U256 U256FromBe(std::string_view be) {
  assert(be.size() <= 32);
  U256 v = 0;
  for (char c : be) {
    v <<= 8;
    v |= static_cast<uint8_t>(c);
  }
  return v;
}

Bytes U256ToMinimalBe(const U256& x) {
  Hash32 h = U256ToBe32(x);
  size_t i = 0;
  while (i < 32 && h.bytes[i] == 0) ++i;
  return Bytes(reinterpret_cast<const char*>(h.bytes.data()) + i, 32 - i);  // NOLINT
}

std::string U256ToDecimal(const U256& x) { return x.str(); }

Result<U256> ParseU256(std::string_view s, std::string_view field) {
  if (s.empty()) return Err(Code::kInvalidField, std::string(field) + ": empty number", std::string(field));
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return ParseQuantity(s, field);
  if (s.size() > 78) return Err(Code::kInvalidField, std::string(field) + ": number too large", std::string(field));
  U256 v = 0;
  static const U256 kMaxDiv10 = (~U256(0)) / 10;
  for (char c : s) {
    if (c < '0' || c > '9')
      return Err(Code::kInvalidField, std::string(field) + ": not a decimal integer", std::string(field));
    auto d = static_cast<unsigned>(c - '0');
    if (v > kMaxDiv10 || (v == kMaxDiv10 && d > static_cast<unsigned>((~U256(0)) % 10)))
      return Err(Code::kInvalidField, std::string(field) + ": number exceeds 2^256-1", std::string(field));
    v = v * 10 + d;
  }
  return v;
}

}  // namespace cx::chain
