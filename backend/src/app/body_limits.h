// Request body limits of `carbonx serve`, in one table: every route takes at most the HTTP
// server's default (api::ServerOptions::max_body_bytes, 64 KiB -- any JSON body of the API
// fits) except the routes listed in body_limits.cc (document upload, long project texts,
// KYC-paper key envelopes). A larger body is refused with 413 REQUEST_TOO_LARGE before it
// is read (api/http_server.h).
#pragma once
#include "api/router.h"
#include "app/service.h"

namespace cx::app {

// Sets RouteSpec::max_body_bytes on the listed routes that are registered (call after every
// Register*Routes). Returns the number of routes changed.
size_t SetBodyLimits(api::Router& router, const ServiceContext& ctx);

}  // namespace cx::app
