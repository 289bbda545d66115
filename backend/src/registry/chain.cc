// Chain flows, the registry side (see chain_model.h): batch mirroring with verifier approvals,
// transaction intents and their outcomes, withdrawals to wallets and deposits back.
// Decide validates whole commands; Apply mutates; both run on the engine thread only, and
// neither does I/O (the chain worker sends and observes; outcomes come back as commands).
#include <algorithm>
#include <cctype>

#include "core/codec.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Error Refuse(Code c, std::string msg, std::string field = {}) { return Err(c, std::move(msg), std::move(field)); }

bool IsHexOf(const std::string& s, size_t bytes) {
  if (s.size() != 2 + 2 * bytes || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  return std::all_of(s.begin() + 2, s.end(), [](unsigned char ch) { return std::isxdigit(ch) != 0; });
}

bool IsHexBlob(const std::string& s, size_t max_bytes) {
  if (s.size() < 4 || s.size() % 2 != 0 || s.size() > 2 + 2 * max_bytes || s[0] != '0' || s[1] != 'x') return false;
  return std::all_of(s.begin() + 2, s.end(), [](unsigned char ch) { return std::isxdigit(ch) != 0; });
}

std::string Lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

bool IsDecimal(const std::string& s) {
  return !s.empty() && s.size() <= 78 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// The mirroring step a transaction kind confirms.
ChainStep StepOf(ChainTxKind k) {
  switch (k) {
    case ChainTxKind::kRegisterProject: return ChainStep::kProjectRegistered;
    case ChainTxKind::kProposeIssuance: return ChainStep::kProposed;
    case ChainTxKind::kVerifyIssuance: return ChainStep::kVerified;
    case ChainTxKind::kCreateBatch: return ChainStep::kCreated;
    case ChainTxKind::kMint: return ChainStep::kMinted;
    case ChainTxKind::kWithdraw: break;
  }
  return ChainStep::kNone;
}

constexpr size_t kMaxRawTxBytes = 128 * 1024;
constexpr size_t kMaxApprovals = 32;  // VerificationRegistry.MAX_SIGNATURES

}  // namespace

const char* ChainTxKindName(ChainTxKind k) {
  switch (k) {
    case ChainTxKind::kRegisterProject: return "registerProject";
    case ChainTxKind::kProposeIssuance: return "proposeIssuance";
    case ChainTxKind::kVerifyIssuance: return "verifyIssuance";
    case ChainTxKind::kCreateBatch: return "createBatch";
    case ChainTxKind::kMint: return "mint";
    case ChainTxKind::kWithdraw: return "withdraw";
  }
  return "unknown";
}

const char* ChainTxStatusName(ChainTxStatus s) {
  switch (s) {
    case ChainTxStatus::kSent: return "sent";
    case ChainTxStatus::kConfirmed: return "confirmed";
    case ChainTxStatus::kFailed: return "failed";
  }
  return "sent";
}

const char* ChainStepName(ChainStep s) {
  switch (s) {
    case ChainStep::kNone: return "pending";
    case ChainStep::kProjectRegistered: return "project_registered";
    case ChainStep::kProposed: return "proposed";
    case ChainStep::kVerified: return "verified";
    case ChainStep::kCreated: return "created";
    case ChainStep::kMinted: return "minted";
  }
  return "pending";
}

const char* ChainWithdrawalStatusName(ChainWithdrawalStatus s) {
  switch (s) {
    case ChainWithdrawalStatus::kRequested: return "requested";
    case ChainWithdrawalStatus::kSent: return "sent";
    case ChainWithdrawalStatus::kConfirmed: return "confirmed";
    case ChainWithdrawalStatus::kFailed: return "failed";
    case ChainWithdrawalStatus::kReleased: return "released";
  }
  return "requested";
}

const char* ChainDepositStatusName(ChainDepositStatus s) {
  switch (s) {
    case ChainDepositStatus::kSeen: return "seen";
    case ChainDepositStatus::kCredited: return "credited";
    case ChainDepositStatus::kReorged: return "reorged";
    case ChainDepositStatus::kUnclaimed: return "unclaimed";
  }
  return "seen";
}

std::string ChainAccountRef(int64_t account) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x" + std::string(48, '0');
  auto u = static_cast<uint64_t>(account);
  std::string tail(16, '0');
  for (int i = 15; i >= 0; --i) {
    tail[static_cast<size_t>(i)] = kHex[u & 15U];
    u >>= 4;
  }
  return out + tail;
}

int64_t ChainAccountOfRef(const std::string& ref) {
  if (!IsHexOf(ref, 32)) return 0;
  const std::string r = Lower(ref);
  for (size_t i = 2; i < 2 + 48; ++i)
    if (r[i] != '0') return 0;
  uint64_t v = 0;
  for (size_t i = 50; i < r.size(); ++i) {
    const char ch = r[i];
    v = (v << 4) | static_cast<uint64_t>(ch <= '9' ? ch - '0' : ch - 'a' + 10);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return 0;
  return static_cast<int64_t>(v);
}

// ------------------------------------------------------------------ reads
const ChainBatch* RegistryState::chain_batch(int64_t batch_id) const {
  auto it = chain_.batches.find(batch_id);
  return it == chain_.batches.end() ? nullptr : &it->second;
}

int64_t RegistryState::OnChainHeld(int64_t batch_id) const {
  const Holding* h = holding(kOnChainAccount, batch_id);
  return h ? h->tradable.total() : 0;
}

void RegistryState::AddChainEscrow(std::map<std::pair<int64_t, int64_t>, int64_t>& escrowed) const {
  for (const auto& [id, w] : chain_.withdrawals)
    if (w.status == ChainWithdrawalStatus::kRequested || w.status == ChainWithdrawalStatus::kSent)
      escrowed[{w.account, w.batch}] += w.quantity_kg;
}

Result<void> RegistryState::CheckChainInvariants() const {
  std::map<int64_t, int64_t> out;  // batch -> withdrawn - deposited
  for (const auto& [id, w] : chain_.withdrawals)
    if (w.status == ChainWithdrawalStatus::kConfirmed) out[w.batch] += w.quantity_kg;
  for (const auto& [k, d] : chain_.deposits)
    if (d.status == ChainDepositStatus::kCredited) out[d.batch] -= d.quantity_kg;
  for (const auto& [bid, cb] : chain_.batches) {
    // Held in wallets, or retired on chain from there (chain_proofs.cc: CarbonCreditToken `Retired`).
    const Holding* h = holding(kOnChainAccount, bid);
    const int64_t held = h ? h->tradable.total() + h->retired_kg : 0;
    auto it = out.find(bid);
    const int64_t want = it == out.end() ? 0 : it->second;
    if (held != want)
      return Err(Code::kInternal, "batch " + std::to_string(bid) + ": held or retired on chain " + std::to_string(held) +
                                      " kg, withdrawn - deposited " + std::to_string(want) + " kg");
    if (held > cb.minted_kg) return Err(Code::kInternal, "batch " + std::to_string(bid) + ": more on chain than minted");
  }
  return Ok();
}

// ------------------------------------------------------------------ decide
Result<void> RegistryState::DecideChainCommand(const Command& cmd, int64_t ts, std::vector<Event>& out) const {
  return std::visit(
      [&](const auto& c) -> Result<void> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SetChainConfig>) {
          if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admins only");
          const ChainConfig& k = c.config;
          if (k.chain_id <= 0) return Refuse(Code::kInvalidField, "chain id must be positive", "chain_id");
          for (const auto* a : {&k.registry, &k.token, &k.market, &k.operator_address})
            if (!IsHexOf(*a, 20)) return Refuse(Code::kInvalidField, "contract and operator addresses: 0x + 40 hex", "contracts");
          if (!k.anchor.empty() && !IsHexOf(k.anchor, 20)) return Refuse(Code::kInvalidField, "bad anchor address", "contracts");
          if (k.confirmations < 0 || k.confirmations > 1000) return Refuse(Code::kInvalidField, "0..1000", "confirmations");
          if (k.threshold < 1 || k.threshold > static_cast<int64_t>(kMaxApprovals))
            return Refuse(Code::kInvalidField, "1..32", "threshold");
          if (k.network.size() > 64) return Refuse(Code::kInvalidField, "network name too long", "network");
          ChainConfig n = k;
          for (auto* a : {&n.registry, &n.token, &n.market, &n.anchor, &n.operator_address}) *a = Lower(*a);
          if (chain_.configured) {
            const ChainConfig& o = chain_.config;
            // The mirror's records name these contracts: moving them would orphan them.
            if (!chain_.batches.empty() && (o.chain_id != n.chain_id || o.token != n.token || o.market != n.market ||
                                            o.registry != n.registry))
              return Refuse(Code::kConflict, "batches are mirrored on another chain or contracts", "contracts");
            if (o.chain_id == n.chain_id && o.network == n.network && o.registry == n.registry && o.token == n.token &&
                o.market == n.market && o.anchor == n.anchor && o.operator_address == n.operator_address &&
                o.confirmations == n.confirmations && o.threshold == n.threshold)
              return Refuse(Code::kConflict, "unchanged");
          }
          out.push_back(ChainConfigured{n, c.actor});
        } else if constexpr (std::is_same_v<T, MirrorChainBatch>) {
          if (!chain_.configured) return Refuse(Code::kUnavailable, "chain not configured");
          const Batch* b = batch(c.batch);
          if (!b) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
          if (!b->issuance) return Refuse(Code::kBadState, "only batches issued here are mirrored", "batch");
          if (chain_.batches.count(c.batch)) return Refuse(Code::kConflict, "already mirrored", "batch");
          for (const auto* h : {&c.project_id, &c.class_id, &c.issuance_id, &c.batch_data_hash})
            if (!IsHexOf(*h, 32)) return Refuse(Code::kInvalidField, "bytes32: 0x + 64 hex", "batch_data_hash");
          if (c.metadata_uri.rfind("ipfs://", 0) != 0 || c.metadata_uri.size() < 10 || c.metadata_uri.size() > 200)
            return Refuse(Code::kInvalidField, "ipfs:// + CID", "metadata_uri");
          if (!IsHexOf(c.developer, 20)) return Refuse(Code::kInvalidField, "0x + 40 hex", "developer");
          if (!IsDecimal(c.token_id) || c.token_id == "0") return Refuse(Code::kInvalidField, "decimal, not 0", "token_id");
          for (const auto& [id, x] : chain_.batches) {
            if (x.token_id == c.token_id) return Refuse(Code::kConflict, "token id in use", "token_id");
            if (x.issuance_id == Lower(c.issuance_id)) return Refuse(Code::kConflict, "issuance id in use", "issuance_id");
          }
          ChainBatch cb;
          cb.batch = b->id;
          cb.issuance = b->issuance;
          cb.project = b->project;
          cb.token_id = c.token_id;
          cb.project_id = Lower(c.project_id);
          cb.class_id = Lower(c.class_id);
          cb.issuance_id = Lower(c.issuance_id);
          cb.batch_data_hash = Lower(c.batch_data_hash);
          cb.metadata_uri = c.metadata_uri;
          cb.developer = Lower(c.developer);
          cb.amount_kg = b->quantity_kg;
          cb.threshold = chain_.config.threshold;
          // A project already registered on chain by an earlier batch needs no second call.
          for (const auto& [id, x] : chain_.batches)
            if (x.project_id == cb.project_id && x.step >= ChainStep::kProjectRegistered) cb.step = ChainStep::kProjectRegistered;
          cb.created_ts = ts;
          out.push_back(ChainBatchMirrored{cb});
        } else if constexpr (std::is_same_v<T, AddChainApproval>) {
          if (!chain_.configured) return Refuse(Code::kUnavailable, "chain not configured");
          const Issuance* is = issuance(c.issuance);
          if (!is) return Refuse(Code::kUnknownIssuance, "no such issuance", "issuance");
          const ChainBatch* cb = is->batch ? chain_batch(is->batch) : nullptr;
          if (!cb) return Refuse(Code::kBadState, "the issuance's batch is not mirrored on chain yet", "issuance");
          const User* u = user(c.actor);
          if (!u || !(u->roles & kVerifier)) return Refuse(Code::kForbidden, "verifiers only");
          if (cb->step >= ChainStep::kVerified ||
              (cb->pending_tx && chain_.txs.at(cb->pending_tx).kind == ChainTxKind::kVerifyIssuance))
            return Refuse(Code::kBadState, "already verified on chain", "issuance");
          if (!IsHexOf(c.signature, 65)) return Refuse(Code::kInvalidField, "0x + 130 hex", "signature");
          const std::string addr = Lower(c.address);
          auto w = wallets_.find(addr);
          if (!IsHexOf(addr, 20) || w == wallets_.end() || w->second != c.actor)
            return Refuse(Code::kForbidden, "the signer is not a wallet linked to your account", "signature");
          if (const Project* p = project(cb->project); p && p->developer == c.actor)
            return Refuse(Code::kVerifierConflict, "the project's developer cannot verify it", "issuance");
          if (cb->approvals.size() >= kMaxApprovals) return Refuse(Code::kBadState, "enough signatures", "signature");
          for (const auto& a : cb->approvals) {
            if (a.verifier == c.actor) return Refuse(Code::kAlreadyApproved, "you already signed", "signature");
            if (a.address == addr) return Refuse(Code::kDuplicateVerifier, "this wallet already signed", "signature");
          }
          out.push_back(ChainApprovalAdded{cb->batch, ChainApproval{c.actor, addr, Lower(c.signature)}});
        } else if constexpr (std::is_same_v<T, RecordChainTx>) {
          if (!chain_.configured) return Refuse(Code::kUnavailable, "chain not configured");
          if (!IsHexOf(c.hash, 32)) return Refuse(Code::kInvalidField, "0x + 64 hex", "hash");
          if (!IsHexBlob(c.raw, kMaxRawTxBytes)) return Refuse(Code::kInvalidField, "0x + signed tx bytes", "raw");
          if (c.nonce < 0) return Refuse(Code::kInvalidField, "negative nonce", "nonce");
          for (const auto& [id, t] : chain_.txs) {
            if (t.hash == Lower(c.hash)) return Refuse(Code::kConflict, "transaction already journaled", "hash");
            if (t.nonce == c.nonce && t.status != ChainTxStatus::kFailed)
              return Refuse(Code::kConflict, "nonce already used by a journaled transaction", "nonce");
          }
          if (proofs_.anchor_nonces.count(c.nonce))  // same operator key: anchors share the sequence
            return Refuse(Code::kConflict, "nonce already used by a journaled anchor", "nonce");
          if (c.kind == ChainTxKind::kWithdraw) {
            auto it = chain_.withdrawals.find(c.ref);
            if (it == chain_.withdrawals.end()) return Refuse(Code::kNotFound, "no such chain withdrawal", "ref");
            if (it->second.status != ChainWithdrawalStatus::kRequested)
              return Refuse(Code::kBadState, "withdrawal already sent or finished", "ref");
          } else {
            const ChainStep want = StepOf(c.kind);
            if (want == ChainStep::kNone) return Refuse(Code::kInvalidField, "unknown kind", "kind");
            const ChainBatch* cb = chain_batch(c.ref);
            if (!cb) return Refuse(Code::kUnknownBatch, "batch not mirrored", "ref");
            if (cb->pending_tx) return Refuse(Code::kBadState, "a transaction for this batch is in flight", "ref");
            if (static_cast<int32_t>(want) != static_cast<int32_t>(cb->step) + 1)
              return Refuse(Code::kBadState, std::string("next step is not ") + ChainTxKindName(c.kind), "kind");
            if (want == ChainStep::kVerified && static_cast<int64_t>(cb->approvals.size()) < cb->threshold)
              return Refuse(Code::kBadState, "not enough verifier signatures", "kind");
          }
          ChainTx t;
          t.id = chain_.next_tx;
          t.kind = c.kind;
          t.ref = c.ref;
          t.nonce = c.nonce;
          t.hash = Lower(c.hash);
          t.raw = Lower(c.raw);
          t.created_ts = ts;
          out.push_back(ChainTxRecorded{t});
        } else if constexpr (std::is_same_v<T, SettleChainTx>) {
          auto it = chain_.txs.find(c.tx);
          if (it == chain_.txs.end()) return Refuse(Code::kNotFound, "no such chain transaction", "tx");
          const ChainTx& t = it->second;
          if (t.status != ChainTxStatus::kSent) return Refuse(Code::kConflict, "already settled", "tx");
          if (c.error.size() > 1000) return Refuse(Code::kInvalidField, "error too long", "error");
          ChainTxSettled e{t.id, c.ok, c.block, c.error, {}};
          if (t.kind == ChainTxKind::kWithdraw && c.ok) {
            const ChainWithdrawal& w = chain_.withdrawals.at(t.ref);
            const Holding* h = holding(w.account, w.batch);
            if (!h || h->tradable.total() < w.quantity_kg) return Refuse(Code::kInternal, "escrowed credits missing");
            e.ranges = h->tradable.PeekLowest(w.quantity_kg);
          }
          out.push_back(std::move(e));
        } else if constexpr (std::is_same_v<T, RequestChainWithdrawal>) {
          if (!chain_.configured) return Refuse(Code::kUnavailable, "chain not configured");
          const int64_t account = OwnAccountIfZero(c.actor, c.account);
          CX_TRY(CheckActorOwns(c.actor, account));
          const ChainBatch* cb = chain_batch(c.batch);
          if (!batch(c.batch)) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
          if (!cb || cb->step != ChainStep::kMinted) return Refuse(Code::kBadState, "this batch is not on chain yet", "batch");
          if (c.quantity_kg <= 0) return Refuse(Code::kBadQuantity, "quantity must be positive", "quantity");
          std::string to = c.to;
          if (to.empty()) {
            const auto ws = WalletsOf(c.actor);
            if (ws.empty()) return Refuse(Code::kInvalidField, "link a wallet first, or name one", "to");
            to = ws.front();
          }
          if (!IsHexOf(to, 20)) return Refuse(Code::kInvalidField, "an Ethereum address: 0x and 40 hex digits", "to");
          to = Lower(to);
          if (to == std::string("0x") + std::string(40, '0')) return Refuse(Code::kInvalidField, "the zero address", "to");
          if (c.expiry <= ts / 1'000'000) return Refuse(Code::kInvalidField, "expiry in the past", "expiry");
          CX_TRY(CanEscrow(account, c.batch, c.quantity_kg));
          // Custody on chain must cover it: minted - held on chain - withdrawals in flight.
          int64_t in_flight = 0;
          for (const auto& [id, w] : chain_.withdrawals)
            if (w.batch == c.batch &&
                (w.status == ChainWithdrawalStatus::kRequested || w.status == ChainWithdrawalStatus::kSent))
              in_flight += w.quantity_kg;
          if (cb->minted_kg - OnChainHeld(c.batch) - in_flight < c.quantity_kg)
            return Refuse(Code::kInsufficientCredits, "not enough credits in custody on chain", "quantity");
          ChainWithdrawal w;
          w.id = chain_.next_withdrawal;
          w.account = account;
          w.user = c.actor ? c.actor : UserOfAccount(account);
          w.batch = c.batch;
          w.quantity_kg = c.quantity_kg;
          w.to = to;
          w.expiry = c.expiry;
          w.created_ts = ts;
          out.push_back(ChainWithdrawalRequested{w});
        } else if constexpr (std::is_same_v<T, ReleaseChainWithdrawal>) {
          auto it = chain_.withdrawals.find(c.withdrawal);
          if (it == chain_.withdrawals.end()) return Refuse(Code::kNotFound, "no such chain withdrawal", "withdrawal");
          // Only before any transaction was journaled: a sent one is settled by its receipt.
          if (it->second.status != ChainWithdrawalStatus::kRequested)
            return Refuse(Code::kBadState, "not releasable now", "withdrawal");
          out.push_back(ChainWithdrawalReleased{c.withdrawal, c.reason});
        } else if constexpr (std::is_same_v<T, ObserveChainDeposit>) {
          if (!chain_.configured) return Refuse(Code::kUnavailable, "chain not configured");
          if (!IsHexOf(c.tx_hash, 32)) return Refuse(Code::kInvalidField, "0x + 64 hex", "tx_hash");
          if (c.log_index < 0 || c.block_number < 0) return Refuse(Code::kInvalidField, "negative", "log_index");
          if (!IsHexOf(c.account_ref, 32)) return Refuse(Code::kInvalidField, "bytes32", "account_ref");
          if (!IsDecimal(c.token_id)) return Refuse(Code::kInvalidField, "decimal", "token_id");
          if (c.quantity_kg <= 0) return Refuse(Code::kBadQuantity, "positive", "quantity");
          const std::string key = ChainDepositKey(Lower(c.tx_hash), c.log_index);
          auto it = chain_.deposits.find(key);
          const ChainDeposit* old = it == chain_.deposits.end() ? nullptr : &it->second;
          if (old && (old->status == ChainDepositStatus::kCredited || old->status == ChainDepositStatus::kUnclaimed))
            return Refuse(Code::kConflict, "deposit already applied", "tx_hash");
          if (c.state == ObserveChainDeposit::kReorged) {
            if (!old || old->status != ChainDepositStatus::kSeen) return Refuse(Code::kConflict, "nothing to undo", "tx_hash");
            out.push_back(ChainDepositReorged{key});
            return Ok();
          }
          ChainDeposit d;
          d.tx_hash = Lower(c.tx_hash);
          d.log_index = c.log_index;
          d.block_number = c.block_number;
          d.block_hash = Lower(c.block_hash);
          d.deposit_id = c.deposit_id;
          d.token_id = c.token_id;
          d.quantity_kg = c.quantity_kg;
          d.from = Lower(c.from);
          d.account_ref = Lower(c.account_ref);
          d.seen_ts = ts;
          for (const auto& [id, x] : chain_.batches)
            if (x.token_id == c.token_id) d.batch = id;
          const int64_t acct = ChainAccountOfRef(c.account_ref);
          d.account = acct >= kFirstUserAccount && account_exists(acct) ? acct : 0;
          const bool fresh = !old || old->status == ChainDepositStatus::kReorged || old->block_hash != d.block_hash;
          if (c.state == ObserveChainDeposit::kSeen) {
            if (!fresh) return Refuse(Code::kConflict, "already seen", "tx_hash");
            out.push_back(ChainDepositSeen{d});
            return Ok();
          }
          // Confirmed at depth: credit once.
          if (fresh) out.push_back(ChainDepositSeen{d});
          ChainDepositCredited cr{key, 0, {}};
          if (d.account && d.batch) {
            const Holding* h = holding(kOnChainAccount, d.batch);
            if (h && h->tradable.total() >= d.quantity_kg) {
              cr.account = d.account;
              cr.ranges = h->tradable.PeekLowest(d.quantity_kg);
            }
          }
          // account 0: kept on record as unclaimed (credits stay in custody; an admin decides).
          out.push_back(std::move(cr));
        }
        return Ok();
      },
      cmd);
}

// ------------------------------------------------------------------ apply
void RegistryState::ApplyChainEvent(const Event& ev, int64_t seq, int64_t ts) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ChainConfigured>) {
          chain_.configured = true;
          chain_.config = e.config;
          Audit(seq, ts, 0, e.actor, "chain_configured",
                e.config.network + " chain " + std::to_string(e.config.chain_id), "");
        } else if constexpr (std::is_same_v<T, ChainBatchMirrored>) {
          chain_.batches[e.batch.batch] = e.batch;
        } else if constexpr (std::is_same_v<T, ChainApprovalAdded>) {
          auto& v = chain_.batches[e.batch].approvals;
          v.push_back(e.approval);
          // VerificationRegistry wants them by ascending signer address.
          std::sort(v.begin(), v.end(), [](const ChainApproval& a, const ChainApproval& b) { return a.address < b.address; });
        } else if constexpr (std::is_same_v<T, ChainTxRecorded>) {
          ChainTx& t = chain_.txs[e.tx.id] = e.tx;
          chain_.next_tx = std::max(chain_.next_tx, t.id + 1);
          chain_.max_nonce = std::max(chain_.max_nonce, t.nonce);
          if (t.kind == ChainTxKind::kWithdraw) {
            ChainWithdrawal& w = chain_.withdrawals[t.ref];
            w.status = ChainWithdrawalStatus::kSent;
            w.tx = t.id;
          } else {
            ChainBatch& cb = chain_.batches[t.ref];
            cb.pending_tx = t.id;
            cb.failed = false;
          }
        } else if constexpr (std::is_same_v<T, ChainTxSettled>) {
          ChainTx& t = chain_.txs[e.tx];
          t.status = e.ok ? ChainTxStatus::kConfirmed : ChainTxStatus::kFailed;
          t.block = e.block;
          t.error = e.error;
          t.decided_ts = ts;
          if (t.kind == ChainTxKind::kWithdraw) {
            ChainWithdrawal& w = chain_.withdrawals[t.ref];
            Holding& h = MutHolding(w.account, w.batch);
            h.escrowed_kg -= w.quantity_kg;
            w.decided_ts = ts;
            if (e.ok) {
              h.tradable.RemoveAll(e.ranges);
              MutHolding(kOnChainAccount, w.batch).tradable.AddAll(e.ranges);
              w.ranges = e.ranges;
              w.status = ChainWithdrawalStatus::kConfirmed;
            } else {
              w.status = ChainWithdrawalStatus::kFailed;
              w.reason = e.error;
            }
          } else {
            ChainBatch& cb = chain_.batches[t.ref];
            cb.pending_tx = 0;
            if (e.ok) {
              cb.step = StepOf(t.kind);
              if (t.kind == ChainTxKind::kMint) cb.minted_kg = cb.amount_kg;
            } else {
              cb.failed = true;
            }
          }
        } else if constexpr (std::is_same_v<T, ChainWithdrawalRequested>) {
          ChainWithdrawal& w = chain_.withdrawals[e.withdrawal.id] = e.withdrawal;
          chain_.next_withdrawal = std::max(chain_.next_withdrawal, w.id + 1);
          MutHolding(w.account, w.batch).escrowed_kg += w.quantity_kg;
          Audit(seq, ts, w.user, w.user, "chain_withdrawal_requested",
                "#" + std::to_string(w.id) + " batch " + std::to_string(w.batch) + " " + std::to_string(w.quantity_kg) +
                    " kg to " + w.to,
                "");
        } else if constexpr (std::is_same_v<T, ChainWithdrawalReleased>) {
          ChainWithdrawal& w = chain_.withdrawals[e.withdrawal];
          MutHolding(w.account, w.batch).escrowed_kg -= w.quantity_kg;
          w.status = ChainWithdrawalStatus::kReleased;
          w.reason = e.reason;
          w.decided_ts = ts;
        } else if constexpr (std::is_same_v<T, ChainDepositSeen>) {
          chain_.deposits[ChainDepositKey(e.deposit.tx_hash, e.deposit.log_index)] = e.deposit;
        } else if constexpr (std::is_same_v<T, ChainDepositReorged>) {
          chain_.deposits[e.key].status = ChainDepositStatus::kReorged;
        } else if constexpr (std::is_same_v<T, ChainDepositCredited>) {
          ChainDeposit& d = chain_.deposits[e.key];
          d.credited_ts = ts;
          if (e.account) {
            MutHolding(kOnChainAccount, d.batch).tradable.RemoveAll(e.ranges);
            MutHolding(e.account, d.batch).tradable.AddAll(e.ranges);
            d.ranges = e.ranges;
            d.account = e.account;
            d.status = ChainDepositStatus::kCredited;
          } else {
            d.status = ChainDepositStatus::kUnclaimed;
          }
        }
      },
      ev);
}

// ------------------------------------------------------------------ snapshot
std::string RegistryState::SnapshotChain() const {
  ChainSnap s;
  s.configured = chain_.configured;
  s.config = chain_.config;
  for (const auto& [id, t] : chain_.txs) s.txs.push_back(t);
  for (const auto& [id, b] : chain_.batches) s.batches.push_back(b);
  for (const auto& [id, w] : chain_.withdrawals) s.withdrawals.push_back(w);
  for (const auto& [k, d] : chain_.deposits) s.deposits.push_back(d);
  s.next_tx = chain_.next_tx;
  s.next_withdrawal = chain_.next_withdrawal;
  s.max_nonce = chain_.max_nonce;
  return Encode(s);
}

bool RegistryState::RestoreChain(std::string_view bytes) {
  chain_ = ChainBook{};
  if (bytes.empty()) return true;  // snapshot written before chain flows existed
  ChainSnap s;
  if (!Decode(bytes, s)) return false;
  chain_.configured = s.configured;
  chain_.config = s.config;
  for (auto& t : s.txs) chain_.txs[t.id] = std::move(t);
  for (auto& b : s.batches) chain_.batches[b.batch] = std::move(b);
  for (auto& w : s.withdrawals) chain_.withdrawals[w.id] = std::move(w);
  for (auto& d : s.deposits) chain_.deposits[ChainDepositKey(d.tx_hash, d.log_index)] = std::move(d);
  chain_.next_tx = s.next_tx;
  chain_.next_withdrawal = s.next_withdrawal;
  chain_.max_nonce = s.max_nonce;
  return true;
}

}  // namespace cx::registry
