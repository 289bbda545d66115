// Full audit of a journal: re-hashes every event and checks the chain, recomputes every
// block's Merkle root and header link, replays every event into a fresh state checking
// the registry invariants, and compares the state with the stored snapshot at its seq.
// Reports the first bad seq (or block height) found. Reads only; safe on a live store
// opened separately (SQLite WAL readers see a consistent prefix).
#pragma once
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace cx::engine {

struct VerifyReport {
  bool ok = true;
  int64_t events = 0;
  int64_t blocks = 0;
  int64_t first_bad_seq = 0;     // 0 when the problem is not tied to an event
  int64_t first_bad_height = 0;  // block at fault, if any
  std::string message;
};

VerifyReport VerifyJournal(store::Store& store, bool check_invariants = true);

}  // namespace cx::engine
