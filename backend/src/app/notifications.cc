#include "app/notifications.h"

#include <boost/json.hpp>
#include <algorithm>
#include <iterator>

#include "core/units.h"
#include "store/store.h"

namespace cx::app {
namespace json = boost::json;
using namespace registry;  // NOLINT(google-build-using-namespace): event and model names

namespace {

std::string Id(int64_t v) { return std::to_string(v); }
std::string Tonnes(int64_t kg) { return FormatKgAsTonnes(kg); }
std::string Money(int64_t minor) { return FormatDecimal(minor, 2); }

class Sink {
 public:
  Sink(const RegistryState& s, int64_t ts, std::vector<Notice>& out) : s_(s), ts_(ts), out_(out) {}
  Notice* Add(int64_t user, std::string type, std::string title, std::string ref, std::string link) {
    if (user <= 0) return nullptr;
    Notice n;
    n.user = user;
    n.type = std::move(type);
    n.title = std::move(title);
    n.ref = std::move(ref);
    n.link = std::move(link);
    n.ts_us = ts_;
    out_.push_back(std::move(n));
    return &out_.back();
  }
  int64_t UserOfAccount(int64_t account) const {
    const User* u = s_.user_by_account(account);
    return u ? u->id : 0;
  }
  int64_t UserOfWallet(const std::string& address) const {
    const User* u = s_.user_by_wallet(address);
    return u ? u->id : 0;
  }

 private:
  const RegistryState& s_;
  int64_t ts_;
  std::vector<Notice>& out_;
};

std::string SymbolOf(const RegistryState& s, int64_t instrument) {
  const Instrument* in = s.instrument(instrument);
  return in ? in->symbol : "#" + Id(instrument);
}

}  // namespace

std::vector<Notice> NoticesOf(const RegistryState& s, const std::vector<Event>& events, int64_t ts_us,
                              std::map<int64_t, int64_t>* filled_so_far) {
  std::vector<Notice> out;
  Sink sink(s, ts_us, out);
  // Kilograms of each order filled in these events after the fill at hand: the order's
  // filled quantity at that fill is its filled quantity now minus them, and only its last
  // fill here can say "filled".
  std::map<int64_t, int64_t> later;
  for (const Event& e : events)
    if (const auto* t = std::get_if<TradeExecuted>(&e)) {
      later[t->fill.buy_order] += t->fill.qty;
      if (t->fill.sell_order != t->fill.buy_order) later[t->fill.sell_order] += t->fill.qty;
    }
  for (const Event& e : events) {
    if (const auto* t = std::get_if<TradeExecuted>(&e)) {
      const Fill& f = t->fill;
      const std::string sym = SymbolOf(s, f.instrument);
      for (int side = 0; side < 2; ++side) {
        const int64_t order_id = side == 0 ? f.buy_order : f.sell_order;
        const int64_t account = side == 0 ? f.buyer : f.seller;
        const Order* o = s.order(order_id);
        const int64_t after = (later[order_id] -= f.qty);
        bool done = o && o->status == OrderStatus::kFilled && after == 0;
        int64_t filled = o ? o->filled_qty - after : 0;
        if (filled_so_far && o) {
          filled = ((*filled_so_far)[order_id] += f.qty);
          done = filled >= o->qty;
        }
        const char* verb = side == 0 ? "Bought " : "Sold ";
        Notice* n = sink.Add(sink.UserOfAccount(account), done ? "order.filled" : "order.partially_filled",
                             std::string(done ? "Order filled: " : "Order partially filled: ") + verb +
                                 Tonnes(f.qty) + " t " + sym,
                             "fill:" + Id(f.id), "/markets/" + Id(f.instrument));
        if (!n) continue;
        n->detail = Tonnes(f.qty) + " t at " + Money(f.price) + " " + f.currency + "/t";
        n->data = {{"order", Id(order_id)},        {"fill", Id(f.id)},
                   {"instrument", Id(f.instrument)}, {"symbol", sym},
                   {"side", side == 0 ? "buy" : "sell"}, {"quantity", Tonnes(f.qty)},
                   {"price", Money(f.price)},      {"notional", Money(f.notional)},
                   {"currency", f.currency},       {"batch", Id(f.batch)}};
        if (o) n->data.emplace_back("filled", Tonnes(filled));
      }
    } else if (const auto* u = std::get_if<OrderUpdated>(&e)) {
      if (u->what != 0) continue;  // triggers and replaces are not news
      const char* type = nullptr;
      const char* title = nullptr;
      if (u->status == OrderStatus::kCancelled) {
        type = "order.cancelled";
        title = "Order cancelled";
      } else if (u->status == OrderStatus::kExpired) {
        type = "order.expired";
        title = "Order expired";
      } else if (u->status == OrderStatus::kRejected) {
        type = "order.rejected";
        title = "Order rejected";
      }
      const Order* o = s.order(u->order);
      if (!type || !o) continue;
      const std::string sym = SymbolOf(s, o->instrument);
      Notice* n = sink.Add(o->user ? o->user : sink.UserOfAccount(o->account), type,
                           std::string(title) + ": " + OrderSideName(o->side) + " " + sym, "order:" + Id(o->id),
                           "/markets/" + Id(o->instrument));
      if (!n) continue;
      n->detail = Tonnes(u->qty) + " t not executed";
      n->data = {{"order", Id(o->id)}, {"instrument", Id(o->instrument)}, {"symbol", sym},
                 {"side", OrderSideName(o->side)}, {"remaining", Tonnes(u->qty)}, {"filled", Tonnes(o->filled_qty)}};
    } else if (const auto* r = std::get_if<CreditsRetired>(&e)) {
      const Retirement& rt = r->retirement;
      Notice* n = sink.Add(sink.UserOfAccount(rt.account), "retirement.done",
                           "Retirement done: " + Tonnes(rt.quantity_kg) + " t", "retirement:" + Id(rt.id),
                           "/certificates/" + Id(rt.id));
      if (!n) continue;
      n->detail = "certificate " + Id(rt.id) + (rt.beneficiary.empty() ? "" : ", for " + rt.beneficiary);
      n->data = {{"certificate", Id(rt.id)}, {"retirement", Id(rt.id)}, {"batch", Id(rt.batch)},
                 {"quantity", Tonnes(rt.quantity_kg)}, {"beneficiary", rt.beneficiary}};
    } else if (const auto* b = std::get_if<BatchIssued>(&e)) {
      const int64_t kg = b->batch.quantity_kg - b->batch.buffer_kg;
      Notice* n = sink.Add(sink.UserOfAccount(b->owner), "credits.issued",
                           "Credits issued: " + Tonnes(kg) + " t", "batch:" + Id(b->batch.id), "/portfolio");
      if (!n) continue;
      n->detail = "batch " + Id(b->batch.id) + ", vintage " + Id(b->batch.vintage);
      n->data = {{"batch", Id(b->batch.id)}, {"project", Id(b->batch.project)}, {"quantity", Tonnes(kg)},
                 {"buffer", Tonnes(b->batch.buffer_kg)}, {"vintage", Id(b->batch.vintage)}};
    } else if (const auto* k = std::get_if<KycDecided>(&e)) {
      const KycCase* c = s.kyc_case(k->kyc_case);
      if (!c) continue;
      Notice* n = sink.Add(c->user, k->approved ? "kyc.approved" : "kyc.rejected",
                           k->approved ? "Identity check approved" : "Identity check rejected",
                           "kyc:" + Id(c->id), "/kyc");
      if (!n) continue;
      n->detail = k->approved ? std::string("level ") + KycLevelName(k->level) : k->reason;
      n->data = {{"case", Id(c->id)}, {"level", KycLevelName(k->level)}};
    } else if (const auto* d = std::get_if<ChainDepositCredited>(&e)) {
      auto it = s.chain().deposits.find(d->key);
      const ChainDeposit* dep = it == s.chain().deposits.end() ? nullptr : &it->second;
      const int64_t kg = dep ? dep->quantity_kg : 0;
      Notice* n = sink.Add(sink.UserOfAccount(d->account), "chain.deposit_credited",
                           "Deposit credited: " + Tonnes(kg) + " t", "deposit:" + d->key, "/wallet");
      if (!n) continue;
      n->detail = dep ? "batch " + Id(dep->batch) + " from " + dep->from : d->key;
      n->data = {{"deposit", d->key}, {"quantity", Tonnes(kg)}, {"batch", Id(dep ? dep->batch : 0)},
                 {"tx_hash", dep ? dep->tx_hash : ""}};
    } else if (const auto* tr = std::get_if<ChainTxRecorded>(&e)) {
      if (tr->tx.kind != ChainTxKind::kWithdraw) continue;
      auto it = s.chain().withdrawals.find(tr->tx.ref);
      if (it == s.chain().withdrawals.end()) continue;
      const ChainWithdrawal& w = it->second;
      Notice* n = sink.Add(w.user, "chain.withdrawal_sent", "Withdrawal sent: " + Tonnes(w.quantity_kg) + " t",
                           "withdrawal:" + Id(w.id), "/wallet");
      if (!n) continue;
      n->detail = "to " + w.to + ", tx " + tr->tx.hash;
      n->data = {{"withdrawal", Id(w.id)}, {"batch", Id(w.batch)}, {"quantity", Tonnes(w.quantity_kg)},
                 {"to", w.to}, {"tx_hash", tr->tx.hash}};
    } else if (const auto* ts = std::get_if<ChainTxSettled>(&e)) {
      auto tit = s.chain().txs.find(ts->tx);
      if (tit == s.chain().txs.end()) continue;
      const ChainTx& tx = tit->second;
      if (tx.kind == ChainTxKind::kWithdraw) {
        auto it = s.chain().withdrawals.find(tx.ref);
        if (it == s.chain().withdrawals.end()) continue;
        const ChainWithdrawal& w = it->second;
        Notice* n = sink.Add(w.user, ts->ok ? "chain.withdrawal_confirmed" : "chain.withdrawal_failed",
                             std::string(ts->ok ? "Withdrawal confirmed: " : "Withdrawal failed: ") +
                                 Tonnes(w.quantity_kg) + " t",
                             "withdrawal:" + Id(w.id), "/wallet");
        if (!n) continue;
        n->detail = ts->ok ? "block " + Id(ts->block) : ts->error;
        n->data = {{"withdrawal", Id(w.id)}, {"batch", Id(w.batch)}, {"quantity", Tonnes(w.quantity_kg)},
                   {"to", w.to}, {"tx_hash", tx.hash}, {"block", Id(ts->block)}};
      } else if (tx.kind == ChainTxKind::kVerifyIssuance && ts->ok) {
        const ChainBatch* cb = s.chain_batch(tx.ref);
        if (!cb) continue;
        for (const ChainApproval& a : cb->approvals) {
          Notice* n = sink.Add(a.verifier, "chain.approval_verified", "Approval verified on chain: batch " + Id(cb->batch),
                               "chain-batch:" + Id(cb->batch), "/verifier");
          if (!n) continue;
          n->detail = "tx " + tx.hash;
          n->data = {{"batch", Id(cb->batch)}, {"issuance", Id(cb->issuance)}, {"tx_hash", tx.hash},
                     {"block", Id(ts->block)}};
        }
      }
    } else if (const auto* wr = std::get_if<ChainWithdrawalReleased>(&e)) {
      auto it = s.chain().withdrawals.find(wr->withdrawal);
      if (it == s.chain().withdrawals.end()) continue;
      const ChainWithdrawal& w = it->second;
      Notice* n = sink.Add(w.user, "chain.withdrawal_released",
                           "Withdrawal released: " + Tonnes(w.quantity_kg) + " t back to your account",
                           "withdrawal:" + Id(w.id), "/wallet");
      if (!n) continue;
      n->detail = wr->reason;
      n->data = {{"withdrawal", Id(w.id)}, {"batch", Id(w.batch)}, {"quantity", Tonnes(w.quantity_kg)}};
    } else if (const auto* ap = std::get_if<ChainApprovalAdded>(&e)) {
      Notice* n = sink.Add(ap->approval.verifier, "chain.approval_submitted",
                           "Approval recorded: batch " + Id(ap->batch), "chain-batch:" + Id(ap->batch), "/verifier");
      if (!n) continue;
      n->detail = "signed by " + ap->approval.address;
      n->data = {{"batch", Id(ap->batch)}, {"address", ap->approval.address}};
    } else if (const auto* lo = std::get_if<ChainLogObserved>(&e)) {
      const ChainLogFact& f = lo->fact;
      if (f.kind == ChainLogKind::kListingFilled) {
        auto lit = s.proofs().listings.find(f.id);
        const OnchainListing* l = lit == s.proofs().listings.end() ? nullptr : &lit->second;
        std::vector<std::pair<std::string, std::string>> data = {
            {"listing", Id(f.id)}, {"quantity", Tonnes(f.amount_kg)}, {"cost", f.cost}, {"fee", f.fee},
            {"buyer", f.party},    {"seller", l ? l->seller : ""}, {"token_id", l ? l->token_id : ""},
            {"batch", Id(lo->batch)}, {"unit_price", l ? l->unit_price : ""}, {"tx_hash", f.tx_hash}};
        const std::string detail = "listing " + Id(f.id) + ", cost " + f.cost + " (payment-token minor units)";
        const int64_t seller = l ? sink.UserOfWallet(l->seller) : 0;
        const int64_t buyer = sink.UserOfWallet(f.party);
        if (Notice* n = sink.Add(seller, "chain.listing_sold", "On-chain listing filled: sold " + Tonnes(f.amount_kg) + " t",
                                 "listing:" + Id(f.id), "/wallet")) {
          n->detail = detail;
          n->data = data;
        }
        if (buyer != seller)
          if (Notice* n = sink.Add(buyer, "chain.listing_bought",
                                   "On-chain purchase: bought " + Tonnes(f.amount_kg) + " t", "listing:" + Id(f.id),
                                   "/wallet")) {
            n->detail = detail;
            n->data = data;
          }
      } else if (f.kind == ChainLogKind::kRetired) {
        Notice* n = sink.Add(sink.UserOfWallet(f.party), "chain.retirement",
                             "On-chain retirement reflected: " + Tonnes(f.amount_kg) + " t",
                             "chain-retirement:" + Id(f.id),
                             lo->retirement ? "/certificates/" + Id(lo->retirement) : "/wallet");
        if (!n) continue;
        n->detail = lo->retirement ? "certificate " + Id(lo->retirement) : "batch not mirrored: not in the registry";
        n->data = {{"onchain_retirement", Id(f.id)}, {"certificate", Id(lo->retirement)},
                   {"batch", Id(lo->batch)}, {"quantity", Tonnes(f.amount_kg)},
                   {"beneficiary", f.beneficiary}, {"tx_hash", f.tx_hash}};
      }
    }
  }
  return out;
}

std::string NotificationLog::Add(const Notice& n) {
  PerUser& u = users_[n.user];
  const uint64_t seq = ++u.seq;
  json::object o;
  o["channel"] = Channel(n.user);
  o["seq"] = seq;
  o["type"] = n.type;
  o["ts"] = n.ts_us;
  o["title"] = n.title;
  o["detail"] = n.detail;
  o["ref"] = n.ref;
  o["link"] = n.link;
  json::object d;
  for (const auto& [k, v] : n.data) d[k] = v;
  o["data"] = std::move(d);
  std::string text = json::serialize(o);
  u.items.emplace_back(seq, text);
  while (u.items.size() > per_user_) u.items.pop_front();
  return text;
}

uint64_t NotificationLog::seq(int64_t user) const {
  auto it = users_.find(user);
  return it == users_.end() ? 0 : it->second.seq;
}

std::string NotificationLog::Recent(int64_t user, uint64_t after_seq, size_t limit) const {
  std::string out = "{\"channel\":\"" + Channel(user) + "\",\"seq\":" + std::to_string(seq(user)) + ",\"items\":[";
  auto it = users_.find(user);
  if (it != users_.end() && limit > 0) {
    const auto& items = it->second.items;
    // The newest `limit` items with seq > after_seq, oldest first.
    auto first = std::find_if(items.begin(), items.end(), [&](const auto& x) { return x.first > after_seq; });
    const auto avail = static_cast<size_t>(std::distance(first, items.end()));
    if (avail > limit) first += static_cast<std::ptrdiff_t>(avail - limit);
    bool comma = false;
    for (; first != items.end(); ++first) {
      if (comma) out += ',';
      out += first->second;
      comma = true;
    }
  }
  out += "]}";
  return out;
}

Result<void> RebuildNotifications(store::Store& store, const RegistryState& s, NotificationLog& log, int64_t max_rows) {
  CX_ASSIGN_OR_RETURN(store::Tail tail, store.ReadTail());
  log.Clear();
  const int64_t from = std::max<int64_t>(1, tail.last_seq - max_rows + 1);
  // Consecutive rows with one timestamp are one command's events (as the engine's replica
  // mode groups them), so "the last fill of an order in the command" means the same.
  std::vector<Event> group;
  int64_t group_ts = -1;
  std::map<int64_t, int64_t> filled;  // order -> kg filled in the rows scanned so far
  auto flush = [&] {
    if (group.empty()) return;
    for (const Notice& n : NoticesOf(s, group, group_ts, &filled)) (void)log.Add(n);
    group.clear();
  };
  CX_TRY(store.ScanJournal(from, [&](const store::JournalRow& row) {
    if (row.ts != group_ts) flush();
    group_ts = row.ts;
    Event e;
    if (DecodeEvent(row.type, row.payload, e)) group.push_back(std::move(e));
    return true;
  }));
  flush();
  return Ok();
}

}  // namespace cx::app
