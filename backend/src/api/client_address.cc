#include "api/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace cx::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::array<uint8_t, 16>> ParseBare(std::string_view s) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  std::string z(s);
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, z.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, z.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool IsV4Mapped(const std::array<uint8_t, 16>& ip) {
  return std::all_of(ip.begin(), ip.begin() + 10, [](uint8_t b) { return b == 0; }) && ip[10] == 0xff && ip[11] == 0xff;
}

std::string Format(const std::array<uint8_t, 16>& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (IsV4Mapped(ip)) {
    inet_ntop(AF_INET, ip.data() + 12, buf, sizeof buf);
    return std::string(buf) + ":0";
  }
  inet_ntop(AF_INET6, ip.data(), buf, sizeof buf);
  return "[" + std::string(buf) + "]:0";
}

std::vector<Cidr>& Proxies() {
  static std::vector<Cidr> p = [] {
    std::vector<Cidr> d;
    d.push_back(ParseCidr("127.0.0.1/32").value());
    d.push_back(ParseCidr("::1/128").value());
    return d;
  }();
  return p;
}

}  // namespace

std::optional<std::array<uint8_t, 16>> ParseIpAddress(std::string_view text) {
  std::string_view s = Trim(text);
  if (!s.empty() && s.front() == '[') {
    auto e = s.find(']');
    if (e == std::string_view::npos) return std::nullopt;
    std::string_view rest = s.substr(e + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return ParseBare(s.substr(1, e - 1));
  }
  if (auto ip = ParseBare(s)) return ip;
  // "a.b.c.d:port" (one colon: IPv6 without brackets has several).
  auto c = s.find(':');
  if (c != std::string_view::npos && s.find(':', c + 1) == std::string_view::npos) return ParseBare(s.substr(0, c));
  return std::nullopt;
}

Result<Cidr> ParseCidr(std::string_view text) {
  std::string_view s = Trim(text);
  auto bad = [&] { return Err(Code::kInvalidField, "not an IP network (CIDR): " + std::string(s.substr(0, 64)), "trusted_proxy"); };
  std::string_view addr = s;
  int prefix = -1;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    std::string_view p = s.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || ptr != p.data() + p.size() || p.empty()) return bad();
  }
  auto ip = ParseBare(addr);
  if (!ip) return bad();
  const bool v4 = addr.find(':') == std::string_view::npos;
  const int max = v4 ? 32 : 128;
  if (prefix < 0) prefix = max;
  if (prefix > max) return bad();
  Cidr c;
  c.prefix = v4 ? prefix + 96 : prefix;
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(c.prefix - i * 8, 0, 8);
    const auto mask = static_cast<uint8_t>(bits == 0 ? 0 : 0xff << (8 - bits));
    c.net[static_cast<size_t>(i)] = (*ip)[static_cast<size_t>(i)] & mask;
  }
  return c;
}

bool InCidr(const std::array<uint8_t, 16>& ip, const Cidr& c) {
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(c.prefix - i * 8, 0, 8);
    if (bits == 0) return true;
    const auto mask = static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip[static_cast<size_t>(i)] & mask) != c.net[static_cast<size_t>(i)]) return false;
  }
  return true;
}

std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& xff,
                          const std::vector<Cidr>& trusted) {
  auto trusted_ip = [&](const std::array<uint8_t, 16>& ip) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const Cidr& c) { return InCidr(ip, c); });
  };
  auto p = ParseIpAddress(peer);
  if (!p || !trusted_ip(*p) || xff.empty()) return std::string(peer);
  // Entries of all header lines, left to right.
  std::vector<std::string_view> hops;
  for (std::string_view line : xff) {
    size_t start = 0;
    while (start <= line.size()) {
      size_t comma = line.find(',', start);
      if (comma == std::string_view::npos) comma = line.size();
      hops.push_back(Trim(line.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  std::optional<std::array<uint8_t, 16>> chosen;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto ip = ParseIpAddress(*it);
    if (!ip) break;  // garbage (or "unknown"): stop at the last good hop to its right
    chosen = ip;
    if (!trusted_ip(*ip)) break;
  }
  return chosen ? Format(*chosen) : std::string(peer);
}

std::string ResolveClientAddress(std::string_view peer, const Headers& headers) {
  std::vector<std::string_view> xff;
  for (const auto& [name, value] : headers.items())
    if (name.size() == 15 && std::equal(name.begin(), name.end(), "x-forwarded-for", [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
        }))
      xff.push_back(value);
  if (xff.empty()) return std::string(peer);
  return ClientAddress(peer, xff, Proxies());
}

void SetTrustedProxies(std::vector<Cidr> proxies) { Proxies() = std::move(proxies); }
const std::vector<Cidr>& TrustedProxies() { return Proxies(); }

Result<std::vector<Cidr>> ParseTrustedProxies(const std::vector<std::string>& flags) {
  if (flags.empty()) return std::vector<Cidr>(Proxies());
  std::vector<Cidr> out;
  if (flags.size() == 1 && flags[0] == "none") return out;  // trust no proxy
  for (const auto& f : flags) {
    CX_ASSIGN_OR_RETURN(Cidr c, ParseCidr(f));
    out.push_back(c);
  }
  return out;
}

}  // namespace cx::api
