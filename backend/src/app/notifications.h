// Notifications (issue 9): what the exchange's and the chain flows' durable outcomes mean
// to each user, as short messages for the bell and the toasts.
//
// Contract:
// - NoticesOf() is pure: the notices of one command's events, given the state right after
//   them (an order's status, a withdrawal's user, a wallet's owner). No I/O, no clock: the
//   timestamp is the engine's, from the Outcome. A notice goes only to the user the event
//   concerns (the account's owner, the wallet's linked user, the verifier who signed);
//   events that map to no user produce nothing.
// - Types: order.filled, order.partially_filled, order.cancelled, order.expired,
//   order.rejected, retirement.done, credits.issued, kyc.approved, kyc.rejected,
//   chain.deposit_credited, chain.withdrawal_sent, chain.withdrawal_confirmed,
//   chain.withdrawal_failed, chain.withdrawal_released, chain.retirement,
//   chain.approval_submitted, chain.approval_verified, chain.listing_sold,
//   chain.listing_bought.
// - NotificationLog keeps, per user, the last `per_user` rendered messages and the channel's
//   sequence number (seq = last + 1 on every message, so a gap is detectable; it restarts
//   with the process, which rebuilds it from the journal: RebuildNotifications).
//   Wire form (channel "notifications:<user id>"):
//     {"channel","seq","type","ts" (us),"title","detail" (one line),"ref","link",
//      "data":{field: string}}  -- ids and amounts as decimal strings.
// Thread-safety: NoticesOf is a pure function; NotificationLog is not thread-safe (its
// owner, MarketFeed, holds its mutex).
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "registry/messages.h"
#include "registry/registry.h"

namespace cx::store {
class Store;
}

namespace cx::app {

struct Notice {
  int64_t user = 0;
  std::string type;
  std::string title;
  std::string detail;
  std::string ref;   // the subject, e.g. "order:12", "withdrawal:3"
  std::string link;  // front-end path
  int64_t ts_us = 0;
  std::vector<std::pair<std::string, std::string>> data;
};

// `filled_so_far` (rebuild only, where `s` is the final state): kg filled per order in the
// events seen so far, which then decides "filled" vs "partially filled" instead of the
// order's status in `s`.
std::vector<Notice> NoticesOf(const registry::RegistryState& s, const std::vector<registry::Event>& events,
                              int64_t ts_us, std::map<int64_t, int64_t>* filled_so_far = nullptr);

class NotificationLog {
 public:
  static constexpr size_t kDefaultPerUser = 200;
  explicit NotificationLog(size_t per_user = kDefaultPerUser) : per_user_(per_user < 1 ? 1 : per_user) {}
  static std::string Channel(int64_t user) { return "notifications:" + std::to_string(user); }
  // Assigns the user's next seq, keeps the rendered message and returns it.
  std::string Add(const Notice& n);
  uint64_t seq(int64_t user) const;
  // {"channel","seq" (current),"items":[messages with seq > after_seq, oldest first, at
  // most `limit` (the newest ones)]}.
  std::string Recent(int64_t user, uint64_t after_seq, size_t limit) const;
  void Clear() { users_.clear(); }

 private:
  struct PerUser {
    uint64_t seq = 0;
    std::deque<std::pair<uint64_t, std::string>> items;
  };
  size_t per_user_;
  std::map<int64_t, PerUser> users_;
};

// Rebuilds `log` from the last `max_rows` journal rows of `store` (the notices they meant,
// against the recovered state `s`), without publishing anything. Rows that do not decode
// are skipped.
Result<void> RebuildNotifications(store::Store& store, const registry::RegistryState& s, NotificationLog& log,
                                  int64_t max_rows = 200000);

}  // namespace cx::app
