// Sealing TOTP secrets for the journal, and checking a user's code at the edge. The
// registry keeps only sealed secrets (AES-256-GCM under a fresh data key wrapped by the
// server's MFA key, DIR/mfa.key or $CX_MFA_KEY); the clear secret exists only here, for
// the time of a check. Thread-safe (pure functions of their arguments).
#pragma once
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "documents/crypto.h"

namespace cx::app {

std::string SealMfaSecret(const documents::MasterKey& key, std::string_view secret);
// kDocDecryptFailed when the key is wrong or the sealed text was altered.
Result<std::string> OpenMfaSecret(const documents::MasterKey& key, std::string_view sealed);
// Verifies `code` for the sealed secret at unix time `now`, skipping steps <= last_step;
// returns the matched step (kBadCredentials with field "otp" otherwise). Guessing is
// bounded per user: after kMfaMaxFailures wrong codes within kMfaFailureWindowS the
// user's codes are refused with kRateLimited until the window passes (a 6-digit code
// cannot be brute-forced with a stolen password or token).
inline constexpr int kMfaMaxFailures = 5;
inline constexpr int64_t kMfaFailureWindowS = 900;
// Sign-in lockout per account: after kLoginMaxFailures wrong passwords within
// kLoginFailureWindowS the account's sign-ins are refused (kRateLimited, field "password")
// until the oldest failure leaves the window, whatever the source address (the per-IP and
// sign-in rate limits bound one source; this bounds a distributed guess at one account).
// A temporary lock rather than a permanent one, so a third party can only delay a user.
inline constexpr int kLoginMaxFailures = 10;
inline constexpr int64_t kLoginFailureWindowS = 900;
// Recent failures per user within a sliding window (one per server and purpose;
// thread-safe). Memory: at most `max` timestamps per user with recent failures.
class FailureWindow {
 public:
  FailureWindow(int max, int64_t window_s, std::string what, std::string field)
      : max_(max), window_s_(window_s), what_(std::move(what)), field_(std::move(field)) {}
  // kRateLimited while `user` has `max` failures within the window.
  Result<void> Check(int64_t user, int64_t now);
  // Seconds until Check passes again (0 when it passes now): for Retry-After.
  int64_t RetryAfterS(int64_t user, int64_t now);
  void Record(int64_t user, int64_t now);

 private:
  const int max_;
  const int64_t window_s_;
  const std::string what_;   // "wrong codes", for the message
  const std::string field_;  // the field at fault
  std::mutex mu_;
  std::map<int64_t, std::deque<int64_t>> by_user_;
};
Result<int64_t> CheckMfaCode(const documents::MasterKey& key, std::string_view sealed, std::string_view code, int64_t now,
                             int64_t last_step, int64_t user, FailureWindow& failures);

}  // namespace cx::app
