// Registry domain model: users and accounts, credit classes, projects, issuance requests,
// credit batches with serial blocks, retirements. Follows Verra / Gold Standard / CAD Trust
// data (see ARCHITECTURE.md, "Domain"). Quantities are integer kilograms of CO2e.
// Plain values; not thread-safe (owned by the engine thread).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/strong.h"
#include "registry/ranges.h"

namespace cx::registry {

// Roles as bits; a user may hold several.
enum Role : uint32_t {
  kTrader = 1,
  kProjectDeveloper = 2,
  kVerifier = 4,
  kAdmin = 8,
  kAuditor = 16,
};
inline constexpr uint32_t kAllRoles = 31;

// Reserved system accounts (user accounts start at kFirstUserAccount).
inline constexpr int64_t kBufferAccount = 1;  // non-tradable buffer pool
inline constexpr int64_t kFeeAccount = 10;    // exchange fees (exchange issue)
inline constexpr int64_t kFirstUserAccount = 100;
// Origin-registry accounts: credits imported from a public registry are held by it.
int64_t OriginAccountFor(const std::string& registry);  // 0 if unknown registry
const char* OriginRegistryOfAccount(int64_t account);    // nullptr if not one

enum class ProjectStatus : int32_t {
  kDraft = 0,
  kSubmitted = 1,
  kValidated = 2,
  kChangesRequested = 3,
  kRejected = 4,
  kRegistered = 5,  // imported from a public registry as registered there
};
const char* ProjectStatusName(ProjectStatus s);

enum class IssuanceStatus : int32_t { kPending = 0, kIssued = 1, kRejected = 2 };
const char* IssuanceStatusName(IssuanceStatus s);

// Tri-state facts (unknown when a registry export does not say).
enum class Tri : int32_t { kUnknown = 0, kNo = 1, kYes = 2 };
enum class Mitigation : int32_t { kUnknown = 0, kReduction = 1, kRemoval = 2 };
enum class Nature : int32_t { kUnknown = 0, kNatureBased = 1, kTechnical = 2 };

// Project fields, after CAD Trust's project table.
struct ProjectInfo {
  std::string name;
  std::string description;
  std::string developer_name;   // the organisation (project proponent)
  std::string country;          // as given (ISO code or name)
  std::string subdivision;      // in-country region / state
  std::string sector;
  std::string project_type;
  std::string methodology;
  Mitigation mitigation = Mitigation::kUnknown;
  Nature nature = Nature::kUnknown;
  std::string origin_registry;  // "carbonx" for projects registered here
  std::string origin_id;        // the origin registry's project id
  int64_t credit_class = 0;
  std::string website;
  std::string crediting_start;  // ISO dates
  std::string crediting_end;
  Tri corsia = Tri::kUnknown;
  std::vector<std::string> documents;  // document CIDs
  template <class V>
  void Fields(V& v) {
    v("name", name); v("description", description); v("developer_name", developer_name);
    v("country", country); v("subdivision", subdivision); v("sector", sector);
    v("project_type", project_type); v("methodology", methodology);
    v("mitigation", mitigation); v("nature", nature); v("origin_registry", origin_registry);
    v("origin_id", origin_id); v("credit_class", credit_class); v("website", website);
    v("crediting_start", crediting_start); v("crediting_end", crediting_end);
    v("corsia", corsia); v("documents", documents);
  }
};

// Personal fields (email, display name, password hash) are never here in clear: the edge
// seals them with the user's personal-data key (app/pii.h) and the registry keeps only
// the sealed bytes, the key's id and a keyed hash of the email (for uniqueness and
// sign-in). Erasure drops the sealed bytes and the index; the edge then shreds the key.
struct User {
  int64_t id = 0;
  int64_t account = 0;
  std::string email_index;  // hex HMAC-SHA256 of the lower-cased email; unique; "" = none
  std::string pii_key;      // personal-data key id (app/pii.h)
  std::string pii;          // sealed JSON {email, display_name, password_hash}
  uint32_t roles = 0;
  bool erased = false;      // personal data erased (GDPR); the id stays for the record
  template <class V>
  void Fields(V& v) {
    v("id", id); v("account", account); v("email_index", email_index); v("pii_key", pii_key);
    v("pii", pii); v("roles", roles); v("erased", erased);
  }
};

struct CreditClass {
  int64_t id = 0;
  std::string code;      // "VCS", "GS", "CX-NBS" ...
  std::string standard;  // "Verra VCS"
  std::string name;
  int64_t required_approvals = 1;  // k distinct verifiers
  int64_t buffer_bp = 0;           // buffer-pool share in basis points (nature-based)
  template <class V>
  void Fields(V& v) {
    v("id", id); v("code", code); v("standard", standard); v("name", name);
    v("required_approvals", required_approvals); v("buffer_bp", buffer_bp);
  }
};

struct Project {
  int64_t id = 0;
  int64_t developer = 0;  // user id; 0 for imported projects
  ProjectInfo info;
  ProjectStatus status = ProjectStatus::kDraft;
  int64_t validator = 0;  // verifier user who validated
  std::string status_reason;
  int64_t created_ts = 0;
  int64_t updated_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("developer", developer); v("info", info); v("status", status);
    v("validator", validator); v("status_reason", status_reason); v("created_ts", created_ts);
    v("updated_ts", updated_ts);
  }
};

struct Issuance {
  int64_t id = 0;
  int64_t project = 0;
  int64_t requested_by = 0;
  int64_t vintage = 0;
  std::string period_start;
  std::string period_end;
  int64_t quantity_kg = 0;
  std::string verification_body;
  std::string report;  // verification report reference (document CID)
  IssuanceStatus status = IssuanceStatus::kPending;
  std::vector<int64_t> approvals;  // verifier user ids, in order
  int64_t rejected_by = 0;
  std::string reason;
  int64_t batch = 0;
  int64_t created_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("project", project); v("requested_by", requested_by); v("vintage", vintage);
    v("period_start", period_start); v("period_end", period_end); v("quantity_kg", quantity_kg);
    v("verification_body", verification_body); v("report", report); v("status", status);
    v("approvals", approvals); v("rejected_by", rejected_by); v("reason", reason);
    v("batch", batch); v("created_ts", created_ts);
  }
};

struct Batch {
  int64_t id = 0;
  int64_t project = 0;
  int64_t issuance = 0;  // 0 for imported batches
  int64_t vintage = 0;
  std::string serial_space;  // e.g. "verra", "car:CAR-1-US-1335-31-983-KS-2025-9205"
  int64_t serial_start = 0;  // first tonne serial (inclusive)
  int64_t serial_end = 0;    // last tonne serial (inclusive)
  std::string serial;        // the origin registry's serial string, verbatim
  int64_t quantity_kg = 0;   // supply
  int64_t buffer_kg = 0;     // part issued to the buffer pool
  Tri corsia = Tri::kUnknown;
  Tri corresponding_adjustment = Tri::kUnknown;
  std::string origin_registry;
  std::string import_key;  // identity of the origin record, for differential re-import
  int64_t issued_ts = 0;
  // Running totals (derivable from holdings; kept for O(1) invariant checks).
  int64_t retired_kg = 0;
  int64_t cancelled_kg = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("project", project); v("issuance", issuance); v("vintage", vintage);
    v("serial_space", serial_space); v("serial_start", serial_start);
    v("serial_end", serial_end); v("serial", serial); v("quantity_kg", quantity_kg);
    v("buffer_kg", buffer_kg); v("corsia", corsia);
    v("corresponding_adjustment", corresponding_adjustment);
    v("origin_registry", origin_registry); v("import_key", import_key);
    v("issued_ts", issued_ts); v("retired_kg", retired_kg); v("cancelled_kg", cancelled_kg);
  }
};

// A holding of one batch by one account. `held` is every kilogram range the account
// holds; `escrowed_kg` of them are promised to open sell orders. Escrow is a quantity,
// not particular serials: a fill delivers the seller's lowest kilograms then, so placing
// and cancelling orders never splits ranges (measured: range work was over half of the
// engine's time when escrow moved ranges). available() is what transfers, retirements
// and new sell orders may use.
struct Holding {
  RangeSet tradable;        // all kilograms held (escrowed included)
  int64_t escrowed_kg = 0;  // promised to open sell orders
  int64_t retired_kg = 0;
  int64_t available() const { return tradable.total() - escrowed_kg; }
  template <class V>
  void Fields(V& v) {
    v("tradable", tradable); v("escrowed_kg", escrowed_kg); v("retired_kg", retired_kg);
  }
};

struct Retirement {
  int64_t id = 0;
  int64_t account = 0;
  int64_t batch = 0;
  int64_t quantity_kg = 0;
  Ranges ranges;  // kilogram ranges of the batch
  std::string beneficiary;
  std::string reason;
  std::string country;  // consumption country
  std::string period_start;
  std::string period_end;
  std::string origin_serial;  // for retirements imported from a public registry
  int64_t seq = 0;            // journal seq of the event (filled by the engine)
  int64_t ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("account", account); v("batch", batch); v("quantity_kg", quantity_kg);
    v("ranges", ranges); v("beneficiary", beneficiary); v("reason", reason);
    v("country", country); v("period_start", period_start); v("period_end", period_end);
    v("origin_serial", origin_serial); v("seq", seq); v("ts", ts);
  }
};

struct Cancellation {
  int64_t batch = 0;
  int64_t account = 0;
  Ranges ranges;
  std::string reason;
  template <class V>
  void Fields(V& v) { v("batch", batch); v("account", account); v("ranges", ranges); v("reason", reason); }
};

// Cash of one account in one currency, in integer minor units (cents). `locked` is held
// by open buy orders (exchange) or pending withdrawals.
struct CashBalance {
  int64_t available = 0;
  int64_t locked = 0;
  template <class V> void Fields(V& v) { v("available", available); v("locked", locked); }
};

// One line of the security audit trail (logins, failed logins, role changes, sessions,
// cash movements, withdrawal decisions, MFA and key changes).
struct AuditEntry {
  int64_t seq = 0;
  int64_t ts = 0;
  int64_t user = 0;   // whom it concerns (0: unknown account)
  int64_t actor = 0;  // who did it (0: the system / the user themself)
  std::string kind;
  std::string detail;
  std::string ip;
  template <class V>
  void Fields(V& v) { v("seq", seq); v("ts", ts); v("user", user); v("actor", actor); v("kind", kind); v("detail", detail); v("ip", ip); }
};

// Second factor (TOTP) of a user. The secret is stored encrypted by the edge's key (the
// registry never sees it in clear); used time steps only grow, so a code works once.
struct MfaState {
  int64_t user = 0;
  std::string pending_secret;  // sealed secret of an enrollment not yet confirmed
  std::string secret;          // sealed secret of the active factor
  bool enabled = false;
  int64_t last_step = -1;
  std::vector<std::string> recovery_hashes;  // SHA-256 of unused recovery codes
  template <class V>
  void Fields(V& v) {
    v("user", user); v("pending_secret", pending_secret); v("secret", secret); v("enabled", enabled);
    v("last_step", last_step); v("recovery_hashes", recovery_hashes);
  }
};

// A market-abuse or registry-integrity alert raised by the detectors, kept for admins.
struct Alert {
  int64_t id = 0;
  std::string key;   // identity of the finding (kind + subject), so it is raised once
  std::string kind;  // selftrade, wash, spoof, duplicate_issuance, ...
  std::vector<int64_t> accounts;
  int64_t score_ppm = 0;  // detector score x 10^6
  std::string evidence;
  int64_t ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("key", key); v("kind", kind); v("accounts", accounts); v("score_ppm", score_ppm);
    v("evidence", evidence); v("ts", ts);
  }
};

enum class WithdrawalStatus : int32_t { kPending = 0, kApproved = 1, kRejected = 2 };
struct Withdrawal {
  int64_t id = 0;
  int64_t account = 0;
  int64_t requested_by = 0;
  std::string currency;
  int64_t amount = 0;
  std::string reference;
  WithdrawalStatus status = WithdrawalStatus::kPending;
  int64_t decided_by = 0;
  std::string reason;
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("account", account); v("requested_by", requested_by); v("currency", currency);
    v("amount", amount); v("reference", reference); v("status", status); v("decided_by", decided_by);
    v("reason", reason); v("created_ts", created_ts); v("decided_ts", decided_ts);
  }
};

struct Session {
  int64_t family = 0;
  int64_t user = 0;
  int64_t created_ts = 0;
  int64_t last_used_ts = 0;
  bool revoked = false;
  template <class V>
  void Fields(V& v) {
    v("family", family); v("user", user); v("created_ts", created_ts);
    v("last_used_ts", last_used_ts); v("revoked", revoked);
  }
};
struct SessionToken {
  std::string hash;
  int64_t family = 0;
  int64_t expires_at = 0;
  bool rotated = false;
  template <class V>
  void Fields(V& v) { v("hash", hash); v("family", family); v("expires_at", expires_at); v("rotated", rotated); }
};

}  // namespace cx::registry
