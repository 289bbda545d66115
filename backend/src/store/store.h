// Store: durable storage of the journal, its blocks and engine snapshots.
//
// Contract:
// - Append() writes a group of journal rows (and any blocks sealed with them) in ONE
//   transaction and returns only when it is durable (fsync'd); on error nothing of the
//   group is visible. Rows arrive in seq order with no gap after the stored tail.
// - Readers may run concurrently with the writer (SQLite WAL; PostgreSQL MVCC); each
//   Store object is used by one thread at a time (open one per thread).
// - Two implementations with the same rows: SQLite (below) and PostgreSQL (store/pg_store.h,
//   which also has store::OpenStore(url_or_path, writer) picking the backend). Their schemas
//   are versioned migrations in store/migrations.cc.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/sha256.h"

namespace cx::store {

struct JournalRow {
  int64_t seq = 0;
  int64_t ts = 0;  // engine time, microseconds since the Unix epoch
  std::string type;
  std::string payload;
  Hash256 prev_hash{};
  Hash256 hash{};
};

struct BlockRow {
  int64_t height = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  Hash256 root{};
  Hash256 prev_header{};
  Hash256 header_hash{};
  int64_t sealed_ts = 0;
};

struct Snapshot {
  int64_t seq = 0;
  Hash256 last_hash{};
  std::string state;
};

struct Tail {
  int64_t last_seq = 0;
  Hash256 last_hash{};
  int64_t last_ts = 0;
  std::optional<BlockRow> last_block;
};

// hash(seq) = SHA-256(prev || u64be(seq) || u64be(ts) || type || 0x00 || payload)
Hash256 EventHash(const Hash256& prev, int64_t seq, int64_t ts, std::string_view type,
                  std::string_view payload);
Hash256 BlockHeaderHash(const BlockRow& b);

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<void> Append(const std::vector<JournalRow>& rows,
                              const std::vector<BlockRow>& blocks) = 0;
  virtual Result<Tail> ReadTail() = 0;
  // Calls `fn` for each row with seq >= from, in order, until it returns false.
  virtual Result<void> ScanJournal(int64_t from,
                                   const std::function<bool(const JournalRow&)>& fn) = 0;
  virtual Result<std::optional<JournalRow>> GetEvent(int64_t seq) = 0;
  virtual Result<std::vector<Hash256>> EventHashes(int64_t first, int64_t last) = 0;
  virtual Result<std::optional<BlockRow>> BlockContaining(int64_t seq) = 0;
  virtual Result<void> ScanBlocks(const std::function<bool(const BlockRow&)>& fn) = 0;
  virtual Result<void> PutSnapshot(const Snapshot& s) = 0;
  virtual Result<std::optional<Snapshot>> LatestSnapshot() = 0;
  // Test hook for `carbonx verify` tests: overwrite one row's payload in place.
  virtual Result<void> TamperForTest(int64_t seq, std::string payload) = 0;
};

// Opens (creating if needed) the SQLite store at `path` (WAL, synchronous=FULL).
// `writer`: the store the engine appends through. Its WAL is checkpointed by a background
// thread on a separate connection (PASSIVE: never blocks the appends), instead of inside
// the commit that crosses the auto-checkpoint threshold, which would stall that group.
Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, bool writer = false);

}  // namespace cx::store
