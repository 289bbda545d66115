// CIDv1 values as IPFS prints them: multibase 'b' (RFC 4648 base32, lower case, no
// padding) over <version 0x01><codec varint><multihash 0x12 0x20 <sha2-256 digest>>.
// Only the two codecs of a UnixFS file DAG with raw leaves are supported: raw (0x55) for
// leaves and dag-pb (0x70) for interior nodes; the hash is always sha2-256.
// Pure computation, no I/O. Thread-safe: plain values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sha256.h"

namespace cx::documents {

enum class Codec : uint8_t { kRaw = 0x55, kDagPb = 0x70 };

struct Cid {
  Codec codec = Codec::kRaw;
  Hash256 digest{};

  // CID of `block` under `codec`: sha2-256 over the block bytes.
  static Cid Of(Codec codec, std::string_view block);
  // Binary form, 36 bytes: 01 <codec> 12 20 <digest>.
  std::string Bytes() const;
  // "bafk..." (raw) or "bafy..." (dag-pb).
  std::string ToString() const;
  // Parses the string form; also accepts upper case 'B' multibase. Error kBadCid.
  static Result<Cid> Parse(std::string_view text);
  // Parses the binary form (exactly one CID, no trailing bytes). Error kBadCid.
  static Result<Cid> FromBytes(std::string_view bytes);

  friend bool operator==(const Cid&, const Cid&) = default;
  friend auto operator<=>(const Cid& a, const Cid& b) {
    if (a.codec != b.codec) return a.codec <=> b.codec;
    return a.digest <=> b.digest;
  }
};

// Unsigned LEB128 varint as used by multiformats and protobuf.
void AppendVarint(std::string& out, uint64_t v);
// Reads a varint at `pos`, advancing it; false on truncation or more than 10 bytes.
bool ReadVarint(std::string_view in, size_t& pos, uint64_t& v);

std::string Base32Encode(std::string_view bytes);
// False on a character outside the lower- or upper-case RFC 4648 alphabet.
bool Base32Decode(std::string_view text, std::string& out);

}  // namespace cx::documents
