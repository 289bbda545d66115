// NW-1 replay: runs a neutral matching workload (../shared/bench/nw1, format in
// testdata/nw1/nw_format.h) through the production OrderBook in matching-only mode and
// reports the checksums any correct price-time engine must reproduce, plus throughput and,
// on request, per-operation latency.
//
// This is an edge tool (it reads files, prints and reads the clock), so it lives in its
// own target (cx_exchange_nw1) outside the pure cx_exchange core.
//
//   carbonx-nw1 FILE.bin [--expected FILE.expected | --no-check] [--repeat N] [--latency]
//               [--no-prefetch]
//
// Prints `trades`, `volume`, `trade_hash`, `book_hash` lines in the .expected format, then
// `ops_measured`, `throughput_ops_per_s` (best of N timed passes over the measured ops,
// each pass on a fresh book, prefill untimed, no per-op timer), `throughput_cpu_ops_per_s`
// (that pass over its thread CPU time) and, with --latency,
// `latency_p50_ns`, `latency_p99_ns`, `latency_p999_ns`, `latency_max_ns` from a
// separate pass that times every measured op. By default the results are compared with
// FILE.bin.expected when it exists; a mismatch prints `check FAILED ...` and returns 1.
// Thread-safety: single-threaded; call from main().
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nw { struct Op; }

namespace cx::exchange {

struct Nw1Outcome {
  uint64_t trades = 0;
  uint64_t volume = 0;
  uint64_t trade_hash = 0;
  uint64_t book_hash = 0;
  uint64_t errors = 0;  // refusals other than FOK-not-filled (must be 0)
  double measured_seconds = 0;  // wall clock of the measured ops
  double cpu_seconds = 0;       // thread CPU time of the measured ops
};

// Replays ops[0..n_prefill) untimed, then the rest timed. With `latencies` non-null, the
// duration of each measured op is appended to it in ticks (TSC on x86), and with
// `traded` non-null whether the op produced a fill. With `prefetch`, the replay gives
// the book OrderBook::Prefetch hints for ops 3, 6 and 10 ahead (look-ahead).
Nw1Outcome ReplayNw1(const std::vector<nw::Op>& ops, uint64_t n_prefill, uint64_t target_orders,
                     std::vector<uint32_t>* latencies, bool prefetch, std::vector<bool>* traded);

int RunBenchNw1(int argc, char** argv);
// The "key value" lines of an NW-1 `.expected` file (empty map if unreadable).
std::map<std::string, std::string> ReadNw1Expected(const std::string& path);
// A checksum as the `.expected` format writes it: 16 lower-case hex digits.
std::string Nw1Hex(uint64_t v);

}  // namespace cx::exchange
