// Who is calling: roles and the authenticated principal handed to every HTTP handler.
// Roles are a closed set (trader, project_developer, verifier, admin, auditor) kept as a
// bitset so a route can allow several. Role names are the stable wire form used in JWTs,
// JSON and the OpenAPI document. Thread-safe: plain values.
#pragma once
#include <bitset>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::auth {

enum class Role : uint8_t {
  kTrader = 0,
  kProjectDeveloper = 1,
  kVerifier = 2,
  kAdmin = 3,
  kAuditor = 4,
};
inline constexpr int kRoleCount = 5;
inline constexpr Role kAllRoles[kRoleCount] = {Role::kTrader, Role::kProjectDeveloper,
                                               Role::kVerifier, Role::kAdmin, Role::kAuditor};

// "trader", "project_developer", "verifier", "admin", "auditor".
std::string_view RoleName(Role r);
// Inverse of RoleName; kInvalidField (field "role") for an unknown name.
Result<Role> ParseRole(std::string_view name);

class RoleSet {
 public:
  constexpr RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) Add(r);
  }
  void Add(Role r) { bits_.set(static_cast<size_t>(r)); }
  void Remove(Role r) { bits_.reset(static_cast<size_t>(r)); }
  bool Has(Role r) const { return bits_.test(static_cast<size_t>(r)); }
  bool Intersects(const RoleSet& o) const { return (bits_ & o.bits_).any(); }
  bool empty() const { return bits_.none(); }
  size_t size() const { return bits_.count(); }
  uint32_t bits() const { return static_cast<uint32_t>(bits_.to_ulong()); }
  static RoleSet FromBits(uint32_t b);
  static RoleSet All();
  std::vector<Role> ToVector() const;
  std::vector<std::string> Names() const;
  // Parses a list of names; the first unknown name is an error.
  static Result<RoleSet> Parse(const std::vector<std::string>& names);
  friend bool operator==(const RoleSet&, const RoleSet&) = default;

 private:
  std::bitset<kRoleCount> bits_;
};

// The caller of a request. `authenticated` is false for anonymous callers (public routes);
// then user_id is 0 and roles is empty.
struct Principal {
  int64_t user_id = 0;
  RoleSet roles;
  bool authenticated = false;
  std::string token_id;  // jti of the access token, for audit and session revocation
  int64_t expires_at = 0;  // exp of the access token (unix seconds)

  bool Has(Role r) const { return authenticated && roles.Has(r); }
  static Principal Anonymous() { return Principal{}; }
};

}  // namespace cx::auth
