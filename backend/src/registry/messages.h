// Commands (requests to change the registry) and events (what changed), as plain values.
// A command is validated whole against the state and either refused with an Error or
// turned into events; events are applied to the state, journaled, and replayed on
// recovery. Events carry every id and kilogram range they touch, so replay needs no
// decisions. Adding a field: append it (payload encoding is positional; see codec.h).
#pragma once
#include <string>
#include <variant>
#include <vector>

#include "registry/apikey_model.h"
#include "registry/chain_model.h"
#include "registry/chain_proofs_model.h"
#include "registry/kyc_model.h"
#include "registry/market_model.h"
#include "registry/model.h"
#include "registry/privacy_model.h"

namespace cx::registry {

// ---------------------------------------------------------------- commands
// Personal fields arrive sealed (see User): the edge created the user's personal-data key,
// sealed {email, display_name, password_hash} with it, and computed the email index.
struct RegisterUser {
  std::string email_index;  // unique; required unless signing up with a wallet
  std::string pii_key;
  std::string pii;
  uint32_t roles = kTrader;
  // Sign-up with an Ethereum wallet (SIWE, verified by the edge): the email index may
  // then be empty; the wallet is linked in the same step.
  std::string wallet;
};
// Links a wallet (the edge verified a SIWE signature by it) to a user.
struct LinkWallet {
  int64_t user = 0;
  std::string address;  // 0x + 40 hex digits
};
struct SetUserRoles {
  int64_t actor = 0;
  int64_t user = 0;
  uint32_t roles = 0;
};
struct CreateCreditClass {
  int64_t actor = 0;  // 0 = system bootstrap
  CreditClass cls;    // id ignored
};
struct CreateProject {
  int64_t actor = 0;
  ProjectInfo info;
};
struct SubmitProject {
  int64_t actor = 0;
  int64_t project = 0;
};
// Verifier decision on a submitted project.
struct ReviewProject {
  enum Decision : int32_t { kValidate = 0, kRequestChanges = 1, kReject = 2 };
  int64_t actor = 0;
  int64_t project = 0;
  Decision decision = kValidate;
  std::string reason;
};
struct RequestIssuance {
  int64_t actor = 0;
  int64_t project = 0;
  int64_t vintage = 0;
  std::string period_start;
  std::string period_end;
  int64_t quantity_kg = 0;
  std::string verification_body;
  std::string report;
};
struct ApproveIssuance {
  int64_t actor = 0;
  int64_t issuance = 0;
};
struct RejectIssuance {
  int64_t actor = 0;
  int64_t issuance = 0;
  std::string reason;
};
struct Transfer {
  int64_t actor = 0;  // must own `from` (or be the system, actor 0)
  int64_t from = 0;   // 0: the actor's own account
  int64_t to = 0;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
};
struct Retire {
  int64_t actor = 0;
  int64_t account = 0;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string beneficiary;
  std::string reason;
  std::string country;
  std::string period_start;
  std::string period_end;
};
struct Cancel {
  int64_t actor = 0;
  int64_t account = 0;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string reason;
};
// A reported reversal (e.g. a forest fire): cancels buffer credits of the project first,
// then the developer's tradable credits of the project; what remains is recorded uncovered.
struct ReportReversal {
  int64_t actor = 0;
  int64_t project = 0;
  int64_t quantity_kg = 0;
  std::string reason;
};
// Imports from public registry exports (carbonx import). Idempotent by import_key.
struct ImportProject {
  std::string import_key;  // registry + ":" + origin id
  ProjectInfo info;
  ProjectStatus status = ProjectStatus::kRegistered;
};
struct ImportBatch {
  std::string import_key;
  std::string registry;
  std::string project_origin_id;
  int64_t vintage = 0;
  std::string serial_space;
  int64_t serial_start = 0;  // 0,0 = the export carries no serial numbers
  int64_t serial_end = 0;
  std::string serial;
  int64_t quantity_kg = 0;
  int64_t buffer_kg = 0;
  Tri corsia = Tri::kUnknown;
  Tri corresponding_adjustment = Tri::kUnknown;
};
// A retirement or cancellation recorded at the origin registry. Applied to the batch that
// holds its serials, or else to the project's batch of the same vintage (lowest serials),
// or else recorded as an observed, fully retired batch of its own.
struct ImportRetirement {
  std::string import_key;
  std::string registry;
  std::string project_origin_id;
  int64_t vintage = 0;
  std::string serial_space;
  int64_t serial_start = 0;
  int64_t serial_end = 0;
  std::string serial;
  int64_t quantity_kg = 0;
  bool cancellation = false;
  std::string beneficiary;
  std::string reason;
  std::string date;
};

// Sign-in sessions (rotating refresh tokens). Only SHA-256 hashes of tokens are kept.
struct OpenSession {
  int64_t user = 0;
  std::string token_hash;
  int64_t expires_at = 0;  // unix seconds
  // Second factor checked by the edge: the TOTP step it matched (> the last used one), or
  // the hash of a recovery code. Required when the user has the factor enabled.
  int64_t mfa_step = -1;
  std::string recovery_hash;
};
// Presenting an already-rotated token is reuse: the command succeeds with a
// SessionRevoked event (the whole family is revoked) and the caller is refused.
struct RotateSession {
  std::string presented_hash;
  std::string new_hash;
  int64_t now = 0;
  int64_t expires_at = 0;
};
struct CloseSession {
  std::string token_hash;
};
// A user ends one of their sessions (another device) by its id.
struct RevokeSession {
  int64_t user = 0;
  int64_t family = 0;
};
// Attaches a stored document (its CID) to a project: the developer, or an admin.
struct AddProjectDocument {
  int64_t actor = 0;
  bool actor_is_admin = false;
  int64_t project = 0;
  std::string cid;
};
// Cash movements booked by an admin (a payment processor's webhook comes with the
// security issue). Currency: ISO 4217 code; amount in minor units.
struct DepositCash {
  int64_t actor = 0;
  int64_t account = 0;
  std::string currency;
  int64_t amount = 0;
  std::string reference;
};
struct WithdrawCash {
  int64_t actor = 0;
  int64_t account = 0;
  std::string currency;
  int64_t amount = 0;
  std::string reference;
};

// ---------------------------------------------------------------- security and cash
// A security fact the edge observed (failed login, MFA change, key creation...).
struct RecordSecurityEvent {
  int64_t user = 0;
  int64_t actor = 0;
  std::string kind;
  std::string detail;
  std::string ip;
};
// The account owner asks to withdraw cash: the amount is locked until an admin decides.
struct RequestWithdrawal {
  int64_t actor = 0;
  int64_t account = 0;  // 0: the actor's own
  std::string currency;
  int64_t amount = 0;
  std::string reference;
};
// An admin approves (the money leaves) or rejects (the lock is released). `second_factor`
// is set by the edge when the admin passed the step-up check.
struct DecideWithdrawal {
  int64_t actor = 0;
  int64_t withdrawal = 0;
  bool approve = false;
  std::string reason;
  int64_t mfa_step = -1;  // approving: the admin's TOTP step the edge verified (step-up)
};
// TOTP enrollment: the edge generated and sealed a secret; confirming proves the user's
// authenticator produces its codes and stores the recovery codes' hashes.
struct StartMfaEnrollment {
  int64_t user = 0;
  std::string sealed_secret;
};
struct ConfirmMfaEnrollment {
  int64_t user = 0;
  int64_t step = 0;
  std::vector<std::string> recovery_hashes;
};
// A detector's finding, journaled once per key and shown to admins and auditors.
struct RaiseAlert {
  std::string key;
  std::string kind;
  std::vector<int64_t> accounts;
  int64_t score_ppm = 0;
  std::string evidence;
};
struct DisableMfa {
  int64_t user = 0;
  int64_t step = -1;  // a current code (or recovery_hash)
  std::string recovery_hash;
};

// ---------------------------------------------------------------- exchange commands
// Create an instrument: admin for anything; a holder of a batch may list that batch.
struct CreateInstrument {
  int64_t actor = 0;
  bool actor_is_admin = false;
  Instrument instrument;  // id, state fields ignored
};
// Admin halt / resume. Resume with reopen_us > 0 opens a call auction first.
struct SetMarketPhase {
  int64_t actor = 0;
  int64_t instrument = 0;
  bool halt = true;
  int64_t reopen_us = 0;
  std::string reason;
};
// Primary issuance auction: the holder of a batch instrument's credits sells `qty` kg at
// a reserve price in a call auction ending at `end_ts`; bids are ordinary orders.
struct StartAuction {
  int64_t actor = 0;
  int64_t instrument = 0;
  int64_t qty = 0;
  int64_t reserve_price = 0;
  int64_t end_ts = 0;
};
struct PlaceOrder {
  int64_t actor = 0;
  int64_t account = 0;  // 0: the actor's own account
  Order order;          // request fields only (id, status, running state ignored)
};
struct CancelOrder {
  int64_t actor = 0;
  bool actor_is_admin = false;
  int64_t order = 0;
};
struct ReplaceOrder {
  int64_t actor = 0;
  int64_t order = 0;
  int64_t price = 0;  // new limit price
  int64_t qty = 0;    // new open quantity, kg
};
struct MassCancel {
  int64_t actor = 0;
  int64_t account = 0;     // 0: the actor's own
  int64_t instrument = 0;  // 0: all instruments
};
// Timer: expires good-till-time orders and ends due call auctions (refused with
// kNotFound when nothing is due, so an idle tick writes nothing).
struct MarketTick {};
// Admin: a new fee schedule for an instrument (0..1000 bp each). Orders entered afterwards
// lock and pay at it; resting orders pay min(new rate, their entry cap `Order::fee_bp`), so
// a cut applies at once and a rise only to orders entered after it.
struct SetInstrumentFees {
  int64_t actor = 0;
  int64_t instrument = 0;
  int64_t maker_fee_bp = 0;
  int64_t taker_fee_bp = 0;
};

// API keys (registry/apikeys.cc). The edge chose the id (random) and validated the CIDRs;
// `key` carries id, label, scopes, expires_at and allow (other fields ignored). A user with
// a second factor enabled must present a verified step or a recovery code (step-up).
struct CreateApiKey {
  int64_t actor = 0;
  ApiKey key;
  int64_t mfa_step = -1;
  std::string recovery_hash;
};
// The owner (or an admin) revokes a key; it stops working at once.
struct RevokeApiKey {
  int64_t actor = 0;
  bool actor_is_admin = false;
  std::string key_id;
};

// Privacy (registry/privacy.cc). Erasure of a user's personal data (GDPR art. 17): the
// email index and sealed fields leave the state, sessions end, the id stays (trades and
// retirements are the legal record). Refused while the user has open orders, pending
// withdrawals or locked cash (settlement would still need the account's owner).
struct EraseUser {
  int64_t user = 0;
  int64_t actor = 0;  // the user themself
};
// A consent given or withdrawn (purpose e.g. "marketing_email", policy version).
struct RecordConsent {
  int64_t user = 0;
  std::string purpose;
  bool granted = false;
  std::string policy_version;
};

// KYC/AML and payments (registry/kyc.cc). Personal details arrive sealed by the edge
// (`pii_key` names the key, "" = the server's KYC key); the edge also screened the legal
// name against the sanctions lists. A hit keeps the case pending and raises an alert.
struct SubmitKyc {
  int64_t actor = 0;
  KycLevel requested_level = KycLevel::kBasic;
  std::string country;  // ISO 3166-1 alpha-2
  std::vector<std::string> documents;
  std::string pii_key;
  std::string sealed;
  KycScreening screening;
};
// An admin (or the KYC provider: actor 0, source kProvider, its event id) decides a pending
// case. Approving a case with a screening hit needs override_hit and a reason (admins only).
struct DecideKyc {
  int64_t actor = 0;
  int64_t kyc_case = 0;
  bool approve = false;
  KycLevel level = KycLevel::kBasic;  // granted when approving
  std::string reason;
  bool override_hit = false;
  KycSource source = KycSource::kManual;
  std::string provider_event;
};
// An admin (or the system, actor 0) sets a user's level directly: a review done offline,
// or a downgrade / freeze (level none).
struct SetKycLevel {
  int64_t actor = 0;
  int64_t user = 0;
  KycLevel level = KycLevel::kNone;
  std::string reason;
};
struct SetKycLimits {
  int64_t actor = 0;
  KycLevel level = KycLevel::kNone;
  KycLimits limits;
};
// A deposit the payment processor reported (signed webhook, verified by the edge).
// Idempotent by event id and payment id: a repeat is refused with kConflict.
struct RecordPayment {
  std::string event_id;
  std::string intent;
  int64_t account = 0;
  std::string currency;
  int64_t amount = 0;  // minor units
};
// An admin releases (credits) or refunds a payment held for review.
struct SettlePayment {
  int64_t actor = 0;
  int64_t payment = 0;
  bool release = false;
  std::string reason;
};

// Chain flows (registry/chain.cc; see chain_model.h). The edge verified every signature and
// computed every hash; the engine checks the state transitions.
struct SetChainConfig {
  int64_t actor = 0;  // admin, or 0 (the chain worker at start-up)
  ChainConfig config;
};
// Starts the on-chain mirror of an issued batch (ids, batch-data hash and metadata URI computed
// by the edge from the batch and app/batch_metadata.h).
struct MirrorChainBatch {
  int64_t batch = 0;
  std::string token_id;
  std::string project_id;
  std::string class_id;
  std::string issuance_id;
  std::string batch_data_hash;
  std::string metadata_uri;
  std::string developer;
};
// A verifier's EIP-712 Approval signature; `address` is the signer the edge recovered.
struct AddChainApproval {
  int64_t actor = 0;
  int64_t issuance = 0;
  std::string address;
  std::string signature;
};
// A signed transaction, journaled before it is sent.
struct RecordChainTx {
  ChainTxKind kind = ChainTxKind::kRegisterProject;
  int64_t ref = 0;
  int64_t nonce = 0;
  std::string hash;
  std::string raw;
};
// The receipt of a journaled transaction at the confirmation depth (ok = status 1).
struct SettleChainTx {
  int64_t tx = 0;
  bool ok = false;
  int64_t block = 0;
  std::string error;
};
struct RequestChainWithdrawal {
  int64_t actor = 0;
  int64_t account = 0;  // 0: the actor's own
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  std::string to;       // "": the actor's first linked wallet
  int64_t expiry = 0;   // unix seconds (the operator's authorisation)
};
// A withdrawal no transaction was journaled for (expired, or the operator cancels it).
struct ReleaseChainWithdrawal {
  int64_t withdrawal = 0;
  std::string reason;
};
// A CarbonMarket `Deposited` log: seen (any depth), confirmed (at depth: credit), or re-orged.
struct ObserveChainDeposit {
  enum State : int32_t { kSeen = 0, kConfirmed = 1, kReorged = 2 };
  State state = kSeen;
  std::string tx_hash;
  int64_t log_index = 0;
  int64_t block_number = 0;
  std::string block_hash;
  int64_t deposit_id = 0;
  std::string token_id;
  int64_t quantity_kg = 0;
  std::string from;
  std::string account_ref;
};

// Chain proofs (registry/chain_proofs.cc; see chain_proofs_model.h): a signed
// JournalAnchor.anchor transaction journaled before it is sent, its receipt at depth, and
// confirmed CarbonMarket / CarbonCreditToken logs.
struct RecordAnchor {
  int64_t height = 0;
  std::string root;
  std::string prev_root;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  int64_t nonce = 0;
  std::string tx_hash;
  std::string raw;
};
struct SettleAnchor {
  int64_t height = 0;
  bool ok = false;
  int64_t block_number = 0;
  int64_t gas_used = 0;
  std::string error;
};
struct ObserveChainLog {
  ChainLogFact fact;
};

using Command = std::variant<RegisterUser, SetUserRoles, CreateCreditClass, CreateProject,
                             SubmitProject, ReviewProject, RequestIssuance, ApproveIssuance,
                             RejectIssuance, Transfer, Retire, Cancel, ReportReversal,
                             ImportProject, ImportBatch, ImportRetirement, OpenSession,
                             RotateSession, CloseSession, DepositCash, WithdrawCash,
                             AddProjectDocument, CreateInstrument, SetMarketPhase,
                             StartAuction, PlaceOrder, CancelOrder, ReplaceOrder, MassCancel,
                             MarketTick, RecordSecurityEvent, RequestWithdrawal, DecideWithdrawal,
                             StartMfaEnrollment, ConfirmMfaEnrollment, DisableMfa, RaiseAlert,
                             LinkWallet, RevokeSession, CreateApiKey, RevokeApiKey,
                             EraseUser, RecordConsent,
                             SubmitKyc, DecideKyc, SetKycLevel, SetKycLimits, RecordPayment, SettlePayment,
                             SetInstrumentFees,
                             SetChainConfig, MirrorChainBatch, AddChainApproval, RecordChainTx, SettleChainTx,
                             RequestChainWithdrawal, ReleaseChainWithdrawal, ObserveChainDeposit,
                             RecordAnchor, SettleAnchor, ObserveChainLog>;

// ---------------------------------------------------------------- events
struct UserRegistered {
  User user;
  template <class V> void Fields(V& v) { v("user", user); }
};
struct UserRolesChanged {
  int64_t user = 0;
  uint32_t roles = 0;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("user", user); v("roles", roles); v("actor", actor); }
};
struct CreditClassCreated {
  CreditClass cls;
  template <class V> void Fields(V& v) { v("cls", cls); }
};
struct ProjectCreated {
  Project project;
  std::string import_key;
  template <class V> void Fields(V& v) { v("project", project); v("import_key", import_key); }
};
struct ProjectStatusChanged {
  int64_t project = 0;
  ProjectStatus status = ProjectStatus::kDraft;
  int64_t actor = 0;
  std::string reason;
  template <class V>
  void Fields(V& v) { v("project", project); v("status", status); v("actor", actor); v("reason", reason); }
};
struct IssuanceRequested {
  Issuance issuance;
  template <class V> void Fields(V& v) { v("issuance", issuance); }
};
struct IssuanceApproved {
  int64_t issuance = 0;
  int64_t verifier = 0;
  template <class V> void Fields(V& v) { v("issuance", issuance); v("verifier", verifier); }
};
struct IssuanceRejected {
  int64_t issuance = 0;
  int64_t verifier = 0;
  std::string reason;
  template <class V>
  void Fields(V& v) { v("issuance", issuance); v("verifier", verifier); v("reason", reason); }
};
// A batch enters the registry: native issuance or import. Its whole supply is split
// between `owner` (ranges [buffer_kg, quantity_kg)) and the buffer pool ([0, buffer_kg)).
struct BatchIssued {
  Batch batch;
  int64_t owner = 0;
  template <class V> void Fields(V& v) { v("batch", batch); v("owner", owner); }
};
struct CreditsTransferred {
  int64_t from = 0;
  int64_t to = 0;
  int64_t batch = 0;
  Ranges ranges;
  template <class V>
  void Fields(V& v) { v("from", from); v("to", to); v("batch", batch); v("ranges", ranges); }
};
struct CreditsRetired {
  Retirement retirement;
  std::string import_key;
  template <class V> void Fields(V& v) { v("retirement", retirement); v("import_key", import_key); }
};
struct CreditsCancelled {
  Cancellation cancellation;
  std::string import_key;
  template <class V>
  void Fields(V& v) { v("cancellation", cancellation); v("import_key", import_key); }
};
struct ReversalRecorded {
  int64_t project = 0;
  int64_t quantity_kg = 0;
  int64_t from_buffer_kg = 0;
  int64_t from_developer_kg = 0;
  int64_t uncovered_kg = 0;
  std::string reason;
  template <class V>
  void Fields(V& v) {
    v("project", project); v("quantity_kg", quantity_kg); v("from_buffer_kg", from_buffer_kg);
    v("from_developer_kg", from_developer_kg); v("uncovered_kg", uncovered_kg); v("reason", reason);
  }
};

struct SessionOpened {
  int64_t family = 0;
  int64_t user = 0;
  std::string token_hash;
  int64_t expires_at = 0;
  template <class V>
  void Fields(V& v) { v("family", family); v("user", user); v("token_hash", token_hash); v("expires_at", expires_at); }
};
struct SessionRotated {
  int64_t family = 0;
  std::string old_hash;
  std::string new_hash;
  int64_t expires_at = 0;
  template <class V>
  void Fields(V& v) { v("family", family); v("old_hash", old_hash); v("new_hash", new_hash); v("expires_at", expires_at); }
};
struct SessionRevoked {
  int64_t family = 0;
  std::string reason;  // "logout", "reuse"
  template <class V> void Fields(V& v) { v("family", family); v("reason", reason); }
};

struct CashMoved {
  int64_t account = 0;
  std::string currency;
  int64_t amount = 0;  // positive: deposit; negative: withdrawal
  std::string reference;
  int64_t actor = 0;
  template <class V>
  void Fields(V& v) { v("account", account); v("currency", currency); v("amount", amount); v("reference", reference); v("actor", actor); }
};

struct ProjectDocumentAdded {
  int64_t project = 0;
  std::string cid;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("project", project); v("cid", cid); v("actor", actor); }
};

// ---------------------------------------------------------------- exchange events
// Plain events (applied live and in replay like the registry's):
struct InstrumentCreated {
  Instrument instrument;
  template <class V> void Fields(V& v) { v("instrument", instrument); }
};
struct MarketPhaseSet {
  int64_t instrument = 0;
  MarketPhase phase = MarketPhase::kContinuous;
  int64_t auction_end = 0;
  std::string reason;
  int64_t actor = 0;
  template <class V>
  void Fields(V& v) { v("instrument", instrument); v("phase", phase); v("auction_end", auction_end); v("reason", reason); v("actor", actor); }
};
// Input events: applying one runs the order books and settlement, which yields derived
// events (below). Live, the engine journals the derived events right after their input;
// in replay they are re-derived and compared with the journal (a mismatch is corruption).
struct OrderSubmitted {
  Order order;  // as accepted: id, account, batch, book_price, cash_locked set
  template <class V> void Fields(V& v) { v("order", order); }
};
struct OrderCancelRequested {
  int64_t order = 0;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("order", order); v("actor", actor); }
};
struct OrderReplaceRequested {
  int64_t order = 0;
  int64_t price = 0;
  int64_t qty = 0;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("order", order); v("price", price); v("qty", qty); v("actor", actor); }
};
struct MassCancelRequested {
  int64_t account = 0;
  int64_t instrument = 0;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("account", account); v("instrument", instrument); v("actor", actor); }
};
struct MarketTicked {
  int64_t at = 0;
  template <class V> void Fields(V& v) { v("at", at); }
};
struct InstrumentFeesSet {
  int64_t instrument = 0;
  int64_t maker_fee_bp = 0;
  int64_t taker_fee_bp = 0;
  int64_t actor = 0;
  template <class V>
  void Fields(V& v) { v("instrument", instrument); v("maker_fee_bp", maker_fee_bp); v("taker_fee_bp", taker_fee_bp); v("actor", actor); }
};
// Derived events (outcomes; applying them live or in replay changes nothing):
struct TradeExecuted {
  Fill fill;
  template <class V> void Fields(V& v) { v("fill", fill); }
};
struct OrderUpdated {
  int64_t order = 0;
  OrderStatus status = OrderStatus::kOpen;
  int32_t reason = 0;   // exchange::CancelReason for cancellations; 0 otherwise
  int32_t code = 0;     // refusal code for kRejected
  int64_t qty = 0;      // open quantity removed (cancel / reject) or new open qty (replace)
  int64_t price = 0;    // replace: new price; trigger: trade price
  int32_t what = 0;     // 0 closed/removed, 1 triggered, 2 replaced
  template <class V>
  void Fields(V& v) { v("order", order); v("status", status); v("reason", reason); v("code", code); v("qty", qty); v("price", price); v("what", what); }
};
struct MarketPhaseChanged {
  int64_t instrument = 0;
  MarketPhase phase = MarketPhase::kContinuous;
  int64_t auction_end = 0;
  std::string reason;  // "volatility", "uncross"
  int64_t price = 0;   // the trade price that halted, or the clearing price
  int64_t volume = 0;  // uncross volume
  template <class V>
  void Fields(V& v) { v("instrument", instrument); v("phase", phase); v("auction_end", auction_end); v("reason", reason); v("price", price); v("volume", volume); }
};

// ---------------------------------------------------------------- security and cash events
struct SecurityEventRecorded {
  int64_t user = 0;
  int64_t actor = 0;
  std::string kind;
  std::string detail;
  std::string ip;
  template <class V>
  void Fields(V& v) { v("user", user); v("actor", actor); v("kind", kind); v("detail", detail); v("ip", ip); }
};
struct WithdrawalRequested {
  Withdrawal withdrawal;
  template <class V> void Fields(V& v) { v("withdrawal", withdrawal); }
};
struct MfaEnrollmentStarted {
  int64_t user = 0;
  std::string sealed_secret;
  template <class V> void Fields(V& v) { v("user", user); v("sealed_secret", sealed_secret); }
};
struct MfaEnabled {
  int64_t user = 0;
  int64_t step = 0;
  std::vector<std::string> recovery_hashes;
  template <class V> void Fields(V& v) { v("user", user); v("step", step); v("recovery_hashes", recovery_hashes); }
};
// A second factor was used: a TOTP step (step >= 0) or a recovery code (its hash).
struct MfaUsed {
  int64_t user = 0;
  int64_t step = -1;
  std::string recovery_hash;
  std::string purpose;  // "login", "withdrawal", "disable"
  template <class V>
  void Fields(V& v) { v("user", user); v("step", step); v("recovery_hash", recovery_hash); v("purpose", purpose); }
};
struct WalletLinked {
  int64_t user = 0;
  std::string address;  // lower case
  template <class V> void Fields(V& v) { v("user", user); v("address", address); }
};
struct AlertRaised {
  Alert alert;
  template <class V> void Fields(V& v) { v("alert", alert); }
};
struct MfaDisabled {
  int64_t user = 0;
  template <class V> void Fields(V& v) { v("user", user); }
};
struct WithdrawalDecided {
  int64_t withdrawal = 0;
  bool approved = false;
  int64_t actor = 0;
  std::string reason;
  template <class V>
  void Fields(V& v) { v("withdrawal", withdrawal); v("approved", approved); v("actor", actor); v("reason", reason); }
};

struct ApiKeyCreated {
  ApiKey key;
  template <class V> void Fields(V& v) { v("key", key); }
};
struct ApiKeyRevoked {
  std::string key_id;
  int64_t user = 0;   // owner
  int64_t actor = 0;  // who revoked it
  template <class V> void Fields(V& v) { v("key_id", key_id); v("user", user); v("actor", actor); }
};

// Privacy events (registry/privacy.cc).
struct UserErased {
  int64_t user = 0;
  std::string pii_key;  // the key the edge shreds after this event is durable
  template <class V> void Fields(V& v) { v("user", user); v("pii_key", pii_key); }
};
struct ConsentRecorded {
  Consent consent;
  template <class V> void Fields(V& v) { v("consent", consent); }
};

// KYC/AML and payment events (registry/kyc.cc).
struct KycSubmitted {
  KycCase kyc_case;
  template <class V> void Fields(V& v) { v("kyc_case", kyc_case); }
};
struct KycDecided {
  int64_t kyc_case = 0;
  bool approved = false;
  KycLevel level = KycLevel::kNone;
  int64_t actor = 0;
  std::string reason;
  bool override_hit = false;
  KycSource source = KycSource::kManual;
  std::string provider_event;
  template <class V>
  void Fields(V& v) {
    v("kyc_case", kyc_case); v("approved", approved); v("level", level); v("actor", actor); v("reason", reason);
    v("override_hit", override_hit); v("source", source); v("provider_event", provider_event);
  }
};
struct KycLevelSet {
  int64_t user = 0;
  KycLevel level = KycLevel::kNone;
  int64_t actor = 0;
  std::string reason;
  template <class V> void Fields(V& v) { v("user", user); v("level", level); v("actor", actor); v("reason", reason); }
};
struct KycLimitsSet {
  KycLevel level = KycLevel::kNone;
  KycLimits limits;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("level", level); v("limits", limits); v("actor", actor); }
};
struct PaymentRecorded {
  Payment payment;  // status kCredited (cash moves) or kHeld (nothing moves yet)
  template <class V> void Fields(V& v) { v("payment", payment); }
};
struct PaymentSettled {
  int64_t payment = 0;
  bool released = false;
  int64_t actor = 0;
  std::string reason;
  template <class V>
  void Fields(V& v) { v("payment", payment); v("released", released); v("actor", actor); v("reason", reason); }
};

// Chain flow events (registry/chain.cc).
struct ChainConfigured {
  ChainConfig config;
  int64_t actor = 0;
  template <class V> void Fields(V& v) { v("config", config); v("actor", actor); }
};
struct ChainBatchMirrored {
  ChainBatch batch;
  template <class V> void Fields(V& v) { v("batch", batch); }
};
struct ChainApprovalAdded {
  int64_t batch = 0;
  ChainApproval approval;
  template <class V> void Fields(V& v) { v("batch", batch); v("approval", approval); }
};
struct ChainTxRecorded {
  ChainTx tx;
  template <class V> void Fields(V& v) { v("tx", tx); }
};
struct ChainTxSettled {
  int64_t tx = 0;
  bool ok = false;
  int64_t block = 0;
  std::string error;
  Ranges ranges;  // a confirmed withdrawal: the kilograms that went on chain
  template <class V>
  void Fields(V& v) { v("tx", tx); v("ok", ok); v("block", block); v("error", error); v("ranges", ranges); }
};
struct ChainWithdrawalRequested {
  ChainWithdrawal withdrawal;
  template <class V> void Fields(V& v) { v("withdrawal", withdrawal); }
};
struct ChainWithdrawalReleased {
  int64_t withdrawal = 0;
  std::string reason;
  template <class V> void Fields(V& v) { v("withdrawal", withdrawal); v("reason", reason); }
};
struct ChainDepositSeen {
  ChainDeposit deposit;
  template <class V> void Fields(V& v) { v("deposit", deposit); }
};
struct ChainDepositReorged {
  std::string key;
  template <class V> void Fields(V& v) { v("key", key); }
};
struct ChainDepositCredited {
  std::string key;
  int64_t account = 0;  // 0: names no account (kept unclaimed)
  Ranges ranges;
  template <class V> void Fields(V& v) { v("key", key); v("account", account); v("ranges", ranges); }
};

// Chain proof events (registry/chain_proofs.cc).
struct AnchorRecorded {
  ChainAnchor anchor;
  template <class V> void Fields(V& v) { v("anchor", anchor); }
};
struct AnchorSettled {
  int64_t height = 0;
  bool ok = false;
  int64_t block_number = 0;
  int64_t gas_used = 0;
  std::string error;
  template <class V>
  void Fields(V& v) { v("height", height); v("ok", ok); v("block_number", block_number); v("gas_used", gas_used); v("error", error); }
};
// A confirmed log; `batch` is the mirrored batch of its token (0 if none), `retirement` the
// registry retirement an on-chain retirement became (0 if none: not mirrored / not held).
struct ChainLogObserved {
  ChainLogFact fact;
  int64_t batch = 0;
  int64_t retirement = 0;
  template <class V> void Fields(V& v) { v("fact", fact); v("batch", batch); v("retirement", retirement); }
};

using Event = std::variant<UserRegistered, UserRolesChanged, CreditClassCreated, ProjectCreated,
                           ProjectStatusChanged, IssuanceRequested, IssuanceApproved,
                           IssuanceRejected, BatchIssued, CreditsTransferred, CreditsRetired,
                           CreditsCancelled, ReversalRecorded, SessionOpened, SessionRotated,
                           SessionRevoked, CashMoved, ProjectDocumentAdded, InstrumentCreated,
                           MarketPhaseSet, OrderSubmitted, OrderCancelRequested,
                           OrderReplaceRequested, MassCancelRequested, MarketTicked,
                           TradeExecuted, OrderUpdated, MarketPhaseChanged,
                           SecurityEventRecorded, WithdrawalRequested, WithdrawalDecided,
                           MfaEnrollmentStarted, MfaEnabled, MfaUsed, MfaDisabled, AlertRaised,
                           WalletLinked, ApiKeyCreated, ApiKeyRevoked,
                           UserErased, ConsentRecorded,
                           KycSubmitted, KycDecided, KycLevelSet, KycLimitsSet, PaymentRecorded,
                           PaymentSettled, InstrumentFeesSet,
                           ChainConfigured, ChainBatchMirrored, ChainApprovalAdded, ChainTxRecorded,
                           ChainTxSettled, ChainWithdrawalRequested, ChainWithdrawalReleased, ChainDepositSeen,
                           ChainDepositReorged, ChainDepositCredited,
                           AnchorRecorded, AnchorSettled, ChainLogObserved>;
// KYC commands and events are decided and applied by registry/kyc.cc.
template <class T>
inline constexpr bool kIsKycCommand = std::is_same_v<T, SubmitKyc> || std::is_same_v<T, DecideKyc> ||
                                      std::is_same_v<T, SetKycLevel> || std::is_same_v<T, SetKycLimits> ||
                                      std::is_same_v<T, RecordPayment> || std::is_same_v<T, SettlePayment>;
template <class T>
inline constexpr bool kIsKycEvent = std::is_same_v<T, KycSubmitted> || std::is_same_v<T, KycDecided> ||
                                    std::is_same_v<T, KycLevelSet> || std::is_same_v<T, KycLimitsSet> ||
                                    std::is_same_v<T, PaymentRecorded> || std::is_same_v<T, PaymentSettled>;
// Chain flow commands and events are decided and applied by registry/chain.cc.
template <class T>
inline constexpr bool kIsChainCommand =
    std::is_same_v<T, SetChainConfig> || std::is_same_v<T, MirrorChainBatch> || std::is_same_v<T, AddChainApproval> ||
    std::is_same_v<T, RecordChainTx> || std::is_same_v<T, SettleChainTx> || std::is_same_v<T, RequestChainWithdrawal> ||
    std::is_same_v<T, ReleaseChainWithdrawal> || std::is_same_v<T, ObserveChainDeposit>;
template <class T>
inline constexpr bool kIsChainEvent =
    std::is_same_v<T, ChainConfigured> || std::is_same_v<T, ChainBatchMirrored> || std::is_same_v<T, ChainApprovalAdded> ||
    std::is_same_v<T, ChainTxRecorded> || std::is_same_v<T, ChainTxSettled> || std::is_same_v<T, ChainWithdrawalRequested> ||
    std::is_same_v<T, ChainWithdrawalReleased> || std::is_same_v<T, ChainDepositSeen> ||
    std::is_same_v<T, ChainDepositReorged> || std::is_same_v<T, ChainDepositCredited>;
// Chain proof commands and events are decided and applied by registry/chain_proofs.cc.
template <class T>
inline constexpr bool kIsProofsCommand =
    std::is_same_v<T, RecordAnchor> || std::is_same_v<T, SettleAnchor> || std::is_same_v<T, ObserveChainLog>;
template <class T>
inline constexpr bool kIsProofsEvent =
    std::is_same_v<T, AnchorRecorded> || std::is_same_v<T, AnchorSettled> || std::is_same_v<T, ChainLogObserved>;
// Index of alternative T in variant V (compile time).
template <class T, class V>
struct VariantIndex;
template <class T, class... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr size_t value = [] {
    size_t i = 0;
    (void)((std::is_same_v<T, Ts> ? false : (++i, true)) && ...);
    return i;
  }();
};
// Derived events are outcomes of an input event (see above).
inline bool IsDerived(const Event& e) {
  return std::holds_alternative<TradeExecuted>(e) || std::holds_alternative<OrderUpdated>(e) ||
         std::holds_alternative<MarketPhaseChanged>(e);
}

// Stable names used as the journal `type` column; index = variant index.
const char* EventTypeName(const Event& e);
int EventTypeIndex(std::string_view name);  // -1 if unknown
std::string EncodeEvent(const Event& e);
// Decodes a payload of the named type; false on unknown type or malformed bytes.
bool DecodeEvent(std::string_view type, std::string_view payload, Event& out);
std::string EventToJson(const Event& e);

}  // namespace cx::registry
