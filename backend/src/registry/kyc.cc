// KYC/AML and payment-processor deposits: the registry side (see kyc_model.h).
// Decide validates whole commands; Apply mutates; both run on the engine thread only.
// Limits are checked in Decide against the rolling 24-hour windows that Apply keeps, so a
// replayed journal rebuilds the same windows (they are part of the snapshot too).
#include <algorithm>
#include <cctype>

#include "core/codec.h"
#include "core/units.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

Error Refuse(Code c, std::string msg, std::string field = {}) { return Err(c, std::move(msg), std::move(field)); }

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

bool IsCurrency(const std::string& c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

std::string Minor(int64_t v) {
  const bool neg = v < 0;
  const uint64_t u = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string cents = std::to_string(100 + u % 100).substr(1);
  return (neg ? "-" : "") + std::to_string(u / 100) + "." + cents;
}

bool ValidLevel(KycLevel l) { return l == KycLevel::kNone || l == KycLevel::kBasic || l == KycLevel::kFull; }

constexpr int64_t kMaxLimit = int64_t{1} << 53;

}  // namespace

const char* KycLevelName(KycLevel l) {
  switch (l) {
    case KycLevel::kNone: return "none";
    case KycLevel::kBasic: return "basic";
    case KycLevel::kFull: return "full";
  }
  return "none";
}

bool ParseKycLevel(const std::string& s, KycLevel& out) {
  if (s == "none") out = KycLevel::kNone;
  else if (s == "basic") out = KycLevel::kBasic;
  else if (s == "full") out = KycLevel::kFull;
  else return false;
  return true;
}

const char* KycStatusName(KycStatus s) {
  switch (s) {
    case KycStatus::kPending: return "pending";
    case KycStatus::kApproved: return "approved";
    case KycStatus::kRejected: return "rejected";
  }
  return "pending";
}

const char* PaymentStatusName(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kCredited: return "credited";
    case PaymentStatus::kHeld: return "held";
    case PaymentStatus::kReleased: return "released";
    case PaymentStatus::kRefunded: return "refunded";
  }
  return "held";
}

KycLimits DefaultKycLimits(KycLevel l) {
  switch (l) {
    case KycLevel::kNone: return KycLimits{0, 0, 0, 0};
    case KycLevel::kBasic: return KycLimits{1'000'000, 1'000'000, 1'000'000, 1'000'000};
    case KycLevel::kFull: return KycLimits{1'000'000'000, 1'000'000'000, 1'000'000'000, 1'000'000'000};
  }
  return KycLimits{};
}

// ------------------------------------------------------------------ reads
KycLevel RegistryState::kyc_level(int64_t user_id) const {
  auto it = kyc_.levels.find(user_id);
  return it == kyc_.levels.end() ? KycLevel::kNone : it->second;
}

const KycCase* RegistryState::kyc_case(int64_t id) const {
  auto it = kyc_.cases.find(id);
  return it == kyc_.cases.end() ? nullptr : &it->second;
}

const KycLimits& RegistryState::KycLimitsOf(int64_t account) const {
  return kyc_.limits[static_cast<size_t>(kyc_level(UserOfAccount(account)))];
}

int64_t RegistryState::KycWindowSum(int64_t account, const std::string& currency, int32_t kind, int64_t ts) const {
  auto it = kyc_.window.find(account);
  if (it == kyc_.window.end()) return 0;
  int64_t sum = 0;
  for (const auto& e : it->second)
    if (e.ts > ts - kKycWindowUs && e.kind == kind && e.currency == currency) sum += e.amount;
  return sum;
}

// ------------------------------------------------------------------ limits
Result<void> RegistryState::CheckCashLimit(int64_t account, const std::string& currency, int64_t amount,
                                           int32_t kind, int64_t ts) const {
  const KycLevel level = kyc_level(UserOfAccount(account));
  const KycLimits& l = kyc_.limits[static_cast<size_t>(level)];
  const int64_t cap = kind == 0 ? l.deposit_24h : l.withdrawal_24h;
  if (cap == kNoLimit) return Ok();
  const char* what = kind == 0 ? "deposit" : "withdrawal";
  if (cap == 0)
    return Refuse(Code::kLimitExceeded,
                  std::string("verification level ") + KycLevelName(level) + " allows no " + what +
                      "s: complete identity verification (KYC) first",
                  "amount");
  const int64_t used = KycWindowSum(account, currency, kind, ts);
  if (amount > cap - used)
    return Refuse(Code::kLimitExceeded,
                  std::string("over the ") + KycLevelName(level) + " level's 24-hour " + what + " limit of " +
                      Minor(cap) + " " + currency + " (" + Minor(std::max<int64_t>(0, cap - used)) + " left)",
                  "amount");
  return Ok();
}

Result<void> RegistryState::CheckOrderLimit(int64_t account, bool buy, int64_t price, int64_t qty) const {
  const KycLevel level = kyc_level(UserOfAccount(account));
  const KycLimits& l = kyc_.limits[static_cast<size_t>(level)];
  const int64_t cap = buy ? l.order_notional : l.order_qty_kg;
  if (cap == kNoLimit) return Ok();
  if (cap == 0)
    return Refuse(Code::kLimitExceeded,
                  std::string("verification level ") + KycLevelName(level) +
                      " allows no orders: complete identity verification (KYC) first",
                  "quantity");
  if (buy) {
    const __int128 notional = static_cast<__int128>(price) * qty / 1000;
    if (notional > cap)
      return Refuse(Code::kLimitExceeded,
                    std::string("order value over the ") + KycLevelName(level) + " level's limit of " + Minor(cap) +
                        " per order",
                    "quantity");
  } else if (qty > cap) {
    return Refuse(Code::kLimitExceeded,
                  std::string("order quantity over the ") + KycLevelName(level) + " level's limit of " +
                      std::to_string(cap) + " kg per order",
                  "quantity");
  }
  return Ok();
}

void RegistryState::KycCountCash(int64_t account, const std::string& currency, int64_t amount, int32_t kind,
                                 int64_t withdrawal, int64_t ts) {
  auto& q = kyc_.window[account];
  while (!q.empty() && q.front().ts <= ts - kKycWindowUs) q.pop_front();
  q.push_back(KycWindowEntry{account, ts, currency, amount, kind, withdrawal});
}

void RegistryState::KycUncountWithdrawal(int64_t account, int64_t withdrawal) {
  auto it = kyc_.window.find(account);
  if (it == kyc_.window.end()) return;
  auto& q = it->second;
  q.erase(std::remove_if(q.begin(), q.end(),
                         [withdrawal](const KycWindowEntry& e) { return e.kind == 1 && e.withdrawal == withdrawal; }),
          q.end());
}

// ------------------------------------------------------------------ decide
Result<void> RegistryState::DecideKycCommand(const Command& cmd, int64_t ts, std::vector<Event>& out) const {
  return std::visit(
      [&](const auto& c) -> Result<void> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SubmitKyc>) {
          const User* u = user(c.actor);
          if (!u) return Refuse(Code::kUnknownUser, "unknown user");
          if (c.requested_level != KycLevel::kBasic && c.requested_level != KycLevel::kFull)
            return Refuse(Code::kInvalidField, "basic or full", "requested_level");
          if (kyc_.open_case.count(c.actor)) return Refuse(Code::kConflict, "a verification case is already pending", "requested_level");
          if (kyc_level(c.actor) >= c.requested_level)
            return Refuse(Code::kBadState, std::string("already verified at level ") + KycLevelName(kyc_level(c.actor)),
                          "requested_level");
          if (c.country.size() != 2 || !std::all_of(c.country.begin(), c.country.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
            return Refuse(Code::kInvalidField, "an ISO 3166-1 alpha-2 country code such as DE", "country");
          if (c.documents.size() > 20) return Refuse(Code::kInvalidField, "at most 20 documents", "documents");
          for (size_t i = 0; i < c.documents.size(); ++i) {
            const std::string& d = c.documents[i];
            if (d.size() < 10 || d.size() > 128 || d[0] != 'b' ||
                !std::all_of(d.begin(), d.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7'); }))
              return Refuse(Code::kDocBadCid, "not a CIDv1 in base32", "documents");
            if (std::find(c.documents.begin(), c.documents.begin() + static_cast<std::ptrdiff_t>(i), d) !=
                c.documents.begin() + static_cast<std::ptrdiff_t>(i))
              return Refuse(Code::kInvalidField, "listed twice", "documents");
          }
          if (c.sealed.empty() || c.sealed.size() > 65536) return Refuse(Code::kInvalidField, "sealed details missing or too long", "sealed");
          if (c.pii_key.size() > 128) return Refuse(Code::kInvalidField, "bad key id", "pii_key");
          if (c.screening.matches.size() > 20) return Refuse(Code::kInvalidField, "at most 20 matches", "screening");
          for (const auto& m : c.screening.matches)
            if (m.name.size() > 500 || m.list.size() > 200 || m.score_ppm < 0 || m.score_ppm > 1'000'000)
              return Refuse(Code::kInvalidField, "bad match", "screening");
          KycCase k;
          k.id = kyc_.next_case;
          k.user = c.actor;
          k.requested_level = c.requested_level;
          k.country = c.country;
          k.documents = c.documents;
          k.screening = c.screening;
          k.pii_key = c.pii_key;
          k.sealed = c.sealed;
          k.created_ts = ts;
          out.push_back(KycSubmitted{k});
          if (c.screening.hit) {
            // Admins see the hit at once; the case waits for their review.
            Alert a;
            a.id = static_cast<int64_t>(alerts_.size()) + 1;
            a.key = "kyc_screening:" + std::to_string(k.id);
            a.kind = "sanctions_hit";
            a.accounts = {u->account};
            std::string ev = "KYC case #" + std::to_string(k.id) + ": the legal name resembles";
            for (const auto& m : c.screening.matches) {
              a.score_ppm = std::max(a.score_ppm, m.score_ppm);
              ev += " \"" + m.name + "\" (" + m.list + ", " + std::to_string(m.score_ppm / 10000) + "%)";
            }
            a.evidence = ev.substr(0, 4000);
            a.ts = ts;
            out.push_back(AlertRaised{std::move(a)});
          }
        } else if constexpr (std::is_same_v<T, DecideKyc>) {
          const KycCase* k = kyc_case(c.kyc_case);
          if (!k) return Refuse(Code::kNotFound, "no such KYC case", "id");
          if (c.source == KycSource::kProvider) {
            if (c.actor != 0) return Refuse(Code::kForbidden, "only the provider's webhook decides as the provider", "source");
            if (c.provider_event.empty() || c.provider_event.size() > 255)
              return Refuse(Code::kInvalidField, "the provider's event id is 1 to 255 characters", "id");
            if (kyc_.provider_events.count(c.provider_event)) return Refuse(Code::kConflict, "event already processed", "id");
          } else if (c.source == KycSource::kManual) {
            if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "compliance reviewers (admins) only", "decision");
            if (c.actor == k->user) return Refuse(Code::kForbidden, "nobody reviews their own case", "decision");
          } else {
            return Refuse(Code::kInvalidField, "manual or provider", "source");
          }
          if (k->status != KycStatus::kPending)
            return Refuse(Code::kBadState, std::string("the case is ") + KycStatusName(k->status), "id");
          if (c.reason.size() > 500) return Refuse(Code::kInvalidField, "at most 500 bytes", "reason");
          if (c.approve) {
            if (c.level != KycLevel::kBasic && c.level != KycLevel::kFull)
              return Refuse(Code::kInvalidField, "basic or full", "level");
            if (k->screening.hit) {
              if (c.source == KycSource::kProvider)
                return Refuse(Code::kBadState, "the legal name matched a sanctions list: an admin must review the case", "screening");
              if (!c.override_hit || IsBlank(c.reason))
                return Refuse(Code::kBadState,
                              "the legal name matched a sanctions list: approving needs \"override\": true and a reason",
                              "override");
            }
          } else if (IsBlank(c.reason)) {
            return Refuse(Code::kMissingField, "a rejection needs a reason", "reason");
          }
          out.push_back(KycDecided{c.kyc_case, c.approve, c.approve ? c.level : KycLevel::kNone, c.actor, c.reason,
                                   c.approve && k->screening.hit && c.override_hit, c.source, c.provider_event});
        } else if constexpr (std::is_same_v<T, SetKycLevel>) {
          if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admin only", "level");
          if (!user(c.user)) return Refuse(Code::kUnknownUser, "no such user", "user");
          if (!ValidLevel(c.level)) return Refuse(Code::kInvalidField, "none, basic or full", "level");
          if (c.reason.size() > 500) return Refuse(Code::kInvalidField, "at most 500 bytes", "reason");
          out.push_back(KycLevelSet{c.user, c.level, c.actor, c.reason});
        } else if constexpr (std::is_same_v<T, SetKycLimits>) {
          if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admin only", "limits");
          if (!ValidLevel(c.level)) return Refuse(Code::kInvalidField, "none, basic or full", "level");
          const std::pair<int64_t, const char*> vals[] = {{c.limits.deposit_24h, "deposit_24h"},
                                                          {c.limits.withdrawal_24h, "withdrawal_24h"},
                                                          {c.limits.order_notional, "order_notional"},
                                                          {c.limits.order_qty_kg, "order_quantity"}};
          for (const auto& [v, name] : vals)
            if (v < kNoLimit || v > kMaxLimit) return Refuse(Code::kInvalidField, "0 or more, or unlimited", name);
          out.push_back(KycLimitsSet{c.level, c.limits, c.actor});
        } else if constexpr (std::is_same_v<T, RecordPayment>) {
          if (c.event_id.empty() || c.event_id.size() > 255) return Refuse(Code::kInvalidField, "1 to 255 characters", "id");
          if (c.intent.size() > 255) return Refuse(Code::kInvalidField, "at most 255 characters", "data.object.id");
          if (kyc_.payment_keys.count("e:" + c.event_id)) return Refuse(Code::kConflict, "event already processed", "id");
          if (!c.intent.empty() && kyc_.payment_keys.count("i:" + c.intent))
            return Refuse(Code::kConflict, "payment already credited", "data.object.id");
          if (!account_exists(c.account) || c.account < kFirstUserAccount)
            return Refuse(Code::kUnknownAccount, "no such account", "metadata.account");
          if (!IsCurrency(c.currency)) return Refuse(Code::kInvalidField, "an ISO 4217 currency code", "currency");
          if (c.amount <= 0 || c.amount > kMaxLimit) return Refuse(Code::kBadQuantity, "amount must be positive", "amount");
          Payment p;
          p.id = kyc_.next_payment;
          p.event_id = c.event_id;
          p.intent = c.intent;
          p.account = c.account;
          p.currency = c.currency;
          p.amount = c.amount;
          p.created_ts = ts;
          if (auto lim = CheckCashLimit(c.account, c.currency, c.amount, 0, ts); !lim.ok()) {
            p.status = PaymentStatus::kHeld;  // recorded, not lost: an admin releases or refunds it
            p.reason = lim.error().message;
          }
          out.push_back(PaymentRecorded{std::move(p)});
        } else if constexpr (std::is_same_v<T, SettlePayment>) {
          if (!IsAdmin(c.actor)) return Refuse(Code::kForbidden, "admin only", "payment");
          auto it = kyc_.payments.find(c.payment);
          if (it == kyc_.payments.end()) return Refuse(Code::kNotFound, "no such payment", "id");
          if (it->second.status != PaymentStatus::kHeld)
            return Refuse(Code::kBadState, std::string("the payment is ") + PaymentStatusName(it->second.status), "id");
          if (c.reason.size() > 500) return Refuse(Code::kInvalidField, "at most 500 bytes", "reason");
          if (!c.release && IsBlank(c.reason)) return Refuse(Code::kMissingField, "a refund needs a reason", "reason");
          out.push_back(PaymentSettled{c.payment, c.release, c.actor, c.reason});
        }
        return Ok();
      },
      cmd);
}

// ------------------------------------------------------------------ apply
void RegistryState::ApplyKycEvent(const Event& ev, int64_t seq, int64_t ts) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, KycSubmitted>) {
          const KycCase& k = kyc_.cases[e.kyc_case.id] = e.kyc_case;
          kyc_.open_case[k.user] = k.id;
          kyc_.next_case = std::max(kyc_.next_case, k.id + 1);
          Audit(seq, ts, k.user, 0, "kyc_submitted",
                "case #" + std::to_string(k.id) + " for level " + KycLevelName(k.requested_level) +
                    (k.screening.hit ? " (sanctions screening hit)" : ""),
                "");
        } else if constexpr (std::is_same_v<T, KycDecided>) {
          KycCase& k = kyc_.cases[e.kyc_case];
          k.status = e.approved ? KycStatus::kApproved : KycStatus::kRejected;
          k.granted_level = e.level;
          k.reviewer = e.actor;
          k.reason = e.reason;
          k.override_hit = e.override_hit;
          k.source = e.source;
          k.provider_event = e.provider_event;
          k.decided_ts = ts;
          kyc_.open_case.erase(k.user);
          if (e.approved) kyc_.levels[k.user] = std::max(kyc_level(k.user), e.level);
          if (!e.provider_event.empty()) kyc_.provider_events.insert(e.provider_event);
          Audit(seq, ts, k.user, e.actor, e.approved ? "kyc_approved" : "kyc_rejected",
                "case #" + std::to_string(k.id) + (e.approved ? std::string(" level ") + KycLevelName(e.level) : "") +
                    (e.source == KycSource::kProvider ? " by the provider" : "") +
                    (e.override_hit ? " overriding a sanctions screening hit" : "") +
                    (e.reason.empty() ? "" : ": " + e.reason),
                "");
        } else if constexpr (std::is_same_v<T, KycLevelSet>) {
          if (e.level == KycLevel::kNone) kyc_.levels.erase(e.user);
          else kyc_.levels[e.user] = e.level;
          Audit(seq, ts, e.user, e.actor, "kyc_level_set",
                std::string("level ") + KycLevelName(e.level) + (e.reason.empty() ? "" : ": " + e.reason), "");
        } else if constexpr (std::is_same_v<T, KycLimitsSet>) {
          kyc_.limits[static_cast<size_t>(e.level)] = e.limits;
          const KycLimits& l = e.limits;
          Audit(seq, ts, 0, e.actor, "kyc_limits_set",
                std::string(KycLevelName(e.level)) + ": deposits " + std::to_string(l.deposit_24h) + ", withdrawals " +
                    std::to_string(l.withdrawal_24h) + " minor/24h; order notional " + std::to_string(l.order_notional) +
                    ", quantity " + std::to_string(l.order_qty_kg) + " kg (-1 = unlimited)",
                "");
        } else if constexpr (std::is_same_v<T, PaymentRecorded>) {
          const Payment& p = kyc_.payments[e.payment.id] = e.payment;
          kyc_.payment_keys.insert("e:" + p.event_id);
          if (!p.intent.empty()) kyc_.payment_keys.insert("i:" + p.intent);
          kyc_.next_payment = std::max(kyc_.next_payment, p.id + 1);
          if (p.status == PaymentStatus::kCredited) {
            cash_[p.account][p.currency].available += p.amount;
            cash_total_[p.currency] += p.amount;
            KycCountCash(p.account, p.currency, p.amount, 0, 0, ts);
          }
          Audit(seq, ts, UserOfAccount(p.account), 0,
                p.status == PaymentStatus::kCredited ? "payment_credited" : "payment_held",
                "#" + std::to_string(p.id) + " " + Minor(p.amount) + " " + p.currency + " event " + p.event_id +
                    (p.reason.empty() ? "" : ": " + p.reason),
                "");
        } else if constexpr (std::is_same_v<T, PaymentSettled>) {
          Payment& p = kyc_.payments[e.payment];
          p.status = e.released ? PaymentStatus::kReleased : PaymentStatus::kRefunded;
          p.decided_by = e.actor;
          p.reason = e.reason;
          p.decided_ts = ts;
          if (e.released) {
            cash_[p.account][p.currency].available += p.amount;
            cash_total_[p.currency] += p.amount;
            KycCountCash(p.account, p.currency, p.amount, 0, 0, ts);
          }
          Audit(seq, ts, UserOfAccount(p.account), e.actor, e.released ? "payment_released" : "payment_refunded",
                "#" + std::to_string(p.id) + " " + Minor(p.amount) + " " + p.currency +
                    (e.reason.empty() ? "" : ": " + e.reason),
                "");
        }
      },
      ev);
}

// ------------------------------------------------------------------ snapshot
std::string RegistryState::SnapshotKyc() const {
  KycSnap s;
  for (const auto& [id, k] : kyc_.cases) s.cases.push_back(k);
  for (const auto& [u, l] : kyc_.levels) s.levels.emplace_back(u, static_cast<int32_t>(l));
  s.limits.assign(kyc_.limits.begin(), kyc_.limits.end());
  s.provider_events.assign(kyc_.provider_events.begin(), kyc_.provider_events.end());
  for (const auto& [id, p] : kyc_.payments) s.payments.push_back(p);
  for (const auto& [a, q] : kyc_.window) s.window.insert(s.window.end(), q.begin(), q.end());
  s.next_case = kyc_.next_case;
  s.next_payment = kyc_.next_payment;
  return Encode(s);
}

bool RegistryState::RestoreKyc(std::string_view bytes) {
  KycSnap s;
  if (!Decode(bytes, s) || s.limits.size() != kyc_.limits.size()) return false;
  kyc_ = KycBook();
  for (auto& k : s.cases) {
    if (k.status == KycStatus::kPending) kyc_.open_case[k.user] = k.id;
    kyc_.cases[k.id] = std::move(k);
  }
  for (const auto& [u, l] : s.levels) {
    if (l < 0 || l >= kKycLevels) return false;
    kyc_.levels[u] = static_cast<KycLevel>(l);
  }
  std::copy(s.limits.begin(), s.limits.end(), kyc_.limits.begin());
  kyc_.provider_events.insert(s.provider_events.begin(), s.provider_events.end());
  for (auto& p : s.payments) {
    kyc_.payment_keys.insert("e:" + p.event_id);
    if (!p.intent.empty()) kyc_.payment_keys.insert("i:" + p.intent);
    kyc_.payments[p.id] = std::move(p);
  }
  for (auto& w : s.window) kyc_.window[w.account].push_back(std::move(w));
  kyc_.next_case = s.next_case;
  kyc_.next_payment = s.next_payment;
  return true;
}

}  // namespace cx::registry
