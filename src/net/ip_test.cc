#include "net/ip.h"

#include <gtest/gtest.h>

namespace forest::net {
namespace {

Ipv6Prefix P(const char* s) {
  auto r = Ipv6Prefix::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.error().message;
  return *r;
}
Ipv6Address A(const char* s) { return *Ipv6Address::Parse(s); }

TEST(Ip, ParseAndFormat) {
  EXPECT_EQ(A("fd00:1100:0:1:0:0:0:1").ToString(), "fd00:1100:0:1::1");
  EXPECT_FALSE(Ipv6Address::Parse("fd00::g").ok());
  EXPECT_FALSE(Ipv6Address::Parse("10.0.0.1").ok());
  EXPECT_EQ(P("fd00:1000::/20").ToString(), "fd00:1000::/20");
}

TEST(Ip, PrefixRefusesHostBitsAndSaysWhatWasMeant) {
  auto r = Ipv6Prefix::Parse("fd00:1000::1/20");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "'fd00:1000::1/20' has host bits set; did you mean fd00:1000::/20?");
  EXPECT_FALSE(Ipv6Prefix::Parse("fd00::/129").ok());
  EXPECT_FALSE(Ipv6Prefix::Parse("fd00::").ok());
  EXPECT_FALSE(Ipv6Prefix::Parse("fd00::/2x").ok());
  EXPECT_FALSE(Ipv6Prefix::Parse("fd00::/").ok());
}

TEST(Ip, ContainsAndOverlaps) {
  EXPECT_TRUE(P("fd00:1000::/20").Contains(P("fd00:1100::/24")));
  EXPECT_FALSE(P("fd00:1100::/24").Contains(P("fd00:1000::/20")));
  EXPECT_TRUE(P("fd00:1100::/24").Overlaps(P("fd00:1000::/20")));
  EXPECT_FALSE(P("fd00:1100::/24").Overlaps(P("fd00:1200::/24")));
  EXPECT_TRUE(P("fd00:1110::/28").Contains(A("fd00:1110::25")));
  EXPECT_FALSE(P("fd00:1110::/28").Contains(A("fd00:1120::1")));
}

TEST(Ip, SubnetsFollowTheNibblePlan) {
  EXPECT_EQ(P("fd00:1000::/20").Subnet(24, 1)->ToString(), "fd00:1100::/24");
  EXPECT_EQ(P("fd00:1000::/20").Subnet(24, 15)->ToString(), "fd00:1f00::/24");
  EXPECT_EQ(P("fd00:1100::/24").Subnet(28, 1)->ToString(), "fd00:1110::/28");
  EXPECT_EQ(P("fd00:1110::/28").Subnet(32, 0)->Subnet(64, 1)->ToString(), "fd00:1110:0:1::/64");
  EXPECT_FALSE(P("fd00:1000::/20").Subnet(24, 16).ok());
  EXPECT_FALSE(P("fd00:1000::/20").Subnet(16, 0).ok());
}

TEST(Ip, PlusAndHost) {
  EXPECT_EQ(P("fd00:1100:0:1::/64").Host(1).ToString(), "fd00:1100:0:1::1");
  EXPECT_EQ(P("fd00:1100:0:1::/64").Host(0xc1a70001).ToString(), "fd00:1100:0:1::c1a7:1");
  EXPECT_EQ(A("fd00::ffff").Plus(1).ToString(), "fd00::1:0");
  EXPECT_EQ(A("fd00:0:0:1:ffff:ffff:ffff:ffff").Plus(1).ToString(), "fd00:0:0:2::");
}

TEST(Ip, Interfaces) {
  auto i = Ipv6Interface::Parse("fd00:f00d::1/64");
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->Network().ToString(), "fd00:f00d::/64");
  EXPECT_EQ(i->ToString(), "fd00:f00d::1/64");
  auto v4 = Ipv4Interface::Parse("10.203.0.1/24");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->ToString(), "10.203.0.1/24");
  EXPECT_FALSE(Ipv4Interface::Parse("10.203.0.1/33").ok());
  EXPECT_FALSE(Ipv4Interface::Parse("10.203.0/24").ok());
}

TEST(Ip, Ipv4Networks) {
  auto a = *Ipv4Interface::Parse("10.203.0.1/24");
  EXPECT_EQ(a.NetworkString(), "10.203.0.0/24");
  EXPECT_EQ(Ipv4Interface::Parse("0.0.0.0/0")->NetworkString(), "0.0.0.0/0");
  EXPECT_TRUE(a.Overlaps(*Ipv4Interface::Parse("10.203.0.200/24")));
  EXPECT_TRUE(a.Overlaps(*Ipv4Interface::Parse("10.0.0.1/8")));  // wider one contains it
  EXPECT_FALSE(a.Overlaps(*Ipv4Interface::Parse("10.203.1.1/24")));
  EXPECT_TRUE(a.Overlaps(*Ipv4Interface::Parse("192.168.0.1/0")));
}

TEST(Ip, Ipv4Offset) {
  auto a = *Ipv4Interface::Parse("10.203.0.1/24");
  EXPECT_EQ(a.Offset(1)->ToString(), "10.203.0.2/24");
  EXPECT_EQ(a.Offset(253)->ToString(), "10.203.0.254/24");
  EXPECT_FALSE(a.Offset(254));  // the broadcast address
  EXPECT_FALSE(a.Offset(300));  // leaves the network
  EXPECT_EQ(Ipv4Interface::Parse("10.0.0.255/16")->Offset(1)->AddressString(), "10.0.1.0");
}

}  // namespace
}  // namespace forest::net
