#include "app/ml_views.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "app/market_feed.h"
#include "app/views.h"
#include "core/units.h"
#include "exchange/order_book.h"
#include "models/risk.h"
#include "models/volatility.h"
#include "utils/stats.h"

namespace cx::app::analytics {
using registry::RegistryState;

namespace {

int YearOf(int64_t ts_us) {
  return static_cast<int>(std::strtol(ml::IsoDateFromDays(ts_us / 86'400'000'000).substr(0, 4).c_str(), nullptr, 10));
}

// Value at the last price, rounded down to the minor unit.
Result<int64_t> Value(const Position& p) {
  auto v = MulDiv(p.price, p.kg, kKgPerTonne);
  if (!v) return Err(Code::kOverflow, "position value overflows", "value");
  return *v;
}

// Every batch as an issuance record: the registry of origin ("carbonx" for credits issued
// here), the project's id there, name and country, vintage and serial block.
void CopyIssuances(const RegistryState& s, std::vector<ml::IssuanceRecord>& out) {
  out.reserve(s.batches().size());
  for (const auto& [bid, b] : s.batches()) {
    const registry::Project* p = s.project(b.project);
    if (!p) continue;
    ml::IssuanceRecord r;
    r.record_id = std::to_string(bid);
    r.registry = !b.origin_registry.empty() ? b.origin_registry
                 : !p->info.origin_registry.empty() ? p->info.origin_registry : "carbonx";
    r.project_id = p->info.origin_id.empty() ? std::to_string(p->id) : p->info.origin_id;
    r.project_name = p->info.name;
    r.country = p->info.country;
    r.vintage_start = r.vintage_end = static_cast<int>(b.vintage);
    r.serial_prefix = b.serial_space;
    r.serial_start = b.serial_start;
    r.serial_end = b.serial_end;
    r.quantity = b.quantity_kg / 1000;
    if (b.vintage > 0) out.push_back(std::move(r));
  }
}

json::object LiquidityView(const InstrumentData& d) {
  const ml::Liquidity l = ml::ComputeLiquidity(std::span<const ml::QuoteSnapshot>(&d.quote, 1), d.trades);
  json::object o;
  const bool two_sided = d.quote.bid > 0 && d.quote.ask > 0;
  o["best_bid"] = d.quote.bid ? json::value(json::string(FormatDecimal(d.quote.bid, 2))) : json::value(nullptr);
  o["best_ask"] = d.quote.ask ? json::value(json::string(FormatDecimal(d.quote.ask, 2))) : json::value(nullptr);
  o["spread_bps"] = two_sided ? Num(l.mean_spread_bps, 2) : json::value(nullptr);
  o["depth_bid"] = FormatKgAsTonnes(d.quote.bid_qty);
  o["depth_ask"] = FormatKgAsTonnes(d.quote.ask_qty);
  o["depth_bid_kg"] = d.quote.bid_qty;
  o["depth_ask_kg"] = d.quote.ask_qty;
  o["depth_band"] = "within 5 % of the best price on each side";
  o["turnover_24h"] = FormatDecimal(l.turnover_cents, 2);
  o["turnover_24h_minor"] = l.turnover_cents;
  o["volume_24h"] = FormatKgAsTonnes(l.volume_kg);
  o["volume_24h_kg"] = l.volume_kg;
  o["trades_24h"] = static_cast<int64_t>(l.trades);
  o["currency"] = d.currency;
  return o;
}
}  // namespace

// ---------------------------------------------------------------- series


json::object SeriesInfo(const Series& s) {
  json::object o;
  o["kind"] = s.kind;
  if (s.kind == "instrument") o["instrument"] = s.instrument;
  o["name"] = s.name;
  if (!s.currency.empty()) o["currency"] = s.currency;
  o["days"] = static_cast<int64_t>(s.prices.size());
  if (!s.prices.empty()) {
    o["from"] = s.dates.front();
    o["to"] = s.dates.back();
    o["last"] = s.prices.back();
  }
  return o;
}

json::value Num(double v, int digits) {
  if (!std::isfinite(v)) return nullptr;
  const double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

Result<void> NeedDays(const Series& s, size_t need, const char* what) {
  if (s.prices.size() >= need) return Ok();
  std::string have = std::to_string(s.prices.size()) + (s.prices.size() == 1 ? " daily close" : " daily closes");
  if (!s.prices.empty()) have += " (" + s.dates.front() + " .. " + s.dates.back() + ")";
  return Err(Code::kMlInsufficientData,
             s.name + " has " + have + "; " + what + " needs at least " + std::to_string(need), "series");
}



Result<InstrumentData> CopyInstrument(const RegistryState& s, int64_t id, int64_t since_us, double band) {
  const registry::Instrument* in = s.instrument(id);
  if (!in) return Err(Code::kUnknownInstrument, "no such instrument", "series");
  InstrumentData d;
  d.id = id;
  d.symbol = in->symbol;
  d.currency = in->currency;
  for (const auto& f : s.fills()) {
    if (f.instrument != id) continue;
    d.prices.push_back({f.ts, static_cast<double>(f.price) / 100.0});
    if (f.ts >= since_us) d.trades.push_back({f.ts / 1000, f.price, f.qty});
  }
  // Issue 9: the instrument's on-chain fills (venue "onchain", app/market_feed.h), in time order.
  const auto& ofills = s.proofs().fills;
  for (size_t i = 0; i < ofills.size(); ++i)
    if (auto t = OnchainTradeOf(s, ofills[i], static_cast<int64_t>(i) + 1); t && t->instrument.value() == id) {
      d.prices.push_back({t->ts_us, static_cast<double>(t->price) / 100.0});
      if (t->ts_us >= since_us) d.trades.push_back({t->ts_us / 1000, t->price, t->qty_kg});
    }
  if (!ofills.empty()) {
    std::stable_sort(d.prices.begin(), d.prices.end(), [](const auto& a, const auto& b) { return a.ts_us < b.ts_us; });
    std::stable_sort(d.trades.begin(), d.trades.end(), [](const auto& a, const auto& b) { return a.ts_ms < b.ts_ms; });
  }
  if (const exchange::OrderBook* b = s.book(id)) {
    auto bid = b->best_bid(), ask = b->best_ask();
    d.quote.bid = bid.value_or(0);
    d.quote.ask = ask.value_or(0);
    // Depth: displayed quantity within `band` of the best price on each side.
    for (auto side : {exchange::Side::kBuy, exchange::Side::kSell}) {
      auto best = side == exchange::Side::kBuy ? bid : ask;
      if (!best) continue;
      int64_t& qty = side == exchange::Side::kBuy ? d.quote.bid_qty : d.quote.ask_qty;
      for (const auto& l : b->Depth(side, 200))
        if (std::fabs(static_cast<double>(l.price - *best)) <= band * static_cast<double>(*best)) qty += l.qty;
    }
  }
  return d;
}

Series InstrumentSeries(const InstrumentData& d) {
  Series s;
  s.kind = "instrument";
  s.instrument = d.id;
  s.name = "instrument " + std::to_string(d.id) + (d.symbol.empty() ? "" : " (" + d.symbol + ")");
  s.currency = d.currency;
  ml::DailySeries ds = ml::DailyCloses(d.prices);
  s.dates = std::move(ds.dates);
  s.prices = std::move(ds.closes);
  return s;
}

// ---------------------------------------------------------------- views

Result<std::string> ForecastView(const Series& s, const ml::ForecastOutput& f, std::optional<int> horizon,
                                 const std::string& model) {
  json::object o;
  o["series"] = SeriesInfo(s);
  o["model"] = model;
  o["sigma_daily"] = Num(f.sigma_daily);
  json::array hs;
  for (const auto& h : f.horizons) {
    if (horizon && h.horizon != *horizon) continue;
    json::object x;
    x["horizon"] = h.horizon;
    x["naive"] = Num(h.naive);
    x["forecast"] = Num(h.point);
    json::object iv;
    iv["level"] = 0.8;
    iv["lo"] = Num(h.lo);
    iv["hi"] = Num(h.hi);
    x["interval"] = std::move(iv);
    json::object bm;
    for (const auto& [name, p] : h.by_model) bm[name] = Num(p);
    x["by_model"] = std::move(bm);
    x["backtest_mase"] = Num(h.backtest_mase, 4);
    x["beats_naive"] = h.beats_naive;
    hs.push_back(std::move(x));
  }
  o["horizons"] = std::move(hs);
  o["verdict"] = f.verdict;
  return Serialize(o);
}

Result<std::string> VolatilityView(const Series& s) {
  CX_TRY(NeedDays(s, kMinVolatilityDays, "volatility (GARCH(1,1))"));
  auto v = ml::SummarizeVolatility(s.prices);
  if (!v.ok()) return Err(Code::kMlInsufficientData, v.error().message, "series");
  const auto r = ml::LogReturns(s.prices);
  const auto ewma = ml::EwmaVariance(r);
  const auto garch = ml::GarchFilter(v->garch, r);
  const auto real = ml::RealizedVol(r, 20);
  json::object o;
  o["series"] = SeriesInfo(s);
  json::object d, a;
  auto both = [&](const char* k, double per_day) {
    d[k] = Num(per_day);
    a[k] = Num(per_day * std::sqrt(kTradingDays));
  };
  both("ewma", v->ewma);
  both("garch_next", v->garch_next);
  both("garch_5", v->garch_5);
  both("garch_20", v->garch_20);
  both("realized_20", v->realized_20);
  o["per_day"] = std::move(d);
  o["annualised"] = std::move(a);
  json::object g;
  g["omega"] = Num(v->garch.omega, 15);  // daily variances are small numbers
  g["alpha"] = Num(v->garch.alpha);
  g["beta"] = Num(v->garch.beta);
  g["persistence"] = Num(v->garch.alpha + v->garch.beta);
  g["nu"] = v->garch.nu > 0 ? Num(v->garch.nu, 3) : json::value(nullptr);
  g["innovations"] = v->garch.nu > 0 ? "student_t" : "normal";
  g["unconditional_vol"] = Num(std::sqrt(v->garch.unconditional_variance()), 12);
  g["log_likelihood"] = Num(v->garch.log_likelihood, 3);
  o["garch"] = std::move(g);
  // Recent days: return t and the volatility each model forecast for it the day before.
  json::array hist;
  const size_t n = r.size();
  for (size_t t = n > kHistoryPoints ? n - kHistoryPoints : 0; t < n; ++t) {
    json::object x;
    x["date"] = s.dates[t + 1];
    x["return"] = Num(r[t]);
    x["ewma"] = Num(std::sqrt(ewma[t]));
    x["garch"] = Num(std::sqrt(garch[t]));
    x["realized_20"] = Num(real[t]);
    hist.push_back(std::move(x));
  }
  o["history"] = std::move(hist);
  o["note"] = "volatilities of daily log returns; annualised with sqrt(252)";
  return Serialize(o);
}


Result<std::string> TrendView(const Series& s, const InstrumentData* d) {
  json::object o;
  o["series"] = SeriesInfo(s);
  if (d) o["liquidity"] = LiquidityView(*d);
  if (s.prices.size() < kMinTrendDays) {
    if (!d) {
      CX_TRY(NeedDays(s, kMinTrendDays, "trend"));
    }
    o["trend"] = nullptr;
    o["note"] = NeedDays(s, kMinTrendDays, "trend").error().message;
    return Serialize(o);
  }
  const ml::TrendSummary t = ml::SummarizeTrend(s.prices);
  json::object tr;
  tr["regime"] = std::string(ml::RegimeName(t.regime));
  tr["momentum_20"] = Num(t.momentum_20);
  tr["momentum_60"] = Num(t.momentum_60);
  tr["drawdown"] = Num(t.drawdown);
  tr["max_drawdown"] = Num(t.max_drawdown);
  tr["realized_vol_20"] = Num(t.realized_vol_20);
  tr["rule"] = "up: MA20 above MA50 by more than 1 % and the price above MA50; down: the mirror; else sideways; "
               "unknown before 50 days";
  o["trend"] = std::move(tr);
  const auto reg = ml::MaRegimes(s.prices);
  const auto ma20 = ml::MovingAverage(s.prices, 20), ma50 = ml::MovingAverage(s.prices, 50);
  const auto dd = ml::Drawdown(s.prices);
  const size_t n = s.prices.size(), from = n > kHistoryPoints ? n - kHistoryPoints : 0;
  // The reference series as an index (100 at the first point shown).
  const auto idx = ml::ReferenceIndex(s.prices, from);
  json::array hist;
  for (size_t i = from; i < n; ++i) {
    json::object x;
    x["date"] = s.dates[i];
    x["price"] = Num(s.prices[i]);
    if (!idx.empty()) x["index"] = Num(idx[i], 3);
    x["ma20"] = Num(ma20[i]);
    x["ma50"] = Num(ma50[i]);
    x["regime"] = std::string(ml::RegimeName(reg[i]));
    x["drawdown"] = Num(dd[i]);
    hist.push_back(std::move(x));
  }
  o["history"] = std::move(hist);
  return Serialize(o);
}

// ---------------------------------------------------------------- project risk


Result<std::string> ProjectRiskView(const RegistryState& s, int64_t id, int64_t now_us) {
  const registry::Project* p = s.project(id);
  if (!p) return Err(Code::kUnknownProject, "no such project", "id");
  const auto& info = p->info;
  ml::ProjectRiskInput in;
  json::array notes;
  in.removal = info.mitigation == registry::Mitigation::kRemoval;
  in.nature_based = info.nature == registry::Nature::kNatureBased;
  if (info.mitigation == registry::Mitigation::kUnknown) notes.push_back("removal or reduction not recorded: scored as reduction");
  if (info.nature == registry::Nature::kUnknown) notes.push_back("nature-based or technical not recorded: scored as technical");
  const ml::MethodologyFlags flags =
      ml::FlagMethodology(info.methodology + " | " + info.project_type + " | " + info.sector + " | " + info.name);
  in.hfc23_destruction = flags.hfc23_destruction;
  in.large_hydro = flags.large_hydro;
  in.avoided_deforestation = flags.avoided_deforestation;
  in.grid_renewable = flags.grid_renewable;
  in.current_year = YearOf(now_us);
  // Batches of the project: newest vintage, supply, buffer, reversals.
  std::vector<int64_t> batches;
  int64_t supply = 0, buffer = 0, reversed = 0, newest = 0;
  for (const auto& [bid, b] : s.batches()) {
    if (b.project != id) continue;
    batches.push_back(bid);
    supply += b.quantity_kg;
    buffer += b.buffer_kg;
    newest = std::max(newest, b.vintage);
  }
  std::set<std::string> reversal_reasons;
  for (const auto& c : s.cancellations()) {
    if (c.reason.rfind("reversal: ", 0) != 0) continue;
    const registry::Batch* b = s.batch(c.batch);
    if (!b || b->project != id) continue;
    reversal_reasons.insert(c.reason);
    for (const auto& r : c.ranges) reversed += r.second - r.first;
  }
  in.reversals = static_cast<int>(reversal_reasons.size());
  in.reversed_share = supply > 0 ? std::min(1.0, static_cast<double>(reversed) / static_cast<double>(supply)) : 0;
  in.buffer_share = supply > 0 ? static_cast<double>(buffer) / static_cast<double>(supply) : 0;
  const bool vintage_known = newest > 0 && newest <= in.current_year;
  in.vintage_year = vintage_known ? static_cast<int>(newest) : in.current_year;
  // Verification history: issuance requests decided by verifiers.
  for (const auto& [iid, is] : s.issuances()) {
    if (is.project != id || is.status == registry::IssuanceStatus::kPending) continue;
    ++in.verifications;
    if (is.status == registry::IssuanceStatus::kRejected) ++in.adverse_verifications;
  }
  // Imported batches were verified at their origin registry: one verification each.
  for (int64_t bid : batches)
    if (s.batch(bid)->issuance == 0) ++in.verifications;
  // Concentration: the largest share of the project's outstanding credits (tradable and
  // escrowed) held by one user account. The buffer pool and the origin registries'
  // accounts (which hold imported credits for their own account holders) are left out.
  int64_t held_total = 0, held_max = 0;
  for (const auto& [uid, u] : s.users()) {
    int64_t held = 0;
    for (int64_t bid : batches)
      if (const registry::Holding* h = s.holding(u.account, bid)) held += h->tradable.total();
    held_total += held;
    held_max = std::max(held_max, held);
  }
  in.largest_holder_share = held_total > 0 ? static_cast<double>(held_max) / static_cast<double>(held_total) : 0;
  if (held_total == 0) notes.push_back("no credits of the project are held by user accounts: concentration 0");
  notes.push_back("country governance: no governance index is loaded, so every country scores as unknown (medium)");
  CX_ASSIGN_OR_RETURN(ml::ProjectRisk risk, ml::ScoreProjectRisk(in));
  json::object o;
  json::object pj;
  pj["id"] = id;
  pj["name"] = info.name;
  pj["country"] = info.country;
  pj["methodology"] = info.methodology;
  o["project"] = std::move(pj);
  o["score"] = Num(risk.score, 2);
  o["band"] = risk.band;
  json::array fs;
  for (auto& f : risk.factors) {
    json::object x;
    x["name"] = f.name;
    x["points"] = Num(f.points, 2);
    x["max_points"] = Num(f.max_points, 2);
    x["detail"] = f.name == "vintage_age" && !vintage_known ? std::string("no batch issued yet: vintage unknown") : f.detail;
    fs.push_back(std::move(x));
  }
  o["factors"] = std::move(fs);
  json::object ins;
  ins["removal"] = in.removal;
  ins["nature_based"] = in.nature_based;
  json::object fl;
  fl["hfc23_destruction"] = flags.hfc23_destruction;
  fl["large_hydro"] = flags.large_hydro;
  fl["avoided_deforestation"] = flags.avoided_deforestation;
  fl["grid_renewable"] = flags.grid_renewable;
  json::array matched;
  for (const auto& m : flags.matched) matched.push_back(json::string(m));
  fl["matched"] = std::move(matched);
  ins["methodology_flags"] = std::move(fl);
  ins["vintage"] = vintage_known ? json::value(newest) : json::value(nullptr);
  ins["batches"] = static_cast<int64_t>(batches.size());
  ins["buffer_share"] = Num(in.buffer_share, 4);
  ins["reversals"] = in.reversals;
  ins["reversed_share"] = Num(in.reversed_share, 4);
  ins["verifications"] = in.verifications;
  ins["adverse_verifications"] = in.adverse_verifications;
  ins["largest_holder_share"] = Num(in.largest_holder_share, 4);
  o["inputs"] = std::move(ins);
  o["notes"] = std::move(notes);
  return Serialize(o);
}

// ---------------------------------------------------------------- portfolio risk


Result<PortfolioData> CopyPortfolio(const RegistryState& s, int64_t account) {
  if (!s.account_exists(account)) return Err(Code::kUnknownAccount, "no such account", "account");
  PortfolioData d;
  d.account = account;
  std::map<int64_t, size_t> by_inst;
  for (const auto& [bid, h] : s.HoldingsOf(account)) {
    const int64_t kg = h->tradable.total();
    if (kg <= 0) continue;
    // The batch's own instrument with a price, else an eligible standard contract with one.
    const registry::Instrument* best = nullptr;
    for (const auto& [iid, in] : s.instruments()) {
      if (in.reference_price <= 0) continue;
      const bool own = in.kind == registry::InstrumentKind::kBatch && in.batch == bid;
      if (own) {
        best = &in;
        break;
      }
      if (!best && in.kind == registry::InstrumentKind::kContract && s.Eligible(in, bid)) best = &in;
    }
    if (!best) {
      d.unpriced.push_back(bid);
      continue;
    }
    by_inst[best->id] = d.positions.size();
    d.positions.push_back({bid, kg, best->id, best->reference_price, best->symbol, best->currency, {}});
  }
  if (!by_inst.empty())
    for (const auto& f : s.fills()) {
      auto it = by_inst.find(f.instrument);
      if (it == by_inst.end()) continue;
      // Every position priced by this instrument gets the history (usually just one).
      for (auto& p : d.positions)
        if (p.instrument == f.instrument) p.prices.push_back({f.ts, static_cast<double>(f.price) / 100.0});
    }
  return d;
}


Result<std::string> PortfolioView(PortfolioData& d, const Series* reference, double level, int horizon) {
  if (d.positions.empty())
    return Err(Code::kMlInsufficientData,
               "account " + std::to_string(d.account) + " holds no credits with a market price (no position to value)",
               "account");
  // One currency: the positions in the currency of the largest value.
  std::map<std::string, int64_t> by_cur;
  for (const auto& p : d.positions) {
    CX_ASSIGN_OR_RETURN(int64_t v, Value(p));
    by_cur[p.currency] += v;
  }
  std::string cur = std::max_element(by_cur.begin(), by_cur.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  json::array positions, excluded;
  std::vector<const Position*> used;
  std::vector<Series> own;
  bool all_own = true;
  for (const auto& p : d.positions) {
    if (p.currency != cur) {
      excluded.push_back(p.batch);
      continue;
    }
    used.push_back(&p);
    InstrumentData id;
    id.id = p.instrument;
    id.symbol = p.symbol;
    id.currency = p.currency;
    id.prices = p.prices;
    own.push_back(InstrumentSeries(id));
    if (own.back().prices.size() < kMinOwnHistoryDays) all_own = false;
  }
  ml::PortfolioInput in;
  in.level = level;
  in.horizon_days = horizon;
  std::string source;
  size_t n_returns = 0;
  if (all_own) {
    // Returns on the days every instrument closed (inner join on dates).
    std::map<std::string, std::vector<double>> grid;
    for (size_t i = 0; i < own.size(); ++i)
      for (size_t t = 0; t < own[i].dates.size(); ++t) {
        auto& row = grid[own[i].dates[t]];
        row.resize(own.size(), NAN);
        row[i] = own[i].prices[t];
      }
    std::vector<std::vector<double>> closes(own.size());
    for (const auto& [date, row] : grid) {
      if (std::any_of(row.begin(), row.end(), [](double v) { return std::isnan(v); })) continue;
      for (size_t i = 0; i < row.size(); ++i) closes[i].push_back(row[i]);
    }
    for (auto& c : closes) in.returns.push_back(ml::LogReturns(c));
    n_returns = in.returns.front().size();
    source = "the instruments' own daily closes (common days)";
    if (n_returns < 20) all_own = false;
  }
  if (!all_own) {
    if (!reference) return Err(Code::kUnavailable, "no reference price series is configured", "series");
    const Series* ref = reference;
    auto r = ml::LogReturns(ref->prices);
    if (r.size() > 250) r.erase(r.begin(), r.end() - 250);
    in.returns.assign(used.size(), r);
    n_returns = r.size();
    source = "proxy: the reference series (" + ref->name + "), last " + std::to_string(n_returns) +
             " daily returns, for every position (too little own trading history: each position needs " +
             std::to_string(kMinOwnHistoryDays) + " daily closes)";
  }
  if (n_returns < 20) return Err(Code::kMlInsufficientData, "fewer than 20 daily returns to estimate VaR from", "series");
  for (size_t i = 0; i < used.size(); ++i) {
    const Position& p = *used[i];
    CX_ASSIGN_OR_RETURN(int64_t v, Value(p));
    in.values_cents.push_back(v);
    json::object x;
    x["batch"] = p.batch;
    x["instrument"] = p.instrument;
    x["symbol"] = p.symbol;
    x["quantity"] = FormatKgAsTonnes(p.kg);
    x["quantity_kg"] = p.kg;
    x["price"] = FormatDecimal(p.price, 2);
    x["price_minor"] = p.price;
    x["value"] = FormatDecimal(v, 2);
    x["value_minor"] = v;
    x["own_history_days"] = static_cast<int64_t>(own[i].prices.size());
    positions.push_back(std::move(x));
  }
  CX_ASSIGN_OR_RETURN(ml::PortfolioRisk pr, ml::ComputePortfolioRisk(in));
  json::object o;
  o["account"] = d.account;
  o["currency"] = cur;
  o["value"] = FormatDecimal(pr.value_cents, 2);
  o["value_minor"] = pr.value_cents;
  o["level"] = level;
  o["horizon_days"] = horizon;
  auto money = [&](const char* k, int64_t v) {
    o[k] = FormatDecimal(v, 2);
    o[std::string(k) + "_minor"] = v;
  };
  money("var_historical", pr.var_hist_cents);
  money("es_historical", pr.es_hist_cents);
  money("var_parametric", pr.var_param_cents);
  money("es_parametric", pr.es_param_cents);
  o["volatility_daily"] = Num(pr.volatility);
  o["returns_source"] = source;
  o["returns"] = static_cast<int64_t>(n_returns);
  o["positions"] = std::move(positions);
  json::array unpriced;
  for (int64_t b : d.unpriced) unpriced.push_back(b);
  o["unpriced_batches"] = std::move(unpriced);
  o["other_currency_batches"] = std::move(excluded);
  o["method"] = "historical: k-th worst loss of the weighted return series (k = ceil(n (1 - level))), ES the mean of "
                "the k worst; parametric: normal with the sample covariance; values at each instrument's last price";
  return Serialize(o);
}

// ---------------------------------------------------------------- fraud



Result<MarketData> CopyMarket(const RegistryState& s, std::optional<int64_t> inst, bool issuances,
                              const std::function<std::string(const registry::User&)>& email_of) {
  if (inst && !s.instrument(*inst)) return Err(Code::kUnknownInstrument, "no such instrument", "instrument");
  MarketData d;
  std::set<int64_t> accounts;
  for (int64_t id = 1; id <= s.order_count(); ++id) {
    const registry::Order* o = s.order(id);
    if (!o || (inst && o->instrument != *inst) || o->status == registry::OrderStatus::kRejected) continue;
    ml::OrderEvent e;
    e.ts_ms = o->created_ts / 1000;
    e.order_id = o->id;
    e.account = std::to_string(o->account);
    e.instrument = static_cast<int32_t>(o->instrument);
    e.side = o->side == registry::OrderSide::kBuy ? ml::Side::kBuy : ml::Side::kSell;
    e.market = o->kind == registry::OrderKind::kMarket || o->kind == registry::OrderKind::kStop;
    e.price = e.market ? 0 : o->price;
    e.qty = o->qty;
    if (e.qty <= 0 || (!e.market && e.price <= 0)) continue;
    accounts.insert(o->account);
    d.orders.push_back(e);
    const int64_t left = o->qty - o->filled_qty;
    if ((o->status == registry::OrderStatus::kCancelled || o->status == registry::OrderStatus::kExpired) && left > 0) {
      e.cancel = true;
      e.ts_ms = o->updated_ts / 1000;
      e.qty = left;
      d.orders.push_back(e);
    }
  }
  for (const auto& f : s.fills()) {
    if (inst && f.instrument != *inst) continue;
    ml::Trade t;
    t.ts_ms = f.ts / 1000;
    t.trade_id = f.id;
    t.instrument = static_cast<int32_t>(f.instrument);
    t.price = f.price;
    t.qty = f.qty;
    t.buy_order_id = f.buy_order;
    t.sell_order_id = f.sell_order;
    t.buyer = std::to_string(f.buyer);
    t.seller = std::to_string(f.seller);
    t.aggressor = f.aggressor == 1 ? ml::Side::kSell : ml::Side::kBuy;
    if (t.price <= 0 || t.qty <= 0) continue;
    accounts.insert(f.buyer);
    accounts.insert(f.seller);
    d.trades.push_back(std::move(t));
  }
  for (int64_t a : accounts)
    if (const registry::User* u = s.user_by_account(a)) d.users[a] = {u->id, email_of ? email_of(*u) : std::string()};
  if (issuances) CopyIssuances(s, d.issuances);
  return d;
}

Result<std::string> AlertsView(MarketData& d, std::optional<std::string> kind, size_t limit) {
  CX_ASSIGN_OR_RETURN(ml::FraudReport rep, ml::DetectMarketAbuse(d.orders, d.trades));
  json::object o;
  json::object sum;
  sum["orders"] = static_cast<int64_t>(rep.summary.orders);
  sum["trades"] = static_cast<int64_t>(rep.summary.trades);
  sum["accounts"] = static_cast<int64_t>(rep.summary.accounts);
  sum["market_benford_mad"] = Num(rep.summary.market_benford_mad, 5);
  sum["wash_groups"] = static_cast<int64_t>(rep.summary.wash_groups);
  std::map<std::string, int64_t> counts;
  for (const auto& a : rep.alerts) ++counts[std::string(ml::AlertKindName(a.kind))];
  json::object by;
  for (const auto& [k, n] : counts) by[k] = n;
  sum["by_kind"] = std::move(by);
  o["summary"] = std::move(sum);
  json::array items;
  int64_t total = 0;
  for (const auto& a : rep.alerts) {
    const std::string k(ml::AlertKindName(a.kind));
    if (kind && *kind != k) continue;
    ++total;
    if (items.size() >= limit) continue;
    json::object x;
    x["kind"] = k;
    const bool on_order = a.kind == ml::AlertKind::kSpoof;
    if (a.id) x[on_order ? "order" : "trade"] = a.id;
    json::array accts, users;
    for (size_t p = 0; p <= a.account.size();) {
      size_t q = a.account.find('+', p);
      if (q == std::string::npos) q = a.account.size();
      const int64_t acct = std::strtoll(a.account.substr(p, q - p).c_str(), nullptr, 10);
      accts.push_back(acct);
      if (auto it = d.users.find(acct); it != d.users.end()) {
        json::object u;
        u["account"] = acct;
        u["user"] = it->second.first;
        u["email"] = it->second.second;
        users.push_back(std::move(u));
      }
      p = q + 1;
    }
    x["accounts"] = std::move(accts);
    x["users"] = std::move(users);
    x["score"] = Num(a.score, 4);
    x["evidence"] = a.evidence;
    items.push_back(std::move(x));
  }
  // Registry-level findings over every batch: double issuance of one project in two
  // registries for the same vintage, and serial blocks that overlap.
  int64_t dup = 0, overlap = 0;
  for (const auto& f : ml::FindIssuanceConflicts(d.issuances)) {
    const bool is_dup = f.kind == ml::IssuanceFindingKind::kDuplicateIssuance;
    ++(is_dup ? dup : overlap);
    const std::string k = is_dup ? "duplicate_issuance" : "serial_overlap";
    if (kind && *kind != k) continue;
    ++total;
    if (items.size() >= limit) continue;
    json::object x;
    x["kind"] = k;
    x["batches"] = json::array{std::strtoll(f.a.c_str(), nullptr, 10), std::strtoll(f.b.c_str(), nullptr, 10)};
    x["accounts"] = json::array();
    x["users"] = json::array();
    x["score"] = static_cast<double>(f.overlap);
    x["evidence"] = f.evidence;
    items.push_back(std::move(x));
  }
  auto& by_kind = o["summary"].as_object()["by_kind"].as_object();
  if (dup) by_kind["duplicate_issuance"] = dup;
  if (overlap) by_kind["serial_overlap"] = overlap;
  o["summary"].as_object()["batches"] = static_cast<int64_t>(d.issuances.size());
  o["items"] = std::move(items);
  o["total"] = total;
  return Serialize(o);
}

}  // namespace cx::app::analytics
