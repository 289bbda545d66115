#!/usr/bin/env bash
# Personal-data vault (issue 4, privacy): pii_new_subject_per_s and pii_shred_per_s (each a
# durable SQLite commit with secure_delete), pii_seal_per_s / pii_unseal_per_s (AES-256-GCM
# of a typical user record, data key cached), pii_email_index_per_s (HMAC-SHA256),
# pii_person_cached_per_s (the resolver app code calls). One thread, BENCH_SECONDS each.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" -j1 cx_pii_bench >/dev/null || { echo "cx_pii_bench does not build" >&2; exit 1; }
dir="$(mktemp -d)"
"$BUILD/app/cx_pii_bench" "$dir/vault" "${BENCH_SECONDS:-1}"; rc=$?
rm -rf "$dir"
exit $rc
