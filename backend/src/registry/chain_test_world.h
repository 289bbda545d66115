// Test-only: a registry with one verified batch (developer, three verifiers — two with linked
// wallets — and a holder with 4 t), the chain configuration and the steps that mirror and mint
// it on chain, shared by chain_test.cc (credit flows) and chain_proofs_test.cc (proofs).
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "registry/registry.h"
#include "registry/test_harness.h"

namespace cx::registry::chain_testing {

inline std::string Hex(char c, size_t n) { return "0x" + std::string(n, c); }
inline std::string Addr(char c) { return Hex(c, 40); }
inline std::string H32(char c) { return Hex(c, 64); }
inline std::string Sig(char c) { return Hex(c, 130); }
// A distinct 32-byte hash per n.
inline std::string TxHash(int n) {
  std::string s = std::to_string(n);
  return "0x" + std::string(64 - s.size(), 'a') + s;
}

struct ChainWorld : TestEngine {
  int64_t admin = 0, dev = 0, ver1 = 0, ver2 = 0, ver3 = 0, holder = 0, batch = 0, issuance = 0;
  int nonce = 0;
  int64_t AddUser(const std::string& email, uint32_t roles) {
    EXPECT_TRUE(Run(RegisterUser{email, "k", email, roles, ""}).ok());
    return s.user_by_email(email)->id;
  }
  ChainWorld() {
    admin = AddUser("admin@x", kAdmin);
    dev = AddUser("dev@x", kProjectDeveloper);
    ver1 = AddUser("v1@x", kVerifier);
    ver2 = AddUser("v2@x", kVerifier);
    ver3 = AddUser("v3@x", kVerifier);
    holder = AddUser("holder@x", kTrader);
    EXPECT_TRUE(Run(LinkWallet{ver1, Addr('1')}).ok());
    EXPECT_TRUE(Run(LinkWallet{ver2, Addr('2')}).ok());
    EXPECT_TRUE(Run(LinkWallet{holder, Addr('9')}).ok());
    CreditClass c;
    c.code = "CX";
    c.required_approvals = 1;
    EXPECT_TRUE(Run(CreateCreditClass{0, c}).ok());
    ProjectInfo i;
    i.name = "Forest";
    i.country = "BR";
    i.methodology = "VM0015";
    i.credit_class = s.credit_classes().begin()->first;
    i.nature = Nature::kTechnical;
    EXPECT_TRUE(Run(CreateProject{dev, i}).ok());
    const int64_t p = s.projects().rbegin()->first;
    EXPECT_TRUE(Run(SubmitProject{dev, p}).ok());
    EXPECT_TRUE(Run(ReviewProject{ver1, p, ReviewProject::kValidate, ""}).ok());
    EXPECT_TRUE(Run(RequestIssuance{dev, p, 2024, "2024-01-01", "2024-12-31", 10'000, "SCS", "bafyreport"}).ok());
    issuance = s.issuances().rbegin()->first;
    EXPECT_TRUE(Run(ApproveIssuance{ver1, issuance}).ok());
    batch = s.issuance(issuance)->batch;
    EXPECT_GT(batch, 0);
    // The developer sells 4 t to the holder.
    EXPECT_TRUE(Run(Transfer{dev, 0, s.user(holder)->account, batch, 4'000}).ok());
  }
  ChainConfig Config(int64_t confirmations = 2) const {
    ChainConfig k;
    k.chain_id = 31337;
    k.network = "localhost";
    k.registry = Addr('a');
    k.token = Addr('b');
    k.market = Addr('c');
    k.anchor = Addr('d');
    k.operator_address = Addr('e');
    k.confirmations = confirmations;
    k.threshold = 2;
    return k;
  }
  Result<void> Tx(ChainTxKind kind, int64_t ref) {
    ++nonce;
    return Run(RecordChainTx{kind, ref, nonce, TxHash(nonce), "0x02f8" + std::to_string(1000 + nonce)});
  }
  int64_t LastTx() const { return s.chain().txs.rbegin()->first; }
  Result<void> Settle(bool ok) { return Run(SettleChainTx{LastTx(), ok, 100 + nonce, ok ? "" : "reverted"}); }
  // Configure, mirror as `token_id`, collect two approvals and run every step to minted.
  void MirrorAndMint(const std::string& token_id = "1", int64_t confirmations = 2) {
    ASSERT_TRUE(Run(SetChainConfig{0, Config(confirmations)}).ok());
    ASSERT_TRUE(Run(MirrorChainBatch{batch, token_id, H32('1'), H32('2'), H32('3'), H32('4'), "ipfs://bafybatch", Addr('5')}).ok());
    for (auto k : {ChainTxKind::kRegisterProject, ChainTxKind::kProposeIssuance}) {
      ASSERT_TRUE(Tx(k, batch).ok());
      ASSERT_TRUE(Settle(true).ok());
    }
    ASSERT_TRUE(Run(AddChainApproval{ver2, issuance, Addr('2'), Sig('2')}).ok());
    ASSERT_TRUE(Run(AddChainApproval{ver1, issuance, Addr('1'), Sig('1')}).ok());
    for (auto k : {ChainTxKind::kVerifyIssuance, ChainTxKind::kCreateBatch, ChainTxKind::kMint}) {
      ASSERT_TRUE(Tx(k, batch).ok());
      ASSERT_TRUE(Settle(true).ok());
    }
  }
  // Replaying the recorded events and restoring the snapshot both give the live state.
  void ExpectSnapshotsAgree() const {
    RegistryState replayed;
    for (size_t i = 0; i < log.size(); ++i) replayed.Apply(log[i], static_cast<int64_t>(i + 1), log_ts[i]);
    EXPECT_EQ(replayed.Snapshot(), s.Snapshot());
    RegistryState restored;
    ASSERT_TRUE(restored.Restore(s.Snapshot()));
    EXPECT_EQ(restored.Snapshot(), s.Snapshot());
  }
};

}  // namespace cx::registry::chain_testing
