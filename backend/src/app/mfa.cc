#include "app/mfa.h"


#include "auth/totp.h"
#include "core/sha256.h"

namespace cx::app {

std::string SealMfaSecret(const documents::MasterKey& key, std::string_view secret) {
  documents::Key256 dek = documents::RandomKey();
  std::string wrapped = documents::WrapKey(key, dek);
  std::string sealed = documents::SealSegment(dek, 0, true, secret);
  return ToHex(reinterpret_cast<const uint8_t*>(wrapped.data()), wrapped.size()) + ":" +
         ToHex(reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size());
}

Result<std::string> OpenMfaSecret(const documents::MasterKey& key, std::string_view sealed) {
  auto colon = sealed.find(':');
  std::string wrapped, body;
  if (colon == std::string_view::npos || !FromHexBytes(sealed.substr(0, colon), wrapped) ||
      !FromHexBytes(sealed.substr(colon + 1), body))
    return Err(Code::kDocDecryptFailed, "sealed secret is malformed");
  CX_ASSIGN_OR_RETURN(documents::Key256 dek, documents::UnwrapKey(key, wrapped));
  return documents::OpenSegment(dek, 0, true, body);
}

Result<void> MfaFailures::Check(int64_t user, int64_t now) {
  std::lock_guard l(mu_);
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return Ok();
  auto& q = it->second;
  while (!q.empty() && q.front() <= now - kMfaFailureWindowS) q.pop_front();
  if (q.empty()) {
    by_user_.erase(it);
    return Ok();
  }
  if (static_cast<int>(q.size()) >= kMfaMaxFailures)
    return Err(Code::kRateLimited, "too many wrong codes: try again in " + std::to_string(q.front() + kMfaFailureWindowS - now) + " s", "otp");
  return Ok();
}

void MfaFailures::Record(int64_t user, int64_t now) {
  std::lock_guard l(mu_);
  by_user_[user].push_back(now);
}

Result<int64_t> CheckMfaCode(const documents::MasterKey& key, std::string_view sealed, std::string_view code, int64_t now,
                             int64_t last_step, int64_t user, MfaFailures& failures) {
  CX_TRY(failures.Check(user, now));
  CX_ASSIGN_OR_RETURN(std::string secret, OpenMfaSecret(key, sealed));
  auto step = auth::totp::Verify(secret, code, now, last_step);
  if (!step.ok()) {
    failures.Record(user, now);
    Error e = step.take_error();
    e.field = "otp";
    if (e.code != Code::kBadCredentials) e.code = Code::kBadCredentials;
    return e;
  }
  return *step;
}

}  // namespace cx::app
