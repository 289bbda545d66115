#include "store/pg_conn.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstring>

namespace cx::store {

namespace {
// Durable commits whatever the server default says; quiet notices.
constexpr char kSessionSetup[] = "SET synchronous_commit = on; SET client_min_messages = warning";
}  // namespace

PgRows::PgRows(pg_result* r) : r_(r) {}
PgRows::~PgRows() { PQclear(r_); }
PgRows& PgRows::operator=(PgRows&& o) noexcept {
  if (this != &o) {
    PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}
int PgRows::rows() const { return r_ ? PQntuples(r_) : 0; }
int64_t PgRows::affected() const {
  const char* s = r_ ? PQcmdTuples(r_) : nullptr;
  return s && *s ? std::stoll(s) : 0;
}
bool PgRows::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
int64_t PgRows::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col));
  int n = PQgetlength(r_, row, col);
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  if (n == 2) return static_cast<int16_t>(static_cast<uint16_t>(v));
  return static_cast<int64_t>(v);
}
std::string_view PgRows::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
}

PgConn::~PgConn() { PQfinish(c_); }

Error PgConn::Fail(const char* what, pg_result* r) {
  std::string msg = std::string("postgres: ") + what + ": ";
  std::string field;
  if (r) {
    const char* m = PQresultErrorMessage(r);
    msg += m && *m ? m : PQerrorMessage(c_);
    if (const char* st = PQresultErrorField(r, PG_DIAG_SQLSTATE)) field = std::string("sqlstate:") + st;
  } else {
    msg += PQerrorMessage(c_);
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return Err(Code::kStorage, msg, field);
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& url) {
  std::unique_ptr<PgConn> c(new PgConn());
  c->c_ = PQconnectdb(url.c_str());
  if (!c->c_ || PQstatus(c->c_) != CONNECTION_OK) {
    std::string m = c->c_ ? PQerrorMessage(c->c_) : "out of memory";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return Err(Code::kStorage, "postgres: cannot connect: " + m);
  }
  CX_TRY(c->Exec(kSessionSetup));
  return c;
}

bool PgConn::Revive() {
  if (PQstatus(c_) == CONNECTION_OK) return true;
  if (in_txn_) return false;  // never continue a transaction's statements on a new session
  PQreset(c_);
  if (PQstatus(c_) != CONNECTION_OK) return false;
  PQclear(PQexec(c_, kSessionSetup));
  if (!extra_setup_.empty()) PQclear(PQexec(c_, extra_setup_.c_str()));
  return true;
}

Result<void> PgConn::AddSessionSetup(const std::string& sql) {
  CX_TRY(Exec(sql));
  extra_setup_ += sql;
  extra_setup_ += ';';
  return Ok();
}

Result<void> PgConn::Exec(const std::string& sql) {
  if (!Revive()) return Fail("reconnect");
  pg_result* r = PQexec(c_, sql.c_str());
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
    Error e = Fail("exec", r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return Ok();
}

Result<PgRows> PgConn::Query(const std::string& sql, const std::vector<PgParam>& params) {
  if (!Revive()) return Fail("reconnect");
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size()), formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].null ? nullptr : params[i].value.data();
    lengths[i] = static_cast<int>(params[i].value.size());
    formats[i] = params[i].binary ? 1 : 0;
  }
  pg_result* r = PQexecParams(c_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), 1);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Error e = Fail("query", r);
    PQclear(r);
    return e;
  }
  return PgRows(r);
}

Result<int64_t> PgConn::CopyIn(const std::string& copy_sql, std::string_view data) {
  if (!Revive()) return Fail("reconnect");
  pg_result* r = PQexec(c_, copy_sql.c_str());
  if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
    Error e = Fail("copy", r);
    PQclear(r);
    return e;
  }
  PQclear(r);
  // Large streams go in 1 MiB pieces (libpq buffers each call).
  constexpr size_t kPiece = 1 << 20;
  for (size_t off = 0; off < data.size(); off += kPiece) {
    size_t n = std::min(kPiece, data.size() - off);
    if (PQputCopyData(c_, data.data() + off, static_cast<int>(n)) != 1) {
      (void)PQputCopyEnd(c_, "client error");
      return Fail("copy data");
    }
  }
  if (PQputCopyEnd(c_, nullptr) != 1) return Fail("copy end");
  int64_t n = 0;
  bool ok = true;
  Error err;
  while ((r = PQgetResult(c_)) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      if (ok) err = Fail("copy", r);
      ok = false;
    } else {
      const char* t = PQcmdTuples(r);
      if (t && *t) n = std::stoll(t);
    }
    PQclear(r);
  }
  if (!ok) return err;
  return n;
}

Result<void> PgConn::Begin() {
  CX_TRY(Exec("BEGIN"));
  in_txn_ = true;
  return Ok();
}

Result<void> PgConn::Commit() {
  auto r = Exec("COMMIT");
  in_txn_ = false;
  return r;
}

void PgConn::Rollback() {
  if (PQstatus(c_) == CONNECTION_OK) PQclear(PQexec(c_, "ROLLBACK"));
  in_txn_ = false;
}

PgCopyWriter::PgCopyWriter() { buf_.assign("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19); }

void PgCopyWriter::Be32(uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  buf_.append(b, 4);
}
void PgCopyWriter::BeginRow(int16_t fields) {
  auto u = static_cast<uint16_t>(fields);
  buf_.push_back(static_cast<char>(u >> 8));
  buf_.push_back(static_cast<char>(u));
}
void PgCopyWriter::Int8(int64_t v) {
  Be32(8);
  auto u = static_cast<uint64_t>(v);
  Be32(static_cast<uint32_t>(u >> 32));
  Be32(static_cast<uint32_t>(u));
}
void PgCopyWriter::Bytes(std::string_view s) {
  Be32(static_cast<uint32_t>(s.size()));
  buf_.append(s);
}
void PgCopyWriter::Null() { Be32(0xffffffffu); }
std::string PgCopyWriter::Finish() {
  buf_.push_back('\377');
  buf_.push_back('\377');
  std::string out = std::move(buf_);
  buf_.assign("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
  return out;
}

}  // namespace cx::store
