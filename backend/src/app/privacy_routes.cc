// Privacy routes (GDPR) and the edge's side of sealed personal data (privacy.h):
//   GET  /api/v1/me/export    everything held about the caller, one JSON download (art. 15, 20)
//   POST /api/v1/me/erase     erase the caller's personal data (art. 17): password or a
//                             current second factor; 409 REQUEST_CONFLICT with `field` naming
//                             the blocker (open_orders, pending_withdrawals, locked_cash,
//                             locked_credits) while something is in flight
//   GET  /api/v1/me/consents  the caller's consent decisions and what is in force
//   POST /api/v1/me/consents  record one {purpose, granted, policy_version} (art. 7)
#include <boost/json.hpp>
#include <ctime>
#include <memory>
#include <vector>

#include "app/market_views.h"
#include "app/privacy.h"
#include "app/route_util.h"
#include "app/views.h"
#include "auth/mac.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "documents/document_store.h"

namespace cx::app {
namespace json = boost::json;
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using registry::RegistryState;
using namespace routes;

// ------------------------------------------------------------------ privacy.h
Person ServiceContext::PersonOf(const registry::User& u) const {
  if (vault) return vault->PersonOf(u);
  Person p;
  p.display_name = (u.erased ? "erased user #" : "user #") + std::to_string(u.id);
  p.erased = u.erased;
  return p;
}

Result<void> ValidateEmail(std::string_view email) {
  std::string e = PiiVault::NormalizeEmail(email);
  size_t at = e.find('@');
  if (e.empty()) return Err(Code::kMissingField, "required", "email");
  if (e.size() > 254 || at == std::string::npos || at == 0 || at + 1 == e.size() || e.find('@', at + 1) != std::string::npos ||
      e.find_first_of(" \t\r\n") != std::string::npos)
    return Err(Code::kInvalidField, "not an email address", "email");
  return Ok();
}

Result<registry::RegisterUser> SealNewUser(PiiVault& v, const std::string& email, const std::string& display_name,
                                           const std::string& password_hash, uint32_t roles, const std::string& wallet) {
  registry::RegisterUser r;
  std::string norm = PiiVault::NormalizeEmail(email);
  if (!norm.empty()) r.email_index = v.EmailIndex(norm);
  CX_ASSIGN_OR_RETURN(r.pii_key, v.NewSubject());
  auto sealed = v.SealPerson(r.pii_key, norm, display_name, password_hash);
  if (!sealed.ok()) {
    (void)v.Shred(r.pii_key);
    return sealed.take_error();
  }
  r.pii = std::move(sealed).value();
  r.roles = roles;
  r.wallet = wallet;
  return r;
}

void SubmitRegistration(ServiceContext& c, const registry::RegisterUser& reg, engine::Render render,
                        api::Responder respond, int status) {
  PiiVault* v = c.vault;
  std::string key = reg.pii_key;
  c.engine->Submit(engine::Request{registry::Command(reg), std::move(render),
                                   [v, key, respond, status](Result<std::string> r) {
                                     if (!r.ok() && v) (void)v->Shred(key);  // nothing refers to it
                                     Answer(respond, std::move(r), status);
                                   }});
}

std::string SealedLoginRecord(const registry::User& u) { return u.pii_key + ":" + auth::HexOf(u.pii); }

std::string PasswordHashOf(PiiVault& v, std::string_view record) {
  size_t colon = record.find(':');
  if (colon == std::string_view::npos) return "";
  std::string_view hex = record.substr(colon + 1);
  if (hex.size() % 2) return "";
  std::string bytes(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto nib = [](char ch) -> int {
      if (ch >= '0' && ch <= '9') return ch - '0';
      if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
      return -1;
    };
    int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return "";
    bytes[i] = static_cast<char>(hi * 16 + lo);
  }
  auto plain = v.Unseal(record.substr(0, colon), bytes);
  if (!plain.ok()) return "";
  boost::system::error_code ec;
  json::value j = json::parse(*plain, ec);
  if (ec || !j.is_object()) return "";
  const json::value* h = j.as_object().if_contains("password_hash");
  return h && h->is_string() ? std::string(h->as_string()) : std::string();
}

Result<int64_t> ShredErasedKeys(PiiVault& v, const registry::RegistryState& s) {
  int64_t n = 0;
  for (const auto& [id, u] : s.users()) {
    if (!u.erased || u.pii_key.empty()) continue;
    auto has = v.Has(u.pii_key);
    if (!has.ok()) {
      if (has.error().code == Code::kInvalidField) continue;  // not a vault key id (tests, imports)
      return has.take_error();
    }
    if (!*has) continue;
    CX_TRY(v.Shred(u.pii_key));
    ++n;
  }
  return n;
}

EngineObserve ObserveErasures(EngineObserve next, std::function<PiiVault*()> vault, std::function<bool()> is_follower) {
  return [next = std::move(next), vault = std::move(vault), is_follower = std::move(is_follower)](
             const registry::RegistryState& s, const engine::Outcome& o) -> std::shared_ptr<const void> {
    if (o.events && is_follower && is_follower()) {
      for (const registry::Event& e : *o.events) {
        const auto* er = std::get_if<registry::UserErased>(&e);
        if (!er || er->pii_key.empty()) continue;
        if (PiiVault* v = vault ? vault() : nullptr) v->Forget(er->pii_key);
      }
    }
    return next ? next(s, o) : nullptr;
  };
}

// ------------------------------------------------------------------ routes
namespace {

int64_t NowS(const ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }

json::value ParseOr(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(text) : v;
}

json::object ConsentJson(const registry::Consent& c) {
  json::object o;
  o["purpose"] = c.purpose;
  o["granted"] = c.granted;
  o["policy_version"] = c.policy_version;
  o["recorded_us"] = c.ts;
  return o;
}

// Consent history plus the decision in force per purpose.
json::object ConsentsView(const RegistryState& s, int64_t uid) {
  json::array items;
  json::object current;
  if (const auto* v = s.ConsentsOf(uid))
    for (const auto& c : *v) {
      items.push_back(ConsentJson(c));
      current[c.purpose] = ConsentJson(c);
    }
  json::object o;
  o["items"] = std::move(items);
  o["current"] = std::move(current);
  return o;
}

// Everything the platform holds about `uid` (engine thread).
Result<std::string> ExportOf(const ServiceContext& c, const RegistryState& s, int64_t uid) {
  const registry::User* u = s.user(uid);
  if (!u) return Err(Code::kUnknownUser, "no such user");
  Person p = c.PersonOf(*u);
  json::object o;
  o["format"] = "carbonxchange-export-v1";
  o["note"] =
      "Personal fields are stored sealed under a key of your own outside the journal; trades, holdings and "
      "retirements are the registry's legal record under your pseudonymous user and account ids.";
  json::object profile = UserView(*u, p);
  profile["personal_data_key"] = u->pii_key;
  o["roles"] = profile["roles"];
  o["profile"] = std::move(profile);
  o["consents"] = ConsentsView(s, uid);
  json::array sessions;
  for (const auto& [fam, x] : s.sessions())
    if (x.user == uid) {
      json::object so;
      so["id"] = fam;
      so["created_us"] = x.created_ts;
      so["last_used_us"] = x.last_used_ts;
      so["active"] = !x.revoked;
      sessions.push_back(std::move(so));
    }
  o["sessions"] = std::move(sessions);
  json::array wallets;
  for (const auto& a : s.WalletsOf(uid)) wallets.push_back(json::value(a));
  o["wallets"] = std::move(wallets);
  json::object mfa;
  const registry::MfaState* m = s.mfa(uid);
  mfa["enabled"] = m && m->enabled;
  mfa["recovery_codes_left"] = m ? static_cast<int64_t>(m->recovery_hashes.size()) : 0;
  o["mfa"] = std::move(mfa);  // never the secret
  json::array keys;
  for (const registry::ApiKey* k : s.ApiKeysOf(uid)) {
    json::object ko;
    ko["id"] = k->id;
    ko["label"] = k->label;
    ko["scopes"] = k->scopes;
    ko["expires_at"] = k->expires_at;
    ko["revoked"] = k->revoked();
    keys.push_back(std::move(ko));
  }
  o["api_keys"] = std::move(keys);
  json::object cash;
  if (const auto* bal = s.cash(u->account))
    for (const auto& [cur, b] : *bal) {
      json::object bo;
      bo["available_minor"] = b.available;
      bo["locked_minor"] = b.locked;
      cash[cur] = std::move(bo);
    }
  o["account"] = u->account;
  o["cash"] = std::move(cash);
  o["holdings"] = HoldingsView(s, u->account);
  json::array orders;
  if (const auto* ids = s.OrdersOf(u->account))
    for (int64_t id : *ids)
      if (const registry::Order* x = s.order(id)) orders.push_back(ParseOr(OrderJson(s, *x)));
  o["orders"] = std::move(orders);
  json::array fills;
  if (const auto* ids = s.FillsOf(u->account))
    for (int64_t id : *ids)
      if (id >= 1 && static_cast<size_t>(id) <= s.fills().size())
        fills.push_back(ParseOr(FillJson(s, s.fills()[static_cast<size_t>(id - 1)], u->account)));
  o["fills"] = std::move(fills);
  json::array ret;
  for (const auto& [id, r] : s.retirements())
    if (r.account == u->account) ret.push_back(RetirementView(s, r));
  o["retirements"] = std::move(ret);
  json::array wd;
  for (const auto& [id, w] : s.withdrawals())
    if (w.account == u->account) {
      json::object wo;
      wo["id"] = w.id;
      wo["currency"] = w.currency;
      wo["amount_minor"] = w.amount;
      wo["reference"] = w.reference;
      wo["status"] = w.status == registry::WithdrawalStatus::kPending    ? "pending"
                     : w.status == registry::WithdrawalStatus::kApproved ? "approved"
                                                                           : "rejected";
      wo["created_us"] = w.created_ts;
      wd.push_back(std::move(wo));
    }
  o["withdrawals"] = std::move(wd);
  json::array audit;
  for (const auto& a : s.audit())
    if (a.user == uid || a.actor == uid) {
      json::object ao;
      ao["seq"] = a.seq;
      ao["ts_us"] = a.ts;
      ao["kind"] = a.kind;
      ao["detail"] = a.detail;
      ao["ip"] = a.ip;
      ao["actor"] = a.actor;
      audit.push_back(std::move(ao));
    }
  o["audit"] = std::move(audit);
  // KYC: level and cases; the identity details are unsealed with the user's key.
  json::object kyc;
  kyc["level"] = registry::KycLevelName(s.kyc_level(uid));
  json::array cases;
  for (const auto& [id, k] : s.kyc().cases) {
    if (k.user != uid) continue;
    json::object ko;
    ko["id"] = k.id;
    ko["requested_level"] = registry::KycLevelName(k.requested_level);
    ko["status"] = registry::KycStatusName(k.status);
    ko["granted_level"] = registry::KycLevelName(k.granted_level);
    ko["country"] = k.country;
    json::array docs;
    for (const auto& d : k.documents) docs.push_back(json::value(d));
    ko["documents"] = std::move(docs);
    ko["screening_hit"] = k.screening.hit;
    ko["reason"] = k.reason;
    ko["created_us"] = k.created_ts;
    ko["decided_us"] = k.decided_ts;
    if (!k.pii_key.empty() && c.vault) {
      auto details = c.vault->Unseal(k.pii_key, k.sealed);
      ko["details"] = details.ok() ? ParseOr(*details) : json::value(nullptr);
    }
    cases.push_back(std::move(ko));
  }
  kyc["cases"] = std::move(cases);
  o["kyc"] = std::move(kyc);
  return Serialize(o);
}

void Audit(ServiceContext& c, int64_t uid, const char* kind, const std::string& detail, const std::string& ip) {
  c.engine->Submit(engine::Request{registry::Command(registry::RecordSecurityEvent{uid, uid, kind, detail, api::HostOf(ip)}),
                                   {}, [](const Result<std::string>&) {}});
}

}  // namespace

Result<void> RegisterPrivacyRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h))
                          .Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kUser = Access::AnyUser();
  CX_TRY(router.AddSchema("ConsentRequest", R"({"type":"object","required":["purpose","granted","policy_version"],"properties":{
    "purpose":{"type":"string","pattern":"^[a-z0-9_.-]{1,64}$"},"granted":{"type":"boolean"},
    "policy_version":{"type":"string","minLength":1,"maxLength":32}}})"));
  CX_TRY(router.AddSchema("ConsentList", R"({"type":"object","properties":{
    "items":{"type":"array","items":{"type":"object"}},"current":{"type":"object"}}})"));
  CX_TRY(router.AddSchema("EraseRequest", R"({"type":"object","properties":{
    "password":{"type":"string"},"otp":{"type":"string","description":"a current TOTP code, when enrolled"}}})"));
  CX_TRY(router.AddSchema("EraseResult", R"({"type":"object","properties":{"status":{"type":"string"},"user":{"type":"integer"}}})"));
  CX_TRY(router.AddSchema("PrivacyExport", R"({"type":"object","required":["profile","roles","consents","sessions","wallets",
    "mfa","api_keys","cash","holdings","orders","fills","retirements","withdrawals","audit"]})"));

  CX_TRY(add(Method::kGet, "/api/v1/me/export", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    std::string ip = req.remote_address;
    c->engine->Submit(engine::Request{std::nullopt,
        [c, uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> { return ExportOf(*c, s, uid); },
        [c, uid, ip, respond](Result<std::string> r) {
          if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
          Audit(*c, uid, "data_export", "personal data exported", ip);
          HttpResponse res = HttpResponse::Json(200, std::move(r).value());
          res.headers.Set("Content-Disposition",
                          "attachment; filename=\"carbonxchange-export-" + std::to_string(uid) + ".json\"");
          res.headers.Set("Cache-Control", "no-store");
          respond(std::move(res));
        }});
  }, "Download everything the platform holds about you (JSON)", {}, "PrivacyExport"));

  CX_TRY(add(Method::kGet, "/api/v1/me/consents", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    Query(*c, [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      return Serialize(ConsentsView(s, uid));
    }, respond);
  }, "Your consent decisions (history and what is in force)", {}, "ConsentList"));

  CX_TRY(add(Method::kPost, "/api/v1/me/consents", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(purpose, api::GetString(b, "purpose", 64));
    CX_GET(granted, api::GetBool(b, "granted"));
    CX_GET(version, api::GetString(b, "policy_version", 32));
    int64_t uid = p.user_id;
    Submit(*c, registry::RecordConsent{uid, purpose, granted, version},
           [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return Serialize(ConsentsView(s, uid));
           }, respond, 201);
  }, "Give or withdraw a consent (purpose, policy version)", "ConsentRequest", "ConsentList", 201));

  CX_TRY(add(Method::kPost, "/api/v1/me/erase", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(password, api::GetOptString(b, "password", auth::kMaxPasswordBytes));
    CX_GET(otp, api::GetOptString(b, "otp", 16));
    if (!password && !otp)
      return respond(HttpResponse::Problem(Err(Code::kMissingField, "confirm with your password or a current code", "password")));
    int64_t uid = p.user_id;
    // What the proof is checked against, read on the engine thread.
    struct Proof {
      std::string record, pii_key, sealed_secret;
      bool mfa_on = false;
      int64_t last_step = -1;
    };
    c->workers->Post([c, uid, password, otp, respond, ip = req.remote_address] {
    auto proof = std::make_shared<Proof>();
    auto read = c->engine->Query([uid, proof](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      const registry::User* u = s.user(uid);
      if (!u) return Err(Code::kUnknownUser, "no such user");
      CX_TRY(s.ErasureBlocker(uid));  // answer 409 before asking for argon2 time
      proof->record = SealedLoginRecord(*u);
      proof->pii_key = u->pii_key;
      if (const registry::MfaState* m = s.mfa(uid); m && m->enabled) {
        proof->mfa_on = true;
        proof->last_step = m->last_step;
        proof->sealed_secret = m->secret;
      }
      return std::string();
    });
    if (!read.ok()) return respond(HttpResponse::Problem(read.error()));
      int64_t now = NowS(*c);
      if (auto st = c->login_failures.Check(uid, now); !st.ok()) return respond(HttpResponse::Problem(st.error()));
      bool good = false;
      if (password) {
        std::string hash = PasswordHashOf(*c->vault, proof->record);
        good = !hash.empty() && auth::VerifyPassword(*password, hash);
      } else if (otp && proof->mfa_on && c->mfa_key) {
        auto st = CheckMfaCode(*c->mfa_key, proof->sealed_secret, *otp, now, proof->last_step, uid, c->mfa_failures);
        good = st.ok();
      }
      if (!good) {
        c->login_failures.Record(uid, now);
        Audit(*c, uid, "erase_refused", "wrong password or code", ip);
        return respond(HttpResponse::Problem(Err(Code::kBadCredentials, "wrong password or code", password ? "password" : "otp")));
      }
      // Journal first (durable), then shred the key: a crash in between is repaired at
      // start (ShredErasedKeys).
      std::string key = proof->pii_key;
      // The user's KYC papers (end-to-end documents): their envelopes hold the only copies
      // of the file keys, so deleting them shreds the papers too (documents/e2e.h).
      auto papers = std::make_shared<std::vector<std::string>>();
      c->engine->Submit(engine::Request{registry::Command(registry::EraseUser{uid, uid}),
          [uid, papers](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
            for (const auto& [id, k] : s.kyc().cases)
              if (k.user == uid) papers->insert(papers->end(), k.documents.begin(), k.documents.end());
            json::object o;
            o["status"] = "erased";
            o["user"] = uid;
            return Serialize(o);
          },
          [c, key, uid, papers, respond](Result<std::string> r) {
            if (!r.ok()) return respond(HttpResponse::Problem(r.error()));
            // The shred's fsync runs on a worker, not on the thread that acknowledges commits.
            c->workers->Post([c, key, uid, papers, respond, body = std::move(r).value()]() mutable {
              if (auto sh = c->vault->Shred(key); !sh.ok())
                return respond(HttpResponse::Problem(sh.error()));  // retried at the next start
              if (c->docs) {
                for (const auto& cid : *papers)
                  if (auto d = c->docs->e2e().DeleteEnvelope(cid); !d.ok()) return respond(HttpResponse::Problem(d.error()));
                if (auto d = c->docs->e2e().DeleteRecipientKey(uid); !d.ok()) return respond(HttpResponse::Problem(d.error()));
              }
              respond(HttpResponse::Json(200, std::move(body)));
            });
          }});
    });
  }, "Erase your personal data (password, or a current second-factor code)", "EraseRequest", "EraseResult"));
  return Ok();
}

}  // namespace cx::app
