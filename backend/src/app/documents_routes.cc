// Document routes: upload (content-addressed, optional encryption at rest or end-to-end
// ciphertext from the browser), metadata, the IPFS-style gateway GET/HEAD /ipfs/{cid}
// with Range and CAR export, and attaching documents to projects.
#include <boost/json.hpp>

#include "api/json_util.h"
#include "app/service.h"
#include "app/views.h"
#include "documents/document_store.h"
#include "documents/http_range.h"

namespace cx::app {
namespace json = boost::json;
using api::Access;
using api::HttpRequest;
using api::HttpResponse;
using api::Method;
using api::Responder;
using api::RouteSpec;
using auth::Principal;
using auth::Role;

namespace {

json::object InfoJson(const documents::DocumentInfo& i) {
  json::object o;
  std::string cid = i.cid.ToString();
  o["cid"] = cid;
  o["size"] = i.size;
  o["media_type"] = i.media_type;
  o["owner"] = i.owner;
  o["private"] = i.is_private;
  o["end_to_end"] = i.end_to_end;
  o["created_unix"] = i.created_unix;
  o["url"] = "/ipfs/" + cid;
  return o;
}

bool Oversight(const Principal& p) { return p.Has(Role::kAdmin) || p.Has(Role::kAuditor); }
std::string Owner(const Principal& p) { return p.authenticated ? std::to_string(p.user_id) : std::string(); }

class StringSink final : public documents::ByteSink {
 public:
  Result<void> Write(std::string_view bytes) override {
    out.append(bytes);
    return Ok();
  }
  std::string out;
};

}  // namespace

Result<void> RegisterDocumentRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h))
                          .Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };

  CX_TRY(add(Method::kPost, "/api/v1/documents", Access::AnyUser(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    documents::PutOptions o;
    auto flag = [&](const char* k) { auto v = req.Query(k); return v && (*v == "true" || *v == "1"); };
    o.is_private = flag("private");
    o.end_to_end = flag("e2e");
    if (o.is_private && o.end_to_end)
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "private and e2e are exclusive", "e2e")));
    o.media_type = std::string(req.Header("Content-Type").value_or(""));
    o.owner = Owner(p);
    o.max_size = c->max_document_bytes;
    o.created_unix = c->now_seconds ? c->now_seconds() : std::time(nullptr);
    auto body = std::make_shared<std::string>(std::move(req.body));
    c->workers->Post([c, o, body, respond] {
      auto info = c->docs->PutBytes(*body, o);
      if (!info.ok()) return respond(HttpResponse::Problem(info.error()));
      respond(HttpResponse::Json(201, Serialize(InfoJson(*info))));
    });
  }, "Store a document (body = the file; ?private=true encrypts at rest, ?e2e=true stores browser ciphertext)", {}, "Document", 201));

  CX_TRY(add(Method::kGet, "/api/v1/documents/{cid}", Access::Public(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto cid = documents::Cid::Parse(req.PathParam("cid"));
    if (!cid.ok()) return respond(HttpResponse::Problem(Err(cid.error().code, cid.error().message, "cid")));
    auto info = c->docs->Stat(*cid);
    if (!info.ok()) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such document", "cid")));
    if (!documents::MayRead(*info, Owner(p), Oversight(p)))
      return respond(HttpResponse::Problem(Err(Code::kForbidden, "a private document", "cid")));
    respond(HttpResponse::Json(200, Serialize(InfoJson(*info))));
  }, "Document metadata", {}, "Document"));

  CX_TRY(add(Method::kGet, "/ipfs/{cid}", Access::Public(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    std::string text(req.PathParam("cid"));
    bool car = text.size() > 4 && text.compare(text.size() - 4, 4, ".car") == 0;
    if (car) text.resize(text.size() - 4);
    auto cid = documents::Cid::Parse(text);
    if (!cid.ok()) return respond(HttpResponse::Problem(Err(cid.error().code, cid.error().message, "cid")));
    auto info = c->docs->Stat(*cid);
    if (!info.ok()) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such document", "cid")));
    if (!documents::MayRead(*info, Owner(p), Oversight(p)))
      return respond(HttpResponse::Problem(Err(Code::kForbidden, "a private document", "cid")));
    std::string range_header(req.Header("Range").value_or(""));
    documents::DocumentInfo meta = *info;
    documents::Cid root = *cid;
    c->workers->Post([c, meta, root, car, range_header, respond] {
      HttpResponse r;
      r.headers.Set("ETag", "\"" + root.ToString() + "\"");
      r.headers.Set("Cache-Control", meta.is_private || meta.end_to_end ? "private, no-store" : "public, max-age=31536000, immutable");
      r.headers.Set("X-Content-Type-Options", "nosniff");
      if (car) {
        StringSink sink;
        auto n = c->docs->ExportCar(root, sink);
        if (!n.ok()) return respond(HttpResponse::Problem(n.error()));
        r.status = 200;
        r.content_type = "application/vnd.ipld.car; version=1";
        r.headers.Set("Content-Disposition", "attachment; filename=\"" + root.ToString() + ".car\"");
        r.body = std::move(sink.out);
        return respond(std::move(r));
      }
      r.headers.Set("Accept-Ranges", "bytes");
      auto range = documents::ParseRangeHeader(range_header, meta.size);
      if (!range.ok()) {
        HttpResponse bad = HttpResponse::Problem(Err(Code::kDocRangeNotSatisfiable, "range outside the document", "Range"));
        bad.headers.Set("Content-Range", "bytes */" + std::to_string(meta.size));
        return respond(std::move(bad));
      }
      uint64_t off = *range ? (*range)->offset : 0;
      std::optional<uint64_t> len = *range ? std::optional<uint64_t>((*range)->length) : std::nullopt;
      auto bytes = c->docs->Read(root, off, len);
      if (!bytes.ok()) return respond(HttpResponse::Problem(bytes.error()));  // e.g. DOC_BLOCK_CORRUPT: never served
      r.status = *range ? 206 : 200;
      if (*range) r.headers.Set("Content-Range", documents::ContentRange(**range, meta.size));
      r.content_type = meta.end_to_end ? "application/octet-stream" : meta.media_type;
      r.body = std::move(bytes).value();
      respond(std::move(r));
    });
  }, "IPFS-style gateway: the document's bytes (Range supported; append .car for a CAR export)"));

  CX_TRY(add(Method::kPost, "/api/v1/projects/{id}/documents", Access::Roles({Role::kProjectDeveloper, Role::kAdmin}),
             [c](HttpRequest&& req, const Principal& p, Responder respond) {
    auto id = api::ParseId(req.PathParam("id"), "id");
    if (!id.ok()) return respond(HttpResponse::Problem(id.error()));
    auto b = api::ParseJsonObject(req.body);
    if (!b.ok()) return respond(HttpResponse::Problem(b.error()));
    auto cid_text = api::GetString(*b, "cid", 128);
    if (!cid_text.ok()) return respond(HttpResponse::Problem(cid_text.error()));
    auto cid = documents::Cid::Parse(*cid_text);
    if (!cid.ok()) return respond(HttpResponse::Problem(Err(cid.error().code, cid.error().message, "cid")));
    if (c->docs && !c->docs->Has(*cid))
      return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such document in the store", "cid")));
    int64_t pid = *id;
    c->engine->Submit(engine::Request{registry::AddProjectDocument{p.user_id, p.Has(Role::kAdmin), pid, cid->ToString()},
        [pid](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
          return Serialize(ProjectView(s, *s.project(pid)));
        },
        [respond](Result<std::string> r) {
          if (r.ok()) respond(HttpResponse::Json(201, std::move(r).value()));
          else respond(HttpResponse::Problem(r.error()));
        }});
  }, "Attach a stored document to a project (its developer, or an admin)", "AttachDocument", "Project", 201));
  return Ok();
}

}  // namespace cx::app
