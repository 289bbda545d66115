#include "auth/siwe.h"

#include <cryptopp/keccak.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>

namespace cx::auth::siwe {
namespace {

constexpr std::string_view kHeaderSuffix = " wants you to sign in with your Ethereum account:";

Error Bad(std::string msg) { return Err(Code::kInvalidField, std::move(msg), "message"); }
Error BadSig(std::string msg) { return Err(Code::kBadToken, std::move(msg), "signature"); }

bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char c) { return c != '\0' && std::strchr("!$&'()*+,;=", c) != nullptr; }
bool IsGenDelim(char c) { return c != '\0' && std::strchr(":/?#[]@", c) != nullptr; }

// Every character is in `ok` or a %HH escape (when pct is true).
template <typename Pred>
bool AllChars(std::string_view s, Pred ok, bool pct) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (pct && s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      if (!IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!ok(s[i])) return false;
  }
  return true;
}

bool IsScheme(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  for (char c : s)
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// RFC 3986 URI: scheme ":" then URI characters (reserved, unreserved, %HH).
bool IsUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || !IsScheme(s.substr(0, colon))) return false;
  return AllChars(s.substr(colon + 1),
                  [](char c) { return IsUnreserved(c) || IsSubDelim(c) || IsGenDelim(c); }, true);
}

// RFC 3986 authority: [userinfo "@"] host [":" port], host a reg-name or [IP-literal].
bool IsAuthority(std::string_view s) {
  if (s.empty()) return false;
  size_t at = s.rfind('@');
  if (at != std::string_view::npos) {
    if (!AllChars(s.substr(0, at),
                  [](char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':'; }, true))
      return false;
    s.remove_prefix(at + 1);
  }
  std::string_view host = s, port;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : s.substr(1, close - 1))
      if (!IsHex(c) && c != ':' && c != '.') return false;
    host = s.substr(0, close + 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port = rest.substr(1);
    }
  } else {
    size_t colon = s.rfind(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
    }
    if (host.empty() ||
        !AllChars(host, [](char c) { return IsUnreserved(c) || IsSubDelim(c); }, true))
      return false;
  }
  for (char c : port)
    if (!IsDigit(c)) return false;
  return port.size() <= 5;
}

bool IsStatement(std::string_view s) {
  return AllChars(
      s, [](char c) { return IsUnreserved(c) || IsSubDelim(c) || IsGenDelim(c) || c == ' '; },
      false);
}

bool IsPchars(std::string_view s) {
  return AllChars(
      s, [](char c) { return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@'; }, true);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// "Key: value" line -> value, or nullopt when the prefix does not match.
std::optional<std::string_view> Field(std::string_view line, std::string_view key) {
  if (line.size() < key.size() || line.substr(0, key.size()) != key) return std::nullopt;
  return line.substr(key.size());
}

bool ParseChainId(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;  // < 10^19 fits uint64
  out = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

Result<int64_t> ParseRfc3339Ms(std::string_view s) {
  auto bad = [&] { return Err(Code::kInvalidField, "not an RFC 3339 date-time", "message"); };
  int Y, M, D, h, m, sec;
  if (!Digits(s, 0, 4, Y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, M) ||
      s[7] != '-' || !Digits(s, 8, 2, D) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, m) || s[16] != ':' ||
      !Digits(s, 17, 2, sec))
    return bad();
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
  if (M < 1 || M > 12 || D < 1 || D > kDays[M - 1] + (M == 2 && leap ? 1 : 0) || h > 23 ||
      m > 59 || sec > 60)
    return bad();
  size_t i = 19;
  int64_t ms = 0;
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    int scale = 100;
    while (i < s.size() && IsDigit(s[i])) {
      ms += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return bad();
  }
  if (i >= s.size()) return bad();
  int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int oh, om;
    if (!Digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, om) || oh > 23 || om > 59)
      return bad();
    offset_min = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  const int64_t days = DaysFromCivil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D));
  const int64_t secs = days * 86400 + h * 3600 + m * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

Result<Message> Parse(std::string_view text) {
  if (text.size() > kMaxMessageBytes) return Bad("message too long");
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  Message m;
  size_t li = 0;
  auto next = [&]() -> std::optional<std::string_view> {
    if (li >= lines.size()) return std::nullopt;
    return lines[li++];
  };

  // Header line: [scheme "://"] domain " wants you to sign in ...:".
  std::string_view head = *next();
  if (head.size() <= kHeaderSuffix.size() ||
      head.substr(head.size() - kHeaderSuffix.size()) != kHeaderSuffix)
    return Bad("missing SIWE header line");
  head.remove_suffix(kHeaderSuffix.size());
  if (size_t sep = head.find("://"); sep != std::string_view::npos) {
    if (!IsScheme(head.substr(0, sep))) return Bad("bad scheme");
    m.scheme = std::string(head.substr(0, sep));
    head.remove_prefix(sep + 3);
  }
  if (!IsAuthority(head)) return Bad("bad domain");
  m.domain = std::string(head);

  auto addr = next();
  if (!addr || addr->size() != 42 || addr->substr(0, 2) != "0x") return Bad("bad address");
  for (char c : addr->substr(2))
    if (!IsHex(c)) return Bad("bad address");
  if (!IsChecksumAddress(*addr)) return Bad("address fails its EIP-55 checksum");
  m.address = std::string(*addr);

  if (auto blank = next(); !blank || !blank->empty()) return Bad("expected a blank line");
  // [statement LF] LF: either "<statement>", "" or "", "" (statement absent), and an
  // empty statement gives "", "", "".
  auto s1 = next();
  if (!s1) return Bad("truncated message");
  if (!s1->empty()) {
    if (!IsStatement(*s1)) return Bad("statement has characters outside the grammar");
    m.statement = std::string(*s1);
    if (auto b = next(); !b || !b->empty()) return Bad("expected a blank line after statement");
  } else if (li < lines.size() && lines[li].empty()) {
    m.statement = std::string();
    ++li;
  }

  auto need = [&](std::string_view key) -> Result<std::string_view> {
    auto line = next();
    if (!line) return Bad("missing " + std::string(key));
    auto v = Field(*line, key);
    if (!v) return Bad("expected " + std::string(key));
    return *v;
  };
  CX_ASSIGN_OR_RETURN(std::string_view uri, need("URI: "));
  if (!IsUri(uri)) return Bad("bad URI");
  m.uri = std::string(uri);
  CX_ASSIGN_OR_RETURN(std::string_view version, need("Version: "));
  if (version != "1") return Bad("unsupported version");
  m.version = "1";
  CX_ASSIGN_OR_RETURN(std::string_view chain, need("Chain ID: "));
  if (!ParseChainId(chain, m.chain_id)) return Bad("bad chain id");
  CX_ASSIGN_OR_RETURN(std::string_view nonce, need("Nonce: "));
  if (nonce.size() < 8) return Bad("nonce shorter than 8 characters");
  for (char c : nonce)
    if (!IsAlpha(c) && !IsDigit(c)) return Bad("nonce must be alphanumeric");
  m.nonce = std::string(nonce);
  CX_ASSIGN_OR_RETURN(std::string_view issued, need("Issued At: "));
  CX_ASSIGN_OR_RETURN(m.issued_at_ms, ParseRfc3339Ms(issued));
  m.issued_at = std::string(issued);

  // Optional fields, each at most once and in this order.
  if (li < lines.size()) {
    if (auto v = Field(lines[li], "Expiration Time: ")) {
      CX_ASSIGN_OR_RETURN(int64_t ms, ParseRfc3339Ms(*v));
      m.expiration_time = std::string(*v);
      m.expiration_ms = ms;
      ++li;
    }
  }
  if (li < lines.size()) {
    if (auto v = Field(lines[li], "Not Before: ")) {
      CX_ASSIGN_OR_RETURN(int64_t ms, ParseRfc3339Ms(*v));
      m.not_before = std::string(*v);
      m.not_before_ms = ms;
      ++li;
    }
  }
  if (li < lines.size()) {
    if (auto v = Field(lines[li], "Request ID: ")) {
      if (!IsPchars(*v)) return Bad("bad request id");
      m.request_id = std::string(*v);
      ++li;
    }
  }
  if (li < lines.size() && lines[li] == "Resources:") {
    ++li;
    while (li < lines.size()) {
      auto r = Field(lines[li], "- ");
      if (!r || !IsUri(*r)) return Bad("bad resource");
      m.resources.emplace_back(*r);
      ++li;
    }
  }
  if (li != lines.size()) return Bad("unexpected line " + std::to_string(li + 1));
  return m;
}

std::string Format(const Message& m) {
  std::string s;
  if (!m.scheme.empty()) s += m.scheme + "://";
  s += m.domain;
  s += kHeaderSuffix;
  s += "\n" + m.address + "\n\n";
  if (m.statement) s += *m.statement + "\n";
  s += "\nURI: " + m.uri + "\nVersion: " + m.version +
       "\nChain ID: " + std::to_string(m.chain_id) + "\nNonce: " + m.nonce +
       "\nIssued At: " + m.issued_at;
  if (m.expiration_time) s += "\nExpiration Time: " + *m.expiration_time;
  if (m.not_before) s += "\nNot Before: " + *m.not_before;
  if (m.request_id) s += "\nRequest ID: " + *m.request_id;
  if (!m.resources.empty()) {
    s += "\nResources:";
    for (const auto& r : m.resources) s += "\n- " + r;
  }
  return s;
}

Hash256 Keccak256(std::string_view data) {
  // Keccak_256 is the pre-standard Keccak (padding 0x01) that Ethereum uses; SHA3_256
  // (padding 0x06) would give different digests.
  CryptoPP::Keccak_256 h;
  h.Update(reinterpret_cast<const CryptoPP::byte*>(data.data()), data.size());
  Hash256 out;
  h.Final(out.data());
  return out;
}

Hash256 PersonalMessageHash(std::string_view message) {
  std::string pre = "\x19" "Ethereum Signed Message:\n" + std::to_string(message.size());
  pre.append(message);
  return Keccak256(pre);
}

std::string ChecksumAddress(const std::array<uint8_t, 20>& addr) {
  const std::string lower = ToHex(addr.data(), addr.size());
  const Hash256 h = Keccak256(lower);
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    char c = lower[i];
    const int nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 15);
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

bool IsChecksumAddress(std::string_view s) {
  if (s.size() != 42 || s.substr(0, 2) != "0x") return false;
  std::string raw;
  if (!FromHexBytes(s.substr(2), raw) || raw.size() != 20) return false;
  std::array<uint8_t, 20> a;
  std::memcpy(a.data(), raw.data(), 20);
  return ChecksumAddress(a) == s;
}

Result<std::string> RecoverPersonalSigner(std::string_view message,
                                          std::string_view signature_hex) {
  if (signature_hex.size() >= 2 && signature_hex[0] == '0' &&
      (signature_hex[1] == 'x' || signature_hex[1] == 'X'))
    signature_hex.remove_prefix(2);
  std::string sig;
  if (signature_hex.size() != 130 || !FromHexBytes(signature_hex, sig) || sig.size() != 65)
    return BadSig("signature must be 65 bytes of hex");
  const auto* b = reinterpret_cast<const unsigned char*>(sig.data());
  int v = b[64];
  if (v == 27 || v == 28) v -= 27;
  if (v != 0 && v != 1) return BadSig("signature v must be 27 or 28");
  const secp256k1_context* ctx = secp256k1_context_static;
  secp256k1_ecdsa_recoverable_signature rsig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, b, v))
    return BadSig("signature r or s out of range");
  secp256k1_ecdsa_signature plain;
  secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, &rsig);
  if (secp256k1_ecdsa_signature_normalize(ctx, nullptr, &plain))
    return BadSig("signature s is in the upper half of the order (EIP-2)");
  const Hash256 digest = PersonalMessageHash(message);
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(ctx, &pub, &rsig, digest.data()))
    return BadSig("no public key recovers from this signature");
  unsigned char ser[65];
  size_t len = sizeof ser;
  secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  const Hash256 kh = Keccak256(std::string_view(reinterpret_cast<const char*>(ser + 1), 64));
  std::array<uint8_t, 20> addr;
  std::memcpy(addr.data(), kh.data() + 12, 20);
  return ChecksumAddress(addr);
}

Result<std::string> MakeNonce(std::span<const uint8_t> random) {
  if (random.size() < 8) return Err(Code::kInvalidField, "nonce needs >= 8 random bytes", "random");
  return ToHex(random.data(), random.size());
}

Result<Message> Verify(std::string_view message, std::string_view signature_hex,
                       std::string_view expected_domain,
                       std::optional<std::string_view> expected_uri,
                       uint64_t expected_chain_id, int64_t now,
                       const NonceLookup& nonce_outstanding, int64_t max_skew_s) {
  CX_ASSIGN_OR_RETURN(Message m, Parse(message));
  if (!EqualsIgnoreCase(m.domain, expected_domain))
    return Err(Code::kBadToken, "message is for another domain", "domain");
  if (expected_uri && m.uri != *expected_uri)
    return Err(Code::kBadToken, "message is for another URI", "uri");
  if (m.chain_id != expected_chain_id)
    return Err(Code::kBadToken, "message is for another chain", "chain_id");
  const int64_t now_ms = now * 1000, skew_ms = max_skew_s * 1000;
  if (m.issued_at_ms > now_ms + skew_ms)
    return Err(Code::kBadToken, "message issued in the future", "issued_at");
  if (m.expiration_ms && now_ms >= *m.expiration_ms)
    return Err(Code::kTokenExpired, "message expired", "expiration_time");
  if (m.not_before_ms && now_ms + skew_ms < *m.not_before_ms)
    return Err(Code::kBadToken, "message not yet valid", "not_before");
  if (!nonce_outstanding || !nonce_outstanding(m.nonce))
    return Err(Code::kBadToken, "unknown or already used nonce", "nonce");
  CX_ASSIGN_OR_RETURN(std::string signer, RecoverPersonalSigner(message, signature_hex));
  if (signer != m.address)
    return Err(Code::kBadCredentials, "signature is by another address", "signature");
  return m;
}

}  // namespace cx::auth::siwe
