// HTTP order benchmark (issue 3, `make bench`): authenticated limit orders over HTTP/1.1
// keep-alive against a real `carbonx serve`, each acknowledged only once durable (that is
// how the server answers), compared with a trivial GET on the same server in the same run.
//
//   cx_http_orders_bench --bin PATH/carbonx [--seconds 5] [--conns 64] [--threads 2] [--warmup 1]
//                        [--data-root /tmp]  (e.g. /dev/shm: the same run without disk latency)
//
// Starts its own carbonx on a temporary data directory with --demo, signs in the demo
// admin, buyer, seller and developer, funds the buyer, defines a standard contract
// (tick 1.00 per tonne, lot 10 kg, no band, no volatility halt) into which the demo batch
// can be delivered, then, after a warm-up of both kinds:
//   1. GET /api/v1/health on every connection for --seconds       -> http_hello_per_s
//   2. POST /api/v1/orders (limit GTC) on every connection         -> http_orders_per_s,
//      http_order_p99_ms (closed loop: one request in flight per connection; the latency
//      is from the first byte sent to the last byte of the reply)
// Order flow: the buyer's connections bid, the seller's and developer's connections offer;
// 90 % rest away from the touch (bids 100-149, asks 151-200), 10 % cross (a bid at 175 or
// an offer at 125), so trades, settlement and fees happen. Only 201 replies count; any
// other status fails the run. Afterwards the run is checked: the journal advanced by at
// least one event per acknowledged order and the contract traded; only then are the BENCH
// lines printed (stdout). On stderr: the server's CPU per request per thread (from /proc),
// the load generator's own CPU, and the disk's 4 KiB write + fdatasync latency measured
// after the run on the same file system -- the floor under a durable acknowledgement.
//
// The load generator is a few epoll threads over non-blocking POSIX sockets, no library
// beyond the C++ standard library, so it measures the server and not a client framework
// and leaves most of the 2 cores to the server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cerrno>
#include <strings.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Response {
  int status = 0;
  std::string body;
};

// One keep-alive HTTP/1.1 connection with blocking I/O.
class Conn {
 public:
  explicit Conn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  bool ok() const { return fd_ >= 0; }

  // Sends a request and reads one response (Content-Length framed). nullopt on I/O error.
  std::optional<Response> Do(const std::string& req) {
    size_t off = 0;
    while (off < req.size()) {
      ssize_t n = ::send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return std::nullopt;
      off += static_cast<size_t>(n);
    }
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill()) return std::nullopt;
    Response r;
    if (buf_.compare(0, 9, "HTTP/1.1 ") != 0) return std::nullopt;
    r.status = std::atoi(buf_.c_str() + 9);
    size_t len = 0;
    std::string head = buf_.substr(0, head_end);
    for (auto& ch : head) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (size_t p = head.find("\r\ncontent-length:"); p != std::string::npos) len = std::strtoull(head.c_str() + p + 17, nullptr, 10);
    while (buf_.size() < head_end + 4 + len)
      if (!Fill()) return std::nullopt;
    r.body = buf_.substr(head_end + 4, len);
    buf_.erase(0, head_end + 4 + len);
    return r;
  }

 private:
  bool Fill() {
    char tmp[16384];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buf_;
};

std::string Request(const char* method, const std::string& path, const std::string& token, const std::string& body) {
  std::string r = std::string(method) + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty() || std::strcmp(method, "POST") == 0)
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n" + body;
  return r;
}

// Minimal field extraction from the server's compact JSON (first occurrence).
std::string JsonString(const std::string& j, const std::string& key) {
  std::string k = "\"" + key + "\":\"";
  size_t p = j.find(k);
  if (p == std::string::npos) return {};
  p += k.size();
  return j.substr(p, j.find('"', p) - p);
}
int64_t JsonInt(const std::string& j, const std::string& key) {
  std::string k = "\"" + key + "\":";
  size_t p = j.find(k);
  return p == std::string::npos ? -1 : std::strtoll(j.c_str() + p + k.size(), nullptr, 10);
}

pid_t g_server_pid = -1;  // killed by Die so a failed run leaves no server behind

[[noreturn]] void Die(const std::string& m) {
  std::fprintf(stderr, "http_orders_bench: %s\n", m.c_str());
  if (g_server_pid > 0) ::kill(g_server_pid, SIGKILL);
  std::exit(1);
}

struct Server {
  pid_t pid = -1;
  uint16_t port = 0;
  std::string data;
};

Server StartServer(const std::string& bin, const std::string& root) {
  Server s;
  std::string tmpl = root + "/cx-http-orders-XXXXXX";
  if (!::mkdtemp(tmpl.data())) Die("mkdtemp failed in " + root);
  s.data = tmpl;
  int pipefd[2];
  if (::pipe(pipefd) != 0) Die("pipe failed");
  s.pid = ::fork();
  if (s.pid == 0) {
    ::dup2(pipefd[1], 1);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 2);
    ::execl(bin.c_str(), bin.c_str(), "serve", "--data", s.data.c_str(), "--listen", "127.0.0.1:0", "--demo", "--rate-limit-user", "0", "--rate-limit-ip", "0", "--rate-limit-auth", "0", "--mfa-required-roles", "none", nullptr);
    ::_exit(127);
  }
  ::close(pipefd[1]);
  g_server_pid = s.pid;
  std::string out;
  char tmp[4096];
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    ssize_t n = ::read(pipefd[0], tmp, sizeof tmp);
    if (n <= 0) break;
    out.append(tmp, static_cast<size_t>(n));
    size_t p = out.find("serving http://127.0.0.1:");
    if (p != std::string::npos && out.find('/', p + 25) != std::string::npos) {
      s.port = static_cast<uint16_t>(std::atoi(out.c_str() + p + 25));
      break;
    }
  }
  // Keep draining stdout so the server never blocks on a full pipe.
  std::thread([fd = pipefd[0]] {
    char t[4096];
    while (::read(fd, t, sizeof t) > 0) {
    }
    ::close(fd);
  }).detach();
  if (!s.port) Die("server did not start: " + out);
  return s;
}

void StopServer(Server& s) {
  if (s.pid > 0) {
    ::kill(s.pid, SIGTERM);
    int st;
    ::waitpid(s.pid, &st, 0);
    g_server_pid = -1;
  }
  std::error_code ec;
  std::filesystem::remove_all(s.data, ec);
}

struct Trader {
  std::string token;
  int64_t account = 0;
  bool buys = false;
};

Trader Login(uint16_t port, const char* email, const char* password) {
  Conn c(port);
  auto r = c.Do(Request("POST", "/api/v1/auth/login", "", std::string("{\"email\":\"") + email + "\",\"password\":\"" + password + "\"}"));
  if (!r || r->status != 200) Die(std::string("login failed for ") + email);
  Trader t;
  t.token = JsonString(r->body, "access_token");
  t.account = JsonInt(r->body, "account");
  return t;
}

Response MustDo(Conn& c, const std::string& req, int want) {
  auto r = c.Do(req);
  if (!r) Die("I/O error on setup request");
  if (r->status != want) Die("setup request answered " + std::to_string(r->status) + ": " + r->body);
  return *r;
}

struct PhaseResult {
  int64_t ok = 0;
  int64_t bad = 0;
  int bad_status = 0;
  std::string bad_body;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

// Incremental parse of one Content-Length framed response at the front of `buf`: its
// length in bytes once complete (status in *status), 0 while incomplete, -1 if malformed.
int64_t ParseResponse(const std::string& buf, int* status) {
  size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return 0;
  if (buf.compare(0, 9, "HTTP/1.1 ") != 0) return -1;
  *status = std::atoi(buf.c_str() + 9);
  size_t len = 0;
  for (size_t p = buf.find("\r\n"); p < head_end; p = buf.find("\r\n", p + 2)) {
    if (p + 2 + 15 <= head_end && ::strncasecmp(buf.c_str() + p + 2, "content-length:", 15) == 0) {
      len = std::strtoull(buf.c_str() + p + 17, nullptr, 10);
      break;
    }
  }
  size_t total = head_end + 4 + len;
  return buf.size() >= total ? static_cast<int64_t>(total) : 0;
}

// Runs `conns` closed-loop keep-alive connections (one request in flight each) for `dur`
// on `threads` epoll threads; make_req(conn index, request number) builds each request;
// a response counts when its status is `want`. Responses still in flight at the end are
// not counted.
template <class MakeReq>
PhaseResult RunPhase(uint16_t port, int conns, int threads, std::chrono::milliseconds dur, int want, MakeReq make_req,
                     bool keep_latency) {
  struct Slot {
    int fd = -1;
    int index = 0;
    int64_t n = 0;
    std::string out;
    size_t out_off = 0;
    std::string in;
    Clock::time_point t0;
  };
  std::vector<PhaseResult> per(static_cast<size_t>(threads));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int w = 0; w < threads; ++w)
    pool.emplace_back([&, w] {
      PhaseResult& me = per[static_cast<size_t>(w)];
      if (keep_latency) me.latencies_ms.reserve(400000);
      std::vector<Slot> slots;
      for (int i = w; i < conns; i += threads) {
        Slot s;
        s.index = i;
        s.fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
          me.bad++;
          ::close(s.fd);
          continue;
        }
        ::fcntl(s.fd, F_SETFL, ::fcntl(s.fd, F_GETFL) | O_NONBLOCK);
        slots.push_back(std::move(s));
      }
      int ep = ::epoll_create1(0);
      for (size_t k = 0; k < slots.size(); ++k) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = k;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, slots[k].fd, &ev);
      }
      auto flush = [&](Slot& s, size_t k) {  // send what is pending; EPOLLOUT while blocked
        while (s.out_off < s.out.size()) {
          ssize_t n = ::send(s.fd, s.out.data() + s.out_off, s.out.size() - s.out_off, MSG_NOSIGNAL);
          if (n > 0) {
            s.out_off += static_cast<size_t>(n);
            continue;
          }
          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            epoll_event ev{};
            ev.events = EPOLLIN | EPOLLOUT;
            ev.data.u64 = k;
            ::epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
            return true;
          }
          return false;
        }
        return true;
      };
      auto start = [&](Slot& s, size_t k) {
        s.out = make_req(s.index, s.n++);
        s.out_off = 0;
        s.t0 = Clock::now();
        return flush(s, k);
      };
      ready++;
      while (!go) std::this_thread::yield();
      const auto end = Clock::now() + dur;
      std::vector<bool> dead(slots.size(), false);
      for (size_t k = 0; k < slots.size(); ++k)
        if (!start(slots[k], k)) dead[k] = true, me.bad++;
      std::vector<epoll_event> evs(256);
      char tmp[16384];
      while (Clock::now() < end) {
        int ms_left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count()) + 1;
        int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), std::min(ms_left, 50));
        for (int e = 0; e < n; ++e) {
          size_t k = evs[static_cast<size_t>(e)].data.u64;
          Slot& s = slots[k];
          if (dead[k]) continue;
          if (evs[static_cast<size_t>(e)].events & EPOLLOUT) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = k;
            ::epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
            if (!flush(s, k)) dead[k] = true, me.bad++;
          }
          for (;;) {
            ssize_t r = ::recv(s.fd, tmp, sizeof tmp, 0);
            if (r > 0) {
              s.in.append(tmp, static_cast<size_t>(r));
              continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) dead[k] = true, me.bad++;
            break;
          }
          if (dead[k]) continue;
          int status = 0;
          int64_t used = ParseResponse(s.in, &status);
          if (used < 0) {
            dead[k] = true;
            me.bad++;
            continue;
          }
          if (used == 0) continue;
          auto t1 = Clock::now();
          s.in.erase(0, static_cast<size_t>(used));
          if (t1 > end) continue;  // finished after the phase: not counted
          if (status == want) {
            me.ok++;
            if (keep_latency) me.latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - s.t0).count());
          } else {
            me.bad++;
            if (!me.bad_status) {
              me.bad_status = status;
              me.bad_body = s.in.substr(0, 300);
            }
          }
          if (!start(s, k)) dead[k] = true, me.bad++;
        }
      }
      for (auto& s : slots) ::close(s.fd);
      ::close(ep);
    });
  while (ready < threads) std::this_thread::yield();
  auto t0 = Clock::now();
  go = true;
  for (auto& t : pool) t.join();
  PhaseResult all;
  all.seconds = std::min(std::chrono::duration<double>(Clock::now() - t0).count(), std::chrono::duration<double>(dur).count());
  for (auto& p : per) {
    all.ok += p.ok;
    all.bad += p.bad;
    if (!all.bad_status && p.bad_status) {
      all.bad_status = p.bad_status;
      all.bad_body = p.bad_body;
    }
    all.latencies_ms.insert(all.latencies_ms.end(), p.latencies_ms.begin(), p.latencies_ms.end());
  }
  return all;
}

// CPU time (user + system, in seconds) of each thread of a process, by thread id, with
// the thread's name; from /proc, so the split engine / writer / HTTP threads is visible.
struct ThreadCpu {
  std::string name;
  double seconds = 0;
};
std::map<int, ThreadCpu> ProcessThreads(pid_t pid) {
  std::map<int, ThreadCpu> out;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& d : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream f(d.path() / "stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    int tid = std::atoi(d.path().filename().c_str());
    out[tid] = ThreadCpu{line.substr(line.find('(') + 1, close - line.find('(') - 1), static_cast<double>(utime + stime) / hz};
  }
  return out;
}
// Prints the server's CPU per request of a phase, per thread that used at least 2 %.
void ReportCpu(const char* phase, const std::map<int, ThreadCpu>& a, const std::map<int, ThreadCpu>& b, int64_t requests,
               double seconds) {
  double total = 0;
  std::string per;
  for (const auto& [tid, t] : b) {
    double used = t.seconds - (a.count(tid) ? a.at(tid).seconds : 0);
    total += used;
    if (used >= 0.02 * seconds) {
      char x[128];
      std::snprintf(x, sizeof x, " tid %d (%s) %.1f us", tid, t.name.c_str(), requests ? 1e6 * used / static_cast<double>(requests) : 0);
      per += x;
    }
  }
  std::fprintf(stderr, "http_orders_bench: %s: server CPU %.2f cores, %.1f us per request;%s\n", phase, total / seconds,
               requests ? 1e6 * total / static_cast<double>(requests) : 0, per.c_str());
}

// The disk's durable-write latency where the server keeps its journal: 4 KiB overwrites
// of a preallocated file, each followed by fdatasync (what a WAL commit costs at least).
std::vector<double> FsyncProbe(const std::string& dir, int n) {
  std::vector<double> ms;
  std::string path = dir + "/fsync-probe";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return ms;
  std::string page(4096, 'x');
  for (int i = 0; i < 16; ++i) (void)!::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i) * 4096);
  ::fsync(fd);
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    (void)!::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i % 16) * 4096);
    ::fdatasync(fd);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  return ms;
}

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string bin, root = "/tmp";
  double seconds = 5, warmup = 1;
  int conns = 64, threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--bin") bin = val();
    else if (a == "--seconds") seconds = std::atof(val().c_str());
    else if (a == "--warmup") warmup = std::atof(val().c_str());
    else if (a == "--conns") conns = std::atoi(val().c_str());
    else if (a == "--threads") threads = std::atoi(val().c_str());
    else if (a == "--data-root") root = val();
    else Die("usage: cx_http_orders_bench --bin PATH/carbonx [--seconds S] [--warmup S] [--conns N] [--threads N] [--data-root DIR]");
  }
  if (bin.empty()) Die("--bin PATH/carbonx is required");
  if (conns < 3 || threads < 1 || threads > conns || seconds <= 0) Die("need --conns >= 3, 1 <= --threads <= --conns, --seconds > 0");
  ::signal(SIGPIPE, SIG_IGN);

  Server srv = StartServer(bin, root);
  const uint16_t port = srv.port;
  Trader admin = Login(port, "admin@carbonx.demo", "demo-admin-2026");
  Trader buyer = Login(port, "buyer@carbonx.demo", "demo-buyer-2026");
  Trader seller = Login(port, "seller@carbonx.demo", "demo-seller-2026");
  Trader dev = Login(port, "developer@carbonx.demo", "demo-developer-2026");
  buyer.buys = true;
  int64_t instrument = 0;
  {
    Conn c(port);
    if (!c.ok()) Die("cannot connect");
    MustDo(c, Request("POST", "/api/v1/cash/deposits", admin.token,
                      "{\"account\":" + std::to_string(buyer.account) + ",\"currency\":\"USD\",\"amount\":\"5000000.00\"}"), 201);  // within the full KYC level's daily deposit limit
    auto r = MustDo(c, Request("POST", "/api/v1/instruments", admin.token,
                               "{\"kind\":\"contract\",\"symbol\":\"BENCH-BR\",\"criteria\":{\"countries\":[\"BR\"]},"
                               "\"tick\":\"1.00\",\"lot\":\"0.010\",\"band_bp\":0,\"halt_bp\":0}"), 201);
    instrument = JsonInt(r.body, "id");
    if (instrument <= 0) Die("no instrument id in " + r.body);
  }
  // Connection i trades for traders[i % 3]: one in three bids, two in three offer.
  const Trader* traders[3] = {&buyer, &seller, &dev};
  const std::string inst = std::to_string(instrument);
  auto order_req = [&](int conn, int64_t n) {
    const Trader& t = *traders[conn % 3];
    uint64_t h = (static_cast<uint64_t>(conn) * 0x9E3779B97F4A7C15ull) ^ (static_cast<uint64_t>(n) * 0xBF58476D1CE4E5B9ull);
    h ^= h >> 31;
    const bool cross = h % 10 == 0;
    const int64_t lots = 1 + static_cast<int64_t>((h >> 8) % 10);  // 10 .. 100 kg
    int64_t price;
    if (t.buys) price = cross ? 175 : 100 + static_cast<int64_t>((h >> 16) % 50);
    else price = cross ? 125 : 151 + static_cast<int64_t>((h >> 16) % 50);
    std::string body = "{\"instrument\":" + inst + ",\"side\":\"" + (t.buys ? "buy" : "sell") + "\",\"price\":\"" +
                       std::to_string(price) + ".00\",\"quantity\":\"0." + (lots < 10 ? "0" : "") + std::to_string(lots * 10) + "\"" +
                       (t.buys ? "" : ",\"batch\":1") + "}";
    return Request("POST", "/api/v1/orders", t.token, body);
  };
  auto hello_req = [](int, int64_t) { return Request("GET", "/api/v1/health", "", ""); };
  auto ms = [](double s) { return std::chrono::milliseconds(static_cast<int64_t>(s * 1000)); };

  auto seq_now = [&]() {
    Conn c(port);
    auto r = c.Do(Request("GET", "/api/v1/health", "", ""));
    return r ? JsonInt(r->body, "committed_seq") : -1;
  };

  if (warmup > 0) {
    RunPhase(port, conns, threads, ms(warmup), 200, hello_req, false);
    PhaseResult w = RunPhase(port, conns, threads, ms(warmup), 201, order_req, false);
    if (w.bad) Die("warm-up order refused (" + std::to_string(w.bad_status) + "): " + w.bad_body);
  }
  auto cpu0 = ProcessThreads(srv.pid);
  double self0 = SelfCpuSeconds();
  PhaseResult hello = RunPhase(port, conns, threads, ms(seconds), 200, hello_req, false);
  double self1 = SelfCpuSeconds();
  auto cpu1 = ProcessThreads(srv.pid);
  const int64_t seq0 = seq_now();
  auto cpu2 = ProcessThreads(srv.pid);
  double self2 = SelfCpuSeconds();
  PhaseResult orders = RunPhase(port, conns, threads, ms(seconds), 201, order_req, true);
  double self3 = SelfCpuSeconds();
  auto cpu3 = ProcessThreads(srv.pid);
  const int64_t seq1 = seq_now();
  ReportCpu("hello", cpu0, cpu1, hello.ok, hello.seconds);
  ReportCpu("orders", cpu2, cpu3, orders.ok, orders.seconds);
  std::fprintf(stderr, "http_orders_bench: load generator CPU: hello %.2f cores (%.1f us per request), orders %.2f cores (%.1f us per request)\n",
               (self1 - self0) / hello.seconds, hello.ok ? 1e6 * (self1 - self0) / static_cast<double>(hello.ok) : 0,
               (self3 - self2) / orders.seconds, orders.ok ? 1e6 * (self3 - self2) / static_cast<double>(orders.ok) : 0);

  std::string stats;
  {
    Conn c(port);
    auto r = c.Do(Request("GET", "/api/v1/markets/" + inst + "/stats", "", ""));
    stats = r ? r->body : "";
  }
  StopServer(srv);

  const double hello_rate = static_cast<double>(hello.ok) / hello.seconds;
  const double order_rate = static_cast<double>(orders.ok) / orders.seconds;
  const int64_t trades = JsonInt(stats, "trades");
  {
    std::string tmpl = root + "/cx-fsync-probe-XXXXXX";  // same file system as the server's data
    if (::mkdtemp(tmpl.data())) {
      auto f = FsyncProbe(tmpl, 200);
      std::filesystem::remove_all(tmpl);
      std::fprintf(stderr, "http_orders_bench: disk: 4 KiB write + fdatasync p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (200 probes after the run)\n",
                   Percentile(f, 0.5), Percentile(f, 0.9), Percentile(f, 0.99));
    }
  }
  std::fprintf(stderr,
               "http_orders_bench: %d connections, %.1f s per figure: hello %lld ok / %lld bad, orders %lld ok / %lld bad, "
               "journal +%lld events, %lld trades on the contract; p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms\n",
               conns, seconds, static_cast<long long>(hello.ok), static_cast<long long>(hello.bad),
               static_cast<long long>(orders.ok), static_cast<long long>(orders.bad), static_cast<long long>(seq1 - seq0),
               static_cast<long long>(trades), Percentile(orders.latencies_ms, 0.5), Percentile(orders.latencies_ms, 0.99),
               Percentile(orders.latencies_ms, 0.999));
  if (hello.bad || orders.bad) Die("non-success replies (first: " + std::to_string(orders.bad_status ? orders.bad_status : hello.bad_status) + " " + orders.bad_body + hello.bad_body + ")");
  if (seq0 < 0 || seq1 - seq0 < orders.ok) Die("the journal did not advance by one event per acknowledged order");
  if (trades <= 0) Die("no trades happened");
  std::printf("BENCH http_hello_per_s %.0f req/s\n", hello_rate);
  std::printf("BENCH http_orders_per_s %.0f orders/s\n", order_rate);
  std::printf("BENCH http_order_p99_ms %.3f ms\n", Percentile(orders.latencies_ms, 0.99));
  std::printf("BENCH http_orders_vs_hello_pct %.1f %%\n", 100.0 * order_rate / hello_rate);
  return 0;
}
