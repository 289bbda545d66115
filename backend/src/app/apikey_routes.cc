// API-key management routes (issue 4):
//   POST   /api/v1/auth/api-keys       {label, scopes:[read|trade|withdraw], expires_at?
//          (ISO-8601 or unix ms; default +90 days, at most a year), allow_ips?:[CIDR...],
//          otp? | recovery_code? (required when the owner has a second factor)}
//          -> 201 the key with its secret, shown this once and never again
//   GET    /api/v1/auth/api-keys       -> {"items":[key...]} newest first, never a secret
//   DELETE /api/v1/auth/api-keys/{id}  -> 200 the revoked key (owner, or an admin)
// API-key principals are refused on all three (apikey_auth.cc: nothing under /auth/).
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

#include "app/apikey_auth.h"
#include "app/mfa.h"
#include "app/route_util.h"
#include "app/views.h"
#include "auth/random.h"
#include "auth/totp.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using auth::Role;
using registry::RegistryState;
using namespace routes;
namespace apikey = auth::apikey;

namespace {

constexpr int64_t kDefaultLifetimeS = 90 * 24 * 3600;

int64_t NowS(const ServiceContext& c) { return c.now_seconds ? c.now_seconds() : std::time(nullptr); }

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string IsoUtc(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "2027-01-31", "2027-01-31T12:00:00Z", "2027-01-31T12:00:00.250+02:00" -> unix seconds
// (a fraction is dropped). kInvalidField ("expires_at") for anything else.
Result<int64_t> ParseIsoTime(std::string_view s) {
  auto bad = [] { return Err(Code::kInvalidField, "ISO-8601 date-time (2027-01-31T12:00:00Z) or unix milliseconds", "expires_at"); };
  size_t i = 0;
  auto num = [&](size_t n, int64_t& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (size_t k = 0; k < n; ++k) {
      char ch = s[i + k];
      if (ch < '0' || ch > '9') return false;
      out = out * 10 + (ch - '0');
    }
    i += n;
    return true;
  };
  auto lit = [&](char ch) {
    if (i < s.size() && s[i] == ch) {
      ++i;
      return true;
    }
    return false;
  };
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!num(4, y) || !lit('-') || !num(2, mo) || !lit('-') || !num(2, d)) return bad();
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1]) return bad();
  if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return bad();
  int64_t offset = 0;
  if (i < s.size()) {
    if (!(lit('T') || lit('t') || lit(' '))) return bad();
    if (!num(2, h) || !lit(':') || !num(2, mi)) return bad();
    if (lit(':')) {
      if (!num(2, se)) return bad();
      if (lit('.')) {
        size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
        if (digits == 0 || digits > 9) return bad();
      }
    }
    if (h > 23 || mi > 59 || se > 59) return bad();
    if (lit('Z') || lit('z')) {
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int64_t sign = s[i] == '+' ? 1 : -1;
      ++i;
      int64_t oh = 0, om = 0;
      if (!num(2, oh) || !lit(':') || !num(2, om) || oh > 23 || om > 59) return bad();
      offset = sign * (oh * 3600 + om * 60);
    } else {
      return bad();  // a local time without a zone is ambiguous
    }
  }
  if (i != s.size()) return bad();
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
}

json::object ApiKeyView(const registry::ApiKey& k, int64_t now_s) {
  json::object o;
  o["id"] = k.id;
  o["label"] = k.label;
  json::array sc;
  for (const auto& n : apikey::ScopeSet::FromBits(static_cast<uint8_t>(k.scopes)).Names()) sc.push_back(json::value(n));
  o["scopes"] = std::move(sc);
  json::array allow;
  for (const auto& a : k.allow) allow.push_back(json::value(a));
  o["allow_ips"] = std::move(allow);
  o["expires_at"] = IsoUtc(k.expires_at);
  o["expires_at_ms"] = k.expires_at * 1000;
  o["created_at"] = IsoUtc(k.created_ts / 1'000'000);
  o["created_us"] = k.created_ts;
  o["revoked_at"] = k.revoked() ? json::value(IsoUtc(k.revoked_ts / 1'000'000)) : json::value(nullptr);
  o["status"] = k.revoked() ? "revoked" : (now_s >= k.expires_at ? "expired" : "active");
  o["user"] = k.user;
  return o;
}

constexpr std::string_view kKeySchema = R"({"type":"object","properties":{
  "id":{"type":"string","pattern":"^cxk_[0-9a-f]{24}$"},"label":{"type":"string"},
  "scopes":{"type":"array","items":{"type":"string","enum":["read","trade","withdraw"]}},
  "allow_ips":{"type":"array","items":{"type":"string"}},
  "expires_at":{"type":"string","format":"date-time"},"expires_at_ms":{"type":"integer"},
  "created_at":{"type":"string","format":"date-time"},"created_us":{"type":"integer"},
  "revoked_at":{"type":"string","format":"date-time","nullable":true},
  "status":{"type":"string","enum":["active","revoked","expired"]},"user":{"type":"integer"},
  "secret":{"type":"string","description":"cxs_ + 64 hex; only in the creation answer"}}})";
constexpr std::string_view kCreateSchema = R"({"type":"object","required":["label","scopes"],"properties":{
  "label":{"type":"string","maxLength":100},
  "scopes":{"type":"array","minItems":1,"items":{"type":"string","enum":["read","trade","withdraw"]}},
  "expires_at":{"oneOf":[{"type":"string","format":"date-time"},{"type":"integer","description":"unix ms"}],
    "description":"default: in 90 days; at most a year"},
  "allow_ips":{"type":"array","maxItems":16,"items":{"type":"string","description":"IPv4/IPv6 address or CIDR"}},
  "otp":{"type":"string"},"recovery_code":{"type":"string"}}})";
constexpr std::string_view kListSchema = R"({"type":"object","properties":{
  "items":{"type":"array","items":{"$ref":"#/components/schemas/ApiKey"}},"max_live":{"type":"integer"}}})";

}  // namespace

Result<void> RegisterApiKeyRoutes(api::Router& router, ServiceContext& ctx, ApiKeyGate& gate) {
  ServiceContext* c = &ctx;
  ApiKeyGate* g = &gate;
  auto add = [&](Method m, std::string pattern, Access a, api::Handler h, std::string summary,
                 std::string req_schema = {}, std::string resp_schema = {}, int status = 200) {
    return router.Add(RouteSpec(m, std::move(pattern), a, std::move(h))
                          .Doc(std::move(summary), std::move(req_schema), std::move(resp_schema), status));
  };
  const Access kUser = Access::AnyUser();
  CX_TRY(router.AddSchema("ApiKey", kKeySchema));
  CX_TRY(router.AddSchema("ApiKeyWithSecret", kKeySchema));
  CX_TRY(router.AddSchema("ApiKeyCreate", kCreateSchema));
  CX_TRY(router.AddSchema("ApiKeyList", kListSchema));

  CX_TRY(add(Method::kPost, "/api/v1/auth/api-keys", kUser, [c, g](HttpRequest&& req, const Principal& p, Responder respond) {
    CX_BODY(b);
    CX_GET(label, api::GetString(b, "label", registry::kMaxApiKeyLabel));
    if (label.empty()) return respond(HttpResponse::Problem(Err(Code::kMissingField, "required", "label")));
    CX_GET(scope_names, api::GetStringArray(b, "scopes", 3));
    CX_GET(scopes, apikey::ScopeSet::Parse(scope_names));
    const int64_t now = NowS(*c);
    int64_t expires_at = now + kDefaultLifetimeS;
    if (const json::value* v = b.if_contains("expires_at"); v && !v->is_null()) {
      if (v->is_string()) {
        CX_GET(t, ParseIsoTime(std::string_view(v->as_string())));
        expires_at = t;
      } else if (v->is_int64() || v->is_uint64()) {
        CX_GET(ms, api::GetInt64(b, "expires_at"));
        expires_at = ms / 1000;
      } else {
        return respond(HttpResponse::Problem(Err(Code::kInvalidField, "ISO-8601 date-time or unix milliseconds", "expires_at")));
      }
    }
    if (expires_at <= now) return respond(HttpResponse::Problem(Err(Code::kInvalidField, "must be in the future", "expires_at")));
    if (expires_at > now + 365 * 24 * 3600)
      return respond(HttpResponse::Problem(Err(Code::kInvalidField, "a key lives at most one year", "expires_at")));
    std::vector<std::string> allow_text;
    std::vector<apikey::Cidr> allow;
    if (b.contains("allow_ips") && !b.at("allow_ips").is_null()) {
      CX_GET(list, api::GetStringArray(b, "allow_ips", registry::kMaxApiKeyAllowEntries));
      for (const auto& t : list) {
        auto cidr = apikey::ParseCidr(t);
        if (!cidr.ok())
          return respond(HttpResponse::Problem(Err(Code::kInvalidField, "'" + t.substr(0, 64) + "': " + cidr.error().message, "allow_ips")));
        allow_text.push_back(cidr->text);
        allow.push_back(std::move(cidr).value());
      }
    }
    CX_GET(otp, api::GetOptString(b, "otp", 16));
    CX_GET(recovery, api::GetOptString(b, "recovery_code", 64));
    std::array<uint8_t, apikey::kKeyIdRandomBytes> rnd{};
    auth::SecureRandom(rnd.data(), rnd.size());
    CX_GET(issued, g->authority().Issue(rnd, p.user_id, scopes, now, expires_at, allow));
    registry::CreateApiKey cmd;
    cmd.actor = p.user_id;
    cmd.key.id = issued.record.key_id;
    cmd.key.label = label;
    cmd.key.scopes = scopes.bits();
    cmd.key.expires_at = expires_at;
    cmd.key.allow = allow_text;
    std::string secret = issued.secret;
    // The second factor (step-up) is read and checked off the io thread.
    c->workers->Post([c, cmd = std::move(cmd), secret = std::move(secret), otp, recovery, respond]() mutable {
      const int64_t uid = cmd.actor;
      struct Mfa {
        bool enabled = false;
        int64_t last_step = -1;
        std::string sealed;
      } m;
      auto q = c->engine->Query([&m, uid](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
        if (const registry::MfaState* st = s.mfa(uid); st && st->enabled) {
          m.enabled = true;
          m.last_step = st->last_step;
          m.sealed = st->secret;
        }
        return std::string();
      });
      if (!q.ok()) return respond(HttpResponse::Problem(q.error()));
      if (m.enabled) {
        if (recovery) {
          cmd.recovery_hash = auth::totp::RecoveryCodeHash(*recovery);
        } else if (otp) {
          if (!c->mfa_key) return respond(HttpResponse::Problem(Err(Code::kUnavailable, "second factor unavailable (no MFA key)")));
          auto step = CheckMfaCode(*c->mfa_key, m.sealed, *otp, NowS(*c), m.last_step, uid, c->mfa_failures);
          if (!step.ok()) {
            Error e = step.take_error();
            e.field = "otp";
            return respond(HttpResponse::Problem(e));
          }
          cmd.mfa_step = *step;
        }
        // Neither: the registry refuses with AUTH_MFA_REQUIRED (field "otp").
      }
      Submit(*c, std::move(cmd), [secret](const RegistryState&, const engine::Outcome& o) -> Result<std::string> {
        for (const auto& e : *o.events)
          if (const auto* k = std::get_if<registry::ApiKeyCreated>(&e)) {
            json::object out = ApiKeyView(k->key, o.ts / 1'000'000);
            out["secret"] = secret;
            out["secret_shown_once"] = true;
            return Serialize(out);
          }
        return Err(Code::kInternal, "no key created");
      }, respond, 201);
    });
  }, "Create an API key for a bot (scopes read/trade/withdraw, expiry, optional IP allow-list; needs your second "
     "factor when enabled). The secret is in this answer only.", "ApiKeyCreate", "ApiKeyWithSecret", 201));

  CX_TRY(add(Method::kGet, "/api/v1/auth/api-keys", kUser, [c](HttpRequest&&, const Principal& p, Responder respond) {
    const int64_t uid = p.user_id;
    const int64_t now = NowS(*c);
    Query(*c, [uid, now](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
      json::array items;
      auto keys = s.ApiKeysOf(uid);
      for (auto it = keys.rbegin(); it != keys.rend(); ++it) items.push_back(ApiKeyView(**it, now));
      json::object o;
      o["items"] = std::move(items);
      o["max_live"] = static_cast<int64_t>(registry::kMaxLiveApiKeys);
      return Serialize(o);
    }, respond);
  }, "Your API keys, newest first (never their secrets)", {}, "ApiKeyList"));

  CX_TRY(add(Method::kDelete, "/api/v1/auth/api-keys/{id}", kUser, [c](HttpRequest&& req, const Principal& p, Responder respond) {
    std::string id(req.PathParam("id"));
    const int64_t now = NowS(*c);
    Submit(*c, registry::RevokeApiKey{p.user_id, p.Has(Role::kAdmin), id},
           [id, now](const RegistryState& s, const engine::Outcome&) -> Result<std::string> {
             const registry::ApiKey* k = s.api_key(id);
             if (!k) return Err(Code::kNotFound, "no such API key", "id");
             return Serialize(ApiKeyView(*k, now));
           }, respond);
  }, "Revoke one of your API keys (admins: anyone's); it stops working at once", {}, "ApiKey"));

  return Ok();
}

}  // namespace cx::app
