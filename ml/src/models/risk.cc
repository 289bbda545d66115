#include "models/risk.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "utils/stats.h"

namespace cx::ml {

namespace {
Result<void> Share(double v, const char* f) {
  if (!(v >= 0 && v <= 1)) return Err(Code::kInvalidField, std::string(f) + " must be in [0, 1]", f);
  return Ok();
}
std::string Fmt(double v, int prec = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}
}  // namespace

Result<ProjectRisk> ScoreProjectRisk(const ProjectRiskInput& in) {
  CX_TRY(Share(in.buffer_share, "buffer_share"));
  CX_TRY(Share(in.reversed_share, "reversed_share"));
  CX_TRY(Share(in.largest_holder_share, "largest_holder_share"));
  if (in.country_governance > 1) return Err(Code::kInvalidField, "country_governance must be <= 1", "country_governance");
  if (in.reversals < 0 || in.verifications < 0 || in.adverse_verifications < 0 ||
      in.adverse_verifications > in.verifications)
    return Err(Code::kInvalidField, "verification/reversal counts are inconsistent", "verifications");
  if (in.vintage_year <= 0 || in.current_year < in.vintage_year)
    return Err(Code::kInvalidField, "vintage_year must be > 0 and <= current_year", "vintage_year");

  ProjectRisk r;
  auto add = [&](std::string name, double pts, double max, std::string detail) {
    r.factors.push_back({std::move(name), std::clamp(pts, 0.0, max), max, std::move(detail)});
  };
  // Reductions and avoidance rest on a counterfactual baseline; removals are measured.
  add("removal_vs_reduction", in.removal ? 2 : 10, 10,
      in.removal ? "removal: measured stock change" : "reduction/avoidance: counterfactual baseline");
  // Nature-based storage can reverse (fire, logging); technical storage is durable.
  add("permanence", in.nature_based ? 10 : 2, 10,
      in.nature_based ? "nature-based: reversal risk" : "technical: durable storage");
  double meth = 0;
  std::string md;
  if (in.hfc23_destruction) { meth += 20; md += "HFC-23 destruction (perverse incentive); "; }
  if (in.large_hydro) { meth += 15; md += "large hydro (additionality); "; }
  if (in.avoided_deforestation) { meth += 12; md += "avoided deforestation (baseline inflation); "; }
  if (in.grid_renewable) { meth += 10; md += "grid renewables (additionality); "; }
  add("methodology", meth, 20, md.empty() ? "no flagged methodology" : md);
  const int age = in.current_year - in.vintage_year;
  add("vintage_age", 1.5 * age, 15, std::to_string(age) + " years old");
  const double gov = in.country_governance < 0 ? 0.5 : in.country_governance;
  add("country", 10 * (1 - gov), 10,
      in.country_governance < 0 ? "governance unknown (medium)" : "governance percentile " + Fmt(gov));
  double buf = 0;
  std::string bd = "buffer " + Fmt(100 * in.buffer_share, 1) + " %";
  if (in.nature_based && in.buffer_share < 0.10) { buf = 5; bd += " below 10 % for a nature-based project"; }
  else if (in.buffer_share > 0.30) { buf = 3; bd += ": high assessed non-permanence risk"; }
  add("buffer", buf, 5, bd);
  add("reversals", 3.0 * in.reversals + 40.0 * in.reversed_share, 10,
      std::to_string(in.reversals) + " reversals, " + Fmt(100 * in.reversed_share, 1) + " % reversed");
  double ver;
  std::string vd;
  if (in.verifications == 0) { ver = 10; vd = "never verified"; }
  else {
    const double bad = static_cast<double>(in.adverse_verifications) / in.verifications;
    ver = 15 * bad + (in.verifications < 2 ? 3 : 0);
    vd = std::to_string(in.adverse_verifications) + " adverse of " + std::to_string(in.verifications);
  }
  add("verification_history", ver, 15, vd);
  add("concentration", in.largest_holder_share > 0.5 ? 10 * (in.largest_holder_share - 0.5) : 0, 5,
      "largest holder " + Fmt(100 * in.largest_holder_share, 1) + " %");
  for (const auto& f : r.factors) r.score += f.points;
  r.score = std::clamp(r.score, 0.0, 100.0);
  r.band = r.score < 25 ? "low" : r.score < 50 ? "medium" : r.score < 75 ? "high" : "severe";
  return r;
}

namespace {
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
// `w` occurs in `t` not preceded by a word character (a prefix match: "hydro" finds
// "hydropower"); with `whole`, not followed by one either.
bool HasWord(const std::string& t, std::string_view w, bool whole = false) {
  for (size_t pos = t.find(w); pos != std::string::npos; pos = t.find(w, pos + 1)) {
    if (pos > 0 && IsWordChar(t[pos - 1]) && IsWordChar(w.front())) continue;
    const size_t end = pos + w.size();
    if (whole && end < t.size() && IsWordChar(t[end]) && IsWordChar(w.back())) continue;
    return true;
  }
  return false;
}
}  // namespace

MethodologyFlags FlagMethodology(std::string_view text) {
  std::string t(text);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  MethodologyFlags f;
  auto any = [&](bool& flag, std::initializer_list<std::string_view> words, bool whole) {
    for (auto w : words)
      if (HasWord(t, w, whole)) {
        flag = true;
        f.matched.emplace_back(w);
      }
  };
  any(f.hfc23_destruction, {"am0001", "hfc-23", "hfc23", "hfc 23", "trifluoromethane"}, false);
  bool hydro = false, small = false;
  // "hydro" as a power source; not hydrofluorocarbons or hydrogen.
  for (auto w : {"hydropower", "hydro power", "hydroelectric", "hydro-electric", "hydro electric", "run-of-river",
                 "run of river"})
    if (HasWord(t, w)) hydro = true;
  if (HasWord(t, "hydro", true)) hydro = true;
  for (auto w : {"small", "micro", "mini", "pico", "ams-"})
    if (HasWord(t, w)) small = true;
  if (hydro && !small) {
    f.large_hydro = true;
    f.matched.emplace_back("hydro");
  }
  any(f.avoided_deforestation,
      {"redd", "vm0006", "vm0007", "vm0009", "vm0015", "vm0037", "vm0048", "avoided deforestation",
       "avoided conversion", "avoided unplanned", "avoided planned"},
      true);
  any(f.grid_renewable, {"acm0002", "ams-i.d", "wind", "solar", "photovoltaic", "geothermal"}, false);
  // ACM0002 alone on a hydro project is the hydro flag's business, not a second flag.
  if (f.grid_renewable && f.large_hydro && !HasWord(t, "wind") && !HasWord(t, "solar") &&
      !HasWord(t, "photovoltaic") && !HasWord(t, "geothermal")) {
    f.grid_renewable = false;
    f.matched.erase(std::remove_if(f.matched.begin(), f.matched.end(),
                                   [](const std::string& m) { return m == "acm0002" || m == "ams-i.d"; }),
                    f.matched.end());
  }
  return f;
}

double NormalPdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }

double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  const double pl = 0.02425;
  if (p < pl) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) return -NormalQuantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

namespace {
Result<void> CheckSample(std::span<const double> r, double level) {
  if (!(level > 0.5 && level < 1)) return Err(Code::kInvalidField, "level must be in (0.5, 1)", "level");
  if (r.size() < 20) return Err(Code::kInvalidField, "need at least 20 returns", "returns");
  for (double x : r)
    if (!std::isfinite(x)) return Err(Code::kInvalidField, "non-finite return", "returns");
  return Ok();
}
}  // namespace

Result<VarEs> HistoricalVarEs(std::span<const double> r, double level) {
  CX_TRY(CheckSample(r, level));
  // Historical simulation as regulators define it: with n returns, VaR is the k-th
  // worst loss, k = ceil(n * (1 - level)) (the 3rd worst of 250 at 99 %), so at most a
  // share 1 - level of the sample lies beyond it. ES averages the k worst losses.
  std::vector<double> v(r.begin(), r.end());
  std::sort(v.begin(), v.end());
  const size_t k = std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(v.size()) * (1 - level) - 1e-9)));
  double s = 0;
  for (size_t i = 0; i < k; ++i) s += v[i];
  return VarEs{-v[k - 1], -s / static_cast<double>(k)};
}

Result<VarEs> ParametricVarEs(std::span<const double> r, double level) {
  CX_TRY(CheckSample(r, level));
  const double m = Mean(r), sd = StdDev(r);
  const double z = NormalQuantile(1 - level);
  return VarEs{-(m + z * sd), -(m - sd * NormalPdf(z) / (1 - level))};
}

Result<PortfolioRisk> ComputePortfolioRisk(const PortfolioInput& in) {
  const size_t k = in.values_cents.size();
  if (k == 0 || in.returns.size() != k)
    return Err(Code::kInvalidField, "one return history per position is required", "returns");
  if (in.horizon_days < 1) return Err(Code::kInvalidField, "horizon_days must be >= 1", "horizon_days");
  const size_t n = in.returns[0].size();
  for (const auto& r : in.returns)
    if (r.size() != n) return Err(Code::kInvalidField, "return histories must be aligned", "returns");
  PortfolioRisk out;
  for (int64_t v : in.values_cents) {
    if (v < 0) return Err(Code::kInvalidField, "position values must be >= 0", "values_cents");
    out.value_cents += v;
  }
  if (out.value_cents == 0) return Err(Code::kInvalidField, "portfolio is empty", "values_cents");
  const double total = static_cast<double>(out.value_cents);
  Eigen::VectorXd w(k);
  for (size_t i = 0; i < k; ++i) w(i) = static_cast<double>(in.values_cents[i]) / total;
  std::vector<double> port(n, 0.0);
  for (size_t t = 0; t < n; ++t)
    for (size_t i = 0; i < k; ++i) port[t] += w(i) * in.returns[i][t];
  // Historical: overlapping h-day sums of the portfolio's daily returns.
  std::vector<double> hret;
  const size_t h = static_cast<size_t>(in.horizon_days);
  for (size_t t = 0; t + h <= n; ++t) {
    double s = 0;
    for (size_t j = 0; j < h; ++j) s += port[t + j];
    hret.push_back(s);
  }
  CX_ASSIGN_OR_RETURN(VarEs hist, HistoricalVarEs(hret, in.level));
  // Parametric: w' Sigma w from the sample covariance (Eigen), sqrt-time scaling.
  Eigen::MatrixXd R(n, k);
  for (size_t i = 0; i < k; ++i)
    for (size_t t = 0; t < n; ++t) R(t, i) = in.returns[i][t];
  const Eigen::RowVectorXd mean = R.colwise().mean();
  const Eigen::MatrixXd C = R.rowwise() - mean;
  const Eigen::MatrixXd cov = (C.transpose() * C) / static_cast<double>(n - 1);
  const double sd = std::sqrt(std::max(0.0, static_cast<double>(w.transpose() * cov * w)));
  const double mu = mean.dot(w);
  const double z = NormalQuantile(1 - in.level), sh = std::sqrt(static_cast<double>(h));
  out.volatility = sd;
  auto cents = [&](double frac) { return static_cast<int64_t>(std::llround(frac * total)); };
  out.var_hist_cents = cents(hist.var);
  out.es_hist_cents = cents(hist.es);
  out.var_param_cents = cents(-(mu * h + z * sd * sh));
  out.es_param_cents = cents(-(mu * h - sd * sh * NormalPdf(z) / (1 - in.level)));
  return out;
}

}  // namespace cx::ml
