// Benchmark: full SIWE verification (parse, checks, Keccak-256, secp256k1 recovery) of a
// freshly signed message, and API-key request verification. Prints
//   BENCH siwe_verify_per_s <n> ops/s
//   BENCH api_key_verify_per_s <n> ops/s
// Single thread. Reads the clock only to time itself.
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "auth/api_key.h"
#include "auth/siwe.h"

using namespace cx::auth;
using Clock = std::chrono::steady_clock;

template <typename F>
double OpsPerSecond(F&& op, double min_seconds) {
  int64_t n = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 50; ++i) op(n++);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < min_seconds);
  return static_cast<double>(n) / elapsed;
}

int main(int argc, char** argv) {
  const double secs = argc > 1 ? std::strtod(argv[1], nullptr) : 2.0;
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  unsigned char seckey[32];
  std::memset(seckey, 0x11, sizeof seckey);
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(ctx, &pub, seckey)) return 1;
  unsigned char ser[65];
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  const cx::Hash256 kh = siwe::Keccak256(std::string_view(reinterpret_cast<char*>(ser + 1), 64));
  std::array<uint8_t, 20> addr;
  std::memcpy(addr.data(), kh.data() + 12, 20);

  siwe::Message m;
  m.domain = "carbonx.example";
  m.address = siwe::ChecksumAddress(addr);
  m.statement = "Sign in to CarbonXchange.";
  m.uri = "https://carbonx.example/login";
  m.version = "1";
  m.chain_id = 1;
  m.nonce = "benchNonce12345";
  m.issued_at = "2026-11-28T10:00:00.000Z";
  m.expiration_time = "2026-11-28T10:10:00.000Z";
  const std::string text = siwe::Format(m);
  const cx::Hash256 digest = siwe::PersonalMessageHash(text);
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_sign_recoverable(ctx, &rsig, digest.data(), seckey, nullptr, nullptr))
    return 1;
  unsigned char compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, compact, &recid, &rsig);
  std::string sig_bytes(reinterpret_cast<char*>(compact), 64);
  sig_bytes += static_cast<char>(27 + recid);
  const std::string sig = "0x" + cx::ToHex(reinterpret_cast<const uint8_t*>(sig_bytes.data()), 65);
  secp256k1_context_destroy(ctx);

  const auto lookup = [](std::string_view) { return true; };
  auto check = siwe::Verify(text, sig, "carbonx.example", std::nullopt, 1, 1795860000, lookup);
  if (!check.ok()) {
    std::fprintf(stderr, "siwe bench: self-check failed: %s\n", check.error().message.c_str());
    return 1;
  }
  int failures = 0;
  const double siwe_rate = OpsPerSecond([&](int64_t) {
    failures += !siwe::Verify(text, sig, "carbonx.example", std::nullopt, 1, 1795860000, lookup).ok();
  }, secs);

  auto authority = *apikey::ApiKeyAuthority::Create(std::string(32, 'k'));
  const uint8_t rnd[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto key = *authority.Issue(rnd, 1, {apikey::Scope::kTrade}, 0, 0, {});
  const std::string body = R"({"instrument":7,"side":"buy","qty":"10.000","price":"12.50"})";
  apikey::ReplayCache cache(1'000'000);
  const int64_t base_ms = 1795860000000;
  const double api_rate = OpsPerSecond([&](int64_t i) {
    // Distinct timestamps, as in real traffic (after 20000 the replay cache refuses them,
    // which costs the same work). The client's signing is timed too, hence the name.
    const int64_t ts = base_ms + (i % 20000);
    const std::string ts_s = std::to_string(ts);
    const std::string sig = apikey::SignRequest(key.secret, ts, "POST", "/api/v1/orders", body);
    apikey::SignedRequest req{key.record.key_id, ts_s, sig, "POST", "/api/v1/orders", body};
    auto r = authority.Verify(key.record, req, "203.0.113.1", apikey::Scope::kTrade,
                              base_ms + 10000, cache);
    failures += !r.ok() && r.error().field != "replay";
  }, secs / 2);
  if (failures) {
    std::fprintf(stderr, "bench: %d verifications failed\n", failures);
    return 1;
  }
  std::printf("BENCH siwe_verify_per_s %.0f ops/s\n", siwe_rate);
  std::printf("BENCH api_key_sign_and_verify_per_s %.0f ops/s\n", api_rate);
  return 0;
}
