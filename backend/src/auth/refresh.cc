#include "auth/refresh.h"

#include <algorithm>

#include "auth/random.h"

namespace cx::auth {

std::string NewRefreshToken() { return RandomToken(32); }

std::string RefreshTokenHash(std::string_view token) { return ToHex(Sha256(token)); }

Result<RefreshGrant> RefreshTokenRegistry::Issue(int64_t user_id, int64_t now,
                                                 std::string token,
                                                 std::optional<int64_t> family_id) {
  if (token.size() < 32) return Err(Code::kInvalidField, "refresh token too short", "token");
  std::string h = RefreshTokenHash(token);
  if (tokens_.count(h)) return Err(Code::kInvalidField, "refresh token already issued", "token");
  int64_t fam;
  if (family_id) {
    auto it = families_.find(*family_id);
    if (it == families_.end() || it->second.revoked || it->second.user_id != user_id)
      return Err(Code::kBadToken, "refresh family unknown or revoked");
    fam = *family_id;
    it->second.last_used_at = now;
  } else {
    fam = next_family_++;
    families_[fam] = RefreshFamilyInfo{fam, user_id, now, now, false};
  }
  tokens_[h] = TokenRec{fam, now + ttl_, false};
  return RefreshGrant{std::move(token), user_id, fam, now + ttl_};
}

Result<RefreshGrant> RefreshTokenRegistry::Rotate(std::string_view presented, int64_t now,
                                                  std::string next_token) {
  auto it = tokens_.find(RefreshTokenHash(presented));
  if (it == tokens_.end()) return Err(Code::kBadToken, "refresh token unknown");
  auto fit = families_.find(it->second.family_id);
  if (fit == families_.end() || fit->second.revoked)
    return Err(Code::kBadToken, "refresh session revoked");
  if (it->second.rotated) {
    fit->second.revoked = true;
    return Err(Code::kRefreshReused, "refresh token reused; session revoked");
  }
  if (it->second.expires_at <= now) return Err(Code::kTokenExpired, "refresh token expired");
  int64_t fam = it->second.family_id;
  int64_t user = fit->second.user_id;
  // Validate the successor before mutating, so a refused rotation changes nothing.
  if (next_token.size() < 32) return Err(Code::kInvalidField, "refresh token too short", "token");
  if (tokens_.count(RefreshTokenHash(next_token)))
    return Err(Code::kInvalidField, "refresh token already issued", "token");
  it->second.rotated = true;
  return Issue(user, now, std::move(next_token), fam);
}

bool RefreshTokenRegistry::RevokeFamily(int64_t family_id) {
  auto it = families_.find(family_id);
  if (it == families_.end()) return false;
  it->second.revoked = true;
  return true;
}

size_t RefreshTokenRegistry::RevokeUser(int64_t user_id) {
  size_t n = 0;
  for (auto& [id, f] : families_) {
    if (f.user_id == user_id && !f.revoked) {
      f.revoked = true;
      ++n;
    }
  }
  return n;
}

std::optional<int64_t> RefreshTokenRegistry::FamilyOf(std::string_view token) const {
  auto it = tokens_.find(RefreshTokenHash(token));
  if (it == tokens_.end()) return std::nullopt;
  return it->second.family_id;
}

std::vector<RefreshFamilyInfo> RefreshTokenRegistry::ListFamilies(int64_t user_id) const {
  std::vector<RefreshFamilyInfo> out;
  for (const auto& [id, f] : families_) {
    if (f.user_id == user_id) out.push_back(f);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.family_id < b.family_id; });
  return out;
}

size_t RefreshTokenRegistry::Prune(int64_t now) {
  size_t n = 0;
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    auto fit = families_.find(it->second.family_id);
    bool dead = it->second.expires_at <= now || fit == families_.end() || fit->second.revoked;
    // Rotated tokens are kept until expiry: they are what detects reuse.
    if (dead) {
      it = tokens_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace cx::auth
