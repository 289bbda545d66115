#include "chain/tx_sender.h"

#include <thread>

#include <boost/json/value.hpp>

#include "chain/hex.h"
#include "chain/keccak.h"
#include "chain/rpc_parse.h"
#include "chain/sign.h"
#include "chain/tx.h"

namespace cx::chain {
namespace json = boost::json;

std::string_view TxStateName(TxState s) {
  switch (s) {
    case TxState::kUnknown: return "unknown";
    case TxState::kPending: return "pending";
    case TxState::kMined: return "mined";
    case TxState::kConfirmed: return "confirmed";
    case TxState::kReorged: return "reorged";
  }
  return "unknown";
}

Result<std::unique_ptr<TxSender>> TxSender::Create(RpcClient& rpc, NonceManager& nonces,
                                                   const PrivateKey& key,
                                                   TxSenderOptions options) {
  CX_ASSIGN_OR_RETURN(Address from, AddressOf(key));
  if (!options.sleep) {
    options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  // Private constructor: make_unique cannot reach it.
  return std::unique_ptr<TxSender>(new TxSender(rpc, nonces, key, from, std::move(options)));  // NOLINT(modernize-make-unique)
}

TxSender::TxSender(RpcClient& rpc, NonceManager& nonces, const PrivateKey& key,
                   const Address& from, TxSenderOptions options)
    : rpc_(rpc), nonces_(nonces), key_(key), from_(from), options_(std::move(options)),
      chain_id_(options_.chain_id) {}

TxSender::~TxSender() = default;

Result<uint64_t> TxSender::ChainIdCached() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (chain_id_ != 0) return chain_id_;
  }
  CX_ASSIGN_OR_RETURN(uint64_t id, rpc_.ChainId());
  std::lock_guard<std::mutex> lock(mu_);
  chain_id_ = id;
  return id;
}

Result<PreparedTx> TxSender::Prepare(const TxRequest& req) {
  CX_ASSIGN_OR_RETURN(uint64_t chain_id, ChainIdCached());
  FeeQuote fees;
  if (req.fees) {
    fees = *req.fees;
  } else {
    CX_ASSIGN_OR_RETURN(fees, EstimateFees(rpc_, options_.fees));
  }
  uint64_t gas = 0;
  if (req.gas_limit) {
    gas = *req.gas_limit;
  } else {
    CallRequest call;
    call.from = from_;
    call.to = req.to;
    call.data = req.data;
    if (req.value != 0) call.value = req.value;
    CX_ASSIGN_OR_RETURN(uint64_t est, rpc_.EstimateGas(call));
    const unsigned __int128 g =
        static_cast<unsigned __int128>(est) * (100 + options_.gas_margin_pct) / 100;
    gas = g > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(g);
  }
  // The nonce is reserved last, so that nothing above has to give it back.
  uint64_t nonce = 0;
  const bool reserved = !req.nonce.has_value();
  if (req.nonce) {
    nonce = *req.nonce;
  } else {
    CX_ASSIGN_OR_RETURN(nonce, nonces_.Reserve(from_));
  }
  TxFields f;
  f.type = fees.eip1559 ? TxType::kEip1559 : TxType::kLegacy;
  f.chain_id = chain_id;
  f.nonce = nonce;
  f.gas_limit = gas;
  f.to = req.to;
  f.value = req.value;
  f.data = req.data;
  if (fees.eip1559) {
    f.max_fee_per_gas = fees.max_fee_per_gas;
    f.max_priority_fee_per_gas = fees.max_priority_fee_per_gas;
  } else {
    f.gas_price = fees.gas_price;
  }
  auto signed_tx = SignTx(f, key_);
  if (!signed_tx.ok()) {
    if (reserved) nonces_.Release(from_, nonce);
    return signed_tx.take_error();
  }
  PreparedTx out;
  out.hash = signed_tx.value().hash;
  out.raw = std::move(signed_tx.value().raw);
  out.from = from_;
  out.nonce = nonce;
  out.chain_id = chain_id;
  out.gas_limit = gas;
  out.fees = fees;
  return out;
}

void TxSender::Committed(const PreparedTx& tx) { nonces_.Commit(from_, tx.nonce); }

void TxSender::Abandon(const PreparedTx& tx) { nonces_.Release(from_, tx.nonce); }

Result<Hash32> TxSender::Send(const Bytes& raw) {
  auto r = rpc_.SendRawTransaction(raw);
  if (!r.ok() && (RpcErrcOf(r.error()) == RpcErrc::kNonceTooLow ||
                  RpcErrcOf(r.error()) == RpcErrc::kUnderpriced)) {
    // Another transaction took (or holds, pending) this nonce: learn the chain's pending
    // count for the next Prepare.
    (void)nonces_.Resync(from_);
  }
  return r;
}

Result<Hash32> TxSender::Rebroadcast(const Bytes& raw) {
  auto r = Send(raw);
  if (r.ok()) return r;
  if (RpcErrcOf(r.error()) == RpcErrc::kNonceTooLow) {
    const Hash32 hash = Keccak256(raw);
    auto rec = rpc_.GetTransactionReceipt(hash);
    if (rec.ok() && rec.value().has_value()) return hash;
  }
  return r;
}

Result<TxStatus> TxSender::Check(const Hash32& hash, uint64_t confirmations) {
  std::vector<RpcRequest> reqs;
  reqs.push_back({"eth_getTransactionReceipt", {json::value(ToHex(hash))}});
  reqs.push_back({"eth_blockNumber", {}});
  CX_ASSIGN_OR_RETURN(auto res, rpc_.CallBatch(reqs));
  if (res.size() != 2) return BadResponse("body", "wrong number of answers");
  if (!res[0].ok()) return res[0].take_error();
  if (!res[1].ok()) return res[1].take_error();
  CX_ASSIGN_OR_RETURN(auto receipt, DecodeReceipt(res[0].value()));
  CX_ASSIGN_OR_RETURN(uint64_t head, DecodeU64(res[1].value(), "blockNumber"));
  TxStatus st;
  if (!receipt) {
    CX_ASSIGN_OR_RETURN(auto tx, rpc_.GetTransactionByHash(hash));
    st.state = tx ? TxState::kPending : TxState::kUnknown;
    return st;
  }
  // Is the receipt's block still the canonical block at that height?
  CX_ASSIGN_OR_RETURN(auto block, rpc_.GetBlockByNumber(BlockTag::Number(receipt->block_number)));
  if (!block || block->hash != receipt->block_hash) {
    st.state = TxState::kReorged;
    st.receipt = std::move(receipt);
    return st;
  }
  st.confirmations = head >= receipt->block_number ? head - receipt->block_number + 1 : 1;
  st.state = st.confirmations >= std::max<uint64_t>(confirmations, 1) ? TxState::kConfirmed
                                                                      : TxState::kMined;
  st.receipt = std::move(receipt);
  return st;
}

Result<TxStatus> TxSender::AwaitReceipt(const Hash32& hash, uint64_t confirmations,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool seen_mined = false;
  while (true) {
    auto st = Check(hash, confirmations);
    const bool late = std::chrono::steady_clock::now() >= deadline;
    if (st.ok()) {
      if (st.value().state == TxState::kConfirmed) return st;
      if (st.value().state == TxState::kMined) seen_mined = true;
      if (late) {
        // Mined once, gone now: the block was re-orged away and the tx is not back yet.
        if (seen_mined && (st.value().state == TxState::kPending ||
                           st.value().state == TxState::kUnknown)) {
          st.value().state = TxState::kReorged;
        }
        return st;
      }
    } else if (late) {
      return st;
    }
    options_.sleep(options_.poll_interval);
  }
}

}  // namespace cx::chain
