// GET /api/v1/notifications (issue 9): the signed-in user's recent notifications (the
// bell fills on page load; live ones come on the WebSocket channel notifications:<user>).
#include <charconv>
#include <cstdint>

#include "app/market_feed.h"
#include "app/route_util.h"

namespace cx::app {
using api::Access;
using api::Method;
using api::RouteSpec;
using auth::Principal;
using namespace routes;  // NOLINT(google-build-using-namespace)

namespace {

// A non-negative integer query parameter within [0, max]; kInvalidField otherwise.
Result<int64_t> QueryInt(const HttpRequest& req, const char* name, int64_t def, int64_t max) {
  auto v = req.Query(name);
  if (!v) return def;
  int64_t x = 0;
  const char* end = v->data() + v->size();
  auto [p, ec] = std::from_chars(v->data(), end, x);
  if (ec != std::errc() || p != end || x < 0 || x > max)
    return Err(Code::kInvalidField, "an integer in 0.." + std::to_string(max), name);
  return x;
}

}  // namespace

Result<void> RegisterNotificationRoutes(api::Router& router, MarketFeed& feed) {
  MarketFeed* f = &feed;
  return router.Add(
      RouteSpec(Method::kGet, "/api/v1/notifications", Access::AnyUser(),
                [f](HttpRequest&& req, const Principal& p, Responder respond) {
                  CX_GET(after, QueryInt(req, "after_seq", 0, INT64_MAX));
                  CX_GET(limit, QueryInt(req, "limit", 50, static_cast<int64_t>(NotificationLog::kDefaultPerUser)));
                  respond(HttpResponse::Json(200, f->Notifications(p.user_id, static_cast<uint64_t>(after),
                                                                   static_cast<size_t>(limit))));
                })
          .Doc("Your recent notifications (the last 200 kept), oldest first: ?after_seq= (those after a "
               "seq of channel notifications:<you>), ?limit= (default 50, max 200)",
               {}, {}, 200));
}

}  // namespace cx::app
