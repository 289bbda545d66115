// Internal to the RPC client: the byte transport under the JSON-RPC client, so that the
// retry/backoff/batching logic (JsonRpcClient, rpc.cc) is tested with a scripted transport
// and only rpc_http.cc knows Beast/Asio/OpenSSL.
// Thread-safety: a transport is used by one thread at a time (JsonRpcClient locks).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chain/rpc.h"
#include "core/result.h"

namespace cx::chain {

struct HttpReply {
  int status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
};

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  // POSTs `body` (application/json). Errors: RpcErrc kTransport / kTimeout / kBadUrl.
  virtual Result<HttpReply> Post(std::string_view body) = 0;
  virtual uint64_t reconnects() const { return 0; }
};

// The HTTP(S) transport (rpc_http.cc).
Result<std::unique_ptr<RpcTransport>> MakeHttpTransport(std::string_view url,
                                                        const RpcOptions& options);

// JSON-RPC over any transport. `sleep` waits between retries (default: this thread sleeps).
std::unique_ptr<RpcClient> MakeJsonRpcClient(
    std::unique_ptr<RpcTransport> transport, const RpcOptions& options,
    std::function<void(std::chrono::milliseconds)> sleep = {});

}  // namespace cx::chain
