#include "app/rate_limits.h"

#include <chrono>

#include "api/problem.h"
#include "auth/rate_limit.h"

namespace cx::app {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool IsAuthRoute(const std::string& path) {
  return path == "/api/v1/auth/login" || path == "/api/v1/auth/register" || path.rfind("/api/v1/auth/siwe", 0) == 0;
}

struct Buckets {
  std::unique_ptr<auth::RateLimiter> user, ip, auth;
};

Result<std::unique_ptr<auth::RateLimiter>> Make(int64_t per_s) {
  if (per_s <= 0) return std::unique_ptr<auth::RateLimiter>();
  auth::RateLimitConfig c;
  c.burst = per_s * 2;
  c.refill_tokens = per_s;
  c.refill_period_ms = 1000;
  return auth::RateLimiter::Create(c);
}

}  // namespace

Result<std::shared_ptr<void>> InstallRateLimits(api::Router& router, const RateLimits& limits) {
  auto b = std::make_shared<Buckets>();
  CX_ASSIGN_OR_RETURN(b->user, Make(limits.user_per_s));
  CX_ASSIGN_OR_RETURN(b->ip, Make(limits.ip_per_s));
  CX_ASSIGN_OR_RETURN(b->auth, Make(limits.auth_per_s));
  router.AddFilter([b](const api::HttpRequest& req, const api::RouteSpec&, const auth::Principal& p)
                       -> std::optional<api::HttpResponse> {
    const int64_t now = NowMs();
    auth::RateDecision d{true, 0, 0};
    const std::string ip = api::HostOf(req.remote_address);
    if (b->auth && IsAuthRoute(req.path)) d = b->auth->Acquire("auth:" + ip, now);
    if (d.allowed) {
      if (p.authenticated) {
        if (b->user) d = b->user->Acquire("user:" + std::to_string(p.user_id), now);
      } else if (b->ip) {
        d = b->ip->Acquire("ip:" + ip, now);
      }
    }
    if (d.allowed) return std::nullopt;
    api::HttpResponse r = api::HttpResponse::Problem(auth::RateLimitedError(d));
    r.headers.Set("Retry-After", std::to_string(d.retry_after_s));
    return r;
  });
  return std::shared_ptr<void>(b);
}

}  // namespace cx::app
