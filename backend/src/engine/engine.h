// Engine: the single writer. One thread owns the registry state and applies commands in
// sequence; a second thread (the journal writer) hash-chains the resulting events, seals
// blocks with Merkle roots, and commits them in groups (group commit). A client hears
// "accepted" (its Done callback with a body) only after the group holding its events is
// durable. Refusals change nothing and are answered in order too.
//
// Thread-safety: Submit/Execute may be called from any thread. Render callbacks run on
// the engine thread (they may read the state); Done callbacks run on the writer thread
// and must not block for long (post the reply to your own executor).
// Failure: if a commit fails the engine stops accepting commands (fail-stop) and answers
// everything pending with STORE_ERROR; a restart recovers from the durable journal.
//
// Replica mode (Options::replica; app/cluster.h): the engine applies, on its own thread,
// the events another node's engine committed, tailing its store every replica_poll_ms,
// and refuses commands with 503 NOT_LEADER ("not the leader"); queries and Render callbacks
// run on the replica state at its applied seq. Promote() turns a replica into the writer
// on a (fenced) store, Demote() turns a writer back into a replica whose state is rebuilt
// from the durable journal (a fenced leader may hold applied but never-committed events).
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "registry/registry.h"
#include "store/store.h"

namespace cx::engine {

struct Outcome {
  int64_t first_seq = 0;  // 0 when the request produced no event
  int64_t last_seq = 0;
  int64_t ts = 0;
  const std::vector<registry::Event>* events = nullptr;
};
// Produces the reply body (or a refusal) from the state right after the command applied.
using Render = std::function<Result<std::string>(const registry::RegistryState&, const Outcome&)>;
using Done = std::function<void(Result<std::string>)>;

struct Request {
  std::optional<registry::Command> cmd;  // empty: a read (query) at a durable point
  Render render;
  Done done;
};

struct Options {
  int64_t block_events = 1000;      // seal a block every N events...
  int64_t block_ms = 1000;          // ...or every T ms, whichever comes first
  int64_t snapshot_every = 100000;  // events between snapshots
  std::function<int64_t()> clock;   // microseconds since the epoch; default: system clock
  // Publishing (market data, private order feeds): `observe` runs on the engine thread
  // after each command that produced events and may capture what to publish; the items
  // are handed to `publish` on the writer thread once they are durable, in order.
  std::function<std::shared_ptr<const void>(const registry::RegistryState&, const Outcome&)> observe;
  std::function<void(const std::vector<std::shared_ptr<const void>>&)> publish;
  // Replica mode (see the header comment). Rows are applied exactly as Recover() replays
  // them (hash chain checked); consecutive rows with one timestamp (one command's events)
  // are handed to `observe` as one Outcome, so followers publish market data too.
  bool replica = false;
  int64_t replica_poll_ms = 20;
  // A commit error for which pending requests are answered 503 STORE_FENCED (retryable: not
  // the leader any more) rather than STORE_ERROR; e.g. the fenced store's "lease lost".
  std::function<bool(const Error&)> is_fenced;
};

struct Stats {
  int64_t committed_seq = 0;
  int64_t groups = 0;
  int64_t blocks = 0;
  int64_t queue_depth = 0;
};

class Engine {
 public:
  Engine(std::unique_ptr<store::Store> store, Options opts);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads the latest snapshot and replays the journal after it. Call before Start().
  Result<void> Recover();
  void Start();
  // Finishes everything submitted so far, seals the open block and stops the threads.
  void Stop();

  void Submit(Request r);
  // Submits and waits for the durable answer (CLI, tests, demo loading).
  Result<std::string> Execute(registry::Command cmd, Render render = {});
  // Runs `render` on the engine thread at a durable point and waits for it.
  Result<std::string> Query(Render render);

  Stats stats() const;
  bool broken() const { return broken_.load(); }
  bool replica() const { return replica_.load(); }
  // Milliseconds since this replica last read the journal successfully (0 for a writer).
  int64_t replica_tail_age_ms() const;
  // Waits until the state has applied (replica) or committed (writer) seq >= `seq`;
  // false after `timeout_ms`. Thread-safe.
  bool WaitApplied(int64_t seq, int64_t timeout_ms) const;
  // Replica -> writer: stops the threads, applies what `writer`'s journal holds beyond the
  // applied seq, takes over the writer state (hash chain, open block) and restarts as the
  // writer appending through `writer`. Not from the engine or writer thread. Requests
  // submitted meanwhile are refused with 503 NOT_LEADER (retryable).
  Result<void> Promote(std::unique_ptr<store::Store> writer);
  // Writer -> replica: stops, discards the in-memory state (it may hold events that were
  // never committed), recovers from `reader` and restarts in replica mode.
  Result<void> Demote(std::unique_ptr<store::Store> reader);
  // Only while the engine is not running (before Start or after Stop).
  const registry::RegistryState& state() const { return state_; }

 private:
  struct Completion {
    Done done;
    Result<std::string> result;
  };
  struct Group {
    std::vector<store::JournalRow> rows;
    std::vector<Completion> completions;
    std::vector<std::shared_ptr<const void>> observed;
    std::optional<std::string> snapshot;  // state after the last row of this group
    int64_t snapshot_seq = 0;
  };

  void EngineLoop();
  void WriterLoop();
  // Applies journal rows after last_seq_ (hash chain checked) up to `max_rows` (then up
  // to the end of that timestamp's rows); groups of one timestamp go to opts_.observe
  // when `observed` is given. Returns the number of rows applied.
  Result<int64_t> ApplyJournal(int64_t max_rows, std::vector<std::shared_ptr<const void>>* observed);
  // The writer thread's view (chain head, block height, open block) from the store tail.
  Result<void> InitWriterState();
  void Fail(std::vector<Group>& groups, const Error& e);

  std::unique_ptr<store::Store> store_;
  Options opts_;
  registry::RegistryState state_;

  // Engine-thread state. The engine thread also extends the hash chain (chain_hash_), so
  // hashing runs beside the writer's inserts instead of after them.
  Hash256 chain_hash_{};
  int64_t last_seq_ = 0;
  int64_t last_ts_ = 0;
  int64_t since_snapshot_ = 0;

  // Writer-thread state.
  Hash256 last_hash_{};
  int64_t committed_seq_ = 0;
  std::vector<Hash256> open_block_;
  int64_t open_first_seq_ = 0;
  int64_t open_since_us_ = 0;
  int64_t block_height_ = 0;
  Hash256 last_header_{};

  mutable std::mutex in_mu_;
  std::condition_variable in_cv_;
  std::vector<Request> inbox_;

  mutable std::mutex out_mu_;
  std::condition_variable out_cv_;
  std::vector<Group> outbox_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> broken_{false};
  std::atomic<bool> replica_{false};
  std::atomic<int64_t> last_tail_mono_us_{0};
  std::atomic<int64_t> stat_committed_{0}, stat_groups_{0}, stat_blocks_{0}, stat_queue_{0};
  std::thread engine_thread_, writer_thread_;
  bool engine_done_ = false;  // guarded by out_mu_
};

int64_t SystemClockMicros();

}  // namespace cx::engine
