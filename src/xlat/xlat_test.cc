#include "xlat/xlat.h"

#include <gtest/gtest.h>

#include "topology/topology.h"

namespace forest::xlat {
namespace {

struct Fixture {
  topology::Topology t;
  plan::Plan plan;
};

std::unique_ptr<Fixture> Chain() {
  auto f = std::make_unique<Fixture>();
  f->t = topology::Defaults();
  f->t.file = "t.yaml";
  f->t.name = "t";
  f->t.nat64_prefix = *net::Ipv6Prefix::Parse("fd00:6464::/96");
  f->t.dns64_upstream = "198.51.100.53";
  topology::Node c021, c02, c0;
  c021.name = "c0-2-1";
  c02.name = "c0-2";
  c02.children.push_back(c021);
  c0.name = "c0";
  c0.children.push_back(c02);
  f->t.roots.push_back(c0);
  auto p = plan::MakePlan(f->t);
  EXPECT_TRUE(p.ok()) << p.error().message;
  f->plan = std::move(*p);
  return f;
}

TEST(Xlat, EdgeRootRunsDns64AndNat64) {
  auto f = Chain();
  Wiring s = ForNode(f->plan, *f->plan.FindNode("c0.incus"));
  ASSERT_EQ(s.role, Role::kEdge);
  EXPECT_EQ(s.env["XLAT_EGRESS_IPV4"], "10.203.0.2/24");
  EXPECT_EQ(s.env["XLAT_EGRESS_GATEWAY"], "10.203.0.1");
  const std::string& unbound = s.files["unbound.conf"];
  EXPECT_NE(unbound.find("dns64-prefix: fd00:6464::/96"), std::string::npos);
  EXPECT_NE(unbound.find("module-config: \"dns64 iterator\""), std::string::npos);
  EXPECT_NE(unbound.find("forward-addr: 198.51.100.53"), std::string::npos);
  EXPECT_NE(unbound.find("interface: ::1@5364"), std::string::npos);
  const std::string& tayga = s.files["tayga-nat64.conf"];
  EXPECT_NE(tayga.find("prefix fd00:6464::/96"), std::string::npos);
  EXPECT_NE(tayga.find("dynamic-pool 100.127.128.0/17"), std::string::npos);
  // TAYGA's own IPv6 is in the root's uplink range, clear of child /128s.
  EXPECT_NE(tayga.find("ipv6-addr fd00:1000:0:1::6464"), std::string::npos) << tayga;
  const std::string& nft = s.files["edge.nft"];
  EXPECT_NE(nft.find("oifname \"eth1\" ip saddr { 100.127.0.0/16, 10.203.254.0/24 } counter masquerade"),
            std::string::npos) << nft;
  EXPECT_NE(nft.find("meta nfproto ipv6 oifname \"eth1\" counter drop"), std::string::npos)
      << "forest IPv6 never leaves through the IPv4 egress";
  EXPECT_NE(nft.find("set egress_deny4"), std::string::npos) << "the egress policy hook";
}

TEST(Xlat, NonRootNodesRunTheClatSidecar) {
  auto f = Chain();
  const plan::NodePlan& n = *f->plan.FindNode("c0-2-1.c0-2.c0.incus");
  Wiring s = ForNode(f->plan, n);
  ASSERT_EQ(s.role, Role::kClat);
  EXPECT_EQ(s.env["XLAT_NETNS"], "clatns");
  EXPECT_EQ(s.env["XLAT_CLAT_UPLINK"], "fd00:1100:0:1::c1a7:1");
  EXPECT_EQ(s.env["XLAT_LAN_MAIN_ADDRESS"], "169.254.203.2/30");
  EXPECT_EQ(s.env["XLAT_LAN_NS_ADDRESS"], "169.254.203.1/30");
  EXPECT_EQ(s.env["XLAT_TABLE"], "203");
  EXPECT_EQ(s.env["XLAT_PREF"], "1200");
  EXPECT_EQ(s.env["XLAT_LAN_IPV4"], "10.203.254.0/24");
  EXPECT_EQ(s.env["XLAT_MTU"], "1480");
  EXPECT_EQ(s.env["XLAT_UPLINK_MAC"].substr(0, 9), "02:c1:a7:") << "locally administered, fixed per node";
  EXPECT_NE(s.env["XLAT_UPLINK_MAC"], ForNode(f->plan, *f->plan.FindNode("c0-2.c0.incus")).env["XLAT_UPLINK_MAC"]);
  const std::string& tayga = s.files["tayga-clat.conf"];
  EXPECT_NE(tayga.find("map 192.0.0.2 fd00:1100:0:1::c1a7:1"), std::string::npos) << tayga;
  EXPECT_NE(tayga.find("prefix fd00:6464::/96"), std::string::npos);
  EXPECT_NE(s.files["clat.nft"].find("snat to 192.0.0.2"), std::string::npos);
  EXPECT_EQ(s.files.count("unbound.conf"), 0u);
}

TEST(Xlat, RootWithoutEdgeHasNoRoleAndOutputIsStable) {
  auto f = Chain();
  f->t.roots[0].edge = false;
  auto p = plan::MakePlan(f->t);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(ForNode(*p, *p->FindNode("c0.incus")).role, Role::kNone);
  EXPECT_STREQ(RoleName(Role::kNone), "none");
  // Same plan, same bytes: forestd restarts daemons only when a file changed.
  auto a = ForNode(f->plan, *f->plan.FindNode("c0-2.c0.incus"));
  auto b = ForNode(f->plan, *f->plan.FindNode("c0-2.c0.incus"));
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.env, b.env);
}

}  // namespace
}  // namespace forest::xlat
