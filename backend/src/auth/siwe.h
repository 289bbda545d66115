// Sign-In with Ethereum (EIP-4361): a strict parser for the message text and verification
// of its personal_sign (EIP-191) signature.
//
// Parse follows the ABNF of EIP-4361 exactly: optional "scheme://", the authority, the
// EIP-55 checksummed address (an all-lowercase or wrongly cased address is refused), the
// optional statement (reserved/unreserved characters and spaces only), URI, Version "1",
// Chain ID, Nonce (>= 8 ASCII letters or digits), Issued At and the optional Expiration
// Time, Not Before, Request ID and Resources, in that order, LF line ends, no trailing LF,
// at most kMaxMessageBytes. Times are RFC 3339 date-times (kept as text and as unix ms).
//
// Verify recovers the signer: keccak256("\x19Ethereum Signed Message:\n" + len + msg)
// (Keccak-256 from Crypto++, the original Keccak padding, not NIST SHA3-256), then
// secp256k1 public-key recovery (libsecp256k1 recovery module) from r || s || v with
// v in {27, 28} (or {0, 1}); s must be in the lower half of the order (EIP-2), so a
// signature has one valid form. The address is the last 20 bytes of keccak256(pubkey).
//
// Pure: no I/O, no clock reads (now is a parameter); nonce state is the caller's, asked
// through `nonce_outstanding` (the caller then consumes the nonce on success: single use).
// Thread-safe.
//
// Error codes (field in parentheses):
//   kInvalidField ("message")     malformed message, bad checksum address
//   kBadToken ("domain" | "uri" | "chain_id" | "nonce" | "issued_at" | "not_before")
//                                 message made for another site/chain, unknown or used
//                                 nonce, issued in the future, not yet valid
//   kTokenExpired ("expiration_time")  expired
//   kBadToken ("signature")       malformed signature, bad v, high s, no recoverable key
//   kBadCredentials ("signature") valid signature but by another address
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/sha256.h"

namespace cx::auth::siwe {

inline constexpr size_t kMaxMessageBytes = 16 * 1024;
inline constexpr int64_t kDefaultClockSkewS = 60;

struct Message {
  std::string scheme;                  // empty if absent ("https" is then implied)
  std::string domain;                  // RFC 3986 authority
  std::string address;                 // EIP-55 form, as in the message
  std::optional<std::string> statement;
  std::string uri;
  std::string version;                 // always "1"
  uint64_t chain_id = 0;
  std::string nonce;
  std::string issued_at;
  int64_t issued_at_ms = 0;
  std::optional<std::string> expiration_time;
  std::optional<int64_t> expiration_ms;
  std::optional<std::string> not_before;
  std::optional<int64_t> not_before_ms;
  std::optional<std::string> request_id;
  std::vector<std::string> resources;

  friend bool operator==(const Message&, const Message&) = default;
};

Result<Message> Parse(std::string_view text);
// The canonical text of `m` (Parse(Format(m)) == m for any parsed m).
std::string Format(const Message& m);

// RFC 3339 date-time -> unix milliseconds (fraction beyond ms truncated); kInvalidField.
Result<int64_t> ParseRfc3339Ms(std::string_view s);

Hash256 Keccak256(std::string_view data);
// keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).
Hash256 PersonalMessageHash(std::string_view message);
// EIP-55 checksummed "0x..." form of a 20-byte address.
std::string ChecksumAddress(const std::array<uint8_t, 20>& addr);
// True iff `s` is "0x" + 40 hex digits with exactly the EIP-55 casing.
bool IsChecksumAddress(std::string_view s);
// Address (EIP-55) that produced the 65-byte hex signature ("0x" optional) over the
// personal_sign hash of `message`. kBadToken ("signature") on any defect.
Result<std::string> RecoverPersonalSigner(std::string_view message,
                                          std::string_view signature_hex);

// A nonce for the server to hand out: lowercase hex of `random` (>= 8 bytes, so >= 16
// alphanumerics, comfortably above the spec's 8-character minimum); kInvalidField if short.
Result<std::string> MakeNonce(std::span<const uint8_t> random);

// Returns true iff the nonce was issued by us and is not yet used or expired.
using NonceLookup = std::function<bool(std::string_view nonce)>;

// Parses and checks a signed SIWE message for this server. `expected_uri` is compared only
// when given. `now` is unix seconds; an Issued At more than `max_skew_s` in the future is
// refused, as is now >= Expiration Time or now < Not Before (each with the same skew
// allowance for Not Before). Domain is compared case-insensitively (hosts are), the URI
// exactly. Cheap checks run first, key recovery last. Returns the parsed message; its
// address is the authenticated wallet.
Result<Message> Verify(std::string_view message, std::string_view signature_hex,
                       std::string_view expected_domain,
                       std::optional<std::string_view> expected_uri,
                       uint64_t expected_chain_id, int64_t now,
                       const NonceLookup& nonce_outstanding,
                       int64_t max_skew_s = kDefaultClockSkewS);

}  // namespace cx::auth::siwe
