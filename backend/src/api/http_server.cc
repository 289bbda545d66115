// The only translation unit that includes Boost.Asio/Beast and OpenSSL's TLS (they are
// slow to compile). One session coroutine serves both transports: it is a template over
// the stream type (beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>).
#include "api/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <limits>
#include <type_traits>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "api/client_address.h"
#include "api/cors.h"
#include "api/problem.h"

namespace cx::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string ContentTypeFor(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
  };
  size_t dot = name.rfind('.');
  size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string ext(name.substr(dot));
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

namespace {

bool ReadFile(const fs::path& p, std::string& out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = std::move(ss).str();
  return true;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
template <class S>
constexpr bool kIsTls = std::is_same_v<S, TlsStream>;

// One connection. Owned by its session coroutine; Stop() reaches it through a weak_ptr.
struct ConnBase {
  ConnBase() = default;
  ConnBase(const ConnBase&) = delete;
  ConnBase& operator=(const ConnBase&) = delete;
  virtual ~ConnBase() = default;
  virtual beast::tcp_stream& tcp() = 0;
  asio::any_io_executor ex;  // the connection's strand (usable after a hand-off)
  bool reading = false;      // true while waiting for a request: safe to cancel on Stop
  bool handed_off = false;   // the stream moved into a WebSocket: tcp() is gone
};

template <class S>
struct Conn final : ConnBase {
  explicit Conn(tcp::socket s) requires(!kIsTls<S>) : stream(std::move(s)) { ex = stream.get_executor(); }
  Conn(tcp::socket s, ssl::context& ctx) requires(kIsTls<S>) : stream(std::move(s), ctx) { ex = stream.get_executor(); }
  beast::tcp_stream& tcp() override { return beast::get_lowest_layer(stream); }
  S stream;
};

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only (Mozilla "intermediate");
// TLS 1.3 suites are all AEAD and listed explicitly.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

Result<std::unique_ptr<ssl::context>> MakeTlsContext(const std::string& cert, const std::string& key) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                   ssl::context::no_compression);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1)
    return Err(Code::kInternal, "cannot configure TLS protocol versions and ciphers");
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) return Err(Code::kIo, "cannot load the TLS certificate " + cert + ": " + ec.message(), "tls_cert");
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) return Err(Code::kIo, "cannot load the TLS private key " + key + ": " + ec.message(), "tls_key");
  if (SSL_CTX_check_private_key(native) != 1)
    return Err(Code::kIo, "the TLS private key does not match the certificate", "tls_key");
  return ctx;
}

}  // namespace

struct HttpServer::Impl {
  const Router& router;
  ServerOptions opt;
  asio::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open{0};
  uint16_t bound_port = 0;
  PubSubHub hub;
  fs::path static_root;
  std::unique_ptr<ssl::context> tls_ctx;  // set: every connection speaks TLS
  CorsPolicy cors;

  std::mutex conns_mu;
  uint64_t next_conn = 1;
  std::map<uint64_t, std::weak_ptr<ConnBase>> conns;
  std::map<uint64_t, std::function<void()>> ws_closers;

  Impl(const Router& r, ServerOptions o)
      : router(r), opt(std::move(o)), ioc(std::max(1, opt.io_threads)) {}

  void SecurityHeaders(HttpResponse& r, bool api) const {
    r.headers.Set("X-Content-Type-Options", "nosniff");
    r.headers.Set("X-Frame-Options", "DENY");
    r.headers.Set("Referrer-Policy", "no-referrer");
    std::string csp = api ? "default-src 'none'; frame-ancestors 'none'"
                          : opt.content_security_policy;
    if (!csp.empty() && !r.headers.Has("Content-Security-Policy"))
      r.headers.Set("Content-Security-Policy", csp);
    if (api && !r.headers.Has("Cache-Control")) r.headers.Set("Cache-Control", "no-store");
    if (tls_ctx && !opt.hsts.empty()) r.headers.Set("Strict-Transport-Security", opt.hsts);
  }

  // The body limit of the route `method target` names (the default for anything else).
  size_t BodyLimitFor(const http::request_parser<http::string_body>& parser) const {
    const auto& h = parser.get();
    std::string path;
    std::map<std::string, std::string> query;
    if (!ParseTarget(std::string_view(h.target().data(), h.target().size()), path, query)) return opt.max_body_bytes;
    Router::Match m = router.Find(ParseMethod(std::string_view(h.method_string().data(), h.method_string().size())), path);
    if (m.kind == Router::MatchKind::kFound && m.route->max_body_bytes > 0) return m.route->max_body_bytes;
    return opt.max_body_bytes;
  }

  // The methods `path` has, for a CORS preflight (empty: no such path).
  std::vector<Method> MethodsOf(const std::string& path) const {
    Router::Match m = router.Find(Method::kOptions, path);
    if (m.kind == Router::MatchKind::kFound) return {Method::kOptions};
    return m.allowed;
  }

  HttpResponse ServeStatic(const HttpRequest& req) const {
    if (req.method != Method::kGet && req.method != Method::kHead) {
      HttpResponse r = ProblemResponse(
          Err(Code::kMethodNotAllowed, req.method_name + " is not allowed on " + req.path), 405);
      r.headers.Set("Allow", "GET, HEAD");
      return r;
    }
    bool assets = StartsWith(req.path, "/assets/");
    // Refuse traversal outright; then resolve and check we stay inside the root.
    bool bad = req.path.find("..") != std::string::npos || req.path.find('\\') != std::string::npos;
    if (!bad) {
      fs::path rel = fs::path(req.path.substr(1)).lexically_normal();
      std::error_code ec;
      fs::path full = fs::weakly_canonical(static_root / rel, ec);
      auto [root_end, nothing] = std::mismatch(static_root.begin(), static_root.end(), full.begin(), full.end());
      (void)nothing;
      if (!ec && root_end == static_root.end() && fs::is_regular_file(full, ec)) {
        HttpResponse r;
        if (!ReadFile(full, r.body)) return ProblemResponse(Err(Code::kIo, "cannot read file"));
        r.content_type = ContentTypeFor(full.filename().string());
        if (assets) {
          r.headers.Set("Cache-Control", "public, max-age=31536000, immutable");
        } else if (full.filename() == "index.html") {
          r.headers.Set("Cache-Control", "no-cache");
        } else {
          r.headers.Set("Cache-Control", "public, max-age=3600");
        }
        return r;
      }
    }
    if (bad || assets) return ProblemResponse(Err(Code::kNotFound, "no file " + req.path));
    HttpResponse r;
    if (!ReadFile(static_root / "index.html", r.body))
      return ProblemResponse(Err(Code::kNotFound, "no file " + req.path));
    r.content_type = "text/html; charset=utf-8";
    r.headers.Set("Cache-Control", "no-cache");
    return r;
  }

  // Runs the router and resumes the coroutine when the handler's Responder fires, from
  // whatever thread it fires on: the answer is posted to this connection's executor (a
  // strand), stored, and a never-expiring timer is cancelled to wake the coroutine.
  // (A timer rather than async_initiate with a lambda: g++ 12 mis-destroys lambda
  // temporaries inside co_await expressions.)
  struct Pending {
    explicit Pending(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::optional<HttpResponse> res;
  };

  asio::awaitable<HttpResponse> CallRouter(HttpRequest req) {
    asio::any_io_executor ex = co_await asio::this_coro::executor;
    auto pending = std::make_shared<Pending>(ex);
    pending->timer.expires_at(asio::steady_timer::time_point::max());
    std::function<void(HttpResponse)> deliver = [pending, ex](HttpResponse res) {
      asio::post(ex, [pending, res = std::move(res)]() mutable {
        pending->res = std::move(res);
        pending->timer.cancel();
      });
    };
    router.Dispatch(std::move(req), MakeOnceResponder(std::move(deliver)));
    while (!pending->res) {
      auto [ec] = co_await pending->timer.async_wait(kTuple);
      (void)ec;
    }
    HttpResponse out = std::move(*pending->res);
    co_return out;
  }

  static HttpRequest Convert(const http::request<http::string_body>& b, const std::string& remote,
                             bool& target_ok) {
    HttpRequest r;
    r.method_name = std::string(b.method_string());
    r.method = ParseMethod(r.method_name);
    r.target = std::string(b.target());
    target_ok = ParseTarget(r.target, r.path, r.query);
    for (const auto& f : b) r.headers.Add(std::string(f.name_string()), std::string(f.value()));
    r.body = b.body();
    r.remote_address = ResolveClientAddress(remote, r.headers);  // X-Forwarded-For from trusted proxies
    return r;
  }

  http::response<http::string_body> ToBeast(HttpResponse&& r, unsigned version, bool keep_alive,
                                            bool head) const {
    http::response<http::string_body> out{static_cast<http::status>(r.status), version};
    for (auto& [k, v] : r.headers.items()) out.insert(k, v);
    if (!r.content_type.empty() && r.status != 204 && r.status != 304)
      out.set(http::field::content_type, r.content_type);
    out.keep_alive(keep_alive);
    size_t len = r.body.size();
    if (r.status == 204 || r.status == 304) {
      out.body().clear();
    } else if (head) {
      out.content_length(len);
    } else {
      out.body() = std::move(r.body);
      out.prepare_payload();
    }
    return out;
  }

  // A one-off answer before the connection closes (errors outside the Router).
  http::response<http::string_body> Simple(HttpResponse r, unsigned version, bool api) const {
    SecurityHeaders(r, api);
    return ToBeast(std::move(r), version, false, false);
  }
  template <class S>
  asio::awaitable<void> WriteSimple(Conn<S>& c, http::response<http::string_body> out) {
    c.tcp().expires_after(opt.write_timeout);
    co_await http::async_write(c.stream, out, kTuple);
  }

  // After refusing a body (413): read and discard what the client is still sending, for at
  // most kLingerTime or kLingerBytes, so a client that writes the whole body before reading
  // (most do: fetch, curl without Expect) sees the 413 rather than a connection reset.
  static constexpr std::chrono::milliseconds kLingerTime{2000};
  static constexpr size_t kLingerBytes = 4u << 20;
  template <class S>
  asio::awaitable<void> DrainBriefly(Conn<S>& c) {
    c.tcp().expires_after(kLingerTime);
    std::vector<char> sink(64 * 1024);
    for (size_t total = 0; total < kLingerBytes;) {
      auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
      if (ec) break;
      total += n;
    }
  }

  // Ends a connection: TLS close_notify (briefly), then the TCP shutdown and close.
  template <class S>
  asio::awaitable<void> Close(Conn<S>& c) {
    if constexpr (kIsTls<S>) {
      c.tcp().expires_after(std::min<std::chrono::milliseconds>(opt.write_timeout, std::chrono::milliseconds(2000)));
      auto [ec] = co_await c.stream.async_shutdown(kTuple);
      (void)ec;
    }
    beast::error_code ignored;
    c.tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    c.tcp().socket().close(ignored);
    co_return;  // a coroutine for plain streams too (nothing above awaits there)
  }

  // The client's X-Request-Id when it is short and plain, else a fresh one.
  std::string RequestId(const std::string& given) const {
    bool ok = !given.empty() && given.size() <= 64;
    for (char ch : given)
      ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.');
    if (ok) return given;
    static const uint64_t kPrefix = std::chrono::steady_clock::now().time_since_epoch().count();
    static std::atomic<uint64_t> next{0};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%llu", static_cast<unsigned long long>(kPrefix & 0xffffffffULL),
                  static_cast<unsigned long long>(++next));
    return buf;
  }

  void Log(const HttpRequest& req, int status, size_t bytes,
           std::chrono::steady_clock::time_point t0, AccessLogEntry extra = {}) const {
    if (!opt.access_log) return;
    AccessLogEntry e = std::move(extra);  // route, user, request id, error body, detail
    e.method = req.method_name;
    e.target = req.target;
    e.remote = req.remote_address;
    e.status = status;
    e.response_bytes = bytes;
    e.duration_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    try {
      opt.access_log(e);
    } catch (...) {
    }
  }

  template <class S>
  asio::awaitable<void> Session(std::shared_ptr<Conn<S>> c, uint64_t id) {
    std::string remote;
    {
      beast::error_code ec;
      auto ep = c->tcp().socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::flat_buffer buf;
    bool first = true;
    bool handshake_ok = true;
    if constexpr (kIsTls<S>) {
      // The handshake counts against the header timeout of the first request.
      c->tcp().expires_after(opt.header_timeout);
      c->reading = true;
      auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::server, kTuple);
      c->reading = false;
      handshake_ok = !hec;
    }
    for (;;) {
      if (stopping || !handshake_ok) break;
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(opt.max_header_bytes));
      // No limit while the header is read: the route's limit is set (and a too-large
      // Content-Length refused) once the whole header, with its target, is known.
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      size_t limit = opt.max_body_bytes;
      if (!(kIsTls<S> && first)) c->tcp().expires_after(first ? opt.header_timeout : opt.idle_timeout);
      c->reading = true;
      auto [ec, n] = co_await http::async_read_header(c->stream, buf, parser, kTuple);
      c->reading = false;
      auto t0 = std::chrono::steady_clock::now();
      std::optional<std::string> origin;
      if (!ec) {
        if (auto o = parser.get().find(http::field::origin); o != parser.get().end()) origin = std::string(o->value());
      }
      if (!ec && !parser.is_done()) {
        limit = BodyLimitFor(parser);
        auto declared = parser.content_length();
        if (declared && *declared > limit) ec = http::error::body_limit;
        else parser.body_limit(limit);
      }
      if (!ec && !parser.is_done()) {
        // curl and others wait (about 1 s) for "100 Continue" before sending a body.
        if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
          http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
          c->tcp().expires_after(opt.write_timeout);
          auto [cec, cn] = co_await http::async_write(c->stream, cont, kTuple);
          ec = cec;
        }
      }
      if (!ec && !parser.is_done()) {
        c->tcp().expires_after(opt.body_timeout);
        auto [ec2, n2] = co_await http::async_read(c->stream, buf, parser, kTuple);
        ec = ec2;
      }
      if (ec == http::error::body_limit) {
        HttpResponse too = ProblemResponse(Err(Code::kTooLarge,
            "request body exceeds " + std::to_string(limit) + " bytes on this route"));
        cors.Decorate(origin, too);
        co_await WriteSimple(*c, Simple(std::move(too), 11, true));
        co_await DrainBriefly(*c);
        break;
      }
      if (ec == http::error::header_limit) {
        co_await WriteSimple(*c, Simple(ProblemResponse(Err(Code::kTooLarge, "request headers too large"), 431), 11, true));
        break;
      }
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
          ec == asio::error::eof)
        break;
      if (ec) {
        co_await WriteSimple(*c, Simple(ProblemResponse(Err(Code::kBadRequest, "malformed HTTP request: " + ec.message())), 11, true));
        break;
      }
      first = false;
      auto& breq = parser.get();
      unsigned version = breq.version();
      bool keep = breq.keep_alive() && !stopping;
      bool target_ok = false;
      HttpRequest req = Convert(breq, remote, target_ok);
      bool api = StartsWith(req.path, opt.api_prefix) || req.path + "/" == opt.api_prefix;
      for (const auto& prefix : opt.router_prefixes) api = api || StartsWith(req.path, prefix);

      if (target_ok && websocket::is_upgrade(breq) && req.path == opt.ws_path) {
        co_await WebSocketSession<S>(c, std::move(req), parser.release());
        break;
      }

      HttpRequest log_req;
      std::string log_req_id(req.Header("X-Request-Id").value_or(""));
      log_req.method_name = req.method_name;
      log_req.target = req.target;
      log_req.remote_address = req.remote_address;
      bool head = req.method == Method::kHead;
      HttpResponse res;
      if (!target_ok) {
        res = ProblemResponse(Err(Code::kBadRequest, "bad request target"));
        api = true;
      } else if (api || static_root.empty()) {
        api = true;
        if (cors.enabled() && CorsPolicy::IsPreflight(req))
          res = cors.Preflight(req, MethodsOf(req.path));
        else
          res = co_await CallRouter(std::move(req));
        cors.Decorate(origin, res);
      } else {
        res = ServeStatic(req);
      }
      SecurityHeaders(res, api);
      keep = keep && !stopping;  // a Stop() during the handler closes after this answer
      int status = res.status;
      size_t bytes = res.body.size();
      AccessLogEntry extra;
      if (opt.access_log) {
        extra.route = std::move(res.log_route);
        extra.user_id = res.log_user_id;
        extra.detail = std::move(res.log_detail);
        if (status >= 500) extra.error_body = res.body;
        extra.request_id = RequestId(log_req_id);
        res.headers.Set("X-Request-Id", extra.request_id);
      }
      auto out = ToBeast(std::move(res), version, keep, head);
      c->tcp().expires_after(opt.write_timeout);
      auto [wec, wn] = co_await http::async_write(c->stream, out, kTuple);
      Log(log_req, status, bytes, t0, std::move(extra));
      if (wec || !keep) break;
    }
    if (!handshake_ok) {
      beast::error_code ignored;
      c->tcp().socket().close(ignored);
    } else if (!c->handed_off) {
      co_await Close(*c);
    }
    {
      std::lock_guard lk(conns_mu);
      conns.erase(id);
    }
    open.fetch_sub(1);
  }

  // ---- WebSocket ----------------------------------------------------------------
  template <class S>
  struct WsState {
    explicit WsState(S&& s) : ws(std::move(s)) {}
    websocket::stream<S> ws;
    std::deque<std::shared_ptr<const std::string>> queue;
    bool writing = false;
    bool closed = false;
  };

  template <class S>
  static asio::awaitable<void> WsWriter(std::shared_ptr<WsState<S>> st) {
    st->writing = true;
    while (!st->queue.empty() && !st->closed) {
      auto msg = st->queue.front();
      st->queue.pop_front();
      st->ws.text(true);
      auto [ec, n] = co_await st->ws.async_write(asio::buffer(*msg), kTuple);
      if (ec) {
        st->closed = true;
        break;
      }
    }
    st->writing = false;
  }

  template <class S>
  void WsEnqueue(const std::shared_ptr<WsState<S>>& st, std::shared_ptr<const std::string> m) {
    if (st->closed) return;
    if (st->queue.size() >= opt.ws_max_queue) {  // slow consumer: drop the connection
      st->closed = true;
      beast::error_code ig;
      beast::get_lowest_layer(st->ws).socket().close(ig);
      return;
    }
    st->queue.push_back(std::move(m));
    if (!st->writing) asio::co_spawn(st->ws.get_executor(), WsWriter<S>(st), asio::detached);
  }

  static std::string WsReply(std::string_view type, std::string_view channel,
                             std::string_view detail = {}) {
    boost::json::object o{{"type", type}, {"channel", channel}};
    if (!detail.empty()) o["detail"] = detail;
    return boost::json::serialize(o);
  }

  template <class S>
  asio::awaitable<void> WebSocketSession(std::shared_ptr<Conn<S>> c, HttpRequest req,
                                         http::request<http::string_body> breq) {
    // Token from the header or (browsers cannot set headers on WebSocket) the query.
    if (!req.Header("Authorization") && req.Query("access_token"))
      req.headers.Set("Authorization", "Bearer " + std::string(*req.Query("access_token")));
    auto principal = router.Authenticate(req);
    if (!principal.ok()) {
      co_await WriteSimple(*c, Simple(ProblemResponse(principal.error()), breq.version(), true));
      co_return;
    }
    c->handed_off = true;
    auto st = std::make_shared<WsState<S>>(std::move(c->stream));
    st->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    st->ws.read_message_max(64 * 1024);
    auto [aec] = co_await st->ws.async_accept(breq, kTuple);
    if (aec) co_return;
    auto ex = st->ws.get_executor();
    std::weak_ptr<WsState<S>> weak = st;
    uint64_t sub = hub.Connect([this, weak, ex](std::shared_ptr<const std::string> text) {
      asio::post(ex, [this, weak, text = std::move(text)]() mutable {
        if (auto s = weak.lock()) WsEnqueue(s, std::move(text));
      });
    });
    uint64_t closer_id;
    {
      std::lock_guard lk(conns_mu);
      closer_id = next_conn++;
      ws_closers[closer_id] = [weak, ex] {
        asio::post(ex, [weak] {
          if (auto s = weak.lock()) {
            beast::error_code ig;
            beast::get_lowest_layer(s->ws).socket().close(ig);
          }
        });
      };
    }
    beast::flat_buffer buf;
    while (!st->closed && !stopping) {
      auto [ec, n] = co_await st->ws.async_read(buf, kTuple);
      if (ec) break;
      std::string text = beast::buffers_to_string(buf.data());
      buf.consume(buf.size());
      std::error_code jec;
      auto v = boost::json::parse(text, jec);
      const boost::json::object* o = (!jec && v.is_object()) ? &v.as_object() : nullptr;
      const boost::json::value* op = o ? o->if_contains("op") : nullptr;
      const boost::json::value* ch = o ? o->if_contains("channel") : nullptr;
      if (!op || !op->is_string() || !ch || !ch->is_string() || ch->as_string().size() > 128) {
        WsEnqueue(st, std::make_shared<const std::string>(
                          WsReply("error", "", "expected {\"op\":\"subscribe\",\"channel\":\"...\"}")));
        continue;
      }
      std::string channel(ch->as_string().c_str());
      std::string_view opname = op->as_string();
      if (opname == "subscribe") {
        bool allowed = !opt.ws_authorize || opt.ws_authorize(*principal, channel);
        if (!allowed) {
          WsEnqueue(st, std::make_shared<const std::string>(WsReply("error", channel, "AUTH_FORBIDDEN")));
        } else if (opt.ws_subscribe) {
          auto snap = opt.ws_subscribe(channel, [&] { return hub.Subscribe(sub, channel); });
          if (!snap.ok()) {
            WsEnqueue(st, std::make_shared<const std::string>(WsReply("error", channel, std::string(CodeName(snap.error().code)))));
          } else {
            WsEnqueue(st, std::make_shared<const std::string>(WsReply("subscribed", channel)));
            if (!snap->empty()) WsEnqueue(st, std::make_shared<const std::string>(std::move(snap).value()));
          }
        } else if (!hub.Subscribe(sub, channel)) {
          WsEnqueue(st, std::make_shared<const std::string>(WsReply("error", channel, "too many channels")));
        } else {
          WsEnqueue(st, std::make_shared<const std::string>(WsReply("subscribed", channel)));
        }
      } else if (opname == "unsubscribe") {
        hub.Unsubscribe(sub, channel);
        WsEnqueue(st, std::make_shared<const std::string>(WsReply("unsubscribed", channel)));
      } else {
        WsEnqueue(st, std::make_shared<const std::string>(WsReply("error", channel, "unknown op")));
      }
    }
    hub.Disconnect(sub);
    st->closed = true;
    {
      std::lock_guard lk(conns_mu);
      ws_closers.erase(closer_id);
    }
    beast::error_code ig;
    beast::get_lowest_layer(st->ws).socket().close(ig);
  }

  asio::awaitable<void> AcceptLoop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor->async_accept(asio::make_strand(ioc), kTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // e.g. EMFILE: keep serving the connections we have, and retry after a pause
        // rather than spinning while no descriptor is free.
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        auto [pec] = co_await pause.async_wait(kTuple);
        (void)pec;
        continue;
      }
      if (stopping) co_return;
      if (tls_ctx)
        Launch(std::make_shared<Conn<TlsStream>>(std::move(sock), *tls_ctx));
      else
        Launch(std::make_shared<Conn<PlainStream>>(std::move(sock)));
    }
  }

  template <class S>
  void Launch(std::shared_ptr<Conn<S>> conn) {
    auto ex = conn->ex;
    if (open.load() >= opt.max_connections) {
      asio::co_spawn(ex, RefuseBusy<S>(conn), asio::detached);
      return;
    }
    open.fetch_add(1);
    uint64_t id;
    {
      std::lock_guard lk(conns_mu);
      id = next_conn++;
      conns[id] = conn;
    }
    asio::co_spawn(ex, Session<S>(conn, id), asio::detached);
  }

  template <class S>
  asio::awaitable<void> RefuseBusy(std::shared_ptr<Conn<S>> c) {
    if constexpr (kIsTls<S>) {
      c->tcp().expires_after(std::min<std::chrono::milliseconds>(opt.header_timeout, std::chrono::milliseconds(2000)));
      auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::server, kTuple);
      if (hec) {
        beast::error_code ig;
        c->tcp().socket().close(ig);
        co_return;
      }
    }
    co_await WriteSimple(*c, Simple(ProblemResponse(Err(Code::kUnavailable, "too many connections")), 11, true));
    co_await Close(*c);
  }
};

HttpServer::HttpServer(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Result<uint16_t> HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started.exchange(true)) return Err(Code::kBadRequest, "server already started");
  if (!s.opt.static_dir.empty()) {
    std::error_code ec;
    s.static_root = fs::weakly_canonical(fs::path(s.opt.static_dir), ec);
    if (ec || !fs::is_directory(s.static_root))
      return Err(Code::kIo, "static directory not found: " + s.opt.static_dir, "static_dir");
  }
  if (s.opt.tls_cert_file.empty() != s.opt.tls_key_file.empty())
    return Err(Code::kInvalidField, "TLS needs both a certificate and a private key",
               s.opt.tls_cert_file.empty() ? "tls_cert" : "tls_key");
  if (!s.opt.tls_cert_file.empty()) {
    CX_ASSIGN_OR_RETURN(s.tls_ctx, MakeTlsContext(s.opt.tls_cert_file, s.opt.tls_key_file));
  }
  CX_ASSIGN_OR_RETURN(s.cors, CorsPolicy::Create(s.opt.cors_origins));
  beast::error_code ec;
  auto addr = asio::ip::make_address(s.opt.host, ec);
  if (ec) return Err(Code::kInvalidField, "bad listen address: " + s.opt.host, "host");
  tcp::endpoint ep(addr, s.opt.port);
  s.acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(s.ioc));
  s.acceptor->open(ep.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(ep, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Err(Code::kIo, "cannot listen on " + s.opt.host + ":" +
                                    std::to_string(s.opt.port) + ": " + ec.message());
  s.bound_port = s.acceptor->local_endpoint().port();
  asio::co_spawn(s.acceptor->get_executor(), s.AcceptLoop(), asio::detached);
  for (int i = 0; i < std::max(1, s.opt.io_threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  return s.bound_port;
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.started.load() || s.stopping.exchange(true)) return;
  if (s.acceptor) {
    asio::post(s.acceptor->get_executor(), [&s] {
      beast::error_code ig;
      s.acceptor->close(ig);
    });
  }
  // Close connections that wait for a request; in-flight ones finish and then close.
  {
    std::lock_guard lk(s.conns_mu);
    for (auto& [id, weak] : s.conns) {
      if (auto c = weak.lock()) {
        asio::post(c->ex, [weak = weak] {
          if (auto c2 = weak.lock(); c2 && c2->reading) {
            beast::error_code ig;
            c2->tcp().socket().cancel(ig);
          }
        });
      }
    }
    for (auto& [id, close] : s.ws_closers) close();
  }
  auto deadline = std::chrono::steady_clock::now() + s.opt.stop_grace;
  while (s.open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.ioc.stop();
  for (auto& t : s.threads) {
    if (t.joinable()) t.join();
  }
  s.threads.clear();
}

uint16_t HttpServer::port() const { return impl_->bound_port; }
bool HttpServer::tls() const { return impl_->tls_ctx != nullptr; }
size_t HttpServer::open_connections() const { return impl_->open.load(); }
PubSubHub& HttpServer::hub() { return impl_->hub; }

}  // namespace cx::api
