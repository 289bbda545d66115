// Chain mirror model (issue 9, "chain flows"): what the engine records about the EVM chain
// so the chain can be driven from the journal and never disagrees with it. Plain values owned
// by the engine thread (not thread-safe); the engine does no I/O: the chain worker
// (app/chain_worker.h) turns what is pending here into transactions and reports outcomes back
// as commands.
//
// Contracts:
// - Every outgoing transaction is journaled as an intent (ChainTx: nonce, hash, raw signed
//   bytes) BEFORE it is sent; after a crash the worker re-broadcasts the same raw bytes. One
//   intent = one transaction: a step that already has an intent in flight gets no second one.
// - Batch mirroring (ChainBatch): registerProject -> proposeIssuance -> verifyIssuance (with the
//   verifiers' EIP-712 Approval signatures collected here; each signer is the verifier's linked
//   wallet) -> createBatch -> mint to CarbonMarket custody. `step` is the last confirmed step.
// - Withdrawal (ChainWithdrawal): the holder's kilograms are escrowed (Holding::escrowed_kg);
//   on confirmation they move to kOnChainAccount (held on chain: never deleted, never counted
//   twice); on failure they are released.
// - Deposit (ChainDeposit): a CarbonMarket `Deposited` log, keyed by (tx hash, log index), is
//   credited once, at the configured confirmation depth; kilograms move from kOnChainAccount
//   to the account named by its account_ref. A deposit re-orged away is never credited.
// - Conservation: per batch, engine holdings (kOnChainAccount included) + retired +
//   cancelled == supply (RegistryState::CheckInvariants), and kOnChainAccount's holding of a
//   batch (held + retired on chain) == what left custody to wallets (withdrawn - deposited).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "registry/ranges.h"

namespace cx::registry {

// Reserved account holding the kilograms that are on chain in wallets (outside CarbonMarket
// custody). Origin-registry accounts are 2..9, the fee account 10.
inline constexpr int64_t kOnChainAccount = 11;

// Chain facts the engine needs; set by the operator (the worker at start-up).
struct ChainConfig {
  int64_t chain_id = 0;
  std::string network;
  std::string registry;  // VerificationRegistry (lower-case 0x hex)
  std::string token;     // CarbonCreditToken
  std::string market;    // CarbonMarket
  std::string anchor;    // JournalAnchor
  std::string operator_address;
  int64_t confirmations = 1;
  int64_t threshold = 1;  // verifier signatures VerificationRegistry requires (its default k)
  template <class V>
  void Fields(V& v) {
    v("chain_id", chain_id); v("network", network); v("registry", registry); v("token", token);
    v("market", market); v("anchor", anchor); v("operator_address", operator_address);
    v("confirmations", confirmations); v("threshold", threshold);
  }
};

// Kinds of transaction the worker sends (ChainTx::kind).
enum class ChainTxKind : int32_t {
  kRegisterProject = 0,
  kProposeIssuance = 1,
  kVerifyIssuance = 2,
  kCreateBatch = 3,
  kMint = 4,
  kWithdraw = 5,
};
const char* ChainTxKindName(ChainTxKind k);

enum class ChainTxStatus : int32_t { kSent = 0, kConfirmed = 1, kFailed = 2 };
const char* ChainTxStatusName(ChainTxStatus s);

// A journaled transaction intent: signed, recorded, then sent (maybe several times, always the
// same raw bytes).
struct ChainTx {
  int64_t id = 0;
  ChainTxKind kind = ChainTxKind::kRegisterProject;
  int64_t ref = 0;  // batch id (mirroring steps) or chain withdrawal id
  int64_t nonce = 0;
  std::string hash;  // 0x + 64 hex
  std::string raw;   // 0x + signed transaction bytes
  ChainTxStatus status = ChainTxStatus::kSent;
  int64_t block = 0;
  std::string error;
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("kind", kind); v("ref", ref); v("nonce", nonce); v("hash", hash); v("raw", raw);
    v("status", status); v("block", block); v("error", error); v("created_ts", created_ts);
    v("decided_ts", decided_ts);
  }
};

// A verifier's EIP-712 Approval signature (verified at the edge; `address` is the recovered
// signer, one of the verifier's linked wallets).
struct ChainApproval {
  int64_t verifier = 0;
  std::string address;
  std::string signature;  // 0x + 130 hex
  template <class V> void Fields(V& v) { v("verifier", verifier); v("address", address); v("signature", signature); }
};

// Steps of the batch mirror; `step` is the last one confirmed on chain.
enum class ChainStep : int32_t {
  kNone = 0,
  kProjectRegistered = 1,
  kProposed = 2,
  kVerified = 3,
  kCreated = 4,
  kMinted = 5,
};
const char* ChainStepName(ChainStep s);

struct ChainBatch {
  int64_t batch = 0;
  int64_t issuance = 0;
  int64_t project = 0;
  std::string token_id;         // decimal
  std::string project_id;       // bytes32 (0x + 64 hex)
  std::string class_id;         // bytes32
  std::string issuance_id;      // bytes32
  std::string batch_data_hash;  // bytes32: EIP-712 struct hash of BatchData
  std::string metadata_uri;     // ipfs://<CID>
  std::string developer;        // developer address given to registerProject
  int64_t amount_kg = 0;        // the amount the verifiers sign (= batch supply)
  int64_t threshold = 1;
  std::vector<ChainApproval> approvals;
  ChainStep step = ChainStep::kNone;
  int64_t pending_tx = 0;  // ChainTx in flight for the next step (0: none)
  bool failed = false;     // a step failed: the operator must look (no automatic retry)
  int64_t minted_kg = 0;
  int64_t created_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("batch", batch); v("issuance", issuance); v("project", project); v("token_id", token_id);
    v("project_id", project_id); v("class_id", class_id); v("issuance_id", issuance_id);
    v("batch_data_hash", batch_data_hash); v("metadata_uri", metadata_uri); v("developer", developer);
    v("amount_kg", amount_kg); v("threshold", threshold); v("approvals", approvals); v("step", step);
    v("pending_tx", pending_tx); v("failed", failed); v("minted_kg", minted_kg); v("created_ts", created_ts);
  }
};

enum class ChainWithdrawalStatus : int32_t { kRequested = 0, kSent = 1, kConfirmed = 2, kFailed = 3, kReleased = 4 };
const char* ChainWithdrawalStatusName(ChainWithdrawalStatus s);

struct ChainWithdrawal {
  int64_t id = 0;  // also the CarbonMarket Withdrawal nonce
  int64_t account = 0;
  int64_t user = 0;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string to;  // lower-case address
  int64_t expiry = 0;  // unix seconds of the operator's authorisation
  ChainWithdrawalStatus status = ChainWithdrawalStatus::kRequested;
  int64_t tx = 0;      // ChainTx id
  Ranges ranges;       // kilograms that went on chain (set on confirmation)
  std::string reason;  // failure reason
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("account", account); v("user", user); v("batch", batch); v("quantity_kg", quantity_kg);
    v("to", to); v("expiry", expiry); v("status", status); v("tx", tx); v("ranges", ranges);
    v("reason", reason); v("created_ts", created_ts); v("decided_ts", decided_ts);
  }
};

enum class ChainDepositStatus : int32_t { kSeen = 0, kCredited = 1, kReorged = 2, kUnclaimed = 3 };
const char* ChainDepositStatusName(ChainDepositStatus s);

struct ChainDeposit {
  std::string tx_hash;  // lower-case 0x hex
  int64_t log_index = 0;
  int64_t block_number = 0;
  std::string block_hash;
  int64_t deposit_id = 0;  // CarbonMarket depositId
  std::string token_id;    // decimal
  int64_t batch = 0;       // 0: not a mirrored batch
  int64_t quantity_kg = 0;
  std::string from;
  std::string account_ref;  // bytes32
  int64_t account = 0;      // 0: account_ref names no account
  ChainDepositStatus status = ChainDepositStatus::kSeen;
  Ranges ranges;  // kilograms credited
  int64_t seen_ts = 0;
  int64_t credited_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("tx_hash", tx_hash); v("log_index", log_index); v("block_number", block_number); v("block_hash", block_hash);
    v("deposit_id", deposit_id); v("token_id", token_id); v("batch", batch); v("quantity_kg", quantity_kg);
    v("from", from); v("account_ref", account_ref); v("account", account); v("status", status);
    v("ranges", ranges); v("seen_ts", seen_ts); v("credited_ts", credited_ts);
  }
};
// Idempotency key of a deposit log.
inline std::string ChainDepositKey(const std::string& tx_hash, int64_t log_index) {
  return tx_hash + "#" + std::to_string(log_index);
}
// account_ref of an exchange account: bytes32 big-endian of the account number.
std::string ChainAccountRef(int64_t account);
// Account named by an account_ref (0 if it names none).
int64_t ChainAccountOfRef(const std::string& ref);

// All chain state of the registry (a member of RegistryState).
struct ChainBook {
  bool configured = false;
  ChainConfig config;
  std::map<int64_t, ChainTx> txs;
  std::map<int64_t, ChainBatch> batches;  // by batch id
  std::map<int64_t, ChainWithdrawal> withdrawals;
  std::map<std::string, ChainDeposit> deposits;  // by ChainDepositKey
  int64_t next_tx = 1, next_withdrawal = 1;
  int64_t max_nonce = -1;  // highest nonce journaled (the worker never reuses one below it)
};

// Snapshot form of ChainBook (one bytes field of the registry snapshot).
struct ChainSnap {
  bool configured = false;
  ChainConfig config;
  std::vector<ChainTx> txs;
  std::vector<ChainBatch> batches;
  std::vector<ChainWithdrawal> withdrawals;
  std::vector<ChainDeposit> deposits;
  int64_t next_tx = 1, next_withdrawal = 1, max_nonce = -1;
  template <class V>
  void Fields(V& v) {
    v("configured", configured); v("config", config); v("txs", txs); v("batches", batches);
    v("withdrawals", withdrawals); v("deposits", deposits); v("next_tx", next_tx);
    v("next_withdrawal", next_withdrawal); v("max_nonce", max_nonce);
  }
};

}  // namespace cx::registry
