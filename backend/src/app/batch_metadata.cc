#include "app/batch_metadata.h"

#include <boost/json.hpp>
#include <ctime>
#include <memory>

#include "app/route_util.h"
#include "app/views.h"
#include "documents/block.h"
#include "documents/document_store.h"
#include "documents/importer.h"

namespace cx::app {
namespace json = boost::json;
using registry::Batch;
using registry::RegistryState;
using registry::Tri;

namespace {

const char* Tri3(Tri t) { return t == Tri::kYes ? "yes" : t == Tri::kNo ? "no" : "unknown"; }

// Computes the CID without keeping blocks (the JSON is one raw leaf).
class DiscardSink final : public documents::BlockSink {
 public:
  Result<void> PutBlock(const documents::Cid&, std::string_view) override { return Ok(); }
};

}  // namespace

std::string BatchMetadataJson(const RegistryState& s, const Batch& b) {
  const registry::Project* p = s.project(b.project);
  const registry::Issuance* i = b.issuance ? s.issuance(b.issuance) : nullptr;
  std::string pname = p ? p->info.name : "project " + std::to_string(b.project);
  json::object props;
  props["batch_id"] = b.id;
  json::object proj;
  proj["id"] = b.project;
  proj["name"] = pname;
  if (p) {
    proj["country"] = p->info.country;
    proj["subdivision"] = p->info.subdivision;
    proj["developer"] = p->info.developer_name;
    proj["origin_registry"] = p->info.origin_registry;
    proj["origin_id"] = p->info.origin_id;
    if (auto c = s.credit_classes().find(p->info.credit_class); c != s.credit_classes().end())
      proj["credit_class"] = c->second.code;
  }
  props["project"] = std::move(proj);
  props["vintage"] = b.vintage;
  props["methodology"] = p ? p->info.methodology : std::string();
  json::object serials;
  serials["space"] = b.serial_space;
  serials["start"] = b.serial_start;
  serials["end"] = b.serial_end;
  serials["serial"] = b.serial;
  props["serials"] = std::move(serials);
  props["quantity_kg"] = b.quantity_kg;
  props["buffer_kg"] = b.buffer_kg;
  props["corsia"] = Tri3(b.corsia);
  props["corresponding_adjustment"] = Tri3(b.corresponding_adjustment);
  if (i) {
    json::object iss;
    iss["id"] = i->id;
    iss["period_start"] = i->period_start;
    iss["period_end"] = i->period_end;
    iss["verification_body"] = i->verification_body;
    iss["verification_report"] = i->report;
    props["issuance"] = std::move(iss);
  }
  props["issued_ts"] = b.issued_ts;
  json::object o;
  o["name"] = pname + " " + std::to_string(b.vintage) + " (batch " + std::to_string(b.id) + ")";
  o["description"] = "Carbon credits of " + pname + ", vintage " + std::to_string(b.vintage) +
                     "; one token unit is one kilogram of CO2e (decimals 3: tonnes).";
  o["decimals"] = 3;
  o["properties"] = std::move(props);
  return json::serialize(o);
}

std::string BatchMetadataCid(const RegistryState& s, const Batch& b) {
  std::string bytes = BatchMetadataJson(s, b);
  DiscardSink sink;
  documents::UnixFsImporter imp(&sink);
  if (!imp.Write(bytes.data(), bytes.size()).ok()) return {};
  auto r = imp.Finish();
  return r.ok() ? r->root.ToString() : std::string();
}

namespace {

void StoreMetadata(ServiceContext* c, const std::shared_ptr<const std::string>& bytes) {
  if (!c->docs || !c->workers) return;
  c->workers->Post([c, bytes] {
    documents::PutOptions o;
    o.media_type = "application/json";
    o.created_unix = c->now_seconds ? c->now_seconds() : std::time(nullptr);
    (void)c->docs->PutBytes(*bytes, o);  // best effort: GET .../metadata stores it again
  });
}

}  // namespace

engine::Render StoreBatchMetadataAfter(ServiceContext& c, int64_t issuance, engine::Render inner) {
  ServiceContext* ctx = &c;
  return [ctx, issuance, inner = std::move(inner)](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> {
    auto r = inner(s, out);
    if (const registry::Issuance* i = s.issuance(issuance); r.ok() && i && i->batch)
      if (const Batch* b = s.batch(i->batch)) StoreMetadata(ctx, std::make_shared<const std::string>(BatchMetadataJson(s, *b)));
    return r;
  };
}

Result<void> RegisterBatchMetadataRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  return router.Add(api::RouteSpec(api::Method::kGet, "/api/v1/batches/{id}/metadata", api::Access::Public(),
      [c](api::HttpRequest&& req, const auth::Principal&, api::Responder respond) {
    auto id = routes::PathId(req);
    if (!id.ok()) return respond(api::HttpResponse::Problem(id.error()));
    int64_t bid = *id;
    // Render on the engine thread (pure); store the bytes on a worker before answering, so
    // /ipfs/<cid> serves them as soon as the client has the CID.
    auto bytes = std::make_shared<std::string>();
    engine::Render render = [bid, bytes](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const Batch* b = s.batch(bid);
      if (!b) return Err(Code::kNotFound, "no such batch", "id");
      *bytes = BatchMetadataJson(s, *b);
      std::string cid = BatchMetadataCid(s, *b);
      json::object o;
      o["batch"] = bid;
      o["cid"] = cid;
      o["uri"] = "ipfs://" + cid;
      o["url"] = "/ipfs/" + cid;
      o["metadata"] = json::parse(*bytes);
      return Serialize(o);
    };
    c->engine->Submit(engine::Request{std::nullopt, std::move(render), [c, bytes, respond](Result<std::string> r) {
      if (!r.ok() || !c->docs || !c->workers) return routes::Answer(respond, std::move(r), 200);
      auto reply = std::make_shared<Result<std::string>>(std::move(r));
      c->workers->Post([c, bytes, reply, respond] {
        documents::PutOptions o;
        o.media_type = "application/json";
        o.created_unix = c->now_seconds ? c->now_seconds() : std::time(nullptr);
        auto put = c->docs->PutBytes(*bytes, o);
        if (!put.ok()) return respond(api::HttpResponse::Problem(put.error()));
        routes::Answer(respond, std::move(*reply), 200);
      });
    }});
  }).Doc("ERC-1155 metadata of a batch, stored as a document (its CID is the token URI)", {}, {}));
}

}  // namespace cx::app
