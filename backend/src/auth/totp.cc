#include "auth/totp.h"

#include <liboath/oath.h>
#include <qrencode.h>
#include <zlib.h>

#include <cstdlib>
#include <mutex>

#include "auth/mac.h"
#include "core/sha256.h"

namespace cx::auth::totp {
namespace {

constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr int kQuietZone = 4;

void InitOath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) std::abort();  // cannot happen short of a broken install
  });
}

Result<void> CheckParams(std::string_view secret, const Params& p) {
  if (secret.size() < kMinSecretBytes)
    return Err(Code::kInvalidField, "TOTP secret shorter than 128 bits", "secret");
  if (p.digits < 6 || p.digits > 8 || p.period_s <= 0 || p.window < 0 || p.window > 10)
    return Err(Code::kInvalidField, "bad TOTP parameters", "params");
  return Ok();
}

// HOTP value for one counter (RFC 4226), via liboath.
std::string Hotp(std::string_view secret, uint64_t counter, int digits) {
  InitOath();
  char out[16] = {};
  int rc = oath_hotp_generate(secret.data(), secret.size(), counter,
                              static_cast<unsigned>(digits), false,
                              OATH_HOTP_DYNAMIC_TRUNCATION, out);
  if (rc != OATH_OK) return {};
  return std::string(out);
}

Error BadCode(std::string msg) { return Err(Code::kBadCredentials, std::move(msg), "code"); }

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void PutU32(std::string& out, uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

void PngChunk(std::string& out, const char type[4], std::string_view data) {
  PutU32(out, static_cast<uint32_t>(data.size()));
  std::string body(type, 4);
  body.append(data);
  out += body;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  PutU32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kB32[(buf >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kB32[(buf << (5 - bits)) & 31];
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    else return Err(Code::kInvalidField, "not base32", "secret");
    buf = (buf << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buf >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // Leftover bits must be padding zeros (fewer than 5 of them), or the text was cut.
  if (bits >= 5 || (buf & ((1u << bits) - 1)) != 0)
    return Err(Code::kInvalidField, "truncated base32", "secret");
  return out;
}

int64_t StepAt(int64_t unix_time, const Params& p) {
  return unix_time < 0 ? -1 : unix_time / p.period_s;
}

Result<std::string> CodeAt(std::string_view secret, int64_t unix_time, const Params& p) {
  CX_TRY(CheckParams(secret, p));
  if (unix_time < 0) return Err(Code::kInvalidField, "negative time", "time");
  InitOath();
  char out[16] = {};
  int rc = oath_totp_generate2(secret.data(), secret.size(), static_cast<time_t>(unix_time),
                               static_cast<unsigned>(p.period_s), 0,
                               static_cast<unsigned>(p.digits), 0 /* HMAC-SHA-1 */, out);
  if (rc != OATH_OK) return Err(Code::kInternal, oath_strerror(rc));
  return std::string(out);
}

Result<int64_t> Verify(std::string_view secret, std::string_view code, int64_t now,
                       int64_t last_step, const Params& p) {
  CX_TRY(CheckParams(secret, p));
  if (now < 0) return Err(Code::kInvalidField, "negative time", "time");
  if (code.size() != static_cast<size_t>(p.digits)) return BadCode("wrong code");
  for (char c : code)
    if (c < '0' || c > '9') return BadCode("wrong code");
  const int64_t current = StepAt(now, p);
  int64_t matched = -1;
  bool replayed = false;
  for (int64_t step = current - p.window; step <= current + p.window; ++step) {
    if (step < 0) continue;
    std::string expect = Hotp(secret, static_cast<uint64_t>(step), p.digits);
    bool eq = ConstantTimeEquals(expect, code);
    if (!eq) continue;
    if (step <= last_step) replayed = true;
    else if (matched < 0) matched = step;
  }
  if (matched >= 0) return matched;
  return BadCode(replayed ? "code already used" : "wrong code");
}

Result<std::string> OtpauthUri(std::string_view issuer, std::string_view account,
                               std::string_view secret, const Params& p) {
  CX_TRY(CheckParams(secret, p));
  if (issuer.empty() || issuer.find(':') != std::string_view::npos)
    return Err(Code::kInvalidField, "issuer must be non-empty and without ':'", "issuer");
  if (account.empty() || account.find(':') != std::string_view::npos)
    return Err(Code::kInvalidField, "account must be non-empty and without ':'", "account");
  std::string uri = "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(account);
  uri += "?secret=" + Base32Encode(secret);
  uri += "&issuer=" + PercentEncode(issuer);
  uri += "&algorithm=SHA1&digits=" + std::to_string(p.digits);
  uri += "&period=" + std::to_string(p.period_s);
  return uri;
}

Result<QrCode> EncodeQr(std::string_view text) {
  if (text.empty() || text.size() > 2048)
    return Err(Code::kInvalidField, "QR text must be 1..2048 bytes", "text");
  QRcode* qr = QRcode_encodeData(static_cast<int>(text.size()),
                                 reinterpret_cast<const unsigned char*>(text.data()), 0,
                                 QR_ECLEVEL_M);
  if (qr == nullptr) return Err(Code::kInvalidField, "text does not fit a QR code", "text");
  QrCode out;
  out.width = qr->width;
  out.modules.resize(static_cast<size_t>(qr->width) * qr->width);
  for (size_t i = 0; i < out.modules.size(); ++i) out.modules[i] = (qr->data[i] & 1) != 0;
  QRcode_free(qr);
  return out;
}

std::string QrSvg(const QrCode& qr, int module_px) {
  const int size = qr.width + 2 * kQuietZone;
  std::string path;
  for (int y = 0; y < qr.width; ++y)
    for (int x = 0; x < qr.width; ++x)
      if (qr.dark(x, y))
        path += "M" + std::to_string(x + kQuietZone) + "," + std::to_string(y + kQuietZone) +
                "h1v1h-1z";
  const std::string s = std::to_string(size), px = std::to_string(size * module_px);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px +
         "\" viewBox=\"0 0 " + s + " " + s + "\" shape-rendering=\"crispEdges\">"
         "<rect width=\"" + s + "\" height=\"" + s + "\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
}

Result<std::string> QrPng(const QrCode& qr, int module_px) {
  if (module_px < 1 || module_px > 32 || qr.width <= 0)
    return Err(Code::kInvalidField, "module size must be 1..32 px", "module_px");
  const int side = (qr.width + 2 * kQuietZone) * module_px;
  // Raw scanlines: filter byte 0 (None) then one grey byte per pixel.
  std::string raw;
  raw.reserve(static_cast<size_t>(side) * (side + 1));
  for (int py = 0; py < side; ++py) {
    raw += '\0';
    const int my = py / module_px - kQuietZone;
    for (int px = 0; px < side; ++px) {
      const int mx = px / module_px - kQuietZone;
      bool dark = mx >= 0 && my >= 0 && mx < qr.width && my < qr.width && qr.dark(mx, my);
      raw += static_cast<char>(dark ? 0x00 : 0xff);
    }
  }
  uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
  std::string z(zlen, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &zlen,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    return Err(Code::kInternal, "zlib compression failed");
  z.resize(zlen);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  PutU32(ihdr, static_cast<uint32_t>(side));
  PutU32(ihdr, static_cast<uint32_t>(side));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, greyscale, deflate, no interlace
  PngChunk(png, "IHDR", ihdr);
  PngChunk(png, "IDAT", z);
  PngChunk(png, "IEND", "");
  return png;
}

Result<RecoveryCodes> MakeRecoveryCodes(std::span<const uint8_t> random, size_t n) {
  if (n < 1 || n > 64 || random.size() != n * kRecoveryCodeBytes)
    return Err(Code::kInvalidField, "need n * 10 random bytes, 1 <= n <= 64", "random");
  RecoveryCodes out;
  for (size_t i = 0; i < n; ++i) {
    std::string b32 = Base32Encode(std::string_view(
        reinterpret_cast<const char*>(random.data() + i * kRecoveryCodeBytes), kRecoveryCodeBytes));
    std::string code;
    for (size_t j = 0; j < b32.size(); ++j) {
      if (j > 0 && j % 4 == 0) code += '-';
      char c = b32[j];
      code += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    out.hashes.push_back(RecoveryCodeHash(code));
    out.codes.push_back(std::move(code));
  }
  return out;
}

std::string RecoveryCodeHash(std::string_view code) {
  std::string norm;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    norm += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return ToHex(Sha256(norm));
}

Result<size_t> ConsumeRecoveryCode(std::string_view code, std::vector<std::string>& hashes) {
  if (code.size() > 64) return Err(Code::kBadCredentials, "wrong recovery code", "code");
  const std::string h = RecoveryCodeHash(code);
  size_t found = hashes.size();
  for (size_t i = 0; i < hashes.size(); ++i) {
    bool eq = ConstantTimeEquals(hashes[i], h);
    if (eq && found == hashes.size()) found = i;
  }
  if (found == hashes.size()) return Err(Code::kBadCredentials, "wrong recovery code", "code");
  hashes.erase(hashes.begin() + static_cast<std::ptrdiff_t>(found));
  return found;
}

}  // namespace cx::auth::totp
