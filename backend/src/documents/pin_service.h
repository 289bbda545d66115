// PinService: runs a PinWorker on its own thread so a server pins stored documents to a
// kubo node when one is configured (CX_IPFS_API, see README.md "Pinning in the server").
//   Enqueue(cid, now)  durable before return (PinQueue: fsync + rename), so a pin asked for
//                      is never lost, also not across a crash or restart: entries left in
//                      the queue directory are picked up by the next PinService started on it.
//   the thread         every `poll_ms`, RunOnce(clock()) over the due entries; failures are
//                      recorded in the entry (attempts, last error, next attempt with backoff).
//   Pending()          what is still queued, with its failure record (reported to admins).
// Thread-safety: Enqueue, Pending and Kick may be called from any thread. PinQueue entries
// are single files replaced atomically; the only writer besides Enqueue (which creates
// absent entries only) is the service thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "documents/pin_client.h"

namespace cx::documents {

class PinService {
 public:
  struct Options {
    std::string queue_dir;                 // e.g. DIR/documents/pins
    std::string api_url;                   // kubo RPC, "http://127.0.0.1:5001"
    RetryPolicy retry;
    int poll_ms = 2000;
    int timeout_ms = 30000;
    std::function<int64_t()> clock;        // unix seconds; required
  };
  // `store` must outlive the service.
  static Result<std::unique_ptr<PinService>> Start(const DocumentStore* store, Options options);
  ~PinService();
  PinService(const PinService&) = delete;
  PinService& operator=(const PinService&) = delete;

  Result<void> Enqueue(const Cid& cid);
  Result<std::vector<PendingPin>> Pending() const;
  // Runs a pass now instead of waiting for the next poll.
  void Kick();
  // Passes completed (tests wait on it).
  uint64_t passes() const { return passes_.load(); }

 private:
  PinService(const DocumentStore* store, Options o, PinQueue q, KuboClient k);
  void Loop();

  Options opt_;
  PinQueue queue_;
  KuboClient kubo_;
  PinWorker worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool kicked_ = false;
  std::atomic<uint64_t> passes_{0};
  std::thread thread_;
};

}  // namespace cx::documents
