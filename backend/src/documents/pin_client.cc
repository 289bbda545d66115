#include "documents/pin_client.h"

#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "documents/document_store.h"
#include "documents/errors.h"
#include "documents/file_reader.h"

namespace cx::documents {

namespace {

// strerror's text without strerror's shared buffer (the pinning worker runs beside other
// threads); std::system_category() formats it with strerror_r.
std::string ErrnoText(int e) { return std::system_category().message(e); }

constexpr size_t kMaxResponse = 16u << 20;

Error Unavailable(const std::string& what) {
  return Err(kPinFailed, what + (errno ? std::string(": ") + ErrnoText(errno) : ""));
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Result<void> SendAll(int fd, std::string_view b) {
  while (!b.empty()) {
    ssize_t n = ::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Unavailable("send to pinning service failed");
    b.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

class SocketSink final : public ByteSink {
 public:
  explicit SocketSink(int fd) : fd_(fd) {}
  Result<void> Write(std::string_view b) override {
    sent_ += b.size();
    return SendAll(fd_, b);
  }
  uint64_t sent() const { return sent_; }

 private:
  int fd_;
  uint64_t sent_ = 0;
};

Result<int> Connect(const HttpUrl& url, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(url.port);
  errno = 0;
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    return Err(kPinFailed, "cannot resolve " + url.host + ": " + ::gai_strerror(rc));
  }
  std::string last = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, timeout_ms);
      int soerr = 0;
      socklen_t len = sizeof soerr;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
        rc = 0;
      } else {
        last = rc == 0 ? std::string("connect timed out") : ErrnoText(soerr ? soerr : errno);
        rc = -1;
      }
    } else if (rc != 0) {
      last = ErrnoText(errno);
    }
    if (rc == 0) {
      // Back to blocking with timeouts for the exchange itself.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      ::freeaddrinfo(res);
      return fd;
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  return Err(kPinFailed, "cannot connect to " + url.host + ":" + port + ": " + last);
}

Error BadReply(const std::string& what) {
  return Err(Code::kBadRequest, "pinning service sent a malformed reply: " + what);
}

Result<std::string> Dechunk(std::string_view in) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return BadReply("truncated chunk size");
    uint64_t n = 0;
    size_t i = pos;
    for (; i < eol; ++i) {
      char c = in[i];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) break;  // chunk extensions follow ';'
      if (n > (kMaxResponse >> 4)) return BadReply("chunk too large");
      n = n * 16 + static_cast<uint64_t>(d);
    }
    if (i == pos) return BadReply("bad chunk size");
    pos = eol + 2;
    if (n == 0) return out;
    if (in.size() - pos < n + 2) return BadReply("truncated chunk");
    out.append(in.substr(pos, n));
    pos += n + 2;
  }
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The value of the last "key":"value" string field in a JSON (or JSON-lines) text.
std::optional<std::string> LastJsonString(std::string_view body, const std::string& key) {
  std::string needle = "\"" + key + "\"";
  size_t at = body.rfind(needle);
  if (at == std::string_view::npos) return std::nullopt;
  size_t q = body.find('"', body.find(':', at + needle.size()));
  if (q == std::string_view::npos) return std::nullopt;
  size_t e = body.find('"', q + 1);
  if (e == std::string_view::npos) return std::nullopt;
  return std::string(body.substr(q + 1, e - q - 1));
}

std::string Brief(std::string_view body) {
  if (auto m = LastJsonString(body, "Message")) return *m;
  std::string s(body.substr(0, 200));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return s;
}

Result<void> WriteFileDurably(const std::string& dir, const std::string& name,
                              const std::string& text) {
  std::string path = dir + "/" + name, tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Err(Code::kIo, "create " + tmp + ": " + ErrnoText(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Err(Code::kIo, "write " + path + ": " + ErrnoText(errno));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

std::string FormatPin(const PendingPin& p) {
  std::string err = p.last_error;
  std::replace(err.begin(), err.end(), '\n', ' ');
  std::ostringstream o;
  o << "cid=" << p.cid.ToString() << "\nattempts=" << p.attempts
    << "\nenqueued=" << p.enqueued_unix << "\nnext=" << p.next_attempt_unix
    << "\nerror=" << err << "\n";
  return o.str();
}

Result<PendingPin> ParsePin(const std::string& text) {
  PendingPin p;
  bool has_cid = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    try {
      if (k == "cid") {
        CX_ASSIGN_OR_RETURN(p.cid, Cid::Parse(v));
        has_cid = true;
      } else if (k == "attempts") {
        p.attempts = static_cast<uint32_t>(std::stoul(v));
      } else if (k == "enqueued") {
        p.enqueued_unix = std::stoll(v);
      } else if (k == "next") {
        p.next_attempt_unix = std::stoll(v);
      } else if (k == "error") {
        p.last_error = v;
      }
    } catch (const std::exception&) {
      return Err(Code::kStorage, "pin queue entry: bad number in " + k);
    }
  }
  if (!has_cid) return Err(Code::kStorage, "pin queue entry without cid");
  return p;
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Err(Code::kInvalidField, "pinning API URL must start with http://", "api");
  }
  url.remove_prefix(kScheme.size());
  size_t slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  HttpUrl u;
  if (slash != std::string_view::npos) u.base_path = std::string(url.substr(slash));
  while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {  // [v6]:port
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) return Err(Code::kInvalidField, "bad IPv6 host", "api");
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Err(Code::kInvalidField, "bad host", "api");
      port_text = after.substr(1);
      if (port_text.empty()) return Err(Code::kInvalidField, "bad port", "api");
    }
    hostport = hostport.substr(1, close - 1);
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    port_text = hostport.substr(colon + 1);
    if (port_text.empty()) return Err(Code::kInvalidField, "bad port", "api");
    hostport = hostport.substr(0, colon);
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    if (port_text.size() > 5) return Err(Code::kInvalidField, "bad port", "api");
    for (char c : port_text) {
      if (c < '0' || c > '9') return Err(Code::kInvalidField, "bad port", "api");
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) return Err(Code::kInvalidField, "bad port", "api");
    u.port = static_cast<uint16_t>(port);
    u.explicit_port = true;
  }
  if (hostport.empty()) return Err(Code::kInvalidField, "missing host", "api");
  u.host = std::string(hostport);
  return u;
}

Result<HttpResponse> HttpPost(const HttpUrl& url, const std::string& path_and_query,
                              const std::string& content_type, uint64_t content_length,
                              const BodyWriter& body, int timeout_ms) {
  CX_ASSIGN_OR_RETURN(int fd, Connect(url, timeout_ms));
  Socket sock(fd);
  std::ostringstream h;
  h << "POST " << url.base_path << path_and_query << " HTTP/1.1\r\n"
    << "Host: " << url.host << ":" << url.port << "\r\n"
    << "User-Agent: carbonx-documents\r\n"
    << "Connection: close\r\n"
    << "Content-Type: " << content_type << "\r\n"
    << "Content-Length: " << content_length << "\r\n\r\n";
  CX_TRY(SendAll(fd, h.str()));
  SocketSink sink(fd);
  if (body) CX_TRY(body(sink));
  if (sink.sent() != content_length) {
    return Err(Code::kInternal, "request body length differs from its Content-Length");
  }
  // The reply, read to EOF (Connection: close).
  std::string raw;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable("no reply from pinning service");
    if (n == 0) break;
    raw.append(buf, static_cast<size_t>(n));
    if (raw.size() > kMaxResponse) return BadReply("reply too large");
  }
  size_t hdr_end = raw.find("\r\n\r\n");
  if (hdr_end == std::string::npos) {
    errno = 0;
    if (raw.empty()) return Unavailable("pinning service closed the connection");
    return BadReply("no header end");
  }
  HttpResponse resp;
  if (raw.compare(0, 5, "HTTP/") != 0 || raw.size() < 12) return BadReply("status line");
  size_t sp = raw.find(' ');
  if (sp == std::string::npos || sp > hdr_end) return BadReply("status line");
  resp.status = static_cast<int>(std::strtol(raw.c_str() + sp + 1, nullptr, 10));
  if (resp.status < 100 || resp.status > 599) return BadReply("status code");
  std::string headers = Lower(raw.substr(0, hdr_end));
  std::string_view rest = std::string_view(raw).substr(hdr_end + 4);
  if (headers.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
    CX_ASSIGN_OR_RETURN(resp.body, Dechunk(rest));
  } else {
    size_t cl = headers.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
      uint64_t n = std::strtoull(headers.c_str() + cl + 17, nullptr, 10);
      if (n > rest.size()) return BadReply("body shorter than Content-Length");
      rest = rest.substr(0, n);
    }
    resp.body = std::string(rest);
  }
  return resp;
}

Result<KuboClient> KuboClient::Create(std::string_view api_url, int timeout_ms) {
  CX_ASSIGN_OR_RETURN(HttpUrl u, ParseHttpUrl(api_url));
  if (!u.explicit_port) u.port = 5001;  // kubo's RPC default
  return KuboClient(std::move(u), timeout_ms);
}

Result<Cid> KuboClient::Add(uint64_t size, const BodyWriter& content) const {
  // Fixed boundary: it cannot occur in the part headers, and multipart parsers find the
  // body's end by the declared length of the request, so content bytes cannot clash.
  static const std::string kBoundary = "cx-documents-7f3a9c2e5b1d4e68a0c1";
  std::string head = "--" + kBoundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"document\""
                     "\r\nContent-Type: application/octet-stream\r\n\r\n";
  std::string tail = "\r\n--" + kBoundary + "--\r\n";
  BodyWriter body = [&](ByteSink& out) -> Result<void> {
    CX_TRY(out.Write(head));
    CX_TRY(content(out));
    return out.Write(tail);
  };
  CX_ASSIGN_OR_RETURN(
      HttpResponse r,
      HttpPost(url_,
               "/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&pin=false"
               "&progress=false",
               "multipart/form-data; boundary=" + kBoundary, head.size() + size + tail.size(),
               body, timeout_ms_));
  if (r.status != 200) {
    return Err(kPinFailed, "add: HTTP " + std::to_string(r.status) + ": " + Brief(r.body));
  }
  auto hash = LastJsonString(r.body, "Hash");
  if (!hash) return BadReply("add reply without Hash");
  return Cid::Parse(*hash);
}

Result<void> KuboClient::PinAdd(const Cid& cid) const {
  std::string c = cid.ToString();
  CX_ASSIGN_OR_RETURN(HttpResponse r, HttpPost(url_, "/api/v0/pin/add?arg=" + c,
                                               "application/octet-stream", 0, {}, timeout_ms_));
  if (r.status != 200) {
    return Err(kPinFailed, "pin/add: HTTP " + std::to_string(r.status) + ": " + Brief(r.body));
  }
  if (r.body.find("\"Pins\"") == std::string::npos || r.body.find(c) == std::string::npos) {
    return Err(kPinFailed, "pin/add: reply does not list " + c);
  }
  return Ok();
}

// ---- queue ----------------------------------------------------------------------------

Result<PinQueue> PinQueue::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Err(Code::kIo, "mkdir " + dir + ": " + ErrnoText(errno));
  }
  return PinQueue(dir);
}

Result<void> PinQueue::Enqueue(const Cid& cid, int64_t now_unix) {
  if (Get(cid)) return Ok();
  PendingPin p;
  p.cid = cid;
  p.enqueued_unix = p.next_attempt_unix = now_unix;
  return Update(p);
}

Result<void> PinQueue::Update(const PendingPin& pin) {
  return WriteFileDurably(dir_, pin.cid.ToString(), FormatPin(pin));
}

Result<void> PinQueue::Remove(const Cid& cid) {
  std::string path = dir_ + "/" + cid.ToString();
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Err(Code::kIo, "unlink " + path + ": " + ErrnoText(errno));
  }
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

std::optional<PendingPin> PinQueue::Get(const Cid& cid) const {
  std::ifstream in(dir_ + "/" + cid.ToString());
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  auto p = ParsePin(ss.str());
  if (!p.ok()) return std::nullopt;
  return *p;
}

Result<std::vector<PendingPin>> PinQueue::List() const {
  DIR* d = ::opendir(dir_.c_str());
  if (!d) return Err(Code::kIo, "opendir " + dir_ + ": " + ErrnoText(errno));
  std::vector<PendingPin> out;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.empty() || n[0] == '.' || n.find(".tmp") != std::string::npos) continue;
    names.push_back(n);
  }
  ::closedir(d);
  for (const std::string& n : names) {
    std::ifstream in(dir_ + "/" + n);
    std::stringstream ss;
    ss << in.rdbuf();
    auto p = ParsePin(ss.str());
    if (!p.ok()) return Err(Code::kStorage, "pin queue entry " + n + ": " + p.error().message);
    out.push_back(*p);
  }
  std::sort(out.begin(), out.end(), [](const PendingPin& a, const PendingPin& b) {
    return std::tie(a.enqueued_unix, a.cid) < std::tie(b.enqueued_unix, b.cid);
  });
  return out;
}

// ---- worker ---------------------------------------------------------------------------

int64_t PinWorker::BackoffSeconds(uint32_t attempts) const {
  int64_t d = policy_.base_delay_s;
  for (uint32_t i = 1; i < attempts && d < policy_.max_delay_s; ++i) d *= 2;
  return std::min(d, policy_.max_delay_s);
}

Result<void> PinWorker::PinOne(const Cid& cid) {
  CX_ASSIGN_OR_RETURN(auto reader, FileReader::Open(&store_->blocks(), cid));
  uint64_t size = reader->file_size();
  BodyWriter content = [&](ByteSink& out) -> Result<void> {
    std::string piece;
    for (;;) {
      CX_ASSIGN_OR_RETURN(bool more, reader->Next(&piece));
      if (!more) return Ok();
      CX_TRY(out.Write(piece));
    }
  };
  CX_ASSIGN_OR_RETURN(Cid added, kubo_->Add(size, content));
  if (added != cid) {
    return Err(kPinFailed, "node computed " + added.ToString() + " for " + cid.ToString() +
                               " (different importer settings?)");
  }
  return kubo_->PinAdd(cid);
}

Result<PinRunStats> PinWorker::RunOnce(int64_t now_unix) {
  CX_ASSIGN_OR_RETURN(std::vector<PendingPin> pending, queue_->List());
  PinRunStats stats;
  for (PendingPin& p : pending) {
    if (p.next_attempt_unix > now_unix) {
      ++stats.not_due;
      continue;
    }
    errno = 0;
    Result<void> r = PinOne(p.cid);
    if (r.ok()) {
      CX_TRY(queue_->Remove(p.cid));
      ++stats.pinned;
      continue;
    }
    ++stats.failed;
    ++p.attempts;
    p.last_error = std::string(CodeName(r.error().code)) + ": " + r.error().message;
    p.next_attempt_unix = now_unix + BackoffSeconds(p.attempts);
    CX_TRY(queue_->Update(p));
  }
  return stats;
}

}  // namespace cx::documents
