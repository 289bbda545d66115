// SQLite implementation of Store. WAL mode with synchronous=FULL: a COMMIT returns after
// the WAL is fsync'd, so Append() is durable on return. Schema kept portable to
// PostgreSQL (BIGINT, BLOB/BYTEA, TEXT). One SQLite-specific choice: journal.seq is
// "INTEGER PRIMARY KEY" so it is the table's rowid (no second b-tree to maintain, and
// replay scans the table in key order); PostgreSQL declares it BIGINT PRIMARY KEY.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "store/migrations.h"
#include "store/store.h"

namespace cx::store {

Hash256 EventHash(const Hash256& prev, int64_t seq, int64_t ts, std::string_view type,
                  std::string_view payload) {
  Sha256Hasher h;
  h.Update(prev.data(), prev.size());
  uint8_t be[16];
  for (int i = 0; i < 8; ++i) {
    be[i] = static_cast<uint8_t>(static_cast<uint64_t>(seq) >> (56 - 8 * i));
    be[8 + i] = static_cast<uint8_t>(static_cast<uint64_t>(ts) >> (56 - 8 * i));
  }
  h.Update(be, 16);
  h.Update(type);
  uint8_t zero = 0;
  h.Update(&zero, 1);
  h.Update(payload);
  return h.Final();
}

Hash256 BlockHeaderHash(const BlockRow& b) {
  Sha256Hasher h;
  uint8_t be[24];
  int64_t v[3] = {b.height, b.first_seq, b.last_seq};
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 8; ++i) be[8 * k + i] = static_cast<uint8_t>(static_cast<uint64_t>(v[k]) >> (56 - 8 * i));
  h.Update(be, 24);
  h.Update(b.root.data(), 32);
  h.Update(b.prev_header.data(), 32);
  return h.Final();
}

namespace {

// The schema lives in store/migrations.cc (versioned steps; version 1 = the original).

Hash256 ToHash(const void* p, int n) {
  Hash256 h{};
  if (p && n == 32) std::memcpy(h.data(), p, 32);
  return h;
}

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  sqlite3_stmt* get() const { return s_; }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  ~SqliteStore() override {
    if (checkpointer_.joinable()) {
      {
        std::lock_guard<std::mutex> l(ck_mu_);
        ck_stop_ = true;
      }
      ck_cv_.notify_all();
      checkpointer_.join();
    }
    ins_journal_ = Stmt();
    ins_block_ = Stmt();
    sqlite3_close(db_);
  }

  // Checkpoints the WAL every 200 ms from its own connection (PASSIVE mode copies what it
  // can without waiting for or blocking the writer).
  void StartCheckpointer(const std::string& path) {
    (void)Exec("PRAGMA wal_autocheckpoint=0");
    checkpointer_ = std::thread([this, path] {
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return;
      }
      std::unique_lock<std::mutex> l(ck_mu_);
      while (!ck_stop_) {
        ck_cv_.wait_for(l, std::chrono::milliseconds(200));
        l.unlock();
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        l.lock();
      }
      sqlite3_close(db);
    });
  }

  Result<void> Open(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
      return Err(Code::kStorage, "cannot open " + path + ": " + sqlite3_errmsg(db_));
    sqlite3_busy_timeout(db_, 10000);
    CX_TRY(Exec("PRAGMA journal_mode=WAL"));
    CX_TRY(Exec("PRAGMA synchronous=FULL"));
    CX_TRY(Exec("PRAGMA wal_autocheckpoint=10000"));
    CX_TRY(Exec("PRAGMA cache_size=-65536"));
    CX_ASSIGN_OR_RETURN(int64_t version, MigrateSqlite(db_));
    (void)version;
    ins_journal_ = Stmt(db_, "INSERT INTO journal (seq, ts, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)");
    ins_block_ = Stmt(db_, "INSERT INTO blocks (height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!ins_journal_.get() || !ins_block_.get()) return Err(Code::kStorage, sqlite3_errmsg(db_));
    return Ok();
  }

  Result<void> Append(const std::vector<JournalRow>& rows, const std::vector<BlockRow>& blocks) override {
    CX_TRY(Exec("BEGIN IMMEDIATE"));
    for (const auto& r : rows) {
      sqlite3_stmt* s = ins_journal_.get();
      sqlite3_bind_int64(s, 1, r.seq);
      sqlite3_bind_int64(s, 2, r.ts);
      sqlite3_bind_text(s, 3, r.type.data(), static_cast<int>(r.type.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 4, r.payload.data(), static_cast<int>(r.payload.size()), SQLITE_STATIC);
      sqlite3_bind_blob(s, 5, r.prev_hash.data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(s, 6, r.hash.data(), 32, SQLITE_STATIC);
      int rc = sqlite3_step(s);
      ins_journal_.Reset();
      if (rc != SQLITE_DONE) return Rollback("journal insert");
    }
    for (const auto& b : blocks) {
      sqlite3_stmt* s = ins_block_.get();
      sqlite3_bind_int64(s, 1, b.height);
      sqlite3_bind_int64(s, 2, b.first_seq);
      sqlite3_bind_int64(s, 3, b.last_seq);
      sqlite3_bind_blob(s, 4, b.root.data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(s, 5, b.prev_header.data(), 32, SQLITE_STATIC);
      sqlite3_bind_blob(s, 6, b.header_hash.data(), 32, SQLITE_STATIC);
      sqlite3_bind_int64(s, 7, b.sealed_ts);
      int rc = sqlite3_step(s);
      ins_block_.Reset();
      if (rc != SQLITE_DONE) return Rollback("block insert");
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return Rollback("commit");
    return Ok();
  }

  Result<Tail> ReadTail() override {
    Tail t;
    Stmt s(db_, "SELECT seq, hash, ts FROM journal ORDER BY seq DESC LIMIT 1");
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      t.last_seq = sqlite3_column_int64(s.get(), 0);
      t.last_hash = ToHash(sqlite3_column_blob(s.get(), 1), sqlite3_column_bytes(s.get(), 1));
      t.last_ts = sqlite3_column_int64(s.get(), 2);
    }
    Stmt b(db_, "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks ORDER BY height DESC LIMIT 1");
    if (sqlite3_step(b.get()) == SQLITE_ROW) t.last_block = ReadBlock(b.get());
    return t;
  }

  Result<void> ScanJournal(int64_t from, const std::function<bool(const JournalRow&)>& fn) override {
    Stmt s(db_, "SELECT seq, ts, type, payload, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq");
    sqlite3_bind_int64(s.get(), 1, from);
    JournalRow r;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      ReadRow(s.get(), r);
      if (!fn(r)) return Ok();
    }
    if (rc != SQLITE_DONE) return Err(Code::kStorage, sqlite3_errmsg(db_));
    return Ok();
  }

  Result<std::optional<JournalRow>> GetEvent(int64_t seq) override {
    Stmt s(db_, "SELECT seq, ts, type, payload, prev_hash, hash FROM journal WHERE seq = ?");
    sqlite3_bind_int64(s.get(), 1, seq);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::optional<JournalRow>();
    JournalRow r;
    ReadRow(s.get(), r);
    return std::optional<JournalRow>(std::move(r));
  }

  Result<std::vector<Hash256>> EventHashes(int64_t first, int64_t last) override {
    Stmt s(db_, "SELECT hash FROM journal WHERE seq >= ? AND seq <= ? ORDER BY seq");
    sqlite3_bind_int64(s.get(), 1, first);
    sqlite3_bind_int64(s.get(), 2, last);
    std::vector<Hash256> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW)
      out.push_back(ToHash(sqlite3_column_blob(s.get(), 0), sqlite3_column_bytes(s.get(), 0)));
    return out;
  }

  Result<std::optional<BlockRow>> BlockContaining(int64_t seq) override {
    Stmt s(db_, "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks WHERE last_seq >= ? ORDER BY last_seq LIMIT 1");
    sqlite3_bind_int64(s.get(), 1, seq);
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::optional<BlockRow>();
    BlockRow b = ReadBlock(s.get());
    if (b.first_seq > seq) return std::optional<BlockRow>();
    return std::optional<BlockRow>(b);
  }

  Result<void> ScanBlocks(const std::function<bool(const BlockRow&)>& fn) override {
    Stmt s(db_, "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks ORDER BY height");
    while (sqlite3_step(s.get()) == SQLITE_ROW)
      if (!fn(ReadBlock(s.get()))) break;
    return Ok();
  }

  Result<void> PutSnapshot(const Snapshot& snap) override {
    Stmt s(db_, "INSERT OR REPLACE INTO snapshots (seq, last_hash, state) VALUES (?, ?, ?)");
    sqlite3_bind_int64(s.get(), 1, snap.seq);
    sqlite3_bind_blob(s.get(), 2, snap.last_hash.data(), 32, SQLITE_STATIC);
    sqlite3_bind_blob(s.get(), 3, snap.state.data(), static_cast<int>(snap.state.size()), SQLITE_STATIC);
    if (sqlite3_step(s.get()) != SQLITE_DONE) return Err(Code::kStorage, sqlite3_errmsg(db_));
    // Keep the two newest snapshots.
    CX_TRY(Exec("DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2)"));
    return Ok();
  }

  Result<std::optional<Snapshot>> LatestSnapshot() override {
    Stmt s(db_, "SELECT seq, last_hash, state FROM snapshots ORDER BY seq DESC LIMIT 1");
    if (sqlite3_step(s.get()) != SQLITE_ROW) return std::optional<Snapshot>();
    Snapshot snap;
    snap.seq = sqlite3_column_int64(s.get(), 0);
    snap.last_hash = ToHash(sqlite3_column_blob(s.get(), 1), sqlite3_column_bytes(s.get(), 1));
    snap.state.assign(static_cast<const char*>(sqlite3_column_blob(s.get(), 2)), sqlite3_column_bytes(s.get(), 2));
    return std::optional<Snapshot>(std::move(snap));
  }

  Result<void> TamperForTest(int64_t seq, std::string payload) override {
    Stmt s(db_, "UPDATE journal SET payload = ? WHERE seq = ?");
    sqlite3_bind_blob(s.get(), 1, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s.get(), 2, seq);
    if (sqlite3_step(s.get()) != SQLITE_DONE) return Err(Code::kStorage, sqlite3_errmsg(db_));
    return Ok();
  }

 private:
  Result<void> Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "sqlite error";
      sqlite3_free(msg);
      return Err(Code::kStorage, m);
    }
    return Ok();
  }
  Error Rollback(const char* what) {
    std::string m = std::string(what) + ": " + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Err(Code::kStorage, m);
  }
  static void ReadRow(sqlite3_stmt* s, JournalRow& r) {
    r.seq = sqlite3_column_int64(s, 0);
    r.ts = sqlite3_column_int64(s, 1);
    r.type.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)), sqlite3_column_bytes(s, 2));
    const void* p = sqlite3_column_blob(s, 3);
    r.payload.assign(p ? static_cast<const char*>(p) : "", sqlite3_column_bytes(s, 3));
    r.prev_hash = ToHash(sqlite3_column_blob(s, 4), sqlite3_column_bytes(s, 4));
    r.hash = ToHash(sqlite3_column_blob(s, 5), sqlite3_column_bytes(s, 5));
  }
  static BlockRow ReadBlock(sqlite3_stmt* s) {
    BlockRow b;
    b.height = sqlite3_column_int64(s, 0);
    b.first_seq = sqlite3_column_int64(s, 1);
    b.last_seq = sqlite3_column_int64(s, 2);
    b.root = ToHash(sqlite3_column_blob(s, 3), sqlite3_column_bytes(s, 3));
    b.prev_header = ToHash(sqlite3_column_blob(s, 4), sqlite3_column_bytes(s, 4));
    b.header_hash = ToHash(sqlite3_column_blob(s, 5), sqlite3_column_bytes(s, 5));
    b.sealed_ts = sqlite3_column_int64(s, 6);
    return b;
  }

  sqlite3* db_ = nullptr;
  std::thread checkpointer_;
  std::mutex ck_mu_;
  std::condition_variable ck_cv_;
  bool ck_stop_ = false;
  Stmt ins_journal_;
  Stmt ins_block_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, bool writer) {
  auto s = std::make_unique<SqliteStore>();
  CX_TRY(s->Open(path));
  if (writer) s->StartCheckpointer(path);
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace cx::store
