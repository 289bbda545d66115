#include "models/gbt.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "utils/stats.h"

namespace cx::ml {

const std::array<const char*, kGbtFeatureCount>& GbtFeatureNames() {
  static const std::array<const char*, kGbtFeatureCount> k = {
      "ret_1", "ret_5", "ret_20", "ret_60", "vol_5", "vol_20", "vol_60",
      "log_p_over_ma20", "log_p_over_ma50", "drawdown_60"};
  return k;
}

std::array<float, kGbtFeatureCount> GbtFeatures(std::span<const double> p, size_t t) {
  auto ret = [&](size_t k) { return std::log(p[t] / p[t - k]); };
  auto vol = [&](size_t k) {
    double s = 0, s2 = 0;
    for (size_t i = t - k + 1; i <= t; ++i) {
      const double r = std::log(p[i] / p[i - 1]);
      s += r;
      s2 += r * r;
    }
    const double m = s / k;
    return std::sqrt(std::max(0.0, s2 / k - m * m));
  };
  auto ma = [&](size_t k) {
    double s = 0;
    for (size_t i = t + 1 - k; i <= t; ++i) s += p[i];
    return s / k;
  };
  double mx = 0;
  for (size_t i = t - 59; i <= t; ++i) mx = std::max(mx, p[i]);
  return {static_cast<float>(ret(1)), static_cast<float>(ret(5)), static_cast<float>(ret(20)),
          static_cast<float>(ret(60)), static_cast<float>(vol(5)), static_cast<float>(vol(20)),
          static_cast<float>(vol(60)), static_cast<float>(std::log(p[t] / ma(20))),
          static_cast<float>(std::log(p[t] / ma(50))), static_cast<float>(std::log(p[t] / mx))};
}

GbtForecaster::GbtForecaster(std::vector<int> horizons, const GbtOptions& opt)
    : horizons_(std::move(horizons)), opt_(opt) {}

GbtForecaster::~GbtForecaster() { Free(); }

void GbtForecaster::Free() {
  for (auto& [h, b] : boosters_) XGBoosterFree(b);
  boosters_.clear();
}

namespace {
Error XgbError(const char* what) {
  return Err(Code::kInternal, std::string("xgboost ") + what + ": " + XGBGetLastError());
}
void SetParams(BoosterHandle b, const GbtOptions& o) {
  auto s = [&](const char* k, const std::string& v) { XGBoosterSetParam(b, k, v.c_str()); };
  s("nthread", "1");  // the machine's cores are shared; determinism too
  s("seed", "0");
  s("objective", "reg:squarederror");
  s("base_score", "0");
  s("tree_method", "hist");
  s("max_depth", std::to_string(o.max_depth));
  s("eta", std::to_string(o.eta));
  s("subsample", std::to_string(o.subsample));
  s("min_child_weight", std::to_string(o.min_child_weight));
  s("lambda", std::to_string(o.lambda));
  s("verbosity", "0");
}
}  // namespace

Result<void> GbtForecaster::Fit(std::span<const double> prices) {
  CX_TRY(CheckPrices(prices, min_history()));
  Free();
  const size_t n = prices.size();
  for (int h : horizons_) {
    if (h < 1) return Err(Code::kInvalidField, "horizon must be >= 1", "horizon");
    const size_t first = kGbtLookback - 1;
    if (n < first + static_cast<size_t>(h) + 30) continue;  // too little data: naive
    size_t last = n - 1 - static_cast<size_t>(h);          // last row whose target is known
    size_t start = last + 1 - std::min(last + 1 - first, opt_.window);
    std::vector<float> x, y;
    for (size_t t = start; t <= last; ++t) {
      auto f = GbtFeatures(prices, t);
      x.insert(x.end(), f.begin(), f.end());
      y.push_back(static_cast<float>(std::log(prices[t + h] / prices[t])));
    }
    DMatrixHandle dm;
    if (XGDMatrixCreateFromMat(x.data(), y.size(), kGbtFeatureCount, NAN, &dm) != 0)
      return XgbError("matrix");
    XGDMatrixSetFloatInfo(dm, "label", y.data(), y.size());
    BoosterHandle b;
    if (XGBoosterCreate(&dm, 1, &b) != 0) { XGDMatrixFree(dm); return XgbError("create"); }
    SetParams(b, opt_);
    for (int it = 0; it < opt_.rounds; ++it) {
      if (XGBoosterUpdateOneIter(b, it, dm) != 0) {
        XGBoosterFree(b);
        XGDMatrixFree(dm);
        return XgbError("train");
      }
    }
    XGDMatrixFree(dm);
    boosters_[h] = b;
  }
  return Ok();
}

double GbtForecaster::Predict(std::span<const double> prices, int h) const {
  auto it = boosters_.find(h);
  if (it == boosters_.end() || prices.size() < kGbtLookback) return prices.back();
  auto f = GbtFeatures(prices, prices.size() - 1);
  DMatrixHandle dm;
  if (XGDMatrixCreateFromMat(f.data(), 1, kGbtFeatureCount, NAN, &dm) != 0) return prices.back();
  bst_ulong len = 0;
  const float* out = nullptr;
  double pred = 0;
  if (XGBoosterPredict(it->second, dm, 0, 0, 0, &len, &out) == 0 && len == 1) pred = out[0];
  XGDMatrixFree(dm);
  return prices.back() * std::exp(pred);
}

ModelState GbtForecaster::State() const {
  ModelState s{name(), {{"rounds", static_cast<double>(opt_.rounds)},
                        {"max_depth", static_cast<double>(opt_.max_depth)},
                        {"eta", opt_.eta}}, {}};
  for (auto& [h, b] : boosters_) {
    bst_ulong len = 0;
    const char* buf = nullptr;
    if (XGBoosterSaveModelToBuffer(b, R"({"format":"json"})", &len, &buf) != 0) continue;
    s.blob += "h=" + std::to_string(h) + " " + std::to_string(len) + "\n";
    s.blob.append(buf, len);
    s.blob += "\n";
  }
  return s;
}

Result<void> GbtForecaster::Restore(const ModelState& s) {
  Free();
  size_t pos = 0;
  horizons_.clear();
  while (pos < s.blob.size()) {
    const size_t eol = s.blob.find('\n', pos);
    if (eol == std::string::npos || s.blob.compare(pos, 2, "h=") != 0)
      return Err(Code::kInvalidField, "bad gbt blob header", "blob");
    int h = 0;
    unsigned long len = 0;
    // The header line of a blob this server wrote; the match count and the length are checked.
    if (std::sscanf(s.blob.c_str() + pos, "h=%d %lu", &h, &len) != 2 || eol + 1 + len > s.blob.size())  // NOLINT(cert-err34-c)
      return Err(Code::kInvalidField, "bad gbt blob header", "blob");
    BoosterHandle b;
    if (XGBoosterCreate(nullptr, 0, &b) != 0) return XgbError("create");
    if (XGBoosterLoadModelFromBuffer(b, s.blob.data() + eol + 1, len) != 0) {
      XGBoosterFree(b);
      return XgbError("load");
    }
    XGBoosterSetParam(b, "nthread", "1");
    boosters_[h] = b;
    horizons_.push_back(h);
    pos = eol + 1 + len + 1;
  }
  return Ok();
}

}  // namespace cx::ml
