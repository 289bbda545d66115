#include "io/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cx::ml {

namespace {
// strerror's text without strerror's shared buffer; std::system_category() uses strerror_r.
std::string ErrnoText(int e) { return std::system_category().message(e); }
}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Err(Code::kNotFound, "no such file: " + path, "path");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(Code::kIo, "cannot open " + path + ": " + ErrnoText(errno), "path");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Err(Code::kIo, "cannot read " + path, "path");
  return ss.str();
}

Result<void> WriteFile(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Err(Code::kIo, "cannot create " + tmp + ": " + ErrnoText(errno), "path");
    out << content;
    out.flush();
    if (!out) return Err(Code::kIo, "cannot write " + tmp, "path");
  }
  fs::rename(tmp, p, ec);
  if (ec) return Err(Code::kIo, "cannot rename to " + path + ": " + ec.message(), "path");
  return Ok();
}

}  // namespace cx::ml
