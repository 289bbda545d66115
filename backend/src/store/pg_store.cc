// PostgreSQL implementation of Store (see store/pg_store.h for the contract).
//
// Layout: journal partitioned by RANGE(seq) in kJournalPartitionRows slices (journal_p<k>
// holds [k*N, (k+1)*N)); the writer creates the next slice ahead while filling the
// current one. trades (the read model of TradeExecuted events) partitioned by RANGE(ts)
// in calendar months (trades_yYYYYmMM, created before the first trade of a month; a
// DEFAULT partition catches anything else so an Append never fails for want of one).
// Partitions are created in their own short transaction before the group's transaction:
// creating one that a failed group then does not use is harmless.
#include "store/pg_store.h"

#include <set>

#include "core/codec.h"
#include "store/migrations.h"
#include "store/pg_conn.h"
#include "store/pg_lease.h"
#include "store/pg_queries.h"

namespace cx::store {

namespace {

Hash256 ToHash(std::string_view b) {
  Hash256 h{};
  if (b.size() == 32) std::copy(b.begin(), b.end(), h.begin());
  return h;
}
std::string_view HashBytes(const Hash256& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

// Days since 1970-01-01 -> civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t& y, int64_t& m) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}
int64_t DaysFromCivil(int64_t y, int64_t m) {  // first day of month m of year y
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

struct Month {
  int64_t y = 0, m = 0;
  bool operator<(const Month& o) const { return y != o.y ? y < o.y : m < o.m; }
};
Month MonthOf(int64_t ts_us) {
  int64_t days = ts_us >= 0 ? ts_us / kMicrosPerDay : -((-ts_us + kMicrosPerDay - 1) / kMicrosPerDay);
  Month mo;
  CivilFromDays(days, mo.y, mo.m);
  return mo;
}

// The prefix of a TradeExecuted payload the read model needs: Fill's first fields
// (id, instrument, buy_order, sell_order, buyer, seller, aggressor, price, qty, batch),
// zigzag varints in the journal codec (core/codec.h). The rest is not decoded.
struct TradeRow {
  int64_t f[10] = {};
};
bool DecodeTrade(std::string_view payload, TradeRow& t) {
  Reader r(payload);
  for (int64_t& v : t.f)
    if (!r.I(v)) return false;
  return true;
}

class PgStore final : public Store {
 public:
  explicit PgStore(PgOpenOptions o) : opts_(std::move(o)) {}

  Result<void> Open(const std::string& url) {
    CX_ASSIGN_OR_RETURN(conn_, PgConn::Connect(url));
    CX_ASSIGN_OR_RETURN(int64_t version, MigratePostgres(*conn_));
    (void)version;
    if (opts_.writer && opts_.fence_epoch > 0) {
      // Named, so a node taking over an expired lease can end this session (store/pg_lease.h).
      // (The name holds only letters, digits and spaces: no quoting needed.)
      CX_TRY(conn_->AddSessionSetup("SET application_name = '" + WriterSessionName(kEngineLease, opts_.fence_epoch) + "'"));
      if (opts_.idle_tx_timeout_ms > 0)
        CX_TRY(conn_->AddSessionSetup("SET idle_in_transaction_session_timeout = " +
                                      std::to_string(opts_.idle_tx_timeout_ms)));
    }
    if (opts_.writer) {
      CX_ASSIGN_OR_RETURN(PgRows parts, conn_->Query("SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                                                     " WHERE i.inhparent IN ('journal'::regclass, 'trades'::regclass)"));
      for (int i = 0; i < parts.rows(); ++i) partitions_.insert(std::string(parts.Bytes(i, 0)));
      CX_ASSIGN_OR_RETURN(Tail t, ReadTail());
      CX_TRY(EnsureJournalPartitions(t.last_seq + 1));
    }
    return Ok();
  }

  Result<void> Append(const std::vector<JournalRow>& rows, const std::vector<BlockRow>& blocks) override {
    if (rows.empty() && blocks.empty()) return Ok();
    std::vector<std::pair<const JournalRow*, TradeRow>> trades;
    if (!rows.empty()) {
      CX_TRY(EnsureJournalPartitions(rows.back().seq));
      std::set<Month> months;
      for (const auto& r : rows) {
        if (r.type != "TradeExecuted") continue;
        TradeRow t;
        if (!DecodeTrade(r.payload, t)) continue;  // the journal is the truth; the read model skips it
        trades.emplace_back(&r, t);
        months.insert(MonthOf(r.ts));
      }
      for (const Month& m : months) CX_TRY(EnsureTradePartition(m));
    }
    int64_t last = rows.empty() ? blocks.back().last_seq : rows.back().seq;
    if (opts_.fence_epoch > 0) {
      // The fence first: the UPDATE locks the lease row until COMMIT.
      if (auto b = conn_->Begin(); !b.ok()) return Settle(b.take_error(), nullptr);
      auto f = conn_->Query(pgq::kFence,
                            {PgParam::Int(opts_.fence_epoch), PgParam::Int(last), PgParam::Text(kEngineLease)});
      if (!f.ok() || f->affected() != 1) {
        conn_->Rollback();
        if (!f.ok()) return Settle(f.take_error(), nullptr);
        return FencedError("append refused: lease epoch " + std::to_string(opts_.fence_epoch) + " of '" +
                           opts_.fence_holder + "' is no longer current");
      }
    } else {
      CX_TRY(conn_->Begin());
    }
    auto body = [&]() -> Result<void> {
      if (!rows.empty()) {
        for (const auto& r : rows) {
          copy_.BeginRow(6);
          copy_.Int8(r.seq);
          copy_.Int8(r.ts);
          copy_.Bytes(r.type);
          copy_.Bytes(r.payload);
          copy_.Bytes(HashBytes(r.prev_hash));
          copy_.Bytes(HashBytes(r.hash));
        }
        // A group inside one partition is copied straight into it (no per-row routing).
        int64_t k = rows.front().seq / kJournalPartitionRows;
        bool one = rows.back().seq / kJournalPartitionRows == k && rows.front().seq >= 0;
        std::string sql = one ? "COPY journal_p" + std::to_string(k) + pgq::kCopyJournalColumns : std::string(pgq::kCopyJournal);
        CX_ASSIGN_OR_RETURN(int64_t n, conn_->CopyIn(sql,
                                                     copy_.Finish()));
        if (n != static_cast<int64_t>(rows.size())) return Err(Code::kStorage, "journal copy wrote a partial group");
      }
      if (!trades.empty()) {
        for (const auto& [r, t] : trades) {
          copy_.BeginRow(12);
          copy_.Int8(r->ts);
          copy_.Int8(r->seq);
          for (int64_t v : t.f) copy_.Int8(v);
        }
        CX_TRY(conn_->CopyIn(pgq::kCopyTrades,
                             copy_.Finish()));
      }
      for (const auto& b : blocks) {
        CX_TRY(conn_->Query(pgq::kInsertBlock,
                            {PgParam::Int(b.height), PgParam::Int(b.first_seq), PgParam::Int(b.last_seq),
                             PgParam::Bytes(HashBytes(b.root)), PgParam::Bytes(HashBytes(b.prev_header)),
                             PgParam::Bytes(HashBytes(b.header_hash)), PgParam::Int(b.sealed_ts)}));
      }
      return Ok();
    };
    auto r = body();
    if (!r.ok()) {
      conn_->Rollback();
      return Settle(r.take_error(), nullptr);
    }
    auto c = conn_->Commit();  // synchronous_commit=on: durable when this returns
    if (!c.ok()) return Settle(c.take_error(), rows.empty() ? nullptr : &rows.back());
    return c;
  }

  // A fenced writer whose append failed (its session ended by a node that took the
  // expired lease, or by the idle-transaction timeout; or the server went away) asks a
  // fresh session what became of the group: committed after all (a COMMIT whose answer
  // was lost) -> Ok; not committed and the lease epoch moved on -> fenced; else `e`.
  Result<void> Settle(Error e, const JournalRow* last) {
    if (opts_.fence_epoch <= 0) return e;
    if (last) {
      auto q = conn_->Query(pgq::kGetEvent, {PgParam::Int(last->seq)});
      if (!q.ok()) return e;
      if (q->rows() == 1) {
        JournalRow got;
        ReadRow(*q, 0, got);
        if (got.hash == last->hash) return Ok();
      }
    }
    auto l = conn_->Query("SELECT epoch FROM cx_lease WHERE name = $1", {PgParam::Text(kEngineLease)});
    if (l.ok() && l->rows() == 1 && l->Int(0, 0) != opts_.fence_epoch)
      return FencedError("append refused: lease epoch " + std::to_string(opts_.fence_epoch) + " of '" +
                         opts_.fence_holder + "' is no longer current (" + e.message + ")");
    return e;
  }

  Result<Tail> ReadTail() override {
    Tail t;
    CX_ASSIGN_OR_RETURN(PgRows j, conn_->Query(pgq::kTailJournal));
    if (j.rows() == 1) {
      t.last_seq = j.Int(0, 0);
      t.last_hash = ToHash(j.Bytes(0, 1));
      t.last_ts = j.Int(0, 2);
    }
    CX_ASSIGN_OR_RETURN(PgRows b, conn_->Query(pgq::kTailBlock));
    if (b.rows() == 1) t.last_block = ReadBlock(b, 0);
    return t;
  }

  Result<void> ScanJournal(int64_t from, const std::function<bool(const JournalRow&)>& fn) override {
    // Keyset pages: each is one index range scan; a long replay holds no snapshot open.
    JournalRow r;
    for (;;) {
      CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kScanJournal,
                                                 {PgParam::Int(from)}));
      for (int i = 0; i < q.rows(); ++i) {
        ReadRow(q, i, r);
        if (!fn(r)) return Ok();
        from = r.seq + 1;
      }
      if (q.rows() < pgq::kScanChunk) return Ok();
    }
  }

  Result<std::optional<JournalRow>> GetEvent(int64_t seq) override {
    CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kGetEvent, {PgParam::Int(seq)}));
    if (q.rows() == 0) return std::optional<JournalRow>();
    JournalRow r;
    ReadRow(q, 0, r);
    return std::optional<JournalRow>(std::move(r));
  }

  Result<std::vector<Hash256>> EventHashes(int64_t first, int64_t last) override {
    CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kEventHashes,
                                               {PgParam::Int(first), PgParam::Int(last)}));
    std::vector<Hash256> out;
    out.reserve(static_cast<size_t>(q.rows()));
    for (int i = 0; i < q.rows(); ++i) out.push_back(ToHash(q.Bytes(i, 0)));
    return out;
  }

  Result<std::optional<BlockRow>> BlockContaining(int64_t seq) override {
    CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kBlockContaining,
                                               {PgParam::Int(seq)}));
    if (q.rows() == 0) return std::optional<BlockRow>();
    BlockRow b = ReadBlock(q, 0);
    if (b.first_seq > seq) return std::optional<BlockRow>();
    return std::optional<BlockRow>(b);
  }

  Result<void> ScanBlocks(const std::function<bool(const BlockRow&)>& fn) override {
    int64_t from = 0;
    for (;;) {
      CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kScanBlocks,
                                                 {PgParam::Int(from)}));
      for (int i = 0; i < q.rows(); ++i) {
        BlockRow b = ReadBlock(q, i);
        if (!fn(b)) return Ok();
        from = b.height + 1;
      }
      if (q.rows() < pgq::kScanChunk) return Ok();
    }
  }

  Result<void> PutSnapshot(const Snapshot& s) override {
    CX_TRY(conn_->Query(pgq::kPutSnapshot,
                        {PgParam::Int(s.seq), PgParam::Bytes(HashBytes(s.last_hash)), PgParam::Bytes(s.state)}));
    // Keep the two newest snapshots.
    CX_TRY(conn_->Query(pgq::kPruneSnapshots));
    return Ok();
  }

  Result<std::optional<Snapshot>> LatestSnapshot() override {
    CX_ASSIGN_OR_RETURN(PgRows q, conn_->Query(pgq::kLatestSnapshot));
    if (q.rows() == 0) return std::optional<Snapshot>();
    Snapshot s;
    s.seq = q.Int(0, 0);
    s.last_hash = ToHash(q.Bytes(0, 1));
    s.state = std::string(q.Bytes(0, 2));
    return std::optional<Snapshot>(std::move(s));
  }

  Result<void> TamperForTest(int64_t seq, std::string payload) override {
    CX_TRY(conn_->Query(pgq::kTamper, {PgParam::Bytes(payload), PgParam::Int(seq)}));
    return Ok();
  }

 private:
  static void ReadRow(const PgRows& q, int i, JournalRow& r) {
    r.seq = q.Int(i, 0);
    r.ts = q.Int(i, 1);
    r.type.assign(q.Bytes(i, 2));
    r.payload.assign(q.Bytes(i, 3));
    r.prev_hash = ToHash(q.Bytes(i, 4));
    r.hash = ToHash(q.Bytes(i, 5));
  }
  static BlockRow ReadBlock(const PgRows& q, int i) {
    BlockRow b;
    b.height = q.Int(i, 0);
    b.first_seq = q.Int(i, 1);
    b.last_seq = q.Int(i, 2);
    b.root = ToHash(q.Bytes(i, 3));
    b.prev_header = ToHash(q.Bytes(i, 4));
    b.header_hash = ToHash(q.Bytes(i, 5));
    b.sealed_ts = q.Int(i, 6);
    return b;
  }

  // Ensures the slice holding `seq` and the one after it exist.
  Result<void> EnsureJournalPartitions(int64_t seq) {
    int64_t k = seq / kJournalPartitionRows;
    for (int64_t p = k; p <= k + 1; ++p) {
      std::string name = "journal_p" + std::to_string(p);
      if (partitions_.count(name)) continue;
      CX_TRY(conn_->Exec("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF journal FOR VALUES FROM (" +
                         std::to_string(p * kJournalPartitionRows) + ") TO (" +
                         std::to_string((p + 1) * kJournalPartitionRows) + ")"));
      partitions_.insert(name);
    }
    return Ok();
  }

  Result<void> EnsureTradePartition(const Month& m) {
    char name[32];
    std::snprintf(name, sizeof name, "trades_y%04lldm%02lld", static_cast<long long>(m.y), static_cast<long long>(m.m));
    if (partitions_.count(name)) return Ok();
    int64_t from = DaysFromCivil(m.y, m.m) * kMicrosPerDay;
    int64_t to = (m.m == 12 ? DaysFromCivil(m.y + 1, 1) : DaysFromCivil(m.y, m.m + 1)) * kMicrosPerDay;
    auto r = conn_->Exec(std::string("CREATE TABLE IF NOT EXISTS ") + name + " PARTITION OF trades FOR VALUES FROM (" +
                         std::to_string(from) + ") TO (" + std::to_string(to) + ")");
    // If the DEFAULT partition already holds rows of that month the partition cannot be
    // made; those trades keep going to DEFAULT (still indexed), which is correct.
    (void)r;
    partitions_.insert(name);
    return Ok();
  }

  PgOpenOptions opts_;
  std::unique_ptr<PgConn> conn_;
  std::set<std::string> partitions_;
  PgCopyWriter copy_;
};

}  // namespace

bool IsPostgresUrl(std::string_view s) { return s.starts_with("postgres://") || s.starts_with("postgresql://"); }

Result<std::unique_ptr<Store>> OpenPostgres(const std::string& url, const PgOpenOptions& opts) {
  auto s = std::make_unique<PgStore>(opts);
  CX_TRY(s->Open(url));
  return std::unique_ptr<Store>(std::move(s));
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url_or_path, bool writer) {
  if (IsPostgresUrl(url_or_path)) {
    PgOpenOptions o;
    o.writer = writer;
    return OpenPostgres(url_or_path, o);
  }
  return OpenSqlite(url_or_path, writer);
}

}  // namespace cx::store
