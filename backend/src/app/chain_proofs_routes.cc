// REST views of the chain proofs state (registry/chain_proofs_model.h): anchors, the on-chain
// CarbonMarket venue and on-chain retirements. Public facts (all of it is on chain anyway).
// Quantities are tonnes with 3 decimals; prices/costs are payment-token minor units.
#include <boost/json.hpp>
#include <utility>

#include "app/chain_anchor.h"
#include "app/route_util.h"
#include "app/views.h"
#include "core/units.h"
#include "engine/engine.h"
#include "registry/registry.h"

namespace cx::app {
namespace json = boost::json;
using api::Access;
using api::HttpRequest;
using api::HttpResponse;
using api::Method;
using api::Responder;
using api::RouteSpec;
using auth::Principal;

namespace {

json::array AnchorsView(const registry::ProofsBook& b) {
  json::array items;
  for (auto it = b.anchors.rbegin(); it != b.anchors.rend(); ++it) {
    const registry::ChainAnchor& a = it->second;
    json::object o;
    o["height"] = a.height;
    o["root"] = a.root;
    o["prev_root"] = a.prev_root;
    o["first_seq"] = a.first_seq;
    o["last_seq"] = a.last_seq;
    o["tx_hash"] = a.tx_hash;
    o["nonce"] = a.nonce;
    o["block_number"] = a.block_number;
    o["gas_used"] = a.gas_used;
    o["attempts"] = a.attempts;
    o["status"] = registry::AnchorStatusName(a.status);
    if (!a.error.empty()) o["error"] = a.error;
    items.push_back(std::move(o));
  }
  return items;
}

json::object ListingView(const registry::OnchainListing& l) {
  json::object o;
  o["listing_id"] = l.listing_id;
  o["seller"] = l.seller;
  o["token_id"] = l.token_id;
  o["batch"] = l.batch;
  o["quantity"] = FormatKgAsTonnes(l.quantity_kg);
  o["unit_price"] = l.unit_price;
  o["min_fill"] = FormatKgAsTonnes(l.min_fill);
  o["deadline"] = l.deadline;
  o["remaining"] = FormatKgAsTonnes(l.remaining_kg);
  o["status"] = registry::OnchainListingStatusName(l.status);
  o["tx_hash"] = l.tx_hash;
  o["block_number"] = l.block_number;
  o["ts"] = l.ts;
  return o;
}

json::object FillView(const registry::OnchainFill& f) {
  json::object o;
  o["listing_id"] = f.listing_id;
  o["buyer"] = f.buyer;
  o["token_id"] = f.token_id;
  o["batch"] = f.batch;
  o["quantity"] = FormatKgAsTonnes(f.quantity_kg);
  o["unit_price"] = f.unit_price;
  o["cost"] = f.cost;
  o["fee"] = f.fee;
  o["tx_hash"] = f.tx_hash;
  o["block_number"] = f.block_number;
  o["ts"] = f.ts;
  o["venue"] = "onchain";
  return o;
}

json::object RetirementView(const registry::OnchainRetirement& r) {
  json::object o;
  o["retirement_id"] = r.retirement_id;
  o["holder"] = r.holder;
  o["batch"] = r.batch;
  o["token_id"] = r.token_id;
  o["quantity"] = FormatKgAsTonnes(r.quantity_kg);
  o["beneficiary"] = r.beneficiary;
  o["reason"] = r.reason;
  o["tx_hash"] = r.tx_hash;
  o["block_number"] = r.block_number;
  o["certificate_token_id"] = std::to_string(r.retirement_id);  // RetirementCertificate id = retirement id
  if (r.registry_retirement) o["registry_retirement"] = r.registry_retirement;
  else o["registry_retirement"] = nullptr;
  return o;
}

// JSON Schemas of these routes' answers (components/schemas of the OpenAPI document).
#define CX_TONNES R"({"type":"string","pattern":"^-?[0-9]+(\\.[0-9]{1,3})?$","description":"tonnes of CO2e, up to 3 decimals"})"
#define CX_ADDR R"({"type":"string","pattern":"^0x[0-9a-f]{40}$"})"
#define CX_H32 R"({"type":"string","pattern":"^0x[0-9a-f]{64}$"})"
constexpr std::pair<const char*, const char*> kProofSchemas[] = {
    {"ChainAnchorList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "height":{"type":"integer","minimum":1},"root":)" CX_H32 R"(,"prev_root":)" CX_H32 R"(,"first_seq":{"type":"integer"},
      "last_seq":{"type":"integer"},"tx_hash":)" CX_H32 R"(,"nonce":{"type":"integer"},"block_number":{"type":"integer"},
      "gas_used":{"type":"integer"},"attempts":{"type":"integer","description":"intents for this height; a failed one is replaced"},
      "status":{"type":"string","enum":["sent","confirmed","failed"]},"error":{"type":"string"}}}}}})"},
    {"ChainListingList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "listing_id":{"type":"integer"},"seller":)" CX_ADDR R"(,"token_id":{"type":"string"},"batch":{"type":"integer"},
      "quantity":)" CX_TONNES R"(,"unit_price":{"type":"string","description":"payment-token minor units per kg"},
      "min_fill":)" CX_TONNES R"(,"deadline":{"type":"integer"},"remaining":)" CX_TONNES R"(,
      "status":{"type":"string","enum":["open","filled","cancelled"]},"tx_hash":)" CX_H32 R"(,"block_number":{"type":"integer"},
      "ts":{"type":"integer"}}}}}})"},
    {"ChainFillList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "listing_id":{"type":"integer"},"buyer":)" CX_ADDR R"(,"token_id":{"type":"string"},"batch":{"type":"integer"},
      "quantity":)" CX_TONNES R"(,"unit_price":{"type":"string"},"cost":{"type":"string"},"fee":{"type":"string"},
      "tx_hash":)" CX_H32 R"(,"block_number":{"type":"integer"},"ts":{"type":"integer"},"venue":{"type":"string","enum":["onchain"]}}}}}})"},
    {"ChainRetirementList", R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{
      "retirement_id":{"type":"integer"},"holder":)" CX_ADDR R"(,"batch":{"type":"integer"},"token_id":{"type":"string"},
      "quantity":)" CX_TONNES R"(,"beneficiary":{"type":"string"},"reason":{"type":"string"},"tx_hash":)" CX_H32 R"(,
      "block_number":{"type":"integer"},"certificate_token_id":{"type":"string"},
      "registry_retirement":{"type":["integer","null"],"description":"the registry retirement it became, or null when kept on record only"}}}}}})"},
};
#undef CX_TONNES
#undef CX_ADDR
#undef CX_H32

json::object Items(json::array a) {
  json::object o;
  o["items"] = std::move(a);
  return o;
}

}  // namespace

Result<void> RegisterChainProofRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  for (const auto& [name, text] : kProofSchemas) CX_TRY(router.AddSchema(name, text));
  auto add = [&](std::string pattern, api::Handler h, std::string summary, std::string response) {
    return router.Add(RouteSpec(Method::kGet, std::move(pattern), Access::Public(), std::move(h))
                          .Doc(std::move(summary), {}, std::move(response)));
  };
  CX_TRY(add("/api/v1/chain/anchors", [c](HttpRequest&&, const Principal&, Responder respond) {
    routes::Query(*c, [](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      return Serialize(Items(AnchorsView(s.proofs())));
    }, respond);
  }, "Journal blocks anchored in JournalAnchor (newest first): height, root, seq range, tx, status", "ChainAnchorList"));

  CX_TRY(add("/api/v1/chain/market/listings", [c](HttpRequest&& req, const Principal&, Responder respond) {
    std::string status;
    if (auto v = req.Query("status")) status = std::string(*v);
    if (!status.empty() && status != "open" && status != "filled" && status != "cancelled")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "open, filled or cancelled", "status")));
    routes::Query(*c, [status](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (auto it = s.proofs().listings.rbegin(); it != s.proofs().listings.rend(); ++it) {
        if (!status.empty() && status != registry::OnchainListingStatusName(it->second.status)) continue;
        items.push_back(ListingView(it->second));
      }
      return Serialize(Items(std::move(items)));
    }, respond);
  }, "On-chain CarbonMarket listings (the on-chain venue), newest first; ?status=open|filled|cancelled", "ChainListingList"));

  CX_TRY(add("/api/v1/chain/market/fills", [c](HttpRequest&&, const Principal&, Responder respond) {
    routes::Query(*c, [](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      const auto& f = s.proofs().fills;
      for (auto it = f.rbegin(); it != f.rend(); ++it) items.push_back(FillView(*it));
      return Serialize(Items(std::move(items)));
    }, respond);
  }, "On-chain CarbonMarket fills (venue onchain), newest first", "ChainFillList"));

  CX_TRY(add("/api/v1/chain/retirements", [c](HttpRequest&&, const Principal&, Responder respond) {
    routes::Query(*c, [](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      const auto& r = s.proofs().retirements;
      for (auto it = r.rbegin(); it != r.rend(); ++it) items.push_back(RetirementView(*it));
      return Serialize(Items(std::move(items)));
    }, respond);
  }, "Retirements made on chain (CarbonCreditToken Retired) and the registry retirement each became", "ChainRetirementList"));
  return Ok();
}

}  // namespace cx::app
