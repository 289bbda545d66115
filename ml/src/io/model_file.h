// Model files: a fitted model's state with its metadata (data range, features,
// backtest metrics), as text:
//
//   carbonx-ml-model 1
//   meta.<key>: <value>          (data_from, data_to, n_prices, features, mase_h5, ...)
//   param.<name>: <%.17g double>
//   blob: <byte count>
//   <blob bytes>                 (the XGBoost JSON for trees; absent otherwise)
//
// Serialise / parse only; reading and writing the file is io/files.h. Pure, thread-safe.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"
#include "models/forecasters.h"

namespace cx::ml {

struct ModelFile {
  std::map<std::string, std::string> meta;
  ModelState state;
};

std::string SerializeModelFile(const ModelFile& f);
// kInvalidField on a bad magic line, malformed line or truncated blob.
Result<ModelFile> ParseModelFile(std::string_view text);

}  // namespace cx::ml
