// JSON views of the exchange (instruments, orders, fills, book depth) for REST replies and
// the private orders:<user> channel. Pure functions of the state; engine thread.
// Amounts: "price" etc. as decimal strings in the currency's major unit (2 decimals) plus
// "*_minor" integers; quantities as tonnes strings ("1.500") plus "*_kg" integers.
#pragma once
#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "registry/registry.h"

namespace cx::app {

boost::json::object InstrumentView(const registry::RegistryState& s, const registry::Instrument& in);
// Orders and fills as JSON text (rendered without a document tree: the order reply is on
// the engine thread's hot path). The Append forms need no state (the publisher uses them
// off the engine thread with copied values).
std::string OrderJson(const registry::RegistryState& s, const registry::Order& o);
void AppendOrderJson(std::string& out, const registry::Order& o, std::string_view symbol);
// With the delivered batch's tonne serial ranges ("serials"); `b` may be null.
std::string FillJson(const registry::RegistryState& s, const registry::Fill& f, int64_t viewer_account);
void AppendFillJson(std::string& out, const registry::Fill& f, int64_t viewer_account, const registry::Batch* b);
// Aggregated levels of an instrument's book (displayed quantity), best first.
boost::json::object BookView(const registry::RegistryState& s, int64_t instrument, size_t depth);

}  // namespace cx::app
