// Privacy commands and events of the registry (GDPR): erasure of a user's personal data
// and consent records. The registry never holds personal fields in clear (see User); erasure
// removes the sealed copy and the email index from the state and names the personal-data
// key the edge must shred. What stays is the pseudonymous id with its trades, holdings and
// retirements: the legal record of the registry and the exchange.
#include <algorithm>

#include "core/codec.h"
#include "registry/registry.h"

namespace cx::registry {
namespace {

struct PrivacySnap {
  std::vector<Consent> consents;
  template <class V> void Fields(V& v) { v("consents", consents); }
};

bool ValidPurpose(const std::string& p) {
  return !p.empty() && p.size() <= 64 && std::all_of(p.begin(), p.end(), [](unsigned char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
         });
}

}  // namespace

const std::vector<Consent>* RegistryState::ConsentsOf(int64_t user_id) const {
  auto it = consents_.find(user_id);
  return it == consents_.end() ? nullptr : &it->second;
}

// Erasure waits until nothing of the user's is in flight: an open order can still trade
// (settlement books cash and credits to the account), a pending withdrawal still needs an
// admin's decision about the owner's money, and locked cash or escrowed credits belong to
// one of those. The field of the refusal names the blocker (a stable value for clients).
Result<void> RegistryState::ErasureBlocker(int64_t user_id) const {
  const User* u = user(user_id);
  if (!u) return Err(Code::kUnknownUser, "no such user", "user");
  if (u->erased) return Err(Code::kBadState, "this user's personal data is already erased", "user");
  if (const auto* ids = OrdersOf(u->account))
    for (int64_t id : *ids)
      if (const Order* o = order(id); o && IsLive(*o))
        return Err(Code::kConflict, "cancel your open orders first", "open_orders");
  for (const auto& [id, w] : withdrawals_)
    if (w.account == u->account && w.status == WithdrawalStatus::kPending)
      return Err(Code::kConflict, "a withdrawal is waiting for a decision", "pending_withdrawals");
  if (const auto* m = cash(u->account))
    for (const auto& [cur, b] : *m)
      if (b.locked != 0) return Err(Code::kConflict, "cash is locked (" + cur + ")", "locked_cash");
  for (const auto& [bid, h] : HoldingsOf(u->account))
    if (h && h->escrowed_kg != 0) return Err(Code::kConflict, "credits are escrowed", "locked_credits");
  return Ok();
}

Result<void> RegistryState::DecidePrivacy(const EraseUser& c, int64_t, std::vector<Event>& out) const {
  if (c.actor != 0 && c.actor != c.user)
    return Err(Code::kForbidden, "only the user may erase their personal data", "user");
  CX_TRY(ErasureBlocker(c.user));
  for (const auto& [family, s] : sessions_)
    if (s.user == c.user && !s.revoked) out.push_back(SessionRevoked{family, "erased"});
  // API keys act as their owner: they stop with the erasure.
  for (const ApiKey* k : ApiKeysOf(c.user))
    if (!k->revoked()) out.push_back(ApiKeyRevoked{k->id, c.user, c.user});
  out.push_back(UserErased{c.user, user(c.user)->pii_key});
  return Ok();
}

Result<void> RegistryState::DecidePrivacy(const RecordConsent& c, int64_t ts, std::vector<Event>& out) const {
  const User* u = user(c.user);
  if (!u) return Err(Code::kUnknownUser, "no such user", "user");
  if (u->erased) return Err(Code::kBadState, "this user's personal data is erased", "user");
  if (!ValidPurpose(c.purpose))
    return Err(Code::kInvalidField, "1-64 characters of a-z, 0-9, _ - .", "purpose");
  if (c.policy_version.empty() || c.policy_version.size() > 32)
    return Err(Code::kInvalidField, "1-32 characters", "policy_version");
  out.push_back(ConsentRecorded{Consent{c.user, c.purpose, c.granted, c.policy_version, ts}});
  return Ok();
}

void RegistryState::ApplyPrivacy(const Event& ev, int64_t seq, int64_t ts) {
  if (const auto* e = std::get_if<UserErased>(&ev)) {
    User* u = user_ix_[static_cast<size_t>(e->user)];
    if (!u->email_index.empty()) user_by_email_.erase(u->email_index);
    u->email_index.clear();
    u->pii.clear();  // the journal's sealed copy stays, unreadable once the key is shredded
    u->erased = true;
    // Wallet links end (the address may sign up again); the journal keeps the pseudonymous
    // WalletLinked facts.
    for (auto it = wallets_.begin(); it != wallets_.end();)
      it = it->second == e->user ? wallets_.erase(it) : std::next(it);
    // The audit trail keeps its entries (security record) without the user's IP addresses.
    for (auto& a : audit_)
      if (a.user == e->user) a.ip.clear();
    Audit(seq, ts, e->user, e->user, "user_erased", "personal data erased", "");
  } else if (const auto* c = std::get_if<ConsentRecorded>(&ev)) {
    consents_[c->consent.user].push_back(c->consent);
    Audit(seq, ts, c->consent.user, c->consent.user, "consent",
          c->consent.purpose + (c->consent.granted ? " granted" : " withdrawn") + " (policy " +
              c->consent.policy_version + ")",
          "");
  }
}

std::string RegistryState::SnapshotPrivacy() const {
  PrivacySnap s;
  for (const auto& [u, v] : consents_) s.consents.insert(s.consents.end(), v.begin(), v.end());
  return Encode(s);
}

bool RegistryState::RestorePrivacy(std::string_view bytes) {
  consents_.clear();
  if (bytes.empty()) return true;
  PrivacySnap s;
  if (!Decode(bytes, s)) return false;
  for (auto& c : s.consents) consents_[c.user].push_back(std::move(c));
  return true;
}

}  // namespace cx::registry
