#!/usr/bin/env bash
# Documents ingest benchmark (issue 7): a 256 MiB file on disk into the block store
# (chunking, hashing, block file writes, one syncfs at the end) against plain OpenSSL
# SHA-256 of the same file in the same run. Prints:
#   BENCH cid_ingest_mb_per_s X MB/s
#   BENCH sha256_mb_per_s X MB/s
#   BENCH cid_ingest_vs_sha256 X %      (goal: >= 80)
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
BIN="$BUILD/documents/cx_doc_bench"
[ -x "$BIN" ] || { echo "documents bench: $BIN not built" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cx-doc-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
head -c $((256 * 1024 * 1024)) /dev/urandom > "$WORK/input.bin"
"$BIN" "$WORK/input.bin" "$WORK/store"
