#include "auth/principal.h"

namespace cx::auth {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kTrader: return "trader";
    case Role::kProjectDeveloper: return "project_developer";
    case Role::kVerifier: return "verifier";
    case Role::kAdmin: return "admin";
    case Role::kAuditor: return "auditor";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return Err(Code::kInvalidField, "unknown role '" + std::string(name) + "'", "role");
}

RoleSet RoleSet::FromBits(uint32_t b) {
  RoleSet s;
  for (Role r : kAllRoles) {
    if (b & (1u << static_cast<unsigned>(r))) s.Add(r);
  }
  return s;
}

RoleSet RoleSet::All() {
  RoleSet s;
  for (Role r : kAllRoles) s.Add(r);
  return s;
}

std::vector<Role> RoleSet::ToVector() const {
  std::vector<Role> out;
  for (Role r : kAllRoles) {
    if (Has(r)) out.push_back(r);
  }
  return out;
}

std::vector<std::string> RoleSet::Names() const {
  std::vector<std::string> out;
  for (Role r : ToVector()) out.emplace_back(RoleName(r));
  return out;
}

Result<RoleSet> RoleSet::Parse(const std::vector<std::string>& names) {
  RoleSet s;
  for (const auto& n : names) {
    CX_ASSIGN_OR_RETURN(Role r, ParseRole(n));
    s.Add(r);
  }
  return s;
}

}  // namespace cx::auth
