// Recursive Length Prefix (RLP) encoding, as in the Ethereum Yellow Paper appendix B.
// Contract:
// - Encoders never fail. Integers are encoded as their minimal big-endian bytes (0 -> "").
// - RlpDecode is strict: the whole input must be exactly one item; lengths must be in
//   canonical form (a single byte < 0x80 is never wrapped as 0x81 xx; the long form is used
//   only for lengths > 55; no leading zero bytes in a length); payloads may not run past
//   the end of their enclosing list; nesting deeper than kRlpMaxDepth is refused.
//   Errors: Code::kInvalidField with the field name "rlp" (or the caller's field).
// Pure functions, thread-safe.
#pragma once
#include <string_view>
#include <vector>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

inline constexpr int kRlpMaxDepth = 64;

// A decoded (or to-be-encoded) item: a byte string or a list of items.
struct RlpItem {
  bool is_list = false;
  Bytes str;                   // when !is_list
  std::vector<RlpItem> list;   // when is_list

  static RlpItem String(Bytes s) { RlpItem i; i.str = std::move(s); return i; }
  static RlpItem Uint(const U256& x);
  static RlpItem List(std::vector<RlpItem> items) {
    RlpItem i; i.is_list = true; i.list = std::move(items); return i;
  }
  bool operator==(const RlpItem&) const = default;
};

Bytes RlpEncodeString(std::string_view s);
Bytes RlpEncodeUint(const U256& x);
// Wraps the concatenation of already-encoded items in a list header.
Bytes RlpEncodeListPayload(std::string_view concatenated_encoded_items);
Bytes RlpEncode(const RlpItem& item);

// Decodes exactly one item spanning all of `data`.
Result<RlpItem> RlpDecode(std::string_view data, std::string_view field = "rlp");

// Interprets a decoded string item as an unsigned integer: must not be a list, at most 32
// bytes, no leading zero byte (canonical), "" = 0.
Result<U256> RlpToUint(const RlpItem& item, std::string_view field);
// Same, bounded to 64 bits.
Result<uint64_t> RlpToUint64(const RlpItem& item, std::string_view field);

}  // namespace cx::chain
