#include "models/fraud.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <unordered_map>

#include "utils/stats.h"

namespace cx::ml {

std::string_view AlertKindName(AlertKind k) {
  switch (k) {
    case AlertKind::kSelfTrade: return "selftrade";
    case AlertKind::kWash: return "wash";
    case AlertKind::kSpoof: return "spoof";
    case AlertKind::kMarkingClose: return "marking_close";
    case AlertKind::kRoundSize: return "round_size";
    case AlertKind::kFirstDigit: return "first_digit";
    case AlertKind::kAnomaly: return "anomaly";
  }
  return "unknown";
}

std::vector<Alert> DetectSelfTrades(std::span<const Trade> trades) {
  std::vector<Alert> out;
  for (const auto& t : trades)
    if (t.buyer == t.seller)
      out.push_back({AlertKind::kSelfTrade, t.trade_id, t.buyer, 1.0,
                     "buyer and seller are the same account; orders " + std::to_string(t.buy_order_id) +
                         "/" + std::to_string(t.sell_order_id)});
  return out;
}

double BenfordMad(std::span<const int64_t> values) {
  std::array<double, 10> cnt{};
  double n = 0;
  for (int64_t v : values) {
    if (v <= 0) continue;
    while (v >= 10) v /= 10;
    cnt[v] += 1;
    n += 1;
  }
  if (n == 0) return 0;
  double mad = 0;
  for (int d = 1; d <= 9; ++d) mad += std::fabs(cnt[d] / n - std::log10(1.0 + 1.0 / d));
  return mad / 9;
}

std::vector<double> RobustZ(std::span<const double> x) {
  std::vector<double> v(x.begin(), x.end());
  const double med = Median(v);
  std::vector<double> dev;
  for (double a : x) dev.push_back(std::fabs(a - med));
  const double mad = 1.4826 * Median(dev);
  std::vector<double> z(x.size(), 0.0);
  if (mad > 0)
    for (size_t i = 0; i < x.size(); ++i) z[i] = (x[i] - med) / mad;
  return z;
}

namespace {

struct OrderInfo {
  int64_t id = 0;
  int64_t t_new = 0, t_cancel = -1;
  int acc = 0;
  int32_t inst = 0;
  Side side = Side::kBuy;
  bool market = false;
  int64_t qty = 0;
  int64_t first_aggr_fill = -1;  // time of the first fill where this order was the taker
  bool filled_by_self = false;   // has a fill against its own account
};

struct Index {
  std::unordered_map<std::string, int> acc_id;
  std::vector<std::string> acc_name;
  std::unordered_map<int64_t, size_t> order_pos;
  std::vector<OrderInfo> orders;
  int Acc(const std::string& a) {
    auto [it, fresh] = acc_id.try_emplace(a, static_cast<int>(acc_name.size()));
    if (fresh) acc_name.push_back(a);
    return it->second;
  }
  const OrderInfo* Find(int64_t id) const {
    auto it = order_pos.find(id);
    return it == order_pos.end() ? nullptr : &orders[it->second];
  }
};

struct UnionFind {
  std::vector<int> p;
  explicit UnionFind(size_t n) : p(n) { std::iota(p.begin(), p.end(), 0); }
  int Find(int x) { while (p[x] != x) x = p[x] = p[p[x]]; return x; }
  void Join(int a, int b) { p[Find(a)] = Find(b); }
};

int FirstDigit(int64_t v) {
  if (v <= 0) return 0;
  while (v >= 10) v /= 10;
  return static_cast<int>(v);
}

std::string Fmt(double v, int prec = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

void DetectWash(const Index& ix, std::span<const Trade> trades, const std::vector<int>& buyer,
                const std::vector<int>& seller, const WashOptions& o, FraudReport* rep) {
  struct PairStat { int trades = 0, pre = 0; };
  std::map<std::pair<int, int>, PairStat> pairs;
  for (size_t i = 0; i < trades.size(); ++i) {
    const auto& t = trades[i];
    const int b = buyer[i], s = seller[i];
    if (b == s) continue;
    auto& ps = pairs[{std::min(b, s), std::max(b, s)}];
    ++ps.trades;
    const OrderInfo* bo = ix.Find(t.buy_order_id);
    const OrderInfo* so = ix.Find(t.sell_order_id);
    if (!bo || !so) continue;
    const OrderInfo* maker = t.aggressor == Side::kBuy ? so : bo;
    const OrderInfo* taker = t.aggressor == Side::kBuy ? bo : so;
    if (t.ts_ms - maker->t_new <= o.max_maker_age_ms && taker->qty == maker->qty) ++ps.pre;
  }
  UnionFind uf(ix.acc_name.size());
  std::vector<char> linked(ix.acc_name.size(), 0);
  for (const auto& [k, ps] : pairs) {
    if (ps.pre >= o.min_prearranged &&
        static_cast<double>(ps.pre) >= o.min_prearranged_share * static_cast<double>(ps.trades)) {
      uf.Join(k.first, k.second);
      linked[k.first] = linked[k.second] = 1;
    }
  }
  // Groups and the trades inside each.
  std::map<int, std::vector<size_t>> group_trades;
  for (size_t i = 0; i < trades.size(); ++i) {
    const int b = buyer[i], s = seller[i];
    if (b == s || !linked[b] || !linked[s] || uf.Find(b) != uf.Find(s)) continue;
    group_trades[uf.Find(b)].push_back(i);
  }
  for (const auto& [root, idx] : group_trades) {
    std::vector<std::string> members;
    std::map<int, int64_t> net, gross;
    for (size_t a = 0; a < ix.acc_name.size(); ++a)
      if (linked[a] && uf.Find(static_cast<int>(a)) == root) members.push_back(ix.acc_name[a]);
    for (size_t i : idx) {
      net[buyer[i]] += trades[i].qty;
      net[seller[i]] -= trades[i].qty;
      gross[buyer[i]] += trades[i].qty;
      gross[seller[i]] += trades[i].qty;
    }
    // Cycles: a trade s->b closed by b->s (2-cycle) or b->c, c->s (3-cycle) with the
    // same quantity within the window.
    int cycles = 0;
    for (size_t x = 0; x < idx.size(); ++x) {
      const auto& t1 = trades[idx[x]];
      const int s1 = seller[idx[x]], b1 = buyer[idx[x]];
      bool closed = false;
      for (size_t y = x + 1; y < idx.size() && !closed; ++y) {
        const auto& t2 = trades[idx[y]];
        if (t2.ts_ms - t1.ts_ms > o.cycle_window_ms) break;
        if (t2.qty != t1.qty || seller[idx[y]] != b1) continue;
        if (buyer[idx[y]] == s1) { closed = true; break; }
        const int c = buyer[idx[y]];
        for (size_t z = y + 1; z < idx.size(); ++z) {
          const auto& t3 = trades[idx[z]];
          if (t3.ts_ms - t1.ts_ms > o.cycle_window_ms) break;
          if (t3.qty == t1.qty && seller[idx[z]] == c && buyer[idx[z]] == s1) { closed = true; break; }
        }
      }
      cycles += closed;
    }
    int64_t abs_net = 0, gr = 0;
    for (auto& [a, v] : net) abs_net += std::llabs(v);
    for (auto& [a, v] : gross) gr += v;
    const double net_ratio = gr ? static_cast<double>(abs_net) / static_cast<double>(gr) : 0;
    std::string name;
    for (const auto& m : members) name += (name.empty() ? "" : "+") + m;
    const std::string ev = "group " + name + ": " + std::to_string(idx.size()) + " trades, " +
                           std::to_string(cycles) + " closed cycles, net/gross " + Fmt(net_ratio);
    for (size_t i : idx)
      rep->alerts.push_back({AlertKind::kWash, trades[i].trade_id, name, 1.0 - 0.5 * net_ratio, ev});
    rep->summary.groups.push_back(members);
  }
  rep->summary.wash_groups = rep->summary.groups.size();
}

void DetectSpoof(const Index& ix, const SpoofOptions& o, FraudReport* rep) {
  const size_t na = ix.acc_name.size();
  std::vector<std::vector<double>> sizes(na);
  for (const auto& od : ix.orders) sizes[od.acc].push_back(static_cast<double>(od.qty));
  std::vector<double> median(na, 0);
  for (size_t a = 0; a < na; ++a)
    if (static_cast<int>(sizes[a].size()) >= o.min_account_orders) median[a] = Median(sizes[a]);
  // Aggressive orders per (account, instrument, side): taker at placement, or an
  // immediate-or-cancel remainder cancelled in the same millisecond.
  struct Aggr {
    int64_t t;
    int64_t qty;
    bool self_fill;  // traded against the account's own order
  };
  std::map<std::tuple<int, int32_t, int>, std::vector<Aggr>> aggressive;
  for (const auto& od : ix.orders)
    if (od.first_aggr_fill == od.t_new || od.t_cancel == od.t_new)
      aggressive[{od.acc, od.inst, static_cast<int>(od.side)}].push_back(
          {od.t_new, od.qty, od.filled_by_self});
  for (auto& [k, v] : aggressive)
    std::sort(v.begin(), v.end(), [](const Aggr& a, const Aggr& b) { return a.t < b.t; });
  std::vector<size_t> flagged;
  for (size_t i = 0; i < ix.orders.size(); ++i) {
    const auto& od = ix.orders[i];
    if (od.market || od.t_cancel < 0 || median[od.acc] <= 0) continue;
    const int64_t life = od.t_cancel - od.t_new;
    if (life <= 0 || life > o.max_life_ms) continue;
    const double ratio = static_cast<double>(od.qty) / median[od.acc];
    if (ratio < o.min_size_vs_own_median) continue;
    auto it = aggressive.find({od.acc, od.inst, 1 - static_cast<int>(od.side)});
    if (it == aggressive.end()) continue;
    // The first qualifying opposite order strictly inside the order's life. One that
    // traded against the account's own order and was sized to take this order (at
    // least half of it) is a self-trade, flagged as such, not a trade behind a flash: a
    // spoofer's real trade is small beside the flashed size.
    const Aggr* hit = nullptr;
    for (auto a = std::upper_bound(it->second.begin(), it->second.end(), od.t_new,
                                   [](int64_t t, const Aggr& x) { return t < x.t; });
         a != it->second.end() && a->t < od.t_cancel; ++a) {
      if (a->self_fill && 2 * a->qty >= od.qty) continue;
      hit = &*a;
      break;
    }
    if (!hit) continue;
    flagged.push_back(i);
    rep->alerts.push_back(
        {AlertKind::kSpoof, od.id, ix.acc_name[od.acc], ratio,
         "order " + Fmt(ratio, 1) + "x the account's median size, cancelled after " +
             std::to_string(life) + " ms; opposite-side aggressive order " +
             std::to_string(hit->t - od.t_new) + " ms after placement" +
             (hit->self_fill ? " (it also traded with the account's own order)" : "")});
  }
  // Layers: same account, side and instrument, placed within layer_window_ms of a
  // flagged order, cancelled quickly.
  std::vector<std::vector<size_t>> by_acc(na);
  for (size_t i = 0; i < ix.orders.size(); ++i) by_acc[ix.orders[i].acc].push_back(i);
  for (auto& v : by_acc)
    std::stable_sort(v.begin(), v.end(), [&](size_t x, size_t y) { return ix.orders[x].t_new < ix.orders[y].t_new; });
  std::vector<char> done(ix.orders.size(), 0);
  for (size_t i : flagged) done[i] = 1;
  for (size_t i : flagged) {
    const auto& f = ix.orders[i];
    const auto& mine = by_acc[f.acc];
    auto from = std::lower_bound(mine.begin(), mine.end(), f.t_new - o.layer_window_ms,
                                 [&](size_t x, int64_t t) { return ix.orders[x].t_new < t; });
    for (auto it = from; it != mine.end() && ix.orders[*it].t_new <= f.t_new + o.layer_window_ms; ++it) {
      const auto& od = ix.orders[*it];
      if (done[*it] || od.inst != f.inst || od.side != f.side || od.market) continue;
      if (od.t_cancel <= od.t_new || od.t_cancel - od.t_new > o.max_life_ms) continue;
      done[*it] = 1;
      rep->alerts.push_back({AlertKind::kSpoof, od.id, ix.acc_name[od.acc],
                             static_cast<double>(od.qty) / std::max(1.0, median[od.acc]),
                             "layer placed " + std::to_string(od.t_new - f.t_new) + " ms from flagged order " +
                                 std::to_string(f.id) + ", same side, cancelled after " +
                                 std::to_string(od.t_cancel - od.t_new) + " ms"});
    }
  }
}

void DetectMarkingClose(std::span<const Trade> trades, const CloseOptions& o, FraudReport* rep) {
  std::map<int32_t, std::vector<size_t>> by_inst;
  for (size_t i = 0; i < trades.size(); ++i) by_inst[trades[i].instrument].push_back(i);
  for (const auto& [inst, idx] : by_inst) {
    const int64_t close = trades[idx.back()].ts_ms;
    std::vector<size_t> w;
    for (size_t i : idx)
      if (trades[i].ts_ms >= close - o.window_ms) w.push_back(i);
    if (static_cast<int>(w.size()) < o.min_trades) continue;
    const double p0 = static_cast<double>(trades[w.front()].price);
    const double p1 = static_cast<double>(trades[w.back()].price);
    const double move = p1 / p0 - 1;
    if (std::fabs(move) < o.min_price_move) continue;
    const Side push = move > 0 ? Side::kBuy : Side::kSell;
    std::map<std::string, int64_t> vol;
    int64_t total = 0;
    for (size_t i : w) {
      total += trades[i].qty;
      if (trades[i].aggressor == push)
        vol[push == Side::kBuy ? trades[i].buyer : trades[i].seller] += trades[i].qty;
    }
    for (const auto& [acc, v] : vol) {
      const double share = static_cast<double>(v) / static_cast<double>(total);
      if (share < o.min_volume_share) continue;
      rep->alerts.push_back({AlertKind::kMarkingClose, trades[w.back()].trade_id, acc, share,
                             "instrument " + std::to_string(inst) + ": " + Fmt(100 * share, 1) +
                                 " % of closing-window volume as aggressor, price moved " +
                                 Fmt(100 * move, 2) + " %"});
    }
  }
}

void DetectDigitsAndAnomalies(const Index& ix, std::span<const Trade> trades,
                              const std::vector<int>& buyer, const std::vector<int>& seller,
                              const FraudOptions& o, FraudReport* rep) {
  const size_t na = ix.acc_name.size();
  std::vector<std::vector<int64_t>> qty(na);
  size_t round_all = 0;
  for (size_t i = 0; i < trades.size(); ++i) {
    qty[buyer[i]].push_back(trades[i].qty);
    if (seller[i] != buyer[i]) qty[seller[i]].push_back(trades[i].qty);
    round_all += trades[i].qty % o.digits.round_unit_kg == 0;
  }
  const double p0 = trades.empty() ? 0 : static_cast<double>(round_all) / static_cast<double>(trades.size());
  std::array<double, 10> market_digits{};
  std::vector<int64_t> all_sizes;
  for (const auto& t : trades) { market_digits[FirstDigit(t.qty)] += 1; all_sizes.push_back(t.qty); }
  for (double& v : market_digits) v /= std::max<double>(1.0, static_cast<double>(trades.size()));
  rep->summary.market_benford_mad = BenfordMad(all_sizes);
  for (size_t a = 0; a < na; ++a) {
    const auto& q = qty[a];
    if (static_cast<int>(q.size()) < o.digits.min_trades) continue;
    const double n = static_cast<double>(q.size());
    double k = 0;
    for (int64_t v : q) k += v % o.digits.round_unit_kg == 0;
    if (p0 > 0 && p0 < 1) {
      const double z = (k - n * p0) / std::sqrt(n * p0 * (1 - p0));
      if (z >= o.digits.round_z)
        rep->alerts.push_back({AlertKind::kRoundSize, 0, ix.acc_name[a], z,
                               Fmt(100 * k / n, 1) + " % round-size trades vs " + Fmt(100 * p0, 1) +
                                   " % market-wide (z " + Fmt(z, 1) + ")"});
    }
    std::array<double, 10> cnt{};
    for (int64_t v : q) cnt[FirstDigit(v)] += 1;
    double chi2 = 0;
    for (int d = 1; d <= 9; ++d) {
      const double e = n * market_digits[d];
      if (e > 0) chi2 += (cnt[d] - e) * (cnt[d] - e) / e;
    }
    if (chi2 >= o.digits.digit_chi2)
      rep->alerts.push_back({AlertKind::kFirstDigit, 0, ix.acc_name[a], chi2,
                             "first digits of " + std::to_string(q.size()) + " trade sizes differ from the market's (chi2 " +
                                 Fmt(chi2, 1) + ", 8 dof); Benford MAD " + Fmt(BenfordMad(q), 3)});
  }
  // Account features: order-to-trade ratio, cancel rate, log median order size.
  std::vector<double> otr(na, 0), cancel(na, 0), news(na, 0), cancels(na, 0);
  for (const auto& od : ix.orders) {
    news[od.acc] += 1;
    if (od.t_cancel >= 0 && od.t_cancel > od.t_new) cancels[od.acc] += 1;
  }
  std::vector<size_t> active;
  for (size_t a = 0; a < na; ++a) {
    if (news[a] < 10) continue;
    active.push_back(a);
    otr[a] = news[a] / (1.0 + static_cast<double>(qty[a].size()));
    cancel[a] = cancels[a] / news[a];
  }
  if (active.size() < 10) return;
  std::vector<double> f1, f2;
  for (size_t a : active) { f1.push_back(std::log(otr[a])); f2.push_back(cancel[a]); }
  auto z1 = RobustZ(f1), z2 = RobustZ(f2);
  for (size_t i = 0; i < active.size(); ++i) {
    const double z = std::max(std::fabs(z1[i]), std::fabs(z2[i]));
    if (z >= o.anomaly_z)
      rep->alerts.push_back({AlertKind::kAnomaly, 0, ix.acc_name[active[i]], z,
                             "order-to-trade " + Fmt(otr[active[i]], 1) + " (z " + Fmt(z1[i], 1) +
                                 "), cancel rate " + Fmt(cancel[active[i]], 2) + " (z " + Fmt(z2[i], 1) + ")"});
  }
}

}  // namespace

Result<FraudReport> DetectMarketAbuse(std::span<const OrderEvent> orders_in, std::span<const Trade> trades_in,
                                      const FraudOptions& opt) {
  // The detectors walk events in time order; files (and feeds) may interleave slightly.
  std::vector<OrderEvent> orders_sorted;
  std::vector<Trade> trades_sorted;
  auto by_ts = [](const auto& a, const auto& b) { return a.ts_ms < b.ts_ms; };
  std::span<const OrderEvent> orders = orders_in;
  std::span<const Trade> trades = trades_in;
  if (!std::is_sorted(orders.begin(), orders.end(), by_ts)) {
    orders_sorted.assign(orders.begin(), orders.end());
    std::stable_sort(orders_sorted.begin(), orders_sorted.end(), by_ts);
    orders = orders_sorted;
  }
  if (!std::is_sorted(trades.begin(), trades.end(), by_ts)) {
    trades_sorted.assign(trades.begin(), trades.end());
    std::stable_sort(trades_sorted.begin(), trades_sorted.end(), by_ts);
    trades = trades_sorted;
  }
  Index ix;
  ix.orders.reserve(orders.size() / 2 + 1);
  for (size_t i = 0; i < orders.size(); ++i) {
    const auto& e = orders[i];
    if (e.qty <= 0)
      return Err(Code::kInvalidField, "order event " + std::to_string(i) + " has a non-positive quantity", "qty");
    if (!e.cancel) {
      if (ix.order_pos.count(e.order_id))
        return Err(Code::kInvalidField, "order " + std::to_string(e.order_id) + " is new twice", "order_id");
      ix.order_pos[e.order_id] = ix.orders.size();
      ix.orders.push_back({e.order_id, e.ts_ms, -1, ix.Acc(e.account), e.instrument, e.side, e.market, e.qty, -1});
    } else {
      auto it = ix.order_pos.find(e.order_id);
      if (it != ix.order_pos.end()) ix.orders[it->second].t_cancel = e.ts_ms;
    }
  }
  std::vector<int> buyer(trades.size()), seller(trades.size());
  for (size_t i = 0; i < trades.size(); ++i) {
    const auto& t = trades[i];
    if (t.qty <= 0 || t.price <= 0)
      return Err(Code::kInvalidField, "trade " + std::to_string(t.trade_id) + " has a non-positive price or quantity", "qty");
    buyer[i] = ix.Acc(t.buyer);
    seller[i] = ix.Acc(t.seller);
    auto it = ix.order_pos.find(t.aggressor == Side::kBuy ? t.buy_order_id : t.sell_order_id);
    if (it != ix.order_pos.end() && ix.orders[it->second].first_aggr_fill < 0)
      ix.orders[it->second].first_aggr_fill = t.ts_ms;
    for (int64_t id : {t.buy_order_id, t.sell_order_id}) {
      auto s = ix.order_pos.find(id);
      if (s == ix.order_pos.end()) continue;
      if (buyer[i] == seller[i]) ix.orders[s->second].filled_by_self = true;
    }
  }
  FraudReport rep;
  rep.summary.orders = ix.orders.size();
  rep.summary.trades = trades.size();
  rep.summary.accounts = ix.acc_name.size();
  rep.alerts = DetectSelfTrades(trades);
  DetectWash(ix, trades, buyer, seller, opt.wash, &rep);
  DetectSpoof(ix, opt.spoof, &rep);
  if (opt.account_level) {
    DetectMarkingClose(trades, opt.close, &rep);
    DetectDigitsAndAnomalies(ix, trades, buyer, seller, opt, &rep);
  }
  return rep;
}

}  // namespace cx::ml
