// Chain worker (issue 9, chain flows): the one thread that drives the EVM chain from the
// journal. It reads what the engine has pending (registry/chain_model.h), signs with the
// operator's keystore key, journals every transaction as an intent (RecordChainTx: nonce,
// hash, raw bytes) BEFORE sending it, sends, waits for the receipt at the confirmation depth
// and reports the outcome (SettleChainTx). It follows CarbonMarket `Deposited` logs and
// reports them (ObserveChainDeposit) at the depth; re-orgs before the depth are never credited.
//
// Restart contract: on start, every journaled intent still "sent" is re-broadcast with its
// SAME raw bytes (same hash) and awaited; the worker never signs a second transaction for one
// intent. The NonceManager is told every journaled nonce (flow intents and anchor intents
// alike), so a new intent never reuses one. Anchoring runs as a co-sender on this thread
// (AddCoSender), sharing the TxSender: one nonce sequence for the operator key.
//
// Thread-safety: Start/Stop from the main thread; Status()/Wake() from any thread.
#pragma once
#include <atomic>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/router.h"
#include "app/service.h"
#include "core/result.h"
#include "registry/chain_model.h"

namespace cx::chain {
class TxSender;
}

namespace cx::app {

// A co-sender: another flow that sends transactions from the operator key (anchoring,
// app/chain_anchor.h). The worker calls it once per step, on its own thread, with its one
// TxSender, so every transaction of the key gets its nonce from one sequence and none
// collide. Its errors are logged, never fatal to the worker.
using ChainCoSender = std::function<Result<void>(chain::TxSender&)>;

// Network presets (--chain-network): chain id, default confirmations, block explorer.
struct ChainPreset {
  const char* name;
  uint64_t chain_id;
  int64_t confirmations;
  const char* explorer;
};
// nullptr when unknown. Names: localhost, amoy, polygon, sepolia, mainnet.
const ChainPreset* FindChainPreset(std::string_view name);

struct ChainOptions {
  std::string url;         // --chain: JSON-RPC endpoint
  std::string keystore;    // --chain-keystore: keystore v3 file of the operator key
  std::string deployment;  // --chain-deployment (default blockchain/deployments/<network>.json)
  std::string network = "localhost";
  std::string public_url;  // --chain-public-url (what a browser may use; default --chain)
  int64_t confirmations = -1;  // -1: the preset's
  std::string data_dir;        // where the log follower's cursor is kept
  int poll_ms = 200;
};

// What GET /api/v1/chain/status shows (a copy; thread-safe).
struct ChainStatus {
  bool enabled = false;
  std::string network, rpc_url, operator_address, explorer;
  uint64_t chain_id = 0;
  int64_t head = 0, lag_blocks = 0, confirmations = 0;
  std::map<std::string, std::string> contracts;  // name -> lower-case address
};

// EIP-712 typed data (the object eth_signTypedData_v4 takes) a verifier signs for a batch.
boost::json::value ApprovalTypedData(const registry::ChainConfig& k, const registry::ChainBatch& b);
// The operator's CarbonMarket Withdrawal authorisation for a withdrawal.
boost::json::value WithdrawalTypedData(const registry::ChainConfig& k, const registry::ChainWithdrawal& w,
                                       const std::string& token_id);

class ChainWorker {
 public:
  // Reads the deployment and the keystore, connects, refuses a node whose chain id differs
  // from the preset's and the deployment's, and journals the chain config (SetChainConfig).
  static Result<std::unique_ptr<ChainWorker>> Open(ServiceContext& ctx, const ChainOptions& o);
  ~ChainWorker();
  ChainWorker(const ChainWorker&) = delete;
  ChainWorker& operator=(const ChainWorker&) = delete;
  void Start();
  void Stop();
  // Run a step soon (e.g. after a withdrawal was requested).
  void Wake();
  ChainStatus Status() const;
  // Adds a co-sender (see ChainCoSender); callable before or after Start, from any thread.
  void AddCoSender(ChainCoSender f);

 private:
  struct Impl;
  explicit ChainWorker(std::unique_ptr<Impl> impl);
  void Loop();
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

// REST (chain_routes.cc): /api/v1/chain/{status, batches, withdrawals, deposit-address,
// deposits, approvals/{issuance}}. `worker` is null when the server runs without --chain.
Result<void> RegisterChainRoutes(api::Router& router, ServiceContext& ctx, ChainWorker* worker);

// `carbonx keystore new --out FILE [--private-key HEX]`: writes a keystore v3 file; the
// password comes from $CX_CHAIN_KEYSTORE_PASSWORD or FILE.password (created with a random
// password when neither exists). Prints the address.
int RunKeystoreCli(int argc, char** argv);
// The keystore password for FILE: $CX_CHAIN_KEYSTORE_PASSWORD, else the text of FILE.password.
Result<std::string> KeystorePassword(const std::string& file);

}  // namespace cx::app
