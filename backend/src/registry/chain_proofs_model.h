// Chain proofs and on-chain facts (issue 9, "chain-proofs"): what the engine records about
// journal anchoring, the on-chain CarbonMarket venue and on-chain retirements. Plain values
// owned by the engine thread (not thread-safe); the engine does no I/O: app/chain_anchor.h
// and app/chain_index.h turn what is pending here into transactions / read logs and report
// back as commands (registry/chain_proofs.cc decides and applies them).
//
// Contracts:
// - Anchors: every sealed journal block `height` is anchored by exactly one transaction
//   JournalAnchor.anchor(height, root, previousRoot), journaled as an intent (nonce, hash, raw
//   signed bytes) BEFORE it is sent. Heights are anchored in order: an intent for height h
//   needs h == 1 or an intent (sent or confirmed) for h - 1; a height with a live intent
//   (sent or confirmed) gets no second one; a failed intent may be replaced by a new one.
//   previousRoot is the root of height h - 1 (zero for h = 1): what the contract checks.
// - On-chain logs (ChainLogFact) are applied at the confirmation depth, once: the key is
//   (tx hash, log index); a repeat is refused with kConflict.
// - An on-chain retirement (CarbonCreditToken `Retired`) of a mirrored batch retires the
//   kilograms held on chain (kOnChainAccount, chain_model.h) as a normal registry retirement
//   (CreditsRetired, so certificates and proofs work unchanged), with its beneficiary and
//   reason; the certificate token id is the on-chain retirement id.
// - On-chain market listings/fills change no engine holding (tokens move between wallets
//   and the market contract, all of it outside the exchange); they are recorded as facts
//   and feed market data as venue "onchain".
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cx::registry {

enum class AnchorStatus : int32_t { kSent = 0, kConfirmed = 1, kFailed = 2 };
const char* AnchorStatusName(AnchorStatus s);

struct ChainAnchor {
  int64_t height = 0;
  std::string root;       // 0x + 64 hex
  std::string prev_root;  // 0x + 64 hex (zero for height 1)
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  int64_t nonce = 0;
  std::string tx_hash;  // 0x + 64 hex
  std::string raw;      // 0x + signed transaction bytes
  AnchorStatus status = AnchorStatus::kSent;
  int64_t block_number = 0;
  int64_t gas_used = 0;
  int64_t attempts = 1;  // intents journaled for this height (a failed one may be replaced)
  std::string error;
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("height", height); v("root", root); v("prev_root", prev_root); v("first_seq", first_seq);
    v("last_seq", last_seq); v("nonce", nonce); v("tx_hash", tx_hash); v("raw", raw); v("status", status);
    v("block_number", block_number); v("gas_used", gas_used); v("attempts", attempts); v("error", error);
    v("created_ts", created_ts); v("decided_ts", decided_ts);
  }
};

// One decoded, confirmed log of CarbonMarket or CarbonCreditToken. Amounts are integer kg;
// prices/costs are payment-token minor units as decimal strings (uint256 on chain).
enum class ChainLogKind : int32_t { kListingCreated = 0, kListingFilled = 1, kListingCancelled = 2, kRetired = 3 };
const char* ChainLogKindName(ChainLogKind k);

struct ChainLogFact {
  ChainLogKind kind = ChainLogKind::kListingCreated;
  std::string tx_hash;  // lower-case 0x hex
  int64_t log_index = 0;
  int64_t block_number = 0;
  int64_t block_ts = 0;   // block timestamp, unix seconds
  int64_t id = 0;         // listingId, or retirementId for kRetired
  std::string party;      // seller / buyer / retiring account (lower-case address)
  std::string token_id;   // decimal (empty for fills/cancels: known from the listing)
  int64_t amount_kg = 0;  // listed / filled / returned / retired
  std::string unit_price; // kListingCreated
  int64_t min_fill = 0;   // kListingCreated
  int64_t deadline = 0;   // kListingCreated (unix seconds)
  std::string cost;       // kListingFilled: totalCost
  std::string fee;        // kListingFilled
  std::string beneficiary;  // kRetired
  std::string reason;       // kRetired
  template <class V>
  void Fields(V& v) {
    v("kind", kind); v("tx_hash", tx_hash); v("log_index", log_index); v("block_number", block_number);
    v("block_ts", block_ts); v("id", id); v("party", party); v("token_id", token_id); v("amount_kg", amount_kg);
    v("unit_price", unit_price); v("min_fill", min_fill); v("deadline", deadline); v("cost", cost); v("fee", fee);
    v("beneficiary", beneficiary); v("reason", reason);
  }
};
inline std::string ChainLogKey(const std::string& tx_hash, int64_t log_index) {
  return tx_hash + "#" + std::to_string(log_index);
}

enum class OnchainListingStatus : int32_t { kOpen = 0, kFilled = 1, kCancelled = 2 };
const char* OnchainListingStatusName(OnchainListingStatus s);

struct OnchainListing {
  int64_t listing_id = 0;
  std::string seller;
  std::string token_id;
  int64_t batch = 0;  // 0: not a mirrored batch
  int64_t quantity_kg = 0;
  std::string unit_price;
  int64_t min_fill = 0;
  int64_t deadline = 0;
  int64_t remaining_kg = 0;
  OnchainListingStatus status = OnchainListingStatus::kOpen;
  std::string tx_hash;
  int64_t block_number = 0;
  int64_t ts = 0;  // unix seconds of the block
  template <class V>
  void Fields(V& v) {
    v("listing_id", listing_id); v("seller", seller); v("token_id", token_id); v("batch", batch);
    v("quantity_kg", quantity_kg); v("unit_price", unit_price); v("min_fill", min_fill); v("deadline", deadline);
    v("remaining_kg", remaining_kg); v("status", status); v("tx_hash", tx_hash); v("block_number", block_number);
    v("ts", ts);
  }
};

struct OnchainFill {
  int64_t listing_id = 0;
  std::string buyer;
  std::string token_id;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string unit_price;
  std::string cost;
  std::string fee;
  std::string tx_hash;
  int64_t log_index = 0;
  int64_t block_number = 0;
  int64_t ts = 0;  // unix seconds of the block
  template <class V>
  void Fields(V& v) {
    v("listing_id", listing_id); v("buyer", buyer); v("token_id", token_id); v("batch", batch);
    v("quantity_kg", quantity_kg); v("unit_price", unit_price); v("cost", cost); v("fee", fee);
    v("tx_hash", tx_hash); v("log_index", log_index); v("block_number", block_number); v("ts", ts);
  }
};

struct OnchainRetirement {
  int64_t retirement_id = 0;  // on-chain id = RetirementCertificate token id
  std::string holder;
  std::string token_id;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string beneficiary;
  std::string reason;
  std::string tx_hash;
  int64_t log_index = 0;
  int64_t block_number = 0;
  int64_t registry_retirement = 0;  // registry Retirement id (0: batch not mirrored / not held)
  template <class V>
  void Fields(V& v) {
    v("retirement_id", retirement_id); v("holder", holder); v("token_id", token_id); v("batch", batch);
    v("quantity_kg", quantity_kg); v("beneficiary", beneficiary); v("reason", reason); v("tx_hash", tx_hash);
    v("log_index", log_index); v("block_number", block_number); v("registry_retirement", registry_retirement);
  }
};

// All of it (a member of RegistryState).
struct ProofsBook {
  std::map<int64_t, ChainAnchor> anchors;  // by height
  std::set<int64_t> anchor_nonces;         // nonces journaled for anchors
  std::map<int64_t, OnchainListing> listings;
  std::vector<OnchainFill> fills;  // in chain order
  std::vector<OnchainRetirement> retirements;
  std::set<std::string> seen;  // ChainLogKey of applied logs
  int64_t AnchoredHeight() const;  // highest confirmed height with all below confirmed
};

// Snapshot form (one bytes field of the registry snapshot).
struct ProofsSnap {
  std::vector<ChainAnchor> anchors;
  std::vector<OnchainListing> listings;
  std::vector<OnchainFill> fills;
  std::vector<OnchainRetirement> retirements;
  std::vector<std::string> seen;
  template <class V>
  void Fields(V& v) {
    v("anchors", anchors); v("listings", listings); v("fills", fills); v("retirements", retirements);
    v("seen", seen);
  }
};

}  // namespace cx::registry
