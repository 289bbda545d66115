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
// Recent wrong codes per user (one per server; thread-safe).
class MfaFailures {
 public:
  // kRateLimited while `user` has kMfaMaxFailures failures within the window.
  Result<void> Check(int64_t user, int64_t now);
  void Record(int64_t user, int64_t now);

 private:
  std::mutex mu_;
  std::map<int64_t, std::deque<int64_t>> by_user_;
};
Result<int64_t> CheckMfaCode(const documents::MasterKey& key, std::string_view sealed, std::string_view code, int64_t now,
                             int64_t last_step, int64_t user, MfaFailures& failures);

}  // namespace cx::app
