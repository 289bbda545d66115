// carbonx-nw1: NW-1 matching benchmark and checker (see exchange/nw1.h).
#include "exchange/nw1.h"

int main(int argc, char** argv) { return cx::exchange::RunBenchNw1(argc, argv); }
