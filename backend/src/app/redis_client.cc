#include "app/redis_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace cx::app {
namespace {

using Clock = RedisConnection::Clock;

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 60'000 ? 60'000 : static_cast<int>(left);
}

// Waits until fd is readable (want_read) or writable; false on timeout.
bool WaitFd(int fd, bool want_read, Clock::time_point deadline) {
  pollfd p{fd, static_cast<short>(want_read ? POLLIN : POLLOUT), 0};
  for (;;) {
    int r = ::poll(&p, 1, MsLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::kString; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::kStatus; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::kError; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::kInteger; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default: out.type = RedisReply::Type::kNil; break;
  }
  return out;
}

std::string Format(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  char* cmd = nullptr;
  int n = redisFormatCommandArgv(&cmd, static_cast<int>(args.size()), argv.data(), lens.data());
  std::string out;
  if (n > 0 && cmd) out.assign(cmd, static_cast<size_t>(n));
  redisFreeCommand(cmd);
  return out;
}

std::string SslErrorText() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return e ? std::string(buf) : std::string("TLS error");
}

}  // namespace

struct RedisConnection::Tls {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
  }
};

RedisConnection::RedisConnection() = default;

RedisConnection::~RedisConnection() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  if (reader_) redisReaderFree(static_cast<redisReader*>(reader_));
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Dial(const RedisUrl& url, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::unique_ptr<RedisConnection> c(new RedisConnection());
  c->reader_ = redisReaderCreate();
  // TLS context first: unreadable files are a configuration error, not an outage.
  if (url.tls) {
    c->tls_ = std::make_unique<Tls>();
    c->tls_->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->tls_->ctx) return Err(Code::kInternal, "TLS: " + SslErrorText());
    SSL_CTX_set_min_proto_version(c->tls_->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->tls_->ctx, SSL_VERIFY_PEER, nullptr);
    if (!url.ca_file.empty()) {
      if (SSL_CTX_load_verify_locations(c->tls_->ctx, url.ca_file.c_str(), nullptr) != 1)
        return Err(Code::kInvalidField, "cannot load Redis CA file " + url.ca_file, "redis");
    } else {
      SSL_CTX_set_default_verify_paths(c->tls_->ctx);
    }
    if (!url.cert_file.empty()) {
      if (SSL_CTX_use_certificate_chain_file(c->tls_->ctx, url.cert_file.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(c->tls_->ctx, url.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        return Err(Code::kInvalidField, "cannot load Redis client certificate/key", "redis");
    }
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(url.port);
  if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res)
    return Err(Code::kUnavailable, "redis: cannot resolve " + url.host + ": " + gai_strerror(rc));
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (WaitFd(fd, false, deadline)) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        if (err) last_error = std::system_category().message(err);
      } else {
        last_error = "connect timeout";
      }
    } else if (rc != 0) {
      last_error = std::system_category().message(errno);
    }
    if (rc == 0) {
      c->fd_ = fd;
      break;
    }
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (c->fd_ < 0) return Err(Code::kUnavailable, "redis: cannot connect to " + url.host + ":" + port + ": " + last_error);
  int one = 1;
  ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (url.tls) {
    SSL* ssl = SSL_new(c->tls_->ctx);
    c->tls_->ssl = ssl;
    SSL_set_fd(ssl, c->fd_);
    const std::string& name = url.sni.empty() ? url.host : url.sni;
    in6_addr tmp6{};
    in_addr tmp4{};
    const bool is_ip = inet_pton(AF_INET, name.c_str(), &tmp4) == 1 || inet_pton(AF_INET6, name.c_str(), &tmp6) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    else X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    for (;;) {
      int r = SSL_connect(ssl);
      if (r == 1) break;
      int e = SSL_get_error(ssl, r);
      if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && WaitFd(c->fd_, e == SSL_ERROR_WANT_READ, deadline))
        continue;
      long v = SSL_get_verify_result(ssl);
      std::string why = v != X509_V_OK ? X509_verify_cert_error_string(v) : SslErrorText();
      return Err(Code::kUnavailable, "redis: TLS handshake with " + url.host + " failed: " + why);
    }
  }
  if (!url.password.empty()) {
    std::vector<std::string> auth = url.user.empty() ? std::vector<std::string>{"AUTH", url.password}
                                                     : std::vector<std::string>{"AUTH", url.user, url.password};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    CX_ASSIGN_OR_RETURN(RedisReply r, c->Call(auth, std::max(left, std::chrono::milliseconds(1))));
    if (r.is_error()) return Err(Code::kBadCredentials, "redis: AUTH refused: " + r.str, "redis");
  }
  if (url.db != 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    CX_ASSIGN_OR_RETURN(RedisReply r, c->Call({"SELECT", std::to_string(url.db)}, std::max(left, std::chrono::milliseconds(1))));
    if (r.is_error()) return Err(Code::kInvalidField, "redis: SELECT refused: " + r.str, "redis");
  }
  return c;
}

Result<void> RedisConnection::WriteAll(const std::string& bytes, Clock::time_point deadline) {
  if (broken_) return Err(Code::kUnavailable, "redis: connection broken");
  size_t off = 0;
  while (off < bytes.size()) {
    if (tls_) {
      size_t n = 0;
      int r = SSL_write_ex(tls_->ssl, bytes.data() + off, bytes.size() - off, &n);
      if (r == 1) {
        off += n;
        continue;
      }
      int e = SSL_get_error(tls_->ssl, r);
      if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && WaitFd(fd_, e == SSL_ERROR_WANT_READ, deadline))
        continue;
    } else {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR) && WaitFd(fd_, false, deadline)) continue;
    }
    broken_ = true;
    return Err(Code::kUnavailable, "redis: write failed or timed out");
  }
  return {};
}

Result<void> RedisConnection::Send(const std::vector<std::string>& args, Clock::time_point deadline) {
  return WriteAll(Format(args), deadline);
}

Result<void> RedisConnection::SendMany(const std::vector<std::vector<std::string>>& cmds, Clock::time_point deadline) {
  std::string all;
  for (const auto& c : cmds) all += Format(c);
  return WriteAll(all, deadline);
}

Result<std::optional<RedisReply>> RedisConnection::Poll(Clock::time_point deadline) {
  if (broken_) return Err(Code::kUnavailable, "redis: connection broken");
  auto* reader = static_cast<redisReader*>(reader_);
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
      broken_ = true;
      return Err(Code::kUnavailable, "redis: protocol error");
    }
    if (raw) {
      RedisReply out = Convert(static_cast<redisReply*>(raw));
      freeReplyObject(raw);
      return std::optional<RedisReply>(std::move(out));
    }
    char buf[16384];
    size_t got = 0;
    if (tls_) {
      int r = SSL_read_ex(tls_->ssl, buf, sizeof buf, &got);
      if (r != 1) {
        int e = SSL_get_error(tls_->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
          if (!WaitFd(fd_, e == SSL_ERROR_WANT_READ, deadline)) return std::optional<RedisReply>();
          continue;
        }
        broken_ = true;
        return Err(Code::kUnavailable, "redis: connection closed");
      }
    } else {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!WaitFd(fd_, true, deadline)) return std::optional<RedisReply>();
        continue;
      }
      if (n <= 0) {
        broken_ = true;
        return Err(Code::kUnavailable, "redis: connection closed");
      }
      got = static_cast<size_t>(n);
    }
    redisReaderFeed(reader, buf, got);
  }
}

Result<RedisReply> RedisConnection::Call(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  CX_TRY(Send(args, deadline));
  CX_ASSIGN_OR_RETURN(std::optional<RedisReply> r, Poll(deadline));
  if (!r) {
    broken_ = true;  // a late reply would be read as the next call's
    return Err(Code::kUnavailable, "redis: timeout");
  }
  return std::move(*r);
}

}  // namespace cx::app
