// Ethereum JSON-RPC client: an interface (RpcClient) so the logic above it (nonces, fees,
// TxSender, LogFollower) is testable with a scripted client, plus the HTTP implementation
// (MakeHttpRpcClient: http:// and https://, one keep-alive connection, per-call timeout,
// retries with exponential backoff on transport errors, HTTP 429 and 5xx -- never on a
// JSON-RPC error answer, which is final -- and JSON-RPC batching with ids matched to
// requests whatever order the node answers in, errors reported per element).
//
// Errors: every call returns cx::Result. A failed call carries a cx::Error whose
//   - code    is a 7xxx chain code of core/error.h: kChainUnavailable (transport, timeout,
//               HTTP 5xx/429 after retries -> 503 CHAIN_UNAVAILABLE), kChainBadResponse (not
//               JSON-RPC), kChainNonceTooLow, kChainAlreadyKnown, kChainUnderpriced,
//               kChainInsufficientFunds, kChainReverted (eth_call/estimateGas reverted),
//               kChainNodeError (any other node refusal: method not found, limit exceeded ...);
//               kInvalidField for an unusable endpoint URL (CHAIN_RPC_BAD_URL),
//   - field   names the RPC method at fault ("eth_sendRawTransaction"; "rpc" when no single
//               method is: a whole batch / the connection; the answer member for a bad
//               response, e.g. "transactionHash"), and
//   - message is "<node message> [kind=CHAIN_RPC_<KIND> rpc=<node code> http=<status>
//               data=<data>]": RpcErrcOf() recovers the fine-grained RpcErrc from it,
//               RpcFailureOf() the node's code, message and data.
//
// Thread-safety: RpcClient implementations are safe to call from several threads; the HTTP
// client serialises calls on its one connection (open a second client for parallelism).
#pragma once
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

// ---- errors --------------------------------------------------------------------------

enum class RpcErrc : uint8_t {
  kNone = 0,          // not a chain-RPC error
  kBadUrl,            // CHAIN_RPC_BAD_URL: the endpoint URL cannot be used
  kTransport,         // CHAIN_RPC_TRANSPORT: connect/read/write failed (after retries)
  kTimeout,           // CHAIN_RPC_TIMEOUT: no answer within the per-call timeout (after retries)
  kHttpStatus,        // CHAIN_RPC_HTTP_STATUS: HTTP status other than 200 (after retries)
  kRateLimited,       // CHAIN_RPC_RATE_LIMITED: HTTP 429 (after retries)
  kBadResponse,       // CHAIN_RPC_BAD_RESPONSE: not a JSON-RPC 2.0 answer / wrong shape
  kNodeError,         // CHAIN_RPC_NODE_ERROR: any other JSON-RPC error object
  kNonceTooLow,       // CHAIN_RPC_NONCE_TOO_LOW
  kAlreadyKnown,      // CHAIN_RPC_ALREADY_KNOWN: the node already has this transaction
  kUnderpriced,       // CHAIN_RPC_UNDERPRICED: fee too low / replacement underpriced
  kInsufficientFunds, // CHAIN_RPC_INSUFFICIENT_FUNDS: sender cannot pay gas * fee + value
  kReverted,          // CHAIN_RPC_REVERTED: execution reverted (eth_call / eth_estimateGas)
  kMethodNotFound,    // CHAIN_RPC_METHOD_NOT_FOUND (-32601)
  kLimitExceeded,     // CHAIN_RPC_LIMIT_EXCEEDED: range/result too large (-32005 and kin)
  kNotFound,          // CHAIN_RPC_NOT_FOUND: block/receipt requested is not (yet) there
};
std::string_view RpcErrcName(RpcErrc e);
// kNone when `e` was not produced by this module.
RpcErrc RpcErrcOf(const cx::Error& e);

// Details of a failed call, as reported by the transport or the node.
struct RpcFailure {
  RpcErrc kind = RpcErrc::kNodeError;
  int64_t node_code = 0;  // JSON-RPC error.code, 0 when the failure is not a node answer
  std::string message;    // node's error.message or the transport's description
  std::string data;       // error.data: hex string as sent, or its JSON text; may be empty
  int http_status = 0;    // 0 when no HTTP answer was read
  std::string method;     // the RPC method (or answer member) at fault; "" = "rpc"
};
cx::Error ToError(const RpcFailure& f);
// `e` with field = `method` when it is a chain-RPC error not yet naming one (field "rpc").
cx::Error WithRpcMethod(cx::Error e, std::string_view method);
// Recovers the failure from an Error made by ToError (kind kNone if it was not one).
RpcFailure RpcFailureOf(const cx::Error& e);
// Classifies a JSON-RPC error object {code, message, data} (geth, anvil, erigon, nethermind,
// besu wording) into an RpcErrc.
RpcErrc ClassifyNodeError(int64_t code, std::string_view message);

// ---- requests and typed values -------------------------------------------------------

struct RpcRequest {
  std::string method;
  boost::json::array params;
};

// "latest", "pending", "safe", "finalized", "earliest" or a block number.
class BlockTag {
 public:
  static BlockTag Latest() { return BlockTag("latest"); }
  static BlockTag Pending() { return BlockTag("pending"); }
  static BlockTag Safe() { return BlockTag("safe"); }
  static BlockTag Finalized() { return BlockTag("finalized"); }
  static BlockTag Earliest() { return BlockTag("earliest"); }
  static BlockTag Number(uint64_t n);
  const std::string& str() const { return s_; }  // "latest" or "0x1a"

 private:
  explicit BlockTag(std::string s) : s_(std::move(s)) {}
  std::string s_;
};

struct BlockHeader {
  uint64_t number = 0;
  Hash32 hash{};
  Hash32 parent_hash{};
  uint64_t timestamp = 0;
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  std::optional<U256> base_fee_per_gas;  // absent before London / on legacy chains
};

struct Log {
  Address address{};
  std::vector<Hash32> topics;
  Bytes data;
  uint64_t block_number = 0;
  Hash32 block_hash{};
  Hash32 tx_hash{};
  uint64_t tx_index = 0;
  uint64_t log_index = 0;  // position in the block (what (tx_hash, log_index) idempotence uses)
  bool removed = false;
};

// eth_getLogs filter. `topics[i]` empty = any value at position i; several = OR.
struct LogFilter {
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  std::vector<Address> addresses;  // empty = any address
  std::vector<std::vector<Hash32>> topics;
};

struct Receipt {
  Hash32 tx_hash{};
  uint64_t tx_index = 0;
  uint64_t block_number = 0;
  Hash32 block_hash{};
  Address from{};
  std::optional<Address> to;
  std::optional<Address> contract_address;
  bool status = false;  // true = success (status 0x1)
  uint64_t gas_used = 0;
  uint64_t cumulative_gas_used = 0;
  U256 effective_gas_price{};
  std::vector<Log> logs;
};

struct FeeHistory {
  uint64_t oldest_block = 0;
  std::vector<U256> base_fee_per_gas;         // blocks + 1 entries (the next block's last);
                                              // empty/zero on chains without a base fee
  std::vector<double> gas_used_ratio;         // informational only, never used for money
  std::vector<std::vector<U256>> reward;      // per block, one per requested percentile
};

// eth_call / eth_estimateGas argument.
struct CallRequest {
  std::optional<Address> from;
  std::optional<Address> to;  // absent = contract creation (estimateGas only)
  Bytes data;
  std::optional<U256> value;
  std::optional<uint64_t> gas;
};

// A transaction as eth_getTransactionByHash returns it (the fields we need).
struct TxInfo {
  Hash32 hash{};
  Address from{};
  uint64_t nonce = 0;
  std::optional<uint64_t> block_number;  // absent while pending
  std::optional<Hash32> block_hash;
};

struct RpcOptions {
  std::chrono::milliseconds timeout{10000};       // per HTTP exchange (connect+write+read)
  int max_attempts = 4;                           // 1 = no retry
  std::chrono::milliseconds backoff_initial{100}; // doubled each retry, +-25 % jitter
  std::chrono::milliseconds backoff_max{5000};
  size_t max_batch = 100;                         // larger batches are split
  size_t max_response_bytes = 64u << 20;          // answers above this fail kBadResponse
  std::string user_agent = "carbonx-chain/1";
};

// ---- the client interface -----------------------------------------------------------

class RpcClient {
 public:
  virtual ~RpcClient() = default;

  // The one primitive: sends `requests` (as one JSON-RPC batch when there are several) and
  // returns one result per request, in request order. The outer error is a transport
  // failure that affected the whole batch; inner errors are the node's per-element answers.
  virtual Result<std::vector<Result<boost::json::value>>> CallBatch(
      const std::vector<RpcRequest>& requests) = 0;

  // One call; the node's JSON-RPC error becomes the Error.
  Result<boost::json::value> Call(std::string_view method, boost::json::array params = {});

  // Typed helpers (all built on CallBatch; input validation errors are kBadResponse).
  Result<uint64_t> ChainId();
  Result<uint64_t> BlockNumber();
  // nullopt when the node has no such block (beyond its head).
  Result<std::optional<BlockHeader>> GetBlockByNumber(const BlockTag& tag);
  Result<std::optional<BlockHeader>> GetBlockByHash(const Hash32& hash);
  // Headers of blocks first..last (inclusive) in one batch; nullopt entries past the head.
  Result<std::vector<std::optional<BlockHeader>>> GetBlockRange(uint64_t first, uint64_t last);
  Result<std::vector<Log>> GetLogs(const LogFilter& filter);
  Result<Bytes> EthCall(const CallRequest& call, const BlockTag& tag = BlockTag::Latest());
  Result<uint64_t> EstimateGas(const CallRequest& call);
  Result<FeeHistory> GetFeeHistory(uint64_t block_count, const BlockTag& newest,
                                   const std::vector<double>& reward_percentiles);
  Result<U256> GasPrice();
  Result<U256> MaxPriorityFeePerGas();
  Result<U256> GetBalance(const Address& who, const BlockTag& tag = BlockTag::Latest());
  Result<Bytes> GetCode(const Address& who, const BlockTag& tag = BlockTag::Latest());
  Result<uint64_t> GetTransactionCount(const Address& who, const BlockTag& tag);
  // Sends a signed transaction. Idempotent: when the node answers "already known" (or
  // "nonce too low" while it holds/has mined this very transaction -- checked by hash),
  // the result is success with keccak256(raw). Returns the transaction hash.
  Result<Hash32> SendRawTransaction(const Bytes& raw);
  // nullopt while the transaction is not mined (or unknown).
  Result<std::optional<Receipt>> GetTransactionReceipt(const Hash32& tx_hash);
  Result<std::optional<TxInfo>> GetTransactionByHash(const Hash32& tx_hash);
};

// HTTP(S) JSON-RPC client for `url` ("http://host:port/path" or "https://..."; https uses
// OpenSSL with the system trust store and SNI; credentials in the URL become basic auth).
Result<std::unique_ptr<RpcClient>> MakeHttpRpcClient(std::string_view url,
                                                     const RpcOptions& options = {});

// Statistics of a client made by MakeHttpRpcClient (for metrics and benches).
struct RpcStats {
  uint64_t http_exchanges = 0;
  uint64_t calls = 0;     // JSON-RPC requests carried
  uint64_t retries = 0;
  uint64_t reconnects = 0;
  uint64_t failures = 0;  // calls that ended in a transport error
};
RpcStats GetRpcStats(const RpcClient& client);  // zeros for other implementations

}  // namespace cx::chain
