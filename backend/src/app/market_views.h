// JSON views of the exchange (instruments, orders, fills, book depth) for REST replies and
// the private orders:<user> channel. Pure functions of the state; engine thread.
// Amounts: "price" etc. as decimal strings in the currency's major unit (2 decimals) plus
// "*_minor" integers; quantities as tonnes strings ("1.500") plus "*_kg" integers.
#pragma once
#include <boost/json/fwd.hpp>

#include "registry/registry.h"

namespace cx::app {

boost::json::object InstrumentView(const registry::RegistryState& s, const registry::Instrument& in);
boost::json::object OrderView(const registry::RegistryState& s, const registry::Order& o);
// With the delivered batch's tonne serial ranges ("serials").
boost::json::object FillView(const registry::RegistryState& s, const registry::Fill& f, int64_t viewer_account);
// Aggregated levels of an instrument's book (displayed quantity), best first.
boost::json::object BookView(const registry::RegistryState& s, int64_t instrument, size_t depth);

}  // namespace cx::app
