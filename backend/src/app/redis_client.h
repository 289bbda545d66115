// RedisConnection: one connection to Redis, blocking calls with deadlines.
//
// Why not hiredis' own redisContext: Debian 12 ships hiredis 0.14, which has no TLS, and
// its blocking context has one timeout for everything. We keep hiredis for what it is
// good at -- the RESP writer (redisFormatCommandArgv) and the incremental reader
// (redisReader) -- and own the transport: a non-blocking socket driven with poll(), plain
// TCP or TLS (OpenSSL, TLS 1.2+, peer certificate verified against the CA file or the
// system store, host name checked).
// A connection whose call failed for a transport reason (timeout included, since a late
// reply would be taken for the next call's) is broken() and must be discarded.
// Not thread-safe: one owner at a time.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/redis_bus.h"
#include "core/result.h"

namespace cx::app {

class RedisConnection {
 public:
  using Clock = std::chrono::steady_clock;
  // Connects (TCP, then TLS for rediss), then AUTH and SELECT as the URL asks.
  // kUnavailable when the server cannot be reached or the handshake fails; kInvalidField
  // (field "redis") when the TLS files cannot be loaded; kBadCredentials for AUTH refused.
  static Result<std::unique_ptr<RedisConnection>> Dial(const RedisUrl& url, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Writes one command (all of it, or kUnavailable and broken()).
  Result<void> Send(const std::vector<std::string>& args, Clock::time_point deadline);
  // Writes several commands in one go (pipelining).
  Result<void> SendMany(const std::vector<std::vector<std::string>>& cmds, Clock::time_point deadline);
  // Reads one reply; nullopt if none is complete by the deadline (the connection stays
  // usable: partial input is kept). kUnavailable when the peer closed or the stream broke.
  Result<std::optional<RedisReply>> Poll(Clock::time_point deadline);
  // Send + wait for the reply. A timeout breaks the connection (kUnavailable "timeout").
  // A Redis error reply is returned as a RedisReply of type kError (not an Error).
  Result<RedisReply> Call(const std::vector<std::string>& args, std::chrono::milliseconds timeout);
  bool broken() const { return broken_; }

 private:
  RedisConnection();
  struct Tls;
  Result<void> WriteAll(const std::string& bytes, Clock::time_point deadline);
  int fd_ = -1;
  bool broken_ = false;
  std::unique_ptr<Tls> tls_;
  void* reader_ = nullptr;  // redisReader*
};

}  // namespace cx::app
