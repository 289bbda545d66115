// TxSender: turns a transaction request (to, value, data, optional gas limit) into a signed
// transaction with a reserved nonce, gas limit and fees, and then sends it, rebroadcasts it
// and waits for its receipt to a confirmation depth -- built so that a crash never sends two
// different transactions for one intent:
//
//   1. Prepare(req)   -> PreparedTx {hash, raw, nonce, ...}. Nothing is sent yet.
//   2. the caller journals the PreparedTx (nonce, hash, raw bytes) as part of its intent, then
//      calls Committed(tx) (or Abandon(tx) when it will not journal it: the nonce is reused).
//   3. Send(raw)      -> hash. Idempotent: "already known" / "nonce too low" for this very
//      transaction are success. After a restart, Rebroadcast(raw) the journaled bytes.
//   4. AwaitReceipt(hash, confirmations, timeout) polls until the receipt's block is buried
//      under `confirmations` blocks (confirmations = head - receipt block + 1; 0 and 1 both
//      mean "mined") AND that block is still canonical (its hash is the chain's hash at that
//      height). A receipt whose block was re-orged away is reported as kReorged (not
//      confirmed); the wait goes on until the transaction is mined again or time runs out.
//
// If Send answers "nonce too low" for a transaction the chain does not know (another
// transaction from the same key took the nonce), the intent is dead: Send returns
// CHAIN_NONCE_TOO_LOW (RpcErrc::kNonceTooLow), the manager is resynced, and the caller
// re-prepares (a new intent).
// CHAIN_UNDERPRICED (kUnderpriced) means another transaction with this nonce is pending (also resynced):
// the caller either waits (if it is its own earlier version) or replaces it with higher fees
// (TxRequest::nonce + BumpFees).
//
// Thread-safety: Prepare/Send/AwaitReceipt may be called from several threads (nonces are
// reserved under the NonceManager's lock); the RpcClient must be thread-safe (it is).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "chain/fees.h"
#include "chain/nonce.h"
#include "chain/rpc.h"
#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

struct TxRequest {
  std::optional<Address> to;          // absent = contract creation
  U256 value{};
  Bytes data;                         // raw calldata
  std::optional<uint64_t> gas_limit;  // absent = eth_estimateGas * (100 + gas_margin_pct) / 100
  std::optional<FeeQuote> fees;       // absent = EstimateFees(options.fees)
  std::optional<uint64_t> nonce;      // absent = NonceManager::Reserve (set it only to replace
                                      // a pending transaction with the same nonce)
};

// (tx.h's SignedTx is just {raw, hash}; this adds what the caller journals.)
struct PreparedTx {
  Hash32 hash{};
  Bytes raw;                          // the signed RLP bytes (type 2 or legacy EIP-155)
  Address from{};
  uint64_t nonce = 0;
  uint64_t chain_id = 0;
  uint64_t gas_limit = 0;
  FeeQuote fees;
};

enum class TxState : uint8_t {
  kUnknown,    // the node knows no receipt and no pending transaction with this hash
  kPending,    // known to the node (mempool) but not mined
  kMined,      // receipt in a canonical block, fewer confirmations than asked
  kConfirmed,  // receipt in a canonical block with >= the asked confirmations
  kReorged,    // a receipt was seen but its block is no longer canonical
};
std::string_view TxStateName(TxState s);

struct TxStatus {
  TxState state = TxState::kUnknown;
  uint64_t confirmations = 0;      // head - receipt block + 1 when mined, else 0
  std::optional<Receipt> receipt;  // when mined (check receipt->status for success/revert)
};

struct TxSenderOptions {
  uint64_t chain_id = 0;           // 0 = eth_chainId on first use
  uint64_t gas_margin_pct = 20;    // added to eth_estimateGas
  FeeOptions fees;
  std::chrono::milliseconds poll_interval{250};
  // How to wait between polls (tests/benches may replace it; default sleeps).
  std::function<void(std::chrono::milliseconds)> sleep;
};

class TxSender {
 public:
  // `rpc` and `nonces` must outlive the sender. The key's address is the sender.
  static Result<std::unique_ptr<TxSender>> Create(RpcClient& rpc, NonceManager& nonces,
                                                  const PrivateKey& key,
                                                  TxSenderOptions options = {});
  ~TxSender();
  TxSender(const TxSender&) = delete;
  TxSender& operator=(const TxSender&) = delete;

  const Address& address() const { return from_; }

  // Fills nonce, gas and fees, signs. Reserves the nonce (see Committed / Abandon).
  Result<PreparedTx> Prepare(const TxRequest& req);
  // The caller journaled `tx`: its nonce is used for good.
  void Committed(const PreparedTx& tx);
  // The caller will never send `tx`: its nonce is handed out again.
  void Abandon(const PreparedTx& tx);

  // Sends signed bytes; idempotent (see the header comment). Returns keccak256(raw).
  Result<Hash32> Send(const Bytes& raw);
  // Same as Send but also success when the transaction is already mined.
  Result<Hash32> Rebroadcast(const Bytes& raw);

  // One look: state of `hash` now (no waiting).
  Result<TxStatus> Check(const Hash32& hash, uint64_t confirmations);
  // Polls Check until kConfirmed or `timeout`; returns the last status seen (kMined,
  // kPending... on timeout). A receipt with status 0 (reverted) is returned as soon as it is
  // confirmed: the caller reads receipt->status.
  Result<TxStatus> AwaitReceipt(const Hash32& hash, uint64_t confirmations,
                                std::chrono::milliseconds timeout);

 private:
  TxSender(RpcClient& rpc, NonceManager& nonces, const PrivateKey& key, const Address& from,
           TxSenderOptions options);
  Result<uint64_t> ChainIdCached();
  RpcClient& rpc_;
  NonceManager& nonces_;
  PrivateKey key_;
  Address from_;
  TxSenderOptions options_;
  std::mutex mu_;
  uint64_t chain_id_ = 0;
};

}  // namespace cx::chain
