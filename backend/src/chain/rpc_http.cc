// The HTTP(S) transport under the JSON-RPC client: the only translation unit of the chain
// module that includes Boost.Asio/Beast and OpenSSL (slow to compile; everything else stays
// plain C++ and testable without sockets).
// One keep-alive connection per transport; every exchange (resolve, connect, TLS handshake,
// write, read) runs under one deadline = now + options.timeout, by driving a private
// io_context with run_until and cancelling what is still pending when time is up. A reused
// connection that turns out to be closed by the server is reopened once at once (that is
// not a retry: keep-alive races are normal); other failures go back to the retry loop.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>

#include <openssl/ssl.h>

#include "chain/rpc_transport.h"

namespace cx::chain {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

Error Fail(RpcErrc kind, std::string message) {
  RpcFailure f;
  f.kind = kind;
  f.message = std::move(message);
  return ToError(f);
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct Url {
  bool tls = false;
  std::string host;    // without brackets
  std::string port;
  std::string target;  // path + query, at least "/"
  std::string host_header;
  std::string basic_auth;  // base64(user:pass) or empty
};

Result<Url> ParseUrl(std::string_view url) {
  Url u;
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return Fail(RpcErrc::kBadUrl, "RPC URL must start with http:// or https://");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return Fail(RpcErrc::kBadUrl, "RPC URL has spaces or control characters");
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (const size_t hash = target.find('#'); hash != std::string::npos) target.resize(hash);
  if (target.empty() || target[0] != '/') target = "/" + target;
  u.target = target;
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    u.basic_auth = Base64(PercentDecode(authority.substr(0, at)));
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(RpcErrc::kBadUrl, "RPC URL: unclosed IPv6 bracket");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Fail(RpcErrc::kBadUrl, "RPC URL: bad port");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Fail(RpcErrc::kBadUrl, "RPC URL has no host");
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    if (port.size() > 5) return Fail(RpcErrc::kBadUrl, "RPC URL: bad port");
    for (char c : port) {
      if (c < '0' || c > '9') return Fail(RpcErrc::kBadUrl, "RPC URL: bad port");
    }
    const int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return Fail(RpcErrc::kBadUrl, "RPC URL: bad port");
    u.port = std::string(port);
  }
  const bool default_port = (u.tls && u.port == "443") || (!u.tls && u.port == "80");
  const bool v6 = u.host.find(':') != std::string::npos;
  u.host_header = (v6 ? "[" + u.host + "]" : u.host) + (default_port ? "" : ":" + u.port);
  return u;
}

class HttpTransport final : public RpcTransport {
 public:
  HttpTransport(Url url, const RpcOptions& o)
      : url_(std::move(url)), options_(o), ssl_ctx_(ssl::context::tls_client) {
    if (url_.tls) {
      boost::system::error_code ec;
      ssl_ctx_.set_default_verify_paths(ec);
      ssl_ctx_.set_verify_mode(ssl::verify_peer);
      if (const char* ca = std::getenv("CX_CHAIN_CA_FILE"); ca != nullptr && *ca != '\0') {
        ssl_ctx_.load_verify_file(ca, ec);  // tests: a private CA
      }
    }
  }
  ~HttpTransport() override { Close(); }

  uint64_t reconnects() const override { return reconnects_; }

  Result<HttpReply> Post(std::string_view body) override {
    const auto deadline = Clock::now() + options_.timeout;
    const bool reused = open_;
    if (!open_) CX_TRY(Connect(deadline));
    bool stale = false;
    auto r = Exchange(body, deadline, reused, stale);
    if (!r.ok() && stale && Clock::now() < deadline) {
      Close();
      ++reconnects_;
      CX_TRY(Connect(deadline));
      bool again = false;
      r = Exchange(body, deadline, false, again);
    }
    if (!r.ok()) Close();
    return r;
  }

 private:
  // Runs the asynchronous operation started by `start` until it completes or `deadline`.
  template <class Start>
  boost::system::error_code Run(Start&& start, Clock::time_point deadline) {
    std::optional<boost::system::error_code> result;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!result) {
      CancelAll();
      ioc_.restart();
      ioc_.run();
      return beast::error::timeout;
    }
    return *result;
  }

  void CancelAll() {
    boost::system::error_code ec;
    resolver_.cancel();
    if (tcp_) tcp_->socket().close(ec);
    if (tls_) beast::get_lowest_layer(*tls_).socket().close(ec);
  }

  beast::tcp_stream& Lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }

  Result<void> Connect(Clock::time_point deadline) {
    Close();
    tcp::resolver::results_type endpoints;
    auto ec = Run(
        [&](auto handler) {
          resolver_.async_resolve(url_.host, url_.port,
                                  [&endpoints, handler](boost::system::error_code e,
                                                        tcp::resolver::results_type r) mutable {
                                    endpoints = std::move(r);
                                    handler(e);
                                  });
        },
        deadline);
    if (ec == beast::error::timeout) return Fail(RpcErrc::kTimeout, "resolving " + url_.host + " timed out");
    if (ec) return Fail(RpcErrc::kTransport, "cannot resolve " + url_.host + ": " + ec.message());
    if (url_.tls) {
      tls_.emplace(ioc_, ssl_ctx_);
      if (!SSL_set_tlsext_host_name(tls_->native_handle(), url_.host.c_str())) {
        return Fail(RpcErrc::kTransport, "TLS: cannot set SNI");
      }
      tls_->set_verify_callback(ssl::host_name_verification(url_.host));
    } else {
      tcp_.emplace(ioc_);
    }
    Lowest().expires_at(deadline);
    ec = Run([&](auto handler) { Lowest().async_connect(endpoints, handler); }, deadline);
    if (ec == beast::error::timeout) return Fail(RpcErrc::kTimeout, "connect to " + url_.host_header + " timed out");
    if (ec) return Fail(RpcErrc::kTransport, "connect to " + url_.host_header + ": " + ec.message());
    Lowest().socket().set_option(tcp::no_delay(true), ec);
    if (tls_) {
      ec = Run([&](auto handler) { tls_->async_handshake(ssl::stream_base::client, handler); }, deadline);
      if (ec == beast::error::timeout) return Fail(RpcErrc::kTimeout, "TLS handshake timed out");
      if (ec) return Fail(RpcErrc::kTransport, "TLS handshake with " + url_.host + ": " + ec.message());
    }
    open_ = true;
    return Ok();
  }

  void Close() {
    boost::system::error_code ec;
    if (tcp_) {
      tcp_->socket().shutdown(tcp::socket::shutdown_both, ec);
      tcp_->socket().close(ec);
      tcp_.reset();
    }
    if (tls_) {
      // No TLS close_notify round trip: the node does not need it and it could block.
      beast::get_lowest_layer(*tls_).socket().close(ec);
      tls_.reset();
    }
    buffer_.clear();
    open_ = false;
  }

  template <class Stream>
  Result<HttpReply> ExchangeOn(Stream& stream, std::string_view body, Clock::time_point deadline,
                               bool reused, bool& stale) {
    http::request<http::string_body> req{http::verb::post, url_.target, 11};
    req.set(http::field::host, url_.host_header);
    req.set(http::field::user_agent, options_.user_agent);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    if (!url_.basic_auth.empty()) req.set(http::field::authorization, "Basic " + url_.basic_auth);
    req.keep_alive(true);
    req.body() = std::string(body);
    req.prepare_payload();

    Lowest().expires_at(deadline);
    auto ec = Run([&](auto handler) { http::async_write(stream, req, handler); }, deadline);
    if (ec) {
      stale = reused && ec != beast::error::timeout;
      if (ec == beast::error::timeout) return Fail(RpcErrc::kTimeout, "RPC request timed out (write)");
      return Fail(RpcErrc::kTransport, "RPC write: " + ec.message());
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    ec = Run([&](auto handler) { http::async_read(stream, buffer_, parser, handler); }, deadline);
    if (ec) {
      // The server closed an idle keep-alive connection: nothing of the answer was read.
      stale = reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                         ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) &&
              !parser.got_some();
      if (ec == beast::error::timeout) return Fail(RpcErrc::kTimeout, "RPC request timed out (read)");
      if (ec == http::error::body_limit) return Fail(RpcErrc::kBadResponse, "RPC answer larger than max_response_bytes");
      return Fail(RpcErrc::kTransport, "RPC read: " + ec.message());
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    if (auto it = res.find(http::field::retry_after); it != res.end()) {
      const std::string v(it->value());
      if (!v.empty() && v.size() < 6 && v.find_first_not_of("0123456789") == std::string::npos) {
        reply.retry_after = std::chrono::milliseconds(std::stoll(v) * 1000);
      }
    }
    const bool keep = res.keep_alive();
    reply.body = std::move(res.body());
    if (!keep) Close();
    return reply;
  }

  Result<HttpReply> Exchange(std::string_view body, Clock::time_point deadline, bool reused,
                             bool& stale) {
    if (tls_) return ExchangeOn(*tls_, body, deadline, reused, stale);
    return ExchangeOn(*tcp_, body, deadline, reused, stale);
  }

  Url url_;
  RpcOptions options_;
  asio::io_context ioc_;
  ssl::context ssl_ctx_;
  tcp::resolver resolver_{ioc_};
  std::optional<beast::tcp_stream> tcp_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  uint64_t reconnects_ = 0;
};

}  // namespace

Result<std::unique_ptr<RpcTransport>> MakeHttpTransport(std::string_view url,
                                                        const RpcOptions& options) {
  CX_ASSIGN_OR_RETURN(Url u, ParseUrl(url));
  return std::unique_ptr<RpcTransport>(std::make_unique<HttpTransport>(std::move(u), options));
}

Result<std::unique_ptr<RpcClient>> MakeHttpRpcClient(std::string_view url, const RpcOptions& options) {
  CX_ASSIGN_OR_RETURN(auto t, MakeHttpTransport(url, options));
  return MakeJsonRpcClient(std::move(t), options);
}

}  // namespace cx::chain
