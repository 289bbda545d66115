// RedisBus against a real redis-server started here (free port, temp dir), plain and TLS
// (a throwaway CA made with the openssl command). Skipped when redis-server is missing.
#include "app/redis_bus.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app/redis_client.h"

namespace cx::app {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool HaveRedis() {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= p.size();) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    if (fs::exists(fs::path(p.substr(start, end - start)) / "redis-server")) return true;
    start = end + 1;
  }
  return false;
}

// Runs argv (no shell) in `dir` with output discarded; true on exit status 0.
bool Run(const std::string& dir, std::vector<std::string> args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// One redis-server process; Start() may be called again after Stop() (same port, same dir).
class RedisServer {
 public:
  explicit RedisServer(bool tls) : tls_(tls) {
    dir_ = fs::temp_directory_path() / ("cx-redis-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    port_ = FreePort();
    if (tls_) {
      std::string d = dir_.string();
      {
        std::ofstream ext(dir_ / "ext.cnf");
        ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
      }
      ok_ = Run(d, {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                    "-days", "1", "-subj", "/CN=cx-test-ca"}) &&
            Run(d, {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj",
                    "/CN=localhost"}) &&
            Run(d, {"openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", "srv.crt", "-days", "1", "-extfile", "ext.cnf"});
    }
  }
  ~RedisServer() {
    Stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool Start() {
    std::string port = std::to_string(port_);
    std::string d = dir_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<std::string> args = {"redis-server", "--bind", "127.0.0.1", "--dir", d, "--save", "", "--appendonly", "no"};
      if (tls_) {
        args.insert(args.end(), {"--port", "0", "--tls-port", port, "--tls-cert-file", d + "/srv.crt", "--tls-key-file",
                                 d + "/srv.key", "--tls-ca-cert-file", d + "/ca.crt", "--tls-auth-clients", "no"});
      } else {
        args.insert(args.end(), {"--port", port});
      }
      args.insert(args.end(), {"--logfile", d + "/redis.log"});
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      auto c = RedisConnection::Dial(url(), 200ms);
      if (c.ok()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  RedisUrl url() const {
    RedisUrl u;
    u.host = "127.0.0.1";
    u.port = port_;
    if (tls_) {
      u.tls = true;
      u.ca_file = (dir_ / "ca.crt").string();
    }
    return u;
  }
  bool ok() const { return ok_; }
  const fs::path& dir() const { return dir_; }

 private:
  static inline int counter_ = 0;
  bool tls_;
  bool ok_ = true;
  fs::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

std::unique_ptr<RedisBus> Bus(const RedisUrl& u, const std::string& node) {
  RedisBusOptions o;
  o.url = u;
  o.node_id = node;
  auto b = RedisBus::Start(o);
  EXPECT_TRUE(b.ok());
  return std::move(*b);
}

template <class F>
bool Eventually(F f, std::chrono::milliseconds limit = 5000ms) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return f();
}

TEST(RedisUrl, ParsesForms) {
  auto u = ParseRedisUrl("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 2);
  u = ParseRedisUrl("rediss://user:p%40ss@redis.example.com?ca=/etc/ca.pem");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->user, "user");
  EXPECT_EQ(u->password, "p@ss");
  EXPECT_EQ(u->host, "redis.example.com");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->ca_file, "/etc/ca.pem");
  EXPECT_FALSE(ParseRedisUrl("http://x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://:99999").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h:1/x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h?ca=/x").ok());  // ca needs rediss
  EXPECT_FALSE(ParseRedisUrl("rediss://h?cert=/x").ok());  // cert without key
  EXPECT_EQ(ParseRedisUrl("redis://h?x=1").error().code, Code::kInvalidField);
}

void PubSubAcrossTwoBuses(RedisServer& srv) {
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  std::mutex mu;
  std::vector<std::string> got;
  b->Subscribe("chan", [&](const std::string&, const std::string& p) {
    std::lock_guard l(mu);
    got.push_back(p);
  });
  ASSERT_TRUE(b->WaitUp(3000ms));
  // The subscription is sent by the subscriber thread: publish until it is seen.
  ASSERT_TRUE(Eventually([&] {
    a->Publish("chan", "hello");
    std::this_thread::sleep_for(30ms);
    std::lock_guard l(mu);
    return !got.empty();
  }));
  auto r = a->Command({"SET", "k", "v"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto g = b->Command({"GET", "k"});
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->str, "v");
  auto bad = a->Command({"NOSUCHCOMMAND"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kInternal);
}

TEST(RedisBus, PublishReachesTheOtherBusAndCommandsWork) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  PubSubAcrossTwoBuses(srv);
}

TEST(RedisBus, TlsWithCaVerification) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(true);
  ASSERT_TRUE(srv.ok()) << "openssl could not make the test CA";
  PubSubAcrossTwoBuses(srv);
  // A client trusting another CA is refused.
  RedisServer other(true);
  RedisUrl u = srv.url();
  u.ca_file = (other.dir() / "ca.crt").string();
  auto c = RedisConnection::Dial(u, 1000ms);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::kUnavailable);
  // And a name the certificate does not carry is refused.
  u = srv.url();
  u.sni = "evil.example.com";
  EXPECT_FALSE(RedisConnection::Dial(u, 1000ms).ok());
}

TEST(RedisBus, ReconnectsAndResubscribesAfterRestart) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  std::atomic<int> got{0}, resubs{0};
  b->Subscribe("c", [&](const std::string&, const std::string&) { ++got; }, [&] { ++resubs; });
  ASSERT_TRUE(Eventually([&] {
    a->Publish("c", "x");
    std::this_thread::sleep_for(30ms);
    return got > 0;
  }));
  srv.Stop();
  ASSERT_TRUE(Eventually([&] { return !b->up(); }));
  EXPECT_FALSE(a->Command({"PING"}).ok());
  ASSERT_TRUE(srv.Start());
  ASSERT_TRUE(Eventually([&] { return b->up() && resubs > 0; }, 8000ms));
  int before = got;
  ASSERT_TRUE(Eventually([&] {
    a->Publish("c", "y");
    std::this_thread::sleep_for(30ms);
    return got > before;
  }, 8000ms));
  // Commands fail fast for 250 ms after a failed dial, then use a fresh connection.
  EXPECT_TRUE(Eventually([&] { return a->Command({"PING"}).ok(); }, 2000ms));
}

TEST(RedisUses, SharedRateLimitIsShared) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  ASSERT_TRUE(a->WaitUp(3000ms) && b->WaitUp(3000ms));
  auto la = SharedRateLimiter::Create(a.get(), "user", 4, 1);
  auto lb = SharedRateLimiter::Create(b.get(), "user", 4, 1);
  ASSERT_TRUE(la.ok() && lb.ok());
  const int64_t now = 1'000'000;
  int allowed = 0;
  for (int i = 0; i < 4; ++i) {
    auto ca = (*la)->Acquire("u1", now);
    auto cb = (*lb)->Acquire("u1", now);
    EXPECT_TRUE(ca.shared && cb.shared);
    allowed += ca.allowed + cb.allowed;
  }
  EXPECT_EQ(allowed, 4);  // burst 4 shared by both nodes, not 4 each
  auto refused = (*la)->Acquire("u1", now);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GE(refused.retry_after_s, 1);
  EXPECT_TRUE((*lb)->Acquire("u1", now + 1000).allowed);  // one token per second
  EXPECT_TRUE((*lb)->Acquire("u2", now).allowed);         // other key, own bucket
  // Redis gone: local buckets answer (not shared).
  srv.Stop();
  ASSERT_TRUE(Eventually([&] { return !a->up(); }));
  auto local = (*la)->Acquire("u1", now);
  EXPECT_FALSE(local.shared);
  EXPECT_TRUE(local.allowed);
}

TEST(RedisUses, RevocationSeenByBothNodes) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  RevocationList ra(a.get()), rb(b.get());
  ASSERT_TRUE(a->WaitUp(3000ms) && b->WaitUp(3000ms));
  std::this_thread::sleep_for(200ms);  // subscriptions in place
  const int64_t now = std::time(nullptr);
  ra.Revoke("jti-1", now + 600, now);
  EXPECT_TRUE(ra.IsRevoked("jti-1", now));
  ASSERT_TRUE(Eventually([&] { return rb.IsRevoked("jti-1", now); }));
  EXPECT_FALSE(rb.IsRevoked("jti-2", now));
  EXPECT_FALSE(rb.IsRevoked("jti-1", now + 601));  // past the token's life
  // A node started later loads the deny-list from Redis.
  auto c = Bus(srv.url(), "c");
  RevocationList rc(c.get());
  ASSERT_TRUE(Eventually([&] { return rc.IsRevoked("jti-1", now); }));
  auto ttl = a->Command({"TTL", "cx:revoked:jti-1"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 590);
  EXPECT_LE(ttl->integer, 600);
}

TEST(RedisUses, ReplayCacheSharedAndReadModelCacheBySeq) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  ASSERT_TRUE(a->WaitUp(3000ms) && b->WaitUp(3000ms));
  SharedReplayCache pa(a.get()), pb(b.get());
  EXPECT_EQ(pa.CheckAndRemember("sig1", 10'000), std::optional<bool>(true));
  EXPECT_EQ(pb.CheckAndRemember("sig1", 10'000), std::optional<bool>(false));  // replay on the other node
  EXPECT_EQ(pb.CheckAndRemember("sig2", 10'000), std::optional<bool>(true));
  SharedReplayCache none(nullptr);
  EXPECT_EQ(none.CheckAndRemember("sig1", 10'000), std::nullopt);

  ReadModelCache ca(a.get()), cb(b.get());
  ca.Put("/api/v1/market/summary", 42, "{\"x\":1}");
  EXPECT_EQ(cb.Get("/api/v1/market/summary", 42), std::optional<std::string>("{\"x\":1}"));  // via Redis
  EXPECT_EQ(cb.Get("/api/v1/market/summary", 43), std::nullopt);  // a newer seq: invalidated
  ReadModelCache local(nullptr, std::chrono::seconds(60), 2);
  local.Put("/p", 1, "a");
  local.Put("/q", 1, "b");
  local.Put("/r", 1, "c");  // evicts /p
  EXPECT_EQ(local.Get("/p", 1), std::nullopt);
  EXPECT_EQ(local.Get("/r", 1), std::optional<std::string>("c"));
}

TEST(RedisUses, FanoutDeliversOnceAndResyncsOnGap) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server not installed";
  RedisServer srv(false);
  ASSERT_TRUE(srv.Start());
  auto a = Bus(srv.url(), "a");
  auto b = Bus(srv.url(), "b");
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> on_b;
  MarketFanout::Hub hub_b{[&](const std::string& ch, std::string t) {
                            std::lock_guard l(mu);
                            on_b.emplace_back(ch, std::move(t));
                            return size_t{1};
                          },
                          [] { return std::vector<std::string>{"trades:1"}; }};
  MarketFanout fb(b.get(), hub_b);
  MarketFanout fa(a.get(), MarketFanout::Hub{[](const std::string&, std::string) { return size_t{0}; }, {}});
  ASSERT_TRUE(a->WaitUp(3000ms) && b->WaitUp(3000ms));
  std::this_thread::sleep_for(300ms);
  fa.Emit(7, {{"trades:1", "{\"seq\":1}"}, {"bbo:1", "{\"seq\":1}"}});
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard l(mu);
    return on_b.size() == 2;
  }));
  EXPECT_EQ(on_b[0].first, "trades:1");
  EXPECT_EQ(fb.last_seq_seen(), 7u);
  // A duplicate envelope (a publisher's retry) is dropped; a gap triggers a resync notice.
  auto env = [](int n) {
    return "{\"node\":\"x\",\"n\":" + std::to_string(n) + ",\"seq\":9,\"msgs\":[[\"trades:1\",\"m" + std::to_string(n) + "\"]]}";
  };
  a->Publish("cx:md", env(1));
  a->Publish("cx:md", env(1));
  a->Publish("cx:md", env(3));
  ASSERT_TRUE(Eventually([&] { return fb.duplicates_dropped() == 1 && fb.resyncs_sent() == 1; }));
  std::lock_guard l(mu);
  ASSERT_EQ(on_b.size(), 5u);  // 2 + m1 + resync + m3
  EXPECT_EQ(on_b[2].second, "m1");
  EXPECT_NE(on_b[3].second.find("\"resync\""), std::string::npos);
  EXPECT_EQ(on_b[4].second, "m3");
}

TEST(RedisUses, WithoutRedisEverythingIsLocal) {
  std::vector<std::string> got;
  MarketFanout f(nullptr, MarketFanout::Hub{[&](const std::string&, std::string t) {
                                              got.push_back(std::move(t));
                                              return size_t{1};
                                            },
                                            {}});
  f.Emit(1, {{"trades:1", "a"}});
  EXPECT_EQ(got, std::vector<std::string>{"a"});
  auto l = SharedRateLimiter::Create(nullptr, "ip", 1, 1);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE((*l)->Acquire("k", 0).allowed);
  EXPECT_FALSE((*l)->Acquire("k", 0).allowed);
  EXPECT_FALSE((*l)->Acquire("k", 0).shared);
  EXPECT_FALSE(SharedRateLimiter::Create(nullptr, "ip", 0, 1).ok());
  RevocationList r(nullptr);
  r.Revoke("j", 100, 50);
  EXPECT_TRUE(r.IsRevoked("j", 60));
  // A bus pointed at a closed port starts, stays down, and fails commands fast.
  RedisUrl u;
  u.port = FreePort();
  auto b = Bus(u, "down");
  EXPECT_FALSE(b->WaitUp(300ms));
  auto t0 = std::chrono::steady_clock::now();
  auto c = b->Command({"PING"});
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
}

}  // namespace
}  // namespace cx::app
