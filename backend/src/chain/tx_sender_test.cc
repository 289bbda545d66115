// TxSender against FakeChain: prepare/journal/send/await, idempotent resend, re-orgs.
#include "chain/tx_sender.h"

#include <gtest/gtest.h>

#include "chain/fake_chain_test_util.h"
#include "chain/sign.h"
#include "chain/tx.h"

namespace cx::chain {
namespace {

using testing::A;
using testing::FakeChain;

struct Fixture {
  FakeChain chain;
  NonceManager nonces{chain};
  PrivateKey key = ParsePrivateKey("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d").value();
  std::unique_ptr<TxSender> sender;
  int sleeps = 0;
  std::function<void()> on_sleep;
  Fixture() {
    TxSenderOptions o;
    o.poll_interval = std::chrono::milliseconds(1);
    o.sleep = [this](std::chrono::milliseconds) {
      ++sleeps;
      if (on_sleep) on_sleep();
    };
    sender = TxSender::Create(chain, nonces, key, o).value();
  }
};

TxRequest Transfer() {
  TxRequest r;
  r.to = A(9);
  r.value = 5;
  return r;
}

TEST(TxSender, PrepareFillsNonceGasFeesAndSigns) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  auto d = DecodeSignedTx(tx.raw).value();
  EXPECT_EQ(d.from, f.sender->address());
  EXPECT_EQ(d.hash, tx.hash);
  EXPECT_EQ(d.fields.chain_id, 31337u);
  EXPECT_EQ(d.fields.nonce, 0u);
  EXPECT_EQ(d.fields.gas_limit, 60000u);  // 50000 estimated + 20 %
  EXPECT_EQ(d.fields.type, TxType::kEip1559);
  EXPECT_EQ(d.fields.max_fee_per_gas, tx.fees.max_fee_per_gas);
  EXPECT_TRUE(f.chain.pool_.empty());  // nothing sent by Prepare
  auto tx2 = f.sender->Prepare(Transfer()).value();
  EXPECT_EQ(tx2.nonce, 1u);
}

TEST(TxSender, SendIsIdempotentAndConfirms) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  f.sender->Committed(tx);
  ASSERT_EQ(f.sender->Send(tx.raw).value(), tx.hash);
  ASSERT_EQ(f.sender->Send(tx.raw).value(), tx.hash);  // already known
  EXPECT_EQ(f.chain.pool_.size(), 1u);
  EXPECT_EQ(f.sender->Check(tx.hash, 3).value().state, TxState::kPending);
  f.chain.Mine();
  auto st = f.sender->Check(tx.hash, 3).value();
  EXPECT_EQ(st.state, TxState::kMined);
  EXPECT_EQ(st.confirmations, 1u);
  ASSERT_EQ(f.sender->Rebroadcast(tx.raw).value(), tx.hash);  // mined: still success
  f.chain.Mine();
  f.chain.Mine();
  st = f.sender->Check(tx.hash, 3).value();
  EXPECT_EQ(st.state, TxState::kConfirmed);
  EXPECT_EQ(st.confirmations, 3u);
  EXPECT_TRUE(st.receipt->status);
}

TEST(TxSender, AwaitCountsConfirmationsWhileBlocksArrive) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  ASSERT_TRUE(f.sender->Send(tx.raw).ok());
  f.on_sleep = [&] { f.chain.Mine(); };
  auto st = f.sender->AwaitReceipt(tx.hash, 4, std::chrono::seconds(10)).value();
  EXPECT_EQ(st.state, TxState::kConfirmed);
  EXPECT_EQ(st.confirmations, 4u);
  EXPECT_EQ(st.receipt->block_number, 1u);
}

TEST(TxSender, AwaitTimesOutWithTheLastState) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  ASSERT_TRUE(f.sender->Send(tx.raw).ok());
  auto st = f.sender->AwaitReceipt(tx.hash, 1, std::chrono::milliseconds(20)).value();
  EXPECT_EQ(st.state, TxState::kPending);
}

TEST(TxSender, ReceiptInANonCanonicalBlockIsNotConfirmed) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  ASSERT_TRUE(f.sender->Send(tx.raw).ok());
  f.chain.Mine();
  f.chain.Mine();
  f.chain.stale_receipt_hash_ = true;  // a node still serving the receipt of an orphan
  auto st = f.sender->Check(tx.hash, 1).value();
  EXPECT_EQ(st.state, TxState::kReorged);
}

TEST(TxSender, ReorgThenReMinedConfirmsInTheNewBlock) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  ASSERT_TRUE(f.sender->Send(tx.raw).ok());
  f.chain.Mine();  // block 1
  f.chain.Mine();
  ASSERT_EQ(f.sender->Check(tx.hash, 2).value().state, TxState::kConfirmed);
  f.chain.Reorg(0, 0);  // both blocks gone; tx back to the pool
  EXPECT_EQ(f.sender->Check(tx.hash, 2).value().state, TxState::kPending);
  int n = 0;
  f.on_sleep = [&] {
    if (++n > 2) f.chain.Mine();  // re-mined a bit later, in another block
  };
  auto st = f.sender->AwaitReceipt(tx.hash, 2, std::chrono::seconds(10)).value();
  EXPECT_EQ(st.state, TxState::kConfirmed);
  EXPECT_EQ(st.receipt->block_hash, f.chain.block(st.receipt->block_number).header.hash);
}

TEST(TxSender, NonceTakenByAnotherTransactionResyncs) {
  Fixture f;
  auto tx = f.sender->Prepare(Transfer()).value();
  f.sender->Committed(tx);
  f.chain.ExternalTx(f.sender->address());  // same key used elsewhere: nonce 0 is gone
  auto r = f.sender->Send(tx.raw);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(RpcErrcOf(r.error()), RpcErrc::kNonceTooLow);
  auto next = f.sender->Prepare(Transfer()).value();
  EXPECT_EQ(next.nonce, 1u);
  EXPECT_TRUE(f.sender->Send(next.raw).ok());
}

TEST(TxSender, AbandonedNonceIsReused) {
  Fixture f;
  auto a = f.sender->Prepare(Transfer()).value();
  f.sender->Abandon(a);
  auto b = f.sender->Prepare(Transfer()).value();
  EXPECT_EQ(b.nonce, a.nonce);
}

TEST(TxSender, LegacyChainSignsLegacy) {
  Fixture f;
  f.chain.base_fee_.reset();
  f.chain.Mine();
  auto tx = f.sender->Prepare(Transfer()).value();
  auto d = DecodeSignedTx(tx.raw).value();
  EXPECT_EQ(d.fields.type, TxType::kLegacy);
  EXPECT_EQ(d.fields.gas_price, U256(2000000000));
}

TEST(TxSender, TransportErrorDuringPrepareKeepsNoNonce) {
  Fixture f;
  f.chain.fail_next_ = 1;
  EXPECT_FALSE(f.sender->Prepare(Transfer()).ok());
  EXPECT_EQ(f.sender->Prepare(Transfer()).value().nonce, 0u);
}

}  // namespace
}  // namespace cx::chain
