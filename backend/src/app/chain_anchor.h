// Chain proofs at the edge (issue 9, "chain-proofs"): anchoring sealed journal blocks in
// JournalAnchor, indexing CarbonMarket / CarbonCreditToken logs into the engine, their REST
// routes, and chain metrics. The engine side is registry/chain_proofs.cc.
//
// ChainAnchorer (one Step at a time, from one thread):
//   1. every anchor intent still "sent" is re-broadcast once per process with its SAME raw
//      bytes and checked; at the confirmation depth its receipt is reported (SettleAnchor);
//   2. the next sealed block (height = last live intent + 1, in order, catching up after
//      downtime) is signed as JournalAnchor.anchor(height, root, previousRoot), journaled as
//      an intent (RecordAnchor) and only then sent -- one transaction per block. A block made
//      only of anchor bookkeeping (AnchorRecorded/AnchorSettled) that is the newest sealed
//      block waits for the next block, so anchoring never feeds itself.
//   Before the first anchor the contract's latestHeight/rootAt are read: a contract that holds
//   a different root for a height stops anchoring with a clear error (wrong contract / data).
// ChainIndexer: follows CarbonMarket ListingCreated/ListingFilled/ListingCancelled and
//   CarbonCreditToken Retired at the confirmation depth (chain::LogFollower) and reports each
//   log once (ObserveChainLog, idempotent by tx hash + log index). Its cursor is kept in
//   DATA/chain-proofs.cursor (written after the logs were journaled; a re-delivered log is
//   refused by the engine as already applied, which counts as done).
// ChainProofs: a thread running the indexer (its own RPC connection, read-only), and the
//   anchorer (ChainProofsOptions::anchor, on by default) as a co-sender of chain_worker.h's
//   worker: AnchorCoSender() is handed to ChainWorker::AddCoSender, and each worker step runs
//   ChainAnchorer::Step with the worker's one TxSender -- anchors, withdrawals and mirror steps
//   from the operator key draw nonces from one sequence and never collide.
//
// Thread-safety: ChainProofs::Metrics() from any thread; the co-sender runs on the worker's
// thread (its state is shared, so it may outlive the ChainProofs object); the rest from the
// owning thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/router.h"
#include "app/service.h"
#include "chain/abi.h"
#include "chain/follower.h"
#include "chain/rpc.h"
#include "chain/tx_sender.h"
#include "core/result.h"
#include "store/store.h"

namespace cx::app {

// What the anchorer and indexer count (name -> value; Prometheus-style gauges/counters).
struct ChainProofsMetrics {
  int64_t head = 0;                  // chain head block seen
  int64_t indexed_block = 0;         // indexer cursor
  int64_t head_lag_blocks = 0;       // head - indexed_block
  int64_t pending_anchor_txs = 0;    // anchor intents sent, not yet confirmed
  int64_t anchored_height = 0;       // highest height confirmed with all below
  int64_t sealed_height = 0;         // newest sealed journal block
  int64_t anchor_lag_blocks = 0;     // sealed_height - anchored_height
  int64_t confirmations = 0;         // configured depth
  int64_t last_anchor_confirmations = 0;
  int64_t last_anchor_gas = 0;
  int64_t reorgs_seen = 0;
  int64_t logs_indexed = 0;
  int64_t errors = 0;
  std::string last_error;
};
// Name/value pairs, names prefixed "carbonx_chain_" (for GET /metrics).
std::vector<std::pair<std::string, double>> ChainMetricPairs(const ChainProofsMetrics& m);

class ChainAnchorer {
 public:
  // `engine`, `rpc` must outlive the anchorer. `db_path`: the journal (read-only here).
  ChainAnchorer(engine::Engine& engine, std::string db_path, chain::RpcClient& rpc, const chain::Address& anchor,
                chain::Abi abi, int64_t confirmations);
  // One pass (see the header comment). `max_new`: new intents at most in this pass.
  Result<void> Step(chain::TxSender& sender, int max_new = 16);
  const ChainProofsMetrics& metrics() const { return m_; }

 private:
  Result<void> SettleSent(chain::TxSender& sender);
  Result<bool> AnchorNext(chain::TxSender& sender);
  Result<void> CheckContract();
  engine::Engine& engine_;
  std::string db_path_;
  std::unique_ptr<store::Store> reader_;
  chain::RpcClient& rpc_;
  chain::Address anchor_;
  chain::Abi abi_;
  int64_t confirmations_;
  bool checked_ = false;
  std::vector<std::string> rebroadcast_;  // tx hashes re-sent in this process
  ChainProofsMetrics m_;
};

class ChainIndexer {
 public:
  // market/token: CarbonMarket and CarbonCreditToken; `cursor_file` persists the follower.
  static Result<std::unique_ptr<ChainIndexer>> Create(engine::Engine& engine, chain::RpcClient& rpc,
                                                      chain::Address market, chain::Abi market_abi,
                                                      chain::Address token, chain::Abi token_abi,
                                                      int64_t confirmations, uint64_t start_block,
                                                      std::string cursor_file);
  // One poll; returns true when caught up.
  Result<bool> Step();
  const ChainProofsMetrics& metrics() const { return m_; }

 private:
  ChainIndexer(engine::Engine& engine, chain::RpcClient& rpc);
  Result<void> OnLogs(const std::vector<chain::Log>& logs, const chain::FollowerCursor& cursor);
  engine::Engine& engine_;
  chain::RpcClient& rpc_;
  chain::Address market_, token_;
  chain::Abi market_abi_, token_abi_;
  std::string cursor_file_;
  std::unique_ptr<chain::LogFollower> follower_;
  ChainProofsMetrics m_;
};

struct ChainProofsOptions {
  std::string url;         // JSON-RPC endpoint
  std::string keystore;    // unused (the anchorer signs with the chain worker's sender)
  std::string deployment;  // deployment file (addresses + ABIs)
  std::string data_dir;    // cursor file
  int64_t confirmations = 1;
  int poll_ms = 200;
  // Anchor journal blocks (--chain-anchor, default on; --no-chain-anchor turns it off) through
  // the chain worker's sender (AnchorCoSender). The indexer (read-only) always runs.
  bool anchor = true;
  int max_new_anchors = 16;  // new anchor intents per worker step at most
};

class ChainProofs {
 public:
  static Result<std::unique_ptr<ChainProofs>> Open(ServiceContext& ctx, const ChainProofsOptions& o);
  ~ChainProofs();
  ChainProofs(const ChainProofs&) = delete;
  ChainProofs& operator=(const ChainProofs&) = delete;
  void Start();
  void Stop();
  ChainProofsMetrics Metrics() const;
  // The anchorer as a chain-worker co-sender (ChainWorker::AddCoSender); empty when anchoring
  // is off. Each call is one ChainAnchorer::Step with the worker's sender.
  std::function<Result<void>(chain::TxSender&)> AnchorCoSender();

 private:
  ChainProofs() = default;
  void Loop();
  // The anchorer and what it last reported; shared with the co-sender closure.
  struct AnchorBox {
    std::mutex mu;                          // held while a Step runs (worker thread)
    std::unique_ptr<chain::RpcClient> rpc;  // the anchorer's calls (sends go via the sender)
    std::unique_ptr<ChainAnchorer> anchorer;
    int max_new = 16;
    std::mutex metrics_mu;                  // guards the three below
    ChainProofsMetrics m;                   // the anchorer's metrics after its last Step
    int64_t errors = 0;
    std::string last_error;
  };
  std::shared_ptr<AnchorBox> anchor_;
  std::unique_ptr<chain::RpcClient> rpc_;
  std::unique_ptr<ChainIndexer> indexer_;
  int poll_ms_ = 200;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // The latest metrics; shared with the /metrics gauge callbacks (which may outlive this).
  struct MetricsBox {
    std::mutex mu;
    ChainProofsMetrics m;
  };
  std::shared_ptr<MetricsBox> box_ = std::make_shared<MetricsBox>();
};

// REST: GET /api/v1/chain/anchors, /api/v1/chain/market/listings?status=,
// /api/v1/chain/market/fills, /api/v1/chain/retirements (public facts; read from the engine).
Result<void> RegisterChainProofRoutes(api::Router& router, ServiceContext& ctx);

// `carbonx proof verify CERTIFICATE --chain URL [--anchor ADDRESS | --chain-deployment FILE]`
// (argv[0] = "verify"). Exit 0 when the certificate's event is in its block locally AND
// JournalAnchor.verifyInclusion says so on chain; 1 otherwise, with the reason on stderr.
int RunProofVerifyCli(int argc, char** argv);


}  // namespace cx::app
