// DepthBook and DepthClient: level bookkeeping, strictly +1 sequencing, atomic batches,
// snapshot + delta replay, an injected gap and the resync that follows, and a seeded
// random stream in which the client mirrors the server after every delta.
#include "marketdata/depth.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

namespace cx::marketdata {
namespace {

constexpr InstrumentId kInst{3};
LevelUpdate Bid(int64_t p, int64_t q) { return {Side::kBuy, p, q}; }
LevelUpdate Ask(int64_t p, int64_t q) { return {Side::kSell, p, q}; }

TEST(DepthBook, LevelsBestAndTopN) {
  DepthBook b(kInst);
  std::vector<LevelUpdate> u = {Bid(1000, 5000), Bid(1010, 1000), Bid(990, 2000),
                                Ask(1020, 3000), Ask(1050, 1000), Ask(1030, 7000)};
  auto d = b.Apply(u);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->seq, 1u);
  EXPECT_EQ(d->changes.size(), 6u);
  EXPECT_EQ(b.best_bid(), (Level{1010, 1000}));
  EXPECT_EQ(b.best_ask(), (Level{1020, 3000}));
  EXPECT_EQ(b.Top(Side::kBuy, 2), (std::vector<Level>{{1010, 1000}, {1000, 5000}}));
  EXPECT_EQ(b.Top(Side::kSell, 5),
            (std::vector<Level>{{1020, 3000}, {1030, 7000}, {1050, 1000}}));
  // Remove the best bid; change an ask.
  d = b.Apply(std::vector<LevelUpdate>{Bid(1010, 0), Ask(1020, 500)});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->seq, 2u);
  EXPECT_EQ(b.best_bid(), (Level{1000, 5000}));
  EXPECT_EQ(b.best_ask(), (Level{1020, 500}));
  DepthSnapshot s = b.Snapshot(1);
  EXPECT_EQ(s.seq, 2u);
  EXPECT_EQ(s.bids, (std::vector<Level>{{1000, 5000}}));
  EXPECT_EQ(s.asks, (std::vector<Level>{{1020, 500}}));
  EXPECT_EQ(b.Snapshot().bids.size(), 2u);
}

TEST(DepthBook, SeqIsStrictlyPlusOneAndNoOpsUseNone) {
  DepthBook b(kInst);
  for (uint64_t i = 1; i <= 5; ++i) {
    auto d = b.Apply(Bid(1000 + static_cast<int64_t>(i), 10));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->seq, i);
  }
  auto same = b.Apply(Bid(1001, 10));  // already 10: no change
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->changes.empty());
  EXPECT_EQ(b.seq(), 5u);
  auto next = b.Apply(Bid(1001, 11));
  EXPECT_EQ(next->seq, 6u);
}

TEST(DepthBook, RefusedBatchChangesNothing) {
  DepthBook b(kInst);
  ASSERT_TRUE(b.Apply(std::vector<LevelUpdate>{Bid(1000, 10), Ask(1100, 20)}).ok());
  DepthSnapshot before = b.Snapshot();
  // Valid changes first, then removing a level that does not exist: all rolled back.
  auto r = b.Apply(std::vector<LevelUpdate>{Bid(1000, 99), Bid(999, 5), Ask(1100, 0),
                                            Ask(1200, 0)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kNotFound);
  DepthSnapshot after = b.Snapshot();
  EXPECT_EQ(after.seq, before.seq);
  EXPECT_EQ(after.bids, before.bids);
  EXPECT_EQ(after.asks, before.asks);
  EXPECT_EQ(b.Apply(Bid(0, 5)).error().code, Code::kInvalidField);
  EXPECT_EQ(b.Apply(Bid(kMaxPrice + 1, 5)).error().code, Code::kInvalidField);
  EXPECT_EQ(b.Apply(Ask(1000, -1)).error().code, Code::kInvalidField);
  EXPECT_EQ(b.Apply(LevelUpdate{static_cast<Side>(7), 1000, 1}).error().code,
            Code::kInvalidField);
  EXPECT_EQ(b.seq(), before.seq);
  // Within one batch, a level added then removed is fine (applied in order).
  auto ok = b.Apply(std::vector<LevelUpdate>{Bid(950, 1), Bid(950, 0)});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->changes.size(), 2u);
  EXPECT_EQ(b.bid_levels(), 1u);
}

TEST(DepthClient, SnapshotThenDeltasThenInjectedGapThenResync) {
  DepthBook server(kInst);
  DepthClient client(kInst);
  EXPECT_TRUE(client.needs_resync());
  std::vector<DepthDelta> deltas;
  deltas.push_back(server.Apply(Bid(1000, 10)).value());  // seq 1
  // A delta before any snapshot cannot be applied.
  EXPECT_EQ(client.ApplyDelta(deltas[0]), DepthClient::Status::kNeedsSnapshot);

  DepthSnapshot snap = server.Snapshot();  // seq 1
  client.ApplySnapshot(snap);
  EXPECT_TRUE(client.synced());
  EXPECT_EQ(client.ApplyDelta(deltas[0]), DepthClient::Status::kStale);  // already in it

  for (int i = 0; i < 4; ++i)  // seq 2..5
    deltas.push_back(server.Apply(Ask(1100 + i, 5 + i)).value());
  EXPECT_EQ(client.ApplyDelta(deltas[1]), DepthClient::Status::kApplied);  // seq 2
  EXPECT_EQ(client.ApplyDelta(deltas[2]), DepthClient::Status::kApplied);  // seq 3
  // Inject a gap: seq 4 is lost.
  EXPECT_EQ(client.ApplyDelta(deltas[4]), DepthClient::Status::kGap);  // seq 5
  EXPECT_TRUE(client.needs_resync());
  EXPECT_EQ(client.gaps_detected(), 1u);
  EXPECT_EQ(client.seq(), 3u);
  // Until a new snapshot, deltas are not applied.
  deltas.push_back(server.Apply(Bid(1000, 0)).value());  // seq 6
  EXPECT_EQ(client.ApplyDelta(deltas[5]), DepthClient::Status::kNeedsSnapshot);

  // Resync: snapshot at seq 6; a late seq 5 is stale; then seq 7 applies.
  client.ApplySnapshot(server.Snapshot());
  EXPECT_EQ(client.seq(), 6u);
  EXPECT_EQ(client.ApplyDelta(deltas[4]), DepthClient::Status::kStale);
  deltas.push_back(server.Apply(Bid(990, 42)).value());  // seq 7
  EXPECT_EQ(client.ApplyDelta(deltas[6]), DepthClient::Status::kApplied);
  DepthSnapshot mine = client.Book(), theirs = server.Snapshot();
  EXPECT_EQ(mine.seq, theirs.seq);
  EXPECT_EQ(mine.bids, theirs.bids);
  EXPECT_EQ(mine.asks, theirs.asks);
  EXPECT_EQ(client.best_bid(), (Level{990, 42}));
  EXPECT_EQ(client.best_ask(), (Level{1100, 5}));
}

TEST(DepthClient, DeltaThatDoesNotFitTheBookAsksForResync) {
  DepthBook server(kInst);
  ASSERT_TRUE(server.Apply(std::vector<LevelUpdate>{Bid(1000, 1), Bid(999, 1)}).ok());
  DepthClient client(kInst);
  client.ApplySnapshot(server.Snapshot(1));  // a top-1 snapshot lacks 999
  auto d = server.Apply(Bid(999, 0));
  EXPECT_EQ(client.ApplyDelta(d.value()), DepthClient::Status::kInconsistent);
  EXPECT_TRUE(client.needs_resync());
}

TEST(DepthClient, RandomStreamMirrorsServerAndEveryDropIsDetected) {
  const uint32_t seed = 4242;
  std::printf("seed %u\n", seed);
  std::mt19937_64 rng(seed);
  DepthBook server(kInst);
  DepthClient client(kInst);
  client.ApplySnapshot(server.Snapshot());
  int drops = 0, detected = 0;
  bool lost = false;  // a delta was dropped since the client last applied one
  for (int step = 0; step < 20000; ++step) {
    std::vector<LevelUpdate> batch;
    int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      Side side = rng() % 2 ? Side::kBuy : Side::kSell;
      int64_t price = side == Side::kBuy ? 900 + static_cast<int64_t>(rng() % 100)
                                         : 1000 + static_cast<int64_t>(rng() % 100);
      auto top = server.Top(side, 0);
      bool exists = false;
      for (const Level& l : top) exists |= l.price == price;
      int64_t qty = (exists && rng() % 3 == 0) ? 0 : 1 + static_cast<int64_t>(rng() % 1000);
      if (qty == 0) {
        // Remove only levels that exist before this batch and are not touched earlier in it.
        bool touched = false;
        for (const LevelUpdate& u : batch) touched |= u.side == side && u.price == price;
        if (touched) qty = 1;
      }
      batch.push_back(LevelUpdate{side, price, qty});
    }
    auto d = server.Apply(batch);
    ASSERT_TRUE(d.ok()) << step << " " << d.error().message;
    if (d->changes.empty()) continue;
    if (rng() % 500 == 0) {  // the transport loses this delta
      ++drops;
      lost = true;
      continue;
    }
    auto st = client.ApplyDelta(*d);
    if (st == DepthClient::Status::kGap) {
      ASSERT_TRUE(lost) << "gap reported without a lost delta at step " << step;
      lost = false;
      ++detected;
      client.ApplySnapshot(server.Snapshot());  // resync
    } else {
      ASSERT_FALSE(lost) << "a lost delta went unnoticed at step " << step;
      ASSERT_EQ(st, DepthClient::Status::kApplied) << step;
    }
    DepthSnapshot a = client.Book(), b = server.Snapshot();
    ASSERT_EQ(a.seq, b.seq);
    ASSERT_EQ(a.bids, b.bids) << step;
    ASSERT_EQ(a.asks, b.asks) << step;
  }
  EXPECT_GT(drops, 10);
  // Every run of lost deltas is detected by the next delta that arrives.
  EXPECT_GT(detected, 10);
  EXPECT_LE(detected, drops);
}

}  // namespace
}  // namespace cx::marketdata
