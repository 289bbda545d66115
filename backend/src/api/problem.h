// RFC 9457 problem details from cx::Error:
//   {"type":"https://carbonx.dev/errors/<CODE>","title":...,"status":<HttpStatus>,
//    "code":"<CODE>","detail":<message>,"field":<field, only when set>}
// served as application/problem+json. The title is a fixed phrase per HTTP status, so
// clients key on "code" and humans read "detail". Thread-safe: pure functions.
#pragma once
#include <string>

#include "api/http_types.h"
#include "core/error.h"

namespace cx::api {

inline constexpr const char* kProblemContentType = "application/problem+json";
inline constexpr const char* kProblemTypeBase = "https://carbonx.dev/errors/";

std::string ProblemJson(const Error& e);
HttpResponse ProblemResponse(const Error& e);
// Same with an explicit status, for HTTP-level outcomes that have no code of their own
// (405 uses REQUEST_UNSUPPORTED, 408 uses REQUEST_BAD).
std::string ProblemJson(const Error& e, int status);
HttpResponse ProblemResponse(const Error& e, int status);
// Reason phrase for a status ("Not Found").
const char* StatusTitle(int status);

}  // namespace cx::api
