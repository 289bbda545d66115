#!/usr/bin/env bash
# Security primitives (issue 4): siwe_verify_per_s (parse + checks + Keccak-256 + secp256k1
# recovery of one personal_sign signature) and api_key_sign_and_verify_per_s. One thread.
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" cx_siwe_bench >/dev/null || exit 1
"$BUILD/auth/cx_siwe_bench" "${BENCH_SECONDS:-3}"
