// NonceManager and fee estimation against FakeChain (our RpcClient interface).
#include <gtest/gtest.h>

#include "chain/fake_chain_test_util.h"
#include "chain/fees.h"
#include "chain/nonce.h"
#include "chain/sign.h"
#include "chain/tx.h"

namespace cx::chain {
namespace {

using testing::A;
using testing::FakeChain;

TEST(NonceManager, StartsAtTheChainsPendingCountAndCounts) {
  FakeChain chain;
  NonceManager nm(chain);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 0u);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 1u);
  EXPECT_EQ(nm.Reserve(A(2)).value(), 0u);
  EXPECT_EQ(chain.calls_["eth_getTransactionCount"], 2);  // once per sender
}

TEST(NonceManager, JournaledNoncesRaiseTheFloor) {
  FakeChain chain;
  NonceManager nm(chain);
  nm.ObserveJournaled(A(1), 6);  // restart: the journal holds intents up to nonce 6
  EXPECT_EQ(nm.Reserve(A(1)).value(), 7u);
}

TEST(NonceManager, ReleasedNoncesAreReusedLowestFirst) {
  FakeChain chain;
  NonceManager nm(chain);
  auto a = nm.Reserve(A(1)).value();
  auto b = nm.Reserve(A(1)).value();
  auto c = nm.Reserve(A(1)).value();
  nm.Commit(A(1), a);
  nm.Release(A(1), b);  // a gap at 1 must be filled first
  EXPECT_EQ(nm.Reserve(A(1)).value(), b);
  nm.Release(A(1), c);  // the top one: the counter steps back
  EXPECT_EQ(nm.PeekNext(A(1)), c);
  EXPECT_EQ(nm.Reserve(A(1)).value(), c);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 3u);
}

TEST(NonceManager, ResyncAfterAnExternalTransaction) {
  FakeChain chain;
  NonceManager nm(chain);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 0u);
  nm.Release(A(1), 0);
  chain.ExternalTx(A(1));  // someone else used nonce 0 with the same key
  chain.ExternalTx(A(1));  // and 1
  EXPECT_EQ(nm.Reserve(A(1)).value(), 0u);  // stale: not synced again yet
  EXPECT_EQ(nm.Resync(A(1)).value(), 2u);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 2u);
}

TEST(NonceManager, TransportErrorOnFirstUseIsReturned) {
  FakeChain chain;
  chain.fail_next_ = 1;
  NonceManager nm(chain);
  auto r = nm.Reserve(A(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kTransport);
  EXPECT_EQ(nm.Reserve(A(1)).value(), 0u);
}

TEST(NonceManager, ConcurrentReservationsAreDistinct) {
  FakeChain chain;
  NonceManager nm(chain);
  ASSERT_TRUE(nm.Resync(A(1)).ok());
  std::vector<std::thread> ts;
  std::mutex mu;
  std::set<uint64_t> got;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        uint64_t n = nm.Reserve(A(1)).value();
        std::lock_guard<std::mutex> l(mu);
        got.insert(n);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(got.size(), 1000u);
  EXPECT_EQ(*got.rbegin(), 999u);
}

FeeHistory History(std::vector<uint64_t> base, std::vector<uint64_t> tips) {
  FeeHistory h;
  for (auto b : base) h.base_fee_per_gas.push_back(U256(b));
  for (auto t : tips) h.reward.push_back({U256(t)});
  return h;
}

TEST(Fees, Eip1559IsTwiceTheBaseFeePlusTheMedianTip) {
  FeeOptions o;
  auto q = ComputeEip1559Fees(History({100, 120, 110}, {5, 9, 7}), 0, o).value();
  EXPECT_TRUE(q.eip1559);
  EXPECT_EQ(q.base_fee, U256(110));                  // the next block's base fee
  EXPECT_EQ(q.max_priority_fee_per_gas, U256(1000000));  // min_tip floor above the 7 median
  o.min_tip = 0;
  q = ComputeEip1559Fees(History({100, 120, 110}, {5, 9, 7}), 0, o).value();
  EXPECT_EQ(q.max_priority_fee_per_gas, U256(7));
  EXPECT_EQ(q.max_fee_per_gas, U256(2 * 110 + 7));
}

TEST(Fees, CapsApply) {
  FeeOptions o;
  o.min_tip = 0;
  o.max_tip = 3;
  o.max_fee_cap = 200;
  auto q = ComputeEip1559Fees(History({150, 150}, {9}), 0, o).value();
  EXPECT_EQ(q.max_priority_fee_per_gas, U256(3));
  EXPECT_EQ(q.max_fee_per_gas, U256(200));
  o.max_fee_cap = 2;
  q = ComputeEip1559Fees(History({150, 150}, {9}), 0, o).value();
  EXPECT_LE(q.max_priority_fee_per_gas, q.max_fee_per_gas);
}

TEST(Fees, NoBaseFeeIsNotEip1559) {
  EXPECT_FALSE(ComputeEip1559Fees(History({0, 0}, {1}), 0, {}).ok());
  EXPECT_FALSE(ComputeEip1559Fees(History({}, {}), 0, {}).ok());
}

TEST(Fees, EstimateOnA1559ChainUsesOneBatch) {
  FakeChain chain;
  auto q = EstimateFees(chain).value();
  EXPECT_TRUE(q.eip1559);
  EXPECT_EQ(q.max_priority_fee_per_gas, U256(2000000000));
  EXPECT_EQ(q.max_fee_per_gas, U256(2000000000) + 2 * U256(1000000000));
  EXPECT_EQ(chain.batches_, 1u);
}

TEST(Fees, LegacyChainFallsBackToGasPrice) {
  FakeChain chain;
  chain.base_fee_.reset();
  chain.Mine();
  FeeOptions o;
  o.legacy_multiplier_pct = 110;
  auto q = EstimateFees(chain, o).value();
  EXPECT_FALSE(q.eip1559);
  EXPECT_EQ(q.gas_price, U256(2200000000));
  o.force_legacy = true;
  FakeChain c2;
  EXPECT_FALSE(EstimateFees(c2, o).value().eip1559);
}

TEST(Fees, BumpRaisesBothFieldsByAtLeastTenPercent) {
  FeeQuote old;
  old.max_fee_per_gas = 100;
  old.max_priority_fee_per_gas = 10;
  FeeQuote fresh = old;
  auto b = BumpFees(old, fresh, 5);
  EXPECT_EQ(b.max_fee_per_gas, U256(110));
  EXPECT_EQ(b.max_priority_fee_per_gas, U256(11));
  fresh.max_fee_per_gas = 500;
  EXPECT_EQ(BumpFees(old, fresh).max_fee_per_gas, U256(500));
}

}  // namespace
}  // namespace cx::chain
