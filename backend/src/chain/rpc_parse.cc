#include "chain/rpc_parse.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "chain/hex.h"

namespace cx::chain {
namespace json = boost::json;

namespace {

constexpr size_t kMaxMessage = 1024;
constexpr size_t kMaxData = 16384;
constexpr size_t kMaxTopics = 4;

std::string Clip(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

// The id of an answer element as an unsigned integer (we only send small integer ids).
std::optional<uint64_t> IdOf(const json::value& id) {
  if (const auto* u = id.if_uint64()) return *u;
  if (const auto* i = id.if_int64()) {
    if (*i >= 0) return static_cast<uint64_t>(*i);
    return std::nullopt;
  }
  if (const auto* s = id.if_string()) {
    // Some proxies echo ids as decimal strings.
    if (s->empty() || s->size() > 19) return std::nullopt;
    uint64_t v = 0;
    for (char c : *s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  }
  return std::nullopt;
}

const json::value* Member(const json::object& o, std::string_view key) {
  return o.if_contains(key);
}

// Result of one answer element (an object with result or error).
Result<json::value> ElementResult(const json::object& o) {
  if (const auto* err = Member(o, "error"); err != nullptr && !err->is_null()) {
    return ToError(FailureFromErrorObject(*err));
  }
  const auto* res = Member(o, "result");
  if (res == nullptr) return BadResponse("result", "answer has neither result nor error");
  return *res;
}

}  // namespace

Error BadResponse(std::string_view field, std::string_view message) {
  RpcFailure f;
  f.kind = RpcErrc::kBadResponse;
  f.message = std::string(field) + ": " + std::string(message);
  f.method = std::string(field);
  return ToError(f);
}

RpcFailure FailureFromErrorObject(const json::value& error) {
  RpcFailure f;
  f.kind = RpcErrc::kNodeError;
  const auto* o = error.if_object();
  if (o == nullptr) {
    if (const auto* s = error.if_string()) f.message = Clip(*s, kMaxMessage);
    else f.message = "malformed error object";
    f.kind = ClassifyNodeError(0, f.message);
    return f;
  }
  if (const auto* c = Member(*o, "code")) {
    if (const auto* i = c->if_int64()) f.node_code = *i;
    else if (const auto* u = c->if_uint64()) f.node_code = static_cast<int64_t>(std::min<uint64_t>(*u, INT64_MAX));
  }
  if (const auto* m = Member(*o, "message")) {
    if (const auto* s = m->if_string()) f.message = Clip(*s, kMaxMessage);
  }
  if (const auto* d = Member(*o, "data"); d != nullptr && !d->is_null()) {
    if (const auto* s = d->if_string()) {
      f.data = Clip(*s, kMaxData);
    } else if (const auto* dobj = d->if_object()) {
      // Some nodes nest the revert data: {"data": {"data": "0x..."}} or {"result": ...}.
      const json::value* inner = Member(*dobj, "data");
      if (inner == nullptr) inner = Member(*dobj, "result");
      if (inner != nullptr && inner->is_string()) f.data = Clip(inner->get_string(), kMaxData);
      else f.data = Clip(json::serialize(*d), kMaxData);
    } else {
      f.data = Clip(json::serialize(*d), kMaxData);
    }
  }
  f.kind = ClassifyNodeError(f.node_code, f.message);
  return f;
}

Result<std::vector<Result<json::value>>> ParseRpcResponse(std::string_view body,
                                                          const std::vector<uint64_t>& ids,
                                                          bool batch) {
  json::parse_options opt;
  opt.max_depth = 64;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec, json::storage_ptr(), opt);
  if (ec) return BadResponse("body", "not JSON: " + ec.message());

  std::vector<Result<json::value>> out;
  out.reserve(ids.size());

  // A single object: the answer to a single request, or an error refusing the whole batch.
  if (const auto* o = doc.if_object()) {
    const json::value* id = Member(*o, "id");
    const bool null_id = id == nullptr || id->is_null();
    if (batch || ids.size() != 1) {
      const auto* err = Member(*o, "error");
      if (err != nullptr && !err->is_null() && null_id) {
        Error e = ToError(FailureFromErrorObject(*err));
        for (size_t i = 0; i < ids.size(); ++i) out.emplace_back(e);
        return out;
      }
      return BadResponse("body", "batch answered by a single object");
    }
    if (!null_id) {
      auto got = IdOf(*id);
      if (!got || *got != ids[0]) return BadResponse("id", "answer id does not match the request");
    } else if (Member(*o, "error") == nullptr) {
      return BadResponse("id", "answer without id");
    }
    out.push_back(ElementResult(*o));
    return out;
  }

  const auto* arr = doc.if_array();
  if (arr == nullptr) return BadResponse("body", "answer is neither an object nor an array");
  if (!batch && arr->size() != 1) return BadResponse("body", "array answering a single request");

  std::unordered_map<uint64_t, size_t> index;
  for (size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  std::vector<std::optional<Result<json::value>>> slots(ids.size());
  for (const auto& el : *arr) {
    const auto* o = el.if_object();
    if (o == nullptr) return BadResponse("body", "batch element is not an object");
    const json::value* id = Member(*o, "id");
    if (id == nullptr || id->is_null()) {
      // An error without id inside a batch: cannot be attributed; applies to the unanswered.
      const auto* err = Member(*o, "error");
      if (err == nullptr || err->is_null()) return BadResponse("id", "batch element without id");
      Error e = ToError(FailureFromErrorObject(*err));
      for (auto& s : slots) {
        if (!s) s.emplace(e);
      }
      continue;
    }
    auto got = IdOf(*id);
    if (!got) return BadResponse("id", "batch element with an id we did not send");
    auto it = index.find(*got);
    if (it == index.end()) return BadResponse("id", "batch element with an id we did not send");
    if (slots[it->second]) continue;  // duplicate answer: keep the first
    slots[it->second].emplace(ElementResult(*o));
  }
  for (auto& s : slots) {
    if (s) out.push_back(std::move(*s));
    else out.emplace_back(BadResponse("id", "no answer for this request in the batch"));
  }
  return out;
}

// ---- typed values -----------------------------------------------------------------------

namespace {

Result<std::string_view> Str(const json::value& v, std::string_view field) {
  const auto* s = v.if_string();
  if (s == nullptr) return BadResponse(field, "expected a string");
  return std::string_view(*s);
}

const json::value& Get(const json::object& o, std::string_view key) {
  static const json::value kNull;
  const auto* v = o.if_contains(key);
  return v == nullptr ? kNull : *v;
}

bool Absent(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v == nullptr || v->is_null();
}

Result<bool> DecodeStatus(const json::value& v) {
  CX_ASSIGN_OR_RETURN(uint64_t s, DecodeU64(v, "status"));
  if (s > 1) return BadResponse("status", "receipt status is neither 0 nor 1");
  return s == 1;
}

}  // namespace

Result<U256> DecodeU256(const json::value& v, std::string_view field) {
  CX_ASSIGN_OR_RETURN(std::string_view s, Str(v, field));
  if (s.size() > 2 + 64 + 64) return BadResponse(field, "quantity too long");
  auto q = ParseQuantity(s, field);
  if (!q.ok()) return BadResponse(field, "bad quantity");
  return std::move(q).value();
}

Result<uint64_t> DecodeU64(const json::value& v, std::string_view field) {
  // Some nodes send small numbers as JSON numbers (e.g. eth_chainId on old proxies).
  if (const auto* u = v.if_uint64()) return *u;
  if (const auto* i = v.if_int64()) {
    if (*i < 0) return BadResponse(field, "negative quantity");
    return static_cast<uint64_t>(*i);
  }
  CX_ASSIGN_OR_RETURN(U256 q, DecodeU256(v, field));
  if (q > U256(UINT64_MAX)) return BadResponse(field, "quantity above 2^64-1");
  return static_cast<uint64_t>(q);
}

Result<Hash32> DecodeHash(const json::value& v, std::string_view field) {
  CX_ASSIGN_OR_RETURN(std::string_view s, Str(v, field));
  auto h = ParseHash32(s, field);
  if (!h.ok()) return BadResponse(field, "expected a 32-byte hex hash");
  return h.value();
}

Result<Address> DecodeAddress(const json::value& v, std::string_view field) {
  CX_ASSIGN_OR_RETURN(std::string_view s, Str(v, field));
  if (s.size() != 42) return BadResponse(field, "expected a 20-byte hex address");
  // Nodes send lower case or EIP-55; do not refuse a node's checksum casing quirks.
  auto raw = FromHexN(s, 20, field);
  if (!raw.ok()) return BadResponse(field, "expected a 20-byte hex address");
  return Address::FromRaw(raw.value());
}

Result<Bytes> DecodeData(const json::value& v, std::string_view field) {
  CX_ASSIGN_OR_RETURN(std::string_view s, Str(v, field));
  auto raw = FromHex(s, field);
  if (!raw.ok()) return BadResponse(field, "expected 0x-prefixed hex data");
  return std::move(raw).value();
}

Result<std::optional<BlockHeader>> DecodeBlockHeader(const json::value& v) {
  if (v.is_null()) return std::optional<BlockHeader>();
  const auto* o = v.if_object();
  if (o == nullptr) return BadResponse("block", "expected an object or null");
  BlockHeader b;
  CX_ASSIGN_OR_RETURN(b.number, DecodeU64(Get(*o, "number"), "block.number"));
  CX_ASSIGN_OR_RETURN(b.hash, DecodeHash(Get(*o, "hash"), "block.hash"));
  CX_ASSIGN_OR_RETURN(b.parent_hash, DecodeHash(Get(*o, "parentHash"), "block.parentHash"));
  CX_ASSIGN_OR_RETURN(b.timestamp, DecodeU64(Get(*o, "timestamp"), "block.timestamp"));
  if (!Absent(*o, "gasLimit")) {
    CX_ASSIGN_OR_RETURN(b.gas_limit, DecodeU64(Get(*o, "gasLimit"), "block.gasLimit"));
  }
  if (!Absent(*o, "gasUsed")) {
    CX_ASSIGN_OR_RETURN(b.gas_used, DecodeU64(Get(*o, "gasUsed"), "block.gasUsed"));
  }
  if (!Absent(*o, "baseFeePerGas")) {
    CX_ASSIGN_OR_RETURN(U256 f, DecodeU256(Get(*o, "baseFeePerGas"), "block.baseFeePerGas"));
    b.base_fee_per_gas = f;
  }
  return std::optional<BlockHeader>(std::move(b));
}

Result<Log> DecodeLog(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return BadResponse("log", "expected an object");
  Log l;
  CX_ASSIGN_OR_RETURN(l.address, DecodeAddress(Get(*o, "address"), "log.address"));
  const auto* topics = Get(*o, "topics").if_array();
  if (topics == nullptr) return BadResponse("log.topics", "expected an array");
  if (topics->size() > kMaxTopics) return BadResponse("log.topics", "more than 4 topics");
  for (const auto& t : *topics) {
    CX_ASSIGN_OR_RETURN(Hash32 h, DecodeHash(t, "log.topics"));
    l.topics.push_back(h);
  }
  CX_ASSIGN_OR_RETURN(l.data, DecodeData(Get(*o, "data"), "log.data"));
  CX_ASSIGN_OR_RETURN(l.block_number, DecodeU64(Get(*o, "blockNumber"), "log.blockNumber"));
  CX_ASSIGN_OR_RETURN(l.block_hash, DecodeHash(Get(*o, "blockHash"), "log.blockHash"));
  CX_ASSIGN_OR_RETURN(l.tx_hash, DecodeHash(Get(*o, "transactionHash"), "log.transactionHash"));
  CX_ASSIGN_OR_RETURN(l.tx_index,
                      DecodeU64(Get(*o, "transactionIndex"), "log.transactionIndex"));
  CX_ASSIGN_OR_RETURN(l.log_index, DecodeU64(Get(*o, "logIndex"), "log.logIndex"));
  if (!Absent(*o, "removed")) {
    const auto* b = Get(*o, "removed").if_bool();
    if (b == nullptr) return BadResponse("log.removed", "expected a boolean");
    l.removed = *b;
  }
  return l;
}

Result<std::vector<Log>> DecodeLogs(const json::value& v) {
  const auto* a = v.if_array();
  if (a == nullptr) return BadResponse("logs", "expected an array");
  std::vector<Log> out;
  out.reserve(a->size());
  for (const auto& e : *a) {
    CX_ASSIGN_OR_RETURN(Log l, DecodeLog(e));
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::optional<Receipt>> DecodeReceipt(const json::value& v) {
  if (v.is_null()) return std::optional<Receipt>();
  const auto* o = v.if_object();
  if (o == nullptr) return BadResponse("receipt", "expected an object or null");
  Receipt r;
  CX_ASSIGN_OR_RETURN(r.tx_hash, DecodeHash(Get(*o, "transactionHash"), "receipt.transactionHash"));
  CX_ASSIGN_OR_RETURN(r.tx_index,
                      DecodeU64(Get(*o, "transactionIndex"), "receipt.transactionIndex"));
  // A pending "receipt" (some nodes) has no block: treat as not mined.
  if (Absent(*o, "blockNumber") || Absent(*o, "blockHash")) return std::optional<Receipt>();
  CX_ASSIGN_OR_RETURN(r.block_number, DecodeU64(Get(*o, "blockNumber"), "receipt.blockNumber"));
  CX_ASSIGN_OR_RETURN(r.block_hash, DecodeHash(Get(*o, "blockHash"), "receipt.blockHash"));
  CX_ASSIGN_OR_RETURN(r.from, DecodeAddress(Get(*o, "from"), "receipt.from"));
  if (!Absent(*o, "to")) {
    CX_ASSIGN_OR_RETURN(Address to, DecodeAddress(Get(*o, "to"), "receipt.to"));
    r.to = to;
  }
  if (!Absent(*o, "contractAddress")) {
    CX_ASSIGN_OR_RETURN(Address ca, DecodeAddress(Get(*o, "contractAddress"), "receipt.contractAddress"));
    r.contract_address = ca;
  }
  if (Absent(*o, "status")) return BadResponse("receipt.status", "missing (pre-Byzantium receipts are not supported)");
  CX_ASSIGN_OR_RETURN(r.status, DecodeStatus(Get(*o, "status")));
  CX_ASSIGN_OR_RETURN(r.gas_used, DecodeU64(Get(*o, "gasUsed"), "receipt.gasUsed"));
  if (!Absent(*o, "cumulativeGasUsed")) {
    CX_ASSIGN_OR_RETURN(r.cumulative_gas_used,
                        DecodeU64(Get(*o, "cumulativeGasUsed"), "receipt.cumulativeGasUsed"));
  }
  if (!Absent(*o, "effectiveGasPrice")) {
    CX_ASSIGN_OR_RETURN(r.effective_gas_price,
                        DecodeU256(Get(*o, "effectiveGasPrice"), "receipt.effectiveGasPrice"));
  }
  if (!Absent(*o, "logs")) {
    CX_ASSIGN_OR_RETURN(r.logs, DecodeLogs(Get(*o, "logs")));
  }
  return std::optional<Receipt>(std::move(r));
}

Result<FeeHistory> DecodeFeeHistory(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return BadResponse("feeHistory", "expected an object");
  FeeHistory h;
  CX_ASSIGN_OR_RETURN(h.oldest_block, DecodeU64(Get(*o, "oldestBlock"), "feeHistory.oldestBlock"));
  if (!Absent(*o, "baseFeePerGas")) {
    const auto* a = Get(*o, "baseFeePerGas").if_array();
    if (a == nullptr) return BadResponse("feeHistory.baseFeePerGas", "expected an array");
    for (const auto& e : *a) {
      CX_ASSIGN_OR_RETURN(U256 f, DecodeU256(e, "feeHistory.baseFeePerGas"));
      h.base_fee_per_gas.push_back(f);
    }
  }
  if (!Absent(*o, "gasUsedRatio")) {
    const auto* a = Get(*o, "gasUsedRatio").if_array();
    if (a == nullptr) return BadResponse("feeHistory.gasUsedRatio", "expected an array");
    for (const auto& e : *a) {
      if (const auto* d = e.if_double()) h.gas_used_ratio.push_back(*d);
      else if (const auto* i = e.if_int64()) h.gas_used_ratio.push_back(static_cast<double>(*i));
      else if (const auto* u = e.if_uint64()) h.gas_used_ratio.push_back(static_cast<double>(*u));
      else if (e.is_null()) h.gas_used_ratio.push_back(0.0);
      else return BadResponse("feeHistory.gasUsedRatio", "expected numbers");
    }
  }
  if (!Absent(*o, "reward")) {
    const auto* a = Get(*o, "reward").if_array();
    if (a == nullptr) return BadResponse("feeHistory.reward", "expected an array");
    for (const auto& row : *a) {
      const auto* r = row.if_array();
      if (r == nullptr) return BadResponse("feeHistory.reward", "expected arrays");
      std::vector<U256> vals;
      for (const auto& e : *r) {
        CX_ASSIGN_OR_RETURN(U256 f, DecodeU256(e, "feeHistory.reward"));
        vals.push_back(f);
      }
      h.reward.push_back(std::move(vals));
    }
  }
  return h;
}

Result<std::optional<TxInfo>> DecodeTxInfo(const json::value& v) {
  if (v.is_null()) return std::optional<TxInfo>();
  const auto* o = v.if_object();
  if (o == nullptr) return BadResponse("transaction", "expected an object or null");
  TxInfo t;
  CX_ASSIGN_OR_RETURN(t.hash, DecodeHash(Get(*o, "hash"), "transaction.hash"));
  CX_ASSIGN_OR_RETURN(t.from, DecodeAddress(Get(*o, "from"), "transaction.from"));
  CX_ASSIGN_OR_RETURN(t.nonce, DecodeU64(Get(*o, "nonce"), "transaction.nonce"));
  if (!Absent(*o, "blockNumber") && !Absent(*o, "blockHash")) {
    CX_ASSIGN_OR_RETURN(uint64_t n, DecodeU64(Get(*o, "blockNumber"), "transaction.blockNumber"));
    CX_ASSIGN_OR_RETURN(Hash32 h, DecodeHash(Get(*o, "blockHash"), "transaction.blockHash"));
    t.block_number = n;
    t.block_hash = h;
  }
  return std::optional<TxInfo>(t);
}

}  // namespace cx::chain
