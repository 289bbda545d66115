#include "api/client_address.h"

#include <gtest/gtest.h>

namespace cx::api {
namespace {

std::vector<Cidr> Nets(std::initializer_list<const char*> list) {
  std::vector<Cidr> out;
  for (const char* s : list) out.push_back(ParseCidr(s).value());
  return out;
}

TEST(ClientAddress, ParsesCidrsAndRefusesGarbage) {
  EXPECT_TRUE(ParseCidr("10.0.0.0/8").ok());
  EXPECT_TRUE(ParseCidr("192.168.1.7").ok());
  EXPECT_TRUE(ParseCidr("fd00::/8").ok());
  EXPECT_TRUE(ParseCidr("::1").ok());
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x", "example.com", "1.2.3.4/8/8"}) {
    auto r = ParseCidr(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::kInvalidField);
    EXPECT_EQ(r.error().field, "trusted_proxy");
  }
}

TEST(ClientAddress, MatchesNetworksAtTheirPrefix) {
  auto n = ParseCidr("10.1.0.0/16").value();
  EXPECT_TRUE(InCidr(*ParseIpAddress("10.1.255.3"), n));
  EXPECT_FALSE(InCidr(*ParseIpAddress("10.2.0.1"), n));
  EXPECT_TRUE(InCidr(*ParseIpAddress("::ffff:10.1.0.9"), n));  // IPv4-mapped
  auto all = ParseCidr("0.0.0.0/0").value();
  EXPECT_TRUE(InCidr(*ParseIpAddress("8.8.8.8"), all));
  EXPECT_FALSE(InCidr(*ParseIpAddress("2001:db8::1"), all));  // v4 networks never hold v6
  auto v6 = ParseCidr("2001:db8::/33").value();
  EXPECT_TRUE(InCidr(*ParseIpAddress("[2001:db8:7fff::1]:443"), v6));
  EXPECT_FALSE(InCidr(*ParseIpAddress("2001:db8:8000::1"), v6));
}

TEST(ClientAddress, UntrustedPeerIsTheClientWhateverItForwards) {
  auto t = Nets({"127.0.0.1/32", "::1"});
  EXPECT_EQ(ClientAddress("203.0.113.9:5000", {"1.2.3.4"}, t), "203.0.113.9:5000");
}

TEST(ClientAddress, TrustedPeerYieldsRightMostUntrustedHop) {
  auto t = Nets({"127.0.0.1/32", "10.0.0.0/8"});
  // client forged "6.6.6.6"; nginx (10.0.0.2) appended the real client 198.51.100.7.
  EXPECT_EQ(ClientAddress("127.0.0.1:41000", {"6.6.6.6, 198.51.100.7, 10.0.0.2"}, t), "198.51.100.7:0");
  // Several header lines are one list.
  EXPECT_EQ(ClientAddress("127.0.0.1:41000", {"6.6.6.6", "198.51.100.7,10.0.0.5"}, t), "198.51.100.7:0");
  // IPv6 client, written with brackets and a port by some proxies.
  EXPECT_EQ(ClientAddress("[::ffff:127.0.0.1]:1", {"[2001:db8::5]:443"}, t), "[2001:db8::5]:0");
  EXPECT_EQ(ClientAddress("10.9.9.9:80", {"2001:db8::5"}, t), "[2001:db8::5]:0");
}

TEST(ClientAddress, AllTrustedChainYieldsLeftMostAndGarbageStopsTheWalk) {
  auto t = Nets({"127.0.0.1/32", "10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {"10.0.0.3, 10.0.0.2"}, t), "10.0.0.3:0");
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {"198.51.100.1, unknown, 10.0.0.2"}, t), "10.0.0.2:0");
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {"garbage"}, t), "127.0.0.1:1");
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {}, t), "127.0.0.1:1");
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {""}, t), "127.0.0.1:1");
}

TEST(ClientAddress, EmptyTrustListTrustsNobody) {
  EXPECT_EQ(ClientAddress("127.0.0.1:1", {"198.51.100.1"}, {}), "127.0.0.1:1");
}

TEST(ClientAddress, DefaultsAreLoopback) {
  auto d = ParseTrustedProxies({}).value();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(ClientAddress("127.0.0.1:9", {"198.51.100.1"}, d), "198.51.100.1:0");
  EXPECT_EQ(ClientAddress("[::1]:9", {"198.51.100.1"}, d), "198.51.100.1:0");
  EXPECT_EQ(ClientAddress("127.0.0.2:9", {"198.51.100.1"}, d), "127.0.0.2:9");
  EXPECT_FALSE(ParseTrustedProxies({"10.0.0.0/8", "nope"}).ok());
  EXPECT_TRUE(ParseTrustedProxies({"none"}).value().empty());
  EXPECT_FALSE(ParseTrustedProxies({"none", "10.0.0.0/8"}).ok());
}

}  // namespace
}  // namespace cx::api
