// Engine leadership lease and write fence in PostgreSQL.
//
// One row per lease in table cx_lease (created by the PostgreSQL migrations, see
// store/migrations.h):
//   cx_lease(name TEXT PRIMARY KEY, holder TEXT, epoch BIGINT, expires_at TIMESTAMPTZ,
//            advertise TEXT, last_seq BIGINT)
// The engine lease is name = "engine" (kEngineLease).
//
// Contract:
// - Time is the DATABASE's clock (now() / clock_timestamp() in the statements), never the
//   node's: nodes with skewed clocks still agree on expiry.
// - TryAcquire(holder, advertise, ttl_ms): succeeds when the lease is free (no row, or
//   released) or expired, or already held by `holder` (then it is re-taken with a NEW
//   epoch); the new epoch is always previous epoch + 1, so epochs only grow. While
//   another holder's lease is live it fails with kConflict (field "lease").
// - Renew(holder, epoch, ttl_ms): extends the lease only if the row still has this holder
//   AND epoch (an expired lease that nobody else took can still be renewed: nobody else
//   wrote). Otherwise the caller has been fenced: Error with IsFenced(e) == true.
// - Release(holder, epoch): marks the lease free (expires now) if still ours; releasing a
//   lease that is no longer ours is not an error (no-op).
// - Current(): the row as the database sees it now: holder, epoch, advertise and
//   expires_in_ms (negative once expired); std::nullopt when the lease was never taken.
// - The fence: a Store opened with PgOpenOptions{fence_holder, fence_epoch} (see
//   store/pg_store.h) runs, inside EVERY Append transaction and before its inserts,
//   `UPDATE cx_lease SET last_seq = <group's last seq> WHERE name = 'engine' AND epoch = $e`
//   and rolls the whole group back unless exactly one row matched. A leader that was
//   paused and resumed after a standby took epoch e+1 can therefore never write. The
//   UPDATE holds the lease row lock until the commit, so a TryAcquire that races a commit
//   waits for it: after TryAcquire returns, no append of an older epoch can commit.
// - A stalled writer cannot block a takeover: the lease connection waits at most
//   `lock_timeout_ms` for the lease row (Open). The fenced writer's session is named
//   (application_name "cx-writer <lease> e<epoch>", set by store/pg_store.cc) and ends an
//   idle transaction after PgOpenOptions::idle_tx_timeout_ms; and when TryAcquire finds the
//   lease EXPIRED but its row locked (a leader paused inside an append transaction, e.g.
//   SIGSTOP, holds the lock forever), it terminates the sessions of the expired epoch's
//   writer (pg_terminate_backend; same database role) and tries once more. The paused
//   leader's transaction is rolled back by the server; on resuming, its next call fails.
// - Fenced errors: Code::kFenced (STORE_FENCED, 503) with field "lease_epoch". Match them
//   with IsFenced().
//
// Thread-safety: one PgLease per thread (it owns one libpq connection).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace cx::store {

inline constexpr char kEngineLease[] = "engine";
inline constexpr char kFenceField[] = "lease_epoch";

// True when `e` says "your lease epoch is no longer current" (Renew or a fenced Append).
inline bool IsFenced(const Error& e) { return e.code == Code::kFenced; }
inline Error FencedError(std::string msg) { return Err(Code::kFenced, std::move(msg), kFenceField); }
// The application_name of the session that appends under `lease` with `epoch`.
std::string WriterSessionName(const std::string& lease, int64_t epoch);

struct LeaseInfo {
  std::string holder;
  int64_t epoch = 0;
  std::string advertise;
  int64_t expires_in_ms = 0;  // by the database clock; <= 0: expired or released
  int64_t last_seq = 0;       // last journal seq appended under this lease (by the fence)
};

class PgLease {
 public:
  // Connects to `url` (postgres:// or postgresql:// conninfo URL) and applies the
  // PostgreSQL migrations (idempotent) so cx_lease exists. `name`: which lease.
  // `lock_timeout_ms`: longest wait for the lease row's lock in TryAcquire/Renew/Release.
  static Result<std::unique_ptr<PgLease>> Open(const std::string& url, std::string name = kEngineLease,
                                               int64_t lock_timeout_ms = 500);
  ~PgLease();
  PgLease(const PgLease&) = delete;
  PgLease& operator=(const PgLease&) = delete;

  // Returns the new epoch (previous + 1; 1 for the first holder ever).
  Result<int64_t> TryAcquire(const std::string& holder, const std::string& advertise, int64_t ttl_ms);
  // Ok, or a fenced error (IsFenced) when holder/epoch no longer own the row.
  Result<void> Renew(const std::string& holder, int64_t epoch, int64_t ttl_ms);
  Result<std::optional<LeaseInfo>> Current();
  Result<void> Release(const std::string& holder, int64_t epoch);

 private:
  PgLease() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

}  // namespace cx::store
