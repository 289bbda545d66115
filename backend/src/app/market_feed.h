// MarketFeed: publishes the exchange's durable outcomes. On the engine thread, Observe()
// captures what a command changed (trades, touched price levels with their new displayed
// quantity, order updates per user); once the journal group is committed, Publish() (on
// the writer thread) feeds the market-data aggregates (candles, VWAP, 24 h stats, depth,
// indices) and sends the channel messages through the PubSubHub. Only durable facts are
// ever published.
//
// Channels: those of marketdata::MarketDataFeed (depth:<id>, bbo:<id>, trades:<id>,
// candles:<id>:<iv>, stats:<id>, index:<c>) plus the private orders:<user id> (order
// updates and fills of that user's account), the private notifications:<user id>
// (app/notifications.h: exchange and chain events that concern the user; only that user
// may subscribe) and "alerts" (detector alerts; admins and auditors).
//
// On-chain fills (issue 9): a CarbonMarket ListingFilled indexed by the chain worker
// (ChainLogObserved) of a mirrored batch that an exchange instrument of kind "batch" lists
// prints in that instrument's market data (trades, candles, VWAP, stats, indices) with
// venue "onchain" and trade id = the fill's ordinal in the on-chain fill list (venues have
// separate id spaces). Its price is converted exactly: unitPrice (payment-token minor units
// per kg, 6 decimals) * 1000 / 10^4 = cents per tonne, i.e. unitPrice / 10; a unitPrice
// that is not a multiple of 10 (a fraction of a cent per tonne), a fill of a batch no
// instrument lists, or one outside the market-data bounds prints only in the on-chain venue
// (GET /api/v1/chain/market/fills). Every channel's messages carry seq = last+1;
// a subscriber first gets a snapshot (or for orders:<u> a snapshot marker with the current
// seq; the open orders come from REST), so a gap is detectable.
//
// Thread-safety: Observe on the engine thread only (it copies values, renders nothing);
// Publish only queues, and the feed's own publisher thread renders and sends, so neither
// the engine nor the journal writer waits for JSON. Everything else from any thread (one
// mutex). Subscribe() takes the hub subscription and the snapshot under the same mutex
// the publisher holds, so no message can fall between them.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <thread>
#include <tuple>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/pubsub.h"
#include "api/router.h"
#include "auth/principal.h"
#include "engine/engine.h"
#include "app/notifications.h"
#include "marketdata/feed.h"

namespace cx::app {

class MarketFeed {
 public:
  MarketFeed();
  ~MarketFeed();  // drains what was queued, then stops the publisher thread
  void set_hub(api::PubSubHub* hub);
  // Before the engine starts: instruments, past trades (from the state's fills) and the
  // current books.
  void Bootstrap(const registry::RegistryState& s);
  // Engine hooks (engine::Options::observe / publish).
  std::shared_ptr<const void> Observe(const registry::RegistryState& s, const engine::Outcome& o);
  void Publish(const std::vector<std::shared_ptr<const void>>& items);
  // Expires rolling windows (a timer calls it with the current time).
  void AdvanceTime(int64_t now_us);
  // Issue 10 (Redis fan-out, app/redis_bus.h MarketFanout): when set, every rendered
  // message goes to `outlet` -- once per published batch, with the batch's last journal
  // seq (0 for window roll-overs) -- instead of to the hub. Set before the engine starts.
  using Outlet = std::function<void(uint64_t journal_seq, std::vector<std::pair<std::string, std::string>> messages)>;
  void set_outlet(Outlet outlet);

  // Issue 9: rebuilds the notification history from the journal tail of the store at
  // `store_url` (a SQLite path or postgres:// URL, opened read-only here), before Start.
  Result<void> RebuildNotifications(const std::string& store_url, const registry::RegistryState& s);
  // GET /api/v1/notifications body: `user`'s kept notifications after `after_seq`.
  std::string Notifications(int64_t user, uint64_t after_seq, size_t limit);

  // May `p` subscribe to `channel`?  orders:<u> and notifications:<u> only for user u.
  static bool Authorize(const auth::Principal& p, const std::string& channel);
  // WebSocket subscribe: validates the channel, subscribes through `subscribe` and
  // returns the snapshot message, atomically with respect to Publish.
  Result<std::string> Subscribe(const std::string& channel, const std::function<bool()>& subscribe);

  // REST bodies.
  Result<std::string> Trades(int64_t instrument, size_t limit);
  Result<std::string> Candles(int64_t instrument, std::string_view interval, int64_t from_us, int64_t to_us,
                              size_t limit);
  Result<std::string> Stats(int64_t instrument);
  std::string Indices();

 private:
  void Send(std::vector<marketdata::Outgoing>& out);
  void PublishLocked(const std::vector<std::shared_ptr<const void>>& items);
  void Run();

  // Engine thread only (Bootstrap runs before the engine starts): the displayed depth
  // already handed to the publisher, so Observe sends only real level changes and never
  // the removal of a level that was not shown.
  std::map<std::tuple<int64_t, int, int64_t>, int64_t> shadow_;

  std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<std::vector<std::shared_ptr<const void>>> queue_;
  bool stop_ = false;
  std::thread publisher_;

  std::mutex mu_;
  marketdata::MarketDataFeed feed_;
  api::PubSubHub* hub_ = nullptr;
  std::map<int64_t, uint64_t> private_seq_;  // user -> last seq on orders:<user>
  uint64_t alerts_seq_ = 0;                  // the admins' "alerts" channel
  // Issue 10: the outlet and the messages of the batch being rendered (under mu_).
  void Deliver(const std::string& channel, std::string text);
  void FlushOutlet(uint64_t journal_seq);
  Outlet outlet_;
  std::vector<std::pair<std::string, std::string>> outlet_batch_;
  NotificationLog notes_;  // issue 9 (under mu_)
};

// GET /api/v1/notifications (app/notification_routes.cc).
Result<void> RegisterNotificationRoutes(api::Router& router, MarketFeed& feed);

// The market-data trade an on-chain fill prints (see the header comment), or nullopt when
// it prints only in the on-chain venue. `ordinal` = 1 + its index in s.proofs().fills.
std::optional<marketdata::Trade> OnchainTradeOf(const registry::RegistryState& s, const registry::OnchainFill& f,
                                                int64_t ordinal);

// Category flags of an instrument (nature-based / technical / removal) for the indices.
uint8_t CategoriesOf(const registry::RegistryState& s, const registry::Instrument& in);

}  // namespace cx::app
