// JsonRpcClient over a scripted transport (retries, backoff, batching, status handling) and
// the real HTTP transport against a small socket server in this process (keep-alive,
// reconnect after the server closes, timeouts, Retry-After).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <functional>
#include <thread>

#include <boost/json.hpp>

#include "chain/fake_chain_test_util.h"
#include "chain/rpc.h"
#include "chain/rpc_parse.h"
#include "chain/rpc_transport.h"
#include "chain/sign.h"
#include "chain/tx.h"

namespace cx::chain {
namespace {

namespace json = boost::json;

// Answers with a scripted list; "ECHO" answers every request of the body with its id.
class ScriptedTransport : public RpcTransport {
 public:
  struct Step {
    std::optional<RpcErrc> fail;
    int status = 200;
    std::string body;  // "ECHO" = result = method name for each request
    std::optional<std::chrono::milliseconds> retry_after;
  };
  std::deque<Step> steps;
  std::vector<std::string> bodies;

  Result<HttpReply> Post(std::string_view body) override {
    bodies.emplace_back(body);
    Step s = steps.empty() ? Step{} : steps.front();
    if (!steps.empty()) steps.pop_front();
    if (s.fail) {
      RpcFailure f;
      f.kind = *s.fail;
      f.message = "scripted";
      return ToError(f);
    }
    HttpReply r;
    r.status = s.status;
    r.retry_after = s.retry_after;
    r.body = s.body == "ECHO" || s.body.empty() ? Echo(body) : s.body;
    return r;
  }
  static std::string Echo(std::string_view body) {
    json::value v = json::parse(body);
    auto answer = [](const json::object& o) {
      json::object a;
      a["jsonrpc"] = "2.0";
      a["id"] = o.at("id");
      a["result"] = o.at("method");
      return a;
    };
    if (v.is_object()) return json::serialize(answer(v.as_object()));
    json::array out;
    // Answer in reverse order: ids must be matched, not positions.
    for (auto it = v.as_array().rbegin(); it != v.as_array().rend(); ++it) {
      out.emplace_back(answer(it->as_object()));
    }
    return json::serialize(out);
  }
};

ScriptedTransport::Step FailStep(RpcErrc e) {
  ScriptedTransport::Step s;
  s.fail = e;
  return s;
}
ScriptedTransport::Step HttpStep(int status, std::string body,
                                 std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  ScriptedTransport::Step s;
  s.status = status;
  s.body = std::move(body);
  s.retry_after = retry_after;
  return s;
}

struct Scripted {
  ScriptedTransport* t = nullptr;
  std::vector<std::chrono::milliseconds> sleeps;
  std::unique_ptr<RpcClient> client;
  explicit Scripted(const RpcOptions& o = {}) {
    auto tr = std::make_unique<ScriptedTransport>();
    t = tr.get();
    client = MakeJsonRpcClient(std::move(tr), o, [this](std::chrono::milliseconds d) { sleeps.push_back(d); });
  }
};

TEST(RpcClient, RetriesTransportErrorsAnd5xxThenSucceeds) {
  Scripted s;
  s.t->steps = {FailStep(RpcErrc::kTransport), HttpStep(503, "busy"), HttpStep(200, "ECHO")};
  auto r = s.client->Call("eth_blockNumber");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().as_string(), "eth_blockNumber");
  EXPECT_EQ(s.t->bodies.size(), 3u);
  ASSERT_EQ(s.sleeps.size(), 2u);
  EXPECT_GE(s.sleeps[1], s.sleeps[0]);  // backoff grows (jitter is +-25 %, doubling)
  EXPECT_EQ(GetRpcStats(*s.client).retries, 2u);
}

TEST(RpcClient, NeverRetriesAJsonRpcError) {
  Scripted s;
  s.t->steps = {HttpStep(200, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}})")};
  auto r = s.client->Call("eth_sendRawTransaction", {json::value("0x00")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kNonceTooLow);
  EXPECT_EQ(r.error().code, Code::kChainNonceTooLow);
  EXPECT_EQ(r.error().field, "eth_sendRawTransaction");  // the method at fault
  EXPECT_EQ(s.t->bodies.size(), 1u);
  EXPECT_TRUE(s.sleeps.empty());
}

TEST(RpcClient, JsonRpcErrorInA500IsFinal) {
  Scripted s;
  s.t->steps = {HttpStep(500, R"({"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted"}})")};
  auto r = s.client->Call("eth_call");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kReverted);
  EXPECT_EQ(r.error().code, Code::kChainReverted);
  EXPECT_EQ(r.error().field, "eth_call");
  EXPECT_EQ(s.t->bodies.size(), 1u);
}

TEST(RpcClient, RateLimitedAfterAllAttemptsHonoursRetryAfter) {
  RpcOptions o;
  o.max_attempts = 3;
  Scripted s(o);
  for (int i = 0; i < 3; ++i) s.t->steps.push_back(HttpStep(429, "slow down", std::chrono::milliseconds(2000)));
  auto r = s.client->Call("eth_blockNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kRateLimited);
  EXPECT_EQ(r.error().code, Code::kChainUnavailable);  // the node throttles us: 503 to our clients
  EXPECT_EQ(r.error().field, "eth_blockNumber");
  EXPECT_EQ(RpcFailureOf(r.error()).http_status, 429);
  ASSERT_EQ(s.sleeps.size(), 2u);
  EXPECT_GE(s.sleeps[0], std::chrono::milliseconds(2000));
  EXPECT_EQ(s.t->bodies.size(), 3u);
}

TEST(RpcClient, Http4xxIsFinal) {
  Scripted s;
  s.t->steps = {HttpStep(401, "unauthorized")};
  auto r = s.client->Call("eth_blockNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kHttpStatus);
  EXPECT_EQ(s.t->bodies.size(), 1u);
}

TEST(RpcClient, TimeoutsAreRetriedThenReported) {
  RpcOptions o;
  o.max_attempts = 2;
  Scripted s(o);
  s.t->steps = {FailStep(RpcErrc::kTimeout), FailStep(RpcErrc::kTimeout)};
  auto r = s.client->Call("eth_blockNumber");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTimeout);
  EXPECT_EQ(r.error().code, Code::kChainUnavailable);
  EXPECT_EQ(CodeName(r.error().code), "CHAIN_UNAVAILABLE");
  EXPECT_EQ(GetRpcStats(*s.client).failures, 1u);
}

TEST(RpcClient, BatchesAreSplitAndMatched) {
  RpcOptions o;
  o.max_batch = 3;
  Scripted s(o);
  std::vector<RpcRequest> reqs;
  for (int i = 0; i < 7; ++i) reqs.push_back({"m" + std::to_string(i), {}});
  auto r = s.client->CallBatch(reqs);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(r.value()[i].value().as_string(), "m" + std::to_string(i));
  EXPECT_EQ(s.t->bodies.size(), 3u);  // 3 + 3 + 1 (the last one as a single request)
  EXPECT_EQ(s.t->bodies[2].front(), '{');
}

TEST(RpcClient, SendRawTransactionIsIdempotent) {
  testing::FakeChain chain;
  auto key = ParsePrivateKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").value();
  TxFields f;
  f.chain_id = 31337;
  f.to = testing::A(7);
  f.max_fee_per_gas = 3000000000;
  f.max_priority_fee_per_gas = 1000000000;
  auto tx = SignTx(f, key).value();
  auto h1 = chain.SendRawTransaction(tx.raw);
  ASSERT_TRUE(h1.ok()) << h1.error().message;
  EXPECT_EQ(h1.value(), tx.hash);
  auto h2 = chain.SendRawTransaction(tx.raw);  // "already known"
  ASSERT_TRUE(h2.ok()) << h2.error().message;
  chain.Mine();
  auto h3 = chain.SendRawTransaction(tx.raw);  // "nonce too low", but it is this very tx
  ASSERT_TRUE(h3.ok()) << h3.error().message;
  // A different transaction with the same, used nonce is a real "nonce too low".
  f.value = 1;
  auto other = SignTx(f, key).value();
  auto h4 = chain.SendRawTransaction(other.raw);
  ASSERT_FALSE(h4.ok());
  EXPECT_EQ(RpcErrcOf(h4.error()), RpcErrc::kNonceTooLow);
}

// ---- the real HTTP transport against a socket server ------------------------------------

// A one-thread HTTP/1.1 server: reads a request, calls `handler(body, conn_index)` which
// returns the raw HTTP response to write (empty = close without answering, "HANG" = never
// answer); `close_after` closes the connection after answering.
class TinyServer {
 public:
  using Handler = std::function<std::string(const std::string& body, int request_no)>;
  explicit TinyServer(Handler h, bool close_after = false) : handler_(std::move(h)), close_after_(close_after) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Loop(); });
  }
  ~TinyServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/rpc"; }

 private:
  void Loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      ++connections_;
      std::string buf;
      bool open = true;
      while (open && !stop_) {
        size_t hdr_end;
        while ((hdr_end = buf.find("\r\n\r\n")) == std::string::npos) {
          char tmp[4096];
          ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
          if (n <= 0) { open = false; break; }
          buf.append(tmp, static_cast<size_t>(n));
        }
        if (!open) break;
        size_t cl = 0;
        auto p = buf.find("Content-Length: ");
        if (p == std::string::npos) p = buf.find("content-length: ");
        if (p != std::string::npos) cl = std::stoul(buf.substr(p + 16));
        while (buf.size() < hdr_end + 4 + cl) {
          char tmp[4096];
          ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
          if (n <= 0) { open = false; break; }
          buf.append(tmp, static_cast<size_t>(n));
        }
        if (!open) break;
        std::string body = buf.substr(hdr_end + 4, cl);
        buf.erase(0, hdr_end + 4 + cl);
        std::string resp = handler_(body, requests_++);
        if (resp == "HANG") {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        }
        if (resp.empty()) break;
        ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
        if (close_after_) break;
      }
      ::close(c);
    }
  }
  Handler handler_;
  bool close_after_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

std::string HttpOk(const std::string& body, int status = 200, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(RpcHttp, KeepAliveReusesOneConnection) {
  TinyServer srv([](const std::string& body, int) { return HttpOk(ScriptedTransport::Echo(body)); });
  auto c = MakeHttpRpcClient(srv.url()).value();
  for (int i = 0; i < 20; ++i) {
    auto r = c->Call("eth_chainId");
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<RpcRequest> reqs(5, RpcRequest{"eth_blockNumber", {}});
  auto b = c->CallBatch(reqs);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().size(), 5u);
  EXPECT_EQ(srv.connections(), 1);
  EXPECT_EQ(GetRpcStats(*c).http_exchanges, 21u);
}

TEST(RpcHttp, ReconnectsWhenTheServerClosedTheConnection) {
  TinyServer srv([](const std::string& body, int) { return HttpOk(ScriptedTransport::Echo(body)); },
                 /*close_after=*/true);
  auto c = MakeHttpRpcClient(srv.url()).value();
  for (int i = 0; i < 5; ++i) {
    auto r = c->Call("eth_chainId");
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  EXPECT_EQ(srv.connections(), 5);
  EXPECT_EQ(GetRpcStats(*c).retries, 0u);
}

TEST(RpcHttp, RetriesA503ThenSucceeds) {
  TinyServer srv([](const std::string& body, int n) {
    if (n < 2) return HttpOk("overloaded", 503);
    return HttpOk(ScriptedTransport::Echo(body));
  });
  RpcOptions o;
  o.backoff_initial = std::chrono::milliseconds(5);
  auto c = MakeHttpRpcClient(srv.url(), o).value();
  auto r = c->Call("eth_chainId");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(GetRpcStats(*c).retries, 2u);
}

TEST(RpcHttp, TimesOutOnASilentServer) {
  TinyServer srv([](const std::string&, int) { return std::string("HANG"); });
  RpcOptions o;
  o.timeout = std::chrono::milliseconds(200);
  o.max_attempts = 1;
  auto c = MakeHttpRpcClient(srv.url(), o).value();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c->Call("eth_chainId");
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTimeout);
  EXPECT_LT(took, std::chrono::milliseconds(2000));
}

TEST(RpcHttp, ConnectionRefusedIsATransportError) {
  int port = 0;
  {
    TinyServer srv([](const std::string&, int) { return std::string(); });
    port = srv.port();
  }
  RpcOptions o;
  o.max_attempts = 2;
  o.backoff_initial = std::chrono::milliseconds(1);
  auto c = MakeHttpRpcClient("http://127.0.0.1:" + std::to_string(port), o).value();
  auto r = c->Call("eth_chainId");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTransport);
}

TEST(RpcHttp, BadUrlsAreRefused) {
  for (std::string_view u : {"ftp://x", "http://", "http://host:99999", "http://h:x/", "http://a b/",
                             "http://[::1"}) {
    auto c = MakeHttpRpcClient(u);
    ASSERT_FALSE(c.ok()) << u;
    EXPECT_EQ(RpcErrcOf(c.error()), RpcErrc::kBadUrl) << u;
  }
  EXPECT_TRUE(MakeHttpRpcClient("https://user:p%40ss@rpc.example.org/v1?k=1").ok());
  EXPECT_TRUE(MakeHttpRpcClient("http://[::1]:8545").ok());
}

TEST(RpcHttp, OversizedAnswerIsRefused) {
  TinyServer srv([](const std::string&, int) { return HttpOk(std::string(100000, ' ')); });
  RpcOptions o;
  o.max_response_bytes = 1000;
  o.max_attempts = 1;
  auto c = MakeHttpRpcClient(srv.url(), o).value();
  auto r = c->Call("eth_chainId");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kBadResponse);
}

}  // namespace
}  // namespace cx::chain
