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
// - Fenced errors: until the lead adds a dedicated code (proposed: kFenced = 5006,
//   "STORE_FENCED"), they are Code::kConflict with field "lease_epoch". Match them with
//   IsFenced(), never by hand, so the switch is one line here.
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
inline bool IsFenced(const Error& e) { return e.code == Code::kConflict && e.field == kFenceField; }
inline Error FencedError(std::string msg) { return Err(Code::kConflict, std::move(msg), kFenceField); }

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
  static Result<std::unique_ptr<PgLease>> Open(const std::string& url, std::string name = kEngineLease);
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
