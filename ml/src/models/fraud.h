// Market-abuse detectors over the exchange's own order events and trades.
//
// Inputs are plain structs (the server builds them from its read models; the CLI from
// CSV files). All detectors are pure functions: same input, same alerts, no I/O, no
// clock. Thread-safe. Settings are general rules reasoned from how each abuse works, with
// defaults documented beside each field; they are not fitted to any labelled data set.
//
// - Self-trade: buyer and seller are the same account.
// - Wash trading among linked accounts (after Victor & Weintraud 2021): colluding
//   accounts must pre-arrange their trades, so one rests an order for a moment and the
//   partner takes exactly that quantity. Pairs whose mutual trades are mostly such
//   pre-arranged trades are linked; linked pairs are joined into groups (union-find), and
//   every trade between two members of a group is flagged, with the group's trade cycles
//   (A->B ... ->A within a window) and members' net positions as evidence.
// - Spoofing / layering: an order much larger than the account's own typical order,
//   cancelled within seconds, while the same account traded (or sent a marketable order)
//   on the other side of the same instrument during the order's life. An opposite
//   order that traded with the account's own order and was sized to take the large
//   order (at least half of it) is a self-trade, not such a trade. Layering: the
//   account's other same-side orders placed within a few ms of a flagged one and
//   cancelled quickly belong to the same episode.
// - Marking the close, round-size and first-digit (Benford) tests on volumes (after Cong
//   et al. 2022), and robust anomaly scores per account: account-level alerts.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::ml {

enum class Side : uint8_t { kBuy, kSell };

struct OrderEvent {
  int64_t ts_ms = 0;
  bool cancel = false;     // false: a new order; true: the remainder of order_id cancelled
  int64_t order_id = 0;
  std::string account;
  int32_t instrument = 0;
  Side side = Side::kBuy;
  bool market = false;     // market order (no price)
  int64_t price = 0;       // cents per tonne; 0 for market orders
  int64_t qty = 0;         // kg; for a cancel, the quantity cancelled
};

struct Trade {
  int64_t ts_ms = 0;
  int64_t trade_id = 0;
  int32_t instrument = 0;
  int64_t price = 0;  // cents per tonne
  int64_t qty = 0;    // kg
  int64_t buy_order_id = 0, sell_order_id = 0;
  std::string buyer, seller;
  Side aggressor = Side::kBuy;
};

enum class AlertKind : uint8_t {
  kSelfTrade, kWash, kSpoof, kMarkingClose, kRoundSize, kFirstDigit, kAnomaly
};
std::string_view AlertKindName(AlertKind k);  // "selftrade", "wash", "spoof", ...

struct Alert {
  AlertKind kind = AlertKind::kSelfTrade;
  int64_t id = 0;       // trade id (selftrade, wash, marking_close), order id (spoof), 0 account-level
  std::string account;  // the account (or "a+b+c" for a group)
  double score = 0;     // detector-specific strength, higher = stronger
  std::string evidence;
};

struct WashOptions {
  // A trade is pre-arranged when the resting order was at most this old and the taker's
  // order was for exactly the resting order's quantity. Human reaction plus network
  // latency puts an arranged counter-order within about a second; honest resting
  // liquidity typically waits far longer for a taker of exactly its size.
  int64_t max_maker_age_ms = 1000;
  // A pair of accounts is linked after this many pre-arranged trades between them...
  int min_prearranged = 3;
  // ...when they are at least this share of all trades between the two. Honest pairs
  // that trade a lot (a market maker and a busy taker) fail this test.
  double min_prearranged_share = 0.5;
  int64_t cycle_window_ms = 15 * 60 * 1000;  // window for trade cycles (evidence)
};

struct SpoofOptions {
  double min_size_vs_own_median = 5.0;   // order size / the account's median order size
  int min_account_orders = 10;           // fewer orders: no reliable typical size
  int64_t max_life_ms = 10000;           // cancelled within this after placement
  // Layering: orders on the same side and instrument that the same account placed
  // within this many ms of a flagged order, and cancelled within max_life_ms, belong
  // to the same episode and are flagged with it whatever their size. Honest quoting
  // puts one order per side at a time.
  int64_t layer_window_ms = 50;
};

struct CloseOptions {
  int64_t window_ms = 10 * 60 * 1000;   // the last minutes before the close
  double min_volume_share = 0.25;       // of the instrument's volume in that window
  double min_price_move = 0.01;         // relative move over the window
  int min_trades = 5;
};

struct DigitOptions {
  int min_trades = 50;          // per account, for the round-size and Benford tests
  double round_z = 4.0;         // binomial z-score vs the market's round-size share
  // First digits of an account's trade sizes vs the whole market's: chi-square with 8
  // degrees of freedom above this (p < 0.001). Benford's law itself only holds for
  // sizes spanning several orders of magnitude, so the market is the reference; its
  // own Benford MAD is reported in the summary (Cong et al. 2022 test exchanges so).
  double digit_chi2 = 26.12;
  int64_t round_unit_kg = 10000;  // 10 t
};

struct FraudOptions {
  WashOptions wash;
  SpoofOptions spoof;
  CloseOptions close;
  DigitOptions digits;
  double anomaly_z = 6.0;  // robust z-score threshold (median / MAD) for account features
  bool account_level = true;  // run marking-the-close, digit and anomaly tests
};

struct FraudSummary {
  size_t orders = 0, trades = 0, accounts = 0;
  double market_benford_mad = 0;  // > 0.015: nonconforming (Nigrini)
  size_t wash_groups = 0;
  std::vector<std::vector<std::string>> groups;  // linked accounts found
};

struct FraudReport {
  std::vector<Alert> alerts;
  FraudSummary summary;
};

// Events are processed in time order (a stable sort by ts_ms is applied when the input
// is not). kInvalidField for non-positive quantities or prices, or an order id that is
// new twice. A cancel without its new order, or a trade whose orders are unknown (from
// before the window), is tolerated: it just carries less evidence.
Result<FraudReport> DetectMarketAbuse(std::span<const OrderEvent> orders, std::span<const Trade> trades,
                                      const FraudOptions& opt = {});

// Individual detectors, for callers that only need one.
std::vector<Alert> DetectSelfTrades(std::span<const Trade> trades);

// Benford first-digit mean absolute deviation of positive values (0 for none).
double BenfordMad(std::span<const int64_t> values);
// Robust z-scores (x - median) / (1.4826 * MAD); 0 where MAD is 0.
std::vector<double> RobustZ(std::span<const double> x);

}  // namespace cx::ml
