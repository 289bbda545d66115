#include "io/model_file.h"

#include <charconv>
#include <cstdio>

namespace cx::ml {

namespace {
constexpr std::string_view kMagic = "carbonx-ml-model 1";
}

std::string SerializeModelFile(const ModelFile& f) {
  std::string s(kMagic);
  s += "\nmeta.model: " + f.state.name + "\n";
  for (const auto& [k, v] : f.meta)
    if (k != "model") s += "meta." + k + ": " + v + "\n";
  char buf[64];
  for (const auto& [k, v] : f.state.params) {
    std::snprintf(buf, sizeof buf, "%.17g", v);
    s += "param." + k + ": " + buf + "\n";
  }
  s += "blob: " + std::to_string(f.state.blob.size()) + "\n";
  s += f.state.blob;
  return s;
}

Result<ModelFile> ParseModelFile(std::string_view text) {
  ModelFile f;
  size_t pos = 0;
  auto next_line = [&](std::string_view* line) {
    if (pos >= text.size()) return false;
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    *line = text.substr(pos, e - pos);
    pos = e + 1;
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || line != kMagic) return Err(Code::kInvalidField, "not a carbonx-ml model file", "model");
  while (next_line(&line)) {
    const size_t c = line.find(": ");
    if (c == std::string_view::npos) return Err(Code::kInvalidField, "malformed model file line", "model");
    const std::string key(line.substr(0, c));
    const std::string_view val = line.substr(c + 2);
    if (key.rfind("meta.", 0) == 0) {
      f.meta[key.substr(5)] = std::string(val);
    } else if (key.rfind("param.", 0) == 0) {
      double v = 0;
      auto r = std::from_chars(val.data(), val.data() + val.size(), v);
      if (r.ec != std::errc()) return Err(Code::kInvalidField, "bad parameter " + key, key);
      f.state.params[key.substr(6)] = v;
    } else if (key == "blob") {
      size_t n = 0;
      auto r = std::from_chars(val.data(), val.data() + val.size(), n);
      if (r.ec != std::errc() || pos + n > text.size() + (n == 0 ? 1 : 0))
        return Err(Code::kInvalidField, "truncated model blob", "blob");
      if (n) f.state.blob = std::string(text.substr(pos, n));
      break;
    } else {
      return Err(Code::kInvalidField, "unknown model file key " + key, key);
    }
  }
  auto it = f.meta.find("model");
  if (it == f.meta.end()) return Err(Code::kMissingField, "model file names no model", "model");
  f.state.name = it->second;
  return f;
}

}  // namespace cx::ml
