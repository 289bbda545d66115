// carbonx-ml: standalone build of `carbonx ml ...` (see cli.h).
#include <string>
#include <vector>

#include "cli.h"

int main(int argc, char** argv) {
  std::vector<char*> args;
  static char ml[] = "ml";
  args.push_back(ml);
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  return cx::ml::RunCli(static_cast<int>(args.size()), args.data());
}
