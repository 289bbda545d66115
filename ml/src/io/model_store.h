// A trained ensemble on disk: one `<model>.cxm` file per member plus `ensemble.cxm`
// (weights, interval quantiles, backtest MASE), all in the model_file.h format, in one
// directory. `carbonx ml train` writes it; the server loads it at start-up and calls
// Forecast() on new prices. Not thread-safe while saving/loading; the loaded models
// follow prediction/forecast.h's contract.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "prediction/forecast.h"

namespace cx::ml {

struct LoadedEnsemble {
  std::vector<std::unique_ptr<Forecaster>> models;
  EnsembleSpec spec;
  std::map<std::string, std::string> meta;  // data range, source, ... of ensemble.cxm
  std::vector<const Forecaster*> pointers() const;
};

// Writes DIR/<model>.cxm for each model and DIR/ensemble.cxm; `meta` goes into every file.
Result<void> SaveEnsemble(const std::string& dir, const TrainedEnsemble& te,
                          const std::map<std::string, std::string>& meta);
// kNotFound if DIR/ensemble.cxm is missing; kInvalidField for malformed files.
Result<LoadedEnsemble> LoadEnsemble(const std::string& dir);

}  // namespace cx::ml
