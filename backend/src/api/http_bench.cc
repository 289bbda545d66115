// HTTP edge benchmarks, printed as "BENCH <name> <value> <unit>":
//   http_keepalive_req_per_s  GET of a tiny public JSON route over C keep-alive connections
//   http_auth_req_per_s       same with a JWT verified and a role checked per request
//   login_per_s               argon2id (m=19 MiB, t=2, p=1) verifications per second, 1 thread
//   jwt_verify_per_s          HS256 access-token verifications per second, 1 thread
// Clients use plain blocking sockets in the same process (no Beast here).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "api/http_server.h"
#include "auth/jwt.h"
#include "auth/password.h"

using namespace cx;
using namespace cx::api;
using Clock = std::chrono::steady_clock;

namespace {

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Sends `req` repeatedly on one connection for `dur`; returns completed responses.
int64_t Hammer(uint16_t port, const std::string& req, std::chrono::milliseconds dur,
               std::atomic<bool>& failed) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    failed = true;
    ::close(fd);
    return 0;
  }
  int64_t done = 0;
  std::string buf;
  char tmp[16384];
  auto end = Clock::now() + dur;
  while (Clock::now() < end) {
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      failed = true;
      break;
    }
    // Read one response: headers, then Content-Length bytes.
    for (;;) {
      size_t he = buf.find("\r\n\r\n");
      if (he != std::string::npos) {
        size_t cl = buf.find("Content-Length: ");
        size_t len = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
        if (buf.size() >= he + 4 + len) {
          if (buf.compare(0, 12, "HTTP/1.1 200") != 0) failed = true;
          buf.erase(0, he + 4 + len);
          break;
        }
      }
      ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) {
        failed = true;
        ::close(fd);
        return done;
      }
      buf.append(tmp, static_cast<size_t>(n));
    }
    ++done;
  }
  ::close(fd);
  return done;
}

double RunHttp(uint16_t port, const std::string& req, int conns, std::chrono::milliseconds dur) {
  std::atomic<bool> failed{false};
  std::vector<std::thread> ts;
  std::vector<int64_t> counts(conns);
  auto t0 = Clock::now();
  ts.reserve(static_cast<size_t>(conns));
  for (int i = 0; i < conns; ++i)
    ts.emplace_back([&, i] { counts[i] = Hammer(port, req, dur, failed); });
  for (auto& t : ts) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (failed) {
    std::fprintf(stderr, "http bench: a request failed\n");
    return -1;
  }
  int64_t total = 0;
  for (auto c : counts) total += c;
  return static_cast<double>(total) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  int ms = argc > 1 ? static_cast<int>(std::strtol(argv[1], nullptr, 10)) : 2000;
  auto jwt = std::move(auth::JwtCodec::Create(std::string(32, 'b'), 900)).value();
  Router router;
  router.SetAuthenticator([&jwt](std::string_view t) -> Result<auth::Principal> {
    CX_ASSIGN_OR_RETURN(auto c, jwt.Verify(t, NowS()));
    return c.ToPrincipal();
  });
  auto pong = [](HttpRequest&&, const auth::Principal&, Responder r) {
    r(HttpResponse::Json(200, "{\"ok\":true}"));
  };
  (void)router.Add(RouteSpec(Method::kGet, "/api/v1/ping", Access::Public(), pong));
  (void)router.Add(RouteSpec(Method::kGet, "/api/v1/me", Access::Roles({auth::Role::kTrader}), pong));
  ServerOptions opt;
  opt.port = 0;
  opt.io_threads = 2;
  HttpServer server(router, opt);
  auto port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.error().message.c_str());
    return 1;
  }
  std::string ping = "GET /api/v1/ping HTTP/1.1\r\nHost: b\r\n\r\n";
  std::string tok = *jwt.Issue(1, {auth::Role::kTrader}, NowS());
  std::string me = "GET /api/v1/me HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer " + tok + "\r\n\r\n";
  double r1 = RunHttp(*port, ping, 4, std::chrono::milliseconds(ms));
  double r2 = RunHttp(*port, me, 4, std::chrono::milliseconds(ms));
  server.Stop();
  if (r1 < 0 || r2 < 0) return 1;
  std::printf("BENCH http_keepalive_req_per_s %.0f req/s\n", r1);
  std::printf("BENCH http_auth_req_per_s %.0f req/s\n", r2);

  auto t0 = Clock::now();
  int verified = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    if (jwt.Verify(tok, NowS()).ok()) ++verified;
    if ((i & 1023) == 0 && Clock::now() - t0 > std::chrono::milliseconds(ms / 2)) break;
  }
  std::printf("BENCH jwt_verify_per_s %.0f ops/s\n",
              verified / std::chrono::duration<double>(Clock::now() - t0).count());

  auto hash = std::move(auth::HashPassword("correct horse battery staple")).value();
  t0 = Clock::now();
  int logins = 0;
  while (Clock::now() - t0 < std::chrono::milliseconds(ms / 2) || logins < 3) {
    if (!auth::VerifyPassword("correct horse battery staple", hash)) return 1;
    ++logins;
  }
  std::fprintf(stderr, "login_per_s: argon2id m=19456 KiB, t=2, p=1, one thread\n");
  std::printf("BENCH login_per_s %.1f logins/s\n",
              logins / std::chrono::duration<double>(Clock::now() - t0).count());
  return 0;
}
