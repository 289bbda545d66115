// Cluster: leader / standby / API-node roles over one PostgreSQL journal (issue 10).
//
// Every node runs the same binary (`carbonx serve --store postgres://... --role R
// --node-id N --advertise HOST:PORT`). Exactly one node at a time is the LEADER: it holds
// the engine lease (store/pg_lease.h) and its engine appends through a store fenced by the
// lease epoch. Every other node is a FOLLOWER: its engine runs in replica mode
// (engine/engine.h), tailing the journal from PostgreSQL and serving reads on that state.
//
// Roles: `leader` and `standby` may lead (a `leader` simply tries first at start); `api`
// never leads. The lease lasts --lease-ms (default 3000); the leader renews it every
// lease_ms/3; followers that may lead look at it every lease_ms/6 and take it (epoch + 1)
// once it has expired by the database clock, then Promote() their engine on a store
// fenced with the new epoch.
//
// Writes on a follower: every request that is not GET/HEAD/OPTIONS under /api/ is
// forwarded, as it came (method, target, headers, body), to the leader's advertised
// address over HTTP/1.1 keep-alive (api/http_client.h) with the header
// X-CX-Cluster: HMAC-SHA-256 of the node id under the cluster secret, and X-CX-Node: id.
// The leader authenticates, authorizes and executes it exactly as if a client had sent
// it; the follower relays the answer after its replica has applied everything committed
// when the answer came (read-your-writes on the node that forwarded). Why HTTP-level
// forwarding and not command forwarding: registry::Command has no codec (only events
// do), and the handlers do edge work (argon2, sealing personal data, documents) that must
// run where the command is decided; forwarding the request keeps every handler unchanged.
// Forwarding never holds an io thread: the filter hands the request to a pool of
// forwarding threads (ClusterOptions::forward_threads, blocking keep-alive connections to
// the leader) and the answer is sent when it comes, so a follower keeps as many writes in
// flight as its clients send (up to forward_queue waiting; beyond that 503 at once).
// Errors: 503 NOT_LEADER "no leader" when no leader is reachable within 2 x lease_ms
// (the request was never delivered: retry), 503 UNAVAILABLE "outcome unknown" when the
// leader died with it in flight (retry with the same client_order_id / Idempotency-Key).
// A node that gets a forwarded request while not the leader answers 503 NOT_LEADER (no
// loops). A write that reaches a leader whose epoch was taken over is refused by the
// fence: 503 STORE_FENCED.
//
// Stepping down: a leader whose renewal is refused (fenced: a standby took the lease
// while it was paused or cut off), whose appends are fenced (engine broken()), or that
// could not renew for a whole lease by its own clock, DEMOTES its engine: pending
// requests are answered 503 UNAVAILABLE (retryable: nothing uncommitted was ever
// acknowledged), its state is rebuilt from the durable journal, and it continues as a
// follower (it may lead again later). Staleness of reads on a follower: at most
// replica_poll_ms (20 ms) behind the last commit while the node keeps up; /ready turns
// false when its last successful tail is older than --ready-lag-ms.
//
// Thread-safety: Open/Run/Stop from main's thread; the forwarding filter, Ready() and the
// accessors from any thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http_client.h"
#include "api/router.h"
#include "core/result.h"
#include "engine/engine.h"

namespace cx::store {
class PgLease;
}

namespace cx::app {

enum class ClusterRole : uint8_t { kLeader, kStandby, kApi };
// "leader" | "standby" | "api"; kInvalidField (field "role") otherwise.
Result<ClusterRole> ParseClusterRole(std::string_view s);

struct ClusterOptions {
  std::string store_url;  // postgres:// or postgresql://
  std::string node_id;    // unique per node
  ClusterRole role = ClusterRole::kStandby;
  std::string advertise;  // HOST:PORT other nodes forward to (this node's --listen)
  int64_t lease_ms = 3000;
  std::string secret;     // shared by every node (--cluster-secret-file), >= 16 bytes
  int64_t forward_timeout_ms = 10'000;
  int64_t ready_lag_ms = 2000;  // GET /ready: a follower's last journal tail at most this old
  int forward_threads = 64;     // writes in flight from this node to the leader
  size_t forward_queue = 4096;  // writes waiting for a forwarding thread
};

class Cluster {
 public:
  // Opens the engine in replica mode on a reader store and recovers it; a node that may
  // lead takes the lease if it is free or expired and promotes the engine (started).
  // The engine is returned through `engine_out` (main owns it; this object keeps a
  // pointer and must be destroyed first).
  static Result<std::unique_ptr<Cluster>> Open(ClusterOptions opts, engine::Options eopts,
                                               std::unique_ptr<engine::Engine>& engine_out);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Starts the lease thread (renew / watch / take over / step down).
  void Run();
  // Stops it and releases the lease if held (a graceful stop hands over at once).
  void Stop();

  // Installs the forwarding filter and starts the forwarding threads (stopped by Stop()).
  // Add it BEFORE every other filter (rate limits, API-key signatures): a forwarded
  // request is checked once, by the leader. `router` must outlive this object's Stop().
  void InstallForwarding(api::Router& router);

  bool is_leader() const { return leader_.load(); }
  int64_t epoch() const { return epoch_.load(); }
  std::string leader_address() const;
  const ClusterOptions& options() const { return opts_; }
  // Readiness (GET /ready): leader with a running engine, or a follower whose last
  // successful tail of the journal is at most `max_lag_ms` old.
  bool Ready(int64_t max_lag_ms) const;
  // The value of X-CX-Cluster this node sends (hex HMAC of its node id).
  std::string Proof() const;

 private:
  Cluster() = default;
  void Loop();
  void TryLead();
  void StepDown(const std::string& why);
  // Sends `out` to the leader until one answers (or the deadline); nullopt when this node
  // became the leader meanwhile (the request is then served here).
  std::optional<api::HttpResponse> Forward(const api::ClientRequest& out);
  void ForwardLoop();
  struct ForwardJob {
    api::HttpRequest req;
    api::ClientRequest out;
    api::Responder respond;
  };

  ClusterOptions opts_;
  engine::Options eopts_;
  engine::Engine* engine_ = nullptr;
  std::unique_ptr<store::PgLease> lease_;  // the lease thread's connection
  std::atomic<bool> leader_{false};
  std::atomic<int64_t> epoch_{0};
  std::atomic<int64_t> last_renew_mono_ms_{0};
  mutable std::mutex mu_;
  std::string leader_addr_;  // guarded by mu_
  std::unique_ptr<api::HttpClient> client_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  const api::Router* router_ = nullptr;  // for requests to serve here after a takeover
  std::mutex fmu_;
  std::condition_variable fcv_;
  std::deque<ForwardJob> fq_;  // guarded by fmu_
  bool fstop_ = false;         // guarded by fmu_
  std::vector<std::thread> fthreads_;
};

// `carbonx serve --store postgres://...`: checks the flags, reads the secret (the file's
// first line, or $CX_CLUSTER_SECRET when no file is named), opens the node and sets the
// /ready predicate (api/metrics.h). kInvalidField / kMissingField name the bad flag.
Result<std::unique_ptr<Cluster>> OpenClusterNode(const std::string& store_url, const std::string& node_id,
                                                 const std::string& role, const std::string& advertise,
                                                 int64_t lease_ms, int64_t ready_lag_ms, const std::string& secret_file,
                                                 engine::Options eopts,
                                                 std::unique_ptr<engine::Engine>& engine_out);

}  // namespace cx::app
