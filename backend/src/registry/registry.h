// RegistryState: the in-memory registry owned by the engine thread.
//
// Contract:
// - Decide(cmd) validates the whole command against the current state and returns the
//   events it produces, or an Error; it never mutates. A refused command changes nothing.
// - Apply(event) mutates; it is used both live (right after Decide) and in replay, and
//   must be given events in journal order. Events that Decide produced always apply.
// - Time and ids enter through `ts` and through the events themselves, so replaying the
//   journal rebuilds exactly the live state (tested).
// - Invariants (CheckInvariants): for every batch, supply = held (escrowed included) +
//   retired + cancelled + buffer, and no holding escrows more than it holds; the kilogram ranges of all holdings, retirements and
//   cancellations of a batch are disjoint and cover [0, supply); no two batches share a
//   serial in the same serial space.
// Not thread-safe.
#pragma once
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "registry/holding_table.h"
#include "registry/messages.h"

namespace cx::exchange {
class OrderBook;
}

namespace cx::registry {

class RegistryState {
 public:
  RegistryState();
  ~RegistryState();
  // Not copyable: the O(1) indexes point into the maps' nodes. Movable.
  RegistryState(const RegistryState&) = delete;
  RegistryState& operator=(const RegistryState&) = delete;
  RegistryState(RegistryState&&) noexcept;
  RegistryState& operator=(RegistryState&&) noexcept;
  // Validates `cmd` at engine time `ts`; appends its events to `out` only on success.
  Result<void> Decide(const Command& cmd, int64_t ts, std::vector<Event>& out) const;
  // Applies one event; `seq` is its journal sequence number (recorded on retirements).
  // Exchange input events (see messages.h) run the books and settlement: live, the engine
  // passes `derived` and journals what is appended there (never applying it); in replay
  // (`derived` null) the outcomes are re-derived and compared with the derived events
  // that follow in the journal (see replay_divergence()).
  void Apply(const Event& e, int64_t seq, int64_t ts, std::vector<Event>* derived = nullptr);
  // Empty while replay agrees with the journal; else what differed first.
  const std::string& replay_divergence() const;
  // Replay end: every re-derived outcome must have been matched by the journal.
  bool replay_pending() const;
  Result<void> CheckInvariants() const;

  // Read access (engine thread, or a copy).
  const std::map<int64_t, User>& users() const { return users_; }
  const User* user(int64_t id) const;
  // By email index (User::email_index; the edge computes it from the email).
  const User* user_by_email_index(const std::string& index) const;
  const User* user_by_email(const std::string& index) const { return user_by_email_index(index); }
  const User* user_by_account(int64_t account) const;
  const std::map<int64_t, CreditClass>& credit_classes() const { return classes_; }
  const std::map<int64_t, Project>& projects() const { return projects_; }
  const Project* project(int64_t id) const;
  const std::map<int64_t, Issuance>& issuances() const { return issuances_; }
  const Issuance* issuance(int64_t id) const;
  const std::map<int64_t, Batch>& batches() const { return batches_; }
  const Batch* batch(int64_t id) const;
  const std::map<int64_t, Retirement>& retirements() const { return retirements_; }
  const Retirement* retirement(int64_t id) const;
  // Holdings of one account, by ascending batch id.
  std::vector<std::pair<int64_t, const Holding*>> HoldingsOf(int64_t account) const;
  const Holding* holding(int64_t account, int64_t batch) const;
  const std::vector<Cancellation>& cancellations() const { return cancellations_; }
  const std::map<int64_t, Session>& sessions() const { return sessions_; }
  // Cash balances of an account by currency (nullptr if none).
  const std::map<std::string, CashBalance>* cash(int64_t account) const;
  // Family of a live (not rotated, not revoked) token hash, or 0.
  int64_t SessionFamilyOf(const std::string& token_hash) const;
  bool has_import_key(const std::string& key) const { return import_keys_.count(key) != 0; }
  int64_t ProjectByOrigin(const std::string& registry, const std::string& origin_id) const;
  bool account_exists(int64_t account) const;
  // Tonne serial string of kilogram offset `kg` of a batch (for certificates).
  static std::string SerialRangeText(const Batch& b, const Range& r);

  template <class V>
  void Fields(V& v) {
    v("users", users_v_); v("classes", classes_v_); v("projects", projects_v_);
    v("issuances", issuances_v_); v("batches", batches_v_); v("retirements", retirements_v_);
    v("holdings", holdings_v_); v("cancellations", cancellations_); v("import_keys", import_keys_v_);
    v("next", next_v_); v("sessions", sessions_v_); v("tokens", tokens_v_); v("cash", cash_v_);
    v("market", market_v_); v("audit", audit_); v("withdrawals", withdrawals_v_); v("mfa", mfa_v_);
    v("alerts", alerts_); v("wallets", wallets_v_);
    v("apikeys", apikeys_v_);
    v("kyc", kyc_v_);
    v("privacy", privacy_v_);
    v("chain", chain_v_);
    v("proofs", proofs_v_);
  }
  // Snapshot support: flatten to / rebuild from the vectors above.
  std::string Snapshot() const;
  bool Restore(std::string_view bytes);

  // Mutations used by the exchange (escrow for sell orders / withdrawals); engine thread.
  Result<void> CanEscrow(int64_t account, int64_t batch, int64_t kg) const;

  // Security audit trail, oldest first.
  const std::vector<AuditEntry>& audit() const { return audit_; }
  const std::map<int64_t, Withdrawal>& withdrawals() const { return withdrawals_; }
  // Wallet sign-in (SIWE): the user a wallet is linked to, and a user's wallets.
  const User* user_by_wallet(const std::string& address) const;
  std::vector<std::string> WalletsOf(int64_t user) const;
  // Detector alerts, oldest first (id = index + 1).
  const std::vector<Alert>& alerts() const { return alerts_; }
  bool alert_raised(const std::string& key) const { return alert_keys_.count(key) != 0; }
  // Second factor of a user (nullptr if never enrolled).
  const MfaState* mfa(int64_t user) const;
  // API keys (apikeys.cc): by id (nullptr if unknown), and a user's keys oldest first.
  const ApiKey* api_key(const std::string& id) const;
  std::vector<const ApiKey*> ApiKeysOf(int64_t user) const;
  // Privacy (privacy.cc): a user's consent decisions, oldest first (nullptr if none), and
  // what stops erasing a user now (Ok if nothing does).
  const std::vector<Consent>* ConsentsOf(int64_t user) const;
  Result<void> ErasureBlocker(int64_t user) const;

  // ---- KYC/AML and payments (kyc.cc)
  const KycBook& kyc() const { return kyc_; }
  KycLevel kyc_level(int64_t user) const;  // approved level (kNone if never approved)
  const KycCase* kyc_case(int64_t id) const;
  // Deposits (kind 0) or withdrawals (kind 1) of `account` in `currency` counted in the
  // rolling 24 hours before `ts`.
  int64_t KycWindowSum(int64_t account, const std::string& currency, int32_t kind, int64_t ts) const;
  // The limits that apply to the owner of `account`.
  const KycLimits& KycLimitsOf(int64_t account) const;

  // ---- chain flows (chain.cc; see chain_model.h)
  const ChainBook& chain() const { return chain_; }
  const ChainBatch* chain_batch(int64_t batch) const;
  int64_t OnChainHeld(int64_t batch) const;  // kilograms of `batch` held on chain in wallets
  // kOnChainAccount holds exactly what was withdrawn and not deposited back, never more than minted.
  Result<void> CheckChainInvariants() const;

  // ---- chain proofs: anchors, on-chain venue, on-chain retirements (chain_proofs.cc)
  const ProofsBook& proofs() const { return proofs_; }
  // Mirrored batch whose on-chain token id is `token_id` (decimal), or 0.
  int64_t BatchOfToken(const std::string& token_id) const;
  // Kilograms of `batch` retired on chain and reflected (taken from kOnChainAccount).
  int64_t RetiredOnChainKg(int64_t batch) const;

  // ---- exchange (market.cc)
  const std::map<int64_t, Instrument>& instruments() const;
  const Instrument* instrument(int64_t id) const;
  const Order* order(int64_t id) const;
  int64_t order_count() const;  // ids are 1..order_count()
  const std::vector<int64_t>* OrdersOf(int64_t account) const;  // ids, oldest first
  // The order placed earlier with c's client_order_id by c's account, or null: a PlaceOrder
  // naming it with the same terms is an idempotent retry (no event), other terms CONFLICT.
  const Order* ClientOrder(const PlaceOrder& c) const;
  const std::vector<Fill>& fills() const;                       // fill id = index + 1
  const std::vector<int64_t>* FillsOf(int64_t account) const;   // fill ids, oldest first
  const exchange::OrderBook* book(int64_t instrument) const;
  // Orders collected in an instrument's call auction (arrival order).
  std::vector<int64_t> CallOrders(int64_t instrument) const;
  // Does `batch` satisfy the instrument (its batch, or the contract's criteria)?
  bool Eligible(const Instrument& in, int64_t batch) const;
  // Cash an order for `qty` kg at `price` must lock: notional + fee at the higher rate.
  // Cash a buy of `qty` kg at `price` locks: notional plus the fee at `fee_bp`.
  static Result<int64_t> LockFor(int64_t fee_bp, int64_t price, int64_t qty);
  // Price levels whose displayed quantity may have changed since BeginStep():
  // (instrument, side 0 buy / 1 sell, price).
  struct Touched {
    int64_t instrument, side, price;
  };
  const std::vector<Touched>& touched() const;
  void BeginStep();

 private:
  struct MarketState;
  struct MarketSnap;
  // Exchange commands and events (market.cc).
  Result<void> DecideMarket(const CreateInstrument& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const SetMarketPhase& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const StartAuction& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const PlaceOrder& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const CancelOrder& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const ReplaceOrder& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const MassCancel& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const MarketTick& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideMarket(const SetInstrumentFees& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyInstrumentFees(const InstrumentFeesSet& e, int64_t seq, int64_t ts);
  // Plain and input events; derived events are compared (replay) or ignored (live).
  void ApplyMarket(const Event& e, int64_t ts, std::vector<Event>* derived);
  Result<void> CheckMarketInvariants() const;
  std::string SnapshotMarket() const;
  bool RestoreMarket(std::string_view bytes);
  bool IsAdmin(int64_t actor) const;
  // market.cc internals
  void Emit(Event e);
  void ProcessBookEvents(Instrument& in, int64_t ts);
  void Settle(Instrument& in, Order& buy, Order& sell, int64_t price, int64_t qty, int aggressor, int64_t ts);
  void ReleaseOpen(Order& o, int64_t removed_qty);
  void Relock(Instrument& in, Order& o);
  void AfterTrades(Instrument& in, int64_t ts, int64_t price_before, size_t fills_before);
  void Uncross(Instrument& in, int64_t ts);
  void Touch(const Order& o, int64_t price);
  void CloseOrder(Order& o, OrderStatus st, int32_t reason, int32_t code, int64_t ts);
  void EnterBook(Instrument& in, Order& o, int64_t ts, bool first_entry);

  void Audit(int64_t seq, int64_t ts, int64_t user, int64_t actor, std::string kind, std::string detail, std::string ip);
  int64_t UserOfAccount(int64_t account) const;
  static std::string FormatMinor(int64_t v);
  std::vector<AuditEntry> audit_;
  std::map<int64_t, Withdrawal> withdrawals_;
  std::vector<Withdrawal> withdrawals_v_;
  std::map<int64_t, MfaState> mfa_;
  std::vector<Alert> alerts_;
  std::map<std::string, int64_t> wallets_;  // lower-case address -> user
  std::vector<WalletLinked> wallets_v_;
  Result<std::string> CheckWallet(const std::string& address) const;
  std::set<std::string> alert_keys_;
  std::vector<MfaState> mfa_v_;
  Result<void> CheckSecondFactor(int64_t user, int64_t step, const std::string& recovery_hash, const char* purpose,
                                 std::vector<Event>& out) const;
  std::unique_ptr<MarketState> mkt_;
  std::string market_v_;  // encoded MarketSnap (snapshot staging)
  // API keys (apikeys.cc).
  Result<void> DecideApiKey(const CreateApiKey& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecideApiKey(const RevokeApiKey& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyApiKey(const Event& e, int64_t seq, int64_t ts);
  std::string SnapshotApiKeys() const;
  bool RestoreApiKeys(std::string_view bytes);
  std::map<std::string, ApiKey> api_keys_;
  std::map<int64_t, std::vector<std::string>> api_keys_by_user_;  // ids, oldest first
  std::string apikeys_v_;  // encoded API keys (snapshot staging)
  // Privacy (privacy.cc).
  Result<void> DecidePrivacy(const EraseUser& c, int64_t ts, std::vector<Event>& out) const;
  Result<void> DecidePrivacy(const RecordConsent& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyPrivacy(const Event& e, int64_t seq, int64_t ts);
  std::string SnapshotPrivacy() const;
  bool RestorePrivacy(std::string_view bytes);
  std::map<int64_t, std::vector<Consent>> consents_;
  std::string privacy_v_;  // encoded consents (snapshot staging)
  // KYC/AML and payments (kyc.cc).
  Result<void> DecideKycCommand(const Command& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyKycEvent(const Event& e, int64_t seq, int64_t ts);
  Result<void> CheckCashLimit(int64_t account, const std::string& currency, int64_t amount, int32_t kind,
                              int64_t ts) const;
  Result<void> CheckOrderLimit(int64_t account, bool buy, int64_t price, int64_t qty) const;
  void KycCountCash(int64_t account, const std::string& currency, int64_t amount, int32_t kind, int64_t withdrawal,
                    int64_t ts);
  void KycUncountWithdrawal(int64_t account, int64_t withdrawal);
  std::string SnapshotKyc() const;
  bool RestoreKyc(std::string_view bytes);
  KycBook kyc_;
  // Chain flows (chain.cc).
  Result<void> DecideChainCommand(const Command& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyChainEvent(const Event& e, int64_t seq, int64_t ts);
  void AddChainEscrow(std::map<std::pair<int64_t, int64_t>, int64_t>& escrowed) const;
  std::string SnapshotChain() const;
  bool RestoreChain(std::string_view bytes);
  ChainBook chain_;
  std::string chain_v_;  // encoded ChainSnap (snapshot staging)
  // Chain proofs (chain_proofs.cc).
  Result<void> DecideProofsCommand(const Command& c, int64_t ts, std::vector<Event>& out) const;
  void ApplyProofsEvent(const Event& e, int64_t seq, int64_t ts);
  std::string SnapshotProofs() const;
  bool RestoreProofs(std::string_view bytes);
  ProofsBook proofs_;
  std::string proofs_v_;  // encoded ProofsSnap (snapshot staging)
  std::string kyc_v_;  // encoded KycSnap (snapshot staging)
  Result<void> DecideImportRetirement(const ImportRetirement& c, int64_t ts,
                                      std::vector<Event>& out) const;
  Result<const Project*> OwnProject(int64_t actor, int64_t project) const;
  Result<void> CheckActorOwns(int64_t actor, int64_t account) const;
  // `account`, or the actor's own account when it is 0 (the usual "from my account").
  int64_t OwnAccountIfZero(int64_t actor, int64_t account) const;
  template <class C>
  Result<Batch> ImportedBatch(const C& c, int64_t project, std::string import_key, int64_t ts) const;
  Result<const Issuance*> PendingIssuanceFor(int64_t verifier, int64_t issuance) const;
  bool SerialOverlaps(const std::string& space, int64_t start, int64_t end) const;
  // Batch whose serial block contains [start, end] in `space`, or 0.
  int64_t BatchContaining(const std::string& space, int64_t start, int64_t end) const;
  Holding& MutHolding(int64_t account, int64_t batch);
  Batch& MutBatch(int64_t id) { return *batch_ix_[static_cast<size_t>(id)]; }
  void Index(const Batch& b);

  std::map<int64_t, User> users_;
  std::unordered_map<std::string, int64_t> user_by_email_;
  std::unordered_map<int64_t, int64_t> user_by_account_;
  std::map<int64_t, CreditClass> classes_;
  std::map<int64_t, Project> projects_;
  std::map<std::string, int64_t> project_by_origin_;  // registry + "\x1f" + origin id
  std::map<int64_t, Issuance> issuances_;
  std::map<int64_t, Batch> batches_;
  std::map<int64_t, Retirement> retirements_;
  HoldingTable holdings_;
  std::vector<Cancellation> cancellations_;
  // O(1) indexes into the maps above (map nodes never move; ids are dense from 1).
  // Lookups dominate the engine's hot path.
  std::vector<Batch*> batch_ix_;
  std::vector<User*> user_ix_;
  std::vector<int64_t> user_account_;  // user id -> account
  std::vector<Project*> project_ix_;
  std::vector<Issuance*> issuance_ix_;
  template <class T>
  static void SetIx(std::vector<T*>& ix, int64_t id, T* p) {
    if (ix.size() <= static_cast<size_t>(id)) ix.resize(static_cast<size_t>(id) * 2 + 16, nullptr);
    ix[static_cast<size_t>(id)] = p;
  }
  template <class T>
  static T* GetIx(const std::vector<T*>& ix, int64_t id) {
    return id > 0 && static_cast<size_t>(id) < ix.size() ? ix[static_cast<size_t>(id)] : nullptr;
  }
  std::set<std::string> import_keys_;
  std::map<int64_t, Session> sessions_;
  std::map<int64_t, std::map<std::string, CashBalance>> cash_;
  std::map<std::string, int64_t> cash_total_;  // per currency: deposits - withdrawals
  std::unordered_map<std::string, SessionToken> tokens_;
  // serial space -> start -> (end, batch)
  std::map<std::string, std::map<int64_t, std::pair<int64_t, int64_t>>> serials_;

  struct Next {
    int64_t user = 1, account = kFirstUserAccount, cls = 1, project = 1, issuance = 1,
            batch = 1, retirement = 1, native_serial = 1, session = 1, withdrawal = 1;
    template <class V>
    void Fields(V& v) {
      v("user", user); v("account", account); v("cls", cls); v("project", project);
      v("issuance", issuance); v("batch", batch); v("retirement", retirement);
      v("native_serial", native_serial); v("session", session); v("withdrawal", withdrawal);
    }
  } next_;

  // Snapshot staging (only used by Snapshot/Restore).
  std::vector<User> users_v_;
  std::vector<CreditClass> classes_v_;
  std::vector<Project> projects_v_;
  std::vector<Issuance> issuances_v_;
  std::vector<Batch> batches_v_;
  std::vector<Retirement> retirements_v_;
  struct HoldingRow {
    int64_t account = 0, batch = 0;
    Holding h;
    template <class V> void Fields(V& v) { v("account", account); v("batch", batch); v("h", h); }
  };
  std::vector<HoldingRow> holdings_v_;
  std::vector<std::string> import_keys_v_;
  std::vector<Session> sessions_v_;
  std::vector<SessionToken> tokens_v_;
  struct CashRow {
    int64_t account = 0;
    std::string currency;
    CashBalance b;
    template <class V> void Fields(V& v) { v("account", account); v("currency", currency); v("b", b); }
  };
  std::vector<CashRow> cash_v_;
  Next next_v_;
};

}  // namespace cx::registry
