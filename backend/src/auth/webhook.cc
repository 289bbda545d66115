#include "auth/webhook.h"

#include "auth/mac.h"
#include "core/sha256.h"

namespace cx::auth::webhook {
namespace {

Error Malformed(std::string msg) {
  return Err(Code::kInvalidField, std::move(msg), "signature_header");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Mac(std::string_view payload, std::string_view secret, int64_t t) {
  std::string signed_text = std::to_string(t);
  signed_text += '.';
  signed_text.append(payload);
  return ToHex(HmacSha256(secret, signed_text));
}

}  // namespace

Result<SignatureHeader> ParseSignatureHeader(std::string_view header) {
  if (header.empty() || header.size() > kMaxHeaderBytes) return Malformed("bad header size");
  SignatureHeader out;
  bool have_t = false;
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = Trim(header.substr(start, comma - start));
    start = comma + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) return Malformed("item without key=value");
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "t") {
      if (have_t) return Malformed("more than one t");
      if (value.empty() || value.size() > 12) return Malformed("bad timestamp");
      int64_t t = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return Malformed("bad timestamp");
        t = t * 10 + (c - '0');
      }
      out.timestamp = t;
      have_t = true;
    } else if (key == "v1") {
      if (value.size() != 64) return Malformed("v1 must be 64 hex digits");
      std::string hex(value);
      for (char& c : hex) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
          return Malformed("v1 must be 64 hex digits");
      }
      if (out.v1.size() >= 8) return Malformed("too many v1 signatures");
      out.v1.push_back(std::move(hex));
    }
    // Other schemes are ignored, as Stripe's own libraries do.
  }
  if (!have_t) return Malformed("no t");
  if (out.v1.empty()) return Malformed("no v1 signature");
  return out;
}

std::string SignPayload(std::string_view payload, std::string_view secret, int64_t t) {
  return "t=" + std::to_string(t) + ",v1=" + Mac(payload, secret, t);
}

Result<int64_t> Verify(std::string_view payload, std::string_view header,
                       std::string_view secret, int64_t now, int64_t tolerance_s) {
  CX_ASSIGN_OR_RETURN(SignatureHeader h, ParseSignatureHeader(header));
  const std::string expect = Mac(payload, secret, h.timestamp);
  bool match = false;
  for (const auto& v : h.v1) match |= ConstantTimeEquals(expect, v);  // no early exit
  if (!match) return Err(Code::kBadToken, "no matching webhook signature", "signature");
  if (h.timestamp < now - tolerance_s || h.timestamp > now + tolerance_s)
    return Err(Code::kTokenExpired, "webhook timestamp outside the tolerance", "timestamp");
  return h.timestamp;
}

}  // namespace cx::auth::webhook
