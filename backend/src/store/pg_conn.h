// A thin libpq connection wrapper shared by the PostgreSQL store, lease and PII vault.
//
// Contract: every call returns errors as values (Code::kStorage, message from libpq;
// the SQLSTATE is kept in Error.field as "sqlstate:XXXXX" so callers can tell a unique
// violation (23505) from a lost connection). Results are requested in BINARY format:
// bigint columns read with Int(), bytea/text with Bytes(). Parameters: Int() and Text()
// are sent as text, Bytes() as binary bytea.
// A broken connection is re-established at the next call (PQreset), never inside a
// transaction begun with Begin().
// Thread-safety: one PgConn per thread; a PgConn is not shared without external locking.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct pg_conn;
struct pg_result;

namespace cx::store {

struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
  static PgParam Int(int64_t v) { return PgParam{std::to_string(v), false, false}; }
  static PgParam Text(std::string_view s) { return PgParam{std::string(s), false, false}; }
  static PgParam Bytes(std::string_view s) { return PgParam{std::string(s), true, false}; }
  static PgParam Null() { return PgParam{{}, false, true}; }
};

class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(pg_result* r);
  ~PgRows();
  PgRows(PgRows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgRows& operator=(PgRows&& o) noexcept;
  PgRows(const PgRows&) = delete;
  PgRows& operator=(const PgRows&) = delete;
  int rows() const;
  int64_t affected() const;  // rows touched by INSERT/UPDATE/DELETE
  bool IsNull(int row, int col) const;
  int64_t Int(int row, int col) const;  // int2/int4/int8 in binary form
  std::string_view Bytes(int row, int col) const;

 private:
  pg_result* r_ = nullptr;
};

class PgConn {
 public:
  // `url`: libpq conninfo (postgres://...). Sets synchronous_commit=on for the session.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& url);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // One or more statements without parameters (simple query protocol).
  Result<void> Exec(const std::string& sql);
  // One statement with parameters; binary results.
  Result<PgRows> Query(const std::string& sql, const std::vector<PgParam>& params = {});
  // Begins COPY `copy_sql` (… FROM STDIN (FORMAT binary)), sends `data`, ends it.
  Result<int64_t> CopyIn(const std::string& copy_sql, std::string_view data);
  // Transactions. Inside one, a broken connection is NOT re-opened: the remaining
  // statements fail and the caller rolls back (the server already did).
  Result<void> Begin();
  Result<void> Commit();
  // Best-effort ROLLBACK after a failure inside a transaction.
  void Rollback();
  pg_conn* raw() { return c_; }
  // Runs `sql` (SET statements) now and again after every reconnect, so session settings
  // (application_name, timeouts) survive a PQreset.
  Result<void> AddSessionSetup(const std::string& sql);

 private:
  PgConn() = default;
  Error Fail(const char* what, pg_result* r = nullptr);
  // A connection that broke (server restart, network) is re-opened before the next call;
  // a transaction it was in is lost (rolled back by the server).
  bool Revive();
  pg_conn* c_ = nullptr;
  bool in_txn_ = false;
  std::string extra_setup_;  // AddSessionSetup statements
};

// Builds a PostgreSQL binary COPY stream (header, tuples, trailer).
class PgCopyWriter {
 public:
  PgCopyWriter();
  void BeginRow(int16_t fields);
  void Int8(int64_t v);
  void Bytes(std::string_view s);  // bytea or text
  void Null();
  // Appends the trailer and returns the stream; the writer is then empty again.
  std::string Finish();
  size_t size() const { return buf_.size(); }

 private:
  void Be32(uint32_t v);
  std::string buf_;
};

}  // namespace cx::store
