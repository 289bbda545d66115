// Integration test: a real HttpServer on an ephemeral port, talked to over plain POSIX
// sockets (no Beast in this file, so it compiles quickly and checks the wire bytes).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "api/http_server.h"
#include "auth/jwt.h"

namespace cx::api {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;
using auth::Role;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool ok = false;
  std::string H(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
  }
};

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads one response; `head` = the request was HEAD (no body follows).
  Response Read(bool head = false) {
    Response r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    std::string hdr = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = hdr.find("\r\n");
    std::string status_line = hdr.substr(0, line_end);
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? hdr.size() : line_end + 2;
    while (pos < hdr.size()) {
      size_t e = hdr.find("\r\n", pos);
      if (e == std::string::npos) e = hdr.size();
      std::string line = hdr.substr(pos, e - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(c));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
      pos = e + 2;
    }
    size_t len = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    if (head || r.status == 101) len = 0;
    while (buf_.size() < len) {
      if (!Fill()) return r;
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
    r.ok = true;
    return r;
  }
  Response Request(const std::string& method, const std::string& target,
                   const std::string& token = {}, const std::string& body = {},
                   const std::string& extra = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST")
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    req += extra + "\r\n" + body;
    if (!Send(req)) return {};
    return Read(method == "HEAD");
  }
  // True if the server closed the connection (EOF) within the receive timeout.
  bool ClosedByPeer() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  bool Fill() {
    char tmp[8192];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  std::string& buffer() { return buf_; }
  void SetTimeout(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static_dir_ = fs::temp_directory_path() / ("cx_http_static_" + std::to_string(::getpid()));
    fs::create_directories(static_dir_ / "assets");
    std::ofstream(static_dir_ / "index.html") << "<!doctype html><title>cx</title>";
    std::ofstream(static_dir_ / "assets" / "app-3f2a1b.js") << "console.log(1)";
    std::ofstream(static_dir_ / "robots.txt") << "User-agent: *";

    router_.SetAuthenticator([this](std::string_view tok) -> Result<auth::Principal> {
      CX_ASSIGN_OR_RETURN(auto c, codec_.Verify(tok, Now()));
      return c.ToPrincipal();
    });
    auto ok = [](const Result<void>& r) { ASSERT_TRUE(r.ok()) << r.error().message; };
    ok(router_.Add(RouteSpec(Method::kGet, "/api/v1/ping", Access::Public(),
                    [](HttpRequest&& r, const auth::Principal&, Responder respond) {
                      respond(HttpResponse::Json(
                          200, json::serialize(json::object{{"pong", true},
                                                            {"q", r.Query("q").value_or("")}})));
                    })));
    ok(router_.Add(RouteSpec(Method::kGet, "/api/v1/admin/stats", Access::Roles({Role::kAdmin}),
                    [](HttpRequest&&, const auth::Principal& p, Responder respond) {
                      respond(HttpResponse::Json(200, "{\"user\":" + std::to_string(p.user_id) + "}"));
                    })));
    ok(router_.Add(RouteSpec(Method::kPost, "/api/v1/echo", Access::Public(),
                    [](HttpRequest&& r, const auth::Principal&, Responder respond) {
                      respond(HttpResponse::Json(200, std::move(r.body)));
                    })));
    // A route with its own, larger body limit (as the document upload has).
    ok(router_.Add(RouteSpec(Method::kPost, "/api/v1/upload", Access::Public(),
                    [](HttpRequest&& r, const auth::Principal&, Responder respond) {
                      respond(HttpResponse::Json(200, "{\"bytes\":" + std::to_string(r.body.size()) + "}"));
                    }).BodyLimit(4096)));
    // Answers later from another thread, as the engine does after a journal commit.
    ok(router_.Add(RouteSpec(Method::kPost, "/api/v1/slow/{n}", Access::AnyUser(),
                    [this](HttpRequest&& r, const auth::Principal&, Responder respond) {
                      std::string n(r.PathParam("n"));
                      std::lock_guard lk(workers_mu_);
                      workers_.emplace_back([respond, n] {
                        std::this_thread::sleep_for(std::chrono::milliseconds(50));
                        respond(HttpResponse::Json(201, "{\"n\":\"" + n + "\"}"));
                      });
                    })));
    // Holds its Responder until the test releases it (from the test thread).
    ok(router_.Add(RouteSpec(Method::kPost, "/api/v1/gated", Access::Public(),
                    [this](HttpRequest&&, const auth::Principal&, Responder respond) {
                      std::lock_guard lk(workers_mu_);
                      gated_.push_back(std::move(respond));
                    })));
    ok(router_.AddOpenApiRoute("test", "0"));
  }
  void TearDown() override {
    if (server_) server_->Stop();
    std::lock_guard lk(workers_mu_);
    for (auto& t : workers_) t.join();
    fs::remove_all(static_dir_);
  }
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  uint16_t Start(ServerOptions o = {}) {
    o.port = 0;
    o.io_threads = 2;
    if (o.static_dir.empty()) o.static_dir = static_dir_.string();
    o.access_log = [this](const AccessLogEntry&) { logged_.fetch_add(1); };
    server_ = std::make_unique<HttpServer>(router_, o);
    auto p = server_->Start();
    EXPECT_TRUE(p.ok()) << p.error().message;
    EXPECT_NE(*p, 0);
    return *p;
  }
  std::string Token(std::initializer_list<Role> roles) {
    return *codec_.Issue(11, auth::RoleSet(roles), Now());
  }

  fs::path static_dir_;
  Router router_;
  auth::JwtCodec codec_ = std::move(auth::JwtCodec::Create(std::string(32, 'q'))).value();
  std::unique_ptr<HttpServer> server_;
  std::mutex workers_mu_;
  std::vector<std::thread> workers_;
  std::vector<Responder> gated_;

  // Waits until `n` gated requests reached their handler.
  bool WaitGated(size_t n) {
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard lk(workers_mu_);
        if (gated_.size() >= n) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  void ReleaseGated(int status) {
    std::vector<Responder> g;
    {
      std::lock_guard lk(workers_mu_);
      g.swap(gated_);
    }
    for (auto& r : g) r(HttpResponse::Json(status, "{\"released\":true}"));
  }
  std::atomic<int> logged_{0};
};

std::string Code(const Response& r) {
  return std::string(json::parse(r.body).at("code").as_string());
}

TEST_F(ServerTest, StatusCodesOverOneKeepAliveConnection) {
  uint16_t port = Start();
  Client c(port);
  ASSERT_TRUE(c.connected());
  auto r = c.Request("GET", "/api/v1/ping?q=a%20b");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("q"), json::value("a b"));
  EXPECT_EQ(r.H("content-type"), "application/json");
  EXPECT_EQ(r.H("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.H("x-frame-options"), "DENY");
  EXPECT_EQ(r.H("referrer-policy"), "no-referrer");
  EXPECT_NE(r.H("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.H("cache-control"), "no-store");

  r = c.Request("GET", "/api/v1/admin/stats");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.H("content-type"), "application/problem+json");
  EXPECT_EQ(Code(r), "AUTH_UNAUTHENTICATED");
  r = c.Request("GET", "/api/v1/admin/stats", "not.a.token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Code(r), "AUTH_BAD_TOKEN");
  r = c.Request("GET", "/api/v1/admin/stats", Token({Role::kTrader}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "AUTH_FORBIDDEN");
  r = c.Request("GET", "/api/v1/admin/stats", Token({Role::kAdmin}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"user\":11}");
  r = c.Request("GET", "/api/v1/nowhere");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "REQUEST_NOT_FOUND");
  r = c.Request("DELETE", "/api/v1/ping");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.H("allow"), "GET, HEAD");
  r = c.Request("HEAD", "/api/v1/ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(std::stoi(r.H("content-length")), 0);
  // The delayed responder on the same connection, then one more request.
  r = c.Request("POST", "/api/v1/slow/7", Token({Role::kTrader}), "{}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{\"n\":\"7\"}");
  r = c.Request("POST", "/api/v1/echo", "", "{\"a\":1}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":1}");
  r = c.Request("GET", "/api/v1/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("openapi"), json::value("3.0.3"));
  // The access log runs after the write completes: allow it a moment.
  for (int i = 0; i < 100 && logged_.load() < 11; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(logged_.load(), 11);
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  uint16_t port = Start();
  Client c(port);
  std::string tok = Token({Role::kTrader});
  std::string reqs;
  for (int i = 0; i < 3; ++i) {
    reqs += "POST /api/v1/slow/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            tok + "\r\nContent-Length: 0\r\n\r\n";
  }
  ASSERT_TRUE(c.Send(reqs));
  for (int i = 0; i < 3; ++i) {
    auto r = c.Read();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.body, "{\"n\":\"" + std::to_string(i) + "\"}");
  }
}

TEST_F(ServerTest, PendingHandlerDoesNotBlockOtherConnections) {
  uint16_t port = Start();
  Client held(port), other(port);
  ASSERT_TRUE(held.Send("POST /api/v1/gated HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(WaitGated(1));
  // While that answer is pending, other connections are served.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(other.Request("GET", "/api/v1/ping").status, 200);
  ReleaseGated(202);  // from this (non-io) thread
  auto r = held.Read();
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "{\"released\":true}");
  // The held connection is still usable (keep-alive).
  EXPECT_EQ(held.Request("GET", "/api/v1/ping").status, 200);
}

TEST_F(ServerTest, OversizedBodyGets413AndClose) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  uint16_t port = Start(o);
  {
    Client c(port);
    auto r = c.Request("POST", "/api/v1/echo", "", std::string(1025, 'x'));
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(Code(r), "REQUEST_TOO_LARGE");
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {  // Exactly at the limit is fine.
    Client c(port);
    std::string body = "\"" + std::string(1022, 'x') + "\"";
    auto r = c.Request("POST", "/api/v1/echo", "", body);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, body);
  }
  {  // Chunked bodies are bounded too.
    Client c(port);
    std::string chunk(2000, 'y');
    char hex[16];
    std::snprintf(hex, sizeof hex, "%zx", chunk.size());
    ASSERT_TRUE(c.Send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       std::string(hex) + "\r\n" + chunk + "\r\n0\r\n\r\n"));
    EXPECT_EQ(c.Read().status, 413);
  }
  {  // Headers too large.
    Client c(port);
    auto r = c.Request("GET", "/api/v1/ping", "", "", "X-Big: " + std::string(20000, 'h') + "\r\n");
    EXPECT_EQ(r.status, 431);
  }
}

TEST_F(ServerTest, BodyLimitsArePerRoute) {
  ServerOptions o;
  o.max_body_bytes = 1024;  // the default for routes without their own limit
  uint16_t port = Start(o);
  {
    Client c(port);
    auto r = c.Request("POST", "/api/v1/upload", "", std::string(3000, 'u'));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{\"bytes\":3000}");
  }
  {  // The same body on a default route: refused from the Content-Length, before the body.
    Client c(port);
    ASSERT_TRUE(c.Send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n"));
    auto r = c.Read();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(Code(r), "REQUEST_TOO_LARGE");
    EXPECT_NE(r.body.find("1024 bytes"), std::string::npos) << r.body;
    EXPECT_EQ(r.H("content-type"), "application/problem+json");
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {  // Above the route's own limit.
    Client c(port);
    auto r = c.Request("POST", "/api/v1/upload", "", std::string(4097, 'u'));
    EXPECT_EQ(r.status, 413);
    EXPECT_NE(r.body.find("4096 bytes"), std::string::npos) << r.body;
  }
  {  // Chunked: the route's limit applies while the chunks arrive.
    Client c(port);
    std::string chunk(1500, 'y');
    std::string two = "5dc\r\n" + chunk + "\r\n5dc\r\n" + chunk + "\r\n0\r\n\r\n";
    ASSERT_TRUE(c.Send("POST /api/v1/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + two));
    EXPECT_EQ(c.Read().status, 200);
    Client d(port);
    ASSERT_TRUE(d.Send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + two));
    EXPECT_EQ(d.Read().status, 413);
  }
  // The router's table says so too.
  ASSERT_TRUE(router_.SetBodyLimit(Method::kPost, "/api/v1/echo", 99).ok());
  EXPECT_FALSE(router_.SetBodyLimit(Method::kPost, "/api/v1/nope", 99).ok());
}

TEST_F(ServerTest, CorsAllowListPreflightAndVary) {
  ServerOptions o;
  o.cors_origins = {"https://app.example.com", "http://localhost:5173"};
  uint16_t port = Start(o);
  Client c(port);
  auto pre = c.Request("OPTIONS", "/api/v1/echo", "", "",
                       "Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n"
                       "Access-Control-Request-Headers: authorization, content-type, x-cx-signature\r\n");
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.H("access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(pre.H("access-control-allow-methods"), "POST");
  EXPECT_NE(pre.H("access-control-allow-headers").find("X-CX-Signature"), std::string::npos);
  EXPECT_NE(pre.H("vary").find("Origin"), std::string::npos);
  // An actual request from the allowed origin.
  auto r = c.Request("GET", "/api/v1/ping", "", "", "Origin: http://localhost:5173\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.H("access-control-allow-origin"), "http://localhost:5173");
  EXPECT_EQ(r.H("vary"), "Origin");
  // Another origin: no CORS headers at all, and its preflight is refused.
  auto evil = c.Request("GET", "/api/v1/ping", "", "", "Origin: https://evil.example\r\n");
  EXPECT_EQ(evil.status, 200);
  EXPECT_EQ(evil.H("access-control-allow-origin"), "");
  EXPECT_EQ(evil.H("vary"), "Origin");
  auto evil_pre = c.Request("OPTIONS", "/api/v1/echo", "", "",
                            "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n");
  EXPECT_EQ(evil_pre.status, 403);
  EXPECT_EQ(evil_pre.H("access-control-allow-origin"), "");
  EXPECT_EQ(evil_pre.H("access-control-allow-methods"), "");
  // A path the API does not have.
  EXPECT_EQ(c.Request("OPTIONS", "/api/v1/nothing", "", "",
                      "Origin: https://app.example.com\r\nAccess-Control-Request-Method: GET\r\n").status, 404);
  // A 413 to an allowed origin still carries the grant (so the page can read the error).
  Client d(port);
  ASSERT_TRUE(d.Send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nContent-Length: 999999\r\n\r\n"));
  auto big = d.Read();
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.H("access-control-allow-origin"), "https://app.example.com");
  // No Strict-Transport-Security on plain HTTP.
  EXPECT_EQ(r.H("strict-transport-security"), "");
}

TEST(ServerStart, BadCorsOriginOrTlsFilesAreErrors) {
  Router router;
  {
    ServerOptions o;
    o.port = 0;
    o.cors_origins = {"*"};
    HttpServer s(router, o);
    auto r = s.Start();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "cors_origin");
  }
  {
    ServerOptions o;
    o.port = 0;
    o.tls_cert_file = "/nonexistent/cert.pem";
    HttpServer s(router, o);
    auto r = s.Start();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "tls_key");  // only one of the two
  }
  {
    ServerOptions o;
    o.port = 0;
    o.tls_cert_file = "/nonexistent/cert.pem";
    o.tls_key_file = "/nonexistent/key.pem";
    HttpServer s(router, o);
    auto r = s.Start();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::kIo);
    EXPECT_EQ(r.error().field, "tls_cert");
    EXPECT_FALSE(s.tls());
  }
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  uint16_t port = Start();
  Client c(port);
  ASSERT_TRUE(c.Send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
                     "Expect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(c.Send("{\"a\":1}"));
  auto r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":1}");
}

TEST_F(ServerTest, MalformedRequestGets400) {
  uint16_t port = Start();
  Client c(port);
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 400);
}

TEST_F(ServerTest, StaticFilesSpaFallbackAndCacheHeaders) {
  uint16_t port = Start();
  Client c(port);
  auto r = c.Request("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>cx</title>");
  EXPECT_EQ(r.H("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.H("cache-control"), "no-cache");
  EXPECT_EQ(r.H("x-content-type-options"), "nosniff");
  r = c.Request("GET", "/assets/app-3f2a1b.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(r.H("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r.H("cache-control"), "public, max-age=31536000, immutable");
  r = c.Request("GET", "/robots.txt");
  EXPECT_EQ(r.H("content-type"), "text/plain; charset=utf-8");
  // Client-side routes fall back to index.html; missing assets do not.
  r = c.Request("GET", "/projects/12/overview");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>cx</title>");
  EXPECT_EQ(r.H("cache-control"), "no-cache");
  r = c.Request("GET", "/assets/missing-abc.js");
  EXPECT_EQ(r.status, 404);
  // /api paths never fall back to the SPA.
  r = c.Request("GET", "/api/v2/whatever");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.H("content-type"), "application/problem+json");
  // Traversal does not escape the root.
  r = c.Request("GET", "/../../etc/passwd");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("root:"), std::string::npos);
  r = c.Request("GET", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("root:"), std::string::npos);
  r = c.Request("POST", "/index.html", "", "{}");
  EXPECT_EQ(r.status, 405);
  r = c.Request("HEAD", "/assets/app-3f2a1b.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.H("content-length"), "14");
}

TEST_F(ServerTest, ConnectionBoundRefusesWith503) {
  ServerOptions o;
  o.max_connections = 2;
  uint16_t port = Start(o);
  Client a(port), b(port);
  EXPECT_EQ(a.Request("GET", "/api/v1/ping").status, 200);
  EXPECT_EQ(b.Request("GET", "/api/v1/ping").status, 200);
  Client c(port);
  auto r = c.Read();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(server_->open_connections(), 2u);
}

TEST_F(ServerTest, IdleAndSlowClientsAreDisconnected) {
  ServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  o.idle_timeout = std::chrono::milliseconds(300);
  uint16_t port = Start(o);
  Client silent(port);
  Client slowloris(port);
  ASSERT_TRUE(slowloris.Send("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  Client idle(port);
  EXPECT_EQ(idle.Request("GET", "/api/v1/ping").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.ClosedByPeer());
  EXPECT_TRUE(slowloris.ClosedByPeer());
  EXPECT_TRUE(idle.ClosedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST_F(ServerTest, GracefulStopClosesIdleConnectionsQuickly) {
  uint16_t port = Start();
  Client c(port);
  EXPECT_EQ(c.Request("GET", "/api/v1/ping").status, 200);
  auto t0 = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_TRUE(c.ClosedByPeer());
  Client after(port);
  EXPECT_FALSE(after.connected() && after.Request("GET", "/api/v1/ping").ok);
}

TEST_F(ServerTest, StopWaitsForInFlightResponse) {
  uint16_t port = Start();
  Client c(port);
  ASSERT_TRUE(c.Send("POST /api/v1/gated HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  ASSERT_TRUE(WaitGated(1));
  std::thread stopper([this] { server_->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ReleaseGated(201);
  auto r = c.Read();
  stopper.join();
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.H("connection"), "close");
}

// Minimal RFC 6455 client pieces: masked text frames out, unmasked frames in.
std::string WsFrame(const std::string& text) {
  std::string f;
  f += static_cast<char>(0x81);
  f += static_cast<char>(0x80 | text.size());  // tests send < 126 bytes
  const unsigned char mask[4] = {1, 2, 3, 4};
  f.append(reinterpret_cast<const char*>(mask), 4);
  for (size_t i = 0; i < text.size(); ++i) f += static_cast<char>(text[i] ^ mask[i % 4]);
  return f;
}

std::string WsRead(Client& c) {
  auto& b = c.buffer();
  while (b.size() < 2) if (!c.Fill()) return "<eof>";
  size_t len = static_cast<unsigned char>(b[1]) & 0x7f;
  size_t hdr = 2;
  if (len == 126) {
    while (b.size() < 4) if (!c.Fill()) return "<eof>";
    len = (static_cast<unsigned char>(b[2]) << 8) | static_cast<unsigned char>(b[3]);
    hdr = 4;
  }
  while (b.size() < hdr + len) if (!c.Fill()) return "<eof>";
  std::string out = b.substr(hdr, len);
  b.erase(0, hdr + len);
  return out;
}

TEST_F(ServerTest, WebSocketSubscribeAndPublishFromAnotherThread) {
  ServerOptions o;
  o.ws_authorize = [](const auth::Principal& p, const std::string& ch) {
    return ch.rfind("private.", 0) != 0 || p.authenticated;
  };
  uint16_t port = Start(o);
  Client c(port);
  ASSERT_TRUE(c.Send("GET /api/v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n"));
  auto r = c.Read();
  ASSERT_EQ(r.status, 101);
  EXPECT_EQ(r.H("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  ASSERT_TRUE(c.Send(WsFrame(R"({"op":"subscribe","channel":"trades.1"})")));
  EXPECT_EQ(WsRead(c), R"({"type":"subscribed","channel":"trades.1"})");
  ASSERT_TRUE(c.Send(WsFrame(R"({"op":"subscribe","channel":"private.x"})")));
  EXPECT_NE(WsRead(c).find("AUTH_FORBIDDEN"), std::string::npos);
  ASSERT_TRUE(c.Send(WsFrame("nonsense")));
  EXPECT_NE(WsRead(c).find("\"error\""), std::string::npos);
  std::thread pub([this] { EXPECT_EQ(server_->hub().Publish("trades.1", "{\"px\":\"10.00\"}"), 1u); });
  pub.join();
  EXPECT_EQ(WsRead(c), "{\"px\":\"10.00\"}");
  EXPECT_EQ(server_->hub().Publish("trades.2", "x"), 0u);
}

TEST_F(ServerTest, WebSocketWithBadTokenIsRefused) {
  uint16_t port = Start();
  Client c(port);
  ASSERT_TRUE(c.Send("GET /api/v1/ws?access_token=bad.to.ken HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n"));
  auto r = c.Read();
  EXPECT_EQ(r.status, 401);
}

TEST(ServerStart, BusyPortIsAnError) {
  Router router;
  ServerOptions o;
  o.port = 0;
  HttpServer a(router, o);
  auto p = a.Start();
  ASSERT_TRUE(p.ok());
  o.port = *p;
  HttpServer b(router, o);
  // SO_REUSEADDR does not allow two listeners on one port.
  auto q = b.Start();
  EXPECT_FALSE(q.ok());
  ServerOptions bad;
  bad.static_dir = "/nonexistent/dir";
  bad.port = 0;
  HttpServer c(router, bad);
  EXPECT_EQ(c.Start().error().code, Code::kIo);
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(ContentTypeFor("a.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("dir.d/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace cx::api
