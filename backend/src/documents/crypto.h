// Encryption at rest for private documents (OpenSSL EVP, AES-256-GCM).
//
// Keys: each private document gets a fresh random 256-bit data key (DEK). The DEK is
// stored only wrapped by the master key: wrapped = nonce(12) || AES-256-GCM(master,
// nonce, DEK, aad "cx-doc-dek-v1") || tag(16), 60 bytes, nonce random.
// The master key is 32 bytes, given as 64 hex digits in a key file or in the environment
// variable CX_DOC_MASTER_KEY (a key file may also hold the 32 raw bytes).
//
// Content: the plaintext is cut into segments of kPlainSegment = 256 KiB - 16 bytes, each
// sealed on its own: ciphertext || tag(16) = exactly one 256 KiB UnixFS leaf, so a Range
// read decrypts only the segments it touches. Nonce = big-endian segment index (8 bytes)
// || 00 00 00 <1 if last segment else 0>; aad "cx-doc-seg-v1". The index in the nonce
// stops reordering; the last flag stops truncation at a segment boundary (the STREAM
// construction of Hoang, Reyhanitabar, Rogaway and Vizár). An empty plaintext is one
// empty last segment (16 bytes: its tag). Nonces never repeat under one DEK, and a DEK
// seals one document only.
//
// Pure computation except MasterKey loading (reads a file / the environment).
// Thread-safe: free functions and values.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cx::documents {

using Key256 = std::array<uint8_t, 32>;

inline constexpr size_t kTagSize = 16;
inline constexpr size_t kSealedSegment = 256 * 1024;
inline constexpr size_t kPlainSegment = kSealedSegment - kTagSize;
inline constexpr char kMasterKeyEnv[] = "CX_DOC_MASTER_KEY";

struct MasterKey {
  Key256 key{};
  // First 8 bytes of SHA-256(key), hex: names the key in metadata without revealing it.
  std::string id;

  static MasterKey FromBytes(const Key256& key);
  // 64 hex digits (surrounding white space ignored). Error kInvalidField.
  static Result<MasterKey> FromHex(std::string_view hex);
  // A file of 64 hex digits or of 32 raw bytes. Error kIo / kInvalidField.
  static Result<MasterKey> FromFile(const std::string& path);
  // CX_DOC_MASTER_KEY if set (error if malformed), else nullopt.
  static Result<std::optional<MasterKey>> FromEnvironment();
};

// Fresh random key from OpenSSL's CSPRNG.
Key256 RandomKey();

std::string WrapKey(const MasterKey& master, const Key256& dek);
// Error kDecryptFailed when the master key is wrong or `wrapped` was altered.
Result<Key256> UnwrapKey(const MasterKey& master, std::string_view wrapped);

// Seals one segment (plain.size() <= kPlainSegment); returns ciphertext || tag.
std::string SealSegment(const Key256& dek, uint64_t index, bool last, std::string_view plain);
// Opens one sealed segment. Error kDecryptFailed on any authentication failure.
Result<std::string> OpenSegment(const Key256& dek, uint64_t index, bool last,
                                std::string_view sealed);

// Sizes: ciphertext bytes for a plaintext size, and back (error if impossible).
uint64_t SealedSize(uint64_t plain_size);
Result<uint64_t> PlainSize(uint64_t sealed_size);

}  // namespace cx::documents
