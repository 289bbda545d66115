#include "models/risk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cx::ml {

TEST(ProjectRisk, FlaggedReductionScoresAboveDurableRemoval) {
  ProjectRiskInput hfc;
  hfc.hfc23_destruction = true;
  hfc.vintage_year = 2012;
  hfc.current_year = 2024;
  hfc.country_governance = 0.3;
  hfc.verifications = 4;
  hfc.adverse_verifications = 1;
  ProjectRiskInput dac;
  dac.removal = true;
  dac.vintage_year = 2023;
  dac.current_year = 2024;
  dac.country_governance = 0.9;
  dac.verifications = 3;
  auto a = ScoreProjectRisk(hfc);
  auto b = ScoreProjectRisk(dac);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  // Hand sum for the HFC-23 project: 10 + 2 + 20 + 15 (12 y * 1.5 capped) + 7 + 0 + 0 + 3.75 + 0.
  EXPECT_NEAR(a->score, 10 + 2 + 20 + 15 + 7 + 0 + 0 + 3.75 + 0, 1e-9);
  EXPECT_EQ(a->band, "high");
  EXPECT_LT(b->score, 25);
  EXPECT_EQ(b->band, "low");
  double sum = 0;
  for (const auto& f : a->factors) {
    EXPECT_LE(f.points, f.max_points);
    sum += f.points;
  }
  EXPECT_NEAR(sum, a->score, 1e-9);
  EXPECT_EQ(a->factors.size(), 9u);
}

TEST(ProjectRisk, ReversalsAndThinBufferRaiseNatureRisk) {
  ProjectRiskInput f;
  f.nature_based = true;
  f.removal = true;
  f.vintage_year = 2020;
  f.current_year = 2024;
  f.buffer_share = 0.05;
  f.verifications = 2;
  auto base = ScoreProjectRisk(f);
  f.reversals = 2;
  f.reversed_share = 0.05;
  auto worse = ScoreProjectRisk(f);
  ASSERT_TRUE(base.ok() && worse.ok());
  EXPECT_NEAR(worse->score - base->score, 8.0, 1e-9);  // 3 * 2 + 40 * 0.05
}

TEST(ProjectRisk, InvalidInputsHaveStableCodes) {
  ProjectRiskInput f;
  f.vintage_year = 2020;
  f.current_year = 2024;
  f.buffer_share = 1.5;
  auto r = ScoreProjectRisk(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::kInvalidField);
  EXPECT_EQ(r.error().field, "buffer_share");
  f.buffer_share = 0.1;
  f.vintage_year = 2030;
  EXPECT_FALSE(ScoreProjectRisk(f).ok());
}

TEST(Normal, QuantileMatchesTables) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963985, 1e-8);
  EXPECT_NEAR(NormalQuantile(0.01), -2.326347874, 1e-8);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-12);
}

TEST(Var, HistoricalIsTheKthWorstLoss) {
  std::vector<double> r;
  for (int i = 1; i <= 100; ++i) r.push_back(-0.001 * i);  // losses 0.1 % .. 10 %
  auto v = HistoricalVarEs(r, 0.95);  // k = 5: 5th worst = 9.6 %
  ASSERT_TRUE(v.ok());
  EXPECT_NEAR(v->var, 0.096, 1e-12);
  EXPECT_NEAR(v->es, (0.1 + 0.099 + 0.098 + 0.097 + 0.096) / 5, 1e-12);
  EXPECT_FALSE(HistoricalVarEs(std::vector<double>(5, 0.0), 0.99).ok());
}

TEST(Var, ParametricOnANormalSample) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> z(0, 0.02);
  std::vector<double> r(200000);
  for (auto& x : r) x = z(rng);
  auto v = ParametricVarEs(r, 0.99);
  ASSERT_TRUE(v.ok());
  EXPECT_NEAR(v->var, 2.326348 * 0.02, 2e-4);
  EXPECT_NEAR(v->es, 0.02 * 2.665214, 2e-4);  // phi(z)/(1 - p) for p = 0.99
  auto h = HistoricalVarEs(r, 0.99);
  EXPECT_NEAR(h->var, v->var, 1e-3);
}

TEST(Portfolio, OneAssetMatchesTheSingleSeriesAndWeightsScale) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> z(0, 0.01);
  std::vector<double> a(1000);
  for (auto& x : a) x = z(rng);
  PortfolioInput in;
  in.values_cents = {100000000};
  in.returns = {a};
  auto p = ComputePortfolioRisk(in);
  ASSERT_TRUE(p.ok());
  auto single = HistoricalVarEs(a, 0.99);
  EXPECT_EQ(p->var_hist_cents, std::llround(single->var * 1e8));
  // Two identical assets split 50/50 behave like one.
  in.values_cents = {50000000, 50000000};
  in.returns = {a, a};
  auto q = ComputePortfolioRisk(in);
  ASSERT_TRUE(q.ok());
  EXPECT_NEAR(static_cast<double>(q->var_param_cents), static_cast<double>(p->var_param_cents), 2.0);
  // Perfectly hedged: long and "short" via negated returns -> ~zero risk.
  std::vector<double> neg(a.size());
  for (size_t i = 0; i < a.size(); ++i) neg[i] = -a[i];
  in.returns = {a, neg};
  auto h = ComputePortfolioRisk(in);
  ASSERT_TRUE(h.ok());
  EXPECT_LT(h->volatility, 1e-8);  // vs 0.01 for one leg
  in.returns = {a};
  EXPECT_FALSE(ComputePortfolioRisk(in).ok());
}

TEST(MethodologyFlags, ReadsCodesAndWordsNotLookalikes) {
  auto hfc = FlagMethodology("AM0001: Incineration of HFC 23 waste streams");
  EXPECT_TRUE(hfc.hfc23_destruction);
  EXPECT_FALSE(hfc.large_hydro);  // "hydro" inside nothing here; HFC is not hydro power
  auto hfc2 = FlagMethodology("Hydrofluorocarbon (HFC-23) destruction");
  EXPECT_TRUE(hfc2.hfc23_destruction);
  EXPECT_FALSE(hfc2.large_hydro);
  auto dam = FlagMethodology("ACM0002 | Hydropower | Three Gorges");
  EXPECT_TRUE(dam.large_hydro);
  EXPECT_FALSE(dam.grid_renewable);  // ACM0002 on a hydro project: one flag, not two
  EXPECT_FALSE(FlagMethodology("AMS-I.D small hydro plant").large_hydro);
  EXPECT_TRUE(FlagMethodology("AMS-I.D small hydro plant").grid_renewable);
  auto redd = FlagMethodology("VM0015 Methodology for Avoided Unplanned Deforestation (REDD+)");
  EXPECT_TRUE(redd.avoided_deforestation);
  EXPECT_FALSE(FlagMethodology("reddish soil biochar").avoided_deforestation);  // whole words only
  auto wind = FlagMethodology("Grid-connected wind farm");
  EXPECT_TRUE(wind.grid_renewable);
  EXPECT_EQ(wind.matched, std::vector<std::string>{"wind"});
  auto dac = FlagMethodology("Direct air capture with geological storage");
  EXPECT_FALSE(dac.hfc23_destruction || dac.large_hydro || dac.avoided_deforestation || dac.grid_renewable);
  EXPECT_TRUE(dac.matched.empty());
}

}  // namespace cx::ml
