// Demo data for `carbonx serve --demo` on an empty journal: credit classes, one user per
// role (sign-ins printed at start and listed in the README), a native project taken
// through validation and issuance, and real registry rows imported from the small
// copies of public exports kept in backend/src/importers/testdata.
#pragma once
#include <string>
#include <vector>

#include "app/pii.h"
#include "engine/engine.h"

namespace cx::app {

struct DemoUser {
  std::string role, email, password;
};
const std::vector<DemoUser>& DemoUsers();
// Default credit classes (also created on any empty journal without --demo).
Result<void> CreateDefaultClasses(engine::Engine& e);
// Loads the demo; `testdata_dir` holds <registry>/*.csv copies.
// Demo users' personal fields are sealed in `vault` like any sign-up's.
Result<void> LoadDemo(engine::Engine& e, PiiVault& vault, const std::string& testdata_dir);

}  // namespace cx::app
