#include "up/conflicts.h"

#include <gtest/gtest.h>

namespace forest::up {
namespace {

HostRanges Want() {
  HostRanges w;
  w.bridge = "forestbr0";
  w.bridge_network = *net::Ipv6Prefix::Parse("fd00:f00d::/64");
  w.bridge_ipv4 = *net::Ipv4Interface::Parse("10.203.0.1/24");
  w.routed = {*net::Ipv6Prefix::Parse("fd00:1000::/20"), *net::Ipv6Prefix::Parse("fd00:f00d:0:1::/64")};
  return w;
}

nlohmann::json Net(const std::string& name, const std::string& v6, const std::string& v4,
                   const std::string& desc = "") {
  return {{"name", name}, {"managed", true}, {"description", desc},
          {"config", {{"ipv6.address", v6}, {"ipv4.address", v4}}}};
}

TEST(Conflicts, NoneWhenDisjoint) {
  nlohmann::json nets = {Net("incusbr0", "fd42:1::1/64", "10.99.0.1/24"),
                         {{"name", "eth0"}, {"managed", false}}};
  EXPECT_FALSE(FindAddressConflict(nets, Want()));
}

TEST(Conflicts, OwnBridgeIsNotAConflict) {
  EXPECT_FALSE(FindAddressConflict(nlohmann::json::array({Net("forestbr0", "fd00:f00d::1/64", "10.203.0.1/24")}), Want()));
}

TEST(Conflicts, AnotherForestsBridgeNamesTheForest) {
  auto m = FindAddressConflict(nlohmann::json::array(
      {Net("fit14bf", "fd00:f00d::1/64", "10.203.0.1/24",
           "forest host bridge (made by forest up for project forest-it14bf)")}),
      Want());
  ASSERT_TRUE(m);
  EXPECT_NE(m->find("fit14bf already has fd00:f00d::1/64"), std::string::npos) << *m;
  EXPECT_NE(m->find("`forest down it14bf`"), std::string::npos) << *m;
}

TEST(Conflicts, Ipv4AndRoutedPrefixes) {
  auto v4 = FindAddressConflict(nlohmann::json::array({Net("lxdbr0", "none", "10.203.0.254/16")}), Want());
  ASSERT_TRUE(v4);
  EXPECT_NE(v4->find("10.203.0.0/24 (host bridge IPv4)"), std::string::npos) << *v4;
  EXPECT_NE(v4->find("incus network delete lxdbr0"), std::string::npos) << *v4;
  auto routed = FindAddressConflict(nlohmann::json::array({Net("br1", "fd00:1234::1/64", "none")}), Want());
  ASSERT_TRUE(routed);
  EXPECT_NE(routed->find("fd00:1000::/20"), std::string::npos) << *routed;
}

TEST(Conflicts, MalformedEntriesAreSkipped) {
  nlohmann::json nets = nlohmann::json::array(
      {1, "x", {{"managed", true}}, {{"managed", true}, {"config", 3}},
       {{"managed", true}, {"config", {{"ipv6.address", 7}}}}});
  // A non-string address makes value() throw; such entries must not crash.
  EXPECT_NO_THROW(FindAddressConflict(nets, Want()));
  EXPECT_FALSE(FindAddressConflict(nlohmann::json::object(), Want()));
}

}  // namespace
}  // namespace forest::up
