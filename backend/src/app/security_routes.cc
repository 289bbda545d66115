// Second factor and withdrawals:
// - TOTP enrollment (RFC 6238): POST /auth/mfa/enroll gives the secret, its otpauth URI and
//   a QR code (GET /auth/mfa/qr?format=svg|png); POST /auth/mfa/confirm with a current
//   code enables it and returns ten single-use recovery codes (only their hashes are
//   kept); POST /auth/mfa/disable needs a current code; GET /auth/mfa shows the status.
//   Sign-in then needs "otp" (or "recovery_code") besides the password.
// - Sign-In with Ethereum (EIP-4361): GET /auth/siwe/nonce hands out a single-use nonce
//   (10 minutes); POST /auth/siwe verifies the personal_sign signature, the domain (this
//   server's Host), the chain id, the nonce and the validity times, then signs in the
//   linked account (or signs one up with `signup`); POST /auth/siwe/link links a wallet to
//   the signed-in account.
// - Withdrawals: the owner requests one (the cash is locked); an admin approves it with a
//   current code of their own second factor (step-up) or rejects it with a reason.
#include <boost/json.hpp>
#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>

#include "app/mfa.h"
#include "app/privacy.h"
#include "app/route_util.h"
#include "app/views.h"
#include "auth/random.h"
#include "auth/refresh.h"
#include "auth/siwe.h"
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
  auto r = c.engine->Query([&v, &c, user](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    const registry::User* u = s.user(user);
    if (!u) return Err(Code::kUnknownUser, "no such user");
    v.email = c.PersonOf(*u).email;
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

// Nonces handed out for SIWE: single use, 10 minutes, bounded (oldest dropped).
class NonceStore {
 public:
  std::string Issue(int64_t now) {
    uint8_t raw[16];
    auth::SecureRandom(raw, sizeof raw);
    std::string n = *auth::siwe::MakeNonce(std::span<const uint8_t>(raw, sizeof raw));
    std::lock_guard l(mu_);
    Expire(now);
    if (by_nonce_.size() >= 100000) {
      by_nonce_.erase(order_.front().second);
      order_.pop_front();
    }
    by_nonce_[n] = now + kTtl;
    order_.emplace_back(now + kTtl, n);
    return n;
  }
  bool Outstanding(std::string_view n, int64_t now) {
    std::lock_guard l(mu_);
    auto it = by_nonce_.find(std::string(n));
    return it != by_nonce_.end() && it->second > now;
  }
  // True once per nonce.
  bool Consume(std::string_view n, int64_t now) {
    std::lock_guard l(mu_);
    auto it = by_nonce_.find(std::string(n));
    if (it == by_nonce_.end() || it->second <= now) return false;
    by_nonce_.erase(it);
    return true;
  }

 private:
  static constexpr int64_t kTtl = 600;
  void Expire(int64_t now) {
    while (!order_.empty() && order_.front().first <= now) {
      by_nonce_.erase(order_.front().second);
      order_.pop_front();
    }
  }
  std::mutex mu_;
  std::map<std::string, int64_t> by_nonce_;
  std::deque<std::pair<int64_t, std::string>> order_;
};

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
           [c, secret](const RegistryState& s, const engine::Outcome& o) -> Result<std::string> {
             const auto& e = std::get<registry::MfaEnrollmentStarted>(o.events->front());
             const registry::User* u = s.user(e.user);
             CX_ASSIGN_OR_RETURN(std::string uri, auth::totp::OtpauthUri("CarbonXchange", c->PersonOf(*u).email, secret));
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
      auto step = CheckMfaCode(*c->mfa_key, v->pending, code, NowS(*c), -1, uid, c->mfa_failures);
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
        auto step = CheckMfaCode(*c->mfa_key, v->active, *code, NowS(*c), v->last_step, uid, c->mfa_failures);
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

  // ---------------------------------------------------------------- wallet sign-in
  auto nonces = std::make_shared<NonceStore>();
  CX_TRY(add(Method::kGet, "/api/v1/auth/siwe/nonce", Access::Public(), [c, nonces](HttpRequest&& req, const Principal&, Responder respond) {
    int64_t now = NowS(*c);
    json::object o;
    o["nonce"] = nonces->Issue(now);
    const std::vector<std::string> domains = c->SiweDomains();
    o["domain"] = domains.empty() ? std::string() : domains.front();
    json::array doms;
    for (const auto& d : domains) doms.push_back(json::value(d));
    o["domains"] = std::move(doms);
    o["chain_id"] = c->siwe_chain_id;
    o["statement"] = "Sign in to CarbonXchange.";
    o["expires_in"] = 600;
    respond(HttpResponse::Json(200, Serialize(o)));
  }, "A single-use nonce (10 minutes) for a Sign-In with Ethereum message, with the domain and chain id it must name", {}, "SiweNonce"));

  // Verifies a signed SIWE message for this server; consumes its nonce; returns the wallet.
  auto verify_siwe = [c, nonces](const HttpRequest& req, const std::string& message, const std::string& signature) -> Result<std::string> {
    int64_t now = NowS(*c);
    (void)req;
    // The domain must be one this server answers to (configured), whatever Host said.
    CX_ASSIGN_OR_RETURN(auth::siwe::Message parsed, auth::siwe::Parse(message));
    std::string host;
    for (const auto& d : c->SiweDomains()) {
      std::string a = d, b = parsed.domain;
      std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return std::tolower(ch); });
      std::transform(b.begin(), b.end(), b.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (a == b) host = d;
    }
    if (host.empty()) return Err(Code::kBadToken, "the message names a domain this server does not answer to", "domain");
    CX_ASSIGN_OR_RETURN(auth::siwe::Message m,
                        auth::siwe::Verify(message, signature, host, std::nullopt, c->siwe_chain_id, now,
                                           [&](std::string_view n) { return nonces->Outstanding(n, now); }));
    if (!nonces->Consume(m.nonce, now)) return Err(Code::kBadToken, "nonce already used", "nonce");
    return m.address;
  };

  CX_TRY(add(Method::kPost, "/api/v1/auth/siwe", Access::Public(), [c, verify_siwe](HttpRequest&& req, const Principal&, Responder respond) {
    CX_BODY(b);
    CX_GET(message, api::GetText(b, "message", auth::siwe::kMaxMessageBytes));
    CX_GET(signature, api::GetString(b, "signature", 200));
    CX_GET(signup, api::GetOptBool(b, "signup"));
    CX_GET(display_name, api::GetOptString(b, "display_name", 200));
    CX_GET(otp, api::GetOptString(b, "otp", 16));
    // Signature recovery is CPU work: on a worker, like password hashing.
    c->workers->Post([c, req = std::move(req), message, signature, signup, display_name, otp, respond, verify_siwe] {
      auto wallet = verify_siwe(req, message, signature);
      if (!wallet.ok()) {
        Error e = wallet.take_error();
        if (e.field.empty() || e.field == "message") e.field = "message";
        return respond(HttpResponse::Problem(e));
      }
      std::string addr = *wallet;
      std::transform(addr.begin(), addr.end(), addr.begin(), [](unsigned char ch) { return std::tolower(ch); });
      struct Found { int64_t id = 0; bool mfa = false; int64_t last_step = -1; std::string sealed; };
      auto lookup = [&]() -> Result<Found> {
        Found f;
        auto r = c->engine->Query([&](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
          if (const registry::User* u = s.user_by_wallet(addr)) {
            f.id = u->id;
            if (const registry::MfaState* m = s.mfa(u->id); m && m->enabled) {
              f.mfa = true;
              f.last_step = m->last_step;
              f.sealed = m->secret;
            }
          }
          return std::string();
        });
        if (!r.ok()) return r.take_error();
        return f;
      };
      auto f = lookup();
      if (!f.ok()) return respond(HttpResponse::Problem(f.error()));
      if (f->id == 0) {
        if (!signup.value_or(false))
          return respond(HttpResponse::Problem(Err(Code::kUnknownUser, "no account is linked to this wallet: sign up with \"signup\": true, or link it from your account", "signature")));
        // The display name is personal data too: sealed like a password sign-up's.
        auto sealed = SealNewUser(*c->vault, "", display_name.value_or("Wallet " + addr.substr(0, 10)), "", registry::kTrader, addr);
        if (!sealed.ok()) return respond(HttpResponse::Problem(sealed.error()));
        auto reg = c->engine->Execute(*sealed);
        if (!reg.ok()) {
          (void)c->vault->Shred(sealed->pii_key);
          return respond(HttpResponse::Problem(reg.error()));
        }
        f = lookup();
        if (!f.ok() || f->id == 0) return respond(HttpResponse::Problem(Err(Code::kInternal, "sign-up did not link the wallet")));
      }
      int64_t now = NowS(*c);
      int64_t step = -1;
      if (f->mfa) {
        if (!otp) return respond(HttpResponse::Problem(Err(Code::kMfaRequired, "enter the code from your authenticator app", "otp")));
        if (!c->mfa_key) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "second factor unavailable")));
        auto st = CheckMfaCode(*c->mfa_key, f->sealed, *otp, now, f->last_step, f->id, c->mfa_failures);
        if (!st.ok()) return respond(HttpResponse::Problem(st.error()));
        step = *st;
      }
      std::string token = auth::NewRefreshToken();
      int64_t uid = f->id;
      Submit(*c, registry::OpenSession{uid, auth::RefreshTokenHash(token), now + c->refresh_ttl_seconds, step, ""},
             [c, uid, token, now, addr](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
               CX_ASSIGN_OR_RETURN(std::string pair, TokenPair(*c, s, *s.user(uid), token, now));
               pair.pop_back();
               return pair + ",\"wallet\":\"" + addr + "\"}";
             }, respond);
    });
  }, "Sign in with an Ethereum wallet (EIP-4361 message + personal_sign signature); signup: true creates a trader account for a new wallet",
     "SiweRequest", "TokenPair"));

  CX_TRY(add(Method::kPost, "/api/v1/auth/siwe/link", kUser, [c, verify_siwe](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(message, api::GetText(b, "message", auth::siwe::kMaxMessageBytes));
    CX_GET(signature, api::GetString(b, "signature", 200));
    int64_t uid = p.user_id;
    c->workers->Post([c, req = std::move(req), message, signature, uid, respond, verify_siwe] {
      auto wallet = verify_siwe(req, message, signature);
      if (!wallet.ok()) return respond(HttpResponse::Problem(wallet.error()));
      Submit(*c, registry::LinkWallet{uid, *wallet}, [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        json::object o;
        json::array a;
        for (const auto& w : s.WalletsOf(uid)) a.push_back(json::value(w));
        o["wallets"] = std::move(a);
        return Serialize(o);
      }, respond);
    });
  }, "Link a wallet to your account by signing a SIWE message with it", "SiweRequest", "Wallets"));

  // ---------------------------------------------------------------- sessions
  CX_TRY(add(Method::kGet, "/api/v1/auth/sessions", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    int64_t uid = p.user_id;
    Query(*c, [uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      for (auto it = s.sessions().rbegin(); it != s.sessions().rend(); ++it) {
        const registry::Session& x = it->second;
        if (x.user != uid) continue;
        json::object o;
        o["id"] = x.family;
        o["created_us"] = x.created_ts;
        o["last_used_us"] = x.last_used_ts;
        o["active"] = !x.revoked;
        items.push_back(std::move(o));
      }
      json::object o;
      o["items"] = std::move(items);
      return Serialize(o);
    }, respond);
  }, "Your sign-in sessions (one per sign-in, kept across refresh-token rotations), newest first", {}, "SessionList"));

  CX_TRY(add(Method::kDelete, "/api/v1/auth/sessions/{id}", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_GET(id, PathId(req));
    Submit(*c, registry::RevokeSession{p.user_id, id}, [](const RegistryState&, const engine::Outcome&) -> Result<std::string> {
      return std::string(R"({"active":false})");
    }, respond);
  }, "End one of your sessions: its refresh token stops working (access tokens expire within 15 minutes)", {}, "Session"));

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
        auto st = CheckMfaCode(*c->mfa_key, v->active, *otp, NowS(*c), v->last_step, uid, c->mfa_failures);
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
    CX_GET(reason, api::GetText(b, "reason", 500));
    Submit(*c, registry::DecideWithdrawal{p.user_id, id, false, reason, -1},
           [id](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             return WithdrawalJson(s.withdrawals().at(id));
           }, respond);
  }, "Reject a withdrawal with a reason (admin); the cash is released", "WithdrawalRejection", "Withdrawal"));

  return Ok();
}

}  // namespace cx::app
