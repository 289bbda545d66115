// Hex text <-> raw bytes, and EIP-55 mixed-case checksummed addresses.
// Contract: output is always "0x"-prefixed lower-case hex (except EIP-55 checksummed
// addresses). Input parsing requires the "0x" prefix (or "0X") and an even number of hex
// digits; errors are Code::kInvalidField naming `field`. Pure functions, thread-safe.
#pragma once
#include <string>
#include <string_view>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// "0x" + lower-case hex of `raw` ("0x" for empty input).
std::string ToHex(std::string_view raw);
std::string ToHex(const Hash32& h);
// Parses "0x..." into raw bytes. Empty payload ("0x") is allowed and yields "".
Result<Bytes> FromHex(std::string_view hex, std::string_view field = "hex");
// Same, but requires exactly `n` bytes.
Result<Bytes> FromHexN(std::string_view hex, size_t n, std::string_view field = "hex");
Result<Hash32> ParseHash32(std::string_view hex, std::string_view field = "hash");

// JSON-RPC "quantity" form: "0x0", "0x1f" (no leading zeros).
std::string ToQuantity(const U256& x);
// Parses a JSON-RPC quantity; accepts leading zeros (some nodes send them), rejects empty
// "0x", missing prefix and values above 2^256-1.
Result<U256> ParseQuantity(std::string_view hex, std::string_view field = "quantity");

// Lower-case "0x..." form of an address.
std::string AddressToHex(const Address& a);
// EIP-55 checksummed form, e.g. "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".
std::string AddressToChecksum(const Address& a);
// Parses a 0x-prefixed 40-hex-digit address. All-lower or all-upper hex is accepted as is;
// mixed case must be a valid EIP-55 checksum (else kInvalidField "bad EIP-55 checksum").
Result<Address> ParseAddress(std::string_view text, std::string_view field = "address");
// True when `text` is mixed case and a valid EIP-55 checksum of its own bytes.
bool IsValidChecksum(std::string_view text);

}  // namespace cx::chain
