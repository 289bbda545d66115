// Second factor and withdrawals:
// - TOTP enrollment (RFC 6238): POST /auth/mfa/enroll gives the secret, its otpauth URI and
//   a QR code (GET /auth/mfa/qr?format=svg|png); POST /auth/mfa/confirm with a current
//   code enables it and returns ten single-use recovery codes (only their hashes are
//   kept); POST /auth/mfa/disable needs a current code; GET /auth/mfa shows the status.
//   Sign-in then needs "otp" (or "recovery_code") besides the password.
// - Withdrawals: the owner requests one (the cash is locked); an admin approves it with a
//   current code of their own second factor (step-up) or rejects it with a reason.
#include <boost/json.hpp>

#include "app/mfa.h"
#include "app/route_util.h"
#include "app/views.h"
#include "auth/random.h"
#include "auth/totp.h"
#include "core/units.h"
#include "documents/crypto.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::RegistryState;
using namespace routes;

namespace {

int64_t NowS(const ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }

// The pending (or active) sealed secret and last step of a user, read on the engine thread.
struct MfaView {
  bool enabled = false;
  int64_t last_step = -1;
  std::string pending, active;
  std::string email;
};
Result<MfaView> ReadMfa(ServiceContext& c, int64_t user) {
  MfaView v;
  auto r = c.engine->Query([&v, user](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    const registry::User* u = s.user(user);
    if (!u) return Err(Code::kUnknownUser, "no such user");
    v.email = u->email;
    if (const registry::MfaState* m = s.mfa(user)) {
      v.enabled = m->enabled;
      v.last_step = m->last_step;
      v.pending = m->pending_secret;
      v.active = m->secret;
    }
    return std::string();
  });
  if (!r.ok()) return r.take_error();
  return v;
}

std::string WithdrawalJson(const registry::Withdrawal& w) {
  json::object o;
  o["id"] = w.id;
  o["account"] = w.account;
  o["currency"] = w.currency;
  o["amount"] = FormatDecimal(w.amount, 2);
  o["amount_minor"] = w.amount;
  o["reference"] = w.reference;
  o["status"] = w.status == registry::WithdrawalStatus::kPending ? "pending"
                : w.status == registry::WithdrawalStatus::kApproved ? "approved" : "rejected";
  o["reason"] = w.reason;
  o["requested_by"] = w.requested_by;
  o["decided_by"] = w.decided_by;
  o["created_us"] = w.created_ts;
  o["decided_us"] = w.decided_ts;
  return Serialize(o);
}

}  // namespace

std::string AlertJson(const registry::Alert& a) {
  json::object o;
  o["id"] = a.id;
  o["kind"] = a.kind;
  json::array acc;
  for (int64_t x : a.accounts) acc.push_back(x);
  o["accounts"] = std::move(acc);
  o["score"] = static_cast<double>(a.score_ppm) / 1e6;
  o["evidence"] = a.evidence;
  o["ts_us"] = a.ts;
  return Serialize(o);
}

Result<void> RegisterSecurityRoutes(api::Router& router, ServiceContext& ctx) {
  ServiceContext* c = &ctx;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h)).Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kUser = Access::AnyUser();
  const Access kAdmin = Access::Roles({Role::kAdmin});
  auto no_key = [] { return HttpResponse::Problem(Err(Code::kUnavailable, "second factor unavailable (no MFA key)")); };

  // ---------------------------------------------------------------- second factor
  CX_TRY(add(Method::kGet, "/api/v1/auth/mfa", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    Query(*c, [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::object o;
      const registry::MfaState* m = s.mfa(uid);
      o["enabled"] = m && m->enabled;
      o["enrollment_pending"] = m && !m->enabled && !m->pending_secret.empty();
      o["recovery_codes_left"] = m && m->enabled ? static_cast<int64_t>(m->recovery_hashes.size()) : 0;
      return Serialize(o);
    }, respond);
  }, "Your second factor: enabled, enrollment pending, recovery codes left", {}, "MfaStatus"));

  CX_TRY(add(Method::kPost, "/api/v1/auth/mfa/enroll", kUser, [c, no_key](HttpRequest&&, const Principal& p, Responder respond) {
    if (!c->mfa_key) return respond(no_key());
    uint8_t raw[auth::totp::kSecretBytes];
    auth::SecureRandom(raw, sizeof raw);
    std::string secret(reinterpret_cast<const char*>(raw), sizeof raw);
    int64_t uid = p.user_id;
    std::string sealed = SealMfaSecret(*c->mfa_key, secret);
    Submit(*c, registry::StartMfaEnrollment{uid, sealed},
           [secret](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<registry::MfaEnrollmentStarted>(o.events->front());
             const registry::User* u = s.user(e.user);
             CX_ASSIGN_OR_RETURN(std::string uri, auth::totp::OtpauthUri("CarbonXchange", u->email, secret));
             CX_ASSIGN_OR_RETURN(auth::totp::QrCode qr, auth::totp::EncodeQr(uri));
             json::object out;
             out["secret"] = auth::totp::Base32Encode(secret);
             out["otpauth_uri"] = uri;
             out["qr_svg"] = auth::totp::QrSvg(qr, 4);
             out["qr_png_url"] = "/api/v1/auth/mfa/qr?format=png";
             return Serialize(out);
           }, respond, 201);
  }, "Start enrolling a TOTP second factor: the secret, its otpauth URI and a QR code", {}, "MfaEnrollment", 201));

  CX_TRY(add(Method::kGet, "/api/v1/auth/mfa/qr", kUser, [c, no_key](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->mfa_key) return respond(no_key());
    std::string format(req.Query("format").value_or("svg"));
    if (format != "svg" && format != "png")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "svg or png", "format")));
    int64_t uid = p.user_id;
    c->workers->Post([c, uid, format, respond] {
      auto v = ReadMfa(*c, uid);
      if (!v.ok()) return respond(HttpResponse::Problem(v.error()));
      if (v->pending.empty()) return respond(HttpResponse::Problem(Err(Code::kBadState, "no enrollment pending", "format")));
      auto secret = OpenMfaSecret(*c->mfa_key, v->pending);
      if (!secret.ok()) return respond(HttpResponse::Problem(secret.error()));
      auto uri = auth::totp::OtpauthUri("CarbonXchange", v->email, *secret);
      if (!uri.ok()) return respond(HttpResponse::Problem(uri.error()));
      auto qr = auth::totp::EncodeQr(*uri);
      if (!qr.ok()) return respond(HttpResponse::Problem(qr.error()));
      HttpResponse r;
      r.status = 200;
      if (format == "svg") {
        r.body = auth::totp::QrSvg(*qr, 6);
        r.content_type = "image/svg+xml";
      } else {
        auto png = auth::totp::QrPng(*qr, 6);
        if (!png.ok()) return respond(HttpResponse::Problem(png.error()));
        r.body = std::move(*png);
        r.content_type = "image/png";
      }
      r.headers.Set("Cache-Control", "no-store");
      respond(std::move(r));
    });
  }, "QR code of the pending enrollment's otpauth URI (?format=svg|png)", {}, {}));

  CX_TRY(add(Method::kPost, "/api/v1/auth/mfa/confirm", kUser, [c, no_key](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->mfa_key) return respond(no_key());
    CX_BODY(b);
    CX_GET(code, api::GetString(b, "code", 16));
    int64_t uid = p.user_id;
    c->workers->Post([c, uid, code, respond] {
      auto v = ReadMfa(*c, uid);
      if (!v.ok()) return respond(HttpResponse::Problem(v.error()));
      if (v->enabled) return respond(HttpResponse::Problem(Err(Code::kConflict, "already enabled", "code")));
      if (v->pending.empty()) return respond(HttpResponse::Problem(Err(Code::kBadState, "start an enrollment first", "code")));
      auto step = CheckMfaCode(*c->mfa_key, v->pending, code, NowS(*c), -1);
      if (!step.ok()) {
        Error e = step.take_error();
        e.field = "code";
        return respond(HttpResponse::Problem(e));
      }
      uint8_t raw[10 * auth::totp::kRecoveryCodeBytes];
      auth::SecureRandom(raw, sizeof raw);
      auto codes = auth::totp::MakeRecoveryCodes(std::span<const uint8_t>(raw, sizeof raw), 10);
      if (!codes.ok()) return respond(HttpResponse::Problem(codes.error()));
      std::vector<std::string> shown = codes->codes;
      Submit(*c, registry::ConfirmMfaEnrollment{uid, *step, codes->hashes},
             [shown](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
               json::object o;
               o["enabled"] = true;
               json::array a;
               for (const auto& x : shown) a.push_back(json::value(x));
               o["recovery_codes"] = std::move(a);
               return Serialize(o);
             }, respond);
    });
  }, "Confirm the enrollment with a current code; returns ten single-use recovery codes (shown once)", "MfaCode", "MfaConfirmed"));

  CX_TRY(add(Method::kPost, "/api/v1/auth/mfa/disable", kUser, [c, no_key](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->mfa_key) return respond(no_key());
    CX_BODY(b);
    CX_GET(code, api::GetOptString(b, "code", 16));
    CX_GET(recovery, api::GetOptString(b, "recovery_code", 64));
    if (!code && !recovery) return respond(HttpResponse::Problem(Err(Code::kMissingField, "a current code or a recovery code", "code")));
    int64_t uid = p.user_id;
    c->workers->Post([c, uid, code, recovery, respond] {
      auto v = ReadMfa(*c, uid);
      if (!v.ok()) return respond(HttpResponse::Problem(v.error()));
      if (!v->enabled) return respond(HttpResponse::Problem(Err(Code::kBadState, "no second factor enabled", "code")));
      registry::DisableMfa cmd{uid, -1, ""};
      if (recovery) {
        cmd.recovery_hash = auth::totp::RecoveryCodeHash(*recovery);
      } else {
        auto step = CheckMfaCode(*c->mfa_key, v->active, *code, NowS(*c), v->last_step);
        if (!step.ok()) {
          Error e = step.take_error();
          e.field = "code";
          return respond(HttpResponse::Problem(e));
        }
        cmd.step = *step;
      }
      Submit(*c, cmd, [](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
        return std::string(R"({"enabled":false})");
      }, respond);
    });
  }, "Turn the second factor off (needs a current code or a recovery code)", "MfaCode", "MfaStatus"));

  // ---------------------------------------------------------------- alerts
  CX_TRY(add(Method::kGet, "/api/v1/alerts", Access::Roles({Role::kAdmin, Role::kAuditor}),
             [c](HttpRequest&& req, const Principal&, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string kind(req.Query("kind").value_or(""));
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      std::vector<const registry::Alert*> matches;
      for (auto it = s.alerts().rbegin(); it != s.alerts().rend(); ++it)
        if (kind.empty() || it->kind == kind) matches.push_back(&*it);
      return PagedJson(matches, page, [](const registry::Alert& a) { return AlertJson(a); });
    }, respond);
  }, "Journaled detector alerts, newest first: market abuse on this exchange and registry integrity findings "
     "(admin, auditor; ?kind=). Also pushed on the WebSocket channel \"alerts\".", {}, "AlertList"));

  // ---------------------------------------------------------------- withdrawals
  CX_TRY(add(Method::kPost, "/api/v1/cash/withdrawals", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(account, api::GetOptInt64(b, "account"));
    CX_GET(currency, api::GetString(b, "currency", 3));
    CX_GET(amount, api::GetDecimal(b, "amount", 2));
    CX_GET(reference, api::GetOptString(b, "reference", 200));
    Submit(*c, registry::RequestWithdrawal{p.user_id, account.value_or(0), currency, amount, reference.value_or("")},
           [](const RegistryState&, const engine::Outcome& o) -> Result<std::string> {
             return WithdrawalJson(std::get<registry::WithdrawalRequested>(o.events->front()).withdrawal);
           }, respond, 201);
  }, "Request a withdrawal from your account: the amount is locked until an admin decides", "WithdrawalRequest", "Withdrawal", 201));

  CX_TRY(add(Method::kGet, "/api/v1/cash/withdrawals", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(page, GetPage(req));
    std::string status(req.Query("status").value_or(""));
    if (!status.empty() && status != "pending" && status != "approved" && status != "rejected")
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "pending, approved or rejected", "status")));
    bool oversight = p.Has(Role::kAdmin) || p.Has(Role::kAuditor);
    int64_t uid = p.user_id;
    Query(*c, [=](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      int64_t acct = AccountOf(s, uid);
      std::vector<const registry::Withdrawal*> matches;
      for (auto it = s.withdrawals().rbegin(); it != s.withdrawals().rend(); ++it) {
        const registry::Withdrawal& w = it->second;
        if (!oversight && w.account != acct) continue;
        const char* st = w.status == registry::WithdrawalStatus::kPending ? "pending"
                         : w.status == registry::WithdrawalStatus::kApproved ? "approved" : "rejected";
        if (!status.empty() && status != st) continue;
        matches.push_back(&w);
      }
      return PagedJson(matches, page, [](const registry::Withdrawal& w) { return WithdrawalJson(w); });
    }, respond);
  }, "Withdrawals: yours, or all for admins and auditors (?status=pending|approved|rejected)", {}, "WithdrawalList"));

  CX_TRY(add(Method::kPost, "/api/v1/cash/withdrawals/{id}/approve", kAdmin, [c, no_key](HttpRequest&& req, const Principal& p, Responder respond) {
    if (!c->mfa_key) return respond(no_key());
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(otp, api::GetOptString(b, "otp", 16));
    int64_t uid = p.user_id;
    c->workers->Post([c, uid, id, otp, respond] {
      auto v = ReadMfa(*c, uid);
      if (!v.ok()) return respond(HttpResponse::Problem(v.error()));
      int64_t step = -1;
      if (v->enabled && otp) {
        auto st = CheckMfaCode(*c->mfa_key, v->active, *otp, NowS(*c), v->last_step);
        if (!st.ok()) return respond(HttpResponse::Problem(st.error()));
        step = *st;
      }
      // Without an enabled factor or a code the registry refuses with AUTH_MFA_REQUIRED.
      Submit(*c, registry::DecideWithdrawal{uid, id, true, "", step},
             [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
               return WithdrawalJson(s.withdrawals().at(id));
             }, respond);
    });
  }, "Approve a withdrawal (admin, with a current code of the admin's second factor)", "WithdrawalApproval", "Withdrawal"));

  CX_TRY(add(Method::kPost, "/api/v1/cash/withdrawals/{id}/reject", kAdmin, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    CX_BODY(b);
    CX_GET(reason, api::GetString(b, "reason", 500));
    Submit(*c, registry::DecideWithdrawal{p.user_id, id, false, reason, -1},
           [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return WithdrawalJson(s.withdrawals().at(id));
           }, respond);
  }, "Reject a withdrawal with a reason (admin); the cash is released", "WithdrawalRejection", "Withdrawal"));

  return Ok();
}

}  // namespace cx::app
