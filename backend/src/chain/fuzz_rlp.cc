// libFuzzer target for the RLP decoder and the signed-transaction decoder (clang only;
// `make fuzz` via tools/fuzz.sh). Input: raw bytes as they would arrive from a node.
// Invariants (abort = finding):
//  - no crash, leak or undefined behaviour (ASan/UBSan), no unbounded recursion;
//  - a refusal is Code::kInvalidField (or kUnsupported for other tx types) naming a field;
//  - RLP decoding is canonical: whatever decodes re-encodes to exactly the input bytes;
//  - a decoded transaction's hash is keccak256(input), and re-decoding its canonical RLP
//    gives the same fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chain/keccak.h"
#include "chain/rlp.h"
#include "chain/tx.h"

using namespace cx;         // NOLINT(google-build-using-namespace)
using namespace cx::chain;  // NOLINT(google-build-using-namespace)

namespace {
void Check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);  // NOLINT
  auto item = RlpDecode(in);
  if (item.ok()) {
    Check(RlpEncode(*item) == in);
    if (!item->is_list) {
      auto v = RlpToUint(*item, "v");
      if (v.ok()) Check(RlpEncodeUint(*v) == in);
    }
  } else {
    Check(item.error().code == Code::kInvalidField && !item.error().field.empty());
  }
  auto tx = DecodeSignedTx(in);
  if (tx.ok()) {
    Check(tx->hash == Keccak256(in));
    auto again = DecodeSignedTx(in);
    Check(again.ok() && again->fields == tx->fields && again->from == tx->from);
  } else {
    Check(tx.error().code == Code::kInvalidField || tx.error().code == Code::kUnsupported);
    Check(!tx.error().field.empty());
  }
  return 0;
}
