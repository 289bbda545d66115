#include "chain/hex.h"

#include <cstring>

#include "chain/keccak.h"

namespace cx::chain {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error Bad(std::string_view field, std::string_view what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + std::string(what), std::string(field));
}

bool HasPrefix(std::string_view s) { return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'); }

}  // namespace

std::string ToHex(std::string_view raw) {
  std::string out;
  out.reserve(2 + raw.size() * 2);
  out += "0x";
  for (char c : raw) {
    auto b = static_cast<uint8_t>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string ToHex(const Hash32& h) { return ToHex(h.str()); }

Result<Bytes> FromHex(std::string_view hex, std::string_view field) {
  if (!HasPrefix(hex)) return Bad(field, "hex must start with 0x");
  hex.remove_prefix(2);
  if (hex.size() % 2 != 0) return Bad(field, "odd number of hex digits");
  Bytes out;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexVal(hex[2 * i]);
    int lo = HexVal(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Bad(field, "invalid hex digit");
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Result<Bytes> FromHexN(std::string_view hex, size_t n, std::string_view field) {
  CX_ASSIGN_OR_RETURN(Bytes b, FromHex(hex, field));
  if (b.size() != n) return Bad(field, "expected " + std::to_string(n) + " bytes, got " + std::to_string(b.size()));
  return b;
}

Result<Hash32> ParseHash32(std::string_view hex, std::string_view field) {
  CX_ASSIGN_OR_RETURN(Bytes b, FromHexN(hex, 32, field));
  return Hash32::FromRaw(b);
}

std::string ToQuantity(const U256& x) {
  if (x == 0) return "0x0";
  Bytes be = U256ToMinimalBe(x);
  std::string h = ToHex(be);
  if (h.size() > 2 && h[2] == '0') h.erase(2, 1);
  return h;
}

Result<U256> ParseQuantity(std::string_view hex, std::string_view field) {
  if (!HasPrefix(hex)) return Bad(field, "quantity must start with 0x");
  hex.remove_prefix(2);
  if (hex.empty()) return Bad(field, "empty quantity");
  while (hex.size() > 1 && hex[0] == '0') hex.remove_prefix(1);
  if (hex.size() > 64) return Bad(field, "quantity exceeds 256 bits");
  U256 v = 0;
  for (char c : hex) {
    int d = HexVal(c);
    if (d < 0) return Bad(field, "invalid hex digit");
    v <<= 4;
    v |= static_cast<unsigned>(d);
  }
  return v;
}

std::string AddressToHex(const Address& a) { return ToHex(a.str()); }

std::string AddressToChecksum(const Address& a) {
  std::string lower = AddressToHex(a).substr(2);
  Hash32 h = Keccak256(lower);
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    uint8_t nib = (i % 2 == 0) ? (h.bytes[i / 2] >> 4) : (h.bytes[i / 2] & 15);
    if (c >= 'a' && c <= 'f' && nib >= 8) c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

bool IsValidChecksum(std::string_view text) {
  auto a = FromHexN(text, 20, "address");
  if (!a.ok()) return false;
  return AddressToChecksum(Address::FromRaw(*a)).substr(2) == text.substr(2);
}

Result<Address> ParseAddress(std::string_view text, std::string_view field) {
  if (!HasPrefix(text)) return Bad(field, "address must start with 0x");
  if (text.size() != 42) return Bad(field, "address must be 40 hex digits");
  CX_ASSIGN_OR_RETURN(Bytes raw, FromHexN(text, 20, field));
  bool has_lower = false;
  bool has_upper = false;
  for (char c : text.substr(2)) {
    if (c >= 'a' && c <= 'f') has_lower = true;
    if (c >= 'A' && c <= 'F') has_upper = true;
  }
  Address a = Address::FromRaw(raw);
  if (has_lower && has_upper && AddressToChecksum(a).substr(2) != text.substr(2))
    return Bad(field, "bad EIP-55 checksum");
  return a;
}

}  // namespace cx::chain
