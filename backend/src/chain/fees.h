// Fee estimation. EIP-1559 chains: from eth_feeHistory over the last `history_blocks`
// blocks, tip = the `tip_percentile` reward percentile (median over the blocks, at least
// min_tip, at most max_tip), maxFeePerGas = base_fee_multiplier * next base fee + tip
// (capped by max_fee_cap when set; then tip <= maxFee). Chains without a base fee (no
// baseFeePerGas in the latest block / feeHistory zeros / method missing) fall back to a
// legacy gasPrice = eth_gasPrice * legacy_multiplier_pct / 100 (capped likewise).
// All amounts are integer wei (U256); the floating point gas-used ratios are never used.
// ComputeFees is pure; EstimateFees does the RPC calls. Thread-safe (no shared state).
#pragma once
#include <cstdint>
#include <vector>

#include "chain/rpc.h"
#include "chain/types.h"
#include "core/result.h"

namespace cx::chain {

struct FeeOptions {
  uint64_t history_blocks = 10;
  double tip_percentile = 50.0;                  // of each block's rewards, in [0, 100]
  U256 min_tip = U256(1'000'000);                // 0.001 gwei: anvil/dev chains report 0 tips
  U256 max_tip = U256(0);                        // 0 = no cap
  uint64_t base_fee_multiplier = 2;              // survives ~6 full blocks of base-fee rise
  U256 max_fee_cap = U256(0);                    // 0 = no cap on maxFeePerGas / gasPrice
  uint64_t legacy_multiplier_pct = 100;          // gasPrice = node's * pct / 100
  bool force_legacy = false;                     // legacy even if the chain has a base fee
};

struct FeeQuote {
  bool eip1559 = true;
  U256 base_fee{};                  // next block's base fee (0 on legacy chains)
  U256 max_priority_fee_per_gas{};  // eip1559 only
  U256 max_fee_per_gas{};           // eip1559 only
  U256 gas_price{};                 // legacy only
  // The most a unit of gas can cost with this quote.
  const U256& max_price() const { return eip1559 ? max_fee_per_gas : gas_price; }
};

// Pure: quote from a fee history (reward percentiles must contain opts.tip_percentile at
// index `percentile_index`). kInvalidField when the history has no base fee.
Result<FeeQuote> ComputeEip1559Fees(const FeeHistory& history, size_t percentile_index,
                                    const FeeOptions& opts);
FeeQuote ComputeLegacyFees(const U256& node_gas_price, const FeeOptions& opts);

Result<FeeQuote> EstimateFees(RpcClient& rpc, const FeeOptions& opts = {});

// A replacement for a pending transaction must raise both fee fields by >= 10 % (geth's
// rule). Returns `old` bumped by `pct` (at least 10) and at least `fresh`.
FeeQuote BumpFees(const FeeQuote& old, const FeeQuote& fresh, uint64_t pct = 12);

}  // namespace cx::chain
