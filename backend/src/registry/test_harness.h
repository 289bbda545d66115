// For registry tests: a tiny engine that runs a command through Decide and Apply and
// records the events with their journal times (what the real engine journals, without the
// store). The exchange tests (market_test.cc) use their own, which also collects derived
// events.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "registry/registry.h"

namespace cx::registry {

struct TestEngine {
  RegistryState s;
  std::vector<Event> log;
  std::vector<int64_t> log_ts;
  int64_t ts = 1'700'000'000'000'000;  // engine time, us
  int64_t step_us = 1;                 // added to ts before each command (0: the test moves it)

  // A refused command must produce no event.
  Result<void> Run(const Command& c) {
    ts += step_us;
    std::vector<Event> out;
    auto r = s.Decide(c, ts, out);
    if (!r.ok()) {
      EXPECT_TRUE(out.empty());
      return r;
    }
    for (auto& e : out) {
      log.push_back(e);
      log_ts.push_back(ts);
      s.Apply(e, static_cast<int64_t>(log.size()), ts);
    }
    return r;
  }
};

inline Code CodeOf(const Result<void>& r) { return r.ok() ? Code::kOk : r.error().code; }

}  // namespace cx::registry
