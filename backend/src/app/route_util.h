// Helpers shared by the route files: answer a request from an engine command or query,
// parse a JSON body, path ids and paging. Included by app/*.cc only.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/json_util.h"
#include "app/service.h"

namespace cx::app::routes {
namespace json = boost::json;
using api::HttpRequest;
using api::HttpResponse;
using api::Responder;

inline void Answer(const Responder& respond, Result<std::string> r, int status) {
  if (r.ok())
    respond(HttpResponse::Json(status, std::move(r).value()));
  else
    respond(HttpResponse::Problem(r.error()));
}

inline void Submit(ServiceContext& c, registry::Command cmd, engine::Render render, Responder respond,
            int status = 200) {
  c.engine->Submit(engine::Request{std::move(cmd), std::move(render),
                                   [respond, status](Result<std::string> r) { Answer(respond, std::move(r), status); }});
}

inline void Query(ServiceContext& c, engine::Render render, Responder respond) {
  c.engine->Submit(engine::Request{std::nullopt, std::move(render),
                                   [respond](Result<std::string> r) { Answer(respond, std::move(r), 200); }});
}

// Parses the body or answers with the problem; returns nullptr when answered.
inline std::optional<json::object> Body(const HttpRequest& req, const Responder& respond) {
  auto o = api::ParseJsonObject(req.body);
  if (!o.ok()) {
    respond(HttpResponse::Problem(o.error()));
    return std::nullopt;
  }
  return std::move(o).value();
}

#define CX_BODY(var)                         \
  auto var##_opt = Body(req, respond);       \
  if (!var##_opt) return;                    \
  const json::object& var = *var##_opt  // NOLINT(bugprone-macro-parentheses): var is the declared name

#define CX_GET(var, expr)                                  \
  auto var##_r = (expr);                                   \
  if (!var##_r.ok()) {                                     \
    respond(HttpResponse::Problem(var##_r.error()));       \
    return;                                                \
  }                                                        \
  auto var = std::move(var##_r).value()  // NOLINT(bugprone-macro-parentheses): var is the declared name

inline Result<int64_t> PathId(const HttpRequest& req, const char* name = "id") {
  return api::ParseId(req.PathParam(name), name);
}

// Paging: ?page=1&page_size=50 (max 500).
struct Page {
  int64_t page = 1, size = 50;
};
inline Result<Page> GetPage(const HttpRequest& req) {
  Page p;
  if (auto v = req.Query("page")) {
    CX_ASSIGN_OR_RETURN(p.page, api::ParseId(*v, "page"));
  }
  if (auto v = req.Query("page_size")) {
    CX_ASSIGN_OR_RETURN(p.size, api::ParseId(*v, "page_size"));
    if (p.size > 500) return Err(Code::kInvalidField, "at most 500", "page_size");
  }
  return p;
}

// One page of `matches`, rendering only the items on it (the queries run on the engine
// thread, so a long list must not be turned into JSON just to be cut).
template <class T, class View>
json::object Paged(const std::vector<const T*>& matches, const Page& p, View view) {
  json::object o;
  int64_t total = static_cast<int64_t>(matches.size());
  json::array items;
  for (int64_t i = (p.page - 1) * p.size; i < total && i < p.page * p.size; ++i)
    items.push_back(view(*matches[static_cast<size_t>(i)]));
  o["items"] = std::move(items);
  o["total"] = total;
  o["page"] = p.page;
  o["page_size"] = p.size;
  return o;
}

// The same page envelope as Paged, for views rendered straight to JSON text.
template <class T, class Render>
std::string PagedJson(const std::vector<const T*>& matches, const Page& p, Render render) {
  std::string out = "{\"items\":[";
  int64_t total = static_cast<int64_t>(matches.size());
  bool first = true;
  for (int64_t i = (p.page - 1) * p.size; i < total && i < p.page * p.size; ++i) {
    if (!first) out += ',';
    first = false;
    out += render(*matches[static_cast<size_t>(i)]);
  }
  out += "],\"total\":" + std::to_string(total) + ",\"page\":" + std::to_string(p.page) +
         ",\"page_size\":" + std::to_string(p.size) + "}";
  return out;
}

inline int64_t AccountOf(const registry::RegistryState& s, int64_t user) {
  const registry::User* u = s.user(user);
  return u ? u->account : 0;
}

}  // namespace cx::app::routes
