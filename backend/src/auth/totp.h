// TOTP second factor (RFC 6238 over RFC 4226 HOTP, computed by liboath): HMAC-SHA-1,
// 6 digits, 30-second steps, accepted within +-1 step of `now`. Replay is refused: the
// caller keeps the last accepted step per user and passes it in; a code is accepted only
// for a step strictly after it, and the accepted step comes back to be stored.
// Enrollment: the caller supplies the secret's random bytes (>= 16, 20 recommended); this
// module makes the base32 form, the otpauth:// URI (Google Authenticator key-URI format)
// and its QR code as SVG or PNG (libqrencode; PNG written here with zlib).
// Recovery codes: made from caller-supplied random bytes (80 bits each); only their
// SHA-256 is stored. A plain hash is enough because the codes are high-entropy random
// values, not passwords: brute-forcing 2^80 preimages is out of reach, so a slow KDF
// would add cost without adding safety.
// Pure: no I/O, no clock reads (time is a parameter). Thread-safe (liboath is initialised
// once behind std::call_once; libqrencode is built thread-safe on Debian).
// Errors: kBadCredentials for a wrong, malformed or replayed code (one code, so a caller
// learns nothing about which); kInvalidField for bad enrollment input.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::auth::totp {

struct Params {
  int digits = 6;        // 6..8 (liboath's range)
  int64_t period_s = 30;
  int window = 1;        // steps accepted either side of the current one
};

inline constexpr size_t kMinSecretBytes = 16;   // RFC 4226 section 4: at least 128 bits
inline constexpr size_t kSecretBytes = 20;      // what enrollment should use (160 bits)
inline constexpr int64_t kNoStepUsed = -1;      // last_step before any code was accepted

// RFC 4648 base32, uppercase, without '=' padding (the form authenticator apps expect).
std::string Base32Encode(std::string_view bytes);
// Accepts upper or lower case, optional '=' padding; kInvalidField on anything else.
Result<std::string> Base32Decode(std::string_view text);

// The time step holding `unix_time` (floor division; negative times are invalid).
int64_t StepAt(int64_t unix_time, const Params& p = {});
// The code for `unix_time` (zero-padded decimal of p.digits). kInvalidField for a short
// secret or bad params.
Result<std::string> CodeAt(std::string_view secret, int64_t unix_time, const Params& p = {});
// Checks `code` against the steps StepAt(now)-window .. StepAt(now)+window, skipping every
// step <= last_step (already used, or older than a used one). Returns the matched step,
// which the caller stores as the new last_step. Every candidate is computed and compared
// in constant time, so timing does not tell which step matched.
Result<int64_t> Verify(std::string_view secret, std::string_view code, int64_t now,
                       int64_t last_step, const Params& p = {});

// otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&
// digits=6&period=30, with issuer and account percent-encoded. Neither may be empty or
// contain ':' (kInvalidField, field "issuer"/"account").
Result<std::string> OtpauthUri(std::string_view issuer, std::string_view account,
                               std::string_view secret, const Params& p = {});

// A QR code symbol: width x width modules, row-major, true = dark.
struct QrCode {
  int width = 0;
  std::vector<bool> modules;
  bool dark(int x, int y) const { return modules[static_cast<size_t>(y) * width + x]; }
};
// Byte-mode QR code, error correction level M. kInvalidField for empty or too long text
// (> 2048 bytes).
Result<QrCode> EncodeQr(std::string_view text);
// SVG document: one path of unit squares, a 4-module quiet zone, `module_px` pixels per
// module for width/height (the viewBox is in modules, so it scales cleanly).
std::string QrSvg(const QrCode& qr, int module_px = 6);
// 8-bit greyscale PNG (IHDR, one zlib IDAT, IEND), 4-module quiet zone, `module_px`
// pixels per module (1..32). kInvalidField for a bad scale.
Result<std::string> QrPng(const QrCode& qr, int module_px = 6);

// Recovery codes.
inline constexpr size_t kRecoveryCodeBytes = 10;  // 80 bits -> 16 base32 characters
struct RecoveryCodes {
  std::vector<std::string> codes;   // shown to the user once: "abcd-efgh-ijkl-mnop"
  std::vector<std::string> hashes;  // stored: hex SHA-256 of the normalised code
};
// `random` must hold exactly n * kRecoveryCodeBytes bytes, 1 <= n <= 64 (kInvalidField).
Result<RecoveryCodes> MakeRecoveryCodes(std::span<const uint8_t> random, size_t n);
// Normalises (drops '-' and spaces, lowercases) and hashes a code as stored.
std::string RecoveryCodeHash(std::string_view code);
// If `code` matches one of `hashes`, erases that hash (single use) and returns its index
// before erasing; otherwise kBadCredentials. All hashes are compared (no early exit).
Result<size_t> ConsumeRecoveryCode(std::string_view code, std::vector<std::string>& hashes);

}  // namespace cx::auth::totp
