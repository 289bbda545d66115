// HTTP/1.1 server (Boost.Beast, C++20 coroutines) in front of a Router.
// All Boost.Asio/Beast code lives in http_server.cc; this header is plain C++.
//
// Per connection: keep-alive, a header timeout for the first request, an idle timeout
// between requests, a body timeout, a write timeout; a request body above max_body_bytes
// gets 413 REQUEST_TOO_LARGE and the connection closes; headers above max_header_bytes get
// 431. At most max_connections are open at once; the next one gets 503 and is closed.
// Every response carries security headers (X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY, CSP frame-ancestors 'none', Referrer-Policy: no-referrer); API
// responses default to Cache-Control: no-store.
// Paths under api_prefix go to the Router. Other GET/HEAD paths are served from
// static_dir when set: files under /assets/ with "public, max-age=31536000, immutable"
// (Vite content-hashes their names), index.html with "no-cache", and any unknown
// non-/assets/ path falls back to index.html (client-side routing).
// WebSocket: GET ws_path with Upgrade joins the PubSubHub; the client sends
// {"op":"subscribe"|"unsubscribe","channel":"..."}; the server sends
// {"type":"subscribed"|"unsubscribed"|"error",...} and every text published to the
// channel. The token may come as Authorization: Bearer or ?access_token=; ws_authorize
// decides which principal may join which channel.
//
// "Expect: 100-continue" is answered before the body is read.
//
// Thread-safety: Start/Stop from one controlling thread. The Router must outlive the
// server and not change after Start. hub() is thread-safe. A Responder may be called
// after Stop() (the answer is dropped) but not after the HttpServer is destroyed: stop
// whatever holds Responders (the engine) before destroying the server.
#pragma once
#include <vector>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/pubsub.h"
#include "api/router.h"
#include "core/result.h"

namespace cx::api {

struct AccessLogEntry {
  std::string method;
  std::string target;
  std::string remote;
  int status = 0;
  size_t response_bytes = 0;
  int64_t duration_us = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (see HttpServer::port())
  int io_threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 * 1024;
  size_t max_connections = 2048;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds stop_grace{5'000};
  std::string api_prefix = "/api/";
  // Further path prefixes routed to the Router rather than to static files
  // (e.g. "/ipfs/" for the document gateway).
  std::vector<std::string> router_prefixes;
  std::string static_dir;  // empty: no static files
  std::string content_security_policy = "frame-ancestors 'none'";
  std::string ws_path = "/api/v1/ws";
  size_t ws_max_queue = 1024;  // queued outgoing messages before a slow client is dropped
  // Called once per response, on an io thread; must be cheap and thread-safe.
  std::function<void(const AccessLogEntry&)> access_log;
  // May `p` subscribe to `channel`? Default: everyone may.
  std::function<bool(const auth::Principal& p, const std::string& channel)> ws_authorize;
  // Optional: subscribe with a snapshot. Called instead of a plain hub subscription; it
  // must call `subscribe` (the hub subscription) and return the first message the client
  // gets after "subscribed" (empty: none), or an error (sent as {"type":"error"}).
  // Messages published after it returns are queued after the snapshot.
  std::function<Result<std::string>(const std::string& channel, const std::function<bool()>& subscribe)> ws_subscribe;
};

class HttpServer {
 public:
  HttpServer(const Router& router, ServerOptions options);
  ~HttpServer();  // calls Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads. Returns the bound port.
  // kIo if the address cannot be bound; kBadRequest if already started.
  Result<uint16_t> Start();
  // Stops accepting, lets in-flight requests finish (up to stop_grace), closes idle
  // connections, joins the io threads. Idempotent.
  void Stop();
  uint16_t port() const;
  size_t open_connections() const;
  PubSubHub& hub();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Content type for a file name by extension ("application/octet-stream" if unknown).
std::string ContentTypeFor(std::string_view filename);

}  // namespace cx::api
