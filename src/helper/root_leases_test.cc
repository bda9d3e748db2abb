#include "helper/root_leases.h"

#include <gtest/gtest.h>

#include "helper/helper_state.h"

namespace forest::helper {
namespace {

using std::chrono::milliseconds;

TEST(RootLeases, ARootNotHeardFromForTheLeaseExpiresOnce) {
  RootLeases l(milliseconds(30000));
  l.Seen("c0", milliseconds(0));
  l.Seen("c1", milliseconds(20000));
  EXPECT_TRUE(l.Expire(milliseconds(29999)).empty());
  EXPECT_EQ(l.Expire(milliseconds(30000)), std::vector<std::string>{"c0"});
  EXPECT_TRUE(l.Expire(milliseconds(40000)).empty());  // c0 is reported once
  l.Seen("c1", milliseconds(45000));                    // c1 keeps publishing
  EXPECT_TRUE(l.Expire(milliseconds(74999)).empty());
  l.Seen("c0", milliseconds(50000));                    // c0 is back
  EXPECT_EQ(l.Expire(milliseconds(80000)), (std::vector<std::string>{"c0", "c1"}));
}

TEST(HelperState, WithdrawDropsARootsNamesAndMovesTheSerial) {
  RootSlot c0{{"c0", "c0.incus", *net::Ipv6Prefix::Parse("fd00:1000::/20"), *net::Ipv6Address::Parse("fd00:f00d:0:1::1")}};
  HelperState s({c0}, *net::Ipv6Address::Parse("fd00:f00d::53"), {});
  registration::Export e;
  e.source_node = "c0";
  e.records = {{"c0.incus", *net::Ipv6Address::Parse("fd00:1000::1")}};
  e.route = {*net::Ipv6Prefix::Parse("fd00:1000::/20"), *net::Ipv6Address::Parse("fd00:f00d:0:1::1"), true, "eth0"};
  ASSERT_TRUE(s.Publish(*s.RootByLabel("c0"), e).ok());
  uint32_t serial = s.serial();
  EXPECT_TRUE(s.Withdraw("c0"));
  EXPECT_GT(s.serial(), serial);
  EXPECT_TRUE(s.exports().empty());
  EXPECT_EQ(s.view().canonical().count("c0.incus"), 0u);
  EXPECT_FALSE(s.Withdraw("c0"));
}

}  // namespace
}  // namespace forest::helper
