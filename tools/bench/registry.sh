#!/usr/bin/env bash
# Registry and journal figures (issue 2): registry_cmds_per_s, journal_durable_events_per_s,
# journal_commit_p99_ms (with the disk's own fsync latency as the same-run baseline),
# replay_events_per_s.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" cx_bench_registry >/dev/null || exit 1
python3 - "$BUILD" <<'PY'
import os, sys, time
d = sys.argv[1]
fd = os.open(os.path.join(d, 'fsync.tmp'), os.O_WRONLY | os.O_CREAT)
t = []
for i in range(200):
    os.write(fd, b'x' * 4096); a = time.perf_counter(); os.fsync(fd); t.append(time.perf_counter() - a)
os.close(fd); os.remove(os.path.join(d, 'fsync.tmp'))
t.sort()
print('BENCH disk_fsync_p50_ms %.3f ms' % (t[100] * 1e3))
print('BENCH disk_fsync_p99_ms %.3f ms' % (t[197] * 1e3))
PY
"$BUILD/bench/cx_bench_registry" "$BUILD/bench-journal"
