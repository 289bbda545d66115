// Chain proofs in the engine (chain_proofs.cc): anchor intents in order, one live intent per
// height, settle once; on-chain market logs as facts; on-chain retirements reflected as
// registry retirements of the kilograms held on chain; idempotence by (tx hash, log index);
// snapshot and replay agree.
#include <gtest/gtest.h>

#include "registry/registry.h"
#include "registry/chain_test_world.h"

namespace cx::registry {
namespace {

using namespace chain_testing;

const std::string kZero = "0x" + std::string(64, '0');

// A registry with one batch mirrored and minted on chain, 2 t of it withdrawn to a wallet.
struct ProofsWorld : ChainWorld {
  ProofsWorld() { nonce = 100; }
  void MirrorMintWithdraw() {
    MirrorAndMint("7", 1);
    ASSERT_TRUE(Run(RequestChainWithdrawal{holder, 0, batch, 2'000, "", 1'700'003'600}).ok());
    ASSERT_TRUE(Tx(ChainTxKind::kWithdraw, s.chain().withdrawals.rbegin()->first).ok());
    ASSERT_TRUE(Settle(true).ok());
    ASSERT_EQ(s.OnChainHeld(batch), 2'000);
  }
  RecordAnchor Anchor(int64_t h, char root, const std::string& prev, int64_t first, int64_t last) {
    ++nonce;
    std::string n = std::to_string(nonce);
    if (n.size() % 2) n = "0" + n;
    return RecordAnchor{h, H32(root), prev, first, last, nonce, TxHash(nonce), "0x02f9" + n};
  }
  void ExpectReplayAndSnapshotAgree() const {
    ExpectSnapshotsAgree();
    RegistryState restored;
    ASSERT_TRUE(restored.Restore(s.Snapshot()));
    EXPECT_EQ(restored.proofs().anchors.size(), s.proofs().anchors.size());
    EXPECT_EQ(restored.proofs().fills.size(), s.proofs().fills.size());
    EXPECT_EQ(restored.proofs().seen, s.proofs().seen);
  }
};

ChainLogFact Fact(ChainLogKind kind, int tx, int64_t log_index, int64_t id) {
  ChainLogFact f;
  f.kind = kind;
  f.tx_hash = TxHash(tx);
  f.log_index = log_index;
  f.block_number = 50 + tx;
  f.block_ts = 1'700'000'100 + tx;
  f.id = id;
  return f;
}

}  // namespace

TEST(ChainProofs, AnchorsGoInOrderOneLiveIntentPerHeight) {
  ProofsWorld w;
  // Height 2 before 1, a non-zero previous root at height 1, bad hex: refused, nothing journaled.
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(2, 'a', H32('1'), 11, 20))), Code::kBadState);
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(1, 'a', H32('1'), 1, 10))), Code::kInvalidField);
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(1, '0', kZero, 1, 10))), Code::kInvalidField);  // zero root
  auto bad = w.Anchor(1, 'a', kZero, 1, 10);
  bad.tx_hash = "0x12";
  EXPECT_EQ(CodeOf(w.Run(bad)), Code::kInvalidField);
  bad = w.Anchor(1, 'a', kZero, 1, 10);
  bad.raw = "0xABC";
  EXPECT_EQ(CodeOf(w.Run(bad)), Code::kInvalidField);
  EXPECT_TRUE(w.s.proofs().anchors.empty());

  const auto a1 = w.Anchor(1, 'a', kZero, 1, 10);
  ASSERT_TRUE(w.Run(a1).ok());
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(1, 'a', kZero, 1, 10))), Code::kConflict);  // one live intent
  // The same nonce or hash twice: refused.
  auto dup = w.Anchor(2, 'b', H32('a'), 11, 20);
  dup.nonce = a1.nonce;
  EXPECT_EQ(CodeOf(w.Run(dup)), Code::kConflict);
  // Height 2 may be sent while 1 is pending, but must link to 1's root and follow its range.
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(2, 'b', H32('c'), 11, 20))), Code::kInvalidField);
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(2, 'b', H32('a'), 12, 20))), Code::kInvalidField);
  ASSERT_TRUE(w.Run(w.Anchor(2, 'b', H32('a'), 11, 20)).ok());
  EXPECT_EQ(w.s.proofs().AnchoredHeight(), 0);

  EXPECT_EQ(CodeOf(w.Run(SettleAnchor{9, true, 1, 1, ""})), Code::kNotFound);
  ASSERT_TRUE(w.Run(SettleAnchor{1, true, 30, 56'908, ""}).ok());
  EXPECT_EQ(CodeOf(w.Run(SettleAnchor{1, true, 30, 56'908, ""})), Code::kConflict);  // settled once
  EXPECT_EQ(w.s.proofs().AnchoredHeight(), 1);
  // A failed anchor may be replaced by a new intent for the same block (same root and range).
  ASSERT_TRUE(w.Run(SettleAnchor{2, false, 31, 30'000, "reverted"}).ok());
  EXPECT_EQ(w.s.proofs().anchors.at(2).status, AnchorStatus::kFailed);
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(3, 'c', H32('b'), 21, 30))), Code::kBadState);  // 2 is not live
  EXPECT_EQ(CodeOf(w.Run(w.Anchor(2, 'x', H32('a'), 11, 20))), Code::kInvalidField);  // roots never change
  ASSERT_TRUE(w.Run(w.Anchor(2, 'b', H32('a'), 11, 20)).ok());
  EXPECT_EQ(w.s.proofs().anchors.at(2).attempts, 2);
  ASSERT_TRUE(w.Run(SettleAnchor{2, true, 33, 56'908, ""}).ok());
  EXPECT_EQ(w.s.proofs().AnchoredHeight(), 2);
  EXPECT_EQ(w.s.proofs().anchors.at(2).gas_used, 56'908);
  EXPECT_TRUE(w.s.CheckInvariants().ok());
  w.ExpectReplayAndSnapshotAgree();
}

TEST(ChainProofs, AFlowIntentCannotTakeAnAnchorsNonce) {
  // Anchors and flow intents come from one operator key: each nonce is journaled once, either way.
  ProofsWorld w;
  w.MirrorAndMint("7", 1);
  const auto a1 = w.Anchor(1, 'a', kZero, 1, 10);
  ASSERT_TRUE(w.Run(a1).ok());
  ASSERT_TRUE(w.Run(RequestChainWithdrawal{w.holder, 0, w.batch, 1'000, "", 1'700'003'600}).ok());
  const int64_t wid = w.s.chain().withdrawals.rbegin()->first;
  RecordChainTx t{ChainTxKind::kWithdraw, wid, a1.nonce, TxHash(9'999), "0x02f80001"};
  EXPECT_EQ(CodeOf(w.Run(t)), Code::kConflict);
  t.nonce = a1.nonce + 1;
  ASSERT_TRUE(w.Run(t).ok());
  auto a2 = w.Anchor(2, 'b', H32('a'), 11, 20);
  a2.nonce = t.nonce;  // and the other way round
  EXPECT_EQ(CodeOf(w.Run(a2)), Code::kConflict);
  EXPECT_TRUE(w.s.CheckInvariants().ok());
  w.ExpectReplayAndSnapshotAgree();
}

TEST(ChainProofs, OnChainRetirementRetiresTheKilogramsHeldOnChainOnce) {
  ProofsWorld w;
  w.MirrorMintWithdraw();
  ASSERT_EQ(w.s.BatchOfToken("7"), w.batch);
  auto f = Fact(ChainLogKind::kRetired, 1, 4, 1);
  f.party = Addr('9');
  f.token_id = "7";
  f.amount_kg = 1'250;
  f.beneficiary = "ACME Ltd";
  f.reason = "2025 scope 1";
  const size_t retirements_before = w.s.retirements().size();
  ASSERT_TRUE(w.Run(ObserveChainLog{f}).ok());
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{f})), Code::kConflict);  // idempotent by (tx, log index)
  ASSERT_EQ(w.s.retirements().size(), retirements_before + 1);
  const Retirement& r = w.s.retirements().rbegin()->second;
  EXPECT_EQ(r.account, kOnChainAccount);
  EXPECT_EQ(r.batch, w.batch);
  EXPECT_EQ(r.quantity_kg, 1'250);
  EXPECT_EQ(r.beneficiary, "ACME Ltd");
  EXPECT_EQ(r.reason, "2025 scope 1");
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 750);
  EXPECT_EQ(w.s.RetiredOnChainKg(w.batch), 1'250);
  ASSERT_EQ(w.s.proofs().retirements.size(), 1U);
  EXPECT_EQ(w.s.proofs().retirements[0].registry_retirement, r.id);
  EXPECT_EQ(w.s.proofs().retirements[0].retirement_id, 1);  // = certificate token id
  EXPECT_EQ(w.s.batch(w.batch)->retired_kg, 1'250);
  // Conservation: held (on chain included) + retired + cancelled == supply, and what is held on
  // chain == withdrawn - deposited - retired on chain. (RegistryState::CheckChainInvariants in
  // chain.cc must subtract RetiredOnChainKg(batch); requested from its owner.)
  int64_t held = 0;
  for (int64_t a : {w.s.user(w.dev)->account, w.s.user(w.holder)->account, kOnChainAccount, kBufferAccount}) {
    const Holding* h = w.s.holding(a, w.batch);
    held += h ? h->tradable.total() : 0;
  }
  EXPECT_EQ(held + w.s.batch(w.batch)->retired_kg, w.s.batch(w.batch)->quantity_kg);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 2'000 - w.s.RetiredOnChainKg(w.batch));

  // More than the engine holds on chain, or an unknown token: recorded, nothing retired.
  auto big = Fact(ChainLogKind::kRetired, 2, 0, 2);
  big.party = Addr('9');
  big.token_id = "7";
  big.amount_kg = 5'000;
  ASSERT_TRUE(w.Run(ObserveChainLog{big}).ok());
  auto other = Fact(ChainLogKind::kRetired, 3, 0, 3);
  other.token_id = "99";
  other.amount_kg = 10;
  ASSERT_TRUE(w.Run(ObserveChainLog{other}).ok());
  EXPECT_EQ(w.s.proofs().retirements.size(), 3U);
  EXPECT_EQ(w.s.proofs().retirements[1].registry_retirement, 0);
  EXPECT_EQ(w.s.proofs().retirements[2].batch, 0);
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 750);
  // Bad input: refused.
  auto bad = Fact(ChainLogKind::kRetired, 4, 0, 4);
  bad.token_id = "07";
  bad.amount_kg = 1;
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{bad})), Code::kInvalidField);
  bad.token_id = "7";
  bad.amount_kg = 0;
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{bad})), Code::kBadQuantity);
  bad.amount_kg = 1;
  bad.party = "0xABC";
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{bad})), Code::kInvalidField);
  w.ExpectReplayAndSnapshotAgree();
}

TEST(ChainProofs, OnChainListingsAndFillsAreRecordedAsAVenue) {
  ProofsWorld w;
  w.MirrorMintWithdraw();
  auto c = Fact(ChainLogKind::kListingCreated, 10, 1, 1);
  c.party = Addr('9');
  c.token_id = "7";
  c.amount_kg = 1'000;
  c.unit_price = "2500";
  c.min_fill = 100;
  c.deadline = 1'800'000'000;
  ASSERT_TRUE(w.Run(ObserveChainLog{c}).ok());
  auto again = c;
  again.log_index = 2;
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{again})), Code::kConflict);  // listing id known
  const OnchainListing& l = w.s.proofs().listings.at(1);
  EXPECT_EQ(l.batch, w.batch);
  EXPECT_EQ(l.remaining_kg, 1'000);
  EXPECT_EQ(l.status, OnchainListingStatus::kOpen);

  auto f = Fact(ChainLogKind::kListingFilled, 11, 3, 1);
  f.party = Addr('8');
  f.amount_kg = 400;
  f.cost = "1000000";
  f.fee = "10000";
  ASSERT_TRUE(w.Run(ObserveChainLog{f}).ok());
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{f})), Code::kConflict);
  auto over = Fact(ChainLogKind::kListingFilled, 12, 0, 1);
  over.amount_kg = 601;
  over.cost = "1";
  over.fee = "0";
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{over})), Code::kBadQuantity);
  auto unknown = Fact(ChainLogKind::kListingFilled, 13, 0, 42);
  unknown.amount_kg = 1;
  unknown.cost = "1";
  unknown.fee = "0";
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{unknown})), Code::kNotFound);
  ASSERT_EQ(w.s.proofs().fills.size(), 1U);
  EXPECT_EQ(w.s.proofs().fills[0].unit_price, "2500");
  EXPECT_EQ(w.s.proofs().fills[0].batch, w.batch);
  EXPECT_EQ(w.s.proofs().listings.at(1).remaining_kg, 600);

  ASSERT_TRUE(w.Run(ObserveChainLog{Fact(ChainLogKind::kListingCancelled, 14, 0, 1)}).ok());
  EXPECT_EQ(w.s.proofs().listings.at(1).status, OnchainListingStatus::kCancelled);
  EXPECT_EQ(CodeOf(w.Run(ObserveChainLog{Fact(ChainLogKind::kListingCancelled, 15, 0, 1)})), Code::kBadState);
  // Wallet-to-wallet trades on chain change no engine holding.
  EXPECT_EQ(w.s.OnChainHeld(w.batch), 2'000);
  EXPECT_TRUE(w.s.CheckInvariants().ok());
  w.ExpectReplayAndSnapshotAgree();
}

}  // namespace cx::registry
