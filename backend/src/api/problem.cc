#include "api/problem.h"

#include <boost/json.hpp>

namespace cx::api {

const char* StatusTitle(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

std::string ProblemJson(const Error& e) { return ProblemJson(e, HttpStatus(e.code)); }

std::string ProblemJson(const Error& e, int status) {
  std::string code(CodeName(e.code));
  boost::json::object o;
  o["type"] = kProblemTypeBase + code;
  o["title"] = StatusTitle(status);
  o["status"] = status;
  o["code"] = code;
  o["detail"] = e.message;
  if (!e.field.empty()) o["field"] = e.field;
  return boost::json::serialize(o);
}

HttpResponse ProblemResponse(const Error& e) { return ProblemResponse(e, HttpStatus(e.code)); }

HttpResponse ProblemResponse(const Error& e, int status) {
  HttpResponse r;
  r.status = status;
  r.body = ProblemJson(e, status);
  r.content_type = kProblemContentType;
  return r;
}

}  // namespace cx::api
