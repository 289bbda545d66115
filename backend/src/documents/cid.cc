#include "documents/cid.h"

#include <cstring>

#include "documents/errors.h"

namespace cx::documents {

namespace {
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
constexpr uint8_t kVersion1 = 0x01;
constexpr uint8_t kSha256 = 0x12;
constexpr uint8_t kSha256Len = 0x20;
}  // namespace

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool ReadVarint(std::string_view in, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= in.size()) return false;
    uint8_t b = static_cast<uint8_t>(in[pos++]);
    if (shift == 63 && b > 1) return false;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

bool Base32Decode(std::string_view text, std::string& out) {
  out.clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'a' && ch <= 'z') v = ch - 'a';
    else if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
    else return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  // Leftover bits must be zero padding (fewer than 5 of them).
  return (buffer & ((1u << bits) - 1)) == 0;
}

Cid Cid::Of(Codec codec, std::string_view block) {
  return Cid{codec, Sha256(block)};
}

std::string Cid::Bytes() const {
  std::string out;
  out.reserve(36);
  out.push_back(static_cast<char>(kVersion1));
  out.push_back(static_cast<char>(codec));
  out.push_back(static_cast<char>(kSha256));
  out.push_back(static_cast<char>(kSha256Len));
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

std::string Cid::ToString() const { return "b" + Base32Encode(Bytes()); }

Result<Cid> Cid::FromBytes(std::string_view b) {
  size_t pos = 0;
  uint64_t version = 0, codec = 0, hash = 0, len = 0;
  if (!ReadVarint(b, pos, version) || !ReadVarint(b, pos, codec) ||
      !ReadVarint(b, pos, hash) || !ReadVarint(b, pos, len)) {
    return Err(kBadCid, "truncated CID");
  }
  if (version != 1) return Err(kBadCid, "only CIDv1 is supported", "cid");
  if (codec != static_cast<uint64_t>(Codec::kRaw) &&
      codec != static_cast<uint64_t>(Codec::kDagPb)) {
    return Err(kBadCid, "unsupported codec (want raw 0x55 or dag-pb 0x70)", "cid");
  }
  if (hash != kSha256 || len != kSha256Len) {
    return Err(kBadCid, "unsupported multihash (want sha2-256)", "cid");
  }
  if (b.size() - pos != 32) return Err(kBadCid, "CID digest has the wrong length", "cid");
  Cid c;
  c.codec = static_cast<Codec>(codec);
  std::memcpy(c.digest.data(), b.data() + pos, 32);
  return c;
}

Result<Cid> Cid::Parse(std::string_view text) {
  if (text.empty()) return Err(kBadCid, "empty CID", "cid");
  if (text[0] != 'b' && text[0] != 'B') {
    if (text.size() == 46 && text.substr(0, 2) == "Qm") {
      return Err(kBadCid, "CIDv0 is not supported; use CIDv1 base32", "cid");
    }
    return Err(kBadCid, "unsupported multibase (want base32 'b')", "cid");
  }
  if (text.size() > 128) return Err(kBadCid, "CID too long", "cid");
  std::string bytes;
  if (!Base32Decode(text.substr(1), bytes)) return Err(kBadCid, "bad base32 in CID", "cid");
  return FromBytes(bytes);
}

}  // namespace cx::documents
