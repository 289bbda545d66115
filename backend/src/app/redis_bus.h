// RedisBus: this node's connection to Redis (issue 10), for what API nodes share.
//
// Transport: hiredis' RESP reader/writer (Debian 12's hiredis 0.14 has no TLS) over our
// own blocking socket, plain TCP or TLS via OpenSSL (app/redis_client.h). `--redis URL`:
//   redis://[[user]:password@]host[:port][/db]
//   rediss://[[user]:password@]host[:port][/db][?ca=FILE][&cert=FILE&key=FILE][&sni=NAME]
// rediss verifies the server certificate against `ca` (else the system store) and the
// host name (or `sni`); TLS 1.2+. Without --redis nothing here runs and every use below
// falls back to the node-local behaviour of before.
//
// RedisBus owns
// - one subscriber connection (its own thread): SUBSCRIBEs every channel a caller asked
//   for; on a lost connection it reconnects with backoff (100 ms doubling to 2 s),
//   resubscribes everything, then calls each subscription's on_resubscribed (messages
//   published while it was away are lost: that is where a client is told to resync);
// - one publisher connection (its own thread): Publish() only queues (bounded, ordered),
//   so the engine's publisher never waits for the network; while Redis is down the
//   queue keeps the newest kMaxQueuedPublishes messages and counts what it dropped;
// - a small pool of command connections for Command()/Eval(): each call has a deadline
//   (options.command_timeout); a failed connection is dropped and redialled on next use.
// Metrics (api/metrics.h): cx_redis_up, cx_redis_reconnects_total,
// cx_redis_publish_dropped_total, cx_redis_command_seconds.
// Thread-safety: all methods from any thread. Handlers run on the subscriber thread, one
// at a time, in arrival order; they must not block for long and must not call
// Subscribe/Unsubscribe of the same bus (Publish and Command are fine).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::app {

struct RedisUrl {
  bool tls = false;
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  int db = 0;
  std::string user, password;
  std::string ca_file, cert_file, key_file, sni;
};
// kInvalidField (field "redis") for anything else than the forms above.
Result<RedisUrl> ParseRedisUrl(std::string_view url);

// One RESP reply.
struct RedisReply {
  enum class Type : uint8_t { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus, kError
  std::vector<RedisReply> elements;
  bool is_error() const { return type == Type::kError; }
};

struct RedisBusOptions {
  RedisUrl url;
  std::string node_id;  // names this node in envelopes (default: host:pid)
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{500};
  size_t command_connections = 2;
};

class RedisBus {
 public:
  static constexpr size_t kMaxQueuedPublishes = 100'000;
  using MessageHandler = std::function<void(const std::string& channel, const std::string& payload)>;

  // Starts the background threads and returns at once (Redis may be down: the bus keeps
  // trying). kInvalidField for unusable options (TLS files that cannot be read).
  static Result<std::unique_ptr<RedisBus>> Start(RedisBusOptions options);
  ~RedisBus();  // stops the threads (queued publishes not yet sent are dropped)
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  // Subscribes to one exact channel; returns a subscription id (never 0).
  uint64_t Subscribe(const std::string& channel, MessageHandler handler, std::function<void()> on_resubscribed = {});
  void Unsubscribe(uint64_t id);
  // Queues PUBLISH channel payload; false if the bus is stopping.
  bool Publish(const std::string& channel, std::string payload);
  // Runs one command with the deadline; kUnavailable when Redis cannot be reached in
  // time, kInternal for a Redis error reply (message = the reply text).
  Result<RedisReply> Command(const std::vector<std::string>& args);
  // EVALSHA with the script's SHA-1, falling back to EVAL on NOSCRIPT.
  Result<RedisReply> Eval(const std::string& script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);
  // True while the subscriber connection is up (the bus' notion of "Redis is up").
  bool up() const;
  // Blocks until up() or the timeout; returns up().
  bool WaitUp(std::chrono::milliseconds timeout) const;
  const std::string& node_id() const;

 private:
  struct Impl;
  explicit RedisBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------
// The uses (app/redis_uses.cc). Each takes a RedisBus* that may be null (no --redis):
// then it behaves as a single node did before.

// Market-data fan-out. The leader's MarketFeed hands every outgoing message (already
// rendered, per WebSocket channel) to Emit() with the journal seq it came from; with a bus
// they go to the Redis channel "cx:md" as one envelope per publish batch
// {"node":..,"n":<batch counter>,"seq":<journal seq>,"msgs":[[channel,text],...]};
// every node (the leader included) delivers the texts of each envelope to its local
// PubSubHub. A node drops an envelope whose (origin, n) it has already seen (duplicate),
// and when it sees a gap in n, or after a resubscribe, it sends {"type":"resync",
// "reason":...} on every channel it serves so clients re-subscribe for a fresh snapshot.
// Without a bus Emit() publishes to the hub directly, exactly as before.
class MarketFanout {
 public:
  struct Hub {  // the local hub (api::PubSubHub::Publish), kept abstract to avoid the include
    std::function<size_t(const std::string& channel, std::string text)> publish;
    std::function<std::vector<std::string>()> channels;  // channels with local subscribers
  };
  MarketFanout(RedisBus* bus, Hub hub);
  ~MarketFanout();
  // Only the node whose engine leads emits to Redis: a replica's own MarketFeed renders
  // the same messages from the journal it tails, and they reach its clients through Redis
  // from the leader instead. `is_leader` (default: always true) is asked on every Emit
  // with a bus; when false the messages are dropped. Set before the engine starts.
  void set_is_leader(std::function<bool()> is_leader);
  // `journal_seq` = the last journal seq of the published group (0 when unknown).
  void Emit(uint64_t journal_seq, std::vector<std::pair<std::string, std::string>> messages);
  uint64_t last_seq_seen() const;
  uint64_t duplicates_dropped() const;
  uint64_t resyncs_sent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Shared token buckets (one Lua script: refill + take, atomically, in Redis). With Redis
// down the check is answered by a node-local bucket of the same size (see the README:
// fail-open to local limits for user/ip/key, which are throughput guards; the auth
// bucket, a brute-force guard, also falls back to local -- each node still limits).
struct RateCheck {
  bool allowed = true;
  int64_t retry_after_s = 0;
  bool shared = false;  // answered by Redis (false: the local fallback)
};
class SharedRateLimiter {
 public:
  // burst tokens, refilled per_s per second. kInvalidField for burst <= 0 or per_s <= 0.
  static Result<std::unique_ptr<SharedRateLimiter>> Create(RedisBus* bus, std::string prefix, int64_t burst,
                                                           int64_t per_s);
  ~SharedRateLimiter();
  RateCheck Acquire(const std::string& key, int64_t now_ms);

 private:
  SharedRateLimiter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Revoked access tokens (by jti): a deny-list in Redis ("cx:revoked:<jti>", TTL = the
// token's remaining life) announced on "cx:revoke", so every node's local copy learns of
// it at once; the local copy is what requests are checked against (no round trip per
// request). Loaded with SCAN after every (re)connect.
class RevocationList {
 public:
  explicit RevocationList(RedisBus* bus);
  ~RevocationList();
  void Revoke(const std::string& jti, int64_t expires_at_s, int64_t now_s);
  bool IsRevoked(const std::string& jti, int64_t now_s) const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The API-key replay cache shared across nodes: SET cx:replay:<sig> 1 NX PX ttl. With
// Redis down: the node-local cache only (a replay to another node within the window is
// then possible; logged and counted as cx_redis_fallback_total{use="replay"}).
// Returns true if `id` is new (remembered now), false if it was seen.
class SharedReplayCache {
 public:
  explicit SharedReplayCache(RedisBus* bus);
  ~SharedReplayCache() = default;
  // nullopt = Redis could not answer (the caller uses its local cache).
  std::optional<bool> CheckAndRemember(std::string_view id, int64_t ttl_ms);

 private:
  RedisBus* bus_;
};

// Cached read models: heavy GET answers keyed by path (with query) and the journal seq
// they were rendered at. Get(path, seq) finds only an answer rendered at exactly that
// seq, so a new commit invalidates every entry at once; entries expire after ttl.
// Without a bus: a small local LRU (same contract).
class ReadModelCache {
 public:
  explicit ReadModelCache(RedisBus* bus, std::chrono::seconds ttl = std::chrono::seconds(60),
                          size_t local_capacity = 1024);
  ~ReadModelCache();
  std::optional<std::string> Get(const std::string& path, uint64_t seq);
  void Put(const std::string& path, uint64_t seq, const std::string& body);
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cx::app
