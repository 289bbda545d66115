// Error codes used by the documents module, in one place.
// They live in error.h's 6xxx group (DOC_*); callers inside this module use these names.
#pragma once
#include "core/error.h"

namespace cx::documents {

// A stored block does not hash to its CID, or a DAG node is malformed.
inline constexpr Code kBlockCorrupt = Code::kDocBlockCorrupt;  // DOC_BLOCK_CORRUPT
// A CID string or binary CID cannot be parsed or uses an unsupported codec/hash.
inline constexpr Code kBadCid = Code::kDocBadCid;              // DOC_BAD_CID
// A requested byte range lies outside the document (HTTP 416 at the gateway).
inline constexpr Code kBadRange = Code::kDocRangeNotSatisfiable;  // DOC_RANGE_NOT_SATISFIABLE
// A document key cannot be unwrapped or a segment fails authentication.
inline constexpr Code kDecryptFailed = Code::kDocDecryptFailed;  // DOC_DECRYPT_FAILED
// No master key is configured, but a private document was asked for.
inline constexpr Code kNoKey = Code::kUnavailable;
// The pinning service refused or could not be reached.
inline constexpr Code kPinFailed = Code::kDocPinFailed;  // DOC_PIN_FAILED

}  // namespace cx::documents
