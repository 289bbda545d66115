#include "io/model_file.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "io/model_store.h"
#include "models/gbt.h"

namespace cx::ml {

TEST(ModelFile, RoundTripsParamsMetaAndBlob) {
  ModelFile f;
  f.state = {"ar", {{"c", 1e-4}, {"p", 2}, {"phi1", 0.123456789012345678}, {"phi2", -0.3}}, "bytes\nwith\nlines"};
  f.meta = {{"data_from", "2008-04-08"}, {"data_to", "2021-04-16"}, {"features", "lagged log returns"}};
  auto g = ParseModelFile(SerializeModelFile(f));
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->state.name, "ar");
  EXPECT_EQ(g->state.params, f.state.params);  // %.17g is exact for doubles
  EXPECT_EQ(g->state.blob, f.state.blob);
  EXPECT_EQ(g->meta.at("data_to"), "2021-04-16");
}

TEST(ModelFile, RejectsForeignAndTruncatedFiles) {
  auto a = ParseModelFile("hello\n");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, Code::kInvalidField);
  ModelFile f;
  f.state = {"gbt", {}, std::string(100, 'x')};
  auto text = SerializeModelFile(f);
  EXPECT_FALSE(ParseModelFile(text.substr(0, text.size() - 10)).ok());
}

TEST(ModelFile, TrainedTreesSurviveTheFile) {
  std::vector<double> p = {100};
  for (int i = 1; i < 400; ++i) p.push_back(p.back() * std::exp(0.01 * std::sin(i * 0.7)));
  GbtForecaster m({1, 5});
  ASSERT_TRUE(m.Fit(p).ok());
  ModelFile f{{{"data_from", "x"}}, m.State()};
  auto g = ParseModelFile(SerializeModelFile(f));
  ASSERT_TRUE(g.ok());
  GbtForecaster back({});
  ASSERT_TRUE(back.Restore(g->state).ok());
  EXPECT_DOUBLE_EQ(back.Predict(p, 5), m.Predict(p, 5));
  EXPECT_DOUBLE_EQ(back.Predict(p, 1), m.Predict(p, 1));
}

}  // namespace cx::ml


namespace cx::ml {

TEST(ModelStore, SavedEnsembleForecastsLikeTheTrainedOne) {
  std::mt19937_64 rng(8);
  std::normal_distribution<double> z(0, 0.015);
  std::vector<double> p = {20};
  for (int i = 1; i < 700; ++i) p.push_back(p.back() * std::exp(z(rng)));
  BacktestOptions o;
  o.horizons = {1, 5};
  o.min_train = 300;
  auto te = TrainEnsemble(p, o);
  ASSERT_TRUE(te.ok()) << te.error().message;
  const auto dir = (std::filesystem::temp_directory_path() / ("cxml_store_" + std::to_string(::getpid()))).string();
  ASSERT_TRUE(SaveEnsemble(dir, *te, {{"data_from", "d0"}, {"data_to", "d699"}}).ok());
  auto le = LoadEnsemble(dir);
  ASSERT_TRUE(le.ok()) << le.error().message;
  EXPECT_EQ(le->meta.at("data_to"), "d699");
  std::vector<const Forecaster*> ptrs;
  for (const auto& m : te->models) ptrs.push_back(m.get());
  auto a = Forecast(p, ptrs, te->spec);
  auto b = Forecast(p, le->pointers(), le->spec);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->horizons.size(), b->horizons.size());
  for (size_t i = 0; i < a->horizons.size(); ++i) {
    EXPECT_NEAR(a->horizons[i].point, b->horizons[i].point, 1e-9);
    EXPECT_NEAR(a->horizons[i].lo, b->horizons[i].lo, 1e-9);
    EXPECT_NEAR(a->horizons[i].backtest_mase, b->horizons[i].backtest_mase, 1e-9);
    EXPECT_EQ(a->horizons[i].by_model, b->horizons[i].by_model);
  }
  EXPECT_EQ(a->verdict, b->verdict);
  std::filesystem::remove_all(dir);
  auto missing = LoadEnsemble(dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::kNotFound);
}

}  // namespace cx::ml
