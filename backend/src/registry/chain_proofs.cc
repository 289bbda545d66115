// Chain proofs in the engine (see chain_proofs_model.h): journal anchors (intent before send,
// one live intent per height, heights in order), confirmed CarbonMarket logs as an on-chain
// venue, and on-chain retirements reflected as registry retirements of the kilograms held on
// chain. Decide validates whole commands; Apply mutates; engine thread only.
#include <algorithm>

#include "core/codec.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Error Refuse(Code c, std::string msg, std::string field = {}) { return Err(c, std::move(msg), std::move(field)); }

bool IsLowerHex(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }

// "0x" + exactly 2 * n lower-case hex digits (n = 0: any even, non-zero count up to max_bytes).
bool IsHex(const std::string& s, size_t n, size_t max_bytes = 0) {
  if (s.size() < 2 || s[0] != '0' || s[1] != 'x') return false;
  const size_t digits = s.size() - 2;
  if (n != 0 && digits != 2 * n) return false;
  if (n == 0 && (digits == 0 || digits % 2 != 0 || digits > 2 * max_bytes)) return false;
  return std::all_of(s.begin() + 2, s.end(), IsLowerHex);
}

// A uint256 as a decimal string (no sign, no leading zeros except "0", at most 78 digits).
bool IsDecimal(const std::string& s) {
  if (s.empty() || s.size() > 78) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

const std::string kZero32 = "0x" + std::string(64, '0');
constexpr size_t kMaxRawTx = 4096;
constexpr size_t kMaxText = 1000;

}  // namespace

const char* AnchorStatusName(AnchorStatus s) {
  switch (s) {
    case AnchorStatus::kSent: return "sent";
    case AnchorStatus::kConfirmed: return "confirmed";
    case AnchorStatus::kFailed: return "failed";
  }
  return "?";
}

const char* ChainLogKindName(ChainLogKind k) {
  switch (k) {
    case ChainLogKind::kListingCreated: return "listing_created";
    case ChainLogKind::kListingFilled: return "listing_filled";
    case ChainLogKind::kListingCancelled: return "listing_cancelled";
    case ChainLogKind::kRetired: return "retired";
  }
  return "?";
}

const char* OnchainListingStatusName(OnchainListingStatus s) {
  switch (s) {
    case OnchainListingStatus::kOpen: return "open";
    case OnchainListingStatus::kFilled: return "filled";
    case OnchainListingStatus::kCancelled: return "cancelled";
  }
  return "?";
}

int64_t ProofsBook::AnchoredHeight() const {
  int64_t h = 0;
  for (const auto& [height, a] : anchors) {
    if (height != h + 1 || a.status != AnchorStatus::kConfirmed) break;
    h = height;
  }
  return h;
}

int64_t RegistryState::BatchOfToken(const std::string& token_id) const {
  if (token_id.empty()) return 0;
  for (const auto& [bid, cb] : chain_.batches)
    if (cb.token_id == token_id) return bid;
  return 0;
}

// ------------------------------------------------------------------ decide
Result<void> RegistryState::DecideProofsCommand(const Command& cmd, int64_t ts, std::vector<Event>& out) const {
  return std::visit(
      [&](const auto& c) -> Result<void> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, RecordAnchor>) {
          if (c.height < 1) return Refuse(Code::kInvalidField, "height starts at 1", "height");
          if (c.first_seq < 1 || c.last_seq < c.first_seq)
            return Refuse(Code::kInvalidField, "bad seq range", "first_seq");
          if (!IsHex(c.root, 32) || c.root == kZero32) return Refuse(Code::kInvalidField, "root: 32-byte hex, not zero", "root");
          if (!IsHex(c.prev_root, 32)) return Refuse(Code::kInvalidField, "prev_root: 32-byte hex", "prev_root");
          if (!IsHex(c.tx_hash, 32)) return Refuse(Code::kInvalidField, "tx_hash: 32-byte hex", "tx_hash");
          if (!IsHex(c.raw, 0, kMaxRawTx)) return Refuse(Code::kInvalidField, "raw: signed transaction hex", "raw");
          if (c.nonce < 0) return Refuse(Code::kInvalidField, "nonce must be >= 0", "nonce");
          auto it = proofs_.anchors.find(c.height);
          if (it != proofs_.anchors.end()) {
            if (it->second.status != AnchorStatus::kFailed)
              return Refuse(Code::kConflict, "this height already has a live anchor transaction", "height");
            if (it->second.root != c.root || it->second.first_seq != c.first_seq || it->second.last_seq != c.last_seq)
              return Refuse(Code::kInvalidField, "a block's root and range never change", "root");
          }
          if (c.height == 1) {
            if (c.prev_root != kZero32) return Refuse(Code::kInvalidField, "height 1 links to the zero root", "prev_root");
          } else {
            auto prev = proofs_.anchors.find(c.height - 1);
            if (prev == proofs_.anchors.end() || prev->second.status == AnchorStatus::kFailed)
              return Refuse(Code::kBadState, "heights are anchored in order: height " + std::to_string(c.height - 1) +
                                                 " has no live anchor", "height");
            if (prev->second.root != c.prev_root)
              return Refuse(Code::kInvalidField, "prev_root is not the root anchored at height - 1", "prev_root");
            if (prev->second.last_seq + 1 != c.first_seq)
              return Refuse(Code::kInvalidField, "blocks are contiguous: first_seq follows the previous block", "first_seq");
          }
          if (proofs_.anchor_nonces.count(c.nonce)) return Refuse(Code::kConflict, "nonce already journaled", "nonce");
          for (const auto& [id, tx] : chain_.txs)
            if (tx.nonce == c.nonce || tx.hash == c.tx_hash)
              return Refuse(Code::kConflict, "nonce or hash already journaled by a chain flow", "nonce");
          for (const auto& [h, a] : proofs_.anchors)
            if (a.tx_hash == c.tx_hash) return Refuse(Code::kConflict, "transaction already journaled", "tx_hash");
          ChainAnchor a;
          a.height = c.height;
          a.root = c.root;
          a.prev_root = c.prev_root;
          a.first_seq = c.first_seq;
          a.last_seq = c.last_seq;
          a.nonce = c.nonce;
          a.tx_hash = c.tx_hash;
          a.raw = c.raw;
          a.status = AnchorStatus::kSent;
          a.attempts = it == proofs_.anchors.end() ? 1 : it->second.attempts + 1;
          a.created_ts = ts;
          out.push_back(AnchorRecorded{std::move(a)});
          return Ok();
        } else if constexpr (std::is_same_v<T, SettleAnchor>) {
          auto it = proofs_.anchors.find(c.height);
          if (it == proofs_.anchors.end()) return Refuse(Code::kNotFound, "no anchor intent for this height", "height");
          if (it->second.status != AnchorStatus::kSent) return Refuse(Code::kConflict, "anchor already settled", "height");
          if (c.block_number < 0 || c.gas_used < 0) return Refuse(Code::kInvalidField, "negative block or gas", "block_number");
          if (c.error.size() > kMaxText) return Refuse(Code::kInvalidField, "error text too long", "error");
          out.push_back(AnchorSettled{c.height, c.ok, c.block_number, c.gas_used, c.error});
          return Ok();
        } else if constexpr (std::is_same_v<T, ObserveChainLog>) {
          const ChainLogFact& f = c.fact;
          if (!IsHex(f.tx_hash, 32)) return Refuse(Code::kInvalidField, "tx_hash: 32-byte lower-case hex", "tx_hash");
          if (f.log_index < 0 || f.block_number < 0 || f.block_ts < 0 || f.id < 0)
            return Refuse(Code::kInvalidField, "negative index, block, time or id", "log_index");
          if (proofs_.seen.count(ChainLogKey(f.tx_hash, f.log_index)))
            return Refuse(Code::kConflict, "log already applied", "tx_hash");
          if (!f.party.empty() && !IsHex(f.party, 20))
            return Refuse(Code::kInvalidField, "party: lower-case address", "party");
          if (f.amount_kg < 0) return Refuse(Code::kBadQuantity, "negative amount", "amount_kg");
          if (f.beneficiary.size() > kMaxText || f.reason.size() > kMaxText)
            return Refuse(Code::kInvalidField, "text too long", "beneficiary");
          const auto listing = proofs_.listings.find(f.id);
          switch (f.kind) {
            case ChainLogKind::kListingCreated: {
              if (listing != proofs_.listings.end()) return Refuse(Code::kConflict, "listing already known", "id");
              if (!IsDecimal(f.token_id)) return Refuse(Code::kInvalidField, "token_id: decimal", "token_id");
              if (!IsDecimal(f.unit_price)) return Refuse(Code::kInvalidField, "unit_price: decimal", "unit_price");
              if (f.amount_kg == 0) return Refuse(Code::kBadQuantity, "empty listing", "amount_kg");
              if (f.min_fill < 0 || f.deadline < 0) return Refuse(Code::kInvalidField, "negative min_fill or deadline", "min_fill");
              out.push_back(ChainLogObserved{f, BatchOfToken(f.token_id), 0});
              return Ok();
            }
            case ChainLogKind::kListingFilled: {
              if (listing == proofs_.listings.end()) return Refuse(Code::kNotFound, "unknown listing", "id");
              if (f.amount_kg == 0 || f.amount_kg > listing->second.remaining_kg)
                return Refuse(Code::kBadQuantity, "fill beyond the listing's remaining amount", "amount_kg");
              if (!IsDecimal(f.cost) || !IsDecimal(f.fee)) return Refuse(Code::kInvalidField, "cost and fee: decimal", "cost");
              out.push_back(ChainLogObserved{f, listing->second.batch, 0});
              return Ok();
            }
            case ChainLogKind::kListingCancelled: {
              if (listing == proofs_.listings.end()) return Refuse(Code::kNotFound, "unknown listing", "id");
              if (listing->second.status != OnchainListingStatus::kOpen)
                return Refuse(Code::kBadState, "listing not open", "id");
              out.push_back(ChainLogObserved{f, listing->second.batch, 0});
              return Ok();
            }
            case ChainLogKind::kRetired: {
              if (!IsDecimal(f.token_id)) return Refuse(Code::kInvalidField, "token_id: decimal", "token_id");
              if (f.amount_kg == 0) return Refuse(Code::kBadQuantity, "empty retirement", "amount_kg");
              const int64_t bid = BatchOfToken(f.token_id);
              const Holding* h = bid ? holding(kOnChainAccount, bid) : nullptr;
              if (h && h->tradable.total() >= f.amount_kg) {
                // The burned tokens were among the kilograms held on chain: retire those serials.
                Retirement r;
                r.id = next_.retirement;
                r.account = kOnChainAccount;
                r.batch = bid;
                r.quantity_kg = f.amount_kg;
                r.ranges = h->tradable.PeekLowest(f.amount_kg);
                r.beneficiary = f.beneficiary;
                r.reason = f.reason;
                r.ts = ts;
                out.push_back(CreditsRetired{r, "chain:" + ChainLogKey(f.tx_hash, f.log_index)});
                out.push_back(ChainLogObserved{f, bid, r.id});
              } else {
                // Not a mirrored batch, or more than the engine knows on chain: kept on record only.
                out.push_back(ChainLogObserved{f, bid, 0});
              }
              return Ok();
            }
          }
          return Refuse(Code::kInvalidField, "unknown log kind", "kind");
        } else {
          return Refuse(Code::kInternal, "not a chain-proofs command");
        }
      },
      cmd);
}

// ------------------------------------------------------------------ apply
void RegistryState::ApplyProofsEvent(const Event& ev, int64_t /*seq*/, int64_t ts) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, AnchorRecorded>) {
          proofs_.anchors[e.anchor.height] = e.anchor;
          proofs_.anchor_nonces.insert(e.anchor.nonce);
        } else if constexpr (std::is_same_v<T, AnchorSettled>) {
          ChainAnchor& a = proofs_.anchors[e.height];
          a.status = e.ok ? AnchorStatus::kConfirmed : AnchorStatus::kFailed;
          a.block_number = e.block_number;
          a.gas_used = e.gas_used;
          a.error = e.error;
          a.decided_ts = ts;
        } else if constexpr (std::is_same_v<T, ChainLogObserved>) {
          const ChainLogFact& f = e.fact;
          proofs_.seen.insert(ChainLogKey(f.tx_hash, f.log_index));
          switch (f.kind) {
            case ChainLogKind::kListingCreated: {
              OnchainListing& l = proofs_.listings[f.id];
              l.listing_id = f.id;
              l.seller = f.party;
              l.token_id = f.token_id;
              l.batch = e.batch;
              l.quantity_kg = f.amount_kg;
              l.unit_price = f.unit_price;
              l.min_fill = f.min_fill;
              l.deadline = f.deadline;
              l.remaining_kg = f.amount_kg;
              l.status = OnchainListingStatus::kOpen;
              l.tx_hash = f.tx_hash;
              l.block_number = f.block_number;
              l.ts = f.block_ts;
              break;
            }
            case ChainLogKind::kListingFilled: {
              OnchainListing& l = proofs_.listings[f.id];
              l.remaining_kg -= f.amount_kg;
              if (l.remaining_kg <= 0) l.status = OnchainListingStatus::kFilled;
              OnchainFill x;
              x.listing_id = f.id;
              x.buyer = f.party;
              x.token_id = l.token_id;
              x.batch = l.batch;
              x.quantity_kg = f.amount_kg;
              x.unit_price = l.unit_price;
              x.cost = f.cost;
              x.fee = f.fee;
              x.tx_hash = f.tx_hash;
              x.log_index = f.log_index;
              x.block_number = f.block_number;
              x.ts = f.block_ts;
              proofs_.fills.push_back(std::move(x));
              break;
            }
            case ChainLogKind::kListingCancelled: {
              OnchainListing& l = proofs_.listings[f.id];
              l.status = OnchainListingStatus::kCancelled;
              l.remaining_kg = 0;
              break;
            }
            case ChainLogKind::kRetired: {
              OnchainRetirement r;
              r.retirement_id = f.id;
              r.holder = f.party;
              r.token_id = f.token_id;
              r.batch = e.batch;
              r.quantity_kg = f.amount_kg;
              r.beneficiary = f.beneficiary;
              r.reason = f.reason;
              r.tx_hash = f.tx_hash;
              r.log_index = f.log_index;
              r.block_number = f.block_number;
              r.registry_retirement = e.retirement;
              proofs_.retirements.push_back(std::move(r));
              break;
            }
          }
        }
      },
      ev);
}

int64_t RegistryState::RetiredOnChainKg(int64_t batch_id) const {
  int64_t kg = 0;
  for (const auto& r : proofs_.retirements)
    if (r.batch == batch_id && r.registry_retirement != 0) kg += r.quantity_kg;
  return kg;
}

// ------------------------------------------------------------------ snapshot
std::string RegistryState::SnapshotProofs() const {
  ProofsSnap s;
  for (const auto& [h, a] : proofs_.anchors) s.anchors.push_back(a);
  for (const auto& [id, l] : proofs_.listings) s.listings.push_back(l);
  s.fills = proofs_.fills;
  s.retirements = proofs_.retirements;
  s.seen.assign(proofs_.seen.begin(), proofs_.seen.end());
  return Encode(s);
}

bool RegistryState::RestoreProofs(std::string_view bytes) {
  proofs_ = ProofsBook();
  if (bytes.empty()) return true;  // snapshots written before chain proofs existed
  ProofsSnap s;
  if (!Decode(bytes, s)) return false;
  for (auto& a : s.anchors) {
    proofs_.anchor_nonces.insert(a.nonce);
    proofs_.anchors[a.height] = std::move(a);
  }
  for (auto& l : s.listings) proofs_.listings[l.listing_id] = std::move(l);
  proofs_.fills = std::move(s.fills);
  proofs_.retirements = std::move(s.retirements);
  proofs_.seen.insert(s.seen.begin(), s.seen.end());
  return true;
}

}  // namespace cx::registry
