// Risk: a 0-100 project risk score with the factors behind it, and value at risk /
// expected shortfall (historical and parametric-normal) for a series or a portfolio.
// Pure functions over plain structs, thread-safe. Losses are positive numbers.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cx::ml {

// What the registry knows about a project (plain data; the server fills it).
struct ProjectRiskInput {
  bool removal = false;         // removal (true) or reduction/avoidance (false)
  bool nature_based = false;    // nature-based (reversal risk) or technical
  // Methodology flags with documented integrity concerns.
  bool hfc23_destruction = false;
  bool large_hydro = false;
  bool avoided_deforestation = false;  // REDD+ baselines
  bool grid_renewable = false;         // additionality of grid wind/solar
  int vintage_year = 0;
  int current_year = 0;
  // Country governance percentile in [0, 1] (e.g. World Bank WGI); < 0 = unknown.
  double country_governance = -1;
  double buffer_share = 0;        // share of issuance sent to the buffer pool, [0, 1]
  int reversals = 0;              // reported reversal events
  double reversed_share = 0;      // share of issued credits reversed, [0, 1]
  int verifications = 0;          // completed verifications
  int adverse_verifications = 0;  // qualified, rejected or corrected ones
  double largest_holder_share = 0;  // concentration: share held by the largest holder
};

struct RiskFactor {
  std::string name;
  double points = 0;  // contribution to the score
  double max_points = 0;
  std::string detail;
};

struct ProjectRisk {
  double score = 0;  // 0 (low) .. 100 (high)
  std::string band;  // low < 25 <= medium < 50 <= high < 75 <= severe
  std::vector<RiskFactor> factors;
};

// kInvalidField when a share is outside [0, 1] or counts are negative.
Result<ProjectRisk> ScoreProjectRisk(const ProjectRiskInput& in);

// The methodology flags of ProjectRiskInput read from a project's free text (methodology
// code and title, project type, sector, name; case-insensitive), by methodology codes and
// words: HFC-23 (AM0001, "HFC-23", "HFC23"), large hydro ("hydro..." power projects unless
// small/micro/mini/pico or a small-scale AMS code), avoided deforestation (REDD, VM0006,
// VM0007, VM0009, VM0015, VM0037, VM0048, "avoided deforestation/conversion"), grid
// renewables other than hydro (ACM0002, AMS-I.D, wind, solar, photovoltaic, geothermal).
// `matched` lists the words that raised each flag, for the factor's explanation.
struct MethodologyFlags {
  bool hfc23_destruction = false;
  bool large_hydro = false;
  bool avoided_deforestation = false;
  bool grid_renewable = false;
  std::vector<std::string> matched;
};
MethodologyFlags FlagMethodology(std::string_view text);

// Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9) and pdf.
double NormalQuantile(double p);
double NormalPdf(double x);

struct VarEs {
  double var = 0;  // loss not exceeded with probability `level`
  double es = 0;   // mean loss beyond the VaR
};
// From a sample of returns (fractions). level e.g. 0.99. kInvalidField on < 20 returns.
// Historical: the k-th worst loss, k = ceil(n (1 - level)); ES = mean of the k worst.
// Parametric: normal with the sample mean and standard deviation.
Result<VarEs> HistoricalVarEs(std::span<const double> returns, double level);
Result<VarEs> ParametricVarEs(std::span<const double> returns, double level);

// A holder's portfolio: current value per instrument (integer cents) and aligned daily
// return histories (returns[i][t] for instrument i, same t for all).
struct PortfolioInput {
  std::vector<int64_t> values_cents;
  std::vector<std::vector<double>> returns;
  double level = 0.99;
  int horizon_days = 1;  // scaled by sqrt(horizon) (parametric) / overlapping sums (historical)
};
struct PortfolioRisk {
  int64_t value_cents = 0;
  int64_t var_hist_cents = 0, es_hist_cents = 0;
  int64_t var_param_cents = 0, es_param_cents = 0;
  double volatility = 0;  // per day, of the portfolio return
};
Result<PortfolioRisk> ComputePortfolioRisk(const PortfolioInput& in);

}  // namespace cx::ml
