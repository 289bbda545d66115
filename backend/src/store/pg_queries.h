// Every SQL statement the PostgreSQL Store runs at steady state, in one place, so the
// EXPLAIN test (pg_explain_test.cc) plans exactly what the store executes. The list in
// docs/database.md ("Database") names the index each one uses.
// The read-model queries at the end are what readers of the trades table run (API
// replicas, exports, reporting); they are planned by the same test.
#pragma once

namespace cx::store::pgq {

inline constexpr char kTailJournal[] = "SELECT seq, hash, ts FROM journal ORDER BY seq DESC LIMIT 1";
inline constexpr char kTailBlock[] =
    "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks ORDER BY height DESC LIMIT 1";
inline constexpr char kScanJournal[] =
    "SELECT seq, ts, type, payload, prev_hash, hash FROM journal WHERE seq >= $1 ORDER BY seq LIMIT 5000";
inline constexpr int kScanChunk = 5000;  // the LIMIT above
inline constexpr char kGetEvent[] = "SELECT seq, ts, type, payload, prev_hash, hash FROM journal WHERE seq = $1";
inline constexpr char kEventHashes[] = "SELECT hash FROM journal WHERE seq >= $1 AND seq <= $2 ORDER BY seq";
inline constexpr char kBlockContaining[] =
    "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks"
    " WHERE last_seq >= $1 ORDER BY last_seq LIMIT 1";
inline constexpr char kScanBlocks[] =
    "SELECT height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts FROM blocks"
    " WHERE height >= $1 ORDER BY height LIMIT 5000";
inline constexpr char kInsertBlock[] =
    "INSERT INTO blocks (height, first_seq, last_seq, root, prev_header, header_hash, sealed_ts)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
inline constexpr char kFence[] =
    "UPDATE cx_lease SET last_seq = greatest(last_seq, $2::bigint) WHERE name = $3 AND epoch = $1";
inline constexpr char kPutSnapshot[] =
    "INSERT INTO snapshots (seq, last_hash, state) VALUES ($1, $2, $3)"
    " ON CONFLICT (seq) DO UPDATE SET last_hash = excluded.last_hash, state = excluded.state";
inline constexpr char kPruneSnapshots[] =
    "DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC OFFSET 1 LIMIT 1)";
inline constexpr char kLatestSnapshot[] = "SELECT seq, last_hash, state FROM snapshots ORDER BY seq DESC LIMIT 1";
inline constexpr char kTamper[] = "UPDATE journal SET payload = $1 WHERE seq = $2";
inline constexpr char kCopyJournalColumns[] = " (seq, ts, type, payload, prev_hash, hash) FROM STDIN (FORMAT binary)";
inline constexpr char kCopyJournal[] = "COPY journal (seq, ts, type, payload, prev_hash, hash) FROM STDIN (FORMAT binary)";
inline constexpr char kCopyTrades[] =
    "COPY trades (ts, seq, trade_id, instrument, buy_order, sell_order, buyer, seller, aggressor, price, qty, batch)"
    " FROM STDIN (FORMAT binary)";

// Personal-data vault (app/pii.cc) on PostgreSQL.
inline constexpr char kPiiInsert[] = "INSERT INTO pii_keys (id, wrapped, created) VALUES ($1, $2, extract(epoch FROM now())::bigint)";
inline constexpr char kPiiGet[] = "SELECT wrapped FROM pii_keys WHERE id = $1";
inline constexpr char kPiiDelete[] = "DELETE FROM pii_keys WHERE id = $1";
inline constexpr char kPiiAll[] = "SELECT id, wrapped FROM pii_keys";  // once at start: a full read by design

// Trades read model.
inline constexpr char kTradesByInstrument[] =
    "SELECT ts, seq, trade_id, price, qty FROM trades WHERE instrument = $1 AND ts >= $2 AND ts < $3"
    " ORDER BY ts DESC LIMIT 500";
inline constexpr char kTradesByAccount[] =
    "SELECT ts, seq, trade_id, instrument, price, qty FROM trades WHERE buyer = $1 AND ts >= $2"
    " UNION ALL SELECT ts, seq, trade_id, instrument, price, qty FROM trades WHERE seller = $1 AND ts >= $2"
    " ORDER BY ts DESC LIMIT 500";
inline constexpr char kTradeBySeq[] = "SELECT ts, seq, trade_id, instrument, price, qty FROM trades WHERE seq = $1";

}  // namespace cx::store::pgq
