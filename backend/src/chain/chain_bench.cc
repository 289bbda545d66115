// Prints BENCH lines for tools/bench/chain-crypto.sh: ECDSA signatures and recoveries per
// second (one core), EIP-1559 transactions signed per second, and keystore decrypt time
// (scrypt n = 2^17, ethers' default, and n = 2^18 as geth writes by default).
#include <chrono>
#include <cstdio>

#include "chain/keccak.h"
#include "chain/keystore.h"
#include "chain/sign.h"
#include "chain/tx.h"

using namespace cx::chain;  // NOLINT(google-build-using-namespace): a small benchmark
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

}  // namespace

int main() {
  auto key = GeneratePrivateKey();
  if (!key.ok()) return 1;
  constexpr int kSigs = 4000;
  Hash32 d = Keccak256("bench");
  auto t0 = Clock::now();
  Signature last;
  for (int i = 0; i < kSigs; ++i) {
    d.bytes[0] = static_cast<uint8_t>(i);
    d.bytes[1] = static_cast<uint8_t>(i >> 8);
    auto s = SignDigest(d, *key);
    if (!s.ok()) return 1;
    last = *s;
  }
  std::printf("BENCH chain_sign_per_s %.0f ops/s\n", kSigs / Seconds(t0));
  t0 = Clock::now();
  for (int i = 0; i < kSigs; ++i) {
    auto a = RecoverAddress(d, last);
    if (!a.ok()) return 1;
  }
  std::printf("BENCH chain_recover_per_s %.0f ops/s\n", kSigs / Seconds(t0));
  TxFields tx;
  tx.chain_id = 31337;
  tx.to = *AddressOf(*key);
  tx.max_fee_per_gas = 2000000000;
  tx.max_priority_fee_per_gas = 1000000000;
  tx.data = std::string(68, '\x01');
  t0 = Clock::now();
  for (int i = 0; i < kSigs; ++i) {
    tx.nonce = static_cast<uint64_t>(i);
    auto s = SignTx(tx, *key);
    if (!s.ok()) return 1;
  }
  std::printf("BENCH chain_tx_sign_per_s %.0f ops/s\n", kSigs / Seconds(t0));
  for (uint64_t n : {uint64_t{1} << 17, uint64_t{1} << 18}) {
    ScryptParams p;
    p.n = n;
    auto ks = EncryptKeystore(*key, "bench password", p);
    if (!ks.ok()) return 1;
    t0 = Clock::now();
    auto k = DecryptKeystore(*ks, "bench password");
    if (!k.ok()) return 1;
    std::printf("BENCH chain_keystore_decrypt_n%llu_ms %.0f ms\n", static_cast<unsigned long long>(n), Seconds(t0) * 1000);
  }
  return 0;
}
