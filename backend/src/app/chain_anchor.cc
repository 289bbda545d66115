// Anchoring sealed journal blocks in JournalAnchor (see chain_anchor.h for the contract).
#include "app/chain_anchor.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "api/metrics.h"
#include "app/chain_worker.h"
#include "chain/hex.h"
#include "chain/keystore.h"
#include "chain/sign.h"
#include "core/sha256.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "store/pg_store.h"

namespace cx::app {
namespace json = boost::json;
namespace {

// The anchor transaction's gas limit. Fixed rather than estimated: a height whose predecessor
// is not mined yet would fail eth_estimateGas (UnexpectedHeight) although it is valid once the
// predecessor lands (same sender, next nonce). anchor() costs ~57k (cold storage ~75k).
constexpr uint64_t kAnchorGas = 150000;

std::string Hex0x(const Hash256& h) { return "0x" + cx::ToHex(h); }

// The anchors the engine has, copied on the engine thread.
Result<std::map<int64_t, registry::ChainAnchor>> Anchors(engine::Engine& e) {
  std::map<int64_t, registry::ChainAnchor> out;
  auto r = e.Query([&out](const registry::RegistryState& s, const engine::Outcome&) -> Result<std::string> {
    out = s.proofs().anchors;
    return std::string();
  });
  if (!r.ok()) return r.error();
  return out;
}

bool IsAnchorBookkeeping(const std::string& type) { return type == "AnchorRecorded" || type == "AnchorSettled"; }

// Test hook (tests only): CX_CHAIN_CRASH_AT=anchor-after-journal:H ends the process abruptly
// right after an anchor intent of height >= H is journaled, before it is sent (a power cut).
void AnchorCrashHook(int64_t height) {
  const char* at = std::getenv("CX_CHAIN_CRASH_AT");
  constexpr std::string_view kWhere = "anchor-after-journal:";
  if (!at || std::string_view(at).substr(0, kWhere.size()) != kWhere) return;
  if (height < std::strtoll(at + kWhere.size(), nullptr, 10)) return;
  std::cerr << "carbonx: chain: CX_CHAIN_CRASH_AT=" << at << ": exiting after journaling anchor " << height << std::endl;
  std::_Exit(137);
}

}  // namespace

std::vector<std::pair<std::string, double>> ChainMetricPairs(const ChainProofsMetrics& m) {
  auto d = [](int64_t v) { return static_cast<double>(v); };
  return {
      {"carbonx_chain_head_block", d(m.head)},
      {"carbonx_chain_indexed_block", d(m.indexed_block)},
      {"carbonx_chain_head_lag_blocks", d(m.head_lag_blocks)},
      {"carbonx_chain_pending_transactions", d(m.pending_anchor_txs)},
      {"carbonx_chain_anchored_height", d(m.anchored_height)},
      {"carbonx_chain_sealed_height", d(m.sealed_height)},
      {"carbonx_chain_anchor_lag_blocks", d(m.anchor_lag_blocks)},
      {"carbonx_chain_confirmations_required", d(m.confirmations)},
      {"carbonx_chain_last_anchor_confirmations", d(m.last_anchor_confirmations)},
      {"carbonx_chain_last_anchor_gas", d(m.last_anchor_gas)},
      {"carbonx_chain_reorgs_seen_total", d(m.reorgs_seen)},
      {"carbonx_chain_logs_indexed_total", d(m.logs_indexed)},
      {"carbonx_chain_errors_total", d(m.errors)},
  };
}

ChainAnchorer::ChainAnchorer(engine::Engine& engine, std::string db_path, chain::RpcClient& rpc,
                             const chain::Address& anchor, chain::Abi abi, int64_t confirmations)
    : engine_(engine),
      db_path_(std::move(db_path)),
      rpc_(rpc),
      anchor_(anchor),
      abi_(std::move(abi)),
      confirmations_(std::max<int64_t>(confirmations, 1)) {
  m_.confirmations = confirmations_;
}

Result<void> ChainAnchorer::CheckContract() {
  CX_ASSIGN_OR_RETURN(auto data, abi_.EncodeCall("latestHeight", json::array{}));
  chain::CallRequest call;
  call.to = anchor_;
  call.data = data;
  CX_ASSIGN_OR_RETURN(auto out, rpc_.EthCall(call));
  CX_ASSIGN_OR_RETURN(auto vals, abi_.DecodeOutput("latestHeight", out));
  const int64_t latest = std::stoll(std::string(vals.at(0).as_string()));
  CX_ASSIGN_OR_RETURN(auto anchors, Anchors(engine_));
  // Every height the contract holds must be one of ours with the same root.
  for (int64_t h = 1; h <= latest; ++h) {
    auto it = anchors.find(h);
    CX_ASSIGN_OR_RETURN(auto q, abi_.EncodeCall("rootAt", json::array{h}));
    call.data = q;
    CX_ASSIGN_OR_RETURN(auto r, rpc_.EthCall(call));
    CX_ASSIGN_OR_RETURN(auto rv, abi_.DecodeOutput("rootAt", r));
    const std::string root(rv.at(0).as_string());
    if (it == anchors.end() || it->second.root != root)
      return Err(Code::kConflict,
                 "JournalAnchor already holds height " + std::to_string(h) + " with root " + root +
                     " that this journal did not anchor: wrong contract or data directory; anchoring stopped",
                 "anchor");
    if (h > 64) break;  // the first heights prove it is ours; the rest is linked on chain
  }
  checked_ = true;
  return Ok();
}

Result<void> ChainAnchorer::SettleSent(chain::TxSender& sender) {
  CX_ASSIGN_OR_RETURN(auto anchors, Anchors(engine_));
  int64_t pending = 0;
  for (const auto& [h, a] : anchors) {
    if (a.status != registry::AnchorStatus::kSent) continue;
    ++pending;
    CX_ASSIGN_OR_RETURN(auto hash, chain::ParseHash32(a.tx_hash, "tx_hash"));
    if (std::find(rebroadcast_.begin(), rebroadcast_.end(), a.tx_hash) == rebroadcast_.end()) {
      CX_ASSIGN_OR_RETURN(auto raw, chain::FromHex(a.raw, "raw"));
      auto sent = sender.Rebroadcast(raw);
      rebroadcast_.push_back(a.tx_hash);
      if (!sent.ok() && chain::RpcErrcOf(sent.error()) == chain::RpcErrc::kNonceTooLow) {
        // Another transaction took this nonce: this intent can never land; a new one replaces it.
        auto r = engine_.Execute(registry::SettleAnchor{h, false, 0, 0, "nonce taken by another transaction"});
        if (!r.ok()) return r.error();
        continue;
      }
      if (!sent.ok()) return sent.error();
    }
    CX_ASSIGN_OR_RETURN(auto st, sender.Check(hash, static_cast<uint64_t>(confirmations_)));
    if (st.receipt) m_.last_anchor_confirmations = static_cast<int64_t>(st.confirmations);
    if (st.state != chain::TxState::kConfirmed || !st.receipt) continue;
    const chain::Receipt& rc = *st.receipt;
    registry::SettleAnchor s{h, rc.status, static_cast<int64_t>(rc.block_number), static_cast<int64_t>(rc.gas_used),
                             rc.status ? "" : "reverted"};
    auto r = engine_.Execute(s);
    if (!r.ok() && r.error().code != Code::kConflict) return r.error();
    if (rc.status) m_.last_anchor_gas = static_cast<int64_t>(rc.gas_used);
    --pending;
  }
  m_.pending_anchor_txs = pending;
  return Ok();
}

Result<bool> ChainAnchorer::AnchorNext(chain::TxSender& sender) {
  if (!reader_) {
    CX_ASSIGN_OR_RETURN(reader_, store::OpenStore(db_path_));
  }
  CX_ASSIGN_OR_RETURN(auto tail, reader_->ReadTail());
  m_.sealed_height = tail.last_block ? tail.last_block->height : 0;
  CX_ASSIGN_OR_RETURN(auto anchors, Anchors(engine_));
  m_.anchored_height = 0;
  for (const auto& [h, a] : anchors) {
    if (h != m_.anchored_height + 1 || a.status != registry::AnchorStatus::kConfirmed) break;
    m_.anchored_height = h;
  }
  m_.anchor_lag_blocks = m_.sealed_height - m_.anchored_height;
  // Next height: the first without a live intent (a failed one is replaced).
  int64_t next = 1;
  int64_t next_first_seq = 1;
  std::string prev_root = "0x" + std::string(64, '0');
  for (const auto& [h, a] : anchors) {
    if (h != next || a.status == registry::AnchorStatus::kFailed) break;
    next = h + 1;
    next_first_seq = a.last_seq + 1;
    prev_root = a.root;
  }
  if (next > m_.sealed_height) return false;
  CX_ASSIGN_OR_RETURN(auto blk, reader_->BlockContaining(next_first_seq));
  if (!blk) return false;
  if (blk->height != next || blk->first_seq != next_first_seq)
    return Err(Code::kInternal, "journal block " + std::to_string(blk->height) + " does not follow the anchored ones");
  if (blk->height == m_.sealed_height) {
    // The newest block: anchor it only if it holds more than anchor bookkeeping.
    bool only_bookkeeping = true;
    CX_TRY(reader_->ScanJournal(blk->first_seq, [&](const store::JournalRow& row) {
      if (row.seq > blk->last_seq) return false;
      if (!IsAnchorBookkeeping(row.type)) only_bookkeeping = false;
      return only_bookkeeping;
    }));
    if (only_bookkeeping) return false;
  }
  const std::string root = Hex0x(blk->root);
  CX_ASSIGN_OR_RETURN(auto data, abi_.EncodeCall("anchor", json::array{blk->height, root, prev_root}));
  chain::TxRequest req;
  req.to = anchor_;
  req.data = data;
  req.gas_limit = kAnchorGas;
  CX_ASSIGN_OR_RETURN(auto tx, sender.Prepare(req));
  registry::RecordAnchor cmd{blk->height,
                             root,
                             prev_root,
                             blk->first_seq,
                             blk->last_seq,
                             static_cast<int64_t>(tx.nonce),
                             chain::ToHex(tx.hash),
                             chain::ToHex(tx.raw)};
  auto journaled = engine_.Execute(cmd);
  if (!journaled.ok()) {
    sender.Abandon(tx);
    return journaled.error();
  }
  sender.Committed(tx);
  AnchorCrashHook(cmd.height);
  rebroadcast_.push_back(cmd.tx_hash);
  auto sent = sender.Send(tx.raw);
  if (!sent.ok()) {
    // Journaled: the next Step re-broadcasts the same bytes or settles the intent as failed.
    rebroadcast_.pop_back();
    return sent.error();
  }
  ++m_.pending_anchor_txs;
  return true;
}

Result<void> ChainAnchorer::Step(chain::TxSender& sender, int max_new) {
  if (!checked_) CX_TRY(CheckContract());
  CX_TRY(SettleSent(sender));
  for (int i = 0; i < max_new; ++i) {
    CX_ASSIGN_OR_RETURN(bool more, AnchorNext(sender));
    if (!more) break;
  }
  return Ok();
}

// ------------------------------------------------------------------ the service thread
Result<std::unique_ptr<ChainProofs>> ChainProofs::Open(ServiceContext& ctx, const ChainProofsOptions& o) {
  std::ifstream dep(o.deployment);
  if (!dep) return Err(Code::kNotFound, "cannot read deployment file " + o.deployment, "chain-deployment");
  std::stringstream ss;
  ss << dep.rdbuf();
  const std::string dj = ss.str();
  json::value doc;
  try {
    doc = json::parse(dj);
  } catch (const std::exception& e) {
    return Err(Code::kBadJson, std::string("deployment file: ") + e.what(), "chain-deployment");
  }
  auto addr = [&](const char* name) -> Result<chain::Address> {
    const auto* c = doc.as_object().if_contains("contracts");
    const json::value* a = c && c->is_object() ? c->as_object().if_contains(name) : nullptr;
    const json::value* s = a && a->is_object() ? a->as_object().if_contains("address") : nullptr;
    if (!s || !s->is_string()) return Err(Code::kMissingField, std::string("deployment has no ") + name, "chain-deployment");
    std::string lower(s->as_string());
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return chain::ParseAddress(lower, name);
  };
  if (!doc.is_object()) return Err(Code::kBadJson, "deployment file is not an object", "chain-deployment");
  CX_ASSIGN_OR_RETURN(auto anchor, addr("JournalAnchor"));
  CX_ASSIGN_OR_RETURN(auto market, addr("CarbonMarket"));
  CX_ASSIGN_OR_RETURN(auto token, addr("CarbonCreditToken"));
  CX_ASSIGN_OR_RETURN(auto anchor_abi, chain::Abi::FromDeployment(dj, "JournalAnchor"));
  CX_ASSIGN_OR_RETURN(auto market_abi, chain::Abi::FromDeployment(dj, "CarbonMarket"));
  CX_ASSIGN_OR_RETURN(auto token_abi, chain::Abi::FromDeployment(dj, "CarbonCreditToken"));

  std::unique_ptr<ChainProofs> p(new ChainProofs());
  p->poll_ms_ = o.poll_ms;
  CX_ASSIGN_OR_RETURN(p->rpc_, chain::MakeHttpRpcClient(o.url));
  if (o.anchor) {
    // Signing and nonces belong to the chain worker's sender (AnchorCoSender); the nonces of
    // journaled anchor intents are handed to its NonceManager by the worker (chain_worker.cc).
    auto box = std::make_shared<AnchorBox>();
    CX_ASSIGN_OR_RETURN(box->rpc, chain::MakeHttpRpcClient(o.url));
    box->anchorer = std::make_unique<ChainAnchorer>(*ctx.engine, ctx.store_url.empty() ? ctx.db_path : ctx.store_url,
                                                    *box->rpc, anchor, std::move(anchor_abi), o.confirmations);
    box->max_new = std::max(o.max_new_anchors, 1);
    box->m = box->anchorer->metrics();
    p->anchor_ = std::move(box);
  }
  // Without a cursor the indexer starts at the deployment block ("startBlock" in the deployment
  // file, else found with eth_getCode), not at block 0.
  std::optional<uint64_t> recorded;
  if (const json::value* sb = doc.as_object().if_contains("startBlock"); sb && sb->is_int64() && sb->as_int64() >= 0)
    recorded = static_cast<uint64_t>(sb->as_int64());
  const uint64_t start = chain::FollowerStartBlock(*p->rpc_, {market, token}, recorded);
  CX_ASSIGN_OR_RETURN(p->indexer_, ChainIndexer::Create(*ctx.engine, *p->rpc_, market, std::move(market_abi), token,
                                                        std::move(token_abi), o.confirmations, start,
                                                        o.data_dir + "/chain-proofs.cursor"));
  return p;
}

ChainProofs::~ChainProofs() { Stop(); }

void ChainProofs::Start() {
  // Gauges on GET /metrics (api/metrics.h), read from the latest pass.
  for (const auto& [name, v0] : ChainMetricPairs(ChainProofsMetrics{})) {
    std::shared_ptr<MetricsBox> box = box_;
    api::Metrics().AddGaugeCallback(name, "chain proofs (app/chain_anchor.h): " + name, {}, [box, n = name]() {
      ChainProofsMetrics m;
      {
        std::lock_guard<std::mutex> l(box->mu);
        m = box->m;
      }
      for (const auto& [k, v] : ChainMetricPairs(m))
        if (k == n) return v;
      return 0.0;
    });
  }
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ChainProofs::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ChainProofsMetrics ChainProofs::Metrics() const {
  std::lock_guard<std::mutex> l(box_->mu);
  return box_->m;
}

std::function<Result<void>(chain::TxSender&)> ChainProofs::AnchorCoSender() {
  if (!anchor_) return {};
  std::shared_ptr<AnchorBox> box = anchor_;
  return [box](chain::TxSender& sender) -> Result<void> {
    std::lock_guard<std::mutex> l(box->mu);
    auto r = box->anchorer->Step(sender, box->max_new);
    std::lock_guard<std::mutex> ml(box->metrics_mu);
    box->m = box->anchorer->metrics();
    if (!r.ok()) {
      ++box->errors;
      box->last_error = "anchor: " + r.error().message;
    }
    return r;
  };
}

void ChainProofs::Loop() {
  int64_t errors = 0;
  std::string last_error;
  while (!stop_) {
    bool caught_up = true;
    auto i = indexer_->Step();
    if (!i.ok()) {
      ++errors;
      last_error = "index: " + i.error().message;
    } else {
      caught_up = *i;
    }
    {
      std::unique_lock<std::mutex> l(mu_);
      ChainProofsMetrics m;
      int64_t anchor_errors = 0;
      std::string anchor_error;
      if (anchor_) {
        std::lock_guard<std::mutex> al(anchor_->metrics_mu);
        m = anchor_->m;
        anchor_errors = anchor_->errors;
        anchor_error = anchor_->last_error;
      }
      const ChainProofsMetrics& x = indexer_->metrics();
      m.head = x.head;
      m.indexed_block = x.indexed_block;
      m.head_lag_blocks = x.head_lag_blocks;
      m.reorgs_seen = x.reorgs_seen;
      m.logs_indexed = x.logs_indexed;
      m.errors = errors + anchor_errors;
      m.last_error = last_error.empty() ? anchor_error : last_error;
      {
        std::lock_guard<std::mutex> bl(box_->mu);
        box_->m = m;
      }
      if (caught_up) cv_.wait_for(l, std::chrono::milliseconds(poll_ms_), [this] { return stop_.load(); });
    }
  }
}

}  // namespace cx::app
