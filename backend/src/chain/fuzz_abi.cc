// libFuzzer target for the ABI decoder (clang only; `make fuzz` via tools/fuzz.sh).
// Input: byte 0 picks a type list (below; the deployed contracts' shapes and nastier
// nestings), the rest is the data to decode. If byte 0 is 0xff, the input is
// "<type string>\n<data>" and the type string goes through ParseAbiType first.
// Invariants (abort = finding):
//  - no crash, leak, undefined behaviour or blow-up on crafted offsets/lengths;
//  - a refusal is a value (kInvalidField / kUnsupported) naming the field;
//  - round trip: what decodes re-encodes, and the re-encoding decodes to the same JSON;
//    for types without dynamic parts the re-encoding is byte-identical to the consumed head.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "chain/abi.h"

using namespace cx;         // NOLINT(google-build-using-namespace)
using namespace cx::chain;  // NOLINT(google-build-using-namespace)

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

const char* const kTypeLists[] = {
    "uint256", "int8", "address", "bool", "bytes32", "bytes", "string", "uint256[]", "bytes[]",
    "string[]", "address[]", "bytes32[]", "(uint256,address,bytes)", "(uint64,string)[]",
    "uint8[3]", "int256[2][]", "(bytes,(string,uint16)[2])[]", "uint256[][][]",
    "(bytes32,string,uint16,uint64,uint64,string,string,string)", "bool[][2]",
    "(address,uint256,uint256,uint256,uint256)", "(int24,bytes7,(string)[])",
};

std::vector<AbiType> Types(std::string_view list) {
  std::vector<AbiType> out;
  // Each entry is one type; a top-level tuple decodes like its components would.
  auto t = ParseAbiType(list);
  Check(t.ok());
  out.push_back(*t);
  out.push_back(*ParseAbiType("uint8"));
  return out;
}

void RoundTrip(const std::vector<AbiType>& types, std::string_view data) {
  auto dec = AbiDecode(types, data);
  if (!dec.ok()) {
    Check(dec.error().code == Code::kInvalidField && !dec.error().field.empty());
    return;
  }
  auto enc = AbiEncode(types, *dec);
  Check(enc.ok());
  auto again = AbiDecode(types, *enc);
  Check(again.ok() && boost::json::serialize(*again) == boost::json::serialize(*dec));
  bool dynamic = false;
  size_t head = 0;
  for (const auto& t : types) {
    dynamic = dynamic || t.IsDynamic();
    head += t.HeadSize();
  }
  if (!dynamic) Check(enc->size() == head && data.substr(0, head) == *enc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);  // NOLINT
  if (data[0] == 0xff) {
    size_t nl = in.find('\n');
    if (nl > 200) return 0;  // also npos: no type line
    auto t = ParseAbiType(in.substr(0, nl));
    if (!t.ok()) {
      Check(t.error().code == Code::kUnsupported);
      return 0;
    }
    Check(ParseAbiType(t->Canonical()).ok() && ParseAbiType(t->Canonical())->Canonical() == t->Canonical());
    RoundTrip({*t}, in.substr(nl + 1));
    return 0;
  }
  constexpr size_t kN = sizeof(kTypeLists) / sizeof(kTypeLists[0]);
  RoundTrip(Types(kTypeLists[data[0] % kN]), in);
  return 0;
}
