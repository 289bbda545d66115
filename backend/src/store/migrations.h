// Versioned schema migrations for both Store backends.
//
// Each backend has an ordered list of numbered steps (1, 2, 3, ... without gaps). A
// database records the steps it has applied in table schema_version (one row per
// version). Opening a store applies every step above the recorded maximum, each step and
// its schema_version row in one transaction (PostgreSQL: under an advisory lock, so
// nodes opening the same database at once apply a step exactly once). A database whose
// version is newer than this build knows is refused (kStorage) rather than misread.
//
// Version 1 is the schema that existed before migrations (SQLite databases created by
// older builds have an empty schema_version table: they are at version 0 and step 1 is
// written with IF NOT EXISTS, so it stamps them without changing anything).
//
// PostgreSQL steps:
//   1 journal (partitioned by RANGE(seq), partitions of kJournalPartitionRows created
//     ahead by the store), blocks, snapshots, schema_version
//   2 cx_lease (engine leadership lease + fence, see store/pg_lease.h)
//   3 trades read model (partitioned by RANGE(ts), monthly partitions created ahead)
//   4 pii_keys (the personal-data vault when it lives in PostgreSQL, see app/pii.h)
// SQLite steps:
//   1 journal, blocks, snapshots, schema_version (the original schema)
//
// Thread-safety: pure data plus functions taking a connection the caller owns.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace cx::store {

class PgConn;

enum class Backend { kSqlite, kPostgres };

struct Migration {
  int64_t version = 0;
  std::string name;
  std::string sql;  // one or more statements
};

inline constexpr int64_t kJournalPartitionRows = 10'000'000;

const std::vector<Migration>& Migrations(Backend b);
int64_t LatestVersion(Backend b);

// Apply the missing steps; return the version the database is at afterwards.
Result<int64_t> MigrateSqlite(sqlite3* db);
Result<int64_t> MigratePostgres(PgConn& conn);

}  // namespace cx::store
