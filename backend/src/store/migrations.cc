#include "store/migrations.h"

#include <sqlite3.h>

#include "store/pg_conn.h"

namespace cx::store {

namespace {

// Advisory lock key for schema changes ("cxschem" as digits of no meaning; stable).
constexpr int64_t kMigrationLock = 0x6378736368656dLL;

const std::vector<Migration>& SqliteSteps() {
  static const std::vector<Migration> steps = {
      {1, "journal, blocks, snapshots", R"SQL(
CREATE TABLE IF NOT EXISTS journal (
  seq INTEGER PRIMARY KEY,
  ts BIGINT NOT NULL,
  type TEXT NOT NULL,
  payload BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS blocks (
  height BIGINT PRIMARY KEY,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  root BLOB NOT NULL,
  prev_header BLOB NOT NULL,
  header_hash BLOB NOT NULL,
  sealed_ts BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS blocks_last_seq ON blocks (last_seq);
CREATE TABLE IF NOT EXISTS snapshots (
  seq BIGINT PRIMARY KEY,
  last_hash BLOB NOT NULL,
  state BLOB NOT NULL
);
)SQL"},
  };
  return steps;
}

const std::vector<Migration>& PostgresSteps() {
  static const std::vector<Migration> steps = {
      {1, "journal (partitioned by seq), blocks, snapshots", R"SQL(
CREATE TABLE journal (
  seq BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  type TEXT NOT NULL,
  payload BYTEA NOT NULL,
  prev_hash BYTEA NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (seq)
) PARTITION BY RANGE (seq);
CREATE TABLE journal_p0 PARTITION OF journal FOR VALUES FROM (0) TO (10000000);
CREATE TABLE blocks (
  height BIGINT PRIMARY KEY,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  root BYTEA NOT NULL,
  prev_header BYTEA NOT NULL,
  header_hash BYTEA NOT NULL,
  sealed_ts BIGINT NOT NULL
);
CREATE UNIQUE INDEX blocks_last_seq ON blocks (last_seq);
CREATE TABLE snapshots (
  seq BIGINT PRIMARY KEY,
  last_hash BYTEA NOT NULL,
  state BYTEA NOT NULL
);
)SQL"},
      {2, "cx_lease (leadership lease and write fence)", R"SQL(
CREATE TABLE cx_lease (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL DEFAULT '',
  epoch BIGINT NOT NULL DEFAULT 0,
  expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
  advertise TEXT NOT NULL DEFAULT '',
  last_seq BIGINT NOT NULL DEFAULT 0
);
INSERT INTO cx_lease (name) VALUES ('engine');
)SQL"},
      {3, "trades read model (partitioned by time)", R"SQL(
CREATE TABLE trades (
  ts BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  trade_id BIGINT NOT NULL,
  instrument BIGINT NOT NULL,
  buy_order BIGINT NOT NULL,
  sell_order BIGINT NOT NULL,
  buyer BIGINT NOT NULL,
  seller BIGINT NOT NULL,
  aggressor BIGINT NOT NULL,
  price BIGINT NOT NULL,
  qty BIGINT NOT NULL,
  batch BIGINT NOT NULL,
  PRIMARY KEY (ts, seq)
) PARTITION BY RANGE (ts);
CREATE TABLE trades_default PARTITION OF trades DEFAULT;
CREATE INDEX trades_instrument_ts ON trades (instrument, ts);
CREATE INDEX trades_buyer_ts ON trades (buyer, ts);
CREATE INDEX trades_seller_ts ON trades (seller, ts);
CREATE INDEX trades_seq ON trades (seq);
)SQL"},
      {4, "pii_keys (personal-data vault)", R"SQL(
CREATE TABLE pii_keys (
  id TEXT PRIMARY KEY,
  wrapped BYTEA NOT NULL,
  created BIGINT NOT NULL
);
)SQL"},
  };
  return steps;
}

Error Newer(int64_t have, Backend b) {
  return Err(Code::kStorage, "database schema version " + std::to_string(have) +
                                 " is newer than this build knows (" + std::to_string(LatestVersion(b)) + ")");
}

Result<void> SqliteExec(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : "sqlite error";
    sqlite3_free(msg);
    return Err(Code::kStorage, "migration: " + m);
  }
  return Ok();
}

Result<int64_t> SqliteVersion(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  // Before any table exists the statement does not prepare: version 0.
  if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return int64_t{0};
  }
  int64_t v = 0;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

}  // namespace

const std::vector<Migration>& Migrations(Backend b) {
  return b == Backend::kSqlite ? SqliteSteps() : PostgresSteps();
}

int64_t LatestVersion(Backend b) { return Migrations(b).back().version; }

Result<int64_t> MigrateSqlite(sqlite3* db) {
  CX_ASSIGN_OR_RETURN(int64_t v, SqliteVersion(db));
  if (v > LatestVersion(Backend::kSqlite)) return Newer(v, Backend::kSqlite);
  if (v == LatestVersion(Backend::kSqlite)) return v;  // the common case: no write lock taken
  for (const Migration& m : SqliteSteps()) {
    CX_TRY(SqliteExec(db, "BEGIN IMMEDIATE"));
    auto step = [&]() -> Result<int64_t> {
      CX_TRY(SqliteExec(db, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"));
      CX_ASSIGN_OR_RETURN(int64_t cur, SqliteVersion(db));  // re-read under the lock
      if (cur >= m.version) return cur;
      CX_TRY(SqliteExec(db, m.sql));
      CX_TRY(SqliteExec(db, "INSERT INTO schema_version (version) VALUES (" + std::to_string(m.version) + ")"));
      return m.version;
    };
    auto r = step();
    if (!r.ok()) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return r.take_error();
    }
    CX_TRY(SqliteExec(db, "COMMIT"));
    v = *r;
  }
  return v;
}

Result<int64_t> MigratePostgres(PgConn& conn) {
  auto current = [&]() -> Result<int64_t> {
    CX_ASSIGN_OR_RETURN(PgRows r, conn.Query("SELECT to_regclass('schema_version') IS NOT NULL"));
    if (r.rows() == 0 || r.Bytes(0, 0).empty() || r.Bytes(0, 0)[0] == 0) return int64_t{0};
    CX_ASSIGN_OR_RETURN(PgRows q, conn.Query("SELECT coalesce(max(version), 0)::bigint FROM schema_version"));
    return q.Int(0, 0);
  };
  CX_ASSIGN_OR_RETURN(int64_t v, current());
  if (v > LatestVersion(Backend::kPostgres)) return Newer(v, Backend::kPostgres);
  if (v == LatestVersion(Backend::kPostgres)) return v;
  for (const Migration& m : PostgresSteps()) {
    CX_TRY(conn.Begin());
    auto step = [&]() -> Result<int64_t> {
      CX_TRY(conn.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")"));
      CX_TRY(conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY,"
                       " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"));
      CX_ASSIGN_OR_RETURN(int64_t cur, current());  // re-read under the lock
      if (cur >= m.version) return cur;
      CX_TRY(conn.Exec(m.sql));
      CX_TRY(conn.Exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(m.version) + ")"));
      return m.version;
    };
    auto r = step();
    if (!r.ok()) {
      conn.Rollback();
      return r.take_error();
    }
    CX_TRY(conn.Commit());
    v = *r;
  }
  return v;
}

}  // namespace cx::store
