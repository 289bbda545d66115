#include "io/model_store.h"

#include <cstdio>
#include <sstream>

#include "io/files.h"
#include "io/model_file.h"
#include "models/gbt.h"

namespace cx::ml {

std::vector<const Forecaster*> LoadedEnsemble::pointers() const {
  std::vector<const Forecaster*> v;
  for (const auto& m : models) v.push_back(m.get());
  return v;
}

namespace {
std::string F(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}
std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}
std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) if (!tok.empty()) out.push_back(tok);
  return out;
}
}  // namespace

Result<void> SaveEnsemble(const std::string& dir, const TrainedEnsemble& te,
                          const std::map<std::string, std::string>& meta) {
  std::vector<std::string> names, hs;
  for (const auto& m : te.models) {
    ModelFile f;
    f.meta = meta;
    f.state = m->State();
    f.meta["features"] = "log prices";
    if (m->name() == "gbt") {
      std::vector<std::string> feats;
      for (const char* n : GbtFeatureNames()) feats.push_back(n);
      f.meta["features"] = Join(feats);
    } else if (m->name() == "ar") {
      f.meta["features"] = "lagged log returns";
    }
    for (const auto& [h, by] : te.spec.backtest_mase)
      if (by.count(m->name())) f.meta["mase_h" + std::to_string(h)] = F(by.at(m->name()));
    CX_TRY(WriteFile(dir + "/" + m->name() + ".cxm", SerializeModelFile(f)));
    names.push_back(m->name());
  }
  for (int h : te.spec.horizons) hs.push_back(std::to_string(h));
  ModelFile e;
  e.meta = meta;
  e.state.name = "ensemble";
  e.meta["members"] = Join(names);
  e.meta["horizons"] = Join(hs);
  e.state.params["interval_level"] = te.spec.interval_level;
  for (const auto& [h, w] : te.spec.weights)
    for (const auto& [m, v] : w) e.state.params["w.h" + std::to_string(h) + "." + m] = v;
  for (const auto& [h, q] : te.spec.quantiles) {
    e.state.params["q.h" + std::to_string(h) + ".lo"] = q.first;
    e.state.params["q.h" + std::to_string(h) + ".hi"] = q.second;
  }
  for (const auto& [h, by] : te.spec.backtest_mase)
    for (const auto& [m, v] : by) e.state.params["mase.h" + std::to_string(h) + "." + m] = v;
  return WriteFile(dir + "/ensemble.cxm", SerializeModelFile(e));
}

Result<LoadedEnsemble> LoadEnsemble(const std::string& dir) {
  CX_ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/ensemble.cxm"));
  CX_ASSIGN_OR_RETURN(ModelFile e, ParseModelFile(text));
  if (e.state.name != "ensemble") return Err(Code::kInvalidField, "ensemble.cxm is not an ensemble", "model");
  LoadedEnsemble le;
  le.meta = e.meta;
  for (const auto& h : SplitComma(e.meta["horizons"])) le.spec.horizons.push_back(std::stoi(h));
  if (le.spec.horizons.empty()) return Err(Code::kMissingField, "ensemble has no horizons", "horizons");
  if (e.state.params.count("interval_level")) le.spec.interval_level = e.state.params.at("interval_level");
  for (const auto& [k, v] : e.state.params) {
    int h = 0;
    char rest[128] = {0};
    // Keys of a model file this server wrote; each match count is checked.
    // NOLINTBEGIN(cert-err34-c)
    if (std::sscanf(k.c_str(), "w.h%d.%127s", &h, rest) == 2) le.spec.weights[h][rest] = v;
    else if (std::sscanf(k.c_str(), "mase.h%d.%127s", &h, rest) == 2) le.spec.backtest_mase[h][rest] = v;
    else if (std::sscanf(k.c_str(), "q.h%d.%127s", &h, rest) == 2) {
      if (std::string(rest) == "lo") le.spec.quantiles[h].first = v;
      else le.spec.quantiles[h].second = v;
    }
    // NOLINTEND(cert-err34-c)
  }
  for (const auto& name : SplitComma(e.meta["members"])) {
    CX_ASSIGN_OR_RETURN(std::string mt, ReadFile(dir + "/" + name + ".cxm"));
    CX_ASSIGN_OR_RETURN(ModelFile mf, ParseModelFile(mt));
    CX_ASSIGN_OR_RETURN(auto m, MakeForecaster(name, le.spec.horizons));
    CX_TRY(m->Restore(mf.state));
    le.models.push_back(std::move(m));
  }
  if (le.models.empty()) return Err(Code::kMissingField, "ensemble has no members", "members");
  return le;
}

}  // namespace cx::ml
