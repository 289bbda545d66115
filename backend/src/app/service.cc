#include "app/service.h"

#include <boost/json.hpp>
#include <ctime>
#include <set>

#include "api/input_check.h"
#include "api/json_util.h"
#include "app/mfa.h"
#include "app/privacy.h"
#include "app/route_util.h"
#include "auth/totp.h"
#include "app/views.h"
#include "app/batch_metadata.h"
#include "auth/password.h"
#include "auth/refresh.h"
#include "core/merkle.h"
#include "core/units.h"
#include "store/pg_store.h"

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
using registry::RegistryState;
using namespace routes;

namespace {

int64_t Now(ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }


bool Contains(const std::string& hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  return it != hay.end();
}

// Event types whose payload anyone may see in a proof: the registry's public facts and
// executed trades. An allow-list, so a new event type stays private until listed; the
// others (accounts, sessions, second factor, cash, withdrawals, orders, alerts, security
// events) show only their hash to the public.
bool PublicEventType(const std::string& t) {
  static const std::set<std::string> kPublic = {
      "CreditClassCreated", "ProjectCreated",     "ProjectStatusChanged", "IssuanceRequested",
      "IssuanceApproved",   "IssuanceRejected",   "BatchIssued",          "CreditsTransferred",
      "CreditsRetired",     "CreditsCancelled",   "ReversalRecorded",     "ProjectDocumentAdded",
      "InstrumentCreated",  "MarketPhaseSet",     "MarketPhaseChanged",   "TradeExecuted"};
  return kPublic.count(t) != 0;
}

// Builds the inclusion proof of event `seq` from the store (worker thread).
Result<json::object> ProofOf(ServiceContext& c, int64_t seq, bool show_private) {
  std::lock_guard<std::mutex> l(c.reader_mu);
  if (!c.reader) {
    CX_ASSIGN_OR_RETURN(c.reader, store::OpenStore(c.store_url.empty() ? c.db_path : c.store_url));
  }
  CX_ASSIGN_OR_RETURN(auto row, c.reader->GetEvent(seq));
  if (!row) return Err(Code::kNotFound, "no event with this seq", "seq");
  json::object o;
  o["seq"] = row->seq;
  o["ts"] = row->ts;
  o["type"] = row->type;
  o["prev_hash"] = ToHex(row->prev_hash);
  o["event_hash"] = ToHex(row->hash);
  registry::Event e;
  if (PublicEventType(row->type) || show_private) {
    if (registry::DecodeEvent(row->type, row->payload, e)) o["event"] = json::parse(registry::EventToJson(e));
    o["payload_hex"] = ToHex(reinterpret_cast<const uint8_t*>(row->payload.data()), row->payload.size());
  }
  CX_ASSIGN_OR_RETURN(auto blk, c.reader->BlockContaining(seq));
  if (!blk) {
    o["block"] = nullptr;
    o["status"] = "pending";  // sealed within the engine's block interval
    return o;
  }
  CX_ASSIGN_OR_RETURN(auto hashes, c.reader->EventHashes(blk->first_seq, blk->last_seq));
  auto proof = MerkleProof(hashes, static_cast<size_t>(seq - blk->first_seq));
  json::array pj;
  for (const auto& h : proof) pj.push_back(json::string(ToHex(h)));
  json::object b;
  b["height"] = blk->height;
  b["first_seq"] = blk->first_seq;
  b["last_seq"] = blk->last_seq;
  b["root"] = ToHex(blk->root);
  b["prev_header"] = ToHex(blk->prev_header);
  b["header_hash"] = ToHex(blk->header_hash);
  b["sealed_ts"] = blk->sealed_ts;
  o["block"] = std::move(b);
  o["proof"] = std::move(pj);
  o["verified"] = MerkleVerify(row->hash, proof, blk->root);
  o["status"] = "sealed";
  o["algorithm"] = "leaf=sha256(0x00||event_hash); node=sha256(0x01||min(a,b)||max(a,b)); see docs/formats.md";
  return o;
}

registry::ProjectInfo ProjectInfoFrom(const json::object& b, Error* err) {
  registry::ProjectInfo i;
  auto str = [&](const char* k, std::string& out, size_t max = 4096, bool multiline = false) {
    if (err->code != Code::kOk) return;
    auto r = multiline ? api::GetOptText(b, k, max) : api::GetOptString(b, k, max);
    if (!r.ok()) { *err = r.error(); return; }
    if (*r) out = **r;
  };
  // A country code or a calendar date (api/input_check.h).
  auto typed = [&](const char* k, std::string& out, Result<std::optional<std::string>> (*get)(const json::object&, std::string_view)) {
    if (err->code != Code::kOk) return;
    auto r = get(b, k);
    if (!r.ok()) { *err = r.error(); return; }
    if (*r) out = **r;
  };
  err->code = Code::kOk;
  str("name", i.name);
  str("description", i.description, 65536, true);
  str("developer_name", i.developer_name);
  typed("country", i.country, &api::GetOptCountry);
  str("subdivision", i.subdivision);
  str("sector", i.sector);
  str("project_type", i.project_type);
  str("methodology", i.methodology);
  str("website", i.website);
  typed("crediting_start", i.crediting_start, &api::GetOptDate);
  typed("crediting_end", i.crediting_end, &api::GetOptDate);
  if (err->code == Code::kOk) {
    if (auto order = api::CheckDateRange(i.crediting_start, "crediting_start", i.crediting_end, "crediting_end"); !order.ok())
      *err = order.error();
  }
  std::string mitigation, nature, corsia;
  str("mitigation", mitigation, 32);
  str("nature", nature, 32);
  str("corsia", corsia, 16);
  if (err->code != Code::kOk) return i;
  if (mitigation == "removal") i.mitigation = registry::Mitigation::kRemoval;
  else if (mitigation == "reduction") i.mitigation = registry::Mitigation::kReduction;
  else if (!mitigation.empty() && mitigation != "unknown") *err = Err(Code::kInvalidField, "removal or reduction", "mitigation");
  if (nature == "nature_based") i.nature = registry::Nature::kNatureBased;
  else if (nature == "technical") i.nature = registry::Nature::kTechnical;
  else if (!nature.empty() && nature != "unknown") *err = Err(Code::kInvalidField, "nature_based or technical", "nature");
  if (corsia == "yes") i.corsia = registry::Tri::kYes;
  else if (corsia == "no") i.corsia = registry::Tri::kNo;
  else if (!corsia.empty() && corsia != "unknown") *err = Err(Code::kInvalidField, "yes, no or unknown", "corsia");
  auto cls = api::GetOptInt64(b, "credit_class");
  if (!cls.ok()) *err = cls.error();
  else if (*cls) i.credit_class = **cls;
  if (b.contains("documents")) {
    auto d = api::GetStringArray(b, "documents", 100);
    if (!d.ok()) *err = d.error();
    else i.documents = *d;
  }
  return i;
}

// Reply renderers.
engine::Render RenderProject(int64_t id) {
  return [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    const registry::Project* p = s.project(id);
    if (!p) return Err(Code::kUnknownProject, "no such project", "id");
    return Serialize(ProjectView(s, *p));
  };
}
engine::Render RenderLastProject() {
  return [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    return Serialize(ProjectView(s, s.projects().rbegin()->second));
  };
}
engine::Render RenderIssuance(int64_t id) {
  return [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    const registry::Issuance* i = s.issuance(id);
    if (!i) return Err(Code::kUnknownIssuance, "no such issuance", "id");
    json::object o = IssuanceView(s, *i);
    if (i->batch)
      if (const registry::Batch* b = s.batch(i->batch)) o["batch_detail"] = BatchView(s, *b);
    return Serialize(o);
  };
}

}  // namespace

// The sign-in reply: a fresh access token for `u`'s current roles and the refresh token.
Result<std::string> TokenPair(const ServiceContext& c, const RegistryState& s, const registry::User& u,
                              const std::string& refresh, int64_t now) {
  // A session of a user whose second factor is on was opened with it (the registry
  // refuses OpenSession otherwise), or the factor was proven by the confirmation code.
  const registry::MfaState* m = s.mfa(u.id);
  uint32_t withheld = (m && m->enabled) ? 0 : (u.roles & c.mfa_required_roles);
  CX_ASSIGN_OR_RETURN(std::string access, c.jwt->Issue(u.id, auth::RoleSet::FromBits(u.roles & ~withheld), now));
  json::object o;
  o["access_token"] = access;
  o["token_type"] = "Bearer";
  o["expires_in"] = c.jwt->ttl_seconds();
  o["refresh_token"] = refresh;
  o["user"] = UserView(u, c.PersonOf(u));
  json::array w;
  for (uint32_t bit = 1; bit <= registry::kAllRoles; bit <<= 1)
    if (withheld & bit) w.emplace_back(RolesText(bit));
  o["withheld_roles"] = std::move(w);
  return Serialize(o);
}

Result<void> RegisterRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h)).Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kPublic = Access::Public();
  const Access kUser = Access::AnyUser();
  const Access kAdmin = Access::Roles({Role::kAdmin});
  const Access kDeveloper = Access::Roles({Role::kProjectDeveloper});
  const Access kVerifier = Access::Roles({Role::kVerifier});
  const Access kOversight = Access::Roles({Role::kAdmin, Role::kAuditor});

  // ---------------------------------------------------------------- health
  CX_TRY(add(Method::kGet, "/api/v1/health", kPublic, [c](HttpRequest&&, const Principal&, Responder respond) {
    auto st = c->engine->stats();
    json::object o;
    o["status"] = c->engine->broken() ? "failed" : "ok";
    o["committed_seq"] = st.committed_seq;
    o["blocks"] = st.blocks;
    o["queue_depth"] = st.queue_depth;
    respond(HttpResponse::Json(c->engine->broken() ? 503 : 200, Serialize(o)));
  }, "Liveness and journal position"));

  // ---------------------------------------------------------------- auth
  CX_TRY(add(Method::kPost, "/api/v1/auth/register", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_BODY(b);
    CX_GET(email, api::GetString(b, "email", 254));
    CX_GET(password, api::GetString(b, "password", auth::kMaxPasswordBytes));
    CX_GET(name, api::GetOptString(b, "display_name", 200));
    uint32_t roles = registry::kTrader;
    if (b.contains("roles")) {
      CX_GET(names, api::GetStringArray(b, "roles", 5));
      bool ok = true;
      roles = RolesFromNames(names, &ok);
      // Self-service sign-up: trader and project developer. Verifiers, admins and
      // auditors are appointed by an admin (PUT /users/{id}/roles).
      if (!ok || roles == 0 || (roles & ~(registry::kTrader | registry::kProjectDeveloper))) {
        respond(HttpResponse::Problem(Err(Code::kInvalidField, "sign-up roles: trader, project_developer", "roles")));
        return;
      }
    }
    if (password.size() < 8) {
      respond(HttpResponse::Problem(Err(Code::kInvalidField, "at least 8 characters", "password")));
      return;
    }
    if (auto v = ValidateEmail(email); !v.ok()) return respond(HttpResponse::Problem(v.error()));
    std::string display = name ? *name : email;
    c->workers->Post([c, email, password, display, roles, respond] {
      auto hash = auth::HashPassword(password);
      if (!hash.ok()) return respond(HttpResponse::Problem(hash.error()));
      // Personal fields sealed under a new personal-data key (privacy.h); only the
      // sealed bytes and the email index reach the journal.
      auto reg = SealNewUser(*c->vault, email, display, *hash, roles);
      if (!reg.ok()) return respond(HttpResponse::Problem(reg.error()));
      SubmitRegistration(*c, *reg, [c](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
               const registry::User& u = s.users().rbegin()->second;
               return Serialize(UserView(u, c->PersonOf(u)));
             }, respond, 201);
    });
  }, "Sign up (roles: trader, project_developer)", "RegisterRequest", "User", 201));

  CX_TRY(add(Method::kPost, "/api/v1/auth/login", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_BODY(b);
    CX_GET(email, api::GetString(b, "email", 254));
    CX_GET(password, api::GetString(b, "password", auth::kMaxPasswordBytes));
    CX_GET(otp, api::GetOptString(b, "otp", 16));
    CX_GET(recovery, api::GetOptString(b, "recovery_code", 64));
    // The email is looked up by its keyed index; the password hash is unsealed on the
    // worker (the record carries the sealed bytes in hex).
    std::string index = c->vault->EmailIndex(email);
    c->engine->Submit(engine::Request{std::nullopt,
        [index](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
          const registry::User* u = s.user_by_email_index(index);
          if (!u) return std::string();
          std::string rec = std::to_string(u->id) + "\n" + SealedLoginRecord(*u);
          if (const registry::MfaState* m = s.mfa(u->id); m && m->enabled)
            rec += "\n" + std::to_string(m->last_step) + "\n" + m->secret;
          return rec;
        },
        [c, password, respond, otp, recovery, ip = req.remote_address](Result<std::string> r) {
          if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
          std::string rec = *r;
          c->workers->Post([c, password, rec, respond, otp, recovery, ip] {
            // Unknown email: verify against a fixed hash anyway so timing does not tell.
            static const std::string kDummy = *auth::HashPassword("dummy-password-for-timing");
            size_t nl = rec.find('\n');
            bool known = nl != std::string::npos;
            // id \n hash [\n last_step \n sealed secret] (the last two when MFA is on)
            std::string rest = known ? rec.substr(nl + 1) : std::string();
            size_t nl2 = rest.find('\n');
            std::string hash = known ? PasswordHashOf(*c->vault, rest.substr(0, nl2)) : kDummy;
            if (hash.empty()) hash = kDummy;  // shredded or unreadable: fails like a wrong password
            bool mfa_on = known && nl2 != std::string::npos;
            int64_t known_id = known ? std::stoll(rec.substr(0, nl)) : 0;
            int64_t now_s = Now(*c);
            if (known) {
              // Per-account lockout (mfa.h): checked before the hash so a locked account
              // costs no argon2 time.
              if (auto st = c->login_failures.Check(known_id, now_s); !st.ok()) {
                HttpResponse locked = HttpResponse::Problem(st.error());
                locked.headers.Set("Retry-After", std::to_string(std::max<int64_t>(1, c->login_failures.RetryAfterS(known_id, now_s))));
                return respond(std::move(locked));
              }
            }
            bool good = auth::VerifyPassword(password, hash) && known;
            if (!good) {
              if (known) c->login_failures.Record(known_id, now_s);
              // Audited (the account if it exists; never the email tried).
              c->engine->Submit(engine::Request{
                  registry::Command(registry::RecordSecurityEvent{known ? std::stoll(rec.substr(0, nl)) : 0, 0, "login_failed",
                                                                  known ? "wrong password" : "unknown account", api::HostOf(ip)}),
                  {}, [](const Result<std::string>&) {}});
              return respond(HttpResponse::Problem(Err(Code::kBadCredentials, "wrong email or password")));
            }
            int64_t uid = std::stoll(rec.substr(0, nl));
            int64_t now = Now(*c);
            int64_t step = -1;
            std::string recovery_hash;
            if (mfa_on) {
              std::string after = rest.substr(nl2 + 1);
              size_t nl3 = after.find('\n');
              int64_t last_step = std::stoll(after.substr(0, nl3));
              std::string sealed = after.substr(nl3 + 1);
              if (recovery) {
                recovery_hash = auth::totp::RecoveryCodeHash(*recovery);
              } else if (!otp) {
                return respond(HttpResponse::Problem(Err(Code::kMfaRequired, "enter the code from your authenticator app", "otp")));
              } else if (!c->mfa_key) {
                return respond(HttpResponse::Problem(Err(Code::kUnavailable, "second factor unavailable")));
              } else {
                auto st = CheckMfaCode(*c->mfa_key, sealed, *otp, now, last_step, uid, c->mfa_failures);
                if (!st.ok()) {
                  c->engine->Submit(engine::Request{
                      registry::Command(registry::RecordSecurityEvent{uid, 0, "login_failed", "wrong second factor", api::HostOf(ip)}),
                      {}, [](const Result<std::string>&) {}});
                  return respond(HttpResponse::Problem(st.error()));
                }
                step = *st;
              }
            }
            std::string token = auth::NewRefreshToken();
            Submit(*c, registry::OpenSession{uid, auth::RefreshTokenHash(token), now + c->refresh_ttl_seconds, step, recovery_hash},
                   [c, uid, token, now](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
                     return TokenPair(*c, s, *s.user(uid), token, now);
                   }, respond);
          });
        }});
  }, "Sign in with email and password", "LoginRequest", "TokenPair"));

  CX_TRY(add(Method::kPost, "/api/v1/auth/refresh", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_BODY(b);
    CX_GET(presented, api::GetString(b, "refresh_token", 128));
    std::string next = auth::NewRefreshToken();
    int64_t now = Now(*c);
    Submit(*c, registry::RotateSession{auth::RefreshTokenHash(presented), auth::RefreshTokenHash(next), now, now + c->refresh_ttl_seconds},
           [c, next, now](const RegistryState& s, const engine::Outcome& out) -> Result<std::string> {
             const auto& ev = out.events->back();
             if (std::holds_alternative<registry::SessionRevoked>(ev))
               return Err(Code::kRefreshReused, "refresh token reused: the session is revoked", "refresh_token");
             int64_t family = std::get<registry::SessionRotated>(ev).family;
             return TokenPair(*c, s, *s.user(s.sessions().at(family).user), next, now);
           }, respond);
  }, "Exchange a refresh token for a new pair (rotation; reuse revokes the session)", "RefreshRequest", "TokenPair"));

  CX_TRY(add(Method::kPost, "/api/v1/auth/logout", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_BODY(b);
    CX_GET(presented, api::GetString(b, "refresh_token", 128));
    Submit(*c, registry::CloseSession{auth::RefreshTokenHash(presented)},
           [](const RegistryState&, const engine::Outcome&) -> Result<std::string> { return std::string("{\"status\":\"logged_out\"}"); }, respond);
  }, "End the session of a refresh token", "RefreshRequest"));

  CX_TRY(add(Method::kGet, "/api/v1/me", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    Query(*c, [c, uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::User* u = s.user(uid);
      if (!u) return Err(Code::kUnknownUser, "no such user");
      json::object o = UserView(*u, c->PersonOf(*u));
      json::array w;
      for (const auto& a : s.WalletsOf(uid)) w.push_back(json::value(a));
      o["wallets"] = std::move(w);
      const registry::MfaState* m = s.mfa(uid);
      o["mfa_enabled"] = m && m->enabled;
      return Serialize(o);
    }, respond);
  }, "The signed-in user, with linked wallets and whether a second factor is on", {}, "User"));

  CX_TRY(add(Method::kGet, "/api/v1/users", kOversight, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string q(req.Query("q").value_or(""));
    // An email (it has an '@') is found exactly through its index; anything else matches
    // display names (resolved and cached by PersonOf).
    std::string index = q.find('@') != std::string::npos ? c->vault->EmailIndex(q) : std::string();
    Query(*c, [c, page, q, index](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::User*> all;
      if (!index.empty()) {
        if (const registry::User* u = s.user_by_email_index(index)) all.push_back(u);
      } else {
        for (const auto& [id, u] : s.users())
          if (q.empty() || Contains(c->PersonOf(u).display_name, q)) all.push_back(&u);
      }
      return Serialize(Paged(all, page, [c](const registry::User& u) { return UserView(u, c->PersonOf(u)); }));
    }, respond);
  }, "List users (admin, auditor)", {}, "UserPage"));

  CX_TRY(add(Method::kPut, "/api/v1/users/{id}/roles", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(names, api::GetStringArray(b, "roles", 5));
    bool ok = true;
    uint32_t roles = RolesFromNames(names, &ok);
    if (!ok || roles == 0) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "unknown role", "roles")));
    Submit(*c, registry::SetUserRoles{p.user_id, id, roles}, [c, id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      return Serialize(UserView(*s.user(id), c->PersonOf(*s.user(id))));
    }, respond);
  }, "Set a user's roles (admin)", "RolesRequest", "User"));

  // ---------------------------------------------------------------- credit classes
  CX_TRY(add(Method::kGet, "/api/v1/credit-classes", kPublic, [c](HttpRequest&&, const Principal&, Responder respond) {
    Query(*c, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array a;
      for (const auto& [id, k] : s.credit_classes()) a.push_back(CreditClassView(k));
      json::object o;
      o["items"] = std::move(a);
      return Serialize(o);
    }, respond);
  }, "Credit classes (standard, approvals required, buffer share)"));

  CX_TRY(add(Method::kPost, "/api/v1/credit-classes", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    registry::CreditClass k;
    CX_GET(code, api::GetString(b, "code", 64));
    CX_GET(name, api::GetOptString(b, "name"));
    CX_GET(standard, api::GetOptString(b, "standard"));
    CX_GET(kreq, api::GetOptInt64(b, "required_approvals"));
    CX_GET(buf, api::GetOptInt64(b, "buffer_bp"));
    k.code = code;
    k.name = name.value_or("");
    k.standard = standard.value_or("");
    k.required_approvals = kreq.value_or(1);
    k.buffer_bp = buf.value_or(0);
    Submit(*c, registry::CreateCreditClass{p.user_id, k}, [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      return Serialize(CreditClassView(s.credit_classes().rbegin()->second));
    }, respond, 201);
  }, "Create a credit class (admin)", "CreditClassRequest", "CreditClass", 201));

  // ---------------------------------------------------------------- projects
  CX_TRY(add(Method::kGet, "/api/v1/projects", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string q(req.Query("q").value_or("")), country(req.Query("country").value_or("")),
        status(req.Query("status").value_or("")), reg(req.Query("registry").value_or("")),
        meth(req.Query("methodology").value_or(""));
    int64_t developer = 0;
    if (auto d = req.Query("developer")) {
      CX_GET(dv, api::ParseId(*d, "developer"));
      developer = dv;
    }
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::Project*> all;
      for (const auto& [id, p] : s.projects()) {
        if (!Contains(p.info.name, q) && !Contains(p.info.origin_id, q) && !Contains(p.info.developer_name, q)) continue;
        if (!country.empty() && !Contains(p.info.country, country)) continue;
        if (!status.empty() && status != registry::ProjectStatusName(p.status)) continue;
        if (!reg.empty() && reg != p.info.origin_registry) continue;
        if (!meth.empty() && !Contains(p.info.methodology, meth)) continue;
        if (developer && p.developer != developer) continue;
        all.push_back(&p);
      }
      return Serialize(Paged(all, page, [&](const registry::Project& p) { return ProjectView(s, p); }));
    }, respond);
  }, "Search projects (q, country, status, registry, methodology, developer; paged)", {}, "ProjectPage"));

  CX_TRY(add(Method::kPost, "/api/v1/projects", kDeveloper, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    Error err;
    registry::ProjectInfo info = ProjectInfoFrom(b, &err);
    if (err.code != Code::kOk) return respond(HttpResponse::Problem(err));
    Submit(*c, registry::CreateProject{p.user_id, info}, RenderLastProject(), respond, 201);
  }, "Register a project (draft)", "ProjectRequest", "Project", 201));

  CX_TRY(add(Method::kGet, "/api/v1/projects/{id}", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Query(*c, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Project* p = s.project(id);
      if (!p) return Err(Code::kUnknownProject, "no such project", "id");
      json::object o = ProjectView(s, *p);
      json::array iss, bat;
      for (const auto& [iid, i] : s.issuances())
        if (i.project == id) iss.push_back(IssuanceView(s, i));
      for (const auto& [bid, b] : s.batches())
        if (b.project == id) bat.push_back(BatchView(s, b));
      o["issuances"] = std::move(iss);
      o["batches"] = std::move(bat);
      return Serialize(o);
    }, respond);
  }, "A project with its issuances and batches", {}, "ProjectDetail"));

  CX_TRY(add(Method::kPost, "/api/v1/projects/{id}/submit", kDeveloper, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    Submit(*c, registry::SubmitProject{p.user_id, id}, RenderProject(id), respond);
  }, "Submit a draft project for validation", {}, "Project"));

  auto review = [&](const char* path, registry::ReviewProject::Decision d, const char* summary) {
    return add(Method::kPost, path, kVerifier, [c, d](HttpRequest&& req, const Principal& p, Responder respond) {
      CX_GET(id, PathId(req));
      std::string reason;
      if (!req.body.empty()) {
        CX_BODY(b);
        CX_GET(r, api::GetOptText(b, "reason"));
        reason = r.value_or("");
      }
      Submit(*c, registry::ReviewProject{p.user_id, id, d, reason}, RenderProject(id), respond);
    }, summary, "ReasonRequest", "Project");
  };
  CX_TRY(review("/api/v1/projects/{id}/validate", registry::ReviewProject::kValidate, "Validate a submitted project (verifier)"));
  CX_TRY(review("/api/v1/projects/{id}/request-changes", registry::ReviewProject::kRequestChanges, "Ask for changes (verifier; reason required)"));
  CX_TRY(review("/api/v1/projects/{id}/reject", registry::ReviewProject::kReject, "Reject a submitted project (verifier; reason required)"));

  // ---------------------------------------------------------------- issuances
  CX_TRY(add(Method::kGet, "/api/v1/issuances", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string status(req.Query("status").value_or(""));
    int64_t project = 0;
    if (auto v = req.Query("project")) {
      CX_GET(pv, api::ParseId(*v, "project"));
      project = pv;
    }
    // Verifiers, admins and auditors see the whole queue; developers their own projects.
    bool all_visible = p.Has(Role::kVerifier) || p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::Issuance*> all;
      for (const auto& [id, i] : s.issuances()) {
        if (!status.empty() && status != registry::IssuanceStatusName(i.status)) continue;
        if (project && i.project != project) continue;
        if (!all_visible && s.project(i.project)->developer != uid) continue;
        all.push_back(&i);
      }
      return Serialize(Paged(all, page, [&](const registry::Issuance& i) { return IssuanceView(s, i); }));
    }, respond);
  }, "Issuance requests (verifiers: the queue; developers: their own)", {}, "IssuancePage"));

  CX_TRY(add(Method::kPost, "/api/v1/issuances", kDeveloper, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(project, api::GetInt64(b, "project"));
    CX_GET(vintage, api::GetInt64(b, "vintage"));
    CX_GET(ps, api::GetDate(b, "period_start"));
    CX_GET(pe, api::GetDate(b, "period_end"));
    if (auto order = api::CheckDateRange(ps, "period_start", pe, "period_end"); !order.ok())
      return respond(HttpResponse::Problem(order.error()));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(body, api::GetOptString(b, "verification_body"));
    CX_GET(report, api::GetString(b, "report"));
    Submit(*c, registry::RequestIssuance{p.user_id, project, vintage, ps, pe, qty, body.value_or(""), report},
           [](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return Serialize(IssuanceView(s, s.issuances().rbegin()->second));
           }, respond, 201);
  }, "Request an issuance for a monitoring period with its verification report", "IssuanceRequest", "Issuance", 201));

  CX_TRY(add(Method::kGet, "/api/v1/issuances/{id}", kUser, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Query(*c, RenderIssuance(id), respond);
  }, "One issuance request", {}, "Issuance"));

  CX_TRY(add(Method::kPost, "/api/v1/issuances/{id}/approve", kVerifier, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    Submit(*c, registry::ApproveIssuance{p.user_id, id}, StoreBatchMetadataAfter(*c, id, RenderIssuance(id)), respond);
  }, "Approve an issuance (verifier; the k-th distinct approval issues the batch)", {}, "Issuance"));

  CX_TRY(add(Method::kPost, "/api/v1/issuances/{id}/reject", kVerifier, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(reason, api::GetText(b, "reason"));
    Submit(*c, registry::RejectIssuance{p.user_id, id, reason}, RenderIssuance(id), respond);
  }, "Reject an issuance with a reason (verifier)", "ReasonRequest", "Issuance"));

  // ---------------------------------------------------------------- batches and holdings
  CX_TRY(add(Method::kGet, "/api/v1/batches", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    int64_t project = 0;
    if (auto v = req.Query("project")) {
      CX_GET(pv, api::ParseId(*v, "project"));
      project = pv;
    }
    std::string reg(req.Query("registry").value_or(""));
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::Batch*> all;
      for (const auto& [id, b] : s.batches()) {
        if (project && b.project != project) continue;
        if (!reg.empty() && b.origin_registry != reg) continue;
        all.push_back(&b);
      }
      return Serialize(Paged(all, page, [&](const registry::Batch& b) { return BatchView(s, b); }));
    }, respond);
  }, "Credit batches (project, registry; paged)", {}, "BatchPage"));

  CX_TRY(add(Method::kGet, "/api/v1/batches/{id}", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Query(*c, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Batch* b = s.batch(id);
      if (!b) return Err(Code::kUnknownBatch, "no such batch", "id");
      return Serialize(BatchView(s, *b));
    }, respond);
  }, "One credit batch", {}, "Batch"));

  CX_TRY(add(Method::kGet, "/api/v1/accounts/{id}/holdings", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    bool oversight = p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      if (!s.account_exists(id)) return Err(Code::kUnknownAccount, "no such account", "id");
      if (!oversight && AccountOf(s, uid) != id) return Err(Code::kForbidden, "not your account", "id");
      return Serialize(HoldingsView(s, id));
    }, respond);
  }, "Holdings of an account per batch, with serial ranges (owner, admin, auditor)", {}, "Holdings"));

  // ---------------------------------------------------------------- transfers, retirements
  CX_TRY(add(Method::kPost, "/api/v1/transfers", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(to, api::GetInt64(b, "to_account"));
    CX_GET(batch, api::GetInt64(b, "batch"));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(from, api::GetOptInt64(b, "from_account"));
    // from_account 0 = the caller's own account; the engine refuses anyone else's.
    Submit(*c, registry::Transfer{p.user_id, from.value_or(0), to, batch, qty}, [](const RegistryState&, const engine::Outcome& o) -> Result<std::string> {
      const auto& e = std::get<registry::CreditsTransferred>(o.events->back());
      json::object j;
      j["seq"] = o.last_seq;
      j["from_account"] = e.from;
      j["to_account"] = e.to;
      j["batch"] = e.batch;
      int64_t kg = registry::TotalOf(e.ranges);
      j["quantity"] = FormatKgAsTonnes(kg);
      j["quantity_kg"] = kg;
      json::array rs;
      for (const auto& x : e.ranges) rs.push_back(json::array{x.first, x.second});
      j["kg_ranges"] = std::move(rs);
      return Serialize(j);
    }, respond, 201);
  }, "Transfer credits of a batch from your account", "TransferRequest", "Transfer", 201));

  CX_TRY(add(Method::kPost, "/api/v1/retirements", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(batch, api::GetInt64(b, "batch"));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(beneficiary, api::GetString(b, "beneficiary"));
    CX_GET(reason, api::GetOptText(b, "reason"));
    CX_GET(country, api::GetOptCountry(b, "country"));
    CX_GET(ps, api::GetOptDate(b, "period_start"));
    CX_GET(pe, api::GetOptDate(b, "period_end"));
    if (auto order = api::CheckDateRange(ps.value_or(""), "period_start", pe.value_or(""), "period_end"); !order.ok())
      return respond(HttpResponse::Problem(order.error()));
    CX_GET(acct, api::GetOptInt64(b, "account"));
    Submit(*c, registry::Retire{p.user_id, acct.value_or(0), batch, qty, beneficiary, reason.value_or(""), country.value_or(""), ps.value_or(""), pe.value_or("")},
           [](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<registry::CreditsRetired>(o.events->back());
             return Serialize(RetirementView(s, *s.retirement(e.retirement.id)));
           }, respond, 201);
  }, "Retire credits for a beneficiary (reason, consumption country and period)", "RetirementRequest", "Retirement", 201));

  CX_TRY(add(Method::kGet, "/api/v1/retirements", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string q(req.Query("beneficiary").value_or(""));
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::Retirement*> all;
      for (auto it = s.retirements().rbegin(); it != s.retirements().rend(); ++it)
        if (Contains(it->second.beneficiary, q)) all.push_back(&it->second);
      return Serialize(Paged(all, page, [&](const registry::Retirement& r) { return RetirementView(s, r); }));
    }, respond);
  }, "The public list of retirements, newest first", {}, "RetirementPage"));

  CX_TRY(add(Method::kGet, "/api/v1/retirements/{id}", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    Query(*c, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Retirement* r = s.retirement(id);
      if (!r) return Err(Code::kUnknownRetirement, "no such retirement", "id");
      return Serialize(RetirementView(s, *r));
    }, respond);
  }, "One retirement", {}, "Retirement"));

  CX_TRY(add(Method::kGet, "/api/v1/retirements/{id}/certificate", kPublic, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(id, PathId(req));
    c->engine->Submit(engine::Request{std::nullopt, [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::Retirement* r = s.retirement(id);
      if (!r) return Err(Code::kUnknownRetirement, "no such retirement", "id");
      return Serialize(RetirementView(s, *r));
    }, [c, respond](Result<std::string> r) {
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      std::string view = *r;
      c->workers->Post([c, view, respond] {
        json::object ret = json::parse(view).as_object();
        int64_t seq = ret["seq"].as_int64();
        auto proof = ProofOf(*c, seq, false);
        json::object cert;
        cert["certificate"] = "CX-RET-" + std::to_string(ret["id"].as_int64());
        cert["retirement"] = ret;
        if (proof.ok()) cert["proof"] = std::move(proof).value();
        else cert["proof"] = nullptr;
        cert["how_to_verify"] = "Recompute event_hash from the journal row, fold the proof into the block root "
                                "(docs/formats.md), and compare with the root anchored for the block height.";
        respond(HttpResponse::Json(200, Serialize(cert)));
      });
    }});
  }, "Retirement certificate: serials, beneficiary, journal block and inclusion proof", {}, "Certificate"));

  CX_TRY(add(Method::kPost, "/api/v1/cancellations", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(batch, api::GetInt64(b, "batch"));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(reason, api::GetOptText(b, "reason"));
    Submit(*c, registry::Cancel{p.user_id, 0, batch, qty, reason.value_or("")},
           [](const RegistryState&, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<registry::CreditsCancelled>(o.events->back());
             json::object j;
             j["seq"] = o.last_seq;
             j["batch"] = e.cancellation.batch;
             int64_t kg = registry::TotalOf(e.cancellation.ranges);
             j["quantity"] = FormatKgAsTonnes(kg);
             j["quantity_kg"] = kg;
             return Serialize(j);
           }, respond, 201);
  }, "Cancel credits from your account (not retired for anyone)", "CancellationRequest", "Cancellation", 201));

  CX_TRY(add(Method::kPost, "/api/v1/reversals", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(project, api::GetInt64(b, "project"));
    CX_GET(qty, api::GetTonnesKg(b, "quantity"));
    CX_GET(reason, api::GetText(b, "reason"));
    Submit(*c, registry::ReportReversal{p.user_id, project, qty, reason},
           [](const RegistryState&, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<registry::ReversalRecorded>(o.events->back());
             return registry::EventToJson(registry::Event(e));
           }, respond, 201);
  }, "Report a reversal: cancels buffer credits first, then the developer's (admin)", "ReversalRequest", "Reversal", 201));

  // ---------------------------------------------------------------- cash
  auto cash_json = [](const RegistryState& s, int64_t account) {
    json::object o;
    o["account"] = account;
    json::array items;
    if (const auto* m = s.cash(account))
      for (const auto& [cur, b] : *m) {
        json::object x;
        x["currency"] = cur;
        x["available"] = FormatDecimal(b.available, 2);
        x["locked"] = FormatDecimal(b.locked, 2);
        x["available_minor"] = b.available;
        x["locked_minor"] = b.locked;
        items.push_back(std::move(x));
      }
    o["balances"] = std::move(items);
    return Serialize(o);
  };
  auto cash_move = [&](const char* path, bool deposit, const char* summary) {
    return add(Method::kPost, path, kAdmin, [c, deposit, cash_json](HttpRequest&& req, const Principal& p, Responder respond) {
      CX_BODY(b);
      CX_GET(account, api::GetInt64(b, "account"));
      CX_GET(currency, api::GetString(b, "currency", 3));
      CX_GET(amount, api::GetDecimal(b, "amount", 2));
      CX_GET(reference, api::GetOptString(b, "reference", 200));
      registry::Command cmd = deposit ? registry::Command(registry::DepositCash{p.user_id, account, currency, amount, reference.value_or("")})
                                      : registry::Command(registry::WithdrawCash{p.user_id, account, currency, amount, reference.value_or("")});
      Submit(*c, std::move(cmd), [account, cash_json](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        return cash_json(s, account);
      }, respond, 201);
    }, summary, "CashRequest", "CashBalances", 201);
  };
  CX_TRY(cash_move("/api/v1/cash/deposits", true, "Book a cash deposit to an account (admin; amount in currency units, 2 decimals)"));
  // Withdrawals are requested by the owner and approved by an admin with the second
  // factor (security_routes.cc).
  CX_TRY(add(Method::kGet, "/api/v1/accounts/{id}/cash", kUser, [c, cash_json](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    bool oversight = p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      if (!s.account_exists(id)) return Err(Code::kUnknownAccount, "no such account", "id");
      if (!oversight && AccountOf(s, uid) != id) return Err(Code::kForbidden, "not your account", "id");
      return cash_json(s, id);
    }, respond);
  }, "Cash balances of an account by currency (owner, admin, auditor)", {}, "CashBalances"));

  // ---------------------------------------------------------------- audit
  CX_TRY(add(Method::kGet, "/api/v1/audit", kOversight, [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::optional<int64_t> user;
    if (auto v = req.Query("user")) {
      CX_GET(x, api::ParseId(*v, "user"));
      user = x;
    }
    std::string kind(req.Query("kind").value_or(""));
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::AuditEntry*> matches;
      const auto& a = s.audit();
      for (auto it = a.rbegin(); it != a.rend(); ++it)
        if ((!user || it->user == *user) && (kind.empty() || it->kind == kind)) matches.push_back(&*it);
      return Serialize(Paged(matches, page, [](const registry::AuditEntry& e) {
        json::object o;
        o["seq"] = e.seq;
        o["ts_us"] = e.ts;
        o["user"] = e.user;
        o["actor"] = e.actor;
        o["kind"] = e.kind;
        o["detail"] = e.detail;
        o["ip"] = e.ip;
        return o;
      }));
    }, respond);
  }, "Security audit trail, newest first: logins, failed logins, role changes, sessions, cash movements (admin, auditor; ?user=, ?kind=)", {}, "AuditList"));

  // ---------------------------------------------------------------- proofs
  CX_TRY(add(Method::kGet, "/api/v1/proofs/{seq}", kPublic, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(seq, PathId(req, "seq"));
    bool show = p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    c->workers->Post([c, seq, show, respond] {
      auto r = ProofOf(*c, seq, show);
      if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
      respond(HttpResponse::Json(200, Serialize(*r)));
    });
  }, "Inclusion proof of a journal event in its block's Merkle root", {}, "Proof"));

  CX_TRY(router.AddOpenApiRoute("CarbonXchange API", "1.0.0"));
  return Ok();
}

}  // namespace cx::app
