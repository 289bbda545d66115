// Error codes used by the documents module, in one place.
// error.h reserves the 6xxx group for documents but defines no code in it yet; until the
// lead adds them (proposed: kDocBlockCorrupt = 6000, kDocBadCid = 6001,
// kDocDecryptFailed = 6002, kDocPinFailed = 6003), each maps to the closest existing code.
// Callers inside this module use these names only, so the switch is a one-file change.
#pragma once
#include "core/error.h"

namespace cx::documents {

// A stored block does not hash to its CID, or a DAG node is malformed.
inline constexpr Code kBlockCorrupt = Code::kJournalCorrupt;  // STORE_JOURNAL_CORRUPT
// A CID string or binary CID cannot be parsed or uses an unsupported codec/hash.
inline constexpr Code kBadCid = Code::kInvalidField;          // REQUEST_INVALID_FIELD
// A requested byte range lies outside the document (HTTP 416 at the gateway).
inline constexpr Code kBadRange = Code::kInvalidField;
// A document key cannot be unwrapped or a segment fails authentication.
inline constexpr Code kDecryptFailed = Code::kForbidden;      // AUTH_FORBIDDEN
// No master key is configured, but a private document was asked for.
inline constexpr Code kNoKey = Code::kUnavailable;
// The pinning service refused or could not be reached.
inline constexpr Code kPinFailed = Code::kUnavailable;

}  // namespace cx::documents
