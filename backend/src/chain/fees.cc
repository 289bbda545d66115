#include "chain/fees.h"

#include <algorithm>

#include <boost/json/value.hpp>

#include "chain/rpc_parse.h"

namespace cx::chain {
namespace json = boost::json;

namespace {

U256 ClampTip(U256 tip, const FeeOptions& o) {
  if (tip < o.min_tip) tip = o.min_tip;
  if (o.max_tip != 0 && tip > o.max_tip) tip = o.max_tip;
  return tip;
}

FeeQuote Make1559(const U256& base, const U256& tip_in, const FeeOptions& o) {
  FeeQuote q;
  q.eip1559 = true;
  q.base_fee = base;
  U256 tip = ClampTip(tip_in, o);
  U256 max_fee = base * std::max<uint64_t>(o.base_fee_multiplier, 1) + tip;
  if (o.max_fee_cap != 0 && max_fee > o.max_fee_cap) max_fee = o.max_fee_cap;
  if (tip > max_fee) tip = max_fee;
  q.max_priority_fee_per_gas = tip;
  q.max_fee_per_gas = max_fee;
  return q;
}

bool AllZero(const std::vector<U256>& v) {
  return std::all_of(v.begin(), v.end(), [](const U256& x) { return x == 0; });
}

}  // namespace

Result<FeeQuote> ComputeEip1559Fees(const FeeHistory& h, size_t percentile_index,
                                    const FeeOptions& opts) {
  if (h.base_fee_per_gas.empty() || AllZero(h.base_fee_per_gas)) {
    return Err(Code::kInvalidField, "fee history has no base fee (legacy chain)", "baseFeePerGas");
  }
  const U256 next_base = h.base_fee_per_gas.back();
  std::vector<U256> tips;
  for (const auto& row : h.reward) {
    if (percentile_index < row.size()) tips.push_back(row[percentile_index]);
  }
  U256 tip = 0;
  if (!tips.empty()) {
    std::sort(tips.begin(), tips.end());
    tip = tips[tips.size() / 2];  // median over the blocks (upper median: integer, no average)
  }
  return Make1559(next_base, tip, opts);
}

FeeQuote ComputeLegacyFees(const U256& node_gas_price, const FeeOptions& opts) {
  FeeQuote q;
  q.eip1559 = false;
  U256 p = node_gas_price * std::max<uint64_t>(opts.legacy_multiplier_pct, 1) / 100;
  if (p == 0) p = 1;
  if (opts.max_fee_cap != 0 && p > opts.max_fee_cap) p = opts.max_fee_cap;
  q.gas_price = p;
  return q;
}

Result<FeeQuote> EstimateFees(RpcClient& rpc, const FeeOptions& opts) {
  if (opts.force_legacy) {
    CX_ASSIGN_OR_RETURN(U256 gp, rpc.GasPrice());
    return ComputeLegacyFees(gp, opts);
  }
  const double pct = std::clamp(opts.tip_percentile, 0.0, 100.0);
  const uint64_t blocks = std::clamp<uint64_t>(opts.history_blocks, 1, 1024);
  // One round trip: latest header (base fee present?), fee history, and gas price.
  std::vector<RpcRequest> reqs;
  reqs.push_back({"eth_getBlockByNumber", {json::value("latest"), false}});
  reqs.push_back({"eth_feeHistory",
                  {json::value(BlockTag::Number(blocks).str()), json::value("latest"),
                   json::array{json::value(pct)}}});
  reqs.push_back({"eth_gasPrice", {}});
  CX_ASSIGN_OR_RETURN(auto res, rpc.CallBatch(reqs));
  if (res.size() != 3) return BadResponse("body", "wrong number of answers");
  if (!res[0].ok()) return res[0].take_error();
  CX_ASSIGN_OR_RETURN(auto head, DecodeBlockHeader(res[0].value()));
  if (!head) return BadResponse("block", "no latest block");
  const bool has_base = head->base_fee_per_gas.has_value();
  if (has_base && res[1].ok()) {
    CX_ASSIGN_OR_RETURN(FeeHistory h, DecodeFeeHistory(res[1].value()));
    auto q = ComputeEip1559Fees(h, 0, opts);
    if (q.ok()) return q;
  }
  if (has_base) {
    // No usable fee history (method missing, or zeros): base fee of the head and the node's
    // suggested tip.
    U256 tip = 0;
    auto t = rpc.MaxPriorityFeePerGas();
    if (t.ok()) tip = t.value();
    return Make1559(*head->base_fee_per_gas, tip, opts);
  }
  if (!res[2].ok()) return res[2].take_error();
  CX_ASSIGN_OR_RETURN(U256 gp, DecodeU256(res[2].value(), "gasPrice"));
  return ComputeLegacyFees(gp, opts);
}

FeeQuote BumpFees(const FeeQuote& old, const FeeQuote& fresh, uint64_t pct) {
  pct = std::max<uint64_t>(pct, 10);
  auto bump = [pct](const U256& x) { return (x * (100 + pct) + 99) / 100; };
  FeeQuote q = old;
  if (old.eip1559) {
    q.max_priority_fee_per_gas = std::max(bump(old.max_priority_fee_per_gas),
                                          fresh.eip1559 ? fresh.max_priority_fee_per_gas : U256(0));
    q.max_fee_per_gas = std::max(bump(old.max_fee_per_gas), fresh.max_price());
    if (q.max_priority_fee_per_gas > q.max_fee_per_gas) q.max_fee_per_gas = q.max_priority_fee_per_gas;
    q.base_fee = fresh.base_fee;
  } else {
    q.gas_price = std::max(bump(old.gas_price), fresh.max_price());
  }
  return q;
}

}  // namespace cx::chain
