#include "engine/engine.h"

#include <chrono>
#include <future>

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
  if (opts_.block_events < 1) opts_.block_events = 1;
}

Engine::~Engine() { Stop(); }

Result<void> Engine::Recover() {
  CX_ASSIGN_OR_RETURN(store::Tail tail, store_->ReadTail());
  CX_ASSIGN_OR_RETURN(std::optional<store::Snapshot> snap, store_->LatestSnapshot());
  int64_t from = 1;
  Hash256 prev{};
  // A snapshot is only a shortcut: one this build cannot decode (an older format) is
  // skipped and the whole journal is replayed instead.
  if (snap && snap->seq <= tail.last_seq && !state_.Restore(snap->state)) {
    state_ = registry::RegistryState();
    snap.reset();
  }
  if (snap && snap->seq <= tail.last_seq) {
    from = snap->seq + 1;
    prev = snap->last_hash;
    last_seq_ = snap->seq;
  }
  Error failure;
  bool failed = false;
  CX_TRY(store_->ScanJournal(from, [&](const store::JournalRow& r) {
    if (r.seq != last_seq_ + 1 || r.prev_hash != prev) {
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
    state_.Apply(e, r.seq, r.ts);
    if (!state_.replay_divergence().empty()) {
      failure = Err(Code::kJournalCorrupt, "replay differs at seq " + std::to_string(r.seq) + ": " + state_.replay_divergence());
      failed = true;
      return false;
    }
    last_seq_ = r.seq;
    last_ts_ = r.ts;
    prev = r.hash;
    return true;
  }));
  if (failed) return failure;
  if (state_.replay_pending())
    return Err(Code::kJournalCorrupt, "the journal ends before the outcomes of its last exchange command");
  last_ts_ = std::max(last_ts_, tail.last_ts);
  last_hash_ = prev;
  chain_hash_ = prev;
  committed_seq_ = last_seq_;
  stat_committed_ = last_seq_;
  if (tail.last_block) {
    block_height_ = tail.last_block->height;
    last_header_ = tail.last_block->header_hash;
    open_first_seq_ = tail.last_block->last_seq + 1;
  } else {
    open_first_seq_ = 1;
  }
  if (open_first_seq_ <= last_seq_) {
    CX_ASSIGN_OR_RETURN(open_block_, store_->EventHashes(open_first_seq_, last_seq_));
    open_since_us_ = MonoMicros();
  }
  return Ok();
}

void Engine::Start() {
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
      in_cv_.wait(l, [&] { return !inbox_.empty() || stopping_; });
      if (inbox_.empty() && stopping_) break;
      batch.swap(inbox_);
    }
    stat_queue_.fetch_sub(static_cast<int64_t>(batch.size()), std::memory_order_relaxed);
    Group g;
    g.completions.reserve(batch.size());
    for (Request& r : batch) {
      if (broken_) {
        g.completions.push_back({std::move(r.done), Err(Code::kUnavailable, "engine stopped after a storage failure")});
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
  for (auto& g : groups)
    for (auto& c : g.completions)
      if (c.done) c.done(Err(Code::kStorage, "not durable: " + e.message));
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
