// HTTP/1.1 server (Boost.Beast, C++20 coroutines) in front of a Router, over plain TCP or
// TLS. All Boost.Asio/Beast/OpenSSL-TLS code lives in http_server.cc; this header is plain C++.
//
// Per connection: keep-alive, a header timeout for the first request (a deadline for the
// whole header, so dribbling bytes does not extend it; with TLS it covers the handshake
// too), an idle timeout between requests, a body timeout, a write timeout. Headers above
// max_header_bytes get 431. Request bodies are limited per route: RouteSpec::max_body_bytes
// when set, else max_body_bytes (64 KiB, enough for any JSON body); a larger body gets 413
// REQUEST_TOO_LARGE -- from the Content-Length alone, before the body is read, or as soon
// as a chunked body crosses the limit -- and the connection closes. At most
// max_connections are open at once; the next one gets 503 UNAVAILABLE and is closed.
// Every response carries security headers (X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY, CSP frame-ancestors 'none', Referrer-Policy: no-referrer, and
// Strict-Transport-Security when TLS is on); API responses default to
// Cache-Control: no-store.
// TLS (tls_cert_file + tls_key_file, PEM): TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers
// only (AES-GCM, ChaCha20-Poly1305), no renegotiation, no compression; WebSocket runs over
// the same TLS stream (wss://). A client that does not complete a TLS handshake within the
// header timeout (plain HTTP to the TLS port, an SSL 3 / TLS 1.0 / 1.1 hello) is dropped.
// CORS: cors_origins is the allow-list (see cors.h); preflights for API paths are
// answered by the server, before the Router.
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
// "Expect: 100-continue" is answered before the body is read (after the body limit check).
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
  // Issue 10 (logs, metrics, error tracking):
  std::string route;        // matched route pattern (empty: none)
  int64_t user_id = 0;      // authenticated user (0: anonymous)
  std::string request_id;   // X-Request-Id: the client's (if sane) or generated; echoed in the response
  std::string error_body;   // the response body when status >= 500
  std::string detail;       // internal detail of a 500 (HttpResponse::log_detail)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (see HttpServer::port())
  int io_threads = 2;
  size_t max_body_bytes = 64 * 1024;  // default per-route limit (RouteSpec::max_body_bytes)
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
  // TLS: both set = HTTPS only on this port (PEM certificate chain and private key).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string hsts = "max-age=31536000; includeSubDomains";  // sent when TLS is on
  // CORS allow-list of origins ("https://app.example.com"); empty = no CORS headers.
  std::vector<std::string> cors_origins;
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
  // kIo if the address cannot be bound or the TLS certificate/key cannot be loaded (field
  // "tls_cert" / "tls_key"); kInvalidField for a bad CORS origin or only one of the TLS
  // files; kBadRequest if already started.
  Result<uint16_t> Start();
  // Stops accepting, lets in-flight requests finish (up to stop_grace), closes idle
  // connections, joins the io threads. Idempotent.
  void Stop();
  uint16_t port() const;
  bool tls() const;
  size_t open_connections() const;
  PubSubHub& hub();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Content type for a file name by extension ("application/octet-stream" if unknown).
std::string ContentTypeFor(std::string_view filename);

}  // namespace cx::api
