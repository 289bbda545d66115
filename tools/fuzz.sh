#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan + UBSan, coverage on all our code) and
# runs each for FUZZ_SECONDS (default 60). Crashes are saved under build-fuzz/crashes/.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
B="$ROOT/build-fuzz"
SECS="${FUZZ_SECONDS:-60}"
FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1"
cmake -S "$ROOT/backend" -B "$B" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$FLAGS" -DCMAKE_C_FLAGS="$FLAGS" \
  -DCX_ONLY="core;registry;importers;documents;ml;auth;chain;api" >/dev/null || exit 1
ninja -C "$B" cx_registry_fuzz cx_importers_fuzz cx_documents_fuzz cx_ml_fuzz \
  cx_siwe_fuzz cx_api_key_fuzz cx_json_request_fuzz \
  cx_rlp_fuzz cx_abi_fuzz cx_chain_rpc_fuzz || exit 1
mkdir -p "$B/crashes"
rc=0
for t in $(find "$B" -maxdepth 2 -type f -name 'cx_*_fuzz' | sort); do
  name="$(basename "$t")"
  corpus="$B/corpus/$name"
  mkdir -p "$corpus"
  case "$name" in
    cx_importers_fuzz)
      # Seed with the committed rows, each prefixed by a target byte (see fuzz_csv.cc).
      i=0; for f in "$ROOT"/backend/src/importers/testdata/*/*.csv; do
        printf "\\x$(printf %02x $((i % 21)))" > "$corpus/seed$i"; cat "$f" >> "$corpus/seed$i"; i=$((i + 1)); done ;;
    cx_ml_fuzz) { printf '\x00'; head -100 "$ROOT/ml/data/bct_daily_2021_2022.csv"; } > "$corpus/seed0" ;;
    cx_siwe_fuzz)  # ethers-signed vectors: message, NUL, signature (see fuzz_siwe.cc)
      python3 - "$ROOT/backend/src/auth/testdata/siwe_vectors.txt" "$corpus" <<'PY'
import sys
for i, line in enumerate(open(sys.argv[1])):
    name, _, msg, sig = line.rstrip("\n").split("\t")
    open(f"{sys.argv[2]}/seed{i}", "wb").write(bytes.fromhex(msg) + b"\0" + sig.encode())
PY
      ;;
    cx_api_key_fuzz) cp "$ROOT/backend/src/auth/testdata/fuzz_api_key_seed.txt" "$corpus/seed0" ;;
    cx_json_request_fuzz) cp "$ROOT"/backend/src/api/testdata/json_requests/*.json "$corpus/" ;;
    cx_chain_rpc_fuzz) cp "$ROOT"/backend/src/chain/testdata/rpc_responses/*.bin "$corpus/" ;;  # selector byte + node answer (fuzz_rpc.cc)
    cx_rlp_fuzz|cx_abi_fuzz)  # ethers-signed txs / ABI call bodies (see fuzz_rlp.cc, fuzz_abi.cc)
      python3 - "$ROOT/backend/src/chain/testdata/ethers_vectors.json" "$corpus" "$name" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[3] == "cx_rlp_fuzz":
    seeds = [bytes.fromhex(c["raw"][2:]) for k in ("legacy", "eip1559") for c in d[k]]
else:
    seeds = [bytes([i % 22]) + bytes.fromhex(c["data"][10:]) for i, c in enumerate(a for a in d["abi"] if a["kind"] == "call")]
for i, s in enumerate(seeds):
    open(f"{sys.argv[2]}/seed{i}", "wb").write(s)
PY
      ;;
  esac
  echo "fuzz: $name for ${SECS}s"
  "$t" -max_total_time="$SECS" -artifact_prefix="$B/crashes/$name-" -print_final_stats=1 "$corpus" 2>&1 | tail -12
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: $name FAILED"; rc=1; }
done
exit $rc
