// HTTP Range helpers for the gateway's GET /ipfs/{cid} (RFC 9110, section 14): parse a
// single "bytes=" range against the document size and format Content-Range. Multiple
// ranges are not served (answer 200 with the whole document, which RFC 9110 allows).
// Pure functions. Thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cx::documents {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// nullopt: no usable Range header (absent, not "bytes=", several ranges, or malformed;
// the whole document is served with 200). Error kBadRange: a syntactically valid range
// that cannot be satisfied (416, with "Content-Range: bytes */size").
// Accepts "bytes=a-b", "bytes=a-", "bytes=-n" (last n bytes).
Result<std::optional<ByteRange>> ParseRangeHeader(std::string_view header, uint64_t size);

// "bytes a-b/size" for a 206 reply (length must be > 0).
std::string ContentRange(const ByteRange& r, uint64_t size);

}  // namespace cx::documents
