#include "engine/engine.h"

#include <chrono>
#include <future>
#include <limits>

#include "core/merkle.h"

namespace cx::engine {

int64_t SystemClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
int64_t MonoMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Engine::Engine(std::unique_ptr<store::Store> store, Options opts)
    : store_(std::move(store)), opts_(std::move(opts)) {
  if (!opts_.clock) opts_.clock = SystemClockMicros;
  replica_ = opts_.replica;
  if (opts_.replica_poll_ms < 1) opts_.replica_poll_ms = 1;
  if (opts_.block_events < 1) opts_.block_events = 1;
}

Engine::~Engine() { Stop(); }

Result<void> Engine::Recover() {
  CX_ASSIGN_OR_RETURN(store::Tail tail, store_->ReadTail());
  CX_ASSIGN_OR_RETURN(std::optional<store::Snapshot> snap, store_->LatestSnapshot());
  // A snapshot is only a shortcut: one this build cannot decode (an older format) is
  // skipped and the whole journal is replayed instead.
  if (snap && snap->seq <= tail.last_seq && !state_.Restore(snap->state)) {
    state_ = registry::RegistryState();
    snap.reset();
  }
  if (snap && snap->seq <= tail.last_seq) {
    chain_hash_ = snap->last_hash;
    last_seq_ = snap->seq;
  }
  CX_TRY(ApplyJournal(std::numeric_limits<int64_t>::max(), nullptr));
  if (state_.replay_pending())
    return Err(Code::kJournalCorrupt, "the journal ends before the outcomes of its last exchange command");
  last_ts_ = std::max(last_ts_, tail.last_ts);
  return InitWriterState();
}

Result<int64_t> Engine::ApplyJournal(int64_t max_rows, std::vector<std::shared_ptr<const void>>* observed) {
  Error failure;
  bool failed = false;
  int64_t n = 0;
  std::vector<registry::Event> group;
  int64_t group_first = 0, group_ts = 0;
  auto flush = [&] {
    if (observed && opts_.observe && !group.empty()) {
      Outcome out{group_first, last_seq_, group_ts, &group};
      if (auto item = opts_.observe(state_, out)) observed->push_back(std::move(item));
    }
    group.clear();
  };
  CX_TRY(store_->ScanJournal(last_seq_ + 1, [&](const store::JournalRow& r) {
    // Stop at a command boundary (a new timestamp) once enough rows were applied.
    if (n >= max_rows && r.ts != last_ts_) return false;
    if (r.seq != last_seq_ + 1 || r.prev_hash != chain_hash_) {
      failure = Err(Code::kJournalCorrupt, "journal chain broken at seq " + std::to_string(r.seq));
      failed = true;
      return false;
    }
    registry::Event e;
    if (!registry::DecodeEvent(r.type, r.payload, e)) {
      failure = Err(Code::kJournalCorrupt, "undecodable event at seq " + std::to_string(r.seq));
      failed = true;
      return false;
    }
    if (r.ts != group_ts) flush();
    state_.Apply(e, r.seq, r.ts);
    if (!state_.replay_divergence().empty()) {
      failure = Err(Code::kJournalCorrupt, "replay differs at seq " + std::to_string(r.seq) + ": " + state_.replay_divergence());
      failed = true;
      return false;
    }
    if (group.empty()) group_first = r.seq;
    group_ts = r.ts;
    if (observed) group.push_back(std::move(e));
    last_seq_ = r.seq;
    last_ts_ = std::max(last_ts_, r.ts);
    chain_hash_ = r.hash;
    ++n;
    return true;
  }));
  flush();
  if (failed) return failure;
  return n;
}

Result<void> Engine::InitWriterState() {
  CX_ASSIGN_OR_RETURN(store::Tail tail, store_->ReadTail());
  if (!replica_ && tail.last_seq != last_seq_)
    return Err(Code::kUnavailable, "the journal moved on (seq " + std::to_string(tail.last_seq) + ", applied " +
                                       std::to_string(last_seq_) + "): another writer is active");
  last_ts_ = std::max(last_ts_, tail.last_ts);
  last_hash_ = chain_hash_;
  committed_seq_ = last_seq_;
  stat_committed_ = last_seq_;
  open_block_.clear();
  block_height_ = 0;
  last_header_ = Hash256{};
  if (tail.last_block) {
    block_height_ = tail.last_block->height;
    last_header_ = tail.last_block->header_hash;
    open_first_seq_ = tail.last_block->last_seq + 1;
  } else {
    open_first_seq_ = 1;
  }
  last_tail_mono_us_ = MonoMicros();
  // A replica seals nothing: its open block is read when it is promoted.
  if (!replica_ && open_first_seq_ <= last_seq_) {
    CX_ASSIGN_OR_RETURN(open_block_, store_->EventHashes(open_first_seq_, last_seq_));
    open_since_us_ = MonoMicros();
  }
  return Ok();
}

Result<void> Engine::Promote(std::unique_ptr<store::Store> writer) {
  Stop();
  store_ = std::move(writer);
  replica_ = false;
  opts_.replica = false;
  broken_ = false;
  // The previous writer is fenced by now: what its journal holds beyond our seq is final.
  auto r = ApplyJournal(std::numeric_limits<int64_t>::max(), nullptr);
  if (r.ok() && state_.replay_pending())
    r = Err(Code::kJournalCorrupt, "the journal ends before the outcomes of its last exchange command");
  Result<void> w = r.ok() ? InitWriterState() : Result<void>(r.take_error());
  if (!w.ok()) {
    broken_ = true;  // refuse everything; the caller demotes or exits
    Start();
    return w;
  }
  Start();
  return Ok();
}

Result<void> Engine::Demote(std::unique_ptr<store::Store> reader) {
  Stop();
  store_ = std::move(reader);
  replica_ = true;
  opts_.replica = true;
  broken_ = false;
  state_ = registry::RegistryState();
  chain_hash_ = Hash256{};
  last_seq_ = 0;
  last_ts_ = 0;
  since_snapshot_ = 0;
  last_hash_ = Hash256{};
  committed_seq_ = 0;
  open_block_.clear();
  open_first_seq_ = 0;
  block_height_ = 0;
  last_header_ = Hash256{};
  auto r = Recover();
  if (!r.ok()) broken_ = true;
  Start();
  return r;
}

int64_t Engine::replica_tail_age_ms() const {
  if (!replica_) return 0;
  return (MonoMicros() - last_tail_mono_us_.load()) / 1000;
}

bool Engine::WaitApplied(int64_t seq, int64_t timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (stat_committed_.load() < seq) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void Engine::Start() {
  if (engine_thread_.joinable()) return;  // already running (e.g. started by Promote)
  stopping_ = false;
  engine_done_ = false;
  engine_thread_ = std::thread([this] { EngineLoop(); });
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

void Engine::Stop() {
  if (!engine_thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(in_mu_);
    stopping_ = true;
  }
  in_cv_.notify_all();
  engine_thread_.join();
  writer_thread_.join();
}

void Engine::Submit(Request r) {
  if (r.cmd && replica_) {
    if (r.done) r.done(Err(Code::kNotLeader, "not the leader: this node serves reads only"));
    return;
  }
  {
    std::lock_guard<std::mutex> l(in_mu_);
    if (!stopping_ && !broken_) {
      // Only the first request of a batch wakes the engine: it takes the whole inbox at
      // once, so one futex wake serves every request queued behind the first.
      bool was_empty = inbox_.empty();
      inbox_.push_back(std::move(r));
      stat_queue_.fetch_add(1, std::memory_order_relaxed);
      if (was_empty) in_cv_.notify_one();
      return;
    }
  }
  if (r.done) r.done(Err(Code::kUnavailable, "the engine is not running"));
}

Result<std::string> Engine::Execute(registry::Command cmd, Render render) {
  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto f = p->get_future();
  Submit(Request{std::move(cmd), std::move(render), [p](Result<std::string> r) { p->set_value(std::move(r)); }});
  return f.get();
}

Result<std::string> Engine::Query(Render render) {
  auto p = std::make_shared<std::promise<Result<std::string>>>();
  auto f = p->get_future();
  Submit(Request{std::nullopt, std::move(render), [p](Result<std::string> r) { p->set_value(std::move(r)); }});
  return f.get();
}

Stats Engine::stats() const {
  return Stats{stat_committed_.load(), stat_groups_.load(), stat_blocks_.load(), stat_queue_.load()};
}

void Engine::EngineLoop() {
  std::vector<Request> batch;
  std::vector<registry::Event> events, applied, derived;
  for (;;) {
    {
      std::unique_lock<std::mutex> l(in_mu_);
      if (replica_)
        in_cv_.wait_for(l, std::chrono::milliseconds(opts_.replica_poll_ms), [&] { return !inbox_.empty() || stopping_; });
      else
        in_cv_.wait(l, [&] { return !inbox_.empty() || stopping_; });
      if (inbox_.empty() && stopping_) break;
      batch.swap(inbox_);
    }
    stat_queue_.fetch_sub(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    Group g;
    g.completions.reserve(batch.size());
    if (replica_ && !broken_) {
      // Tail the leader's journal; reads below see everything committed before they came.
      auto n = ApplyJournal(20000, &g.observed);
      if (n.ok()) last_tail_mono_us_ = MonoMicros();
      else if (n.error().code == Code::kJournalCorrupt) broken_ = true;  // stop rather than serve a wrong state
      stat_committed_ = last_seq_;
    }
    for (Request& r : batch) {
      if (broken_) {
        g.completions.push_back({std::move(r.done), Err(Code::kUnavailable, "engine stopped after a storage failure")});
        continue;
      }
      if (r.cmd && replica_) {
        g.completions.push_back({std::move(r.done), Err(Code::kNotLeader, "not the leader: this node serves reads only")});
        continue;
      }
      Outcome out;
      if (r.cmd) {
        int64_t ts = std::max(opts_.clock(), last_ts_);
        last_ts_ = ts;
        events.clear();
        state_.BeginStep();
        auto res = state_.Decide(*r.cmd, ts, events);
        if (!res.ok()) {
          g.completions.push_back({std::move(r.done), res.take_error()});
          continue;
        }
        out.first_seq = last_seq_ + 1;
        // Exchange input events append their outcomes (derived events) while applying:
        // those are journaled in place, right after their input, and never applied.
        applied.swap(events);
        events.clear();
        for (auto& in : applied) {
          derived.clear();
          if (!registry::IsDerived(in))
            state_.Apply(in, last_seq_ + 1 + static_cast<int64_t>(events.size()), ts, &derived);
          events.push_back(std::move(in));
          for (auto& d : derived) events.push_back(std::move(d));
        }
        for (const auto& e : events) {
          int64_t seq = ++last_seq_;
          store::JournalRow row;
          row.seq = seq;
          row.ts = ts;
          row.type = registry::EventTypeName(e);
          row.payload = registry::EncodeEvent(e);
          row.prev_hash = chain_hash_;
          row.hash = store::EventHash(chain_hash_, seq, ts, row.type, row.payload);
          chain_hash_ = row.hash;
          g.rows.push_back(std::move(row));
        }
        out.last_seq = last_seq_;
        out.ts = ts;
        out.events = &events;
        since_snapshot_ += static_cast<int64_t>(events.size());
      }
      Result<std::string> body = r.render ? r.render(state_, out) : Result<std::string>(std::string());
      if (opts_.observe && out.first_seq != 0)
        if (auto item = opts_.observe(state_, out)) g.observed.push_back(std::move(item));
      g.completions.push_back({std::move(r.done), std::move(body)});
    }
    batch.clear();
    if (g.completions.empty() && g.observed.empty() && g.rows.empty()) continue;
    if (since_snapshot_ >= opts_.snapshot_every && !g.rows.empty()) {
      g.snapshot = state_.Snapshot();
      g.snapshot_seq = last_seq_;
      since_snapshot_ = 0;
    }
    {
      std::lock_guard<std::mutex> l(out_mu_);
      outbox_.push_back(std::move(g));
    }
    out_cv_.notify_one();
  }
  {
    std::lock_guard<std::mutex> l(out_mu_);
    engine_done_ = true;
  }
  out_cv_.notify_one();
}

void Engine::Fail(std::vector<Group>& groups, const Error& e) {
  broken_ = true;
  bool fenced = opts_.is_fenced && opts_.is_fenced(e);
  for (auto& g : groups)
    for (auto& c : g.completions)
      if (c.done)
        c.done(fenced ? Err(Code::kFenced, "not the leader any more (write fenced); retry: " + e.message)
                      : Err(Code::kStorage, "not durable: " + e.message));
  groups.clear();
}

void Engine::WriterLoop() {
  std::vector<Group> groups;
  for (;;) {
    bool done = false;
    {
      std::unique_lock<std::mutex> l(out_mu_);
      auto wait_for = std::chrono::milliseconds(open_block_.empty() ? 1000 : std::max<int64_t>(1, opts_.block_ms / 4));
      out_cv_.wait_for(l, wait_for, [&] { return !outbox_.empty() || engine_done_; });
      groups.swap(outbox_);
      done = engine_done_ && groups.empty();
    }
    std::vector<store::JournalRow> rows;
    std::vector<store::BlockRow> blocks;
    size_t n = 0;
    for (auto& g : groups) n += g.rows.size();
    rows.reserve(n);
    auto seal = [&](int64_t last_seq) {
      store::BlockRow b;
      b.height = ++block_height_;
      b.first_seq = open_first_seq_;
      b.last_seq = last_seq;
      b.root = MerkleRoot(open_block_);
      b.prev_header = last_header_;
      b.header_hash = store::BlockHeaderHash(b);
      b.sealed_ts = SystemClockMicros();
      last_header_ = b.header_hash;
      blocks.push_back(b);
      open_block_.clear();
      open_first_seq_ = last_seq + 1;
    };
    Hash256 prev = last_hash_;
    std::vector<Hash256> group_hash(groups.size());
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      auto& g = groups[gi];
      for (auto& r : g.rows) {
        prev = r.hash;  // chained by the engine thread
        if (open_block_.empty()) open_since_us_ = MonoMicros();
        open_block_.push_back(r.hash);
        if (static_cast<int64_t>(open_block_.size()) >= opts_.block_events) seal(r.seq);
        rows.push_back(std::move(r));
      }
      group_hash[gi] = prev;
    }
    int64_t last = rows.empty() ? committed_seq_ : rows.back().seq;
    if (!open_block_.empty() && (done || MonoMicros() - open_since_us_ >= opts_.block_ms * 1000)) seal(last);
    if (!rows.empty() || !blocks.empty()) {
      auto r = store_->Append(rows, blocks);
      if (!r.ok()) {
        // Roll back the writer's view: nothing of this group is durable.
        Fail(groups, r.error());
        std::lock_guard<std::mutex> l(out_mu_);
        if (engine_done_ && outbox_.empty()) return;
        continue;
      }
      last_hash_ = prev;
      committed_seq_ = last;
      stat_committed_ = last;
      stat_groups_.fetch_add(1);
      stat_blocks_.fetch_add(static_cast<int64_t>(blocks.size()));
    }
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      auto& g = groups[gi];
      if (g.snapshot) {
        store::Snapshot s{g.snapshot_seq, group_hash[gi], std::move(*g.snapshot)};
        (void)store_->PutSnapshot(s);  // best effort: the journal is the truth
      }
      for (auto& c : g.completions)
        if (c.done) c.done(std::move(c.result));
      if (opts_.publish && !g.observed.empty()) opts_.publish(g.observed);
    }
    groups.clear();
    if (done) return;
  }
}

}  // namespace cx::engine
