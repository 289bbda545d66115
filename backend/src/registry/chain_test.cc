// Chain flows in the engine (chain.cc): batch mirroring with verifier approvals, intents and
// outcomes, withdrawal to a wallet, deposit back, re-orgs, conservation, snapshot and replay.
#include <gtest/gtest.h>

#include "registry/registry.h"
#include "registry/chain_test_world.h"

namespace cx::registry {
namespace {

using namespace chain_testing;

constexpr int64_t kNowS = 1'700'000'000;

struct FlowsWorld : ChainWorld {
  int64_t Held(int64_t account) const {
    const Holding* h = s.holding(account, batch);
    return h ? h->tradable.total() : 0;
  }
  // Conservation: every kilogram of the batch is held somewhere (on chain included).
  void ExpectConserved() const {
    int64_t sum = 0;
    for (int64_t a : {s.user(dev)->account, s.user(holder)->account, kOnChainAccount, kBufferAccount}) sum += Held(a);
    EXPECT_EQ(sum, s.batch(batch)->quantity_kg);
    EXPECT_TRUE(s.CheckInvariants().ok()) << s.CheckInvariants().error().message;
  }
  void ExpectReplayAndSnapshotAgree() const {
    ExpectSnapshotsAgree();
    RegistryState restored;
    ASSERT_TRUE(restored.Restore(s.Snapshot()));
    EXPECT_EQ(restored.chain().withdrawals.size(), s.chain().withdrawals.size());
    EXPECT_EQ(restored.chain().deposits.size(), s.chain().deposits.size());
  }
};

}  // namespace

TEST(ChainFlows, MirrorStepsRunInOrderWithLinkedWalletApprovals) {
  FlowsWorld w;
  const auto mirror = MirrorChainBatch{w.batch, "1", H32('1'), H32('2'), H32('3'), H32('4'), "ipfs://bafybatch", Addr('5')};
  EXPECT_EQ(CodeOf(w.Run(mirror)), Code::kUnavailable);  // no chain configured
  EXPECT_EQ(CodeOf(w.Run(SetChainConfig{w.holder, w.Config()})), Code::kForbidden);
  ASSERT_TRUE(w.Run(SetChainConfig{0, w.Config()}).ok());
  EXPECT_EQ(CodeOf(w.Run(SetChainConfig{0, w.Config()})), Code::kConflict);  // unchanged: nothing journaled
  auto bad = mirror;
  bad.metadata_uri = "https://x";
  EXPECT_EQ(CodeOf(w.Run(bad)), Code::kInvalidField);
  bad = mirror;
  bad.batch = 999;
  EXPECT_EQ(CodeOf(w.Run(bad)), Code::kUnknownBatch);
  ASSERT_TRUE(w.Run(mirror).ok());
  EXPECT_EQ(CodeOf(w.Run(mirror)), Code::kConflict);
  // Out of order, or a second intent while one is in flight: refused.
  EXPECT_EQ(CodeOf(w.Tx(ChainTxKind::kProposeIssuance, w.batch)), Code::kBadState);
  ASSERT_TRUE(w.Tx(ChainTxKind::kRegisterProject, w.batch).ok());
  EXPECT_EQ(CodeOf(w.Tx(ChainTxKind::kRegisterProject, w.batch)), Code::kBadState);
  // A journaled hash or nonce cannot be journaled again.
  EXPECT_EQ(CodeOf(w.Run(RecordChainTx{ChainTxKind::kProposeIssuance, w.batch, 99, w.s.chain().txs.rbegin()->second.hash, "0x02"})),
            Code::kConflict);
  ASSERT_TRUE(w.Settle(true).ok());
  EXPECT_EQ(CodeOf(w.Settle(true)), Code::kConflict);  // settled once
  EXPECT_EQ(w.s.chain_batch(w.batch)->step, ChainStep::kProjectRegistered);
  ASSERT_TRUE(w.Tx(ChainTxKind::kProposeIssuance, w.batch).ok());
  ASSERT_TRUE(w.Settle(true).ok());
  // verifyIssuance needs the threshold of signatures.
  EXPECT_EQ(CodeOf(w.Tx(ChainTxKind::kVerifyIssuance, w.batch)), Code::kBadState);
  // Approvals: verifier role, the caller's own linked wallet, once each, not the developer.
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.holder, w.issuance, Addr('9'), Sig('9')})), Code::kForbidden);
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver1, w.issuance, Addr('2'), Sig('1')})), Code::kForbidden);
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver3, w.issuance, Addr('3'), Sig('3')})), Code::kForbidden);  // no wallet
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver1, w.issuance, Addr('1'), "0x12"})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver1, 999, Addr('1'), Sig('1')})), Code::kUnknownIssuance);
  ASSERT_TRUE(w.Run(AddChainApproval{w.ver2, w.issuance, Addr('2'), Sig('2')}).ok());
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver2, w.issuance, Addr('2'), Sig('2')})), Code::kAlreadyApproved);
  ASSERT_TRUE(w.Run(AddChainApproval{w.ver1, w.issuance, Addr('1'), Sig('1')}).ok());
  const auto& ap = w.s.chain_batch(w.batch)->approvals;
  ASSERT_EQ(ap.size(), 2U);
  EXPECT_LT(ap[0].address, ap[1].address);  // ascending signer, as the contract wants
  // A failed step is recorded and may be retried with a new intent.
  ASSERT_TRUE(w.Tx(ChainTxKind::kVerifyIssuance, w.batch).ok());
  EXPECT_EQ(CodeOf(w.Run(AddChainApproval{w.ver3, w.issuance, Addr('3'), Sig('3')})), Code::kBadState);
  ASSERT_TRUE(w.Settle(false).ok());
  EXPECT_TRUE(w.s.chain_batch(w.batch)->failed);
  EXPECT_EQ(w.s.chain_batch(w.batch)->step, ChainStep::kProposed);
  ASSERT_TRUE(w.Tx(ChainTxKind::kVerifyIssuance, w.batch).ok());
  ASSERT_TRUE(w.Settle(true).ok());
  ASSERT_TRUE(w.Tx(ChainTxKind::kCreateBatch, w.batch).ok());
  ASSERT_TRUE(w.Settle(true).ok());
  EXPECT_EQ(w.s.chain_batch(w.batch)->minted_kg, 0);
  ASSERT_TRUE(w.Tx(ChainTxKind::kMint, w.batch).ok());
  ASSERT_TRUE(w.Settle(true).ok());
  EXPECT_EQ(w.s.chain_batch(w.batch)->step, ChainStep::kMinted);
  EXPECT_EQ(w.s.chain_batch(w.batch)->minted_kg, 10'000);
  EXPECT_EQ(CodeOf(w.Tx(ChainTxKind::kMint, w.batch)), Code::kBadState);  // nothing after minted
  w.ExpectConserved();
  w.ExpectReplayAndSnapshotAgree();
}

TEST(ChainFlows, WithdrawalEscrowsThenGoesOnChainOrIsReleased) {
  FlowsWorld w;
  w.MirrorAndMint();
  const int64_t acct = w.s.user(w.holder)->account;
  const int64_t exp = kNowS + 3600;
  // Bad input changes nothing.
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.holder, 0, 999, 1000, "", exp})), Code::kUnknownBatch);
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 4'001, "", exp})), Code::kInsufficientCredits);
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 0, "", exp})), Code::kBadQuantity);
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 10, "0x123", exp})), Code::kInvalidField);
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.dev, 0, w.batch, 10, "", exp})), Code::kInvalidField);  // no wallet
  EXPECT_EQ(CodeOf(w.Run(RequestChainWithdrawal{w.dev, acct, w.batch, 10, Addr('7'), exp})), Code::kNotHolder);
  EXPECT_TRUE(w.s.chain().withdrawals.empty());

  ASSERT_TRUE(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 1'500, "", exp}).ok());
  const int64_t wid = w.s.chain().withdrawals.rbegin()->first;
  EXPECT_EQ(w.s.chain().withdrawals.at(wid).to, Addr('9'));  // the linked wallet
  EXPECT_EQ(w.s.holding(acct, w.batch)->escrowed_kg, 1'500);
  // Escrowed kilograms cannot be sold or transferred meanwhile.
  EXPECT_EQ(CodeOf(w.Run(Transfer{w.holder, 0, w.s.user(w.dev)->account, w.batch, 3'000})), Code::kInsufficientCredits);
  w.ExpectConserved();
  ASSERT_TRUE(w.Tx(ChainTxKind::kWithdraw, wid).ok());
  EXPECT_EQ(CodeOf(w.Tx(ChainTxKind::kWithdraw, wid)), Code::kBadState);  // one intent per withdrawal
  EXPECT_EQ(CodeOf(w.Run(ReleaseChainWithdrawal{wid, "x"})), Code::kBadState);  // sent: only its receipt settles it
  EXPECT_EQ(w.s.chain().withdrawals.at(wid).status, ChainWithdrawalStatus::kSent);
  ASSERT_TRUE(w.Settle(true).ok());
  EXPECT_EQ(w.s.chain().withdrawals.at(wid).status, ChainWithdrawalStatus::kConfirmed);
  EXPECT_EQ(w.Held(acct), 2'500);
  EXPECT_EQ(w.s.holding(acct, w.batch)->escrowed_kg, 0);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 1'500);
  w.ExpectConserved();

  // A failed transaction releases the escrow.
  ASSERT_TRUE(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 500, Addr('8'), exp}).ok());
  ASSERT_TRUE(w.Tx(ChainTxKind::kWithdraw, w.s.chain().withdrawals.rbegin()->first).ok());
  ASSERT_TRUE(w.Settle(false).ok());
  EXPECT_EQ(w.s.chain().withdrawals.rbegin()->second.status, ChainWithdrawalStatus::kFailed);
  EXPECT_EQ(w.s.holding(acct, w.batch)->escrowed_kg, 0);
  EXPECT_EQ(w.Held(acct), 2'500);
  // Released before any transaction (expired).
  ASSERT_TRUE(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 700, "", exp}).ok());
  ASSERT_TRUE(w.Run(ReleaseChainWithdrawal{w.s.chain().withdrawals.rbegin()->first, "expired"}).ok());
  EXPECT_EQ(w.s.holding(acct, w.batch)->escrowed_kg, 0);
  w.ExpectConserved();
  w.ExpectReplayAndSnapshotAgree();
}

TEST(ChainFlows, DepositCreditsOnceAtDepthAndNeverAfterAReorg) {
  FlowsWorld w;
  w.MirrorAndMint();
  const int64_t acct = w.s.user(w.holder)->account;
  ASSERT_TRUE(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 2'000, "", kNowS + 3600}).ok());
  ASSERT_TRUE(w.Tx(ChainTxKind::kWithdraw, w.s.chain().withdrawals.rbegin()->first).ok());
  ASSERT_TRUE(w.Settle(true).ok());
  ASSERT_EQ(w.s.OnChainHeld(w.batch), 2'000);

  ObserveChainDeposit d;
  d.tx_hash = TxHash(500);
  d.log_index = 3;
  d.block_number = 40;
  d.block_hash = H32('b');
  d.deposit_id = 1;
  d.token_id = "1";
  d.quantity_kg = 800;
  d.from = Addr('9');
  d.account_ref = ChainAccountRef(acct);
  EXPECT_EQ(ChainAccountOfRef(d.account_ref), acct);
  // Seen, then re-orged away before the depth: nothing credited.
  ASSERT_TRUE(w.Run(d).ok());
  EXPECT_EQ(CodeOf(w.Run(d)), Code::kConflict);  // seen twice: nothing journaled
  auto r = d;
  r.state = ObserveChainDeposit::kReorged;
  ASSERT_TRUE(w.Run(r).ok());
  EXPECT_EQ(w.s.chain().deposits.begin()->second.status, ChainDepositStatus::kReorged);
  EXPECT_EQ(w.Held(acct), 2'000);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 2'000);
  // Re-applied in another block and confirmed: credited once.
  auto c = d;
  c.state = ObserveChainDeposit::kConfirmed;
  c.block_number = 41;
  c.block_hash = H32('c');
  ASSERT_TRUE(w.Run(c).ok());
  EXPECT_EQ(w.s.chain().deposits.begin()->second.status, ChainDepositStatus::kCredited);
  EXPECT_EQ(w.Held(acct), 2'800);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 1'200);
  EXPECT_EQ(CodeOf(w.Run(c)), Code::kConflict);
  EXPECT_EQ(CodeOf(w.Run(r)), Code::kConflict);  // credited: cannot be undone by a late re-org report
  EXPECT_EQ(w.Held(acct), 2'800);
  w.ExpectConserved();
  // A deposit naming no account stays unclaimed (nothing moves).
  auto u = c;
  u.tx_hash = TxHash(501);
  u.account_ref = H32('f');
  ASSERT_TRUE(w.Run(u).ok());
  EXPECT_EQ(w.s.chain().deposits.at(ChainDepositKey(TxHash(501), 3)).status, ChainDepositStatus::kUnclaimed);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 1'200);
  // Bad input.
  auto b = c;
  b.tx_hash = "0x12";
  EXPECT_EQ(CodeOf(w.Run(b)), Code::kInvalidField);
  b = c;
  b.quantity_kg = 0;
  EXPECT_EQ(CodeOf(w.Run(b)), Code::kBadQuantity);
  w.ExpectConserved();
  w.ExpectReplayAndSnapshotAgree();
}

}  // namespace cx::registry
