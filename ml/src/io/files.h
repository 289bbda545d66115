// File access for the ML tools (the only place cx_ml touches the file system).
#pragma once
#include <string>

#include "core/result.h"

namespace cx::ml {

// kNotFound when the file does not exist, kIo on other failures.
Result<std::string> ReadFile(const std::string& path);
// Writes atomically (temp file + rename); creates parent directories. kIo on failure.
Result<void> WriteFile(const std::string& path, const std::string& content);

}  // namespace cx::ml
