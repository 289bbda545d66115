// Personal-data vault throughput (tools/bench/privacy.sh): new subjects (one fsync'd insert
// each), seal and unseal of a typical sealed user record (data key cached), email index,
// shred (one fsync'd secure delete), PersonOf with a warm cache. One thread.
// Usage: cx_pii_bench DIR [seconds per figure]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app/pii.h"
#include "registry/model.h"

namespace {
using Clock = std::chrono::steady_clock;

template <class F>
void Measure(const char* name, double seconds, F&& step) {
  auto t0 = Clock::now();
  int64_t n = 0;
  double el = 0;
  do {
    for (int i = 0; i < 16; ++i) step(n++);
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (el < seconds);
  std::printf("BENCH %s %.0f ops/s\n", name, static_cast<double>(n) / el);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cx_pii_bench DIR [seconds]\n");
    return 2;
  }
  char* end = nullptr;
  const double secs = argc > 2 ? std::strtod(argv[2], &end) : 1.0;
  if (argc > 2 && (end == argv[2] || *end != '\0' || secs <= 0)) {
    std::fprintf(stderr, "cx_pii_bench: seconds must be a positive number\n");
    return 2;
  }
  std::filesystem::remove_all(argv[1]);
  std::filesystem::create_directories(argv[1]);
  cx::app::PiiKey master{};
  master.fill(0x42);
  auto v = cx::app::PiiVault::Open((std::filesystem::path(argv[1]) / "pii.db").string(), master);
  if (!v.ok()) {
    std::fprintf(stderr, "%s\n", v.error().message.c_str());
    return 1;
  }
  cx::app::PiiVault& vault = **v;
  std::vector<std::string> ids;
  Measure("pii_new_subject_per_s", secs, [&](int64_t) { ids.push_back(*vault.NewSubject()); });
  const std::string id = ids.front();
  const std::string plain =
      R"({"email":"someone@example.org","display_name":"Someone Example","password_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"})";
  std::string sealed = *vault.Seal(id, plain);
  Measure("pii_seal_per_s", secs, [&](int64_t) { sealed = *vault.Seal(id, plain); });
  size_t bad = 0;
  Measure("pii_unseal_per_s", secs, [&](int64_t) { bad += vault.Unseal(id, sealed)->size() != plain.size(); });
  std::string ix;
  Measure("pii_email_index_per_s", secs, [&](int64_t i) { ix = vault.EmailIndex("user" + std::to_string(i) + "@example.org"); });
  cx::registry::User u{1, 100, ix, id, sealed, 1, false};
  Measure("pii_person_cached_per_s", secs, [&](int64_t) { bad += !vault.PersonOf(u).ok; });
  size_t next = 1;
  Measure("pii_shred_per_s", secs, [&](int64_t) {
    if (next < ids.size()) (void)vault.Shred(ids[next++]);
    else (void)vault.Shred(*vault.NewSubject());  // ran out: shred a fresh one (counts both)
  });
  if (bad) {
    std::fprintf(stderr, "%zu wrong results\n", bad);
    return 1;
  }
  return 0;
}
