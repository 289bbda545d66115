// Incoming webhook signatures in the form of Stripe's `Stripe-Signature` header:
//   t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>[,v1=...][,v0=...]
// Several v1 entries are allowed (the sender signs with each active secret while it
// rotates them); any one matching is enough. Other schemes (v0, ...) are ignored. Items
// are separated by ',' and may carry surrounding spaces; `t` must appear exactly once.
// The signature is checked first, then the timestamp: |now - t| <= tolerance (default
// 300 s), so a captured request cannot be replayed later. Replay inside the window is the
// caller's to stop: record each event id and ignore ones already seen (idempotency).
// Pure (no I/O, no clock reads); thread-safe. Constant-time MAC comparison.
// Errors (field): kInvalidField ("signature_header") for a malformed header, kBadToken
// ("signature") when no v1 matches, kTokenExpired ("timestamp") outside the tolerance.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::auth::webhook {

inline constexpr int64_t kDefaultToleranceS = 300;
inline constexpr size_t kMaxHeaderBytes = 4096;

struct SignatureHeader {
  int64_t timestamp = 0;
  std::vector<std::string> v1;  // lowercase hex, 64 chars each
};

Result<SignatureHeader> ParseSignatureHeader(std::string_view header);
// "t=<t>,v1=<hex>" for `payload` under `secret` (for tests and for our own outgoing hooks).
std::string SignPayload(std::string_view payload, std::string_view secret, int64_t t);
// Returns the header's timestamp when one v1 matches and t is within tolerance of now.
Result<int64_t> Verify(std::string_view payload, std::string_view header,
                       std::string_view secret, int64_t now,
                       int64_t tolerance_s = kDefaultToleranceS);

}  // namespace cx::auth::webhook
