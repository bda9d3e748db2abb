#include "plan/api_callers.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace forest::plan {
namespace {

topology::Node N(const std::string& name, std::vector<topology::Node> children = {}) {
  topology::Node n;
  n.name = name;
  n.children = std::move(children);
  return n;
}

// c0 → c0-2 (slot 1) → c0-2-1 (slot 1), and c0-2 has a second child c0-2-2.
Plan Chain() {
  topology::Topology t = topology::Defaults();
  t.file = "t.yaml";
  t.name = "t";
  t.roots.push_back(N("c0", {N("c0-2", {N("c0-2-1"), N("c0-2-2")})}));
  auto p = MakePlan(t);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return *p;
}

net::Ipv6Address A(const char* s) { return *net::Ipv6Address::Parse(s); }
bool Has(const std::vector<net::Ipv6Address>& v, const char* s) { return std::find(v.begin(), v.end(), A(s)) != v.end(); }

TEST(ApiCallers, InfrastructureIsTheHostAndEveryNode) {
  Plan p = Chain();
  auto v = InfrastructureAddresses(p);
  EXPECT_TRUE(Has(v, "fd00:f00d::1"));        // the host
  EXPECT_TRUE(Has(v, "fd00:f00d:0:1::1"));    // c0's uplink
  EXPECT_TRUE(Has(v, "fd00:1000::1"));        // c0
  EXPECT_TRUE(Has(v, "fd00:1100:0:1::1"));    // c0-2-1's uplink
  EXPECT_TRUE(Has(v, "fd00:1110::1"));        // c0-2-1
  EXPECT_FALSE(Has(v, "fd00:1110::25"));      // a workload
  EXPECT_FALSE(Has(v, "fd00:f00d::53"));      // the helper itself
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(v.size(), 1u + 2u * p.nodes.size());
}

TEST(ApiCallers, NeighboursAreSelfParentAndDirectChildrenOnly) {
  Plan p = Chain();
  auto v = NodeNeighbours(p, *p.FindNode("c0-2.c0.incus"));
  EXPECT_TRUE(Has(v, "fd00:1100::1"));      // itself
  EXPECT_TRUE(Has(v, "fd00:1000:0:1::1"));  // its uplink
  EXPECT_TRUE(Has(v, "fd00:1000::1"));      // parent c0
  EXPECT_TRUE(Has(v, "fd00:f00d:0:1::1"));  // parent's uplink
  EXPECT_TRUE(Has(v, "fd00:1100:0:1::1"));  // child c0-2-1's uplink
  EXPECT_TRUE(Has(v, "fd00:1110::1"));      // child c0-2-1
  EXPECT_TRUE(Has(v, "fd00:1100:0:1::2"));  // child c0-2-2's uplink
  EXPECT_FALSE(Has(v, "fd00:1100::25"));    // a workload on its own LAN
  EXPECT_FALSE(Has(v, "fd00:f00d::1"));     // the host is no neighbour
  EXPECT_EQ(v.size(), 8u);
}

TEST(ApiCallers, ALeafHasOnlyItselfAndItsParent) {
  Plan p = Chain();
  auto v = NodeNeighbours(p, *p.FindNode("c0-2-1.c0-2.c0.incus"));
  EXPECT_EQ(v.size(), 4u);
  EXPECT_TRUE(Has(v, "fd00:1100::1"));
  EXPECT_FALSE(Has(v, "fd00:1100:0:1::2"));  // a sibling is not its neighbour
  EXPECT_FALSE(Has(v, "fd00:1000::1"));      // nor its grandparent
}

}  // namespace
}  // namespace forest::plan
