#include "registry/registry.h"

#include <algorithm>
#include <cctype>

#include "core/codec.h"
#include "core/units.h"

namespace cx::registry {
namespace {

const char* kRegistries[] = {"verra", "gold-standard", "acr", "car", "art", "arb",
                             "isometric", "cercarbono"};

std::string OriginKey(const std::string& registry, const std::string& id) {
  return registry + '\x1f' + id;
}

Error Refuse(Code c, std::string msg, std::string field = {}) {
  return Err(c, std::move(msg), std::move(field));
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

constexpr size_t kMaxText = 4096;       // names, reasons
constexpr size_t kMaxLongText = 65536;  // descriptions

Result<void> CheckText(const std::string& s, const char* field, bool required,
                       size_t max = kMaxText) {
  if (required && IsBlank(s)) return Refuse(Code::kMissingField, "required", field);
  if (s.size() > max)
    return Refuse(Code::kInvalidField, "longer than " + std::to_string(max) + " bytes", field);
  return Ok();
}

Result<void> CheckQuantity(int64_t kg, const char* field = "quantity") {
  if (kg <= 0) return Refuse(Code::kBadQuantity, "quantity must be positive", field);
  if (kg > int64_t{1} << 52) return Refuse(Code::kBadQuantity, "quantity too large", field);
  return Ok();
}

}  // namespace

int64_t OriginAccountFor(const std::string& registry) {
  for (size_t i = 0; i < std::size(kRegistries); ++i)
    if (registry == kRegistries[i]) return 2 + static_cast<int64_t>(i);
  return 0;
}

const char* OriginRegistryOfAccount(int64_t account) {
  if (account >= 2 && account < 2 + static_cast<int64_t>(std::size(kRegistries)))
    return kRegistries[account - 2];
  return nullptr;
}

const char* ProjectStatusName(ProjectStatus s) {
  switch (s) {
    case ProjectStatus::kDraft: return "draft";
    case ProjectStatus::kSubmitted: return "submitted";
    case ProjectStatus::kValidated: return "validated";
    case ProjectStatus::kChangesRequested: return "changes_requested";
    case ProjectStatus::kRejected: return "rejected";
    case ProjectStatus::kRegistered: return "registered";
  }
  return "unknown";
}

const char* IssuanceStatusName(IssuanceStatus s) {
  switch (s) {
    case IssuanceStatus::kPending: return "pending";
    case IssuanceStatus::kIssued: return "issued";
    case IssuanceStatus::kRejected: return "rejected";
  }
  return "unknown";
}

// ------------------------------------------------------------------ lookups
const User* RegistryState::user(int64_t id) const { return GetIx(user_ix_, id); }
const User* RegistryState::user_by_email_index(const std::string& index) const {
  if (index.empty()) return nullptr;
  auto it = user_by_email_.find(index);
  return it == user_by_email_.end() ? nullptr : user(it->second);
}
const User* RegistryState::user_by_account(int64_t account) const {
  auto it = user_by_account_.find(account);
  return it == user_by_account_.end() ? nullptr : user(it->second);
}
const Project* RegistryState::project(int64_t id) const { return GetIx(project_ix_, id); }
const Issuance* RegistryState::issuance(int64_t id) const { return GetIx(issuance_ix_, id); }
const Batch* RegistryState::batch(int64_t id) const { return GetIx(batch_ix_, id); }
const Retirement* RegistryState::retirement(int64_t id) const {
  auto it = retirements_.find(id);
  return it == retirements_.end() ? nullptr : &it->second;
}
std::vector<std::pair<int64_t, const Holding*>> RegistryState::HoldingsOf(int64_t account) const {
  std::vector<std::pair<int64_t, const Holding*>> out;
  for (int64_t b : holdings_.BatchesOf(account)) out.push_back({b, holdings_.Find(account, b)});
  return out;
}
const Holding* RegistryState::holding(int64_t account, int64_t batch) const {
  return holdings_.Find(account, batch);
}

Holding& RegistryState::MutHolding(int64_t account, int64_t batch) { return holdings_.Get(account, batch); }
int64_t RegistryState::ProjectByOrigin(const std::string& registry,
                                       const std::string& origin_id) const {
  auto it = project_by_origin_.find(OriginKey(registry, origin_id));
  return it == project_by_origin_.end() ? 0 : it->second;
}
const std::map<std::string, CashBalance>* RegistryState::cash(int64_t account) const {
  auto it = cash_.find(account);
  return it == cash_.end() ? nullptr : &it->second;
}

int64_t RegistryState::SessionFamilyOf(const std::string& token_hash) const {
  auto it = tokens_.find(token_hash);
  if (it == tokens_.end() || it->second.rotated) return 0;
  auto s = sessions_.find(it->second.family);
  return s == sessions_.end() || s->second.revoked ? 0 : s->first;
}

bool RegistryState::account_exists(int64_t account) const {
  if (account >= kFirstUserAccount) return account < next_.account;  // user accounts are dense
  return account == kBufferAccount || account == kFeeAccount || OriginRegistryOfAccount(account) != nullptr;
}

std::string RegistryState::SerialRangeText(const Batch& b, const Range& r) {
  int64_t first = b.serial_start + r.first / kKgPerTonne;
  int64_t last = b.serial_start + (r.second - 1) / kKgPerTonne;
  std::string s = std::to_string(first) + "-" + std::to_string(last);
  bool whole = r.first % kKgPerTonne == 0 && (r.second % kKgPerTonne == 0 || r.second == b.quantity_kg);
  if (!whole) {
    s += " (kg " + std::to_string(r.first) + "-" + std::to_string(r.second) + ")";
  }
  return s;
}

bool RegistryState::SerialOverlaps(const std::string& space, int64_t start, int64_t end) const {
  auto sp = serials_.find(space);
  if (sp == serials_.end()) return false;
  const auto& m = sp->second;
  auto it = m.upper_bound(end);  // first block starting after `end`
  if (it == m.begin()) return false;
  --it;  // last block starting at or before `end`
  return it->second.first >= start;
}

int64_t RegistryState::BatchContaining(const std::string& space, int64_t start,
                                       int64_t end) const {
  auto sp = serials_.find(space);
  if (sp == serials_.end()) return 0;
  auto it = sp->second.upper_bound(start);
  if (it == sp->second.begin()) return 0;
  --it;
  if (it->first <= start && end <= it->second.first) return it->second.second;
  return 0;
}

Result<const Project*> RegistryState::OwnProject(int64_t actor, int64_t project_id) const {
  const Project* p = project(project_id);
  if (!p) return Refuse(Code::kUnknownProject, "no such project", "project");
  if (p->developer != actor)
    return Refuse(Code::kForbidden, "only the project's developer may do this", "project");
  return p;
}

// An issuance a verifier may decide on: it exists, is pending, and the verifier is not a
// party to its project.
Result<const Issuance*> RegistryState::PendingIssuanceFor(int64_t verifier, int64_t id) const {
  const Issuance* i = issuance(id);
  if (!i) return Refuse(Code::kUnknownIssuance, "no such issuance", "issuance");
  const Project* p = project(i->project);
  if (p->developer == verifier || i->requested_by == verifier)
    return Refuse(Code::kVerifierConflict, "a verifier cannot review their own project", "issuance");
  if (i->status != IssuanceStatus::kPending)
    return Refuse(Code::kBadState, std::string("issuance is ") + IssuanceStatusName(i->status), "issuance");
  return i;
}

int64_t RegistryState::OwnAccountIfZero(int64_t actor, int64_t account) const {
  if (account != 0 || actor <= 0 || static_cast<size_t>(actor) >= user_account_.size()) return account;
  return user_account_[static_cast<size_t>(actor)];
}

Result<void> RegistryState::CheckActorOwns(int64_t actor, int64_t account) const {
  if (actor == 0) return Ok();  // system
  // A dense user -> account table (8 bytes a user) keeps this check out of the users' nodes.
  if (actor < 0 || static_cast<size_t>(actor) >= user_account_.size() || user_account_[static_cast<size_t>(actor)] == 0)
    return Refuse(Code::kUnknownUser, "unknown user");
  if (user_account_[static_cast<size_t>(actor)] != account)
    return Refuse(Code::kNotHolder, "account does not belong to the caller", "account");
  return Ok();
}

Result<void> RegistryState::CanEscrow(int64_t account, int64_t batch_id, int64_t kg) const {
  const Holding* h = holding(account, batch_id);
  if (!batch(batch_id)) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
  if (!h || h->available() < kg)
    return Refuse(Code::kInsufficientCredits, "not enough tradable credits", "quantity");
  return Ok();
}

// ------------------------------------------------------------------ decide
Result<void> RegistryState::Decide(const Command& cmd, int64_t ts, std::vector<Event>& out) const {
  return std::visit(
      [&](const auto& c) -> Result<void> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateInstrument> || std::is_same_v<T, SetMarketPhase> ||
                      std::is_same_v<T, StartAuction> || std::is_same_v<T, PlaceOrder> ||
                      std::is_same_v<T, CancelOrder> || std::is_same_v<T, ReplaceOrder> ||
                      std::is_same_v<T, MassCancel> || std::is_same_v<T, MarketTick> ||
                      std::is_same_v<T, SetInstrumentFees>) {
          return DecideMarket(c, ts, out);
        } else if constexpr (kIsKycCommand<T>) {
          return DecideKycCommand(c, ts, out);
        } else if constexpr (kIsChainCommand<T>) {
          return DecideChainCommand(c, ts, out);
        } else if constexpr (kIsProofsCommand<T>) {
          return DecideProofsCommand(c, ts, out);
        } else if constexpr (std::is_same_v<T, EraseUser> || std::is_same_v<T, RecordConsent>) {
          return DecidePrivacy(c, ts, out);
        } else if constexpr (std::is_same_v<T, RegisterUser>) {
          // The email was checked, normalised and keyed by the edge (app/pii.h); the engine
          // sees only its index and the sealed personal fields.
          const bool by_wallet = !c.wallet.empty();
          if (!by_wallet) CX_TRY(CheckText(c.email_index, "email", true, 254));
          if (c.email_index.size() > 254) return Refuse(Code::kInvalidField, "email index too long", "email");
          if (!c.email_index.empty() && user_by_email_.count(c.email_index))
            return Refuse(Code::kEmailTaken, "email already registered", "email");
          CX_TRY(CheckText(c.pii_key, "pii_key", false, 64));
          if (c.pii.size() > kMaxText) return Refuse(Code::kInvalidField, "sealed personal data too long", "pii");
          if (c.roles == 0 || (c.roles & ~kAllRoles))
            return Refuse(Code::kInvalidField, "bad roles", "roles");
          std::string wallet;
          if (by_wallet) {
            CX_ASSIGN_OR_RETURN(wallet, CheckWallet(c.wallet));
          }
          User u{next_.user, next_.account, c.email_index, c.pii_key, c.pii, c.roles, false};
          out.push_back(UserRegistered{u});
          if (by_wallet) out.push_back(WalletLinked{u.id, wallet});
        } else if constexpr (std::is_same_v<T, RevokeSession>) {
          auto it = sessions_.find(c.family);
          if (it == sessions_.end() || it->second.user != c.user) return Refuse(Code::kNotFound, "no such session", "id");
          if (it->second.revoked) return Refuse(Code::kBadState, "already ended", "id");
          out.push_back(SessionRevoked{c.family, "revoked by the user"});
        } else if constexpr (std::is_same_v<T, LinkWallet>) {
          if (!user(c.user)) return Refuse(Code::kUnknownUser, "no such user", "user");
          CX_ASSIGN_OR_RETURN(std::string wallet, CheckWallet(c.address));
          if (WalletsOf(c.user).size() >= 8) return Refuse(Code::kInvalidField, "at most 8 wallets", "address");
          out.push_back(WalletLinked{c.user, wallet});
        } else if constexpr (std::is_same_v<T, SetUserRoles>) {
          if (!user(c.user)) return Refuse(Code::kUnknownUser, "no such user", "user");
          if (c.roles == 0 || (c.roles & ~kAllRoles))
            return Refuse(Code::kInvalidField, "bad roles", "roles");
          out.push_back(UserRolesChanged{c.user, c.roles, c.actor});
        } else if constexpr (std::is_same_v<T, CreateCreditClass>) {
          CX_TRY(CheckText(c.cls.code, "code", true, 64));
          CX_TRY(CheckText(c.cls.name, "name", false));
          CX_TRY(CheckText(c.cls.standard, "standard", false));
          for (const auto& [id, k] : classes_)
            if (k.code == c.cls.code) return Refuse(Code::kConflict, "credit class code exists", "code");
          if (c.cls.required_approvals < 1 || c.cls.required_approvals > 16)
            return Refuse(Code::kInvalidField, "must be 1..16", "required_approvals");
          if (c.cls.buffer_bp < 0 || c.cls.buffer_bp > 9000)
            return Refuse(Code::kInvalidField, "must be 0..9000 basis points", "buffer_bp");
          CreditClass k = c.cls;
          k.id = next_.cls;
          out.push_back(CreditClassCreated{k});
        } else if constexpr (std::is_same_v<T, CreateProject>) {
          const User* u = user(c.actor);
          if (!u) return Refuse(Code::kUnknownUser, "unknown user");
          CX_TRY(CheckText(c.info.name, "name", true));
          CX_TRY(CheckText(c.info.description, "description", false, kMaxLongText));
          CX_TRY(CheckText(c.info.country, "country", true, 100));
          CX_TRY(CheckText(c.info.methodology, "methodology", true));
          for (const auto* f : {&c.info.developer_name, &c.info.subdivision, &c.info.sector,
                                &c.info.project_type, &c.info.website, &c.info.crediting_start,
                                &c.info.crediting_end})
            if (f->size() > kMaxText) return Refuse(Code::kInvalidField, "too long", "info");
          if (c.info.credit_class && !classes_.count(c.info.credit_class))
            return Refuse(Code::kUnknownCreditClass, "no such credit class", "credit_class");
          Project p;
          p.id = next_.project;
          p.developer = c.actor;
          p.info = c.info;
          p.info.origin_registry = "carbonx";
          p.info.origin_id = "CX-" + std::to_string(p.id);
          p.status = ProjectStatus::kDraft;
          p.created_ts = p.updated_ts = ts;
          out.push_back(ProjectCreated{p, ""});
        } else if constexpr (std::is_same_v<T, SubmitProject>) {
          CX_ASSIGN_OR_RETURN(const Project* p, OwnProject(c.actor, c.project));
          if (p->status != ProjectStatus::kDraft && p->status != ProjectStatus::kChangesRequested)
            return Refuse(Code::kBadState,
                          std::string("cannot submit a project that is ") + ProjectStatusName(p->status),
                          "project");
          out.push_back(ProjectStatusChanged{c.project, ProjectStatus::kSubmitted, c.actor, ""});
        } else if constexpr (std::is_same_v<T, ReviewProject>) {
          const Project* p = project(c.project);
          if (!p) return Refuse(Code::kUnknownProject, "no such project", "project");
          if (p->developer == c.actor)
            return Refuse(Code::kVerifierConflict, "a verifier cannot review their own project", "project");
          if (p->status != ProjectStatus::kSubmitted)
            return Refuse(Code::kBadState,
                          std::string("project is ") + ProjectStatusName(p->status) + ", not submitted",
                          "project");
          if (c.decision != ReviewProject::kValidate && IsBlank(c.reason))
            return Refuse(Code::kMissingField, "a reason is required", "reason");
          CX_TRY(CheckText(c.reason, "reason", false));
          ProjectStatus s = c.decision == ReviewProject::kValidate ? ProjectStatus::kValidated
                            : c.decision == ReviewProject::kRequestChanges
                                ? ProjectStatus::kChangesRequested
                                : ProjectStatus::kRejected;
          out.push_back(ProjectStatusChanged{c.project, s, c.actor, c.reason});
        } else if constexpr (std::is_same_v<T, RequestIssuance>) {
          CX_ASSIGN_OR_RETURN(const Project* p, OwnProject(c.actor, c.project));
          if (p->status != ProjectStatus::kValidated)
            return Refuse(Code::kBadState, "the project must be validated first", "project");
          CX_TRY(CheckQuantity(c.quantity_kg));
          if (c.vintage < 1990 || c.vintage > 2100)
            return Refuse(Code::kInvalidField, "vintage must be a year", "vintage");
          CX_TRY(CheckText(c.period_start, "period_start", true, 32));
          CX_TRY(CheckText(c.period_end, "period_end", true, 32));
          if (c.period_end < c.period_start)
            return Refuse(Code::kInvalidField, "period ends before it starts", "period_end");
          CX_TRY(CheckText(c.verification_body, "verification_body", false));
          CX_TRY(CheckText(c.report, "report", true));
          Issuance i;
          i.id = next_.issuance;
          i.project = c.project;
          i.requested_by = c.actor;
          i.vintage = c.vintage;
          i.period_start = c.period_start;
          i.period_end = c.period_end;
          i.quantity_kg = c.quantity_kg;
          i.verification_body = c.verification_body;
          i.report = c.report;
          i.created_ts = ts;
          out.push_back(IssuanceRequested{i});
        } else if constexpr (std::is_same_v<T, ApproveIssuance>) {
          CX_ASSIGN_OR_RETURN(const Issuance* i, PendingIssuanceFor(c.actor, c.issuance));
          const Project* p = project(i->project);
          if (std::find(i->approvals.begin(), i->approvals.end(), c.actor) != i->approvals.end())
            return Refuse(Code::kAlreadyApproved, "you already approved this issuance", "issuance");
          out.push_back(IssuanceApproved{c.issuance, c.actor});
          int64_t k = 1, buffer_bp = 0;
          if (auto cl = classes_.find(p->info.credit_class); cl != classes_.end()) {
            k = cl->second.required_approvals;
            buffer_bp = cl->second.buffer_bp;
          }
          if (static_cast<int64_t>(i->approvals.size()) + 1 >= k) {
            const User* dev = user(p->developer);
            Batch b;
            b.id = next_.batch;
            b.project = p->id;
            b.issuance = i->id;
            b.vintage = i->vintage;
            b.serial_space = "carbonx";
            int64_t tonnes = (i->quantity_kg + kKgPerTonne - 1) / kKgPerTonne;
            b.serial_start = next_.native_serial;
            b.serial_end = b.serial_start + tonnes - 1;
            b.serial = "CX-" + std::to_string(p->id) + "-" + std::to_string(i->vintage) + "-" +
                       std::to_string(b.serial_start) + "-" + std::to_string(b.serial_end);
            b.quantity_kg = i->quantity_kg;
            b.buffer_kg = p->info.nature == Nature::kNatureBased
                              ? *MulDiv(i->quantity_kg, buffer_bp, 10000)
                              : 0;
            b.corsia = p->info.corsia;
            b.origin_registry = "carbonx";
            b.issued_ts = ts;
            out.push_back(BatchIssued{b, dev ? dev->account : 0});
          }
        } else if constexpr (std::is_same_v<T, RejectIssuance>) {
          CX_TRY(PendingIssuanceFor(c.actor, c.issuance));
          if (IsBlank(c.reason)) return Refuse(Code::kMissingField, "a reason is required", "reason");
          CX_TRY(CheckText(c.reason, "reason", true));
          out.push_back(IssuanceRejected{c.issuance, c.actor, c.reason});
        } else if constexpr (std::is_same_v<T, Transfer>) {
          const int64_t from = OwnAccountIfZero(c.actor, c.from);
          CX_TRY(CheckQuantity(c.quantity_kg));
          if (!batch(c.batch)) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
          if (!account_exists(from)) return Refuse(Code::kUnknownAccount, "no such account", "from_account");
          if (!account_exists(c.to) || c.to == kBufferAccount || OriginRegistryOfAccount(c.to))
            return Refuse(Code::kUnknownAccount, "no such account", "to_account");
          if (from == c.to) return Refuse(Code::kInvalidField, "cannot transfer to the same account", "to_account");
          if (from == kBufferAccount) return Refuse(Code::kForbidden, "buffer credits are not transferable", "from_account");
          CX_TRY(CheckActorOwns(c.actor, from));
          const Holding* h = holding(from, c.batch);
          if (!h || h->available() < c.quantity_kg)
            return Refuse(Code::kInsufficientCredits, "not enough tradable credits", "quantity");
          out.push_back(CreditsTransferred{from, c.to, c.batch, h->tradable.PeekLowest(c.quantity_kg)});
        } else if constexpr (std::is_same_v<T, Retire>) {
          const int64_t account = OwnAccountIfZero(c.actor, c.account);
          CX_TRY(CheckQuantity(c.quantity_kg));
          const Batch* b = batch(c.batch);
          if (!b) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
          if (!account_exists(account)) return Refuse(Code::kUnknownAccount, "no such account", "account");
          if (account == kBufferAccount) return Refuse(Code::kForbidden, "buffer credits cannot be retired", "account");
          CX_TRY(CheckActorOwns(c.actor, account));
          CX_TRY(CheckText(c.beneficiary, "beneficiary", true));
          CX_TRY(CheckText(c.reason, "reason", false));
          CX_TRY(CheckText(c.country, "country", false, 100));
          CX_TRY(CheckText(c.period_start, "period_start", false, 32));
          CX_TRY(CheckText(c.period_end, "period_end", false, 32));
          const Holding* h = holding(account, c.batch);
          if (!h || h->available() < c.quantity_kg)
            return Refuse(Code::kInsufficientCredits, "not enough tradable credits", "quantity");
          Retirement r;
          r.id = next_.retirement;
          r.account = account;
          r.batch = c.batch;
          r.quantity_kg = c.quantity_kg;
          r.ranges = h->tradable.PeekLowest(c.quantity_kg);
          r.beneficiary = c.beneficiary;
          r.reason = c.reason;
          r.country = c.country;
          r.period_start = c.period_start;
          r.period_end = c.period_end;
          r.ts = ts;
          out.push_back(CreditsRetired{r, ""});
        } else if constexpr (std::is_same_v<T, Cancel>) {
          const int64_t account = OwnAccountIfZero(c.actor, c.account);
          CX_TRY(CheckQuantity(c.quantity_kg));
          if (!batch(c.batch)) return Refuse(Code::kUnknownBatch, "no such batch", "batch");
          if (!account_exists(account)) return Refuse(Code::kUnknownAccount, "no such account", "account");
          CX_TRY(CheckActorOwns(c.actor, account));
          CX_TRY(CheckText(c.reason, "reason", false));
          const Holding* h = holding(account, c.batch);
          if (!h || h->available() < c.quantity_kg)
            return Refuse(Code::kInsufficientCredits, "not enough tradable credits", "quantity");
          out.push_back(CreditsCancelled{Cancellation{c.batch, account, h->tradable.PeekLowest(c.quantity_kg), c.reason}, ""});
        } else if constexpr (std::is_same_v<T, ReportReversal>) {
          const Project* p = project(c.project);
          if (!p) return Refuse(Code::kUnknownProject, "no such project", "project");
          CX_TRY(CheckQuantity(c.quantity_kg));
          CX_TRY(CheckText(c.reason, "reason", true));
          int64_t left = c.quantity_kg, from_buffer = 0, from_dev = 0;
          const User* dev = user(p->developer);
          for (int pass = 0; pass < 2 && left > 0; ++pass) {
            int64_t acct = pass == 0 ? kBufferAccount : (dev ? dev->account : 0);
            if (!acct) continue;
            for (const auto& [bid, b] : batches_) {
              if (b.project != p->id || left == 0) continue;
              const Holding* h = holding(acct, bid);
              if (!h || h->available() <= 0) continue;
              int64_t take = std::min(left, h->available());
              RangeSet copy = h->tradable;
              out.push_back(CreditsCancelled{
                  Cancellation{bid, acct, copy.TakeLowest(take), "reversal: " + c.reason}, ""});
              left -= take;
              (pass == 0 ? from_buffer : from_dev) += take;
            }
          }
          out.push_back(ReversalRecorded{c.project, c.quantity_kg, from_buffer, from_dev, left, c.reason});
        } else if constexpr (std::is_same_v<T, ImportProject>) {
          if (import_keys_.count(c.import_key) ||
              project_by_origin_.count(OriginKey(c.info.origin_registry, c.info.origin_id)))
            return Refuse(Code::kDuplicateProject, "project already in the registry", "origin_id");
          if (!OriginAccountFor(c.info.origin_registry))
            return Refuse(Code::kInvalidField, "unknown registry", "registry");
          CX_TRY(CheckText(c.info.origin_id, "origin_id", true, 200));
          Project p;
          p.id = next_.project;
          p.info = c.info;
          if (p.info.name.empty()) p.info.name = c.info.origin_registry + " " + c.info.origin_id;
          p.status = c.status;
          p.created_ts = p.updated_ts = ts;
          out.push_back(ProjectCreated{p, c.import_key});
        } else if constexpr (std::is_same_v<T, ImportBatch>) {
          if (import_keys_.count(c.import_key))
            return Refuse(Code::kConflict, "already imported", "import_key");
          int64_t owner = OriginAccountFor(c.registry);
          if (!owner) return Refuse(Code::kInvalidField, "unknown registry", "registry");
          int64_t pid = ProjectByOrigin(c.registry, c.project_origin_id);
          if (!pid) return Refuse(Code::kUnknownProject, "project not in the registry", "project");
          CX_TRY(CheckQuantity(c.quantity_kg));
          if (c.buffer_kg < 0 || c.buffer_kg > c.quantity_kg)
            return Refuse(Code::kBadQuantity, "buffer outside 0..quantity", "buffer");
          CX_ASSIGN_OR_RETURN(Batch b, ImportedBatch(c, pid, c.import_key, ts));
          if (c.serial_end > 0) {
            if (int64_t in = BatchContaining(c.serial_space, c.serial_start, c.serial_end);
                in && batches_.at(in).origin_registry == c.registry)
              // A newer export lists a block of a batch we hold as its own row (registries
              // split blocks on partial retirement): the same issuance, not a new one.
              return Refuse(Code::kConflict, "part of batch " + std::to_string(in) + " (already imported)", "serial");
            if (SerialOverlaps(c.serial_space, c.serial_start, c.serial_end))
              return Refuse(Code::kSerialOverlap, "serials already in the registry (double counting)", "serial");
          }
          b.buffer_kg = c.buffer_kg;
          b.corsia = c.corsia;
          b.corresponding_adjustment = c.corresponding_adjustment;
          out.push_back(BatchIssued{b, owner});
        } else if constexpr (std::is_same_v<T, ImportRetirement>) {
          return DecideImportRetirement(c, ts, out);
        } else if constexpr (std::is_same_v<T, OpenSession>) {
          if (!user(c.user)) return Refuse(Code::kUnknownUser, "no such user", "user");
          if (c.token_hash.size() != 64 || tokens_.count(c.token_hash))
            return Refuse(Code::kInvalidField, "bad token hash", "token");
          CX_TRY(CheckSecondFactor(c.user, c.mfa_step, c.recovery_hash, "login", out));
          out.push_back(SessionOpened{next_.session, c.user, c.token_hash, c.expires_at});
        } else if constexpr (std::is_same_v<T, RotateSession>) {
          auto it = tokens_.find(c.presented_hash);
          if (it == tokens_.end()) return Refuse(Code::kBadToken, "unknown refresh token", "refresh_token");
          const Session& s = sessions_.at(it->second.family);
          if (s.revoked) return Refuse(Code::kBadToken, "session revoked", "refresh_token");
          if (it->second.rotated) {
            out.push_back(SessionRevoked{s.family, "reuse"});
            return Ok();
          }
          if (it->second.expires_at <= c.now) return Refuse(Code::kTokenExpired, "refresh token expired", "refresh_token");
          if (c.new_hash.size() != 64 || tokens_.count(c.new_hash))
            return Refuse(Code::kInvalidField, "bad token hash", "token");
          out.push_back(SessionRotated{s.family, c.presented_hash, c.new_hash, c.expires_at});
        } else if constexpr (std::is_same_v<T, RaiseAlert>) {
          if (c.key.empty() || c.key.size() > 200) return Refuse(Code::kInvalidField, "key is 1 to 200 characters", "key");
          if (c.kind.empty() || c.kind.size() > 64) return Refuse(Code::kInvalidField, "kind is 1 to 64 characters", "kind");
          if (alert_keys_.count(c.key)) return Refuse(Code::kConflict, "already raised", "key");
          if (c.accounts.size() > 64) return Refuse(Code::kInvalidField, "at most 64 accounts", "accounts");
          CX_TRY(CheckText(c.evidence, "evidence", false, 4000));
          out.push_back(AlertRaised{Alert{static_cast<int64_t>(alerts_.size()) + 1, c.key, c.kind, c.accounts, c.score_ppm, c.evidence, ts}});
        } else if constexpr (std::is_same_v<T, StartMfaEnrollment>) {
          if (!user(c.user)) return Refuse(Code::kUnknownUser, "no such user", "user");
          const MfaState* m = mfa(c.user);
          if (m && m->enabled) return Refuse(Code::kConflict, "a second factor is already enabled", "user");
          if (c.sealed_secret.empty() || c.sealed_secret.size() > 512) return Refuse(Code::kInvalidField, "bad sealed secret", "secret");
          out.push_back(MfaEnrollmentStarted{c.user, c.sealed_secret});
        } else if constexpr (std::is_same_v<T, ConfirmMfaEnrollment>) {
          const MfaState* m = mfa(c.user);
          if (!m || m->pending_secret.empty()) return Refuse(Code::kBadState, "no enrollment to confirm", "code");
          if (m->enabled) return Refuse(Code::kConflict, "already enabled", "code");
          if (c.step < 0 || c.recovery_hashes.empty() || c.recovery_hashes.size() > 64)
            return Refuse(Code::kInvalidField, "bad confirmation", "code");
          for (const auto& h : c.recovery_hashes)
            if (h.size() != 64) return Refuse(Code::kInvalidField, "bad recovery hash", "recovery_hashes");
          out.push_back(MfaEnabled{c.user, c.step, c.recovery_hashes});
        } else if constexpr (std::is_same_v<T, DisableMfa>) {
          const MfaState* m = mfa(c.user);
          if (!m || !m->enabled) return Refuse(Code::kBadState, "no second factor enabled", "user");
          CX_TRY(CheckSecondFactor(c.user, c.step, c.recovery_hash, "disable", out));
          out.push_back(MfaDisabled{c.user});
        } else if constexpr (std::is_same_v<T, RecordSecurityEvent>) {
          if (c.kind.empty() || c.kind.size() > 64) return Refuse(Code::kInvalidField, "kind is 1 to 64 characters", "kind");
          CX_TRY(CheckText(c.detail, "detail", false, 500));
          CX_TRY(CheckText(c.ip, "ip", false, 64));
          if (c.user != 0 && !user(c.user)) return Refuse(Code::kUnknownUser, "unknown user", "user");
          out.push_back(SecurityEventRecorded{c.user, c.actor, c.kind, c.detail, c.ip});
        } else if constexpr (std::is_same_v<T, RequestWithdrawal>) {
          int64_t account = OwnAccountIfZero(c.actor, c.account);
          CX_TRY(CheckActorOwns(c.actor, account));
          if (!account_exists(account) || account < kFirstUserAccount)
            return Refuse(Code::kUnknownAccount, "no such account", "account");
          if (c.currency.size() != 3 || !std::all_of(c.currency.begin(), c.currency.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
            return Refuse(Code::kInvalidField, "an ISO 4217 currency code such as USD", "currency");
          if (c.amount <= 0 || c.amount > int64_t{1} << 53) return Refuse(Code::kBadQuantity, "amount must be positive", "amount");
          CX_TRY(CheckText(c.reference, "reference", false, 200));
          CX_TRY(CheckCashLimit(account, c.currency, c.amount, 1, ts));  // KYC level (kyc.cc)
          const auto* m = cash(account);
          const CashBalance* b = nullptr;
          if (m)
            if (auto it = m->find(c.currency); it != m->end()) b = &it->second;
          if (!b || b->available < c.amount) return Refuse(Code::kInsufficientFunds, "not enough available cash", "amount");
          Withdrawal w;
          w.id = next_.withdrawal;
          w.account = account;
          w.requested_by = c.actor;
          w.currency = c.currency;
          w.amount = c.amount;
          w.reference = c.reference;
          w.created_ts = ts;
          out.push_back(WithdrawalRequested{std::move(w)});
        } else if constexpr (std::is_same_v<T, DecideWithdrawal>) {
          const User* a = user(c.actor);
          if (c.actor != 0 && !(a && (a->roles & kAdmin))) return Refuse(Code::kForbidden, "admin only", "withdrawal");
          auto it = withdrawals_.find(c.withdrawal);
          if (it == withdrawals_.end()) return Refuse(Code::kNotFound, "no such withdrawal", "withdrawal");
          if (it->second.status != WithdrawalStatus::kPending) return Refuse(Code::kBadState, "already decided", "withdrawal");
          if (!c.approve && IsBlank(c.reason)) return Refuse(Code::kMissingField, "a rejection needs a reason", "reason");
          CX_TRY(CheckText(c.reason, "reason", false, 500));
          if (c.approve) {
            const MfaState* m = mfa(c.actor);
            if (c.actor != 0 && (!m || !m->enabled))
              return Refuse(Code::kMfaRequired, "approving a withdrawal needs the second factor: enroll one first", "otp");
            if (c.actor != 0 && c.mfa_step < 0) return Refuse(Code::kMfaRequired, "approving a withdrawal needs a current code", "otp");
            if (c.actor != 0) CX_TRY(CheckSecondFactor(c.actor, c.mfa_step, "", "withdrawal", out));
          }
          out.push_back(WithdrawalDecided{c.withdrawal, c.approve, c.actor, c.reason});
        } else if constexpr (std::is_same_v<T, DepositCash> || std::is_same_v<T, WithdrawCash>) {
          constexpr bool kDeposit = std::is_same_v<T, DepositCash>;
          if (!account_exists(c.account) || c.account < kFirstUserAccount)
            return Refuse(Code::kUnknownAccount, "no such account", "account");
          if (c.currency.size() != 3 || !std::all_of(c.currency.begin(), c.currency.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
            return Refuse(Code::kInvalidField, "an ISO 4217 currency code such as USD", "currency");
          if (c.amount <= 0) return Refuse(Code::kBadQuantity, "amount must be positive", "amount");
          if (c.amount > int64_t{1} << 53) return Refuse(Code::kBadQuantity, "amount too large", "amount");
          CX_TRY(CheckText(c.reference, "reference", false, 200));
          if constexpr (!kDeposit) {
            const auto* m = cash(c.account);
            const CashBalance* b = nullptr;
            if (m)
              if (auto it = m->find(c.currency); it != m->end()) b = &it->second;
            if (!b || b->available < c.amount)
              return Refuse(Code::kInsufficientFunds, "not enough available cash", "amount");
          }
          if constexpr (kDeposit) CX_TRY(CheckCashLimit(c.account, c.currency, c.amount, 0, ts));  // KYC level (kyc.cc)
          out.push_back(CashMoved{c.account, c.currency, kDeposit ? c.amount : -c.amount, c.reference, c.actor});
        } else if constexpr (std::is_same_v<T, AddProjectDocument>) {
          const Project* p = project(c.project);
          if (!p) return Refuse(Code::kUnknownProject, "no such project", "project");
          if (p->developer != c.actor && !c.actor_is_admin)
            return Refuse(Code::kForbidden, "only the project's developer may attach documents", "project");
          if (c.cid.size() < 10 || c.cid.size() > 128 || c.cid[0] != 'b')
            return Refuse(Code::kDocBadCid, "not a CIDv1 in base32", "cid");
          if (std::find(p->info.documents.begin(), p->info.documents.end(), c.cid) != p->info.documents.end())
            return Refuse(Code::kConflict, "already attached", "cid");
          if (p->info.documents.size() >= 1000) return Refuse(Code::kInvalidField, "too many documents", "cid");
          out.push_back(ProjectDocumentAdded{c.project, c.cid, c.actor});
        } else if constexpr (std::is_same_v<T, CreateApiKey> || std::is_same_v<T, RevokeApiKey>) {
          return DecideApiKey(c, ts, out);
        } else if constexpr (std::is_same_v<T, CloseSession>) {
          auto it = tokens_.find(c.token_hash);
          if (it == tokens_.end()) return Refuse(Code::kBadToken, "unknown refresh token", "refresh_token");
          if (sessions_.at(it->second.family).revoked) return Refuse(Code::kBadToken, "session already closed", "refresh_token");
          out.push_back(SessionRevoked{it->second.family, "logout"});
        }
        return Ok();
      },
      cmd);
}

// The batch an imported record describes: its serial block as the export states it (its
// size must match the quantity), or for exports without serials a block of its own in a
// space named after the record, so it cannot collide with anything.
template <class C>
Result<Batch> RegistryState::ImportedBatch(const C& c, int64_t project, std::string import_key, int64_t ts) const {
  Batch b;
  b.id = next_.batch;
  b.project = project;
  b.vintage = c.vintage;
  int64_t tonnes = (c.quantity_kg + kKgPerTonne - 1) / kKgPerTonne;
  if (c.serial_end > 0) {
    if (c.serial_start <= 0 || c.serial_end < c.serial_start)
      return Refuse(Code::kInvalidField, "bad serial range", "serial");
    if (c.serial_end - c.serial_start + 1 != tonnes)
      return Refuse(Code::kBadQuantity, "quantity does not match the serial block", "quantity");
    b.serial_space = c.serial_space;
    b.serial_start = c.serial_start;
    b.serial_end = c.serial_end;
  } else {
    b.serial_space = "import:" + c.import_key;
    b.serial_start = 1;
    b.serial_end = tonnes;
  }
  b.serial = c.serial;
  b.quantity_kg = c.quantity_kg;
  b.origin_registry = c.registry;
  b.import_key = std::move(import_key);
  b.issued_ts = ts;
  return b;
}

Result<void> RegistryState::DecideImportRetirement(const ImportRetirement& c, int64_t ts,
                                                   std::vector<Event>& out) const {
  if (import_keys_.count(c.import_key)) return Refuse(Code::kConflict, "already imported", "import_key");
  int64_t owner = OriginAccountFor(c.registry);
  if (!owner) return Refuse(Code::kInvalidField, "unknown registry", "registry");
  CX_TRY(CheckQuantity(c.quantity_kg));
  int64_t pid = ProjectByOrigin(c.registry, c.project_origin_id);
  if (!pid) return Refuse(Code::kUnknownProject, "project not in the registry", "project");

  auto emit = [&](int64_t batch_id, Ranges ranges) {
    if (c.cancellation) {
      out.push_back(CreditsCancelled{
          Cancellation{batch_id, owner, std::move(ranges), c.reason.empty() ? "cancelled at origin registry" : c.reason},
          c.import_key});
    } else {
      Retirement r;
      r.id = next_.retirement;
      r.account = owner;
      r.batch = batch_id;
      r.quantity_kg = c.quantity_kg;
      r.ranges = std::move(ranges);
      r.beneficiary = c.beneficiary;
      r.reason = c.reason;
      r.period_start = c.date;
      r.origin_serial = c.serial;
      r.ts = ts;
      out.push_back(CreditsRetired{r, c.import_key});
    }
  };

  if (c.serial_end > 0) {
    if (c.serial_start <= 0 || c.serial_end < c.serial_start)
      return Refuse(Code::kInvalidField, "bad serial range", "serial");
    if (int64_t bid = BatchContaining(c.serial_space, c.serial_start, c.serial_end)) {
      const Batch& b = batches_.at(bid);
      int64_t lo = (c.serial_start - b.serial_start) * kKgPerTonne;
      int64_t hi = std::min(lo + c.quantity_kg, b.quantity_kg);
      const Holding* h = holding(owner, bid);
      if (!h || !h->tradable.Contains(lo, hi))
        return Refuse(Code::kSerialOverlap, "serials already retired, cancelled or moved (double counting)", "serial");
      emit(bid, Ranges{{lo, hi}});
      return Ok();
    }
    if (SerialOverlaps(c.serial_space, c.serial_start, c.serial_end))
      return Refuse(Code::kSerialOverlap, "serials straddle a batch already in the registry", "serial");
  } else {
    // No serials: the project's batch of this vintage held at the origin account.
    for (const auto& [bid, b] : batches_) {
      if (b.project != pid || b.vintage != c.vintage) continue;
      const Holding* h = holding(owner, bid);
      if (h && h->tradable.total() >= c.quantity_kg) {
        RangeSet copy = h->tradable;
        emit(bid, copy.TakeLowest(c.quantity_kg));
        return Ok();
      }
    }
  }
  // Not issued in what we imported: record the retired block as an observed batch.
  CX_ASSIGN_OR_RETURN(Batch b, ImportedBatch(c, pid, c.import_key + "#batch", ts));
  out.push_back(BatchIssued{b, owner});
  emit(b.id, Ranges{{0, c.quantity_kg}});
  return Ok();
}

// A wallet address in its lower-case key form, refused if malformed or taken.
Result<std::string> RegistryState::CheckWallet(const std::string& address) const {
  if (address.size() != 42 || address[0] != '0' || (address[1] != 'x' && address[1] != 'X') ||
      !std::all_of(address.begin() + 2, address.end(), [](unsigned char ch) { return std::isxdigit(ch) != 0; }))
    return Refuse(Code::kInvalidField, "an Ethereum address: 0x and 40 hex digits", "address");
  std::string a = address;
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (wallets_.count(a)) return Refuse(Code::kConflict, "this wallet is linked to an account already", "address");
  return a;
}

const User* RegistryState::user_by_wallet(const std::string& address) const {
  std::string a = address;
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char ch) { return std::tolower(ch); });
  auto it = wallets_.find(a);
  return it == wallets_.end() ? nullptr : user(it->second);
}

std::vector<std::string> RegistryState::WalletsOf(int64_t user_id) const {
  std::vector<std::string> out;
  for (const auto& [a, u] : wallets_)
    if (u == user_id) out.push_back(a);
  return out;
}

const MfaState* RegistryState::mfa(int64_t user) const {
  auto it = mfa_.find(user);
  return it == mfa_.end() ? nullptr : &it->second;
}

// A user with the factor enabled must present a step the edge verified (newer than the
// last used one) or an unused recovery code; appends MfaUsed. Users without it pass.
Result<void> RegistryState::CheckSecondFactor(int64_t user_id, int64_t step, const std::string& recovery_hash,
                                              const char* purpose, std::vector<Event>& out) const {
  const MfaState* m = mfa(user_id);
  if (!m || !m->enabled) return Ok();
  if (!recovery_hash.empty()) {
    if (std::find(m->recovery_hashes.begin(), m->recovery_hashes.end(), recovery_hash) == m->recovery_hashes.end())
      return Refuse(Code::kBadCredentials, "unknown or used recovery code", "recovery_code");
    out.push_back(MfaUsed{user_id, -1, recovery_hash, purpose});
    return Ok();
  }
  if (step < 0) return Refuse(Code::kMfaRequired, "this account needs its second factor", "otp");
  if (step <= m->last_step) return Refuse(Code::kBadCredentials, "code already used", "otp");
  out.push_back(MfaUsed{user_id, step, "", purpose});
  return Ok();
}

// ------------------------------------------------------------------ apply
void RegistryState::Audit(int64_t seq, int64_t ts, int64_t user, int64_t actor, std::string kind, std::string detail,
                          std::string ip) {
  audit_.push_back(AuditEntry{seq, ts, user, actor, std::move(kind), std::move(detail), std::move(ip)});
}

int64_t RegistryState::UserOfAccount(int64_t account) const {
  auto it = user_by_account_.find(account);
  return it == user_by_account_.end() ? 0 : it->second;
}

std::string RegistryState::FormatMinor(int64_t v) {
  std::string s = std::to_string(v / 100) + "." + std::to_string(100 + v % 100).substr(1);
  return s;
}

void RegistryState::Index(const Batch& b) {
  serials_[b.serial_space][b.serial_start] = {b.serial_end, b.id};
}

void RegistryState::Apply(const Event& ev, int64_t seq, int64_t ts, std::vector<Event>* derived) {
  constexpr size_t kFirstMarketEvent = VariantIndex<InstrumentCreated, Event>::value;
  constexpr size_t kLastMarketEvent = VariantIndex<MarketPhaseChanged, Event>::value;
  if (ev.index() >= kFirstMarketEvent && ev.index() <= kLastMarketEvent) {
    ApplyMarket(ev, ts, derived);
    return;
  }
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, UserRegistered>) {
          User& u = users_[e.user.id] = e.user;
          SetIx(user_ix_, u.id, &u);
          if (user_account_.size() <= static_cast<size_t>(u.id)) user_account_.resize(static_cast<size_t>(u.id) * 2 + 16, 0);
          user_account_[static_cast<size_t>(u.id)] = u.account;
          if (!e.user.email_index.empty() && !e.user.erased) user_by_email_[e.user.email_index] = e.user.id;
          user_by_account_[e.user.account] = e.user.id;
          next_.user = std::max(next_.user, e.user.id + 1);
          next_.account = std::max(next_.account, e.user.account + 1);
        } else if constexpr (std::is_same_v<T, UserRolesChanged>) {
          user_ix_[static_cast<size_t>(e.user)]->roles = e.roles;
          Audit(seq, ts, e.user, e.actor, "role_change", "roles bits " + std::to_string(e.roles), "");
        } else if constexpr (std::is_same_v<T, CreditClassCreated>) {
          classes_[e.cls.id] = e.cls;
          next_.cls = std::max(next_.cls, e.cls.id + 1);
        } else if constexpr (std::is_same_v<T, ProjectCreated>) {
          SetIx(project_ix_, e.project.id, &(projects_[e.project.id] = e.project));
          project_by_origin_[OriginKey(e.project.info.origin_registry, e.project.info.origin_id)] = e.project.id;
          if (!e.import_key.empty()) import_keys_.insert(e.import_key);
          next_.project = std::max(next_.project, e.project.id + 1);
        } else if constexpr (std::is_same_v<T, ProjectStatusChanged>) {
          Project& p = *project_ix_[static_cast<size_t>(e.project)];
          p.status = e.status;
          p.status_reason = e.reason;
          p.updated_ts = ts;
          if (e.status == ProjectStatus::kValidated) p.validator = e.actor;
        } else if constexpr (std::is_same_v<T, IssuanceRequested>) {
          SetIx(issuance_ix_, e.issuance.id, &(issuances_[e.issuance.id] = e.issuance));
          next_.issuance = std::max(next_.issuance, e.issuance.id + 1);
        } else if constexpr (std::is_same_v<T, IssuanceApproved>) {
          issuance_ix_[static_cast<size_t>(e.issuance)]->approvals.push_back(e.verifier);
        } else if constexpr (std::is_same_v<T, IssuanceRejected>) {
          Issuance& i = *issuance_ix_[static_cast<size_t>(e.issuance)];
          i.status = IssuanceStatus::kRejected;
          i.rejected_by = e.verifier;
          i.reason = e.reason;
        } else if constexpr (std::is_same_v<T, BatchIssued>) {
          Batch& b = batches_[e.batch.id] = e.batch;
          SetIx(batch_ix_, b.id, &b);
          Index(b);
          if (!b.import_key.empty()) import_keys_.insert(b.import_key);
          if (b.buffer_kg > 0) MutHolding(kBufferAccount, b.id).tradable.Add(0, b.buffer_kg);
          if (b.quantity_kg > b.buffer_kg) MutHolding(e.owner, b.id).tradable.Add(b.buffer_kg, b.quantity_kg);
          if (b.issuance) {
            Issuance& i = *issuance_ix_[static_cast<size_t>(b.issuance)];
            i.status = IssuanceStatus::kIssued;
            i.batch = b.id;
          }
          next_.batch = std::max(next_.batch, b.id + 1);
          if (b.serial_space == "carbonx") next_.native_serial = std::max(next_.native_serial, b.serial_end + 1);
        } else if constexpr (std::is_same_v<T, CreditsTransferred>) {
          MutHolding(e.from, e.batch).tradable.RemoveAll(e.ranges);
          MutHolding(e.to, e.batch).tradable.AddAll(e.ranges);
        } else if constexpr (std::is_same_v<T, CreditsRetired>) {
          const Retirement& r0 = e.retirement;
          Holding& h = MutHolding(r0.account, r0.batch);
          h.tradable.RemoveAll(r0.ranges);
          int64_t kg = TotalOf(r0.ranges);
          h.retired_kg += kg;
          MutBatch(r0.batch).retired_kg += kg;
          Retirement& r = retirements_[r0.id] = r0;
          r.seq = seq;
          if (!e.import_key.empty()) import_keys_.insert(e.import_key);
          next_.retirement = std::max(next_.retirement, r0.id + 1);
        } else if constexpr (std::is_same_v<T, CreditsCancelled>) {
          const Cancellation& c = e.cancellation;
          MutHolding(c.account, c.batch).tradable.RemoveAll(c.ranges);
          MutBatch(c.batch).cancelled_kg += TotalOf(c.ranges);
          cancellations_.push_back(c);
          if (!e.import_key.empty()) import_keys_.insert(e.import_key);
        } else if constexpr (std::is_same_v<T, ReversalRecorded>) {
          // Cancellations were applied by their own events; nothing else changes.
        } else if constexpr (std::is_same_v<T, SessionOpened>) {
          sessions_[e.family] = Session{e.family, e.user, ts, ts, false};
          Audit(seq, ts, e.user, 0, "login", "session " + std::to_string(e.family), "");
          tokens_[e.token_hash] = SessionToken{e.token_hash, e.family, e.expires_at, false};
          next_.session = std::max(next_.session, e.family + 1);
        } else if constexpr (std::is_same_v<T, SessionRotated>) {
          tokens_[e.old_hash].rotated = true;
          tokens_[e.new_hash] = SessionToken{e.new_hash, e.family, e.expires_at, false};
          sessions_[e.family].last_used_ts = ts;
        } else if constexpr (std::is_same_v<T, SessionRevoked>) {
          sessions_[e.family].revoked = true;
          Audit(seq, ts, sessions_[e.family].user, 0, e.reason == "reuse" ? "refresh_token_reuse" : "session_revoked",
                "session " + std::to_string(e.family) + " (" + e.reason + ")", "");
        } else if constexpr (std::is_same_v<T, ProjectDocumentAdded>) {
          Project& p = *project_ix_[static_cast<size_t>(e.project)];
          p.info.documents.push_back(e.cid);
          p.updated_ts = ts;
        } else if constexpr (std::is_same_v<T, CashMoved>) {
          cash_[e.account][e.currency].available += e.amount;
          cash_total_[e.currency] += e.amount;
          if (e.amount > 0) KycCountCash(e.account, e.currency, e.amount, 0, 0, ts);
          Audit(seq, ts, UserOfAccount(e.account), e.actor, e.amount >= 0 ? "deposit" : "withdrawal",
                FormatMinor(e.amount >= 0 ? e.amount : -e.amount) + " " + e.currency + (e.reference.empty() ? "" : " ref " + e.reference), "");
        } else if constexpr (std::is_same_v<T, WalletLinked>) {
          wallets_[e.address] = e.user;
          Audit(seq, ts, e.user, 0, "wallet_linked", e.address, "");
        } else if constexpr (std::is_same_v<T, UserErased> || std::is_same_v<T, ConsentRecorded>) {
          ApplyPrivacy(ev, seq, ts);
        } else if constexpr (std::is_same_v<T, AlertRaised>) {
          alert_keys_.insert(e.alert.key);
          alerts_.push_back(e.alert);
        } else if constexpr (std::is_same_v<T, MfaEnrollmentStarted>) {
          MfaState& m = mfa_[e.user];
          m.user = e.user;
          m.pending_secret = e.sealed_secret;
          Audit(seq, ts, e.user, 0, "mfa_enrollment_started", "", "");
        } else if constexpr (std::is_same_v<T, MfaEnabled>) {
          MfaState& m = mfa_[e.user];
          m.secret = std::move(m.pending_secret);
          m.pending_secret.clear();
          m.enabled = true;
          m.last_step = e.step;
          m.recovery_hashes = e.recovery_hashes;
          Audit(seq, ts, e.user, 0, "mfa_enabled", std::to_string(e.recovery_hashes.size()) + " recovery codes", "");
        } else if constexpr (std::is_same_v<T, MfaUsed>) {
          MfaState& m = mfa_[e.user];
          if (e.step >= 0) m.last_step = std::max(m.last_step, e.step);
          if (!e.recovery_hash.empty()) {
            m.recovery_hashes.erase(std::remove(m.recovery_hashes.begin(), m.recovery_hashes.end(), e.recovery_hash),
                                    m.recovery_hashes.end());
            Audit(seq, ts, e.user, 0, "recovery_code_used", e.purpose, "");
          }
        } else if constexpr (std::is_same_v<T, MfaDisabled>) {
          MfaState& m = mfa_[e.user];
          m.enabled = false;
          m.secret.clear();
          m.pending_secret.clear();
          m.recovery_hashes.clear();
          Audit(seq, ts, e.user, 0, "mfa_disabled", "", "");
        } else if constexpr (std::is_same_v<T, ApiKeyCreated> || std::is_same_v<T, ApiKeyRevoked>) {
          ApplyApiKey(ev, seq, ts);
        } else if constexpr (kIsKycEvent<T>) {
          ApplyKycEvent(ev, seq, ts);
        } else if constexpr (kIsChainEvent<T>) {
          ApplyChainEvent(ev, seq, ts);
        } else if constexpr (kIsProofsEvent<T>) {
          ApplyProofsEvent(ev, seq, ts);
        } else if constexpr (std::is_same_v<T, InstrumentFeesSet>) {
          ApplyInstrumentFees(e, seq, ts);
        } else if constexpr (std::is_same_v<T, SecurityEventRecorded>) {
          Audit(seq, ts, e.user, e.actor, e.kind, e.detail, e.ip);
        } else if constexpr (std::is_same_v<T, WithdrawalRequested>) {
          const Withdrawal& w = withdrawals_[e.withdrawal.id] = e.withdrawal;
          CashBalance& b = cash_[w.account][w.currency];
          b.available -= w.amount;
          b.locked += w.amount;
          next_.withdrawal = std::max(next_.withdrawal, w.id + 1);
          KycCountCash(w.account, w.currency, w.amount, 1, w.id, ts);
          Audit(seq, ts, UserOfAccount(w.account), w.requested_by, "withdrawal_requested",
                "#" + std::to_string(w.id) + " " + FormatMinor(w.amount) + " " + w.currency, "");
        } else if constexpr (std::is_same_v<T, WithdrawalDecided>) {
          Withdrawal& w = withdrawals_[e.withdrawal];
          CashBalance& b = cash_[w.account][w.currency];
          b.locked -= w.amount;
          if (e.approved) {
            cash_total_[w.currency] -= w.amount;  // the money left the platform
          } else {
            b.available += w.amount;
          }
          if (!e.approved) KycUncountWithdrawal(w.account, w.id);
          w.status = e.approved ? WithdrawalStatus::kApproved : WithdrawalStatus::kRejected;
          w.decided_by = e.actor;
          w.reason = e.reason;
          w.decided_ts = ts;
          Audit(seq, ts, UserOfAccount(w.account), e.actor, e.approved ? "withdrawal_approved" : "withdrawal_rejected",
                "#" + std::to_string(w.id) + (e.reason.empty() ? "" : ": " + e.reason), "");
        }
      },
      ev);
}

// ------------------------------------------------------------------ invariants
Result<void> RegistryState::CheckInvariants() const {
  std::map<int64_t, std::vector<Range>> cover;
  std::map<int64_t, int64_t> tradable, buffer;
  Error broken;
  bool bad = false;
  holdings_.ForEach([&](int64_t acct, int64_t bid, const Holding& h) {
    {
      auto& v = cover[bid];
      v.insert(v.end(), h.tradable.ranges().begin(), h.tradable.ranges().end());
      (acct == kBufferAccount ? buffer : tradable)[bid] += h.tradable.total();
      if (!bad && TotalOf(h.tradable.ranges()) != h.tradable.total()) {
        bad = true;
        broken = Err(Code::kInternal, "holding total mismatch: account " + std::to_string(acct));
      }
      if (!bad && (h.escrowed_kg < 0 || h.escrowed_kg > h.tradable.total())) {
        bad = true;
        broken = Err(Code::kInternal, "escrow exceeds the holding: account " + std::to_string(acct));
      }
    }
  });
  if (bad) return broken;
  std::map<int64_t, int64_t> retired, cancelled;
  for (const auto& [id, r] : retirements_) {
    auto& v = cover[r.batch];
    v.insert(v.end(), r.ranges.begin(), r.ranges.end());
    retired[r.batch] += TotalOf(r.ranges);
  }
  for (const auto& c : cancellations_) {
    auto& v = cover[c.batch];
    v.insert(v.end(), c.ranges.begin(), c.ranges.end());
    cancelled[c.batch] += TotalOf(c.ranges);
  }
  for (const auto& [bid, b] : batches_) {
    int64_t sum = tradable[bid] + retired[bid] + cancelled[bid] + buffer[bid];
    if (sum != b.quantity_kg)
      return Err(Code::kInternal, "batch " + std::to_string(bid) + ": supply " +
                                      std::to_string(b.quantity_kg) + " != parts " + std::to_string(sum));
    if (retired[bid] != b.retired_kg || cancelled[bid] != b.cancelled_kg)
      return Err(Code::kInternal, "batch " + std::to_string(bid) + ": running totals disagree");
    auto& v = cover[bid];
    std::sort(v.begin(), v.end());
    int64_t at = 0;
    for (const auto& r : v) {
      if (r.first != at)
        return Err(Code::kInternal, "batch " + std::to_string(bid) + ": kilogram " +
                                        std::to_string(std::min(at, r.first)) +
                                        (r.first < at ? " held twice" : " missing"));
      at = r.second;
    }
    if (at != b.quantity_kg) return Err(Code::kInternal, "batch " + std::to_string(bid) + ": coverage short");
  }
  std::map<std::string, int64_t> cash_sum;
  for (const auto& [acct, m] : cash_)
    for (const auto& [cur, b] : m) {
      if (b.available < 0 || b.locked < 0) return Err(Code::kInternal, "negative cash in account " + std::to_string(acct));
      cash_sum[cur] += b.available + b.locked;
    }
  for (const auto& [cur, total] : cash_total_)
    if (cash_sum[cur] != total) return Err(Code::kInternal, "cash not conserved in " + cur);
  for (const auto& [space, m] : serials_) {
    int64_t last_end = INT64_MIN;
    for (const auto& [start, eb] : m) {
      if (start <= last_end) return Err(Code::kInternal, "serial overlap in space " + space);
      last_end = eb.first;
    }
  }
  CX_TRY(CheckChainInvariants());
  return CheckMarketInvariants();
}

// ------------------------------------------------------------------ snapshot
std::string RegistryState::Snapshot() const {
  RegistryState& self = const_cast<RegistryState&>(*this);
  self.users_v_.clear();
  for (const auto& [id, u] : users_) self.users_v_.push_back(u);
  self.classes_v_.clear();
  for (const auto& [id, c] : classes_) self.classes_v_.push_back(c);
  self.projects_v_.clear();
  for (const auto& [id, p] : projects_) self.projects_v_.push_back(p);
  self.issuances_v_.clear();
  for (const auto& [id, i] : issuances_) self.issuances_v_.push_back(i);
  self.batches_v_.clear();
  for (const auto& [id, b] : batches_) self.batches_v_.push_back(b);
  self.retirements_v_.clear();
  for (const auto& [id, r] : retirements_) self.retirements_v_.push_back(r);
  self.holdings_v_.clear();
  for (int64_t a : holdings_.Accounts())
    for (int64_t b : holdings_.BatchesOf(a)) self.holdings_v_.push_back(HoldingRow{a, b, *holdings_.Find(a, b)});
  self.import_keys_v_.assign(import_keys_.begin(), import_keys_.end());
  self.next_v_ = next_;
  self.sessions_v_.clear();
  for (const auto& [id, x] : sessions_) self.sessions_v_.push_back(x);
  self.tokens_v_.clear();
  for (const auto& [h, t] : tokens_) self.tokens_v_.push_back(t);
  std::sort(self.tokens_v_.begin(), self.tokens_v_.end(),
            [](const SessionToken& a, const SessionToken& b) { return a.hash < b.hash; });
  self.cash_v_.clear();
  for (const auto& [a, m] : cash_)
    for (const auto& [cur, b] : m) self.cash_v_.push_back(CashRow{a, cur, b});
  self.withdrawals_v_.clear();
  for (const auto& [id, w] : withdrawals_) self.withdrawals_v_.push_back(w);
  self.mfa_v_.clear();
  for (const auto& [id, m] : mfa_) self.mfa_v_.push_back(m);
  self.wallets_v_.clear();
  for (const auto& [a, u] : wallets_) self.wallets_v_.push_back(WalletLinked{u, a});
  self.market_v_ = SnapshotMarket();
  self.kyc_v_ = SnapshotKyc();
  self.chain_v_ = SnapshotChain();
  self.proofs_v_ = SnapshotProofs();
  self.privacy_v_ = SnapshotPrivacy();
  self.apikeys_v_ = SnapshotApiKeys();
  std::string out = Encode(self);
  self.market_v_.clear();
  self.kyc_v_.clear();
  self.chain_v_.clear();
  self.proofs_v_.clear();
  self.privacy_v_.clear();
  self.apikeys_v_.clear();
  self.withdrawals_v_.clear();
  self.mfa_v_.clear();
  self.wallets_v_.clear();
  self.sessions_v_.clear();
  self.tokens_v_.clear();
  self.cash_v_.clear();
  self.users_v_.clear(); self.classes_v_.clear(); self.projects_v_.clear();
  self.issuances_v_.clear(); self.batches_v_.clear(); self.retirements_v_.clear();
  self.holdings_v_.clear(); self.import_keys_v_.clear();
  return out;
}

bool RegistryState::Restore(std::string_view bytes) {
  RegistryState s;
  if (!Decode(bytes, s)) return false;
  *this = RegistryState();
  for (auto& u : s.users_v_) Apply(UserRegistered{u}, 0, 0);
  for (auto& c : s.classes_v_) classes_[c.id] = c;
  for (auto& p : s.projects_v_) {
    project_by_origin_[OriginKey(p.info.origin_registry, p.info.origin_id)] = p.id;
    SetIx(project_ix_, p.id, &(projects_[p.id] = p));
  }
  for (auto& i : s.issuances_v_) SetIx(issuance_ix_, i.id, &(issuances_[i.id] = i));
  for (auto& b : s.batches_v_) {
    Batch& x = batches_[b.id] = b;
    SetIx(batch_ix_, b.id, &x);
    Index(x);
  }
  for (auto& r : s.retirements_v_) retirements_[r.id] = r;
  for (auto& row : s.holdings_v_) MutHolding(row.account, row.batch) = row.h;
  cancellations_ = s.cancellations_;
  import_keys_.insert(s.import_keys_v_.begin(), s.import_keys_v_.end());
  next_ = s.next_v_;
  for (auto& x : s.sessions_v_) sessions_[x.family] = x;
  for (auto& t : s.tokens_v_) tokens_[t.hash] = t;
  for (auto& row : s.cash_v_) {
    cash_[row.account][row.currency] = row.b;
    cash_total_[row.currency] += row.b.available + row.b.locked;
  }
  audit_ = std::move(s.audit_);
  for (auto& m : s.mfa_v_) mfa_[m.user] = m;
  alerts_ = std::move(s.alerts_);
  for (const auto& w : s.wallets_v_) wallets_[w.address] = w.user;
  for (const auto& a : alerts_) alert_keys_.insert(a.key);
  for (auto& w : s.withdrawals_v_) withdrawals_[w.id] = w;
  if (!RestorePrivacy(s.privacy_v_)) return false;
  if (!RestoreApiKeys(s.apikeys_v_)) return false;
  if (!RestoreKyc(s.kyc_v_)) return false;
  if (!RestoreChain(s.chain_v_)) return false;
  if (!RestoreProofs(s.proofs_v_)) return false;
  return RestoreMarket(s.market_v_);
}

}  // namespace cx::registry
