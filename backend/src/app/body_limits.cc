#include "app/body_limits.h"

namespace cx::app {

size_t SetBodyLimits(api::Router& router, const ServiceContext& ctx) {
  struct Limit {
    api::Method method;
    const char* pattern;
    size_t bytes;
  };
  const Limit kLimits[] = {
      // The file itself (+ room for nothing else: the body is the document).
      {api::Method::kPost, "/api/v1/documents", static_cast<size_t>(ctx.max_document_bytes) + 4096},
      // A description of up to 64 KiB, which JSON escaping may inflate.
      {api::Method::kPost, "/api/v1/projects", 256 * 1024},
      // An end-to-end encrypted paper's key wrapped for up to 64 reviewers.
      {api::Method::kPut, "/api/v1/documents/{cid}/envelope", 256 * 1024},
  };
  size_t n = 0;
  for (const Limit& l : kLimits) n += router.SetBodyLimit(l.method, l.pattern, l.bytes).ok() ? 1 : 0;
  return n;
}

}  // namespace cx::app
