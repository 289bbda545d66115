#include "api/cors.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api/problem.h"

namespace cx::api {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

Result<std::string> CorsPolicy::NormalizeOrigin(std::string_view origin) {
  auto bad = [&] {
    return Err(Code::kInvalidField,
               "not an origin (scheme://host[:port], no path): '" + std::string(origin.substr(0, 200)) + "'",
               "cors_origin");
  };
  size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return bad();
  std::string scheme = Lower(origin.substr(0, sep));
  if (scheme != "http" && scheme != "https") return bad();
  std::string_view rest = origin.substr(sep + 3);
  if (rest.empty() || rest.size() > 253 + 6) return bad();
  std::string_view host = rest, port;
  if (rest.front() == '[') {  // IPv6 literal
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad();
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad();
      port = after.substr(1);
    }
    for (char c : host.substr(1, host.size() - 2))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return bad();
  } else {
    size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
    if (host.empty()) return bad();
    for (char c : host)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return bad();
  }
  std::string out = scheme + "://" + Lower(host);
  if (!port.empty() || rest.back() == ':') {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) return bad();
    bool default_port = (scheme == "http" && v == 80) || (scheme == "https" && v == 443);
    if (!default_port) out += ":" + std::to_string(v);
  }
  return out;
}

Result<CorsPolicy> CorsPolicy::Create(const std::vector<std::string>& origins) {
  CorsPolicy p;
  for (const auto& o : origins) {
    CX_ASSIGN_OR_RETURN(std::string n, NormalizeOrigin(o));
    if (std::find(p.origins_.begin(), p.origins_.end(), n) == p.origins_.end()) p.origins_.push_back(std::move(n));
  }
  return p;
}

bool CorsPolicy::Allowed(std::string_view origin) const {
  if (origins_.empty() || origin.empty() || origin == "null") return false;
  auto n = NormalizeOrigin(origin);
  // A browser sends the serialized origin; anything it would not send is not allowed.
  return n.ok() && std::find(origins_.begin(), origins_.end(), *n) != origins_.end();
}

bool CorsPolicy::IsPreflight(const HttpRequest& req) {
  return req.method == Method::kOptions && req.Header("Origin") && req.Header("Access-Control-Request-Method");
}

HttpResponse CorsPolicy::Preflight(const HttpRequest& req, const std::vector<Method>& methods) const {
  std::string origin(req.Header("Origin").value_or(""));
  HttpResponse r;
  if (!Allowed(origin)) {
    r = ProblemResponse(Err(Code::kForbidden, "cross-origin requests from this origin are not allowed"));
  } else if (methods.empty()) {
    r = ProblemResponse(Err(Code::kNotFound, "no such path: " + req.path));
  } else {
    r = HttpResponse::NoContent();
    std::string list;
    for (Method m : methods) {
      if (!list.empty()) list += ", ";
      list += MethodName(m);
      if (m == Method::kGet && std::find(methods.begin(), methods.end(), Method::kHead) == methods.end())
        list += ", HEAD";
    }
    r.headers.Set("Access-Control-Allow-Origin", origin);
    r.headers.Set("Access-Control-Allow-Methods", list);
    r.headers.Set("Access-Control-Allow-Headers", kAllowedHeaders);
    r.headers.Set("Access-Control-Max-Age", std::to_string(kMaxAgeSeconds));
  }
  r.headers.Set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return r;
}

void CorsPolicy::Decorate(std::optional<std::string_view> origin, HttpResponse& res) const {
  if (!enabled()) return;
  if (auto v = res.headers.Get("Vary"); !v) {
    res.headers.Set("Vary", "Origin");
  } else if (v->find("Origin") == std::string_view::npos) {
    res.headers.Set("Vary", std::string(*v) + ", Origin");
  }
  if (origin && Allowed(*origin)) {
    res.headers.Set("Access-Control-Allow-Origin", std::string(*origin));
    res.headers.Set("Access-Control-Expose-Headers", kExposedHeaders);
  }
}

}  // namespace cx::api
