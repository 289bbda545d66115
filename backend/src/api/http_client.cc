#include "api/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace cx::api {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Conn {
  net::io_context io;  // synchronous operations only: never run
  tcp::socket sock{io};
  boost::beast::flat_buffer buf;
};

HttpClient::HttpClient(int64_t timeout_ms, size_t max_idle) : timeout_ms_(timeout_ms), max_idle_(max_idle) {}
HttpClient::~HttpClient() = default;

void HttpClient::SetTarget(const std::string& host_port) {
  std::lock_guard<std::mutex> l(mu_);
  if (host_port == target_) return;
  target_ = host_port;
  idle_.clear();
}

std::string HttpClient::target() const {
  std::lock_guard<std::mutex> l(mu_);
  return target_;
}

std::unique_ptr<HttpClient::Conn> HttpClient::Take(const std::string& host_port, bool& reused) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (host_port == target_ && !idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
      return c;
    }
  }
  reused = false;
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return nullptr;
  auto c = std::make_unique<Conn>();
  boost::system::error_code ec;
  tcp::resolver res(c->io);
  auto eps = res.resolve(host_port.substr(0, colon), host_port.substr(colon + 1), ec);
  if (ec) return nullptr;
  net::connect(c->sock, eps, ec);
  if (ec) return nullptr;
  c->sock.set_option(tcp::no_delay(true), ec);
  timeval tv{};
  tv.tv_sec = timeout_ms_ / 1000;
  tv.tv_usec = static_cast<suseconds_t>((timeout_ms_ % 1000) * 1000);
  ::setsockopt(c->sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(c->sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return c;
}

void HttpClient::Give(const std::string& host_port, std::unique_ptr<Conn> c) {
  std::lock_guard<std::mutex> l(mu_);
  if (host_port == target_ && idle_.size() < max_idle_) idle_.push_back(std::move(c));
}

Result<HttpResponse> HttpClient::Send(const ClientRequest& req) {
  const std::string host_port = target();
  if (host_port.empty()) return Err(Code::kUnavailable, "no peer to send to", "connect");
  http::request<http::string_body> out;
  if (req.method == Method::kOther) out.method_string(req.method_name);
  else out.method_string(std::string(MethodName(req.method)));
  out.target(req.target);
  out.version(11);
  for (const auto& [k, v] : req.headers.items()) {
    if (EqualsIgnoreCase(k, "host") || EqualsIgnoreCase(k, "content-length") || EqualsIgnoreCase(k, "connection") ||
        EqualsIgnoreCase(k, "transfer-encoding"))
      continue;
    out.insert(k, v);
  }
  out.set(http::field::host, host_port);
  out.keep_alive(true);
  out.body() = req.body;
  out.prepare_payload();
  bool maybe_sent = false;  // an earlier attempt wrote the request: the outcome is unknown
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    auto c = Take(host_port, reused);
    if (!c)
      return Err(Code::kUnavailable, "cannot connect to " + host_port, maybe_sent ? "response" : "connect");
    boost::system::error_code ec;
    http::write(c->sock, out, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    if (!ec) http::read(c->sock, c->buf, parser, ec);
    if (ec) {
      // A kept-alive connection the peer closed meanwhile fails before any response byte
      // (end of stream / reset): the peer never saw this request, so one retry is safe.
      bool stale = reused && c->buf.size() == 0 && !parser.got_some() &&
                   (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                    ec == net::error::broken_pipe || ec == net::error::eof);
      if (stale) {
        maybe_sent = true;
        continue;
      }
      return Err(Code::kUnavailable, "no response from " + host_port + ": " + ec.message(), "response");
    }
    auto msg = parser.release();
    HttpResponse r;
    r.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
          EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "keep-alive"))
        continue;
      if (EqualsIgnoreCase(name, "content-type")) {
        r.content_type = std::string(f.value());
        continue;
      }
      r.headers.Add(std::move(name), std::string(f.value()));
    }
    r.body = std::move(msg.body());
    if (msg.keep_alive()) Give(host_port, std::move(c));
    return r;
  }
  return Err(Code::kUnavailable, "no response from " + host_port + ": connection closed", "response");
}

}  // namespace cx::api
