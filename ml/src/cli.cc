#include "cli.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/files.h"
#include "io/model_file.h"
#include "io/model_store.h"
#include "io/report.h"
#include "models/fraud.h"
#include "models/gbt.h"
#include "models/risk.h"
#include "models/trend.h"
#include "models/volatility.h"
#include "prediction/forecast.h"
#include "training/backtest.h"
#include "training/evaluation.h"
#include "utils/csv.h"
#include "utils/stats.h"

namespace cx::ml {
namespace {

constexpr const char* kUsage =
    "usage: carbonx ml <command> [options]\n"
    "  backtest --csv FILE --date-column NAME --price-column NAME [--horizons 1,5,20]\n"
    "           [--models naive,drift,holt,ar,gbt] [--min-train N] [--report-dir DIR] [--name NAME] [--no-report]\n"
    "           [--no-price-plots]   (metrics only: for data whose licence forbids redistribution)\n"
    "  train    --csv FILE --date-column NAME --price-column NAME --out DIR\n"
    "  detect   --orders FILE --trades FILE --out FILE [--trade-level-only]\n"
    "  report   --csv FILE --date-column NAME --price-column NAME [--report-dir DIR] [--name NAME]\n";

struct Args {
  std::map<std::string, std::string> kv;
  bool Has(const std::string& k) const { return kv.count(k) > 0; }
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
};

const std::map<std::string, std::vector<std::string>> kFlags = {
    {"backtest", {"csv", "date-column", "price-column", "horizons", "models", "min-train", "report-dir", "name", "no-report",
                  "no-price-plots"}},
    {"train", {"csv", "date-column", "price-column", "horizons", "models", "min-train", "out"}},
    {"detect", {"orders", "trades", "out", "trade-level-only"}},
    {"report", {"csv", "date-column", "price-column", "report-dir", "name"}},
};
const std::vector<std::string> kBoolFlags = {"no-report", "no-price-plots", "trade-level-only"};

int Fail(const Error& e) {
  std::cerr << "error " << CodeName(e.code) << ": " << e.message;
  if (!e.field.empty()) std::cerr << " (" << e.field << ")";
  std::cerr << "\n";
  return 1;
}
int Usage(const std::string& msg) {
  std::cerr << msg << "\n" << kUsage;
  return 2;
}

// Writes a report artefact; a failure is reported but does not stop the command.
void WriteArtefact(const std::string& path, const std::string& content) {
  auto r = WriteFile(path, content);
  if (!r.ok()) Fail(r.error());
}

std::string F(double v, int p = 4) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", p, v);
  return b;
}

Result<std::vector<int>> ParseIntList(const std::string& s, const char* field, long max = 1000) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    char* end = nullptr;
    long v = std::strtol(tok.c_str(), &end, 10);
    if (tok.empty() || *end || v < 1 || v > max)
      return Err(Code::kInvalidField, "'" + tok + "' is not an integer in 1.." + std::to_string(max), field);
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) return Err(Code::kInvalidField, "empty list", field);
  return out;
}
std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) if (!tok.empty()) out.push_back(tok);
  return out;
}

std::string DefaultReportDir() {
  if (const char* r = std::getenv("CX_ROOT")) return std::string(r) + "/ml/reports";
  std::error_code ec;
  if (std::filesystem::is_directory("ml/reports", ec)) return "ml/reports";
  return "reports";
}

std::string Stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

Result<PriceSeries> LoadSeries(const Args& a) {
  if (!a.Has("csv")) return Err(Code::kMissingField, "--csv is required", "csv");
  CX_ASSIGN_OR_RETURN(std::string text, ReadFile(a.Get("csv")));
  return ParsePriceCsv(text, a.Get("date-column", "date"), a.Get("price-column", "close"));
}

Result<BacktestOptions> Options(const Args& a, size_t n) {
  BacktestOptions o;
  if (a.Has("horizons")) { CX_ASSIGN_OR_RETURN(o.horizons, ParseIntList(a.Get("horizons"), "horizons")); }
  if (a.Has("models")) o.models = Split(a.Get("models"));
  const int max_h = *std::max_element(o.horizons.begin(), o.horizons.end());
  if (a.Has("min-train")) {
    CX_ASSIGN_OR_RETURN(auto v, ParseIntList(a.Get("min-train"), "min-train", 1000000));
    o.min_train = static_cast<size_t>(v[0]);
  } else {
    o.min_train = DefaultBacktestOptions(n, max_h).min_train;  // short series: ~40 scored origins
  }
  return o;
}

// Dates of the scored path at horizon h, aligned to the price index.
void WriteBacktestReport(const std::string& dir, const std::string& name, const PriceSeries& ps,
                         const BacktestResult& bt, const BacktestOptions& o, const std::string& extra_md,
                         const std::string& source, bool price_plots) {
  const size_t n = ps.prices.size();
  std::string md = "# Walk-forward backtest: " + name + "\n\n";
  md += "Source: `" + source + "`, " + std::to_string(n) + " prices, " + ps.dates.front() + " .. " + ps.dates.back() +
        ". Generated by `carbonx ml backtest`.\n\n";
  md += "Every forecast is made at an origin t from prices up to t only; models are refitted every " +
        std::to_string(o.refit_every) + " origins (trees every " + std::to_string(o.gbt_refit_every) +
        "); the first origin has " + std::to_string(o.min_train) +
        " prices. MASE = MAE of the model / MAE of the naive forecast on the same origins (< 1 beats naive).\n\n";
  for (const auto& note : bt.notes) md += "- note: " + note + "\n";
  md += "\n## Accuracy per model and horizon\n\n" + MetricsMarkdown(bt.metrics) + "\n";
  md += "## Ensemble intervals (" + F(100 * o.interval_level, 0) + " %)\n\n| horizon | scored | coverage |\n|---:|---:|---:|\n";
  for (int h : o.horizons)
    md += "| " + std::to_string(h) + " | " + std::to_string(bt.coverage_n.at(h)) + " | " + F(bt.coverage.at(h), 3) + " |\n";
  md += "\n## Latest ensemble weights\n\n| horizon |";
  for (const auto& m : bt.models) md += " " + m + " |";
  md += "\n|---:|";
  for (size_t i = 0; i < bt.models.size(); ++i) md += "---:|";
  md += "\n";
  for (int h : o.horizons) {
    md += "| " + std::to_string(h) + " |";
    for (const auto& m : bt.models) md += " " + F(bt.last_weights.at(h).at(m), 3) + " |";
    md += "\n";
  }
  md += "\n" + extra_md;
  if (!price_plots) md += "\nPrice plots omitted (--no-price-plots): the data's licence forbids redistribution.\n";
  for (int h : o.horizons) {
    if (!price_plots) break;
    if (bt.coverage_n.at(h) == 0) {
      md += "\nNo " + std::to_string(h) + "-day plot: too few resolved forecasts to calibrate an interval.\n";
      continue;
    }
    std::vector<double> actual(n, NAN), fc(n, NAN), lo(n, NAN), hi(n, NAN);
    for (const auto& p : bt.path) {
      if (p.horizon != h) continue;
      const size_t tgt = p.origin + h;
      actual[tgt] = p.actual;
      fc[tgt] = p.forecast;
      lo[tgt] = p.lo;
      hi[tgt] = p.hi;
    }
    // Plot at most the last 500 targets, from the first scored one, so the fan stays readable.
    size_t from = n > 500 ? n - 500 : 0;
    while (from + 1 < n && std::isnan(fc[from])) ++from;
    auto cut = [&](const std::vector<double>& v) { return std::vector<double>(v.begin() + from, v.end()); };
    std::vector<std::string> dl(ps.dates.begin() + from, ps.dates.end());
    const std::string svg = name + "_h" + std::to_string(h) + ".svg";
    WriteArtefact(dir + "/" + svg,
              SvgLineChart(name + ": ensemble " + std::to_string(h) + "-day forecasts (walk-forward) and 80 % interval", dl,
                           {{"actual", "#222", cut(actual), false}, {"ensemble", "#e76f51", cut(fc), true}},
                           {{"80 % interval", "#2a9d8f", cut(lo), cut(hi)}}));
    md += "\n![h" + std::to_string(h) + "](" + svg + ")\n";
  }
  std::vector<std::string> labels;
  std::vector<double> vals;
  for (const auto& m : bt.metrics) { labels.push_back(m.model + " h" + std::to_string(m.horizon)); vals.push_back(m.mase); }
  WriteArtefact(dir + "/" + name + "_mase.svg", SvgBarChart(name + ": MASE vs naive (1 = naive)", labels, vals, 1.0));
  md += "\n![MASE](" + name + "_mase.svg)\n";
  auto w = WriteFile(dir + "/" + name + "_backtest.md", md);
  if (!w.ok()) Fail(w.error());
  else std::cout << "report: " << dir << "/" << name << "_backtest.md\n";
}

int Backtest(const Args& a) {
  auto ps = LoadSeries(a);
  if (!ps.ok()) return Fail(ps.error());
  auto opt = Options(a, ps->prices.size());
  if (!opt.ok()) return Fail(opt.error());
  auto bt = RunBacktest(ps->prices, *opt);
  if (!bt.ok()) return Fail(bt.error());
  std::cout << "walk-forward backtest: " << ps->prices.size() << " prices " << ps->dates.front() << " .. "
            << ps->dates.back() << ", first origin " << opt->min_train << "\n";
  for (const auto& note : bt->notes) std::cout << "note: " << note << "\n";
  std::cout << MetricsText(bt->metrics);
  for (int h : opt->horizons)
    std::cout << "interval " << F(100 * opt->interval_level, 0) << "% h" << h << ": coverage " << F(bt->coverage[h], 3)
              << " over " << bt->coverage_n[h] << "\n";
  const auto rets = LogReturns(ps->prices);
  std::string extra;
  std::vector<std::string> bench;
  auto B = [&](const std::string& k, double v, const char* unit) {
    bench.push_back("BENCH " + k + " " + F(v, 4) + " " + unit);
  };
  for (const auto& m : bt->metrics) {
    if (m.model == "ensemble") B("forecast_mase_h" + std::to_string(m.horizon), m.mase, "ratio");
  }
  for (const auto& m : bt->metrics)
    if (m.horizon == 5) B("forecast_mase_h5_" + m.model, m.mase, "ratio");
  if (bt->coverage.count(5)) B("interval80_coverage", bt->coverage[5], "ratio");
  const size_t vol_train = std::min<size_t>(500, rets.size() / 2);
  auto ve = EvaluateVolatility(rets, std::max<size_t>(vol_train, 50));
  if (ve.ok()) {
    B("vol_qlike_ratio", ve->ratio, "ratio");
    std::cout << "volatility: GARCH(1,1) QLIKE " << F(ve->qlike_garch) << " vs 20-day rolling " << F(ve->qlike_rolling)
              << " over " << ve->n << " days; last fit omega " << ve->last.omega << " alpha " << F(ve->last.alpha)
              << " beta " << F(ve->last.beta) << "\n";
    extra += "## Volatility\n\nGARCH(1,1) one-day variance forecasts (refitted every 20 days, walk-forward) vs a 20-day "
             "rolling variance, scored by QLIKE against squared returns over " + std::to_string(ve->n) +
             " days: " + F(ve->qlike_garch) + " vs " + F(ve->qlike_rolling) + ", ratio **" + F(ve->ratio) + "**. Last fit: "
             "alpha " + F(ve->last.alpha) + ", beta " + F(ve->last.beta) + ".\n\n";
  } else {
    std::cout << "volatility: skipped (" << ve.error().message << ")\n";
  }
  const size_t var_win = std::min<size_t>(250, rets.size() / 2);
  auto vb = BacktestHistoricalVar(rets, var_win, 0.99);
  if (vb.ok()) {
    B("var99_exceed_rate", vb->rate, "ratio");
    std::cout << "VaR 99% historical (" << var_win << "-day window): " << vb->exceedances << " exceedances in " << vb->n
              << " days\n";
    extra += "## Value at risk\n\nOne-day 99 % historical VaR over a " + std::to_string(var_win) +
             "-day window: " + std::to_string(vb->exceedances) + " exceedances in " + std::to_string(vb->n) +
             " days, rate **" + F(vb->rate) + "** (expected 0.01).\n\n";
  }
  for (const auto& b : bench) std::cout << b << "\n";
  if (!a.Has("no-report")) {
    const std::string dir = a.Get("report-dir", DefaultReportDir());
    const std::string name = a.Get("name", Stem(a.Get("csv")));
    WriteBacktestReport(dir, name, *ps, *bt, *opt, extra, a.Get("csv") + " column " + a.Get("price-column", "close"),
                        !a.Has("no-price-plots"));
  }
  return 0;
}

int Train(const Args& a) {
  if (!a.Has("out")) return Usage("--out DIR is required");
  auto ps = LoadSeries(a);
  if (!ps.ok()) return Fail(ps.error());
  auto opt = Options(a, ps->prices.size());
  if (!opt.ok()) return Fail(opt.error());
  auto te = TrainEnsemble(ps->prices, *opt);
  if (!te.ok()) return Fail(te.error());
  const std::string dir = a.Get("out");
  std::map<std::string, std::string> meta = {
      {"data_source", a.Get("csv")},
      {"data_column", a.Get("price-column", "close")},
      {"data_from", ps->dates.front()},
      {"data_to", ps->dates.back()},
      {"n_prices", std::to_string(ps->prices.size())},
      {"target", "price h trading days ahead (models work on log prices / log returns)"},
      {"validation", "walk-forward, first origin " + std::to_string(opt->min_train)},
  };
  auto saved = SaveEnsemble(dir, *te, meta);
  if (!saved.ok()) return Fail(saved.error());
  // Forecast from the files just written, as the server will.
  auto loaded = LoadEnsemble(dir);
  if (!loaded.ok()) return Fail(loaded.error());
  auto fc = Forecast(ps->prices, loaded->pointers(), loaded->spec);
  if (!fc.ok()) return Fail(fc.error());
  std::cout << "trained " << te->models.size() << " models on " << ps->prices.size() << " prices (" << ps->dates.front()
            << " .. " << ps->dates.back() << "); files in " << dir << "\n";
  for (const auto& f : fc->horizons)
    std::cout << "h" << f.horizon << ": naive " << F(f.naive) << ", ensemble " << F(f.point) << " [" << F(f.lo) << ", "
              << F(f.hi) << "], backtest MASE " << F(f.backtest_mase) << "\n";
  std::cout << fc->verdict << "\n";
  return 0;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

int Detect(const Args& a) {
  for (const char* k : {"orders", "trades", "out"})
    if (!a.Has(k)) return Usage(std::string("--") + k + " is required");
  auto ot = ReadFile(a.Get("orders"));
  if (!ot.ok()) return Fail(ot.error());
  auto orders = ParseOrdersCsv(*ot);
  if (!orders.ok()) return Fail(orders.error());
  auto tt = ReadFile(a.Get("trades"));
  if (!tt.ok()) return Fail(tt.error());
  auto trades = ParseTradesCsv(*tt);
  if (!trades.ok()) return Fail(trades.error());
  FraudOptions opt;
  opt.account_level = !a.Has("trade-level-only");
  auto rep = DetectMarketAbuse(*orders, *trades, opt);
  if (!rep.ok()) return Fail(rep.error());
  std::string out = "kind,id,account,score,evidence\n";
  std::map<std::string, size_t> counts;
  for (const auto& al : rep->alerts) {
    ++counts[std::string(AlertKindName(al.kind))];
    out += std::string(AlertKindName(al.kind)) + "," + std::to_string(al.id) + "," + CsvField(al.account) + "," +
           F(al.score, 3) + "," + CsvField(al.evidence) + "\n";
  }
  auto w = WriteFile(a.Get("out"), out);
  if (!w.ok()) return Fail(w.error());
  std::cout << "detect: " << rep->summary.orders << " orders, " << rep->summary.trades << " trades, "
            << rep->summary.accounts << " accounts; " << rep->summary.wash_groups << " linked groups;";
  for (const auto& [k, v] : counts) std::cout << " " << k << " " << v;
  std::cout << "\n";
  return 0;
}

int Report(const Args& a) {
  auto ps = LoadSeries(a);
  if (!ps.ok()) return Fail(ps.error());
  const auto& p = ps->prices;
  const size_t n = p.size();
  if (n < 60) return Fail(Err(Code::kInvalidField, "report needs at least 60 prices", "prices"));
  const std::string dir = a.Get("report-dir", DefaultReportDir());
  const std::string name = a.Get("name", Stem(a.Get("csv")));
  const auto r = LogReturns(p);
  std::string md = "# Market report: " + name + "\n\nSource: `" + a.Get("csv") + "`, " + std::to_string(n) + " prices, " +
                   ps->dates.front() + " .. " + ps->dates.back() + ". Generated by `carbonx ml report`.\n\n";
  const auto ts = SummarizeTrend(p);
  md += "## Trend\n\n| regime | momentum 20d | momentum 60d | drawdown | max drawdown | realized vol 20d (annualised) |\n"
        "|---|---:|---:|---:|---:|---:|\n| " + std::string(RegimeName(ts.regime)) + " | " + F(100 * ts.momentum_20, 2) +
        " % | " + F(100 * ts.momentum_60, 2) + " % | " + F(100 * ts.drawdown, 2) + " % | " + F(100 * ts.max_drawdown, 2) +
        " % | " + F(100 * ts.realized_vol_20 * std::sqrt(252.0), 1) + " % |\n\n";
  auto ma20 = MovingAverage(p, 20), ma50 = MovingAverage(p, 50);
  WriteArtefact(dir + "/" + name + "_trend.svg",
            SvgLineChart(name + ": price and moving averages", ps->dates,
                         {{"price", "#222", p, false}, {"MA 20", "#e76f51", ma20, false}, {"MA 50", "#2a9d8f", ma50, false}}));
  md += "![trend](" + name + "_trend.svg)\n\n";
  auto regimes = MaRegimes(p);
  size_t up = 0, down = 0, side = 0;
  for (auto g : regimes) { up += g == Regime::kUp; down += g == Regime::kDown; side += g == Regime::kSideways; }
  md += "Days per regime: up " + std::to_string(up) + ", down " + std::to_string(down) + ", sideways " + std::to_string(side) + ".\n\n";
  auto dd = Drawdown(p);
  WriteArtefact(dir + "/" + name + "_drawdown.svg", SvgLineChart(name + ": drawdown from running peak", ps->dates, {{"drawdown", "#e76f51", dd, false}}));
  md += "![drawdown](" + name + "_drawdown.svg)\n\n## Volatility (annualised)\n\n";
  auto ew = EwmaVariance(r);
  auto rv = RealizedVol(r, 20);
  std::vector<double> ewv(n, NAN), rvv(n, NAN), gv(n, NAN);
  for (size_t t = 1; t < n; ++t) {
    ewv[t] = std::sqrt(252 * ew[t - 1]);
    rvv[t] = rv[t - 1] * std::sqrt(252.0);
  }
  auto gp = FitGarch11(r, /*demean=*/false, /*student_t=*/true);
  if (gp.ok()) {
    auto g = GarchFilter(*gp, r);
    for (size_t t = 1; t < n; ++t) gv[t] = std::sqrt(252 * g[t - 1]);
    char om[32];
    std::snprintf(om, sizeof om, "%.3g", gp->omega);
    const double pers = gp->alpha + gp->beta;
    // The long-run level is only identified when persistence is clearly below 1 and the
    // implied variance is of the order of the sample's (short series drive omega to 0).
    const double lr_ratio = gp->unconditional_variance() / Variance(r);
    const bool identified = pers < 0.999 && lr_ratio > 0.1 && lr_ratio < 10;
    md += "GARCH(1,1) on all returns (Student-t, nu " + F(gp->nu, 1) + "): omega " + std::string(om) + ", alpha " +
          F(gp->alpha) + ", beta " + F(gp->beta) + ", persistence " + F(pers) + ", long-run vol " +
          (identified ? F(100 * std::sqrt(252 * gp->unconditional_variance()), 1) + " % (shocks half-life " +
                              F(std::log(0.5) / std::log(pers), 0) + " days)"
                        : std::string("not identified on this sample")) +
          "; next-day vol " + F(100 * std::sqrt(252 * g.back()), 1) + " %.\n\n";
  }
  WriteArtefact(dir + "/" + name + "_vol.svg",
            SvgLineChart(name + ": volatility (annualised)", ps->dates,
                         {{"EWMA 0.94", "#264653", ewv, false}, {"GARCH(1,1)", "#e76f51", gv, false}, {"realized 20d", "#aaa", rvv, true}}));
  md += "![vol](" + name + "_vol.svg)\n\n## Risk (one day, on a position of 1,000,000.00)\n\n";
  const size_t w = std::min<size_t>(250, r.size());
  std::span<const double> last(r.data() + r.size() - w, w);
  md += "| level | VaR hist | ES hist | VaR normal | ES normal |\n|---:|---:|---:|---:|---:|\n";
  for (double lv : {0.95, 0.99}) {
    auto h = HistoricalVarEs(last, lv);
    auto q = ParametricVarEs(last, lv);
    if (h.ok() && q.ok())
      md += "| " + F(100 * lv, 0) + " % | " + F(1e6 * h->var, 2) + " | " + F(1e6 * h->es, 2) + " | " + F(1e6 * q->var, 2) +
            " | " + F(1e6 * q->es, 2) + " |\n";
  }
  // Forecast fan from the trained ensemble.
  const Args& fa = a;
  auto opt = Options(fa, n);
  if (opt.ok()) {
    auto te = TrainEnsemble(p, *opt);
    if (te.ok()) {
      std::vector<const Forecaster*> ptrs;
      for (const auto& m : te->models) ptrs.push_back(m.get());
      auto fc = Forecast(p, ptrs, te->spec);
      if (fc.ok()) {
        md += "\n## Forecast from " + ps->dates.back() + "\n\nVerdict: " + fc->verdict + ".\n\n| horizon | naive | ensemble | 80 % low | 80 % high | backtest MASE |";
        for (const auto* m : ptrs) md += " " + m->name() + " |";
        md += "\n|---:|---:|---:|---:|---:|---:|";
        for (size_t i = 0; i < ptrs.size(); ++i) md += "---:|";
        md += "\n";
        for (const auto& f : fc->horizons) {
          md += "| " + std::to_string(f.horizon) + " | " + F(f.naive) + " | " + F(f.point) + " | " + F(f.lo) + " | " + F(f.hi) +
                " | " + F(f.backtest_mase) + " |";
          for (const auto* m : ptrs) md += " " + F(f.by_model.at(m->name())) + " |";
          md += "\n";
        }
      }
    }
  }
  auto wr = WriteFile(dir + "/" + name + "_report.md", md);
  if (!wr.ok()) return Fail(wr.error());
  std::cout << "report: " << dir << "/" << name << "_report.md\n";
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string cmd = argv[1];
  if (cmd == "help" || cmd == "--help" || cmd == "-h") { std::cout << kUsage; return 0; }
  auto fl = kFlags.find(cmd);
  if (fl == kFlags.end()) return Usage("unknown command '" + cmd + "'");
  Args a;
  for (int i = 2; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) return Usage("unexpected argument '" + k + "'");
    k = k.substr(2);
    if (std::find(fl->second.begin(), fl->second.end(), k) == fl->second.end())
      return Usage("unknown option --" + k + " for " + cmd);
    if (std::find(kBoolFlags.begin(), kBoolFlags.end(), k) != kBoolFlags.end()) { a.kv[k] = "1"; continue; }
    if (i + 1 >= argc) return Usage("option --" + k + " needs a value");
    a.kv[k] = argv[++i];
  }
  if (cmd == "backtest") return Backtest(a);
  if (cmd == "train") return Train(a);
  if (cmd == "detect") return Detect(a);
  return Report(a);
}

}  // namespace cx::ml
