// cx_marketdata_bench: 1,000,000 synthetic trades (seeded; 20 instruments with category
// flags, ~55 hours of time so the 24 h windows and 1 m candle history really expire)
// through every aggregation: the instrument's MarketData (4 candle series, 24 h stats,
// two VWAP windows, session VWAP, recent trades) and the CategoryIndex (4 categories,
// constituents). Then L2 depth: 1,000,000 level updates through DepthBook with a
// DepthClient applying every delta. Also the trades through MarketDataFeed (aggregations
// plus every channel's JSON message). Trades are generated before timing.
// Prints `key value` lines; throughput is the best of --repeat passes by wall clock,
// and the same pass's thread CPU time gives the per-core figure (on a shared machine the
// CPU figure estimates what an idle core does). Ends with "check ok" when the results
// agree with sums kept outside the aggregators; exit status 1 otherwise.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "marketdata/depth.h"
#include "marketdata/feed.h"
#include "marketdata/index.h"
#include "marketdata/market_data.h"

using namespace cx;
using namespace cx::marketdata;

namespace {

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int kInstruments = 20;
constexpr int64_t kT0 = 1'699'920'000'000'000;

std::vector<Trade> MakeTrades(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint8_t flags[4] = {kNatureBased, kTechnical, kNatureBased | kRemoval,
                            kTechnical | kRemoval};
  std::vector<Trade> out;
  out.reserve(n);
  std::vector<int64_t> price(kInstruments + 1, 1500), next_id(kInstruments + 1, 1);
  int64_t ts = kT0;
  for (int i = 0; i < n; ++i) {
    ts += static_cast<int64_t>(rng() % 400'000);  // 0..0.4 s: ~55 h for 1 M trades
    int inst = 1 + static_cast<int>(rng() % kInstruments);
    price[inst] = std::max<int64_t>(1, price[inst] + static_cast<int64_t>(rng() % 21) - 10);
    out.push_back(Trade{InstrumentId{inst}, TradeId{next_id[inst]++}, ts, price[inst],
                        1000 * (1 + static_cast<int64_t>(rng() % 50)),
                        rng() % 2 ? Side::kBuy : Side::kSell, flags[inst % 4]});
  }
  return out;
}

struct PassResult {
  double wall = 0, cpu = 0;
  bool check = false;
};

PassResult TradePass(const std::vector<Trade>& trades) {
  std::vector<MarketData> md;
  md.reserve(kInstruments + 1);
  for (int i = 0; i <= kInstruments; ++i) md.emplace_back(InstrumentId{i == 0 ? 1 : i});
  CategoryIndex index;
  int64_t errors = 0;
  double w0 = WallSeconds(), c0 = ThreadCpuSeconds();
  for (const Trade& t : trades) {
    errors += !md[t.instrument.value()].Apply(t).ok();
    errors += !index.Apply(t).ok();
  }
  PassResult r;
  r.cpu = ThreadCpuSeconds() - c0;
  r.wall = WallSeconds() - w0;
  // Check: every trade is in one daily candle; 24 h volumes agree between the per-
  // instrument stats and the "all" index (same window, same end time once advanced).
  int64_t total = 0, daily = 0, stats_vol = 0;
  for (const Trade& t : trades) total += t.qty_kg;
  const int64_t now = trades.back().ts_us;
  for (int i = 1; i <= kInstruments; ++i) {
    for (const Candle& c : md[i].candles(Interval::k1d)) daily += c.volume_kg;
    errors += !md[i].AdvanceTime(now).ok();
    stats_vol += md[i].Stats().volume_kg;
  }
  r.check = errors == 0 && total == daily &&
            stats_vol == index.Value(IndexCategory::kAll).volume_kg &&
            md[1].candles(Interval::k1m).size() == 1000;
  return r;
}

// The same trades through MarketDataFeed: the aggregations plus the JSON messages of
// every channel (8-9 per trade), as the publisher would run it.
PassResult FeedPass(const std::vector<Trade>& trades, uint64_t* messages) {
  const uint8_t flags[4] = {kNatureBased, kTechnical, kNatureBased | kRemoval,
                            kTechnical | kRemoval};
  MarketDataFeed feed;
  int64_t errors = 0;
  for (int i = 1; i <= kInstruments; ++i)
    errors += !feed.AddInstrument({InstrumentId{i}, flags[i % 4], 2}).ok();
  std::vector<Outgoing> out;
  uint64_t n = 0, bytes = 0;
  double w0 = WallSeconds(), c0 = ThreadCpuSeconds();
  for (const Trade& t : trades) {
    out.clear();
    errors += !feed.OnTrade(t, out).ok();
    n += out.size();
    for (const Outgoing& o : out) bytes += o.text.size();
  }
  PassResult r;
  r.cpu = ThreadCpuSeconds() - c0;
  r.wall = WallSeconds() - w0;
  *messages = n;
  r.check = errors == 0 && bytes > n * 50 && feed.channel_seq("index:all") == trades.size();
  return r;
}

PassResult DepthPass(int n, uint64_t seed, uint64_t* deltas) {
  std::mt19937_64 rng(seed);
  struct Op {
    Side side;
    int64_t price;
    int64_t qty;
  };
  std::vector<Op> ops;
  ops.reserve(n);
  // Levels 900..1099; a removal only of a level known to exist (tracked here).
  std::vector<int64_t> qty(1100, 0);
  for (int i = 0; i < n; ++i) {
    Side side = rng() % 2 ? Side::kBuy : Side::kSell;
    int64_t p = side == Side::kBuy ? 900 + static_cast<int64_t>(rng() % 100)
                                   : 1000 + static_cast<int64_t>(rng() % 100);
    int64_t q = (qty[p] != 0 && rng() % 3 == 0) ? 0 : 1 + static_cast<int64_t>(rng() % 5000);
    qty[p] = q;
    ops.push_back(Op{side, p, q});
  }
  DepthBook book(InstrumentId{1});
  DepthClient client(InstrumentId{1});
  client.ApplySnapshot(book.Snapshot());
  int64_t errors = 0;
  double w0 = WallSeconds(), c0 = ThreadCpuSeconds();
  for (const Op& o : ops) {
    auto d = book.Apply(LevelUpdate{o.side, o.price, o.qty});
    if (!d.ok()) { ++errors; continue; }
    if (!d->changes.empty()) errors += client.ApplyDelta(*d) != DepthClient::Status::kApplied;
  }
  PassResult r;
  r.cpu = ThreadCpuSeconds() - c0;
  r.wall = WallSeconds() - w0;
  DepthSnapshot a = client.Book(), b = book.Snapshot();
  *deltas = b.seq;
  r.check = errors == 0 && a.seq == b.seq && a.bids == b.bids && a.asks == b.asks;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 1'000'000, repeat = 3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--trades") && i + 1 < argc) n = static_cast<int>(std::strtol(argv[++i], nullptr, 10));
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = static_cast<int>(std::strtol(argv[++i], nullptr, 10));
    else { std::fprintf(stderr, "usage: %s [--trades N] [--repeat R]\n", argv[0]); return 2; }
  }
  if (n < 1000 || repeat < 1) { std::fprintf(stderr, "need --trades >= 1000, --repeat >= 1\n"); return 2; }
  std::vector<Trade> trades = MakeTrades(n, 1);
  bool ok = true;
  PassResult best;
  for (int r = 0; r < repeat; ++r) {
    PassResult p = TradePass(trades);
    ok &= p.check;
    if (r == 0 || p.wall < best.wall) best = p;
  }
  std::printf("trades %d\n", n);
  std::printf("trades_per_s %.0f\n", n / best.wall);
  std::printf("cpu_trades_per_s %.0f\n", n / best.cpu);
  std::printf("cpu_ns_per_trade %.1f\n", best.cpu * 1e9 / n);
  PassResult fbest;
  uint64_t messages = 0;
  for (int r = 0; r < repeat; ++r) {
    PassResult p = FeedPass(trades, &messages);
    ok &= p.check;
    if (r == 0 || p.wall < fbest.wall) fbest = p;
  }
  std::printf("feed_messages %llu\n", static_cast<unsigned long long>(messages));
  std::printf("feed_trades_per_s %.0f\n", n / fbest.wall);
  std::printf("cpu_feed_trades_per_s %.0f\n", n / fbest.cpu);
  PassResult dbest;
  uint64_t deltas = 0;
  for (int r = 0; r < repeat; ++r) {
    PassResult p = DepthPass(n, 2, &deltas);
    ok &= p.check;
    if (r == 0 || p.wall < dbest.wall) dbest = p;
  }
  std::printf("depth_updates %d deltas %llu\n", n, static_cast<unsigned long long>(deltas));
  std::printf("depth_updates_per_s %.0f\n", n / dbest.wall);
  std::printf("cpu_depth_updates_per_s %.0f\n", n / dbest.cpu);
  std::printf("%s\n", ok ? "check ok" : "check FAILED");
  return ok ? 0 : 1;
}
