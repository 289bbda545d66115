#include "app/mfa.h"

#include <algorithm>

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

Result<void> FailureWindow::Check(int64_t user, int64_t now) {
  std::lock_guard l(mu_);
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return Ok();
  auto& q = it->second;
  while (!q.empty() && q.front() <= now - window_s_) q.pop_front();
  if (q.empty()) {
    by_user_.erase(it);
    return Ok();
  }
  if (static_cast<int>(q.size()) >= max_)
    return Err(Code::kRateLimited, "too many " + what_ + ": try again in " + std::to_string(q.front() + window_s_ - now) + " s", field_);
  return Ok();
}

void FailureWindow::Record(int64_t user, int64_t now) {
  std::lock_guard l(mu_);
  auto& q = by_user_[user];
  q.push_back(now);
  while (static_cast<int>(q.size()) > max_) q.pop_front();
}

int64_t FailureWindow::RetryAfterS(int64_t user, int64_t now) {
  std::lock_guard l(mu_);
  auto it = by_user_.find(user);
  if (it == by_user_.end() || static_cast<int>(it->second.size()) < max_) return 0;
  return std::max<int64_t>(0, it->second.front() + window_s_ - now);
}


Result<int64_t> CheckMfaCode(const documents::MasterKey& key, std::string_view sealed, std::string_view code, int64_t now,
                             int64_t last_step, int64_t user, FailureWindow& failures) {
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
