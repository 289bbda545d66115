// PostgreSQL implementation of Store (libpq), and the backend-picking factory.
//
// Contract (beyond store.h):
// - Append writes the whole group in ONE transaction with synchronous_commit=on (durable
//   on return): journal rows via COPY ... FROM STDIN (BINARY), blocks and the trades read
//   model in the same transaction. On any error the transaction is rolled back and
//   nothing of the group is visible.
// - Fence: with PgOpenOptions.fence_epoch > 0, each Append first runs
//   `UPDATE cx_lease SET last_seq = ... WHERE name = 'engine' AND epoch = fence_epoch`
//   and commits only if exactly one row matched; otherwise it fails with a fenced error
//   (store::IsFenced, see store/pg_lease.h) and writes nothing.
// - Readers run concurrently with the writer (MVCC); one Store object per thread.
// - Opening applies the PostgreSQL migrations (store/migrations.h) under an advisory lock,
//   so several nodes may open the same database at once.
// URL: any libpq conninfo URL, postgres://user@host:port/db?sslmode=verify-full&sslrootcert=...
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace cx::store {

struct PgOpenOptions {
  bool writer = false;       // the engine's store (appends)
  std::string fence_holder;  // informational (logged in errors)
  int64_t fence_epoch = 0;   // 0: no fence; >0: every Append requires this lease epoch
  // >0 (with fence_epoch): the server ends this session when it idles inside a transaction
  // longer than this (a paused writer must not hold the lease row; see store/pg_lease.h).
  int64_t idle_tx_timeout_ms = 0;
};

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const PgOpenOptions& opts = {});

// "postgres://" or "postgresql://" prefix.
bool IsPostgresUrl(std::string_view url_or_path);

// PostgreSQL for a postgres:// URL, otherwise the SQLite file at that path.
Result<std::unique_ptr<Store>> OpenStore(const std::string& url_or_path, bool writer = false);

}  // namespace cx::store
