#!/usr/bin/env bash
# Chain primitives (issue 9): chain_sign_per_s (RFC 6979 secp256k1 signatures of a 32-byte
# digest), chain_recover_per_s (signer recovery), chain_tx_sign_per_s (EIP-1559 encode +
# sign + hash) -- one thread each -- and the keystore v3 decrypt time at scrypt n = 2^17
# (ethers' default) and n = 2^18 (geth's default).
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
ninja -C "$BUILD" cx_chain_bench >/dev/null || exit 1
"$BUILD/chain/cx_chain_bench"
