// Privacy records kept by the registry (registry/privacy.cc): consents a user gave or
// withdrew. Plain values; not thread-safe (owned by the engine thread).
#pragma once
#include <cstdint>
#include <string>

namespace cx::registry {

// One consent decision; the latest per (user, purpose) is in force, all are kept.
struct Consent {
  int64_t user = 0;
  std::string purpose;         // e.g. "marketing_email", "analytics"
  bool granted = false;
  std::string policy_version;  // the privacy-policy version the user saw
  int64_t ts = 0;              // engine time (microseconds or seconds, as the engine stamps)
  template <class V>
  void Fields(V& v) {
    v("user", user); v("purpose", purpose); v("granted", granted); v("policy_version", policy_version); v("ts", ts);
  }
};

}  // namespace cx::registry
