#include "documents/e2e.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/sha256.h"

namespace cx::documents {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kMaxFileBytes = 64 * 1024;

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string Errno() { return std::strerror(errno); }  // NOLINT(concurrency-mt-unsafe): message only

Result<void> MkDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Err(Code::kIo, "mkdir " + path + ": " + Errno());
  return Ok();
}

// temp file, write, fsync, rename, fsync the directory: durable before return.
Result<void> WriteDurably(const std::string& dir, const std::string& name, std::string_view text) {
  static std::atomic<uint64_t> counter{0};
  std::string path = dir + "/" + name;
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Err(Code::kIo, "create " + tmp + ": " + Errno());
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Err(Code::kIo, "write " + path + ": " + Errno());
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

Result<std::optional<std::string>> ReadSmall(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Err(Code::kIo, "open " + path + ": " + Errno());
  }
  std::string out;
  std::array<char, 8192> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      ::close(fd);
      return Err(Code::kIo, "read " + path + ": " + Errno());
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
    if (out.size() > kMaxFileBytes) break;
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

bool SafeName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffU));
    }
  }
  if (bits > 0 && (acc & ((1U << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

std::string Base64UrlEncodeBytes(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : bytes) {
    acc = (acc << 8) | static_cast<uint8_t>(ch);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3fU]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3fU]);
  return out;
}

std::string CanonicalP256Jwk(std::string_view x, std::string_view y) {
  std::string s = R"({"crv":"P-256","kty":"EC","x":")";
  s.append(x);
  s += R"(","y":")";
  s.append(y);
  s += "\"}";
  return s;
}

Result<std::string> P256JwkThumbprint(std::string_view x, std::string_view y) {
  auto xb = Base64UrlDecode(x);
  auto yb = Base64UrlDecode(y);
  if (!xb || !yb || xb->size() != 32 || yb->size() != 32)
    return Err(Code::kInvalidField, "x and y must be 32-byte base64url coordinates of a P-256 point", "jwk");
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> point(group ? EC_POINT_new(group.get()) : nullptr, EC_POINT_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bx(BN_bin2bn(reinterpret_cast<const unsigned char*>(xb->data()), 32, nullptr), BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> by(BN_bin2bn(reinterpret_cast<const unsigned char*>(yb->data()), 32, nullptr), BN_free);
  if (!group || !point || !bx || !by) return Err(Code::kInternal, "OpenSSL allocation failed");
  if (EC_POINT_set_affine_coordinates(group.get(), point.get(), bx.get(), by.get(), nullptr) != 1 ||
      EC_POINT_is_on_curve(group.get(), point.get(), nullptr) != 1)
    return Err(Code::kInvalidField, "the key is not a point on P-256", "jwk");
  Hash256 h = Sha256(CanonicalP256Jwk(x, y));
  return Base64UrlEncodeBytes(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

Result<E2eStore> E2eStore::Open(std::string dir) {
  CX_TRY(MkDir(dir));
  CX_TRY(MkDir(dir + "/keys"));
  CX_TRY(MkDir(dir + "/envelopes"));
  return E2eStore(std::move(dir));
}

Result<void> E2eStore::PutRecipientKey(int64_t user, std::string_view jwk_json) {
  if (user <= 0) return Err(Code::kInvalidField, "bad user id", "user");
  if (jwk_json.size() > kMaxFileBytes) return Err(Code::kTooLarge, "key too large", "jwk");
  return WriteDurably(dir_ + "/keys", std::to_string(user) + ".jwk", jwk_json);
}

Result<std::optional<std::string>> E2eStore::GetRecipientKey(int64_t user) const {
  if (user <= 0) return std::optional<std::string>();
  return ReadSmall(dir_ + "/keys/" + std::to_string(user) + ".jwk");
}

Result<void> E2eStore::DeleteRecipientKey(int64_t user) {
  std::string path = dir_ + "/keys/" + std::to_string(user) + ".jwk";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Err(Code::kIo, "unlink " + path + ": " + Errno());
  return Ok();
}

Result<std::vector<std::pair<int64_t, std::string>>> E2eStore::ListRecipientKeys() const {
  std::vector<std::pair<int64_t, std::string>> out;
  std::string kd = dir_ + "/keys";
  std::vector<int64_t> users;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kd, ec)) {
    std::string n = entry.path().filename().string();
    if (n.size() < 5 || n.compare(n.size() - 4, 4, ".jwk") != 0) continue;
    std::string num = n.substr(0, n.size() - 4);
    if (num.empty() || num.size() > 18 || !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    users.push_back(std::stoll(num));
  }
  if (ec) return Err(Code::kIo, "list " + kd + ": " + ec.message());
  std::sort(users.begin(), users.end());
  for (int64_t u : users) {
    CX_ASSIGN_OR_RETURN(auto jwk, GetRecipientKey(u));
    if (jwk) out.emplace_back(u, std::move(*jwk));
  }
  return out;
}

Result<void> E2eStore::PutEnvelope(std::string_view cid, std::string_view envelope_json) {
  if (!SafeName(cid)) return Err(Code::kInvalidField, "bad CID", "cid");
  if (envelope_json.size() > kMaxFileBytes) return Err(Code::kTooLarge, "envelope larger than 64 KiB", "envelope");
  return WriteDurably(dir_ + "/envelopes", std::string(cid) + ".json", envelope_json);
}

Result<void> E2eStore::DeleteEnvelope(std::string_view cid) {
  if (!SafeName(cid)) return Err(Code::kInvalidField, "bad CID", "cid");
  std::string path = dir_ + "/envelopes/" + std::string(cid) + ".json";
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Err(Code::kIo, "unlink " + path + ": " + Errno());
  int dfd = ::open((dir_ + "/envelopes").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok();
}

Result<std::optional<std::string>> E2eStore::GetEnvelope(std::string_view cid) const {
  if (!SafeName(cid)) return Err(Code::kInvalidField, "bad CID", "cid");
  return ReadSmall(dir_ + "/envelopes/" + std::string(cid) + ".json");
}

}  // namespace cx::documents
