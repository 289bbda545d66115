// Durable journal append throughput through Store::Append, PostgreSQL vs SQLite, same
// workload in the same run:
//   cx_store_bench --pg URL --sqlite PATH [--events N] [--group G]
// Workload: events with realistic payload sizes (80..240 bytes; one in ten a
// TradeExecuted whose read-model row is written too), hash-chained, a block sealed every
// 1000 events, appended in groups of G events (the engine's group commit). Every Append
// returns only after a durable commit (PostgreSQL: synchronous_commit=on with fsync=on
// on the bench cluster; SQLite: WAL + synchronous=FULL). Payload generation and hashing
// are done before the clock starts: the figure is the store's.
// Prints BENCH lines.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/codec.h"
#include "store/pg_store.h"

namespace {
using namespace cx;
using namespace cx::store;

struct Group {
  std::vector<JournalRow> rows;
  std::vector<BlockRow> blocks;
};

std::vector<Group> MakeWorkload(int64_t events, int64_t group) {
  std::mt19937_64 rng(1);  // NOLINT(cert-msc32-c,cert-msc51-cpp): the same workload in every run
  std::vector<Group> out;
  Hash256 prev{}, header{};
  int64_t height = 0, open_first = 1;
  const int64_t t0 = 1767225600LL * 1'000'000;
  for (int64_t seq = 1; seq <= events; ++seq) {
    if ((seq - 1) % group == 0) out.emplace_back();
    JournalRow r;
    r.seq = seq;
    r.ts = t0 + seq * 1000;
    if (seq % 10 == 0) {
      r.type = "TradeExecuted";
      Writer w(r.payload);
      for (int i = 0; i < 10; ++i) w.I(static_cast<int64_t>(rng() % 100000));
      w.S(std::string(90, 'r'));  // ranges, fees, currency: ~150 bytes in all
    } else {
      r.type = seq % 3 ? "OrderPlaced" : "OrderUpdated";
      r.payload.resize(80 + rng() % 161);
      for (char& c : r.payload) c = static_cast<char>(rng());
    }
    r.prev_hash = prev;
    r.hash = EventHash(prev, seq, r.ts, r.type, r.payload);
    prev = r.hash;
    out.back().rows.push_back(std::move(r));
    if (seq - open_first + 1 == 1000) {
      BlockRow b{++height, open_first, seq, Sha256(std::to_string(seq)), header, {}, t0};
      b.header_hash = BlockHeaderHash(b);
      header = b.header_hash;
      out.back().blocks.push_back(b);
      open_first = seq + 1;
    }
  }
  return out;
}

int Run(const char* name, Store& s, const std::vector<Group>& w, int64_t events) {
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& g : w) {
    auto r = s.Append(g.rows, g.blocks);
    if (!r.ok()) {
      std::fprintf(stderr, "%s: append failed: %s\n", name, r.error().message.c_str());
      return 1;
    }
  }
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("BENCH %s_durable_events_per_s %.0f events/s\n", name, static_cast<double>(events) / sec);
  std::printf("BENCH %s_durable_commits_per_s %.0f commits/s\n", name, static_cast<double>(w.size()) / sec);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pg, sqlite;
  int64_t events = 200'000, group = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--pg")) pg = argv[i + 1];
    else if (!std::strcmp(argv[i], "--sqlite")) sqlite = argv[i + 1];
    else if (!std::strcmp(argv[i], "--events")) events = std::stoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--group")) group = std::stoll(argv[i + 1]);
  }
  auto w = MakeWorkload(events, group);
  int rc = 0;
  if (!sqlite.empty()) {
    auto s = OpenSqlite(sqlite, true);
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    rc |= Run("sqlite_journal", **s, w, events);
  }
  if (!pg.empty()) {
    auto s = OpenPostgres(pg, PgOpenOptions{true, "", 0});
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    rc |= Run("pg_journal", **s, w, events);
  }
  return rc;
}
