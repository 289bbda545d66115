// KYC/AML routes and the payment processor's webhook (see kyc.h). Handlers parse, then
// work on a worker thread: read what they need from the engine, seal or unseal personal
// details with the vault (never on the engine thread), execute the command, answer.
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/kyc.h"
#include "documents/document_store.h"
#include "app/route_util.h"
#include "app/views.h"
#include "auth/random.h"
#include "auth/webhook.h"
#include "core/units.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::KycCase;
using registry::KycLevel;
using registry::KycLimits;
using registry::Payment;
using registry::RegistryState;
using namespace routes;
namespace fs = std::filesystem;

namespace {

int64_t NowS(const ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }

// Personal details of a case as the owner entered them (sealed JSON).
struct Details {
  std::string legal_name, date_of_birth, address;
  bool ok = false;
};

std::string SealedJson(const Details& d) {
  json::object o;
  o["legal_name"] = d.legal_name;
  o["date_of_birth"] = d.date_of_birth;
  o["address"] = d.address;
  return Serialize(o);
}

Details OpenDetails(PiiVault& v, const KycCase& k) {
  Details d;
  auto plain = v.Unseal(k.pii_key, k.sealed);
  if (!plain.ok()) return d;  // shredded (erased user) or altered
  auto parsed = api::ParseJsonObject(*plain);
  if (!parsed.ok()) return d;
  auto s = [&](const char* key) -> std::string {
    const json::value* x = parsed->if_contains(key);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  d.legal_name = s("legal_name");
  d.date_of_birth = s("date_of_birth");
  d.address = s("address");
  d.ok = true;
  return d;
}

json::object CaseJson(const KycCase& k, const Details* d) {
  json::object o;
  o["id"] = k.id;
  o["user"] = k.user;
  o["requested_level"] = registry::KycLevelName(k.requested_level);
  o["status"] = registry::KycStatusName(k.status);
  o["level"] = k.status == registry::KycStatus::kApproved ? json::value(registry::KycLevelName(k.granted_level))
                                                         : json::value(nullptr);
  o["country"] = k.country;
  json::array docs;
  for (const auto& cid : k.documents) docs.push_back(json::value(cid));
  o["documents"] = std::move(docs);
  json::object scr;
  scr["hit"] = k.screening.hit;
  json::array m;
  for (const auto& x : k.screening.matches) {
    json::object j;
    j["name"] = x.name;
    j["list"] = x.list;
    j["score"] = static_cast<double>(x.score_ppm) / 1e6;
    m.push_back(std::move(j));
  }
  scr["matches"] = std::move(m);
  o["screening"] = std::move(scr);
  if (d) {
    o["legal_name"] = d->ok ? json::value(d->legal_name) : json::value(nullptr);
    o["date_of_birth"] = d->ok ? json::value(d->date_of_birth) : json::value(nullptr);
    o["address"] = d->ok ? json::value(d->address) : json::value(nullptr);
    if (!d->ok) o["details_erased"] = true;
  }
  o["reviewer"] = k.reviewer ? json::value(k.reviewer) : json::value(nullptr);
  o["reason"] = k.reason;
  o["override"] = k.override_hit;
  o["source"] = k.source == registry::KycSource::kProvider ? "provider" : "manual";
  o["created_ts"] = k.created_ts;
  o["decided_ts"] = k.decided_ts ? json::value(k.decided_ts) : json::value(nullptr);
  return o;
}

json::value Money(int64_t v) { return v == registry::kNoLimit ? json::value(nullptr) : json::value(FormatDecimal(v, 2)); }

json::object LimitsJson(const KycLimits& l) {
  json::object o;
  o["deposit_24h"] = Money(l.deposit_24h);
  o["withdrawal_24h"] = Money(l.withdrawal_24h);
  o["order_notional"] = Money(l.order_notional);
  o["order_quantity"] = l.order_qty_kg == registry::kNoLimit ? json::value(nullptr) : json::value(FormatDecimal(l.order_qty_kg, 3));
  o["unit"] = "deposits and withdrawals per currency per rolling 24 h and buy-order value in currency units; "
              "sell-order quantity in tonnes; null = unlimited";
  return o;
}

json::object AllLimitsJson(const RegistryState& s) {
  json::object o;
  for (int i = 0; i < registry::kKycLevels; ++i)
    o[registry::KycLevelName(static_cast<KycLevel>(i))] = LimitsJson(s.kyc().limits[static_cast<size_t>(i)]);
  return o;
}

json::object PaymentJson(const Payment& p) {
  json::object o;
  o["id"] = p.id;
  o["event_id"] = p.event_id;
  o["payment_intent"] = p.intent;
  o["account"] = p.account;
  o["currency"] = p.currency;
  o["amount"] = FormatDecimal(p.amount, 2);
  o["amount_minor"] = p.amount;
  o["status"] = registry::PaymentStatusName(p.status);
  o["reason"] = p.reason;
  o["decided_by"] = p.decided_by ? json::value(p.decided_by) : json::value(nullptr);
  o["created_ts"] = p.created_ts;
  o["decided_ts"] = p.decided_ts ? json::value(p.decided_ts) : json::value(nullptr);
  return o;
}

// A copy of what an answer needs, taken on the engine thread.
struct CaseCopy {
  KycCase k;
  bool found = false;
};
Result<CaseCopy> ReadCase(ServiceContext& c, int64_t id) {
  CaseCopy out;
  CX_TRY(c.engine->Query([&out, id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    if (const KycCase* k = s.kyc_case(id)) {
      out.k = *k;
      out.found = true;
    }
    return std::string();
  }));
  return out;
}

// Answers one case with its personal details (owner, admins, auditors).
void RespondCase(ServiceContext& c, int64_t id, int status, const Responder& respond) {
  auto k = ReadCase(c, id);
  if (!k.ok()) return respond(HttpResponse::Problem(k.error()));
  if (!k->found) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such KYC case", "id")));
  Details d = OpenDetails(c.pii(), k->k);
  respond(HttpResponse::Json(status, Serialize(CaseJson(k->k, &d))));
}

// Reads the whole file (bounded).
Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Err(Code::kIo, "cannot open " + path, "sanctions");
  std::ostringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) return Err(Code::kTooLarge, path + " is larger than " + std::to_string(max_bytes) + " bytes", "sanctions");
  return s;
}

// $ENV, else the first line of DIR/NAME, else a new random secret written there (0600).
std::string Secret(const char* env, const fs::path& file) {
  if (const char* s = std::getenv(env); s && std::strlen(s) >= 16) return s;
  if (fs::exists(file)) {
    std::ifstream f(file);
    std::string k;
    std::getline(f, k);
    while (!k.empty() && (k.back() == '\r' || k.back() == ' ')) k.pop_back();
    if (k.size() >= 16) return k;
  }
  std::string k = "whsec_" + auth::RandomToken(32);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    (void)!::write(fd, k.data(), k.size());
    ::fsync(fd);
    ::close(fd);
  }
  return k;
}

// The signature check of both webhooks: any failure is a 400 (the sender's fault) and
// names the header; nothing is read from an unverified body.
Result<void> CheckSignature(const HttpRequest& req, const char* header, const std::string& secret, int64_t now,
                            int64_t tolerance) {
  auto h = req.Header(header);
  if (!h) return Err(Code::kInvalidField, std::string("missing ") + header + " header", header);
  auto v = auth::webhook::Verify(req.body, *h, secret, now, tolerance);
  if (!v.ok()) {
    Error e = v.take_error();
    std::string why = e.code == Code::kTokenExpired ? "timestamp outside the tolerance window"
                      : e.code == Code::kBadToken   ? "signature does not match"
                                                    : "malformed signature header";
    return Err(Code::kInvalidField, why + ": " + e.message, header);
  }
  return Ok();
}

const json::value* Path(const json::object& o, std::initializer_list<const char*> keys) {
  const json::object* cur = &o;
  const json::value* v = nullptr;
  for (const char* k : keys) {
    if (!cur) return nullptr;
    v = cur->if_contains(k);
    if (!v) return nullptr;
    cur = v->is_object() ? &v->get_object() : nullptr;
  }
  return v;
}

Result<std::string> StrAt(const json::object& o, std::initializer_list<const char*> keys, const char* field,
                          size_t max = 255) {
  const json::value* v = Path(o, keys);
  if (!v || !v->is_string()) return Err(Code::kMissingField, "required (a string)", field);
  if (v->get_string().size() > max) return Err(Code::kInvalidField, "longer than " + std::to_string(max) + " bytes", field);
  return std::string(v->get_string());
}

// An id given as a JSON integer or a decimal string (Stripe metadata values are strings).
Result<int64_t> IdAt(const json::value* v, const char* field) {
  if (!v) return Err(Code::kMissingField, "required", field);
  if (v->is_int64() && v->get_int64() > 0) return v->get_int64();
  if (v->is_string()) return api::ParseId(std::string_view(v->get_string().data(), v->get_string().size()), field);
  return Err(Code::kInvalidField, "a positive id", field);
}

Result<KycLevel> LevelOf(const json::object& b, const char* key, bool allow_none) {
  CX_ASSIGN_OR_RETURN(std::string s, api::GetString(b, key, 16));
  KycLevel l = KycLevel::kNone;
  if (!registry::ParseKycLevel(s, l) || (!allow_none && l == KycLevel::kNone))
    return Err(Code::kInvalidField, allow_none ? "none, basic or full" : "basic or full", key);
  return l;
}

// A limit: a decimal string, or null for unlimited.
Result<int64_t> LimitAt(const json::object& b, const char* key, int scale) {
  const json::value* v = b.if_contains(key);
  if (!v) return Err(Code::kMissingField, "required (a decimal string, or null for unlimited)", key);
  if (v->is_null()) return registry::kNoLimit;
  if (scale == 3) return api::GetTonnesKg(b, key);
  return api::GetDecimal(b, key, scale);
}

const char* kSchemas[][2] = {
    {"KycCaseRequest", R"({"type":"object","required":["requested_level","legal_name","date_of_birth","country","address"],"properties":{
      "requested_level":{"type":"string","enum":["basic","full"]},"legal_name":{"type":"string","maxLength":200},
      "date_of_birth":{"type":"string","description":"YYYY-MM-DD"},"country":{"type":"string","description":"ISO 3166-1 alpha-2"},
      "address":{"type":"string","maxLength":500},"documents":{"type":"array","maxItems":20,"items":{"type":"string","description":"document CID"}}}})"},
    {"KycCase", R"({"type":"object","properties":{"id":{"type":"integer"},"user":{"type":"integer"},
      "requested_level":{"type":"string"},"status":{"type":"string","enum":["pending","approved","rejected"]},
      "level":{"type":["string","null"]},"country":{"type":"string"},"documents":{"type":"array","items":{"type":"string"}},
      "screening":{"type":"object","properties":{"hit":{"type":"boolean"},"matches":{"type":"array","items":{"type":"object",
        "properties":{"name":{"type":"string"},"list":{"type":"string"},"score":{"type":"number"}}}}}},
      "legal_name":{"type":["string","null"]},"date_of_birth":{"type":["string","null"]},"address":{"type":["string","null"]},
      "reviewer":{"type":["integer","null"]},"reason":{"type":"string"},"override":{"type":"boolean"},
      "source":{"type":"string","enum":["manual","provider"]},"created_ts":{"type":"integer","description":"unix microseconds"},
      "decided_ts":{"type":["integer","null"]}}})"},
    {"KycMe", R"({"type":"object","properties":{"level":{"type":"string","enum":["none","pending","basic","full"]},
      "case":{"oneOf":[{"$ref":"#/components/schemas/KycCase"},{"type":"null"}]},"limits":{"$ref":"#/components/schemas/KycLimits"}}})"},
    {"KycDecision", R"({"type":"object","required":["decision"],"properties":{"decision":{"type":"string","enum":["approve","reject"]},
      "level":{"type":"string","enum":["basic","full"]},"reason":{"type":"string","maxLength":500},
      "override":{"type":"boolean","description":"approve despite a sanctions screening hit; needs a reason"}}})"},
    {"KycLevelRequest", R"({"type":"object","required":["level"],"properties":{"level":{"type":"string","enum":["none","basic","full"]},
      "reason":{"type":"string","maxLength":500}}})"},
    {"KycLimits", R"({"type":"object","properties":{"deposit_24h":{"type":["string","null"]},"withdrawal_24h":{"type":["string","null"]},
      "order_notional":{"type":["string","null"]},"order_quantity":{"type":["string","null"],"description":"tonnes"}}})"},
    {"KycLimitsRequest", R"({"type":"object","required":["level","deposit_24h","withdrawal_24h","order_notional","order_quantity"],
      "properties":{"level":{"type":"string","enum":["none","basic","full"]},"deposit_24h":{"type":["string","null"]},
      "withdrawal_24h":{"type":["string","null"]},"order_notional":{"type":["string","null"]},"order_quantity":{"type":["string","null"]}}})"},
    {"Payment", R"({"type":"object","properties":{"id":{"type":"integer"},"event_id":{"type":"string"},"payment_intent":{"type":"string"},
      "account":{"type":"integer"},"currency":{"type":"string"},"amount":{"type":"string"},"amount_minor":{"type":"integer"},
      "status":{"type":"string","enum":["credited","held","released","refunded"]},"reason":{"type":"string"}}})"},
    {"KycCaseList", R"({"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/KycCase"}},
      "total":{"type":"integer"},"page":{"type":"integer"},"page_size":{"type":"integer"}}})"},
    {"KycLimitsByLevel", R"({"type":"object","properties":{"none":{"$ref":"#/components/schemas/KycLimits"},
      "basic":{"$ref":"#/components/schemas/KycLimits"},"full":{"$ref":"#/components/schemas/KycLimits"}}})"},
    {"PaymentList", R"({"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Payment"}},
      "total":{"type":"integer"},"page":{"type":"integer"},"page_size":{"type":"integer"}}})"},
    {"PaymentDecision", R"({"type":"object","properties":{"reason":{"type":"string","maxLength":500}}})"},
    {"KycWebhook", R"({"type":"object","description":"signed: CX-Signature t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>",
      "required":["id","type"],"properties":{"id":{"type":"string"},"type":{"type":"string","enum":["verification.completed"]},
      "data":{"type":"object","properties":{"case_id":{"type":"integer"},"result":{"type":"string","enum":["approved","rejected"]},
      "level":{"type":"string","enum":["basic","full"]},"reason":{"type":"string"}}}}})"},
    {"PaymentWebhook", R"({"type":"object","description":"a Stripe event, signed: Stripe-Signature t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>",
      "required":["id","type"],"properties":{"id":{"type":"string"},"type":{"type":"string"},
      "data":{"type":"object","properties":{"object":{"type":"object","properties":{"id":{"type":"string"},
      "amount":{"type":"integer","description":"minor units"},"currency":{"type":"string"},
      "metadata":{"type":"object","properties":{"account":{"type":"string"},"user":{"type":"string"}}}}}}}}})"},
};

}  // namespace

Result<std::shared_ptr<const KycConfig>> LoadKycConfig(const std::string& data_dir, const std::string& sanctions_file) {
  auto cfg = std::make_shared<KycConfig>();
  std::string path = sanctions_file;
  if (path.empty() && fs::exists(fs::path(data_dir) / "sanctions.csv")) path = (fs::path(data_dir) / "sanctions.csv").string();
  if (!path.empty()) {
    CX_ASSIGN_OR_RETURN(std::string text, ReadFile(path, size_t{512} << 20));
    CX_TRY(cfg->sanctions.AddText(text, fs::path(path).filename().string()));
    cfg->sanctions_files.push_back(path);
  }
  cfg->kyc_webhook_secret = Secret("CX_KYC_WEBHOOK_SECRET", fs::path(data_dir) / "kyc-webhook.key");
  cfg->payments_webhook_secret = Secret("CX_PAYMENTS_WEBHOOK_SECRET", fs::path(data_dir) / "payments-webhook.key");
  return std::shared_ptr<const KycConfig>(std::move(cfg));
}

Result<void> RegisterKycRoutes(api::Router& router, ServiceContext& ctx, const std::shared_ptr<const KycConfig>& cfg) {
  for (const auto& s : kSchemas) CX_TRY(router.AddSchema(s[0], s[1]));
  ServiceContext* c = &ctx;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary, std::string req_schema = {},
                 std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h))
                          .Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kUser = Access::AnyUser();
  const Access kAdmin = Access::Roles({Role::kAdmin});
  const Access kOversight = Access::Roles({Role::kAdmin, Role::kAuditor});

  // ---------------------------------------------------------------- the user's side
  CX_TRY(add(Method::kGet, "/api/v1/kyc/me", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    c->workers->Post([c, uid, respond] {
      CaseCopy latest;
      json::object out;
      auto q = c->engine->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        const auto& cases = s.kyc().cases;
        auto open = s.kyc().open_case.find(uid);
        if (open != s.kyc().open_case.end()) {
          latest.k = cases.at(open->second);
          latest.found = true;
        } else {
          for (auto it = cases.rbegin(); it != cases.rend(); ++it)
            if (it->second.user == uid) {
              latest.k = it->second;
              latest.found = true;
              break;
            }
        }
        KycLevel level = s.kyc_level(uid);
        out["level"] = level == KycLevel::kNone && open != s.kyc().open_case.end() ? "pending" : registry::KycLevelName(level);
        out["limits"] = LimitsJson(s.kyc().limits[static_cast<size_t>(level)]);
        return std::string();
      });
      if (!q.ok()) return respond(HttpResponse::Problem(q.error()));
      if (latest.found) {
        Details d = OpenDetails(c->pii(), latest.k);
        out["case"] = CaseJson(latest.k, &d);
      } else {
        out["case"] = nullptr;
      }
      respond(HttpResponse::Json(200, Serialize(out)));
    });
  }, "Your verification level (none, pending, basic, full), your latest KYC case and the limits that apply to you",
     {}, "KycMe"));

  CX_TRY(add(Method::kPost, "/api/v1/kyc/cases", kUser, [c, cfg](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(level, LevelOf(b, "requested_level", false));
    Details d;
    CX_GET(name, api::GetString(b, "legal_name", 200));
    CX_GET(dob, api::GetDate(b, "date_of_birth"));
    CX_GET(country, api::GetCountry(b, "country"));
    CX_GET(address, api::GetText(b, "address", 500));
    std::vector<std::string> documents;
    if (b.if_contains("documents")) {
      CX_GET(docs, api::GetStringArray(b, "documents", 20));
      documents = std::move(docs);
    }
    if (registry::sanctions::Normalize(name).empty())
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "a name with letters", "legal_name")));
    if (dob > "2100" || dob < "1900")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "a date of birth after 1900", "date_of_birth")));
    d.legal_name = name;
    d.date_of_birth = dob;
    d.address = address;
    d.ok = true;
    int64_t uid = p.user_id;
    c->workers->Post([c, cfg, uid, level, country, documents, d, respond] {
      // Each paper must be the applicant's own end-to-end encrypted document with its
      // envelope (issue 7: only reviewers can read it, not even the server).
      for (const auto& cid : documents) {
        if (!c->docs) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "the document store is not configured", "documents")));
        if (auto chk = documents::CheckEndToEndPaper(*c->docs, cid, std::to_string(uid)); !chk.ok())
          return respond(HttpResponse::Problem(chk.error()));
      }
      auto key = c->engine->Query([uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        const registry::User* u = s.user(uid);
        if (!u) return Err(Code::kUnknownUser, "unknown user");
        if (u->pii_key.empty()) return Err(Code::kBadState, "this account has no personal-data key", "legal_name");
        return u->pii_key;
      });
      if (!key.ok()) return respond(HttpResponse::Problem(key.error()));
      auto sealed = c->pii().Seal(*key, SealedJson(d));
      if (!sealed.ok()) return respond(HttpResponse::Problem(sealed.error()));
      registry::SubmitKyc cmd;
      cmd.actor = uid;
      cmd.requested_level = level;
      cmd.country = country;
      cmd.documents = documents;
      cmd.pii_key = *key;
      cmd.sealed = *sealed;
      cmd.screening = cfg->sanctions.Screen(d.legal_name);
      auto r = c->engine->Execute(cmd, [d](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
        for (const auto& e : *o.events)
          if (const auto* sub = std::get_if<registry::KycSubmitted>(&e)) return Serialize(CaseJson(sub->kyc_case, &d));
        (void)s;
        return Err(Code::kInternal, "no case");
      });
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(201, std::move(*r)));
    });
  }, "Submit a KYC case: legal name, date of birth and address are sealed with your personal-data key (never "
     "journaled in clear); the legal name is screened against the sanctions lists (a hit keeps the case pending "
     "and alerts the admins)", "KycCaseRequest", "KycCase", 201));

  CX_TRY(add(Method::kGet, "/api/v1/kyc/cases", kOversight, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string status(req.Query("status").value_or(""));
    if (!status.empty() && status != "pending" && status != "approved" && status != "rejected")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "pending, approved or rejected", "status")));
    int64_t user = 0;
    if (auto u = req.Query("user")) {
      CX_GET(id, api::ParseId(*u, "user"));
      user = id;
    }
    c->workers->Post([c, page, status, user, respond] {
      std::vector<KycCase> items;
      int64_t total = 0;
      auto q = c->engine->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        const auto& cases = s.kyc().cases;
        for (auto it = cases.rbegin(); it != cases.rend(); ++it) {
          const KycCase& k = it->second;
          if (!status.empty() && status != registry::KycStatusName(k.status)) continue;
          if (user && k.user != user) continue;
          if (total >= (page.page - 1) * page.size && total < page.page * page.size) items.push_back(k);
          ++total;
        }
        return std::string();
      });
      if (!q.ok()) return respond(HttpResponse::Problem(q.error()));
      json::array arr;
      for (const auto& k : items) {
        Details d = OpenDetails(c->pii(), k);
        arr.push_back(CaseJson(k, &d));
      }
      json::object o;
      o["items"] = std::move(arr);
      o["total"] = total;
      o["page"] = page.page;
      o["page_size"] = page.size;
      respond(HttpResponse::Json(200, Serialize(o)));
    });
  }, "KYC cases, newest first (admin, auditor; ?status=pending|approved|rejected, ?user=)", {}, "KycCaseList"));

  CX_TRY(add(Method::kGet, "/api/v1/kyc/cases/{id}", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    bool oversight = p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    int64_t uid = p.user_id;
    c->workers->Post([c, id, oversight, uid, respond] {
      auto k = ReadCase(*c, id);
      if (!k.ok()) return respond(HttpResponse::Problem(k.error()));
      if (!k->found) return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such KYC case", "id")));
      if (!oversight && k->k.user != uid)
        return respond(HttpResponse::Problem(Err(Code::kNotFound, "no such KYC case", "id")));  // not disclosed
      Details d = OpenDetails(c->pii(), k->k);
      respond(HttpResponse::Json(200, Serialize(CaseJson(k->k, &d))));
    });
  }, "One KYC case with its personal details (its owner, admins, auditors)", {}, "KycCase"));

  CX_TRY(add(Method::kPost, "/api/v1/kyc/cases/{id}/decision", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(decision, api::GetString(b, "decision", 16));
    if (decision != "approve" && decision != "reject")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "approve or reject", "decision")));
    registry::DecideKyc cmd;
    cmd.actor = p.user_id;
    cmd.kyc_case = id;
    cmd.approve = decision == "approve";
    if (cmd.approve) {
      CX_GET(level, LevelOf(b, "level", false));
      cmd.level = level;
    }
    CX_GET(reason, api::GetOptText(b, "reason", 500));
    cmd.reason = reason.value_or("");
    CX_GET(override_hit, api::GetOptBool(b, "override"));
    cmd.override_hit = override_hit.value_or(false);
    c->workers->Post([c, cmd, id, respond] {
      auto r = c->engine->Execute(cmd);
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      RespondCase(*c, id, 200, respond);
    });
  }, "Approve (with the level granted) or reject (with a reason) a pending KYC case (admin). A sanctions "
     "screening hit is approved only with \"override\": true and a reason", "KycDecision", "KycCase"));

  CX_TRY(add(Method::kPost, "/api/v1/kyc/users/{id}/level", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(level, LevelOf(b, "level", true));
    CX_GET(reason, api::GetOptText(b, "reason", 500));
    Submit(*c, registry::SetKycLevel{p.user_id, id, level, reason.value_or("")},
           [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             json::object o;
             o["user"] = id;
             o["level"] = registry::KycLevelName(s.kyc_level(id));
             return Serialize(o);
           }, respond);
  }, "Set a user's verification level directly (admin): a review done outside the platform, or a downgrade / "
     "freeze (none)", "KycLevelRequest", "KycLevelRequest"));

  CX_TRY(add(Method::kGet, "/api/v1/kyc/limits", kUser, [c](HttpRequest&&, const Principal&, Responder respond) {
    Query(*c, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return Serialize(AllLimitsJson(s)); },
          respond);
  }, "Limits per verification level", {}, "KycLimitsByLevel"));

  CX_TRY(add(Method::kPut, "/api/v1/kyc/limits", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(level, LevelOf(b, "level", true));
    KycLimits l;
    CX_GET(dep, LimitAt(b, "deposit_24h", 2));
    CX_GET(wd, LimitAt(b, "withdrawal_24h", 2));
    CX_GET(notional, LimitAt(b, "order_notional", 2));
    CX_GET(qty, LimitAt(b, "order_quantity", 3));
    l.deposit_24h = dep;
    l.withdrawal_24h = wd;
    l.order_notional = notional;
    l.order_qty_kg = qty;
    Submit(*c, registry::SetKycLimits{p.user_id, level, l},
           [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return Serialize(AllLimitsJson(s)); },
           respond);
  }, "Set the limits of one level (admin): decimal strings, null = unlimited", "KycLimitsRequest", "KycLimitsByLevel"));

  // ---------------------------------------------------------------- payments held for review
  CX_TRY(add(Method::kGet, "/api/v1/payments", kOversight, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string status(req.Query("status").value_or(""));
    if (!status.empty() && status != "credited" && status != "held" && status != "released" && status != "refunded")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "credited, held, released or refunded", "status")));
    Query(*c, [page, status](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const Payment*> m;
      for (auto it = s.kyc().payments.rbegin(); it != s.kyc().payments.rend(); ++it)
        if (status.empty() || status == registry::PaymentStatusName(it->second.status)) m.push_back(&it->second);
      return Serialize(Paged(m, page, [](const Payment& x) { return PaymentJson(x); }));
    }, respond);
  }, "Deposits reported by the payment processor, newest first (admin, auditor; ?status=held ...)", {}, "PaymentList"));

  for (const bool release : {true, false}) {
    CX_TRY(add(Method::kPost, std::string("/api/v1/payments/{id}/") + (release ? "release" : "refund"), kAdmin,
               [c, release](HttpRequest&& req, const Principal& p, Responder respond) {
                 CX_GET(id, PathId(req));
                 CX_BODY(b);
                 CX_GET(reason, api::GetOptText(b, "reason", 500));
                 Submit(*c, registry::SettlePayment{p.user_id, id, release, reason.value_or("")},
                        [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
                          return Serialize(PaymentJson(s.kyc().payments.at(id)));
                        }, respond);
               },
               release ? "Credit a payment held for review (admin)" : "Refund a payment held for review, with a reason (admin)",
               "PaymentDecision", "Payment"));
  }

  // ---------------------------------------------------------------- webhooks
  CX_TRY(add(Method::kPost, "/api/v1/webhooks/kyc", Access::Public(), [c, cfg](HttpRequest&& req, const Principal&, Responder respond) {
    if (auto s = CheckSignature(req, "CX-Signature", cfg->kyc_webhook_secret, NowS(*c), cfg->tolerance_s); !s.ok())
      return respond(HttpResponse::Problem(s.error()));
    CX_BODY(b);
    CX_GET(event_id, StrAt(b, {"id"}, "id"));
    CX_GET(type, StrAt(b, {"type"}, "type", 100));
    if (type != "verification.completed") return respond(HttpResponse::Json(200, R"({"received":true,"ignored":true})"));
    CX_GET(case_id, IdAt(Path(b, {"data", "case_id"}), "data.case_id"));
    CX_GET(result, StrAt(b, {"data", "result"}, "data.result", 16));
    if (result != "approved" && result != "rejected")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "approved or rejected", "data.result")));
    registry::DecideKyc cmd;
    cmd.kyc_case = case_id;
    cmd.approve = result == "approved";
    cmd.source = registry::KycSource::kProvider;
    cmd.provider_event = event_id;
    if (const json::value* r = Path(b, {"data", "reason"}); r && r->is_string())
      cmd.reason = std::string(r->get_string()).substr(0, 500);
    if (cmd.approve) {
      const json::value* lv = Path(b, {"data", "level"});
      KycLevel l = KycLevel::kBasic;
      if (lv && (!lv->is_string() || !registry::ParseKycLevel(std::string(lv->get_string()), l) || l == KycLevel::kNone))
        return respond(HttpResponse::Problem(Err(Code::kInvalidField, "basic or full", "data.level")));
      cmd.level = l;
    } else if (cmd.reason.empty()) {
      cmd.reason = "rejected by the KYC provider";
    }
    c->workers->Post([c, cmd, respond] {
      auto r = c->engine->Execute(cmd, [](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
        (void)s;
        const auto& e = std::get<registry::KycDecided>(o.events->front());
        json::object out;
        out["received"] = true;
        out["duplicate"] = false;
        out["case"] = e.kyc_case;
        out["status"] = e.approved ? "approved" : "rejected";
        return Serialize(out);
      });
      if (!r.ok() && r.error().code == Code::kConflict && r.error().field == "id")
        return respond(HttpResponse::Json(200, R"({"received":true,"duplicate":true})"));
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(200, std::move(*r)));
    });
  }, "KYC provider result (signed: CX-Signature t=..,v1=.. over \"t.body\"; idempotent by event id)", "KycWebhook"));

  CX_TRY(add(Method::kPost, "/api/v1/webhooks/payments", Access::Public(), [c, cfg](HttpRequest&& req, const Principal&, Responder respond) {
    if (auto s = CheckSignature(req, "Stripe-Signature", cfg->payments_webhook_secret, NowS(*c), cfg->tolerance_s); !s.ok())
      return respond(HttpResponse::Problem(s.error()));
    CX_BODY(b);
    CX_GET(event_id, StrAt(b, {"id"}, "id"));
    CX_GET(type, StrAt(b, {"type"}, "type", 100));
    if (type != "payment_intent.succeeded") return respond(HttpResponse::Json(200, R"({"received":true,"ignored":true})"));
    CX_GET(intent, StrAt(b, {"data", "object", "id"}, "data.object.id"));
    const json::value* amount = Path(b, {"data", "object", "amount"});
    if (!amount || !amount->is_int64() || amount->get_int64() <= 0)
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "a positive integer of minor units", "data.object.amount")));
    CX_GET(currency, StrAt(b, {"data", "object", "currency"}, "data.object.currency", 3));
    std::string cur = currency;
    for (char& ch : cur) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const json::value* acct = Path(b, {"data", "object", "metadata", "account"});
    const json::value* user = Path(b, {"data", "object", "metadata", "user"});
    int64_t account = 0, user_id = 0;
    if (acct) {
      CX_GET(a, IdAt(acct, "data.object.metadata.account"));
      account = a;
    } else {
      CX_GET(u, IdAt(user, "data.object.metadata.account"));
      user_id = u;
    }
    registry::RecordPayment cmd{event_id, intent, account, cur, amount->get_int64()};
    c->workers->Post([c, cmd, user_id, respond]() mutable {
      if (user_id) {
        auto a = c->engine->Query([user_id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
          return std::to_string(AccountOf(s, user_id));
        });
        if (!a.ok()) return respond(HttpResponse::Problem(a.error()));
        cmd.account = std::stoll(*a);
        if (cmd.account == 0)
          return respond(HttpResponse::Problem(Err(Code::kUnknownUser, "no such user", "data.object.metadata.user")));
      }
      auto r = c->engine->Execute(cmd, [](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
        (void)s;
        json::object out;
        out["received"] = true;
        out["duplicate"] = false;
        out["payment"] = PaymentJson(std::get<registry::PaymentRecorded>(o.events->front()).payment);
        return Serialize(out);
      });
      // A replay (same event, or the same payment in another event) credits nothing again.
      if (!r.ok() && r.error().code == Code::kConflict)
        return respond(HttpResponse::Json(200, R"({"received":true,"duplicate":true})"));
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(200, std::move(*r)));
    });
  }, "Payment processor deposit (Stripe-style event payment_intent.succeeded, signed with Stripe-Signature; "
     "idempotent by event id; over the deposit limit the payment is held for review)", "PaymentWebhook"));
  return Ok();
}

// ---------------------------------------------------------------- demo
Result<void> VerifyDemoUsers(engine::Engine& e, PiiVault& vault, int64_t admin, const std::vector<int64_t>& users) {
  int n = 0;
  for (int64_t uid : users) {
    CX_ASSIGN_OR_RETURN(std::string key, e.Query([uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::User* u = s.user(uid);
      if (!u) return Err(Code::kUnknownUser, "demo: no such user");
      return u->pii_key;
    }));
    Details d;
    d.legal_name = "Demo Person " + std::to_string(++n);
    d.date_of_birth = "1980-01-0" + std::to_string(n);
    d.address = "Demo Street " + std::to_string(n) + ", 10115 Berlin";
    CX_ASSIGN_OR_RETURN(std::string sealed, vault.Seal(key, SealedJson(d)));
    registry::SubmitKyc sub;
    sub.actor = uid;
    sub.requested_level = KycLevel::kFull;
    sub.country = "DE";
    sub.pii_key = key;
    sub.sealed = sealed;
    CX_ASSIGN_OR_RETURN(std::string id, e.Execute(sub, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      return std::to_string(s.kyc().cases.rbegin()->first);
    }));
    registry::DecideKyc dec;
    dec.actor = admin;
    dec.kyc_case = std::stoll(id);
    dec.approve = true;
    dec.level = KycLevel::kFull;
    dec.reason = "demo";
    CX_TRY(e.Execute(dec));
  }
  return Ok();
}

}  // namespace cx::app
