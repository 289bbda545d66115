// libFuzzer target for the API-key request-signature check and the webhook signature
// header (clang only; `make fuzz`). Input: fields separated by '\n' -- key id, timestamp,
// signature, method, target, client ip, then the body (rest). Invariants: no crash; a
// request is accepted only if its signature is the one SignRequest computes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/api_key.h"
#include "auth/webhook.h"

using namespace cx::auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const apikey::ApiKeyAuthority auth = *apikey::ApiKeyAuthority::Create(std::string(32, 'k'));
  static const apikey::ApiKeyRecord rec = [] {
    const uint8_t rnd[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    auto k = auth.Issue(rnd, 1, {apikey::Scope::kRead, apikey::Scope::kTrade}, 0, 0,
                        {*apikey::ParseCidr("10.0.0.0/8"), *apikey::ParseCidr("2001:db8::/32")});
    return k->record;
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> f;
  while (f.size() < 6) {
    size_t nl = in.find('\n');
    if (nl == std::string_view::npos) break;
    f.push_back(in.substr(0, nl));
    in.remove_prefix(nl + 1);
  }
  f.resize(6);
  apikey::SignedRequest req{f[0].empty() ? std::string_view(rec.key_id) : f[0], f[1], f[2],
                            f[3], f[4], in};
  apikey::ReplayCache cache(16);
  const int64_t now_ms = 1795860000000;
  auto r = auth.Verify(rec, req, f[5], apikey::Scope::kRead, now_ms, cache);
  if (r.ok()) {
    // Only a correctly signed request may pass.
    int64_t ts = std::stoll(std::string(f[1]));
    std::string want = apikey::SignRequest(auth.SecretFor(rec.key_id), ts, f[3], f[4], in);
    std::string got(f[2]);
    for (char& c : got) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (want != got) std::abort();
  }
  (void)apikey::ParseCidr(f[5]);
  (void)webhook::Verify(in, f[2], "whsec", 1795860000);
  (void)webhook::ParseSignatureHeader(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
