#include "engine/verify.h"

#include "core/merkle.h"
#include "registry/registry.h"

namespace cx::engine {

VerifyReport VerifyJournal(store::Store& store, bool check_invariants) {
  VerifyReport rep;
  auto fail = [&](int64_t seq, int64_t height, std::string msg) {
    if (!rep.ok) return;
    rep.ok = false;
    rep.first_bad_seq = seq;
    rep.first_bad_height = height;
    rep.message = std::move(msg);
  };
  auto snap = store.LatestSnapshot();
  std::optional<store::Snapshot> snapshot = snap.ok() ? *snap : std::nullopt;

  registry::RegistryState state;
  Hash256 prev{};
  int64_t expect = 1;
  std::vector<Hash256> hashes;  // all event hashes, index seq-1
  auto scan = store.ScanJournal(1, [&](const store::JournalRow& r) {
    if (r.seq != expect) {
      fail(expect, 0, "journal gap: expected seq " + std::to_string(expect));
      return false;
    }
    if (r.prev_hash != prev) {
      fail(r.seq, 0, "prev_hash does not link to seq " + std::to_string(r.seq - 1));
      return false;
    }
    Hash256 h = store::EventHash(prev, r.seq, r.ts, r.type, r.payload);
    if (h != r.hash) {
      fail(r.seq, 0, "hash mismatch: the row was altered");
      return false;
    }
    registry::Event e;
    if (!registry::DecodeEvent(r.type, r.payload, e)) {
      fail(r.seq, 0, "payload does not decode as " + r.type);
      return false;
    }
    state.Apply(e, r.seq, r.ts);
    if (!state.replay_divergence().empty()) {
      fail(r.seq, 0, "re-running the order books differs from the journal: " + state.replay_divergence());
      return false;
    }
    if (snapshot && snapshot->seq == r.seq) {
      if (snapshot->last_hash != r.hash) fail(r.seq, 0, "snapshot hash does not match the journal");
      else if (state.Snapshot() != snapshot->state) fail(r.seq, 0, "snapshot state differs from replay");
    }
    hashes.push_back(h);
    prev = h;
    ++expect;
    ++rep.events;
    return rep.ok;
  });
  if (!scan.ok()) fail(0, 0, "cannot read journal: " + scan.error().message);
  if (!rep.ok) return rep;
  if (state.replay_pending()) fail(rep.events, 0, "the journal ends before the outcomes of its last exchange command");
  if (check_invariants) {
    auto inv = state.CheckInvariants();
    if (!inv.ok()) fail(rep.events, 0, "invariant violated after replay: " + inv.error().message);
  }
  Hash256 prev_header{};
  int64_t next_first = 1, height = 0;
  auto bs = store.ScanBlocks([&](const store::BlockRow& b) {
    ++height;
    if (b.height != height || b.first_seq != next_first || b.last_seq < b.first_seq ||
        b.last_seq > rep.events) {
      fail(b.first_seq, b.height, "block range broken at height " + std::to_string(b.height));
      return false;
    }
    std::vector<Hash256> ev(hashes.begin() + (b.first_seq - 1), hashes.begin() + b.last_seq);
    if (MerkleRoot(ev) != b.root) {
      fail(b.first_seq, b.height, "Merkle root mismatch in block " + std::to_string(b.height));
      return false;
    }
    if (b.prev_header != prev_header || store::BlockHeaderHash(b) != b.header_hash) {
      fail(b.first_seq, b.height, "block header chain broken at height " + std::to_string(b.height));
      return false;
    }
    prev_header = b.header_hash;
    next_first = b.last_seq + 1;
    ++rep.blocks;
    return true;
  });
  if (!bs.ok()) fail(0, 0, "cannot read blocks: " + bs.error().message);
  return rep;
}

}  // namespace cx::engine
