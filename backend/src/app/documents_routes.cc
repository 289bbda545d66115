// Document routes: upload (content-addressed, optional encryption at rest or end-to-end
// ciphertext from the browser), metadata, the IPFS-style gateway GET/HEAD /ipfs/{cid}
// with Range and CAR export, and attaching documents to projects.
// End-to-end encryption (KYC papers): reviewers' ECDH P-256 public keys
// (PUT/GET/DELETE /api/v1/me/encryption-key, GET /api/v1/kyc/reviewer-keys) and the
// envelope stored with each end-to-end document (PUT/GET /api/v1/documents/{cid}/envelope);
// the format is in documents/README.md "End-to-end envelopes". The server checks the
// envelope's shape and keys but never holds a private key or a plaintext file key.
#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>

#include "api/json_util.h"
#include "app/batch_metadata.h"
#include "app/route_util.h"
#include "app/service.h"
#include "app/views.h"
#include "documents/document_store.h"
#include "documents/e2e.h"
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

// A JWK {"kty":"EC","crv":"P-256","x","y"} -> {canonical JWK text, thumbprint}.
Result<std::pair<std::string, std::string>> ParseP256Jwk(const json::object& jwk, const std::string& field) {
  auto kty = api::GetString(jwk, "kty", 8);
  auto crv = api::GetString(jwk, "crv", 16);
  if (!kty.ok() || !crv.ok() || *kty != "EC" || *crv != "P-256")
    return Err(Code::kInvalidField, "an ECDH P-256 public key is required (kty EC, crv P-256)", field);
  if (jwk.contains("d")) return Err(Code::kInvalidField, "a private key was sent: send only the public key", field);
  auto x = api::GetString(jwk, "x", 64);
  auto y = api::GetString(jwk, "y", 64);
  if (!x.ok() || !y.ok()) return Err(Code::kInvalidField, "x and y are required", field);
  auto kid = documents::P256JwkThumbprint(*x, *y);
  if (!kid.ok()) return Err(kid.error().code, kid.error().message, field);
  return std::make_pair(documents::CanonicalP256Jwk(*x, *y), *kid);
}

Result<void> B64Len(const json::object& o, std::string_view key, size_t min, size_t max, const std::string& field) {
  auto s = api::GetString(o, key, max * 2 + 8);
  if (!s.ok()) return Err(Code::kInvalidField, std::string(key) + ": a base64url string is required", field);
  auto b = documents::Base64UrlDecode(*s);
  if (!b || b->size() < min || b->size() > max)
    return Err(Code::kInvalidField, std::string(key) + ": base64url of " + std::to_string(min) +
                                        (min == max ? "" : ".." + std::to_string(max)) + " bytes expected", field);
  return Ok();
}

constexpr char kEnvelopeAlg[] = "ECDH-P256+HKDF-SHA256+A256KW";
constexpr char kEnvelopeEnc[] = "A256GCM";
constexpr size_t kMaxRecipients = 64;

// Checks an envelope (format: documents/README.md) and returns it with only known members.
Result<json::object> ValidateEnvelope(const json::object& e) {
  auto v = api::GetInt64(e, "v");
  if (!v.ok() || *v != 1) return Err(Code::kInvalidField, "envelope version 1 expected", "v");
  auto alg = api::GetString(e, "alg", 64);
  if (!alg.ok() || *alg != kEnvelopeAlg) return Err(Code::kInvalidField, std::string("alg must be ") + kEnvelopeAlg, "alg");
  auto enc = api::GetString(e, "enc", 16);
  if (!enc.ok() || *enc != kEnvelopeEnc) return Err(Code::kInvalidField, std::string("enc must be ") + kEnvelopeEnc, "enc");
  CX_TRY(B64Len(e, "iv", 12, 12, "iv"));
  CX_TRY(B64Len(e, "meta_iv", 12, 12, "meta_iv"));
  CX_TRY(B64Len(e, "meta", 16, 4096, "meta"));
  const json::value* rv = e.if_contains("recipients");
  if (!rv || !rv->is_array() || rv->as_array().empty() || rv->as_array().size() > kMaxRecipients)
    return Err(Code::kInvalidField, "recipients: 1 to 64 wrapped keys expected", "recipients");
  json::object out;
  out["v"] = 1;
  out["alg"] = kEnvelopeAlg;
  out["enc"] = kEnvelopeEnc;
  out["iv"] = e.at("iv");
  out["meta_iv"] = e.at("meta_iv");
  out["meta"] = e.at("meta");
  json::array rs;
  size_t i = 0;
  for (const json::value& r : rv->as_array()) {
    std::string f = "recipients/" + std::to_string(i++);
    if (!r.is_object()) return Err(Code::kInvalidField, "a recipient must be an object", f);
    const json::object& ro = r.as_object();
    auto user = api::GetInt64(ro, "user");
    if (!user.ok() || *user <= 0) return Err(Code::kInvalidField, "user id expected", f + "/user");
    auto kid = api::GetString(ro, "kid", 64);
    if (!kid.ok()) return Err(Code::kInvalidField, "kid expected", f + "/kid");
    auto epk_obj = api::GetObject(ro, "epk");
    if (!epk_obj.ok()) return Err(Code::kInvalidField, "epk (the ephemeral public JWK) expected", f + "/epk");
    CX_ASSIGN_OR_RETURN(auto epk, ParseP256Jwk(**epk_obj, f + "/epk"));
    CX_TRY(B64Len(ro, "wrapped_key", 40, 40, f + "/wrapped_key"));  // AES-KW of a 256-bit key
    json::object o;
    o["user"] = *user;
    o["kid"] = *kid;
    o["epk"] = json::parse(epk.first);
    o["wrapped_key"] = ro.at("wrapped_key");
    rs.push_back(std::move(o));
  }
  out["recipients"] = std::move(rs);
  return out;
}

// A stored key as {user, kid, jwk}; an unreadable file gives an empty kid and no jwk.
json::object KeyJson(int64_t user, const std::string& jwk_text) {
  json::object o;
  o["user"] = user;
  boost::system::error_code ec;
  json::value jwk = json::parse(jwk_text, ec);
  const json::object* j = (!ec && jwk.is_object()) ? &jwk.as_object() : nullptr;
  const json::value* x = j ? j->if_contains("x") : nullptr;
  const json::value* y = j ? j->if_contains("y") : nullptr;
  Result<std::string> kid = Err(Code::kInvalidField, "bad key", "jwk");
  if (x && y && x->is_string() && y->is_string()) kid = documents::P256JwkThumbprint(x->as_string(), y->as_string());
  o["kid"] = kid.ok() ? *kid : std::string();
  if (kid.ok()) o["jwk"] = std::move(jwk);
  return o;
}

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

  // ------------------------------------------------------------ end-to-end encryption
  CX_TRY(add(Method::kPut, "/api/v1/me/encryption-key", Access::AnyUser(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto b = api::ParseJsonObject(req.body);
    if (!b.ok()) return respond(HttpResponse::Problem(b.error()));
    auto jwk = api::GetObject(*b, "jwk");
    if (!jwk.ok()) return respond(HttpResponse::Problem(jwk.error()));
    auto key = ParseP256Jwk(**jwk, "jwk");
    if (!key.ok()) return respond(HttpResponse::Problem(key.error()));
    int64_t uid = p.user_id;
    std::string text = key->first;
    c->workers->Post([c, uid, text, respond] {
      auto r = c->docs->e2e().PutRecipientKey(uid, text);
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(200, Serialize(KeyJson(uid, text))));
    });
  }, "Register your ECDH P-256 public key (JWK) for end-to-end encrypted papers (reviewers: admins)", {}, {}));

  CX_TRY(add(Method::kGet, "/api/v1/me/encryption-key", Access::AnyUser(), [c](HttpRequest&&, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto k = c->docs->e2e().GetRecipientKey(p.user_id);
    if (!k.ok()) return respond(HttpResponse::Problem(k.error()));
    if (!k->has_value()) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no encryption key registered")));
    respond(HttpResponse::Json(200, Serialize(KeyJson(p.user_id, **k))));
  }, "Your registered encryption public key"));

  CX_TRY(add(Method::kDelete, "/api/v1/me/encryption-key", Access::AnyUser(), [c](HttpRequest&&, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto r = c->docs->e2e().DeleteRecipientKey(p.user_id);
    if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
    HttpResponse out;
    out.status = 204;
    respond(std::move(out));
  }, "Withdraw your encryption public key (papers wrapped to it stay readable with the private key)", {}, {}, 204));

  CX_TRY(add(Method::kGet, "/api/v1/kyc/reviewer-keys", Access::AnyUser(), [c](HttpRequest&&, const Principal&, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto keys = c->docs->e2e().ListRecipientKeys();
    if (!keys.ok()) return respond(HttpResponse::Problem(keys.error()));
    auto all = std::make_shared<std::vector<std::pair<int64_t, std::string>>>(std::move(keys).value());
    // Reviewers are the users who hold the admin role now (checked against the registry).
    routes::Query(*c, [all](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (const auto& [uid, jwk] : *all) {
        const registry::User* u = s.user(uid);
        if (!u || (u->roles & registry::kAdmin) == 0) continue;
        json::object k = KeyJson(uid, jwk);
        if (k.at("kid").as_string().empty()) continue;  // unreadable key file: not offered
        items.push_back(std::move(k));
      }
      json::object o;
      o["items"] = std::move(items);
      return Serialize(o);
    }, respond);
  }, "Compliance reviewers' public keys: wrap an end-to-end paper's key to each"));

  CX_TRY(add(Method::kPut, "/api/v1/documents/{cid}/envelope", Access::AnyUser(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto cid = documents::Cid::Parse(req.PathParam("cid"));
    if (!cid.ok()) return respond(HttpResponse::Problem(Err(cid.error().code, cid.error().message, "cid")));
    auto info = c->docs->Stat(*cid);
    if (!info.ok() || !info->has_metadata) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such document", "cid")));
    if (!info->end_to_end) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "not an end-to-end encrypted document (upload with ?e2e=true)", "cid")));
    if (info->owner != Owner(p)) return respond(HttpResponse::Problem(Err(Code::kForbidden, "only the document's owner sets its envelope", "cid")));
    auto b = api::ParseJsonObject(req.body);
    if (!b.ok()) return respond(HttpResponse::Problem(b.error()));
    auto env = ValidateEnvelope(*b);
    if (!env.ok()) return respond(HttpResponse::Problem(env.error()));
    env->emplace("cid", cid->ToString());
    std::string text = Serialize(*env);
    std::string name = cid->ToString();
    c->workers->Post([c, name, text, respond] {
      auto r = c->docs->e2e().PutEnvelope(name, text);
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(200, text));
    });
  }, "Store the envelope of an end-to-end document: its IV and its key wrapped to each reviewer (owner only)", {}, {}));

  CX_TRY(add(Method::kGet, "/api/v1/documents/{cid}/envelope", Access::AnyUser(), [c](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "no document store")));
    auto cid = documents::Cid::Parse(req.PathParam("cid"));
    if (!cid.ok()) return respond(HttpResponse::Problem(Err(cid.error().code, cid.error().message, "cid")));
    auto info = c->docs->Stat(*cid);
    if (!info.ok() || !info->has_metadata) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such document", "cid")));
    if (!documents::MayRead(*info, Owner(p), Oversight(p)))
      return respond(HttpResponse::Problem(Err(Code::kForbidden, "a private document", "cid")));
    auto e = c->docs->e2e().GetEnvelope(cid->ToString());
    if (!e.ok()) return respond(HttpResponse::Problem(e.error()));
    if (!e->has_value()) return respond(HttpResponse::Problem(Err(Code::kNotFound, "this document has no envelope", "cid")));
    HttpResponse r = HttpResponse::Json(200, **e);
    r.headers.Set("Cache-Control", "private, no-store");
    respond(std::move(r));
  }, "The envelope of an end-to-end document (owner, admins, auditors)"));
  // ------------------------------------------------------------ pinning (optional)
  // CX_IPFS_API=http://host:5001 turns pinning on: every stored document is queued
  // durably (DIR/documents/pins) and pinned to that kubo node, failures retried with backoff.
  if (const char* api_url = std::getenv("CX_IPFS_API"); c->docs && api_url && *api_url) {  // NOLINT(concurrency-mt-unsafe): read at start-up
    documents::PinService::Options po;
    po.queue_dir = c->docs->dir() + "/pins";
    po.api_url = api_url;
    po.clock = [c] { return c->now_seconds ? c->now_seconds() : static_cast<int64_t>(std::time(nullptr)); };
    CX_TRY(c->docs->StartPinning(std::move(po)));
  }
  CX_TRY(add(Method::kGet, "/api/v1/pins", Access::Roles({Role::kAdmin, Role::kAuditor}), [c](HttpRequest&&, const Principal&, Responder respond) {
    json::object o;
    documents::PinService* pins = c->docs ? c->docs->pins() : nullptr;
    o["enabled"] = pins != nullptr;
    json::array items;
    if (pins) {
      auto list = pins->Pending();
      if (!list.ok()) return respond(HttpResponse::Problem(list.error()));
      for (const auto& p : *list) {
        json::object e;
        e["cid"] = p.cid.ToString();
        e["attempts"] = p.attempts;
        e["enqueued_unix"] = p.enqueued_unix;
        e["next_attempt_unix"] = p.next_attempt_unix;
        e["last_error"] = p.last_error;
        items.push_back(std::move(e));
      }
    }
    o["pending"] = std::move(items);
    respond(HttpResponse::Json(200, Serialize(o)));
  }, "Pins waiting for the IPFS node, with their failures (admins, auditors)"));
  return RegisterBatchMetadataRoutes(router, ctx);
}

}  // namespace cx::app
