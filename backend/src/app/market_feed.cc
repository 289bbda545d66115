#include "app/market_feed.h"

#include <boost/json.hpp>
#include <algorithm>
#include <map>
#include <set>

#include "api/json_util.h"
#include "app/market_views.h"
#include "app/service.h"
#include "exchange/order_book.h"
#include "store/pg_store.h"

namespace cx::app {
using registry::RegistryState;

namespace {

// What one command changed, as copied values (rendered later by the publisher thread).
struct Observed {
  struct PrivOrder {
    int64_t user;
    registry::Order order;
    std::string symbol;
  };
  struct PrivFill {
    int64_t user;
    int64_t viewer;  // account
    registry::Fill fill;
    registry::Batch batch;  // serial fields only, for the serial ranges
  };
  std::vector<marketdata::InstrumentInfo> instruments;
  std::vector<marketdata::Trade> trades;
  std::vector<std::pair<InstrumentId, std::vector<marketdata::LevelUpdate>>> depth;
  std::vector<PrivFill> fills;
  std::vector<PrivOrder> orders;
  std::vector<registry::Alert> alerts;
  std::vector<Notice> notices;  // issue 9
  int64_t seq = 0;  // last journal seq of the command (issue 10: fan-out envelopes)
};

marketdata::Trade TradeOf(const registry::Fill& f) {
  marketdata::Trade t;
  t.instrument = InstrumentId(f.instrument);
  t.id = TradeId(f.id);
  t.ts_us = f.ts;
  t.price = f.price;
  t.qty_kg = f.qty;
  // Auction trades have no aggressor; they are shown as buys.
  t.taker_side = f.aggressor == 1 ? marketdata::Side::kSell : marketdata::Side::kBuy;
  return t;
}

}  // namespace

std::optional<marketdata::Trade> OnchainTradeOf(const RegistryState& s, const registry::OnchainFill& f,
                                                int64_t ordinal) {
  if (f.batch <= 0 || f.quantity_kg <= 0 || f.quantity_kg > marketdata::kMaxQtyKg) return std::nullopt;
  // unitPrice: decimal uint256, payment-token (6 decimals) minor units per kg.
  const std::string& up = f.unit_price;
  if (up.empty() || up.size() > 18 || up.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const int64_t unit = std::stoll(up);
  constexpr int64_t kTokenMinorPerCentPerTonneFactor = 10;  // 10^6 / 10^2 / 1000 kg
  if (unit % kTokenMinorPerCentPerTonneFactor != 0) return std::nullopt;  // not a whole cent per tonne
  const int64_t price = unit / kTokenMinorPerCentPerTonneFactor;
  if (price <= 0 || price > marketdata::kMaxPrice) return std::nullopt;
  int64_t instrument = 0;
  for (const auto& [id, in] : s.instruments())
    if (in.kind == registry::InstrumentKind::kBatch && in.batch == f.batch) {
      instrument = id;
      break;
    }
  if (!instrument) return std::nullopt;
  marketdata::Trade t;
  t.instrument = InstrumentId(instrument);
  t.id = TradeId(ordinal);
  t.ts_us = f.ts * marketdata::kUsPerSecond;
  t.price = price;
  t.qty_kg = f.quantity_kg;
  t.taker_side = marketdata::Side::kBuy;  // a fill takes a listing: the buyer is the taker
  t.venue = marketdata::Venue::kOnchain;
  return t;
}

uint8_t CategoriesOf(const RegistryState& s, const registry::Instrument& in) {
  registry::Nature nature = registry::Nature::kUnknown;
  registry::Mitigation mit = registry::Mitigation::kUnknown;
  if (in.kind == registry::InstrumentKind::kBatch) {
    if (const registry::Batch* b = s.batch(in.batch))
      if (const registry::Project* p = s.project(b->project)) {
        nature = p->info.nature;
        mit = p->info.mitigation;
      }
  } else {
    nature = in.criteria.nature;
    mit = in.criteria.mitigation;
  }
  uint8_t c = 0;
  if (nature == registry::Nature::kNatureBased) c |= marketdata::kNatureBased;
  if (nature == registry::Nature::kTechnical) c |= marketdata::kTechnical;
  if (mit == registry::Mitigation::kRemoval) c |= marketdata::kRemoval;
  return c;
}

MarketFeed::MarketFeed() { publisher_ = std::thread([this] { Run(); }); }

MarketFeed::~MarketFeed() {
  {
    std::lock_guard l(q_mu_);
    stop_ = true;
  }
  q_cv_.notify_one();
  publisher_.join();
}

void MarketFeed::set_hub(api::PubSubHub* hub) {
  std::lock_guard l(mu_);
  hub_ = hub;
}

void MarketFeed::Bootstrap(const RegistryState& s) {
  std::lock_guard l(mu_);
  std::vector<marketdata::Outgoing> drop;
  for (const auto& [id, in] : s.instruments())
    (void)feed_.AddInstrument(marketdata::InstrumentInfo{InstrumentId(id), CategoriesOf(s, in), 2});
  // Exchange and on-chain trades, merged by time (stable: each venue keeps its order).
  std::vector<marketdata::Trade> past;
  past.reserve(s.fills().size() + s.proofs().fills.size());
  for (const auto& f : s.fills()) past.push_back(TradeOf(f));
  const auto& ofills = s.proofs().fills;
  for (size_t i = 0; i < ofills.size(); ++i)
    if (auto t = OnchainTradeOf(s, ofills[i], static_cast<int64_t>(i) + 1)) past.push_back(*t);
  std::stable_sort(past.begin(), past.end(), [](const auto& a, const auto& b) { return a.ts_us < b.ts_us; });
  for (marketdata::Trade t : past) {
    if (const auto* md = feed_.market(t.instrument)) t.ts_us = std::max(t.ts_us, md->now_us());
    t.ts_us = std::max(t.ts_us, feed_.index().now_us());
    (void)feed_.OnTrade(t, drop);
    drop.clear();
  }
  auto& sh = shadow_;
  sh.clear();
  for (const auto& [id, in] : s.instruments()) {
    const exchange::OrderBook* b = s.book(id);
    std::vector<marketdata::LevelUpdate> ups;
    for (auto side : {exchange::Side::kBuy, exchange::Side::kSell})
      for (const auto& lv : b->Depth(side, SIZE_MAX)) {
        ups.push_back({side == exchange::Side::kBuy ? marketdata::Side::kBuy : marketdata::Side::kSell, lv.price, lv.qty});
        sh[{id, static_cast<int>(side), lv.price}] = lv.qty;
      }
    if (!ups.empty()) (void)feed_.OnDepth(InstrumentId(id), ups, drop);
    drop.clear();
  }
}

std::shared_ptr<const void> MarketFeed::Observe(const RegistryState& s, const engine::Outcome& o) {
  if (!o.events) return nullptr;
  auto item = std::make_shared<Observed>();
  item->seq = o.last_seq;
  item->notices = NoticesOf(s, *o.events, o.ts);
  std::set<int64_t> orders;
  auto user_of = [&](int64_t account) -> int64_t {
    const registry::User* u = s.user_by_account(account);
    return u ? u->id : 0;
  };
  auto fill_for = [&](int64_t account, const registry::Fill& f) {
    int64_t u = user_of(account);
    if (!u) return;
    Observed::PrivFill pf{u, account, f, {}};
    if (const registry::Batch* b = s.batch(f.batch)) {
      pf.batch.serial = b->serial;
      pf.batch.serial_start = b->serial_start;
      pf.batch.quantity_kg = b->quantity_kg;
    }
    item->fills.push_back(std::move(pf));
  };
  for (const registry::Event& e : *o.events) {
    if (const auto* ic = std::get_if<registry::InstrumentCreated>(&e)) {
      item->instruments.push_back({InstrumentId(ic->instrument.id), CategoriesOf(s, ic->instrument), 2});
    } else if (const auto* os = std::get_if<registry::OrderSubmitted>(&e)) {
      orders.insert(os->order.id);
    } else if (const auto* ou = std::get_if<registry::OrderUpdated>(&e)) {
      orders.insert(ou->order);
    } else if (const auto* al = std::get_if<registry::AlertRaised>(&e)) {
      item->alerts.push_back(al->alert);
    } else if (const auto* lo = std::get_if<registry::ChainLogObserved>(&e);
               lo && lo->fact.kind == registry::ChainLogKind::kListingFilled) {
      const auto& ofills = s.proofs().fills;
      for (size_t i = ofills.size(); i-- > 0;)
        if (ofills[i].tx_hash == lo->fact.tx_hash && ofills[i].log_index == lo->fact.log_index) {
          if (auto t = OnchainTradeOf(s, ofills[i], static_cast<int64_t>(i) + 1)) item->trades.push_back(*t);
          break;
        }
    } else if (const auto* t = std::get_if<registry::TradeExecuted>(&e)) {
      item->trades.push_back(TradeOf(t->fill));
      orders.insert(t->fill.buy_order);
      orders.insert(t->fill.sell_order);
      fill_for(t->fill.buyer, t->fill);
      if (t->fill.seller != t->fill.buyer) fill_for(t->fill.seller, t->fill);
    }
  }
  for (int64_t id : orders)
    if (const registry::Order* ord = s.order(id))
      if (int64_t u = user_of(ord->account)) {
        const registry::Instrument* in = s.instrument(ord->instrument);
        item->orders.push_back({u, *ord, in ? in->symbol : std::string()});
      }
  // Depth: the touched levels' displayed quantity now, where it differs from what the
  // publisher was last given.
  if (!s.touched().empty()) {
    auto& sh = shadow_;
    std::set<std::tuple<int64_t, int, int64_t>> keys;
    for (const auto& t : s.touched()) keys.insert({t.instrument, static_cast<int>(t.side), t.price});
    std::map<int64_t, std::vector<marketdata::LevelUpdate>> ups;
    for (const auto& [inst, side, price] : keys) {
      const exchange::OrderBook* b = s.book(inst);
      int64_t qty = b ? b->DisplayedAt(static_cast<exchange::Side>(side), price) : 0;
      auto key = std::make_tuple(inst, side, price);
      auto sit = sh.find(key);
      int64_t was = sit == sh.end() ? 0 : sit->second;
      if (qty == was) continue;
      if (qty == 0) sh.erase(sit); else sh[key] = qty;
      ups[inst].push_back({side == 0 ? marketdata::Side::kBuy : marketdata::Side::kSell, price, qty});
    }
    for (auto& [inst, v] : ups) item->depth.emplace_back(InstrumentId(inst), std::move(v));
  }
  if (item->instruments.empty() && item->trades.empty() && item->depth.empty() && item->fills.empty() &&
      item->orders.empty() && item->alerts.empty() && item->notices.empty())
    return nullptr;
  return item;
}

void MarketFeed::Send(std::vector<marketdata::Outgoing>& out) {
  for (auto& m : out) Deliver(m.channel, std::move(m.text));
  out.clear();
}

void MarketFeed::Deliver(const std::string& channel, std::string text) {
  if (outlet_) outlet_batch_.emplace_back(channel, std::move(text));
  else if (hub_) hub_->Publish(channel, std::move(text));
}

void MarketFeed::FlushOutlet(uint64_t journal_seq) {
  if (!outlet_ || outlet_batch_.empty()) return;
  outlet_(journal_seq, std::move(outlet_batch_));
  outlet_batch_.clear();
}

void MarketFeed::set_outlet(Outlet outlet) {
  std::lock_guard l(mu_);
  outlet_ = std::move(outlet);
}

void MarketFeed::Publish(const std::vector<std::shared_ptr<const void>>& items) {
  {
    std::lock_guard l(q_mu_);
    queue_.push_back(items);
  }
  q_cv_.notify_one();
}

void MarketFeed::Run() {
  for (;;) {
    std::vector<std::shared_ptr<const void>> items;
    {
      std::unique_lock l(q_mu_);
      q_cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      items = std::move(queue_.front());
      queue_.pop_front();
    }
    std::lock_guard l(mu_);
    PublishLocked(items);
    uint64_t seq = 0;
    for (const auto& p : items) seq = std::max<uint64_t>(seq, static_cast<uint64_t>(static_cast<const Observed*>(p.get())->seq));
    FlushOutlet(seq);
  }
}

void MarketFeed::PublishLocked(const std::vector<std::shared_ptr<const void>>& items) {
  std::vector<marketdata::Outgoing> out;
  for (const auto& p : items) {
    const auto& it = *static_cast<const Observed*>(p.get());
    for (const auto& info : it.instruments) (void)feed_.AddInstrument(info);
    for (marketdata::Trade t : it.trades) {
      if (const auto* md = feed_.market(t.instrument)) t.ts_us = std::max(t.ts_us, md->now_us());
      t.ts_us = std::max(t.ts_us, feed_.index().now_us());
      (void)feed_.OnTrade(t, out);
      Send(out);
    }
    for (const auto& [inst, ups] : it.depth) {
      (void)feed_.OnDepth(inst, ups, out);
      Send(out);
    }
    auto send_private = [&](int64_t user, const char* type, const std::string& data) {
      std::string channel = "orders:" + std::to_string(user);
      uint64_t seq = ++private_seq_[user];
      std::string text = "{\"channel\":\"" + channel + "\",\"seq\":" + std::to_string(seq) + ",\"type\":\"" + type +
                         "\",\"data\":" + data + "}";
      Deliver(channel, std::move(text));
    };
    for (const auto& f : it.fills) {
      std::string data;
      AppendFillJson(data, f.fill, f.viewer, f.batch.serial.empty() ? nullptr : &f.batch);
      send_private(f.user, "fill", data);
    }
    for (const auto& o : it.orders) {
      std::string data;
      AppendOrderJson(data, o.order, o.symbol);
      send_private(o.user, "order", data);
    }
    for (const Notice& n : it.notices) Deliver(NotificationLog::Channel(n.user), notes_.Add(n));
    for (const auto& a : it.alerts) {
      std::string text = "{\"channel\":\"alerts\",\"seq\":" + std::to_string(++alerts_seq_) +
                         ",\"type\":\"alert\",\"data\":" + AlertJson(a) + "}";
      Deliver("alerts", std::move(text));
    }
  }
}

void MarketFeed::AdvanceTime(int64_t now_us) {
  std::lock_guard l(mu_);
  std::vector<marketdata::Outgoing> out;
  if (now_us < feed_.index().now_us()) return;
  for (InstrumentId id : feed_.instruments())
    if (const auto* md = feed_.market(id); md && md->now_us() > now_us) return;
  (void)feed_.AdvanceTime(now_us, out);
  Send(out);
  FlushOutlet(0);
}

bool MarketFeed::Authorize(const auth::Principal& p, const std::string& channel) {
  if (channel == "alerts") return p.authenticated && (p.Has(auth::Role::kAdmin) || p.Has(auth::Role::kAuditor));
  if (channel == "notifications" || channel.rfind("notifications:", 0) == 0)
    return p.authenticated && channel == NotificationLog::Channel(p.user_id);
  if (channel.rfind("orders:", 0) != 0) return true;
  return p.authenticated && channel == "orders:" + std::to_string(p.user_id);
}

Result<std::string> MarketFeed::Subscribe(const std::string& channel, const std::function<bool()>& subscribe) {
  std::lock_guard l(mu_);
  if (channel == "alerts") {
    if (!subscribe()) return Err(Code::kTooLarge, "too many channels", "channel");
    return "{\"channel\":\"alerts\",\"type\":\"snapshot\",\"seq\":" + std::to_string(alerts_seq_) + "}";
  }
  if (channel.rfind("orders:", 0) == 0) {
    CX_ASSIGN_OR_RETURN(int64_t user, api::ParseId(channel.substr(7), "channel"));
    if (!subscribe()) return Err(Code::kTooLarge, "too many channels", "channel");
    uint64_t seq = private_seq_.count(user) ? private_seq_[user] : 0;
    return "{\"channel\":\"" + channel + "\",\"type\":\"snapshot\",\"seq\":" + std::to_string(seq) + "}";
  }
  if (channel.rfind("notifications:", 0) == 0) {
    CX_ASSIGN_OR_RETURN(int64_t user, api::ParseId(channel.substr(14), "channel"));
    if (!subscribe()) return Err(Code::kTooLarge, "too many channels", "channel");
    return "{\"channel\":\"" + channel + "\",\"type\":\"snapshot\",\"seq\":" + std::to_string(notes_.seq(user)) + "}";
  }
  CX_ASSIGN_OR_RETURN(std::string snap, feed_.SnapshotMessage(channel));
  if (!subscribe()) return Err(Code::kTooLarge, "too many channels", "channel");
  return snap;
}

Result<void> MarketFeed::RebuildNotifications(const std::string& store_url, const RegistryState& s) {
  CX_ASSIGN_OR_RETURN(auto store, store::OpenStore(store_url, /*writer=*/false));
  std::lock_guard l(mu_);
  return app::RebuildNotifications(*store, s, notes_);
}

std::string MarketFeed::Notifications(int64_t user, uint64_t after_seq, size_t limit) {
  std::lock_guard l(mu_);
  return notes_.Recent(user, after_seq, limit);
}

Result<std::string> MarketFeed::Trades(int64_t instrument, size_t limit) {
  std::lock_guard l(mu_);
  const auto* md = feed_.market(InstrumentId(instrument));
  if (!md) return Err(Code::kUnknownInstrument, "no such instrument", "id");
  std::vector<marketdata::Trade> t = md->RecentTrades(limit);
  std::reverse(t.begin(), t.end());  // newest first
  return marketdata::TradesJson(InstrumentId(instrument), t);
}

Result<std::string> MarketFeed::Candles(int64_t instrument, std::string_view interval, int64_t from_us, int64_t to_us,
                                        size_t limit) {
  CX_ASSIGN_OR_RETURN(marketdata::Interval iv, marketdata::ParseInterval(interval));
  std::lock_guard l(mu_);
  const auto* md = feed_.market(InstrumentId(instrument));
  if (!md) return Err(Code::kUnknownInstrument, "no such instrument", "id");
  return marketdata::CandlesJson(InstrumentId(instrument), iv, md->Candles(iv, from_us, to_us, limit));
}

Result<std::string> MarketFeed::Stats(int64_t instrument) {
  std::lock_guard l(mu_);
  const auto* md = feed_.market(InstrumentId(instrument));
  if (!md) return Err(Code::kUnknownInstrument, "no such instrument", "id");
  return marketdata::StatsJson(InstrumentId(instrument), md->Stats());
}

std::string MarketFeed::Indices() {
  std::lock_guard l(mu_);
  std::vector<marketdata::IndexValue> v;
  for (auto c : marketdata::kIndexCategories) v.push_back(feed_.index().Value(c));
  return marketdata::IndicesJson(v);
}

}  // namespace cx::app
