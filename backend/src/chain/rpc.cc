// RpcClient typed helpers, error mapping, and the JSON-RPC client over a transport
// (retries, backoff, batching). The HTTP transport itself is in rpc_http.cc.
#include "chain/rpc.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <mutex>
#include <thread>

#include <boost/json/serialize.hpp>

#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/rpc_parse.h"
#include "chain/rpc_transport.h"

namespace cx::chain {
namespace json = boost::json;

// ---- errors ------------------------------------------------------------------------------

namespace {

struct ErrcInfo {
  RpcErrc e;
  Code code;
  std::string_view name;
};
constexpr ErrcInfo kErrcs[] = {
    {RpcErrc::kNone, Code::kInternal, ""},
    {RpcErrc::kBadUrl, Code::kInvalidField, "CHAIN_RPC_BAD_URL"},
    {RpcErrc::kTransport, Code::kChainUnavailable, "CHAIN_RPC_TRANSPORT"},
    {RpcErrc::kTimeout, Code::kChainUnavailable, "CHAIN_RPC_TIMEOUT"},
    {RpcErrc::kHttpStatus, Code::kChainUnavailable, "CHAIN_RPC_HTTP_STATUS"},
    {RpcErrc::kRateLimited, Code::kChainUnavailable, "CHAIN_RPC_RATE_LIMITED"},
    {RpcErrc::kBadResponse, Code::kChainBadResponse, "CHAIN_RPC_BAD_RESPONSE"},
    {RpcErrc::kNodeError, Code::kChainNodeError, "CHAIN_RPC_NODE_ERROR"},
    {RpcErrc::kNonceTooLow, Code::kChainNonceTooLow, "CHAIN_RPC_NONCE_TOO_LOW"},
    {RpcErrc::kAlreadyKnown, Code::kChainAlreadyKnown, "CHAIN_RPC_ALREADY_KNOWN"},
    {RpcErrc::kUnderpriced, Code::kChainUnderpriced, "CHAIN_RPC_UNDERPRICED"},
    {RpcErrc::kInsufficientFunds, Code::kChainInsufficientFunds, "CHAIN_RPC_INSUFFICIENT_FUNDS"},
    {RpcErrc::kReverted, Code::kChainReverted, "CHAIN_RPC_REVERTED"},
    {RpcErrc::kMethodNotFound, Code::kChainNodeError, "CHAIN_RPC_METHOD_NOT_FOUND"},
    {RpcErrc::kLimitExceeded, Code::kChainNodeError, "CHAIN_RPC_LIMIT_EXCEEDED"},
    {RpcErrc::kNotFound, Code::kChainNodeError, "CHAIN_RPC_NOT_FOUND"},
};

// The message ends with " [kind=CHAIN_RPC_X rpc=<node code> http=<status> data=<data>]".
constexpr std::string_view kTag = " [kind=";
constexpr std::string_view kRpcTag = " rpc=";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Has(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

std::string_view RpcErrcName(RpcErrc e) {
  for (const auto& i : kErrcs) {
    if (i.e == e) return i.name;
  }
  return "";
}

RpcErrc RpcErrcOf(const Error& e) {
  const bool chain_code = (e.code >= Code::kChainUnavailable && e.code <= Code::kChainReorgTooDeep) ||
                          e.code == Code::kInvalidField;
  if (!chain_code) return RpcErrc::kNone;
  const std::string& m = e.message;
  const size_t at = m.rfind(kTag);
  if (at == std::string::npos || m.empty() || m.back() != ']') return RpcErrc::kNone;
  const size_t start = at + kTag.size();
  const size_t end = m.find(kRpcTag, start);
  if (end == std::string::npos) return RpcErrc::kNone;
  const std::string_view name(m.data() + start, end - start);
  for (const auto& i : kErrcs) {
    if (i.e != RpcErrc::kNone && i.name == name) return i.e;
  }
  return RpcErrc::kNone;
}

Error ToError(const RpcFailure& f) {
  Code code = Code::kInternal;
  for (const auto& i : kErrcs) {
    if (i.e == f.kind) code = i.code;
  }
  std::string msg = f.message.empty() ? std::string(RpcErrcName(f.kind)) : f.message;
  msg += kTag;
  msg += RpcErrcName(f.kind);
  msg += kRpcTag;
  msg += std::to_string(f.node_code);
  msg += " http=" + std::to_string(f.http_status);
  msg += " data=" + f.data + "]";
  return Error::Make(code, std::move(msg), f.method.empty() ? std::string("rpc") : f.method);
}

Error WithRpcMethod(Error e, std::string_view method) {
  if (e.field == "rpc" && RpcErrcOf(e) != RpcErrc::kNone) e.field = std::string(method);
  return e;
}

RpcFailure RpcFailureOf(const Error& e) {
  RpcFailure f;
  f.kind = RpcErrcOf(e);
  if (f.kind == RpcErrc::kNone) {
    f.message = e.message;
    return f;
  }
  const std::string& m = e.message;
  size_t at = m.rfind(kTag);
  if (at == std::string::npos || m.empty() || m.back() != ']') {
    f.message = m;
    return f;
  }
  f.message = m.substr(0, at);
  std::string_view rest(m);
  rest = rest.substr(at + kTag.size(), rest.size() - at - kTag.size() - 1);
  // "<kind> rpc=<code> http=<status> data=<data>"
  if (size_t r = rest.find(kRpcTag); r != std::string_view::npos) rest = rest.substr(r + kRpcTag.size());
  auto number = [](std::string_view t, auto& out) {
    const char* end = t.data() + t.size();
    const char* stop = t.data();
    while (stop != end && (*stop == '-' || (*stop >= '0' && *stop <= '9'))) ++stop;
    std::from_chars(t.data(), stop, out);  // leaves `out` unchanged on error
  };
  number(rest, f.node_code);
  if (size_t h = rest.find(" http="); h != std::string_view::npos) number(rest.substr(h + 6), f.http_status);
  if (size_t d = rest.find(" data="); d != std::string_view::npos) f.data = std::string(rest.substr(d + 6));
  return f;
}

RpcErrc ClassifyNodeError(int64_t code, std::string_view message) {
  const std::string m = Lower(message);
  if (Has(m, "nonce too low") || Has(m, "nonce is too low") || Has(m, "oldnonce") ||
      Has(m, "nonce has already been used") || (Has(m, "invalid nonce") && Has(m, "lower"))) {
    return RpcErrc::kNonceTooLow;
  }
  if (Has(m, "already known") || Has(m, "known transaction") || Has(m, "alreadyknown") ||
      Has(m, "already imported") || Has(m, "already exists") || Has(m, "already in pool") ||
      Has(m, "transaction already")) {
    return RpcErrc::kAlreadyKnown;
  }
  if (Has(m, "underpriced") || Has(m, "fee too low") || Has(m, "feetoolow") ||
      Has(m, "less than block base fee") || Has(m, "max fee per gas less than")) {
    return RpcErrc::kUnderpriced;
  }
  if (Has(m, "insufficient funds") || Has(m, "insufficientfunds")) {
    return RpcErrc::kInsufficientFunds;
  }
  if (code == 3 || Has(m, "execution reverted") || Has(m, "reverted") || Has(m, "revert")) {
    return RpcErrc::kReverted;
  }
  if (code == -32601 || Has(m, "method not found") || Has(m, "does not exist/is not available") ||
      Has(m, "not supported") || Has(m, "unsupported method")) {
    return RpcErrc::kMethodNotFound;
  }
  if (code == -32005 || Has(m, "query returned more than") || Has(m, "limit exceeded") ||
      Has(m, "block range") || Has(m, "too many") || Has(m, "range is too large") ||
      Has(m, "exceed maximum")) {
    return RpcErrc::kLimitExceeded;
  }
  return RpcErrc::kNodeError;
}

// ---- typed helpers ---------------------------------------------------------------------

BlockTag BlockTag::Number(uint64_t n) { return BlockTag(ToQuantity(U256(n))); }

namespace {

json::object CallObject(const CallRequest& c) {
  json::object o;
  if (c.from) o["from"] = AddressToHex(*c.from);
  if (c.to) o["to"] = AddressToHex(*c.to);
  o["data"] = ToHex(c.data);
  if (c.value) o["value"] = ToQuantity(*c.value);
  if (c.gas) o["gas"] = ToQuantity(U256(*c.gas));
  return o;
}

}  // namespace

Result<json::value> RpcClient::Call(std::string_view method, json::array params) {
  std::vector<RpcRequest> reqs;
  reqs.push_back(RpcRequest{std::string(method), std::move(params)});
  auto batch = CallBatch(reqs);
  if (!batch.ok()) return WithRpcMethod(batch.take_error(), method);
  auto& results = batch.value();
  if (results.size() != 1) return BadResponse("body", "wrong number of answers");
  if (!results[0].ok()) return WithRpcMethod(results[0].take_error(), method);
  return std::move(results[0]);
}

Result<uint64_t> RpcClient::ChainId() {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_chainId"));
  return DecodeU64(v, "chainId");
}

Result<uint64_t> RpcClient::BlockNumber() {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_blockNumber"));
  return DecodeU64(v, "blockNumber");
}

Result<std::optional<BlockHeader>> RpcClient::GetBlockByNumber(const BlockTag& tag) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getBlockByNumber", {json::value(tag.str()), false}));
  return DecodeBlockHeader(v);
}

Result<std::optional<BlockHeader>> RpcClient::GetBlockByHash(const Hash32& hash) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getBlockByHash", {json::value(ToHex(hash)), false}));
  return DecodeBlockHeader(v);
}

Result<std::vector<std::optional<BlockHeader>>> RpcClient::GetBlockRange(uint64_t first,
                                                                          uint64_t last) {
  std::vector<std::optional<BlockHeader>> out;
  if (last < first) return out;
  std::vector<RpcRequest> reqs;
  reqs.reserve(last - first + 1);
  for (uint64_t n = first; n <= last; ++n) {
    reqs.push_back({"eth_getBlockByNumber", {json::value(BlockTag::Number(n).str()), false}});
    if (n == UINT64_MAX) break;
  }
  CX_ASSIGN_OR_RETURN(auto results, CallBatch(reqs));
  if (results.size() != reqs.size()) return BadResponse("body", "wrong number of answers");
  out.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) return WithRpcMethod(results[i].take_error(), "eth_getBlockByNumber");
    CX_ASSIGN_OR_RETURN(auto h, DecodeBlockHeader(results[i].value()));
    if (h && h->number != first + i) return BadResponse("block.number", "block at the wrong height");
    out.push_back(std::move(h));
  }
  return out;
}

Result<std::vector<Log>> RpcClient::GetLogs(const LogFilter& f) {
  json::object o;
  o["fromBlock"] = BlockTag::Number(f.from_block).str();
  o["toBlock"] = BlockTag::Number(f.to_block).str();
  if (!f.addresses.empty()) {
    json::array a;
    for (const auto& addr : f.addresses) a.emplace_back(AddressToHex(addr));
    o["address"] = std::move(a);
  }
  if (!f.topics.empty()) {
    json::array t;
    for (const auto& pos : f.topics) {
      if (pos.empty()) {
        t.emplace_back(nullptr);
      } else if (pos.size() == 1) {
        t.emplace_back(ToHex(pos[0]));
      } else {
        json::array any;
        for (const auto& h : pos) any.emplace_back(ToHex(h));
        t.emplace_back(std::move(any));
      }
    }
    o["topics"] = std::move(t);
  }
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getLogs", {std::move(o)}));
  return DecodeLogs(v);
}

Result<Bytes> RpcClient::EthCall(const CallRequest& call, const BlockTag& tag) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_call", {CallObject(call), json::value(tag.str())}));
  return DecodeData(v, "eth_call");
}

Result<uint64_t> RpcClient::EstimateGas(const CallRequest& call) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_estimateGas", {CallObject(call)}));
  return DecodeU64(v, "estimateGas");
}

Result<FeeHistory> RpcClient::GetFeeHistory(uint64_t block_count, const BlockTag& newest,
                                            const std::vector<double>& reward_percentiles) {
  json::array pct;
  for (double p : reward_percentiles) pct.emplace_back(p);
  CX_ASSIGN_OR_RETURN(json::value v,
                      Call("eth_feeHistory", {json::value(ToQuantity(U256(block_count))),
                                              json::value(newest.str()), std::move(pct)}));
  return DecodeFeeHistory(v);
}

Result<U256> RpcClient::GasPrice() {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_gasPrice"));
  return DecodeU256(v, "gasPrice");
}

Result<U256> RpcClient::MaxPriorityFeePerGas() {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_maxPriorityFeePerGas"));
  return DecodeU256(v, "maxPriorityFeePerGas");
}

Result<U256> RpcClient::GetBalance(const Address& who, const BlockTag& tag) {
  CX_ASSIGN_OR_RETURN(json::value v,
                      Call("eth_getBalance", {json::value(AddressToHex(who)), json::value(tag.str())}));
  return DecodeU256(v, "balance");
}

Result<Bytes> RpcClient::GetCode(const Address& who, const BlockTag& tag) {
  CX_ASSIGN_OR_RETURN(json::value v,
                      Call("eth_getCode", {json::value(AddressToHex(who)), json::value(tag.str())}));
  return DecodeData(v, "code");
}

Result<uint64_t> RpcClient::GetTransactionCount(const Address& who, const BlockTag& tag) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getTransactionCount",
                                          {json::value(AddressToHex(who)), json::value(tag.str())}));
  return DecodeU64(v, "transactionCount");
}

Result<Hash32> RpcClient::SendRawTransaction(const Bytes& raw) {
  const Hash32 hash = Keccak256(raw);
  auto r = Call("eth_sendRawTransaction", {json::value(ToHex(raw))});
  if (r.ok()) {
    CX_ASSIGN_OR_RETURN(Hash32 got, DecodeHash(r.value(), "transactionHash"));
    if (got != hash) return BadResponse("transactionHash", "node returned another hash");
    return hash;
  }
  const RpcErrc kind = RpcErrcOf(r.error());
  if (kind == RpcErrc::kAlreadyKnown) return hash;
  if (kind == RpcErrc::kNonceTooLow || kind == RpcErrc::kUnderpriced) {
    // Same transaction already pending or mined? Then this send is a success.
    auto tx = GetTransactionByHash(hash);
    if (tx.ok() && tx.value().has_value()) return hash;
  }
  return r.take_error();
}

Result<std::optional<Receipt>> RpcClient::GetTransactionReceipt(const Hash32& tx_hash) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getTransactionReceipt", {json::value(ToHex(tx_hash))}));
  return DecodeReceipt(v);
}

Result<std::optional<TxInfo>> RpcClient::GetTransactionByHash(const Hash32& tx_hash) {
  CX_ASSIGN_OR_RETURN(json::value v, Call("eth_getTransactionByHash", {json::value(ToHex(tx_hash))}));
  return DecodeTxInfo(v);
}

// ---- JSON-RPC over a transport ---------------------------------------------------------

namespace {

class JsonRpcClient final : public RpcClient {
 public:
  JsonRpcClient(std::unique_ptr<RpcTransport> t, const RpcOptions& o,
                std::function<void(std::chrono::milliseconds)> sleep)
      : transport_(std::move(t)), options_(o), sleep_(std::move(sleep)) {
    if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    if (options_.max_batch == 0) options_.max_batch = 1;
    if (options_.max_attempts < 1) options_.max_attempts = 1;
    rng_ = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(this)) ^ 0x9e3779b97f4a7c15ull;
  }

  Result<std::vector<Result<json::value>>> CallBatch(const std::vector<RpcRequest>& reqs) override {
    std::vector<Result<json::value>> out;
    out.reserve(reqs.size());
    for (size_t at = 0; at < reqs.size(); at += options_.max_batch) {
      const size_t n = std::min(options_.max_batch, reqs.size() - at);
      CX_ASSIGN_OR_RETURN(auto part, Chunk(reqs, at, n));
      for (auto& r : part) out.push_back(std::move(r));
    }
    return out;
  }

  RpcStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    RpcStats s = stats_;
    s.reconnects = transport_->reconnects();
    return s;
  }

 private:
  Result<std::vector<Result<json::value>>> Chunk(const std::vector<RpcRequest>& reqs, size_t at,
                                                 size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    const bool batch = n > 1;
    std::vector<uint64_t> ids;
    json::array arr;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t id = next_id_++;
      ids.push_back(id);
      json::object o;
      o["jsonrpc"] = "2.0";
      o["id"] = id;
      o["method"] = reqs[at + i].method;
      o["params"] = reqs[at + i].params;
      arr.emplace_back(std::move(o));
    }
    const std::string body = batch ? json::serialize(arr) : json::serialize(arr[0]);
    stats_.calls += n;
    auto reply = PostWithRetry(body);
    if (!reply.ok()) {
      ++stats_.failures;
      return reply.take_error();
    }
    auto parsed = ParseRpcResponse(reply.value().body, ids, batch);
    if (reply.value().status != 200 && !parsed.ok()) {
      RpcFailure f;
      f.kind = reply.value().status == 429 ? RpcErrc::kRateLimited : RpcErrc::kHttpStatus;
      f.http_status = reply.value().status;
      f.message = "HTTP " + std::to_string(f.http_status) + ": " +
                  reply.value().body.substr(0, std::min<size_t>(reply.value().body.size(), 200));
      ++stats_.failures;
      return ToError(f);
    }
    return parsed;
  }

  static bool RetryableStatus(int s) { return s == 429 || s == 502 || s == 503 || s == 504 || s == 408; }

  std::chrono::milliseconds Backoff(int attempt, std::optional<std::chrono::milliseconds> hint) {
    int64_t base = options_.backoff_initial.count();
    for (int i = 1; i < attempt && base < options_.backoff_max.count(); ++i) base *= 2;
    base = std::min<int64_t>(base, options_.backoff_max.count());
    // xorshift jitter in [-25 %, +25 %]
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    const int64_t span = base / 2;
    int64_t d = base - base / 4 + (span > 0 ? static_cast<int64_t>(rng_ % static_cast<uint64_t>(span + 1)) : 0);
    if (hint) d = std::max<int64_t>(d, std::min<int64_t>(hint->count(), options_.backoff_max.count()));
    return std::chrono::milliseconds(d);
  }

  Result<HttpReply> PostWithRetry(const std::string& body) {
    std::optional<Error> last;
    for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
      ++stats_.http_exchanges;
      auto r = transport_->Post(body);
      std::optional<std::chrono::milliseconds> hint;
      if (!r.ok()) {
        if (RpcErrcOf(r.error()) == RpcErrc::kBadUrl) return r.take_error();
        last = r.take_error();
      } else {
        const int s = r.value().status;
        if (s == 200) return r;
        // Other 5xx: retry unless the body is a JSON-RPC answer (a node error is final).
        const bool retry = RetryableStatus(s) ||
                           (s >= 500 && r.value().body.find("\"jsonrpc\"") == std::string::npos);
        if (!retry) return r;
        hint = r.value().retry_after;
        RpcFailure f;
        f.kind = s == 429 ? RpcErrc::kRateLimited : RpcErrc::kHttpStatus;
        f.http_status = s;
        f.message = "HTTP " + std::to_string(s);
        last = ToError(f);
      }
      if (attempt < options_.max_attempts) {
        ++stats_.retries;
        sleep_(Backoff(attempt, hint));
      }
    }
    return *last;
  }

  std::unique_ptr<RpcTransport> transport_;
  RpcOptions options_;
  std::function<void(std::chrono::milliseconds)> sleep_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  uint64_t rng_ = 0;
  RpcStats stats_;
};

}  // namespace

std::unique_ptr<RpcClient> MakeJsonRpcClient(std::unique_ptr<RpcTransport> transport,
                                             const RpcOptions& options,
                                             std::function<void(std::chrono::milliseconds)> sleep) {
  return std::make_unique<JsonRpcClient>(std::move(transport), options, std::move(sleep));
}

RpcStats GetRpcStats(const RpcClient& client) {
  if (const auto* j = dynamic_cast<const JsonRpcClient*>(&client)) return j->stats();
  return {};
}

}  // namespace cx::chain
