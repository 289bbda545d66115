#include "chain/rlp.h"

namespace cx::chain {
namespace {

Bytes LengthPrefix(size_t len, uint8_t short_base, uint8_t long_base) {
  Bytes out;
  if (len <= 55) {
    out += static_cast<char>(short_base + len);
    return out;
  }
  Bytes be;
  for (size_t v = len; v > 0; v >>= 8) be.insert(be.begin(), static_cast<char>(v & 0xff));
  out += static_cast<char>(long_base + be.size());
  out += be;
  return out;
}

Error Bad(std::string_view field, const std::string& what) {
  return Err(Code::kInvalidField, std::string(field) + ": " + what, std::string(field));
}

// Reads one item header at data[pos]; sets payload offset/length and is_list.
Result<void> ReadHeader(std::string_view data, size_t pos, std::string_view field, bool& is_list,
                        size_t& payload_off, size_t& payload_len) {
  if (pos >= data.size()) return Bad(field, "unexpected end of input");
  auto b = static_cast<uint8_t>(data[pos]);
  size_t remaining = data.size() - pos - 1;
  if (b < 0x80) {
    is_list = false;
    payload_off = pos;
    payload_len = 1;
    return Ok();
  }
  uint8_t short_base = b < 0xc0 ? 0x80 : 0xc0;
  uint8_t long_base = b < 0xc0 ? 0xb7 : 0xf7;
  is_list = b >= 0xc0;
  if (b <= long_base) {
    payload_len = b - short_base;
    payload_off = pos + 1;
    if (payload_len > remaining) return Bad(field, "item runs past end of input");
    if (!is_list && payload_len == 1 && static_cast<uint8_t>(data[pos + 1]) < 0x80)
      return Bad(field, "non-canonical single byte");
    return Ok();
  }
  size_t len_of_len = b - long_base;
  if (len_of_len > remaining) return Bad(field, "length runs past end of input");
  if (len_of_len > sizeof(size_t)) return Bad(field, "length too large");
  if (data[pos + 1] == 0) return Bad(field, "non-canonical length (leading zero)");
  size_t len = 0;
  for (size_t i = 0; i < len_of_len; ++i) len = (len << 8) | static_cast<uint8_t>(data[pos + 1 + i]);
  if (len <= 55) return Bad(field, "non-canonical length (long form for <= 55 bytes)");
  if (len > remaining - len_of_len) return Bad(field, "item runs past end of input");
  payload_off = pos + 1 + len_of_len;
  payload_len = len;
  return Ok();
}

Result<RlpItem> DecodeAt(std::string_view data, size_t pos, size_t& next, int depth, std::string_view field) {
  if (depth > kRlpMaxDepth) return Bad(field, "nesting too deep");
  bool is_list = false;
  size_t off = 0;
  size_t len = 0;
  CX_TRY(ReadHeader(data, pos, field, is_list, off, len));
  next = off + len;
  if (!is_list) return RlpItem::String(Bytes(data.substr(off, len)));
  RlpItem item;
  item.is_list = true;
  std::string_view payload = data.substr(off, len);
  size_t p = 0;
  while (p < payload.size()) {
    size_t n = 0;
    CX_ASSIGN_OR_RETURN(RlpItem child, DecodeAt(payload, p, n, depth + 1, field));
    item.list.push_back(std::move(child));
    p = n;
  }
  return item;
}

}  // namespace

RlpItem RlpItem::Uint(const U256& x) { return String(U256ToMinimalBe(x)); }

Bytes RlpEncodeString(std::string_view s) {
  if (s.size() == 1 && static_cast<uint8_t>(s[0]) < 0x80) return Bytes(s);
  Bytes out = LengthPrefix(s.size(), 0x80, 0xb7);
  out += s;
  return out;
}

Bytes RlpEncodeUint(const U256& x) { return RlpEncodeString(U256ToMinimalBe(x)); }

Bytes RlpEncodeListPayload(std::string_view concatenated) {
  Bytes out = LengthPrefix(concatenated.size(), 0xc0, 0xf7);
  out += concatenated;
  return out;
}

Bytes RlpEncode(const RlpItem& item) {
  if (!item.is_list) return RlpEncodeString(item.str);
  Bytes payload;
  for (const auto& c : item.list) payload += RlpEncode(c);
  return RlpEncodeListPayload(payload);
}

Result<RlpItem> RlpDecode(std::string_view data, std::string_view field) {
  if (data.empty()) return Bad(field, "empty input");
  size_t next = 0;
  CX_ASSIGN_OR_RETURN(RlpItem item, DecodeAt(data, 0, next, 0, field));
  if (next != data.size()) return Bad(field, "trailing bytes after item");
  return item;
}

Result<U256> RlpToUint(const RlpItem& item, std::string_view field) {
  if (item.is_list) return Bad(field, "expected an integer, got a list");
  if (item.str.size() > 32) return Bad(field, "integer longer than 32 bytes");
  if (!item.str.empty() && item.str[0] == 0) return Bad(field, "non-canonical integer (leading zero)");
  return U256FromBe(item.str);
}

Result<uint64_t> RlpToUint64(const RlpItem& item, std::string_view field) {
  CX_ASSIGN_OR_RETURN(U256 v, RlpToUint(item, field));
  if (v > std::numeric_limits<uint64_t>::max()) return Bad(field, "integer exceeds 64 bits");
  return static_cast<uint64_t>(v);
}

}  // namespace cx::chain
