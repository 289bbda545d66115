// libFuzzer entry point for everything ml/ reads from outside: price CSVs, the
// market-abuse order/trade CSVs (then run through the detectors) and model files.
// The first byte picks the decoder. Built only with clang (see ml/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/model_file.h"
#include "models/fraud.h"
#include "training/backtest.h"
#include "utils/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace cx::ml;
  switch (data[0] % 4) {
    case 0: {
      auto ps = ParsePriceCsv(text, "date", "close");
      if (ps.ok() && ps->prices.size() >= 60 && ps->prices.size() <= 400) {
        BacktestOptions o;
        o.horizons = {1, 5};
        o.models = {"naive", "drift", "holt", "ar"};
        o.min_train = 30;
        (void)RunBacktest(ps->prices, o);
      }
      break;
    }
    case 1: {
      auto o = ParseOrdersCsv(text);
      if (o.ok()) (void)DetectMarketAbuse(*o, {});
      break;
    }
    case 2: {
      auto t = ParseTradesCsv(text);
      if (t.ok()) (void)DetectMarketAbuse({}, *t);
      break;
    }
    default:
      (void)ParseModelFile(text);
  }
  return 0;
}
