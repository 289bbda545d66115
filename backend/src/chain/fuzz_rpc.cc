// libFuzzer target for the JSON-RPC response parser (clang only; `make fuzz` via
// tools/fuzz.sh). Input: one selector byte, then an HTTP body as a node would answer.
// The selector picks the number of request ids (1..8), batch or single, and the id base.
// Everything a node's answer reaches is driven: ParseRpcResponse, then every typed decoder
// on every result, FailureFromErrorObject, the error round trip, and the follower cursor
// decoder on the raw bytes.
// Invariants (abort = finding):
//  - no crash, leak or undefined behaviour (ASan/UBSan), no exception;
//  - one result per id; every failure is a chain-RPC error (RpcErrcOf != kNone) whose kind
//    survives ToError/RpcFailureOf;
//  - a decoded cursor encodes to text that decodes to the same cursor.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "chain/follower.h"
#include "chain/rpc_parse.h"

using namespace cx;
using namespace cx::chain;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

template <class T>
void Refusal(const Result<T>& r) {
  if (r.ok()) return;
  Check(RpcErrcOf(r.error()) != RpcErrc::kNone);
  Check(RpcFailureOf(r.error()).kind == RpcErrcOf(r.error()));
}

void DecodeAll(const boost::json::value& v) {
  Refusal(DecodeU64(v, "q"));
  Refusal(DecodeU256(v, "q"));
  Refusal(DecodeHash(v, "h"));
  Refusal(DecodeAddress(v, "a"));
  Refusal(DecodeData(v, "d"));
  Refusal(DecodeBlockHeader(v));
  Refusal(DecodeLog(v));
  Refusal(DecodeLogs(v));
  Refusal(DecodeReceipt(v));
  Refusal(DecodeFeeHistory(v));
  Refusal(DecodeTxInfo(v));
  RpcFailure f = FailureFromErrorObject(v);
  Check(RpcErrcOf(ToError(f)) == f.kind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t n = 1 + (sel & 7);
  const bool batch = (sel & 8) != 0 || n > 1;
  const uint64_t base = (sel >> 4) & 3;
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(base + i);

  auto r = ParseRpcResponse(body, ids, batch);
  Refusal(r);
  if (r.ok()) {
    Check(r.value().size() == ids.size());
    for (const auto& e : r.value()) {
      Refusal(e);
      if (e.ok()) DecodeAll(e.value());
    }
  }
  // Values straight from the JSON (a node may put anything anywhere).
  boost::system::error_code ec;
  boost::json::parse_options opt;
  opt.max_depth = 64;
  auto v = boost::json::parse(body, ec, {}, opt);
  if (!ec) DecodeAll(v);

  auto c = FollowerCursor::Decode(body);
  if (c.ok()) {
    auto again = FollowerCursor::Decode(c.value().Encode());
    Check(again.ok() && again.value() == c.value());
  }
  return 0;
}
