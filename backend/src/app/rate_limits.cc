#include "app/rate_limits.h"

#include <chrono>

#include "api/problem.h"
#include "app/redis_bus.h"
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
  std::unique_ptr<SharedRateLimiter> s_user, s_ip, s_auth;  // with --redis (issue 10)
};

Result<std::unique_ptr<SharedRateLimiter>> MakeShared(RedisBus* bus, const char* name, int64_t per_s) {
  if (!bus || per_s <= 0) return std::unique_ptr<SharedRateLimiter>();
  return SharedRateLimiter::Create(bus, name, per_s * 2, per_s);
}

auth::RateDecision Take(const std::unique_ptr<auth::RateLimiter>& local, const std::unique_ptr<SharedRateLimiter>& shared,
                        const std::string& key, int64_t now) {
  if (shared) {
    // Shared buckets need one clock for every node: wall-clock milliseconds.
    (void)now;
    const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    RateCheck c = shared->Acquire(key, wall);
    return auth::RateDecision{c.allowed, c.retry_after_s, 0};
  }
  return local->Acquire(key, now);
}

Result<std::unique_ptr<auth::RateLimiter>> Make(int64_t per_s) {
  if (per_s <= 0) return std::unique_ptr<auth::RateLimiter>();
  auth::RateLimitConfig c;
  c.burst = per_s * 2;
  c.refill_tokens = per_s;
  c.refill_period_ms = 1000;
  return auth::RateLimiter::Create(c);
}

}  // namespace

Result<std::shared_ptr<void>> InstallRateLimits(api::Router& router, const RateLimits& limits, RedisBus* bus) {
  auto b = std::make_shared<Buckets>();
  CX_ASSIGN_OR_RETURN(b->user, Make(limits.user_per_s));
  CX_ASSIGN_OR_RETURN(b->ip, Make(limits.ip_per_s));
  CX_ASSIGN_OR_RETURN(b->auth, Make(limits.auth_per_s));
  CX_ASSIGN_OR_RETURN(b->s_user, MakeShared(bus, "user", limits.user_per_s));
  CX_ASSIGN_OR_RETURN(b->s_ip, MakeShared(bus, "ip", limits.ip_per_s));
  CX_ASSIGN_OR_RETURN(b->s_auth, MakeShared(bus, "auth", limits.auth_per_s));
  router.AddFilter([b](const api::HttpRequest& req, const api::RouteSpec&, const auth::Principal& p)
                       -> std::optional<api::HttpResponse> {
    const int64_t now = NowMs();
    auth::RateDecision d{true, 0, 0};
    const std::string ip = api::HostOf(req.remote_address);
    if (b->auth && IsAuthRoute(req.path)) d = Take(b->auth, b->s_auth, "auth:" + ip, now);
    if (d.allowed) {
      if (p.authenticated) {
        if (b->user) d = Take(b->user, b->s_user, "user:" + std::to_string(p.user_id), now);
      } else if (b->ip) {
        d = Take(b->ip, b->s_ip, "ip:" + ip, now);
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
