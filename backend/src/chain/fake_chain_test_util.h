// Test helper: FakeChain, an in-memory RpcClient that behaves like a small EVM node for the
// methods the chain-rpc logic uses (blocks with parent hashes, logs, re-orgs to another
// fork, a mempool with nonce checks on eth_sendRawTransaction using tx.h's decoder, mining,
// receipts, fee history). It answers in the node's JSON wire form, so the typed helpers
// and the parser run for real. It is our own interface, not a mock of a runnable node
// (the anvil tests in rpc_anvil_test.cc run the same logic against a real one).
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/rpc.h"
#include "chain/rpc_parse.h"
#include "chain/tx.h"

namespace cx::chain::testing {

namespace json = boost::json;

inline Hash32 H(uint64_t n, uint64_t fork) {
  return Keccak256("block-" + std::to_string(n) + "-" + std::to_string(fork));
}

inline Address A(uint8_t b) {
  Address a;
  a.bytes.fill(b);
  return a;
}

class FakeChain : public RpcClient {
 public:
  struct FakeLog {
    Address address;
    Hash32 topic0;
    std::string data;
  };
  struct Block {
    BlockHeader header;
    std::vector<FakeLog> logs;
    std::vector<Hash32> txs;
  };
  struct Tx {
    DecodedTx decoded;
    Bytes raw;
    std::optional<uint64_t> block;
  };

  FakeChain() { MineEmpty(); }  // genesis

  // -- chain building --
  uint64_t head() const { return blocks_.back().header.number; }
  const Block& block(uint64_t n) const { return blocks_.at(n); }
  void Mine(std::vector<FakeLog> logs = {}) {
    Block b;
    b.header.number = blocks_.empty() ? 0 : head() + 1;
    b.header.hash = H(b.header.number, fork_);
    b.header.parent_hash = blocks_.empty() ? Hash32{} : blocks_.back().header.hash;
    b.header.timestamp = 1700000000 + b.header.number * 12;
    b.header.gas_limit = 30000000;
    if (base_fee_) b.header.base_fee_per_gas = *base_fee_;
    b.logs = std::move(logs);
    for (const auto& h : pool_) {
      auto& t = txs_.at(h);
      t.block = b.header.number;
      b.txs.push_back(h);
      nonces_[t.decoded.from] = std::max(nonces_[t.decoded.from], t.decoded.fields.nonce + 1);
    }
    pool_.clear();
    blocks_.push_back(std::move(b));
  }
  void MineEmpty() { Mine(); }
  // Replaces the blocks above `keep` by `new_blocks` blocks of a new fork (the transactions
  // of the dropped blocks go back to the pool unless `drop_txs`).
  void Reorg(uint64_t keep, uint64_t new_blocks, std::vector<std::vector<FakeLog>> logs = {},
             bool drop_txs = false) {
    ++fork_;
    while (head() > keep) {
      for (const auto& h : blocks_.back().txs) {
        auto& t = txs_.at(h);
        t.block.reset();
        if (drop_txs) txs_.erase(h);
        else pool_.push_back(h);
      }
      blocks_.pop_back();
    }
    RecountNonces();
    for (uint64_t i = 0; i < new_blocks; ++i) Mine(i < logs.size() ? logs[i] : std::vector<FakeLog>{});
  }
  void RecountNonces() {
    nonces_ = external_nonces_;
    for (const auto& b : blocks_) {
      for (const auto& h : b.txs) {
        const auto& d = txs_.at(h).decoded;
        nonces_[d.from] = std::max(nonces_[d.from], d.fields.nonce + 1);
      }
    }
  }
  // A transaction from `who` sent by someone else (another wallet with the same key).
  void ExternalTx(const Address& who) {
    external_nonces_[who] = std::max(external_nonces_[who], nonces_[who]) + 1;
    nonces_[who] = external_nonces_[who];
  }

  // -- knobs --
  std::optional<U256> base_fee_ = U256(1000000000);
  json::value fee_history_;          // null = derived from blocks
  U256 gas_price_ = U256(2000000000);
  uint64_t chain_id_ = 31337;
  uint64_t estimate_gas_ = 50000;
  int fail_next_ = 0;                // next CallBatch calls fail with a transport error
  uint64_t max_log_range_ = 0;       // 0 = unlimited; else eth_getLogs refuses wider ranges
  std::map<std::string, int> calls_;
  size_t batches_ = 0;
  std::vector<Hash32> pool_;
  std::map<Hash32, Tx> txs_;

  Result<std::vector<Result<json::value>>> CallBatch(const std::vector<RpcRequest>& reqs) override {
    ++batches_;
    if (fail_next_ > 0) {
      --fail_next_;
      RpcFailure f;
      f.kind = RpcErrc::kTransport;
      f.message = "injected";
      return ToError(f);
    }
    std::vector<Result<json::value>> out;
    for (const auto& r : reqs) {
      ++calls_[r.method];
      out.push_back(Answer(r));
    }
    return out;
  }

 private:
  static Error NodeError(int64_t code, std::string msg) {
    RpcFailure f;
    f.node_code = code;
    f.message = std::move(msg);
    f.kind = ClassifyNodeError(code, f.message);
    return ToError(f);
  }
  static uint64_t Num(const json::value& v) {
    auto r = DecodeU64(v, "n");
    return r.ok() ? r.value() : 0;
  }
  std::optional<uint64_t> Tag(const json::value& v) const {
    if (v.is_string() && (v.get_string() == "latest" || v.get_string() == "pending")) return head();
    const uint64_t n = Num(v);
    if (n > head()) return std::nullopt;
    return n;
  }
  json::value HeaderJson(const BlockHeader& h) const {
    json::object o;
    o["number"] = ToQuantity(U256(h.number));
    o["hash"] = ToHex(h.hash);
    o["parentHash"] = ToHex(h.parent_hash);
    o["timestamp"] = ToQuantity(U256(h.timestamp));
    o["gasLimit"] = ToQuantity(U256(h.gas_limit));
    o["gasUsed"] = "0x0";
    if (h.base_fee_per_gas) o["baseFeePerGas"] = ToQuantity(*h.base_fee_per_gas);
    return o;
  }
  json::value LogJson(const Block& b, size_t i) const {
    json::object o;
    o["address"] = AddressToHex(b.logs[i].address);
    o["topics"] = json::array{json::value(ToHex(b.logs[i].topic0))};
    o["data"] = ToHex(b.logs[i].data);
    o["blockNumber"] = ToQuantity(U256(b.header.number));
    o["blockHash"] = ToHex(b.header.hash);
    o["transactionHash"] = ToHex(Keccak256("tx-" + ToHex(b.header.hash) + std::to_string(i)));
    o["transactionIndex"] = "0x0";
    o["logIndex"] = ToQuantity(U256(i));
    o["removed"] = false;
    return o;
  }
  Result<json::value> Answer(const RpcRequest& r) {
    const auto& p = r.params;
    if (r.method == "eth_chainId") return json::value(ToQuantity(U256(chain_id_)));
    if (r.method == "eth_blockNumber") return json::value(ToQuantity(U256(head())));
    if (r.method == "eth_gasPrice") return json::value(ToQuantity(gas_price_));
    if (r.method == "eth_maxPriorityFeePerGas") return json::value("0x3b9aca00");
    if (r.method == "eth_estimateGas") return json::value(ToQuantity(U256(estimate_gas_)));
    if (r.method == "eth_getBlockByNumber") {
      auto n = Tag(p.at(0));
      if (!n) return json::value(nullptr);
      return HeaderJson(blocks_[*n].header);
    }
    if (r.method == "eth_getTransactionCount") {
      auto who = DecodeAddress(p.at(0), "a");
      uint64_t n = nonces_[who.value()];
      if (p.at(1).is_string() && p.at(1).get_string() == "pending") {
        for (const auto& h : pool_) {
          const auto& d = txs_.at(h).decoded;
          if (d.from == who.value() && d.fields.nonce >= n) n = d.fields.nonce + 1;
        }
      }
      return json::value(ToQuantity(U256(n)));
    }
    if (r.method == "eth_feeHistory") {
      if (!fee_history_.is_null()) return fee_history_;
      json::object o;
      o["oldestBlock"] = "0x1";
      json::array base;
      base.emplace_back(base_fee_ ? ToQuantity(*base_fee_) : "0x0");
      base.emplace_back(base_fee_ ? ToQuantity(*base_fee_) : "0x0");
      o["baseFeePerGas"] = base;
      o["gasUsedRatio"] = json::array{json::value(0.5)};
      o["reward"] = json::array{json::array{json::value("0x77359400")}};  // 2 gwei
      return json::value(o);
    }
    if (r.method == "eth_getLogs") {
      const auto& f = p.at(0).as_object();
      const uint64_t from = Num(f.at("fromBlock"));
      const uint64_t to = std::min(Num(f.at("toBlock")), head());
      if (max_log_range_ && to >= from && to - from + 1 > max_log_range_) {
        return NodeError(-32005, "query returned more than 10000 results");
      }
      std::set<std::string> addrs;
      if (const auto* a = f.if_contains("address")) {
        for (const auto& e : a->as_array()) addrs.insert(std::string(e.as_string()));
      }
      json::array logs;
      for (uint64_t n = from; n <= to; ++n) {
        for (size_t i = 0; i < blocks_[n].logs.size(); ++i) {
          if (!addrs.empty() && !addrs.count(AddressToHex(blocks_[n].logs[i].address))) continue;
          logs.push_back(LogJson(blocks_[n], i));
        }
      }
      return json::value(logs);
    }
    if (r.method == "eth_sendRawTransaction") {
      auto raw = FromHex(p.at(0).as_string());
      auto d = DecodeSignedTx(raw.value());
      if (!d.ok()) return NodeError(-32602, "invalid transaction");
      const Hash32 h = d.value().hash;
      if (txs_.count(h) && !txs_.at(h).block) return NodeError(-32000, "already known");
      if (d.value().fields.nonce < nonces_[d.value().from]) return NodeError(-32000, "nonce too low");
      for (const auto& ph : pool_) {
        const auto& pd = txs_.at(ph).decoded;
        if (pd.from == d.value().from && pd.fields.nonce == d.value().fields.nonce) {
          return NodeError(-32000, "replacement transaction underpriced");
        }
      }
      txs_[h] = Tx{d.value(), raw.value(), std::nullopt};
      pool_.push_back(h);
      return json::value(ToHex(h));
    }
    if (r.method == "eth_getTransactionByHash") {
      auto h = DecodeHash(p.at(0), "h");
      auto it = txs_.find(h.value());
      if (it == txs_.end()) return json::value(nullptr);
      json::object o;
      o["hash"] = ToHex(h.value());
      o["from"] = AddressToHex(it->second.decoded.from);
      o["nonce"] = ToQuantity(U256(it->second.decoded.fields.nonce));
      o["blockNumber"] = it->second.block ? json::value(ToQuantity(U256(*it->second.block))) : json::value(nullptr);
      o["blockHash"] = it->second.block ? json::value(ToHex(blocks_[*it->second.block].header.hash)) : json::value(nullptr);
      return json::value(o);
    }
    if (r.method == "eth_getTransactionReceipt") {
      auto h = DecodeHash(p.at(0), "h");
      auto it = txs_.find(h.value());
      if (it == txs_.end() || !it->second.block) return json::value(nullptr);
      const auto& b = blocks_[*it->second.block];
      json::object o;
      o["transactionHash"] = ToHex(h.value());
      o["transactionIndex"] = "0x0";
      o["blockNumber"] = ToQuantity(U256(b.header.number));
      o["blockHash"] = ToHex(stale_receipt_hash_ ? H(b.header.number, 999) : b.header.hash);
      o["from"] = AddressToHex(it->second.decoded.from);
      o["to"] = it->second.decoded.fields.to ? json::value(AddressToHex(*it->second.decoded.fields.to)) : json::value(nullptr);
      o["status"] = "0x1";
      o["gasUsed"] = "0x5208";
      o["cumulativeGasUsed"] = "0x5208";
      o["effectiveGasPrice"] = "0x3b9aca00";
      o["logs"] = json::array{};
      return json::value(o);
    }
    return NodeError(-32601, "the method " + r.method + " does not exist/is not available");
  }

 public:
  bool stale_receipt_hash_ = false;  // receipts name a block hash that is not canonical

 private:
  std::vector<Block> blocks_;
  uint64_t fork_ = 0;
  std::map<Address, uint64_t> nonces_;
  std::map<Address, uint64_t> external_nonces_;
};

}  // namespace cx::chain::testing
