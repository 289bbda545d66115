// End-to-end encryption support for papers encrypted in the browser (KYC documents).
// The server never holds a private key or a plaintext file key: it keeps
//   - each reviewer's ECDH P-256 public key (a JWK {kty:EC, crv:P-256, x, y}), and
//   - per end-to-end document, the client's envelope (JSON: the file's IV and the file key
//     wrapped to each reviewer key; format in README.md "End-to-end envelopes"),
// and hands both out; the browser does all cryptography (WebCrypto).
//
// Pure helpers: Base64UrlDecode/Encode, P256JwkThumbprint (validates the point is on the
// curve, returns the RFC 7638 thumbprint used as key id). E2eStore: files under a
// directory, each written to a temp file, fsynced and renamed (durable before return):
//   keys/<user>.jwk        the user's public JWK (canonical RFC 7638 member order)
//   envelopes/<cid>.json   the envelope of an end-to-end document
// Thread-safety: E2eStore methods may be called from several threads (each write is an
// atomic rename; the last writer of a file wins).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cx::documents {

std::optional<std::string> Base64UrlDecode(std::string_view text);  // unpadded; nullopt on bad input
std::string Base64UrlEncodeBytes(std::string_view bytes);           // unpadded

// Checks x and y (base64url, 32 bytes each) form a point on P-256 and returns the RFC 7638
// thumbprint: base64url(SHA-256('{"crv":"P-256","kty":"EC","x":"<x>","y":"<y>"}')).
// kInvalidField ("jwk") when they do not.
Result<std::string> P256JwkThumbprint(std::string_view x, std::string_view y);
// The canonical JWK text for a validated key (RFC 7638 member order).
std::string CanonicalP256Jwk(std::string_view x, std::string_view y);

class E2eStore {
 public:
  static Result<E2eStore> Open(std::string dir);

  Result<void> PutRecipientKey(int64_t user, std::string_view jwk_json);
  Result<std::optional<std::string>> GetRecipientKey(int64_t user) const;
  Result<void> DeleteRecipientKey(int64_t user);
  // Every registered key: (user id, JWK text), by user id.
  Result<std::vector<std::pair<int64_t, std::string>>> ListRecipientKeys() const;

  Result<void> PutEnvelope(std::string_view cid, std::string_view envelope_json);
  Result<std::optional<std::string>> GetEnvelope(std::string_view cid) const;
  // Erasure: the file key exists only wrapped in the envelope, so deleting it leaves the
  // ciphertext unreadable by anyone (crypto-shredding); the blocks may stay.
  Result<void> DeleteEnvelope(std::string_view cid);

  const std::string& dir() const { return dir_; }

 private:
  explicit E2eStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace cx::documents
