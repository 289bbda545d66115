// KYC/AML and payment-processor model: verification cases and levels per user, limits per
// level, deposits received from a payment processor, and the rolling 24-hour windows the
// limits are enforced over. Plain values owned by the engine thread (not thread-safe).
//
// Personal details (legal name, date of birth, address) never appear here in clear: a
// case carries them as bytes sealed by the edge (with the user's personal-data key), so
// the journal holds only ciphertext that crypto-shredding makes unreadable.
//
// Limits are integers: cash in minor units of the currency concerned (each currency has
// its own window), order size as notional (price x quantity / 1000, minor units) for buys
// and kilograms for sells. kNoLimit (-1) means unlimited; 0 means nothing is allowed.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cx::registry {

// Approved verification level of a user. "pending" is a case status, not a level: a user
// whose first case is open is shown as pending and has the limits of kNone.
enum class KycLevel : int32_t { kNone = 0, kBasic = 1, kFull = 2 };
inline constexpr int kKycLevels = 3;
const char* KycLevelName(KycLevel l);
bool ParseKycLevel(const std::string& s, KycLevel& out);  // "none" | "basic" | "full"

enum class KycStatus : int32_t { kPending = 0, kApproved = 1, kRejected = 2 };
const char* KycStatusName(KycStatus s);

// Who decided a case.
enum class KycSource : int32_t { kManual = 0, kProvider = 1 };

inline constexpr int64_t kNoLimit = -1;
inline constexpr int64_t kKycWindowUs = int64_t{24} * 3600 * 1'000'000;  // rolling 24 h

struct KycLimits {
  int64_t deposit_24h = 0;     // minor units per currency, per rolling 24 h
  int64_t withdrawal_24h = 0;  // minor units per currency, per rolling 24 h
  int64_t order_notional = 0;  // a buy order's price x quantity / 1000, minor units
  int64_t order_qty_kg = 0;    // a sell order's quantity, kg
  template <class V>
  void Fields(V& v) {
    v("deposit_24h", deposit_24h); v("withdrawal_24h", withdrawal_24h);
    v("order_notional", order_notional); v("order_qty_kg", order_qty_kg);
  }
};
// Defaults (admins change them with SetKycLimits):
//   none:  nothing (no deposits, withdrawals or orders)
//   basic: 10,000.00 deposits and withdrawals a day, orders up to 10,000.00 / 1,000 t
//   full:  10,000,000.00 a day, orders up to 10,000,000.00 / 1,000,000 t
KycLimits DefaultKycLimits(KycLevel l);

// One name on a sanctions list that matched, with the similarity (parts per million).
struct KycMatch {
  std::string name;
  std::string list;
  int64_t score_ppm = 0;
  template <class V> void Fields(V& v) { v("name", name); v("list", list); v("score_ppm", score_ppm); }
};
struct KycScreening {
  bool hit = false;
  std::vector<KycMatch> matches;
  template <class V> void Fields(V& v) { v("hit", hit); v("matches", matches); }
};

struct KycCase {
  int64_t id = 0;
  int64_t user = 0;
  KycLevel requested_level = KycLevel::kBasic;
  KycStatus status = KycStatus::kPending;
  KycLevel granted_level = KycLevel::kNone;  // set when approved
  std::string country;                        // ISO 3166-1 alpha-2 (not personal on its own)
  std::vector<std::string> documents;         // document CIDs (encrypted papers)
  KycScreening screening;
  std::string pii_key;  // key id the details are sealed under ("" = the server's KYC key)
  std::string sealed;   // sealed JSON {legal_name, date_of_birth, address}
  int64_t reviewer = 0;
  std::string reason;
  bool override_hit = false;  // approved despite a screening hit (reason says why)
  KycSource source = KycSource::kManual;
  std::string provider_event;  // the provider's event id when it decided
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("user", user); v("requested_level", requested_level); v("status", status);
    v("granted_level", granted_level); v("country", country); v("documents", documents);
    v("screening", screening); v("pii_key", pii_key); v("sealed", sealed); v("reviewer", reviewer);
    v("reason", reason); v("override_hit", override_hit); v("source", source);
    v("provider_event", provider_event); v("created_ts", created_ts); v("decided_ts", decided_ts);
  }
};

// A deposit reported by the payment processor (webhook). Credited at once when within the
// account's deposit limit, else held for an admin to release (credit) or refund.
enum class PaymentStatus : int32_t { kCredited = 0, kHeld = 1, kReleased = 2, kRefunded = 3 };
const char* PaymentStatusName(PaymentStatus s);
struct Payment {
  int64_t id = 0;
  std::string event_id;  // the processor's event id (idempotency)
  std::string intent;    // the processor's payment id (also unique)
  int64_t account = 0;
  std::string currency;
  int64_t amount = 0;
  PaymentStatus status = PaymentStatus::kCredited;
  std::string reason;  // why held, or the admin's reason
  int64_t decided_by = 0;
  int64_t created_ts = 0;
  int64_t decided_ts = 0;
  template <class V>
  void Fields(V& v) {
    v("id", id); v("event_id", event_id); v("intent", intent); v("account", account);
    v("currency", currency); v("amount", amount); v("status", status); v("reason", reason);
    v("decided_by", decided_by); v("created_ts", created_ts); v("decided_ts", decided_ts);
  }
};

// A cash movement counted against a limit window.
struct KycWindowEntry {
  int64_t account = 0;
  int64_t ts = 0;
  std::string currency;
  int64_t amount = 0;
  int32_t kind = 0;  // 0 deposit, 1 withdrawal
  int64_t withdrawal = 0;  // the withdrawal id (a rejected one stops counting)
  template <class V>
  void Fields(V& v) {
    v("account", account); v("ts", ts); v("currency", currency); v("amount", amount); v("kind", kind);
    v("withdrawal", withdrawal);
  }
};

// All KYC and payment state of the registry (a member of RegistryState).
struct KycBook {
  std::map<int64_t, KycCase> cases;
  std::map<int64_t, KycLevel> levels;    // user -> approved level (absent: none)
  std::map<int64_t, int64_t> open_case;  // user -> pending case
  std::array<KycLimits, kKycLevels> limits = {DefaultKycLimits(KycLevel::kNone), DefaultKycLimits(KycLevel::kBasic),
                                              DefaultKycLimits(KycLevel::kFull)};
  std::set<std::string> provider_events;
  std::map<int64_t, Payment> payments;
  std::set<std::string> payment_keys;  // "e:" + event id, "i:" + intent id
  // account -> cash movements by ts; pruned to the last 24 h when the account moves cash.
  std::map<int64_t, std::deque<KycWindowEntry>> window;
  int64_t next_case = 1, next_payment = 1;
};

// Snapshot form of KycBook (one bytes field of the registry snapshot).
struct KycSnap {
  std::vector<KycCase> cases;
  std::vector<std::pair<int64_t, int32_t>> levels;
  std::vector<KycLimits> limits;
  std::vector<std::string> provider_events;
  std::vector<Payment> payments;
  std::vector<KycWindowEntry> window;
  int64_t next_case = 1, next_payment = 1;
  template <class V>
  void Fields(V& v) {
    v("cases", cases); v("levels", levels); v("limits", limits); v("provider_events", provider_events);
    v("payments", payments); v("window", window); v("next_case", next_case); v("next_payment", next_payment);
  }
};

}  // namespace cx::registry
