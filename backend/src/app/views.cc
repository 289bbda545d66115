#include "app/views.h"
#include "app/batch_metadata.h"

#include <boost/json.hpp>

#include "core/units.h"

namespace cx::app {
namespace json = boost::json;
using namespace cx::registry;

namespace {
const char* TriName(Tri t) { return t == Tri::kYes ? "yes" : t == Tri::kNo ? "no" : "unknown"; }
const char* MitigationName(Mitigation m) {
  return m == Mitigation::kRemoval ? "removal" : m == Mitigation::kReduction ? "reduction" : "unknown";
}
const char* NatureName(Nature n) {
  return n == Nature::kNatureBased ? "nature_based" : n == Nature::kTechnical ? "technical" : "unknown";
}
void Qty(json::object& o, const char* name, int64_t kg) {
  o[name] = FormatKgAsTonnes(kg);
  o[std::string(name) + "_kg"] = kg;
}
json::array RangesJson(const Batch& b, const Ranges& rs) {
  json::array a;
  for (const auto& r : rs) {
    json::object x;
    x["kg_from"] = r.first;
    x["kg_to"] = r.second;
    x["serials"] = RegistryState::SerialRangeText(b, r);
    a.push_back(std::move(x));
  }
  return a;
}
}  // namespace

std::string Serialize(const json::value& v) { return json::serialize(v); }

std::string RolesText(uint32_t roles) {
  static const char* names[] = {"trader", "project_developer", "verifier", "admin", "auditor"};
  std::string s;
  for (int i = 0; i < 5; ++i)
    if (roles & (1u << i)) s += std::string(s.empty() ? "" : ",") + names[i];
  return s;
}

uint32_t RolesFromNames(const std::vector<std::string>& names, bool* ok) {
  static const char* all[] = {"trader", "project_developer", "verifier", "admin", "auditor"};
  uint32_t r = 0;
  *ok = true;
  for (const auto& n : names) {
    bool found = false;
    for (int i = 0; i < 5; ++i)
      if (n == all[i]) { r |= 1u << i; found = true; }
    if (!found) *ok = false;
  }
  return r;
}

json::object UserView(const User& u, const Person& p) {
  json::object o;
  o["id"] = u.id;
  o["account"] = u.account;
  o["email"] = p.email;
  o["display_name"] = p.display_name;
  if (u.erased) o["erased"] = true;
  json::array roles;
  static const char* names[] = {"trader", "project_developer", "verifier", "admin", "auditor"};
  for (int i = 0; i < 5; ++i)
    if (u.roles & (1u << i)) roles.push_back(json::string(names[i]));
  o["roles"] = std::move(roles);
  return o;
}

json::object CreditClassView(const CreditClass& c) {
  json::object o;
  o["id"] = c.id;
  o["code"] = c.code;
  o["standard"] = c.standard;
  o["name"] = c.name;
  o["required_approvals"] = c.required_approvals;
  o["buffer_bp"] = c.buffer_bp;
  return o;
}

json::object ProjectView(const RegistryState& s, const Project& p) {
  json::object o;
  const ProjectInfo& i = p.info;
  o["id"] = p.id;
  o["developer"] = p.developer;
  o["status"] = ProjectStatusName(p.status);
  o["status_reason"] = p.status_reason;
  o["validator"] = p.validator;
  o["name"] = i.name;
  o["description"] = i.description;
  o["developer_name"] = i.developer_name;
  o["country"] = i.country;
  o["subdivision"] = i.subdivision;
  o["sector"] = i.sector;
  o["project_type"] = i.project_type;
  o["methodology"] = i.methodology;
  o["mitigation"] = MitigationName(i.mitigation);
  o["nature"] = NatureName(i.nature);
  o["origin_registry"] = i.origin_registry;
  o["origin_id"] = i.origin_id;
  o["credit_class"] = i.credit_class;
  o["website"] = i.website;
  o["crediting_start"] = i.crediting_start;
  o["crediting_end"] = i.crediting_end;
  o["corsia"] = TriName(i.corsia);
  json::array docs;
  for (const auto& d : i.documents) docs.push_back(json::string(d));
  o["documents"] = std::move(docs);
  o["created_ts"] = p.created_ts;
  o["updated_ts"] = p.updated_ts;
  int64_t issued = 0, retired = 0;
  for (const auto& [id, b] : s.batches())
    if (b.project == p.id) {
      issued += b.quantity_kg;
      retired += b.retired_kg;
    }
  Qty(o, "issued", issued);
  Qty(o, "retired", retired);
  return o;
}

json::object IssuanceView(const RegistryState& s, const Issuance& i) {
  json::object o;
  o["id"] = i.id;
  o["project"] = i.project;
  if (const Project* p = s.project(i.project)) o["project_name"] = p->info.name;
  o["requested_by"] = i.requested_by;
  o["vintage"] = i.vintage;
  o["period_start"] = i.period_start;
  o["period_end"] = i.period_end;
  Qty(o, "quantity", i.quantity_kg);
  o["verification_body"] = i.verification_body;
  o["report"] = i.report;
  o["status"] = IssuanceStatusName(i.status);
  json::array ap;
  for (int64_t v : i.approvals) ap.push_back(v);
  o["approvals"] = std::move(ap);
  int64_t k = 1;
  if (const Project* p = s.project(i.project))
    if (auto c = s.credit_classes().find(p->info.credit_class); c != s.credit_classes().end())
      k = c->second.required_approvals;
  o["required_approvals"] = k;
  o["rejected_by"] = i.rejected_by;
  o["reason"] = i.reason;
  o["batch"] = i.batch;
  o["created_ts"] = i.created_ts;
  return o;
}

json::object BatchView(const RegistryState& s, const Batch& b) {
  json::object o;
  o["id"] = b.id;
  o["project"] = b.project;
  if (const Project* p = s.project(b.project)) {
    o["project_name"] = p->info.name;
    o["country"] = p->info.country;
    o["methodology"] = p->info.methodology;
  }
  o["issuance"] = b.issuance;
  o["vintage"] = b.vintage;
  o["serial"] = b.serial;
  o["serial_space"] = b.serial_space;
  o["serial_start"] = b.serial_start;
  o["serial_end"] = b.serial_end;
  Qty(o, "quantity", b.quantity_kg);
  Qty(o, "buffer", b.buffer_kg);
  Qty(o, "retired", b.retired_kg);
  Qty(o, "cancelled", b.cancelled_kg);
  o["corsia"] = TriName(b.corsia);
  o["corresponding_adjustment"] = TriName(b.corresponding_adjustment);
  o["origin_registry"] = b.origin_registry;
  o["issued_ts"] = b.issued_ts;
  o["metadata_cid"] = BatchMetadataCid(s, b);  // ERC-1155 metadata document (batch_metadata.h)
  return o;
}

json::object RetirementView(const RegistryState& s, const Retirement& r) {
  json::object o;
  o["id"] = r.id;
  o["account"] = r.account;
  o["batch"] = r.batch;
  Qty(o, "quantity", r.quantity_kg);
  o["beneficiary"] = r.beneficiary;
  o["reason"] = r.reason;
  o["country"] = r.country;
  o["period_start"] = r.period_start;
  o["period_end"] = r.period_end;
  o["origin_serial"] = r.origin_serial;
  o["seq"] = r.seq;
  o["ts"] = r.ts;
  if (const Batch* b = s.batch(r.batch)) {
    o["serials"] = RangesJson(*b, r.ranges);
    o["batch_serial"] = b->serial;
    o["vintage"] = b->vintage;
    if (const Project* p = s.project(b->project)) {
      o["project"] = p->id;
      o["project_name"] = p->info.name;
      o["project_country"] = p->info.country;
      o["methodology"] = p->info.methodology;
      o["origin_registry"] = p->info.origin_registry;
    }
  }
  return o;
}

json::object HoldingsView(const RegistryState& s, int64_t account) {
  json::object o;
  o["account"] = account;
  json::array items;
  {
    for (const auto& [bid, hp] : s.HoldingsOf(account)) {
      const Holding& h = *hp;
      if (h.tradable.total() == 0 && h.retired_kg == 0) continue;
      const Batch* b = s.batch(bid);
      json::object x;
      x["batch"] = bid;
      if (b) {
        x["vintage"] = b->vintage;
        x["serial"] = b->serial;
        if (const Project* p = s.project(b->project)) x["project_name"] = p->info.name;
        // Every serial held; `escrowed` of them are promised to open sell orders (a
        // quantity: a fill delivers the lowest).
        x["held_serials"] = RangesJson(*b, h.tradable.ranges());
        x["tradable_serials"] = RangesJson(*b, h.tradable.ranges());
      }
      Qty(x, "tradable", h.available());
      Qty(x, "escrowed", h.escrowed_kg);
      Qty(x, "retired", h.retired_kg);
      items.push_back(std::move(x));
    }
  }
  o["items"] = std::move(items);
  return o;
}

}  // namespace cx::app
