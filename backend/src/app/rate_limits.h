// Rate limits of the HTTP API (token buckets, auth/rate_limit.h), installed as a router
// filter: per signed-in user (or API key), per client IP for anonymous requests, and a
// stricter per-IP bucket for the sign-in and sign-up routes. A refused request gets 429
// RATE_LIMITED with Retry-After and changes nothing. Limits of 0 turn a bucket off
// (benchmarks run with --rate-limit-user 0).
#pragma once
#include <cstdint>
#include <memory>

#include "api/router.h"
#include "core/result.h"

namespace cx::app {

struct RateLimits {
  int64_t user_per_s = 1000;  // per signed-in user; burst 2x
  int64_t ip_per_s = 200;     // per IP, anonymous requests; burst 2x
  int64_t auth_per_s = 20;    // per IP, on /auth/login, /auth/register, /auth/siwe*; burst 2x
};

class RedisBus;
// Installs the filter; the returned object owns the buckets and must outlive the router's use.
// With a RedisBus (--redis, issue 10) the buckets are shared by every node (a Lua token
// bucket in Redis); while Redis cannot answer, each node falls back to its own local bucket
// of the same size (app/redis_bus.h SharedRateLimiter).
Result<std::shared_ptr<void>> InstallRateLimits(api::Router& router, const RateLimits& limits, RedisBus* bus = nullptr);

}  // namespace cx::app
