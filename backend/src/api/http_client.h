// HttpClient: a small blocking HTTP/1.1 client with keep-alive connections, for calls
// between the nodes of a cluster (app/cluster.h forwards commands to the leader).
//
// Contract:
// - Send() writes one request to host:port and reads the whole response; connections are
//   kept alive and reused (a pool of idle ones). A reused connection the peer had closed
//   is retried once on a fresh connection, but only when nothing of the response arrived.
// - Errors: UNAVAILABLE with field "connect" when no connection could be made (the request
//   was not sent: safe to retry anywhere); UNAVAILABLE with field "response" when the
//   request may have reached the peer but no complete response came back (its outcome is
//   unknown); both after at most `timeout_ms` per socket operation.
// - Plain TCP only: the cluster's internal traffic stays on a private network/loopback.
// Thread-safety: Send() from any thread; SetTarget() too (later Sends use the new peer).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "core/result.h"

namespace cx::api {

struct ClientRequest {
  Method method = Method::kGet;
  std::string method_name;  // used when method == kOther
  std::string target;       // "/api/v1/orders?x=1"
  Headers headers;          // Host, Content-Length and Connection are set by Send
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(int64_t timeout_ms = 10'000, size_t max_idle = 64);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // "host:port"; an empty target makes Send fail with UNAVAILABLE "connect".
  void SetTarget(const std::string& host_port);
  std::string target() const;
  Result<HttpResponse> Send(const ClientRequest& req);

 private:
  struct Conn;
  std::unique_ptr<Conn> Take(const std::string& host_port, bool& reused);
  void Give(const std::string& host_port, std::unique_ptr<Conn> c);

  int64_t timeout_ms_;
  size_t max_idle_;
  mutable std::mutex mu_;
  std::string target_;                       // guarded by mu_
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_; all to target_
};

}  // namespace cx::api
