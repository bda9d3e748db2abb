#include "plan/plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace forest::plan {
namespace {

using topology::Node;
using topology::Topology;

Topology Base() {
  Topology t = topology::Defaults();
  t.file = "t.yaml";
  t.name = "t";
  return t;
}

Node N(const std::string& name, std::vector<Node> children = {}) {
  Node n;
  n.name = name;
  n.children = std::move(children);
  return n;
}

Topology SourceChain() {
  Topology t = Base();
  Node c021 = N("c0-2-1");
  topology::Workload w;
  w.name = "app";
  w.services = {"auth"};
  c021.workloads.push_back(w);
  t.roots.push_back(N("c0", {N("c0-2", {c021})}));
  return t;
}

TEST(Plan, EdgeRootsGetIpv4OnTheHostBridge) {
  Topology t = Base();
  t.roots.push_back(N("c0"));
  t.roots.push_back(N("c1"));
  t.roots[1].edge = false;
  t.roots.push_back(N("c2"));
  auto p = MakePlan(t);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->FindNode("c0.incus")->egress_ipv4.ToString(), "10.203.0.2/24");
  EXPECT_EQ(p->FindNode("c2.incus")->egress_ipv4.ToString(), "10.203.0.3/24");
  EXPECT_FALSE(p->FindNode("c1.incus")->edge);
  EXPECT_EQ(p->dns64_upstream, "10.203.0.1") << "default: Incus's dnsmasq on the host bridge";

  t.host.ipv4 = *net::Ipv4Interface::Parse("10.9.0.254/24");
  auto full = MakePlan(t);
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().message.find("c0.incus needs an IPv4 address on the host bridge"), std::string::npos)
      << full.error().message;

  t.host.ipv4 = *net::Ipv4Interface::Parse("10.203.254.9/16");
  auto overlap = MakePlan(t);
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().message.find("overlaps 10.203.254.0/24"), std::string::npos) << overlap.error().message;
}

TEST(Plan, SourceChainMatchesDesign) {
  Topology t = SourceChain();
  auto p = MakePlan(t);
  ASSERT_TRUE(p.ok()) << p.error().message;
  const NodePlan* c0 = p->FindNode("c0.incus");
  const NodePlan* c02 = p->FindNode("c0-2.c0.incus");
  const NodePlan* c021 = p->FindNode("c0-2-1.c0-2.c0.incus");
  ASSERT_TRUE(c0 && c02 && c021);
  EXPECT_EQ(c0->prefix.ToString(), "fd00:1000::/20");
  EXPECT_EQ(c0->uplink.ToString(), "fd00:f00d:0:1::1");
  EXPECT_EQ(c02->prefix.ToString(), "fd00:1100::/24");
  EXPECT_EQ(c02->uplink.ToString(), "fd00:1000:0:1::1");
  EXPECT_EQ(c021->prefix.ToString(), "fd00:1110::/28");
  EXPECT_EQ(c021->uplink.ToString(), "fd00:1100:0:1::1");
  EXPECT_EQ(c021->clat_uplink.ToString(), "fd00:1100:0:1::c1a7:1");
  EXPECT_EQ(c021->node_address.ToString(), "fd00:1110::1");
  EXPECT_EQ(c021->lan.ToString(), "fd00:1110::/64");
  EXPECT_EQ(c021->uplink_range.ToString(), "fd00:1110:0:1::/64");
  EXPECT_EQ(c021->local_region.ToString(), "fd00:1110::/32");
  EXPECT_EQ(c021->ancestors, (std::vector<std::string>{"c0-2", "c0"}));
  ASSERT_EQ(p->workloads.size(), 1u);
  EXPECT_EQ(p->workloads[0].canonical_name, "app.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(p->workloads[0].service_names, std::vector<std::string>{"auth.app.c0-2-1.c0-2.c0.incus"});
  auto routes = p->RoutesAt("c0-2.c0.incus");
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].destination.ToString(), "fd00:1110::/28");
  EXPECT_EQ(routes[0].via.ToString(), "fd00:1100:0:1::1");
  auto objects = PlanObjects(*p);
  EXPECT_NE(std::find(objects.begin(), objects.end(),
                      naming::ObjectName{{"auth", "app"}, {"c0-2-1", "c0-2", "c0"}}),
            objects.end());
}

TEST(Plan, SixteenthChildIsRefusedByName) {
  Topology t = Base();
  Node r = N("c0");
  for (int i = 1; i <= 16; ++i) r.children.push_back(N("k" + std::to_string(i)));
  t.roots.push_back(r);
  auto p = MakePlan(t);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("c0.incus already has 15"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find("k16"), std::string::npos);
}

TEST(Plan, TooDeepIsRefusedByName) {
  Topology t = Base();
  Node leaf = N("d10");
  for (int d = 9; d >= 1; --d) leaf = N("d" + std::to_string(d), {leaf});
  t.roots.push_back(N("d0", {leaf}));
  auto p = MakePlan(t);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("too deep"), std::string::npos) << p.error().message;
  EXPECT_NE(p.error().message.find("d8."), std::string::npos) << p.error().message;
  // One level less fits.
  t.roots[0].children[0].children[0].children[0].children[0].children[0].children[0].children[0].children[0]
      .children.clear();
  EXPECT_TRUE(MakePlan(t).ok());
}

TEST(Plan, DuplicateAndOutOfRangeSlots) {
  Topology t = Base();
  Node a = N("a"), b = N("b");
  a.slot = 3;
  b.slot = 3;
  b.pos = {7, 9};
  t.roots.push_back(N("r", {a, b}));
  auto p = MakePlan(t);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(
      p.error().message,
      "t.yaml:7:9: b: slot 3 of r.incus is already given to a; pick another slot, or leave slot out to get "
      "the first free one");
  t.roots[0].children[1].slot = 16;
  p = MakePlan(t);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("out of range 1..15"), std::string::npos);
}

TEST(Plan, OverlapsAreRefused) {
  Topology t = Base();
  t.roots.push_back(N("a"));
  t.roots.push_back(N("b"));
  t.roots[0].prefix = DefaultRootPrefix();
  t.roots[1].prefix = *net::Ipv6Prefix::Parse("fd00:1000::/24");
  auto p = MakePlan(t);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("overlaps"), std::string::npos) << p.error().message;
  Topology n = Base();
  n.nat64_prefix = *net::Ipv6Prefix::Parse("fd00:1000::/96");
  n.roots.push_back(N("a"));
  n.roots[0].prefix = DefaultRootPrefix();
  p = MakePlan(n);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("the NAT64 prefix fd00:1000::/96"), std::string::npos) << p.error().message;
  Topology r = Base();
  r.roots.push_back(N("forest-dns"));
  EXPECT_FALSE(MakePlan(r).ok());
  Topology nib = Base();
  nib.roots.push_back(N("a"));
  nib.roots[0].prefix = *net::Ipv6Prefix::Parse("fd00:1000::/22");
  p = MakePlan(nib);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("nibble"), std::string::npos);
}

TEST(Plan, DefaultRootPrefixesAreDisjoint) {
  Topology t = Base();
  t.roots = {N("a"), N("b"), N("c")};
  t.roots[1].prefix = *net::Ipv6Prefix::Parse("fd00:2000::/20");
  auto p = MakePlan(t);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->FindNode("a.incus")->prefix.ToString(), "fd00:1000::/20");
  EXPECT_EQ(p->FindNode("b.incus")->prefix.ToString(), "fd00:2000::/20");
  EXPECT_EQ(p->FindNode("c.incus")->prefix.ToString(), "fd00:3000::/20");
}

TEST(Plan, RememberedSlotsWinAndConflictsAreExplained) {
  Topology t = Base();
  t.roots.push_back(N("r", {N("a"), N("b")}));
  SlotMemory mem{{"b.r.incus", 1}};
  auto p = MakePlan(t, mem);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->FindNode("b.r.incus")->slot, 1);
  EXPECT_EQ(p->FindNode("a.r.incus")->slot, 2);
  t.roots[0].children[0].slot = 1;
  p = MakePlan(t, mem);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("held by b since an earlier run"), std::string::npos) << p.error().message;
}

// --- property tests -------------------------------------------------------

Node RandomTree(std::mt19937& rng, int depth, int max_depth, int& counter) {
  Node n = N("n" + std::to_string(counter++));
  if (depth >= max_depth) return n;
  int width = std::uniform_int_distribution<int>(0, depth == 0 ? 15 : 3)(rng);
  for (int i = 0; i < width; ++i) n.children.push_back(RandomTree(rng, depth + 1, max_depth, counter));
  if (!n.children.empty() && rng() % 3 == 0) n.children[rng() % n.children.size()].slot = 15;
  return n;
}

TEST(PlanProperty, PrefixesNestAndNeverOverlap) {
  std::mt19937 rng(20261122);
  for (int iter = 0; iter < 200; ++iter) {
    Topology t = Base();
    int counter = 0;
    int roots = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int r = 0; r < roots; ++r) t.roots.push_back(RandomTree(rng, 0, std::uniform_int_distribution<int>(1, 8)(rng), counter));
    if (counter > 1500) continue;  // keep the pairwise check cheap
    auto p = MakePlan(t);
    ASSERT_TRUE(p.ok()) << p.error().message;
    std::map<std::string, const NodePlan*> by;
    for (const auto& n : p->nodes) by[n.canonical_name] = &n;
    for (const auto& n : p->nodes) {
      EXPECT_EQ(n.prefix.length, 20 + 4 * n.depth);
      if (n.depth > 0) {
        const NodePlan* parent = by.at(n.parent_canonical);
        EXPECT_TRUE(parent->prefix.Contains(n.prefix));
        EXPECT_FALSE(parent->local_region.Overlaps(n.prefix));
        EXPECT_TRUE(parent->uplink_range.Contains(n.uplink));
        EXPECT_TRUE(parent->uplink_range.Contains(n.clat_uplink));
        EXPECT_FALSE(parent->lan.Contains(n.uplink));
      }
      EXPECT_TRUE(n.prefix.Contains(n.node_address));
      EXPECT_TRUE(n.lan.Contains(n.node_address));
    }
    std::set<net::Ipv6Address> uplinks;
    for (size_t i = 0; i < p->nodes.size(); ++i) {
      EXPECT_TRUE(uplinks.insert(p->nodes[i].uplink).second) << "duplicate uplink";
      for (size_t j = i + 1; j < p->nodes.size(); ++j) {
        const auto& a = p->nodes[i];
        const auto& b = p->nodes[j];
        if (a.parent_canonical == b.parent_canonical) {
          EXPECT_FALSE(a.prefix.Overlaps(b.prefix)) << a.canonical_name << " " << b.canonical_name;
        }
      }
    }
  }
}

TEST(PlanProperty, SlotsSurviveDeletionsAndAdditions) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 100; ++iter) {
    Topology t = Base();
    int counter = 0;
    t.roots.push_back(RandomTree(rng, 0, 3, counter));
    for (auto& c : t.roots[0].children) c.slot.reset();
    auto first = MakePlan(t);
    ASSERT_TRUE(first.ok()) << first.error().message;
    SlotMemory mem = first->Slots();
    // Delete some children, add new ones at the front.
    auto& kids = t.roots[0].children;
    for (size_t i = 0; i < kids.size();) {
      if (rng() % 3 == 0) kids.erase(kids.begin() + static_cast<long>(i));
      else ++i;
    }
    int add = static_cast<int>(15 - kids.size());
    add = add > 0 ? std::uniform_int_distribution<int>(0, add)(rng) : 0;
    for (int i = 0; i < add; ++i) kids.insert(kids.begin(), N("new" + std::to_string(i)));
    auto second = MakePlan(t, mem);
    ASSERT_TRUE(second.ok()) << second.error().message;
    for (const auto& n : second->nodes) {
      const NodePlan* before = first->FindNode(n.canonical_name);
      if (before == nullptr) continue;
      EXPECT_EQ(n.slot, before->slot) << n.canonical_name;
      EXPECT_EQ(n.prefix, before->prefix) << n.canonical_name;
    }
  }
}

}  // namespace
// Planner errors read like the parser's (docs/topology.md): file:line:column of
// the key at fault, its key path, what is wrong and what to do.
Result<Plan> PlanText(const std::string& text) {
  auto t = topology::Parse(text, "t.yaml");
  if (!t.ok()) return t.error();
  return MakePlan(*t);
}

TEST(PlanErrors, SlotTakenNamesTheSlotKeyAndItsPath) {
  auto p = PlanText(
      "version: 1\nroots:\n  - name: r\n    children:\n      - name: a\n        slot: 3\n"
      "      - name: b\n        slot: 3\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message,
            "t.yaml:8:15: roots[0].children[1].slot: b: slot 3 of r.incus is already given to a "
            "(roots[0].children[0]); pick another slot, or leave slot out to get the first free one");
}

TEST(PlanErrors, SixteenthChildNamesItsPathAndARemedy) {
  std::string text = "version: 1\nroots:\n  - name: c0\n    children:\n";
  for (int i = 1; i <= 16; ++i) text += "      - name: k" + std::to_string(i) + "\n";
  auto p = PlanText(text);
  ASSERT_FALSE(p.ok());
  const std::string& m = p.error().message;
  EXPECT_EQ(m.rfind("t.yaml:20:9: roots[0].children[15]: c0.incus already has 15", 0), 0u) << m;
  EXPECT_NE(m.find("move k16 under another node, or make it a workload of c0.incus"), std::string::npos) << m;
}

TEST(PlanErrors, TooDeepNamesTheChildrenKeyAndARemedy) {
  auto p = PlanText(
      "version: 1\nroots:\n  - name: c0\n    prefix: fd00:1000::/48\n    children:\n      - name: c1\n"
      "        children:\n          - name: c2\n            children:\n              - name: c3\n");
  ASSERT_FALSE(p.ok());
  const std::string& m = p.error().message;
  EXPECT_EQ(m.rfind("t.yaml:10:15: roots[0].children[0].children[0].children: c2.c1.c0.incus", 0), 0u) << m;
  EXPECT_NE(m.find("give the root a shorter prefix"), std::string::npos) << m;
  EXPECT_NE(m.find("the root's /48 allows 3 levels"), std::string::npos) << m;
}

}  // namespace forest::plan
