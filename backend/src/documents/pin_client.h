// Pinning documents to an IPFS node through kubo's RPC API, with a durable queue.
//
// KuboClient speaks HTTP/1.1 over plain POSIX sockets (one connection per request,
// "Connection: close"; kubo's RPC is local or on a private network, so no TLS here):
//   POST /api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&pin=false
//        multipart/form-data, the stored bytes streamed from the block store; the CID
//        kubo reports must equal ours (same importer settings), else the pin fails.
//   POST /api/v0/pin/add?arg=<cid>     the reply must list the CID under "Pins".
//
// PinQueue is a directory with one small file per pending pin (<dir>/<cid>), written
// with write-to-temp + fsync + rename + fsync of the directory, so a queued pin survives
// a crash and is never lost: it leaves the queue only when kubo confirmed it. Each
// failure is recorded (attempts, last error, next attempt time with exponential backoff
// capped at RetryPolicy::max_delay_s) and retried forever; List() reports them.
// The lead may later move this queue into the Store (same fields).
//
// PinWorker::RunOnce(now) tries every due entry once; the caller owns the schedule and
// the clock (no clock reads here).
// Thread-safety: PinQueue and PinWorker are not thread-safe; use one worker thread.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "documents/block.h"
#include "documents/cid.h"

namespace cx::documents {

class DocumentStore;

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  bool explicit_port = false;
  std::string base_path;  // without trailing slash
};
// "http://host[:port][/base]". Error kInvalidField (https is not supported).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked
};

// Streams a request body into the connection.
using BodyWriter = std::function<Result<void>(ByteSink& out)>;

// One POST over a fresh connection. Errors: kUnavailable (connect, timeout, reset),
// kBadRequest (malformed reply). Thread-safe (no shared state).
Result<HttpResponse> HttpPost(const HttpUrl& url, const std::string& path_and_query,
                              const std::string& content_type, uint64_t content_length,
                              const BodyWriter& body, int timeout_ms);

class KuboClient {
 public:
  static Result<KuboClient> Create(std::string_view api_url, int timeout_ms = 30000);
  // Uploads `size` bytes produced by `content`; returns the CID kubo computed.
  Result<Cid> Add(uint64_t size, const BodyWriter& content) const;
  Result<void> PinAdd(const Cid& cid) const;

 private:
  KuboClient(HttpUrl url, int timeout_ms) : url_(std::move(url)), timeout_ms_(timeout_ms) {}
  HttpUrl url_;
  int timeout_ms_;
};

struct PendingPin {
  Cid cid;
  uint32_t attempts = 0;
  int64_t enqueued_unix = 0;
  int64_t next_attempt_unix = 0;
  std::string last_error;  // empty until a failure
};

class PinQueue {
 public:
  static Result<PinQueue> Open(const std::string& dir);
  // Adds `cid` if absent (idempotent: an existing entry keeps its history).
  Result<void> Enqueue(const Cid& cid, int64_t now_unix);
  Result<void> Update(const PendingPin& pin);
  Result<void> Remove(const Cid& cid);
  std::optional<PendingPin> Get(const Cid& cid) const;
  // All pending pins, oldest first; unreadable entries are reported as errors.
  Result<std::vector<PendingPin>> List() const;

 private:
  explicit PinQueue(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

struct RetryPolicy {
  int64_t base_delay_s = 10;    // after the first failure
  int64_t max_delay_s = 3600;   // cap of the doubling backoff
};

struct PinRunStats {
  uint32_t pinned = 0;
  uint32_t failed = 0;
  uint32_t not_due = 0;
};

class PinWorker {
 public:
  // All pointers must outlive the worker.
  PinWorker(const DocumentStore* store, PinQueue* queue, const KuboClient* kubo,
            RetryPolicy policy = {})
      : store_(store), queue_(queue), kubo_(kubo), policy_(policy) {}
  // Tries each due pin once. An error return means the queue itself failed (I/O);
  // pin failures are recorded in the queue and counted in the stats.
  Result<PinRunStats> RunOnce(int64_t now_unix);
  // Delay before attempt number `attempts + 1` after `attempts` failures.
  int64_t BackoffSeconds(uint32_t attempts) const;

 private:
  Result<void> PinOne(const Cid& cid);
  const DocumentStore* store_;
  PinQueue* queue_;
  const KuboClient* kubo_;
  RetryPolicy policy_;
};

}  // namespace cx::documents
