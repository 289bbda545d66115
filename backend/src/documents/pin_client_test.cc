// Pinning client and durable queue, tested against StandInKuboServer: a small HTTP server
// written here that stands in for kubo's RPC API (kubo itself cannot run on these
// machines). It is NOT kubo: it implements just /api/v0/add (multipart upload; the CID it
// reports is computed with this module's importer, whose equality with the reference
// JavaScript importer is tested separately) and /api/v0/pin/add, and it can inject faults.
#include "documents/pin_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "documents/doc_cli.h"
#include "documents/document_store.h"
#include "documents/errors.h"
#include "documents/importer.h"
#include "documents/pin_service.h"
#include "documents/test_util.h"

namespace cx::documents {
namespace {

using testing::Pattern;
using testing::TempDir;

class StandInKuboServer {
 public:
  // kHttp500 and kCloseWithoutReply hit the next request; kWrongCid the next add;
  // kPinRefused the next pin/add.
  enum class Fault { kHttp500, kCloseWithoutReply, kWrongCid, kPinRefused };

  StandInKuboServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~StandInKuboServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void AddFaults(std::initializer_list<Fault> f) {
    std::lock_guard<std::mutex> lk(mu_);
    faults_.insert(faults_.end(), f);
  }
  std::set<std::string> pins() {
    std::lock_guard<std::mutex> lk(mu_);
    return pins_;
  }
  std::map<std::string, std::string> added() {
    std::lock_guard<std::mutex> lk(mu_);
    return added_;
  }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Handle(c);
      ::close(c);
    }
  }

  static bool ReadRequest(int c, std::string& head, std::string& body) {
    std::string buf;
    char tmp[65536];
    size_t end = std::string::npos;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
    head = buf.substr(0, end);
    body = buf.substr(end + 4);
    size_t cl = head.find("Content-Length: ");
    size_t want = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
    while (body.size() < want) {
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      body.append(tmp, static_cast<size_t>(n));
    }
    return true;
  }

  static void Reply(int c, int status, const std::string& json) {
    // Chunked, as kubo streams its replies.
    char size[32];
    std::snprintf(size, sizeof size, "%zx", json.size());
    std::string r = "HTTP/1.1 " + std::to_string(status) +
                    (status == 200 ? " OK" : " Internal Server Error") +
                    "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                    "Connection: close\r\n\r\n" +
                    size + "\r\n" + json + "\r\n0\r\n\r\n";
    ::send(c, r.data(), r.size(), MSG_NOSIGNAL);
  }

  void Handle(int c) {
    std::string head, body;
    if (!ReadRequest(c, head, body)) return;
    ++requests_;
    // The next fault applies to this request unless it targets the other endpoint.
    bool is_add = head.rfind("POST /api/v0/add?", 0) == 0;
    std::optional<Fault> fault;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!faults_.empty()) {
        Fault f = faults_.front();
        bool applies = (f != Fault::kWrongCid || is_add) && (f != Fault::kPinRefused || !is_add);
        if (applies) {
          fault = f;
          faults_.pop_front();
        }
      }
    }
    if (fault == Fault::kCloseWithoutReply) return;
    if (fault == Fault::kHttp500) {
      Reply(c, 500, R"({"Message":"stand-in: injected failure","Code":0,"Type":"error"})");
      return;
    }
    if (head.rfind("POST /api/v0/add?", 0) == 0) {
      EXPECT_NE(head.find("cid-version=1"), std::string::npos);
      EXPECT_NE(head.find("raw-leaves=true"), std::string::npos);
      size_t b = head.find("boundary=");
      std::string boundary = "--" + head.substr(b + 9, head.find("\r\n", b) - b - 9);
      size_t start = body.find("\r\n\r\n") + 4;
      size_t stop = body.rfind("\r\n" + boundary + "--");
      EXPECT_EQ(body.rfind(boundary + "\r\n", 0), 0u);
      std::string content = body.substr(start, stop - start);
      std::string cid = ComputeCid(content)->root.ToString();
      if (fault == Fault::kWrongCid) cid = Cid::Of(Codec::kRaw, "other").ToString();
      {
        std::lock_guard<std::mutex> lk(mu_);
        added_[cid] = content;
      }
      Reply(c, 200, R"({"Name":"document","Hash":")" + cid + R"(","Size":")" +
                        std::to_string(content.size()) + "\"}\n");
      return;
    }
    if (head.rfind("POST /api/v0/pin/add?arg=", 0) == 0) {
      std::string cid = head.substr(25, head.find(' ', 25) - 25);
      std::lock_guard<std::mutex> lk(mu_);
      if (fault == Fault::kPinRefused || !added_.count(cid)) {
        Reply(c, 500, R"({"Message":"block was not found locally, offline","Code":0,"Type":"error"})");
        return;
      }
      pins_.insert(cid);
      Reply(c, 200, R"({"Pins":[")" + cid + R"("]})");
      return;
    }
    Reply(c, 500, R"({"Message":"unknown endpoint"})");
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::deque<Fault> faults_;
  std::set<std::string> pins_;
  std::map<std::string, std::string> added_;
  std::thread thread_;
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<DocumentStore> store;
  Fixture(std::optional<MasterKey> key = std::nullopt) {
    store = std::move(DocumentStore::Open({dir.path(), std::move(key)})).value();
  }
  PinQueue Queue() { return std::move(PinQueue::Open(dir.path() + "/pins")).value(); }
};

TEST(PinWorker, RetriesWithBackoffUntilPinnedAndTheQueueSurvivesReopening) {
  StandInKuboServer kubo;
  Fixture f;
  std::string data = Pattern(3 * kChunkSize + 1);
  auto info = f.store->PutBytes(data, {});
  ASSERT_TRUE(info.ok());
  auto client = KuboClient::Create(kubo.url(), 2000);
  ASSERT_TRUE(client.ok());

  kubo.AddFaults({StandInKuboServer::Fault::kCloseWithoutReply,
                  StandInKuboServer::Fault::kHttp500});
  {
    PinQueue q = f.Queue();
    ASSERT_TRUE(q.Enqueue(info->cid, 1000).ok());
    ASSERT_TRUE(q.Enqueue(info->cid, 1001).ok());  // idempotent
    PinWorker w(f.store.get(), &q, &*client, RetryPolicy{10, 25});
    auto s1 = w.RunOnce(1000);
    ASSERT_TRUE(s1.ok());
    EXPECT_EQ(s1->failed, 1u);
    auto p = q.Get(info->cid);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->attempts, 1u);
    EXPECT_EQ(p->next_attempt_unix, 1010);
    EXPECT_FALSE(p->last_error.empty());

    auto s2 = w.RunOnce(1005);  // not due yet
    EXPECT_EQ(s2->not_due, 1u);
    EXPECT_EQ(kubo.requests(), 1);

    auto s3 = w.RunOnce(1010);
    EXPECT_EQ(s3->failed, 1u);
    p = q.Get(info->cid);
    EXPECT_EQ(p->attempts, 2u);
    EXPECT_EQ(p->next_attempt_unix, 1030);
    EXPECT_NE(p->last_error.find("injected failure"), std::string::npos) << p->last_error;
  }
  // A new process: the pending pin is still on disk with its history.
  PinQueue q = f.Queue();
  auto list = q.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].cid, info->cid);
  EXPECT_EQ((*list)[0].attempts, 2u);
  EXPECT_EQ((*list)[0].enqueued_unix, 1000);

  PinWorker w(f.store.get(), &q, &*client, RetryPolicy{10, 25});
  auto s4 = w.RunOnce(1030);
  ASSERT_TRUE(s4.ok());
  EXPECT_EQ(s4->pinned, 1u);
  EXPECT_TRUE(q.List()->empty());
  EXPECT_EQ(kubo.pins(), std::set<std::string>{info->cid.ToString()});
  EXPECT_EQ(kubo.added()[info->cid.ToString()], data);
}

TEST(PinWorker, ANodeReportingAnotherCidIsAFailure) {
  StandInKuboServer kubo;
  Fixture f;
  auto info = f.store->PutBytes("hello world\n", {});
  auto client = KuboClient::Create(kubo.url(), 2000);
  PinQueue q = f.Queue();
  ASSERT_TRUE(q.Enqueue(info->cid, 0).ok());
  kubo.AddFaults({StandInKuboServer::Fault::kWrongCid});
  PinWorker w(f.store.get(), &q, &*client);
  EXPECT_EQ(w.RunOnce(0)->failed, 1u);
  EXPECT_NE(q.Get(info->cid)->last_error.find("computed"), std::string::npos);
  EXPECT_TRUE(kubo.pins().empty());
  // pin/add refused after a good add: still pending, then pinned on the next try.
  kubo.AddFaults({StandInKuboServer::Fault::kPinRefused});
  EXPECT_EQ(w.RunOnce(1000)->failed, 1u);
  EXPECT_EQ(q.Get(info->cid)->attempts, 2u);
  EXPECT_NE(q.Get(info->cid)->last_error.find("pin/add"), std::string::npos);
  EXPECT_EQ(w.RunOnce(5000)->pinned, 1u);
}

TEST(PinWorker, UnreachableNodeIsRecordedNotLost) {
  // A port with nothing listening: bind, read the port, close.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  Fixture f;
  auto info = f.store->PutBytes("x", {});
  auto client = KuboClient::Create("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), 1000);
  PinQueue q = f.Queue();
  ASSERT_TRUE(q.Enqueue(info->cid, 0).ok());
  PinWorker w(f.store.get(), &q, &*client);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(w.RunOnce(i * 100000)->failed, 1u);
  auto p = q.Get(info->cid);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->attempts, 3u);
  EXPECT_NE(p->last_error.find("connect"), std::string::npos) << p->last_error;
}

TEST(PinWorker, PrivateDocumentsArePinnedAsCiphertext) {
  StandInKuboServer kubo;
  Fixture f(MasterKey::FromBytes(RandomKey()));
  std::string secret;
  while (secret.size() < 300000) secret += "CONFIDENTIAL ";
  PutOptions o;
  o.is_private = true;
  auto info = f.store->PutBytes(secret, o);
  ASSERT_TRUE(info.ok());
  auto client = KuboClient::Create(kubo.url(), 2000);
  PinQueue q = f.Queue();
  ASSERT_TRUE(q.Enqueue(info->cid, 0).ok());
  PinWorker w(f.store.get(), &q, &*client);
  EXPECT_EQ(w.RunOnce(0)->pinned, 1u);
  std::string uploaded = kubo.added()[info->cid.ToString()];
  EXPECT_EQ(uploaded.size(), info->stored_size);
  EXPECT_EQ(uploaded.find("CONFIDENTIAL"), std::string::npos);
}

TEST(DocCli, AddThenPinThroughTheCommandLine) {
  StandInKuboServer kubo;
  TempDir dir;
  std::string file = dir.path() + "/report.pdf";
  std::string data = Pattern(kChunkSize + 5);
  std::ofstream(file, std::ios::binary) << data;
  std::string data_dir = dir.path() + "/data";
  auto run = [](std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return RunDocCli(static_cast<int>(argv.size()), argv.data());
  };
  ASSERT_EQ(run({"doc", "add", file, "--data", data_dir}), 0);
  std::string cid = ComputeCid(data)->root.ToString();
  kubo.AddFaults({StandInKuboServer::Fault::kHttp500});  // first try fails, second pins
  EXPECT_EQ(run({"doc", "pin", cid, "--data", data_dir, "--api", kubo.url()}), 0);
  EXPECT_EQ(kubo.pins(), std::set<std::string>{cid});
  // A failing node: the pin stays queued with its error, and `pins` reports it.
  kubo.AddFaults({StandInKuboServer::Fault::kPinRefused});
  std::string cid2 = ComputeCid("hello world\n")->root.ToString();
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "hello world\n";
  ASSERT_EQ(run({"doc", "add", file, "--data", data_dir}), 0);
  EXPECT_EQ(run({"doc", "pin", cid2, "--data", data_dir, "--api", kubo.url(), "--attempts", "1"}), 1);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"doc", "pins", "--data", data_dir}), 0);
  std::string listed = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(listed.find(cid2 + " attempts=1"), std::string::npos) << listed;
  EXPECT_NE(listed.find("offline"), std::string::npos) << listed;
  EXPECT_EQ(listed.find(cid), std::string::npos) << listed;  // the pinned one left the queue
  EXPECT_EQ(run({"doc", "pin", cid, "--data", data_dir}), 2);  // no --api: usage
  EXPECT_EQ(run({"doc", "frobnicate", cid}), 2);
  EXPECT_EQ(run({"doc", "get", "not-a-cid", "--data", data_dir}), 1);
}

// Waits (bounded) until `done()` holds.
template <class F>
bool WaitFor(F done, int ms = 10000) {
  for (int i = 0; i < ms / 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(PinService, FailuresAreRecordedAndAPendingPinSurvivesARestart) {
  Fixture f;
  std::string data = Pattern(kChunkSize + 9);
  auto info = f.store->PutBytes(data, {});
  ASSERT_TRUE(info.ok());
  std::atomic<int64_t> now{5000};
  auto clock = [&now] { return now.load(); };
  {
    // First run: the node fails every attempt (a refused connection: nothing listens on the
    // stand-in's port once it is gone).
    std::string dead_url;
    { StandInKuboServer gone; dead_url = gone.url(); }
    auto svc = PinService::Start(f.store.get(), {f.dir.path() + "/pins", dead_url, RetryPolicy{1, 2}, 20, 500, clock});
    ASSERT_TRUE(svc.ok()) << svc.error().message;
    ASSERT_TRUE((*svc)->Enqueue(info->cid).ok());
    ASSERT_TRUE(WaitFor([&] { auto p = (*svc)->Pending(); return p.ok() && p->size() == 1 && (*p)[0].attempts >= 1; }));
    now += 10;
    (*svc)->Kick();
    ASSERT_TRUE(WaitFor([&] { auto p = (*svc)->Pending(); return p.ok() && p->size() == 1 && (*p)[0].attempts >= 2; }));
    auto p = (*svc)->Pending();
    EXPECT_FALSE((*p)[0].last_error.empty());
  }  // the service (the "process") stops with the pin still pending
  StandInKuboServer kubo;
  now += 100;
  auto svc = PinService::Start(f.store.get(), {f.dir.path() + "/pins", kubo.url(), RetryPolicy{1, 2}, 20, 2000, clock});
  ASSERT_TRUE(svc.ok());
  (*svc)->Kick();
  ASSERT_TRUE(WaitFor([&] { auto p = (*svc)->Pending(); return p.ok() && p->empty(); }));
  EXPECT_EQ(kubo.pins(), std::set<std::string>{info->cid.ToString()});
  EXPECT_EQ(kubo.added()[info->cid.ToString()], data);
}

TEST(PinService, RequiresAClockAndAValidUrl) {
  Fixture f;
  EXPECT_FALSE(PinService::Start(f.store.get(), {f.dir.path() + "/pins", "http://127.0.0.1:1", {}, 20, 500, nullptr}).ok());
  auto clock = [] { return int64_t{0}; };
  EXPECT_FALSE(PinService::Start(f.store.get(), {f.dir.path() + "/pins", "https://x", {}, 20, 500, clock}).ok());
}

TEST(PinWorker, BackoffDoublesUpToTheCap) {
  PinWorker w(nullptr, nullptr, nullptr, RetryPolicy{10, 100});
  EXPECT_EQ(w.BackoffSeconds(1), 10);
  EXPECT_EQ(w.BackoffSeconds(2), 20);
  EXPECT_EQ(w.BackoffSeconds(4), 80);
  EXPECT_EQ(w.BackoffSeconds(5), 100);
  EXPECT_EQ(w.BackoffSeconds(1000), 100);
}

TEST(HttpUrl, ParsesHostPortAndPath) {
  auto u = ParseHttpUrl("http://127.0.0.1:5001");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 5001);
  EXPECT_EQ(u->base_path, "");
  u = ParseHttpUrl("http://[::1]:8080/prefix/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->base_path, "/prefix");
  EXPECT_EQ(KuboClient::Create("http://localhost").ok(), true);
  for (const char* bad : {"https://x:5001", "ftp://x", "http://", "http://x:0", "http://x:99999",
                          "http://x:12a", "http://[::1"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cx::documents
