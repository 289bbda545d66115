// The client address behind trusted reverse proxies (issue 10): which X-Forwarded-For
// entry to believe. A request's peer is the TCP remote address; when that peer is a
// trusted proxy (--trusted-proxy CIDR, default 127.0.0.1/32 and ::1/128), the client is
// the right-most X-Forwarded-For address that is NOT a trusted proxy (every hop appends the
// address it saw, so entries left of the first untrusted one may be forged by the client).
// A peer that is not trusted is the client, whatever it sends in X-Forwarded-For.
// Used once per request by the HTTP server, so rate limits, audit, API-key IP allowlists
// and logs all see the same address.
// Thread-safety: the parsing functions are pure. SetTrustedProxies must be called before
// the server starts (not synchronised with requests); TrustedProxies() is then read-only.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "core/result.h"

namespace cx::api {

// An IPv4 or IPv6 network. IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
// with prefix + 96, so "::ffff:10.0.0.1" and "10.0.0.1" match the same networks.
struct Cidr {
  std::array<uint8_t, 16> net{};
  int prefix = 128;
};

// "10.0.0.0/8", "192.168.1.7" (/32), "::1", "fd00::/8". kInvalidField (field
// "trusted_proxy") on anything else.
Result<Cidr> ParseCidr(std::string_view text);
// An address as written in X-Forwarded-For or a peer: "1.2.3.4", "1.2.3.4:5678",
// "[::1]:80", "::1", "[::1]". nullopt when it is not an IP address.
std::optional<std::array<uint8_t, 16>> ParseIpAddress(std::string_view text);
bool InCidr(const std::array<uint8_t, 16>& ip, const Cidr& c);

// The client address for a request from `peer` ("ip:port" as the server records it) with
// the X-Forwarded-For header values `xff` (all occurrences, in order). Returns `peer`
// unchanged when it is not trusted or no usable forwarded address exists; otherwise the
// chosen address as "ip:0" / "[ipv6]:0" (the client's port is not known).
// A malformed entry ends the walk: the address right of it is used (never trust garbage).
std::string ClientAddress(std::string_view peer, const std::vector<std::string_view>& xff,
                          const std::vector<Cidr>& trusted);

// The process-wide list the HTTP server applies (default 127.0.0.1/32 and ::1/128).
void SetTrustedProxies(std::vector<Cidr> proxies);
const std::vector<Cidr>& TrustedProxies();
// ClientAddress of a request from `peer` with `headers`, under TrustedProxies().
std::string ResolveClientAddress(std::string_view peer, const Headers& headers);
// Parses the --trusted-proxy values (empty list: the defaults; the one value "none": no proxy).
Result<std::vector<Cidr>> ParseTrustedProxies(const std::vector<std::string>& flags);

}  // namespace cx::api
