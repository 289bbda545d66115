// JSON views of registry state for the HTTP API. Pure functions of the state; run on the
// engine thread inside Render callbacks. Quantities: "quantity" as a tonnes decimal
// string ("12.345") plus "quantity_kg" as an integer.
#pragma once
#include <boost/json/fwd.hpp>
#include <string>

#include "app/pii.h"
#include "registry/registry.h"

namespace cx::app {

// `p`: the user's resolved personal fields (ServiceContext::PersonOf); never the hash.
boost::json::object UserView(const registry::User& u, const Person& p);
boost::json::object ProjectView(const registry::RegistryState& s, const registry::Project& p);
boost::json::object IssuanceView(const registry::RegistryState& s, const registry::Issuance& i);
boost::json::object BatchView(const registry::RegistryState& s, const registry::Batch& b);
boost::json::object RetirementView(const registry::RegistryState& s, const registry::Retirement& r);
boost::json::object HoldingsView(const registry::RegistryState& s, int64_t account);
boost::json::object CreditClassView(const registry::CreditClass& c);
std::string RolesText(uint32_t roles);
uint32_t RolesFromNames(const std::vector<std::string>& names, bool* ok);
std::string Serialize(const boost::json::value& v);

}  // namespace cx::app
