// The helper's view: names, aliases, lookups and caller identity, built from
// the DESIGN chain c0 → c0-2 → c0-2-1 → fasthtml-plus-integration-test.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "registration/registration.h"

namespace forest::registration {
namespace {

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }
using Addrs = std::vector<net::Ipv6Address>;

const char* kApp = "fasthtml-plus-integration-test";

// Bubbles the chain up the way the nodes do: each parent validates its
// child's export and merges it.
Export RootExport() {
  std::string c021 = "c0-2-1.c0-2.c0.incus";
  Export leaf = Merge("c0-2-1",
                      {{c021, A("fd00:1110::1")},
                       {std::string(kApp) + "." + c021, A("fd00:1110::25")},
                       {"auth." + std::string(kApp) + "." + c021, A("fd00:1110::25")}},
                      {P("fd00:1110::/28"), A("fd00:1100:0:1::1"), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", c021, P("fd00:1110::/28"), A("fd00:1100:0:1::1")};
  EXPECT_TRUE(ValidateChildExport(leaf, to_c021).ok());
  Export mid = Merge("c0-2", {{"c0-2.c0.incus", A("fd00:1100::1")}},
                     {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}, {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A("fd00:1000:0:1::1")};
  EXPECT_TRUE(ValidateChildExport(mid, to_c02).ok());
  return Merge("c0", {{"c0.incus", A("fd00:1000::1")}},
               {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"}, {{to_c02, mid}});
}

std::vector<Record> HelperRecords() {
  return {{"forest-dns.incus", A("fd00:f00d::53")}, {"forest-ca.incus", A("fd00:f00d::53")}};
}

TEST(ForestView, NodesAndCanonicalNames) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  std::vector<std::string> nodes;
  for (const auto& [name, node] : v.nodes()) nodes.push_back(name);
  EXPECT_EQ(nodes, (std::vector<std::string>{"c0-2-1.c0-2.c0.incus", "c0-2.c0.incus", "c0.incus"}));
  EXPECT_EQ(v.nodes().at("c0-2.c0.incus").route.next_hop, A("fd00:1000:0:1::1"));
  EXPECT_EQ(v.canonical().size(), 7u);
  EXPECT_EQ(v.Lookup("c0-2-1.c0-2.c0.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.Lookup("forest-dns.incus"), Addrs{A("fd00:f00d::53")});
}

TEST(ForestView, AliasesOfTheDesignChain) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  EXPECT_EQ(v.Lookup("c0-2-1.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.Lookup("c0-2-1.c0-2.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.Lookup("c0-2.incus"), Addrs{A("fd00:1100::1")});
  EXPECT_EQ(v.Lookup("fasthtml-plus-integration-test.incus"), Addrs{A("fd00:1110::25")});
  EXPECT_EQ(v.Lookup("auth.fasthtml-plus-integration-test.incus"), Addrs{A("fd00:1110::25")});
  EXPECT_EQ(v.Lookup("auth.fasthtml-plus-integration-test.c0-2-1.incus"), Addrs{A("fd00:1110::25")});
  EXPECT_EQ(v.aliases().aliases_of.at("c0-2-1.c0-2.c0.incus"),
            (std::vector<std::string>{"c0-2-1.incus", "c0-2-1.c0-2.incus"}));
  // DNS names are case-insensitive and may be absolute.
  EXPECT_EQ(v.Lookup("C0-2-1.Incus."), Addrs{A("fd00:1110::1")});
  // Not names: a label path that skips its hosting node, the bare zone.
  EXPECT_TRUE(v.Lookup("auth.c0-2-1.incus").empty());
  EXPECT_TRUE(v.Lookup("incus").empty());
  EXPECT_TRUE(v.Lookup("c0.incus.c0.incus").empty());
}

TEST(ForestView, ObjectsSplitLabelPathAndChain) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  auto svc = v.ObjectFor("auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus");
  ASSERT_TRUE(svc.has_value());
  EXPECT_EQ(svc->label_path, (std::vector<std::string>{"auth", kApp}));
  EXPECT_EQ(svc->chain, (std::vector<std::string>{"c0-2-1", "c0-2", "c0"}));
  auto node = v.ObjectFor("c0-2-1.c0-2.c0.incus");
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(node->label_path, (std::vector<std::string>{"c0-2-1"}));
  EXPECT_EQ(node->chain, (std::vector<std::string>{"c0-2", "c0"}));
  auto helper = v.ObjectFor("forest-dns.incus");
  ASSERT_TRUE(helper.has_value());
  EXPECT_TRUE(helper->chain.empty());
  EXPECT_FALSE(v.ObjectFor("c0-2-1.incus").has_value());  // an alias is not an object
}

TEST(ForestView, NodeForSource) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  auto is = [&](const char* addr, const char* node) {
    auto got = v.NodeForSource(A(addr));
    ASSERT_TRUE(got.has_value()) << addr;
    EXPECT_EQ(*got, node) << addr;
  };
  is("fd00:1100:0:1::1", "c0-2-1.c0-2.c0.incus");  // c0-2-1's uplink, inside c0-2's prefix
  is("fd00:1110::1", "c0-2-1.c0-2.c0.incus");      // its node address
  is("fd00:1110::25", "c0-2-1.c0-2.c0.incus");     // a workload: its hosting node
  is("fd00:1100::1", "c0-2.c0.incus");
  is("fd00:1000:0:1::1", "c0-2.c0.incus");  // c0-2's uplink, inside c0's prefix
  is("fd00:1000:0:1::2", "c0.incus");       // an unused uplink slot of c0
  is("fd00:f00d:0:1::1", "c0.incus");       // c0's uplink on the host range
  is("fd00:1fff::1", "c0.incus");
  EXPECT_FALSE(v.NodeForSource(A("fd00:2000::1")).has_value());
  EXPECT_FALSE(v.NodeForSource(A("fd00:f00d::53")).has_value());  // the helper is no node
  EXPECT_FALSE(v.NodeForSource(A("::1")).has_value());
}

TEST(ForestView, NodeWithAddressIsExactOnly) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  EXPECT_EQ(v.NodeWithAddress(A("fd00:1100:0:1::1")), std::optional<std::string>("c0-2-1.c0-2.c0.incus"));
  EXPECT_EQ(v.NodeWithAddress(A("fd00:1110::1")), std::optional<std::string>("c0-2-1.c0-2.c0.incus"));
  EXPECT_EQ(v.NodeWithAddress(A("fd00:f00d:0:1::1")), std::optional<std::string>("c0.incus"));
  EXPECT_FALSE(v.NodeWithAddress(A("fd00:1110::25")).has_value());  // a workload is no node
  EXPECT_FALSE(v.NodeWithAddress(A("fd00:1000:0:1::2")).has_value());
  EXPECT_FALSE(v.NodeWithAddress(A("fd00:f00d::53")).has_value());
}

TEST(ForestView, HasNameAtOrUnder) {
  ForestView v = ForestView::Build({RootExport()}, HelperRecords());
  EXPECT_TRUE(v.HasNameAtOrUnder("incus"));
  EXPECT_TRUE(v.HasNameAtOrUnder("c0.incus"));
  EXPECT_TRUE(v.HasNameAtOrUnder("c0-2-1.c0-2.c0.incus"));
  EXPECT_TRUE(v.HasNameAtOrUnder("fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus"));
  EXPECT_TRUE(v.HasNameAtOrUnder("fasthtml-plus-integration-test.incus"));  // alias with one under it
  EXPECT_TRUE(v.HasNameAtOrUnder("C0-2.INCUS."));
  EXPECT_FALSE(v.HasNameAtOrUnder("x.c0.incus"));
  EXPECT_FALSE(v.HasNameAtOrUnder("2.c0.incus"));  // "c0-2.c0.incus" ends in "2.c0.incus", not on a boundary
  EXPECT_FALSE(v.HasNameAtOrUnder("example"));
}

TEST(ForestView, ConflictsAcrossRootsRemoveOnlyTheAlias) {
  // A second root c1 with its own c0-2-1 child.
  Export c1;
  c1.source_node = "c1";
  c1.route = {P("fd00:2000::/20"), A("fd00:f00d:0:1::2"), true, "eth0"};
  c1.records = {{"c1.incus", A("fd00:2000::1")}, {"c0-2-1.c1.incus", A("fd00:2100::1")}};
  c1.descendants = {{"c0-2-1.c1.incus", {P("fd00:2100::/24"), A("fd00:2000:0:1::1"), true, "eth0"}}};
  ForestView v = ForestView::Build({RootExport(), c1}, HelperRecords());
  EXPECT_TRUE(v.Lookup("c0-2-1.incus").empty());
  EXPECT_EQ(v.Lookup("c0-2-1.c0-2.c0.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.Lookup("c0-2-1.c1.incus"), Addrs{A("fd00:2100::1")});
  EXPECT_EQ(v.Lookup("c0-2-1.c0-2.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.NodeForSource(A("fd00:2000:0:1::1")), std::optional<std::string>("c0-2-1.c1.incus"));
}

// Issue 15: a descendant's service named like an ancestor (c0-2 in c0-2-1,
// alias candidate c0-2.incus) made c0-2.incus ambiguous for everyone.
// Nodes win over services outside the service's own subtree.
Export WithServiceInC021(const std::string& label_path) {
  std::string c021 = "c0-2-1.c0-2.c0.incus";
  Export leaf = Merge("c0-2-1", {{c021, A("fd00:1110::1")}, {label_path + "." + c021, A("fd00:1110::25")}},
                      {P("fd00:1110::/28"), A("fd00:1100:0:1::1"), true, "eth0"}, {});
  Delegation to_c021{"c0-2-1", c021, P("fd00:1110::/28"), A("fd00:1100:0:1::1")};
  Export mid = Merge("c0-2", {{"c0-2.c0.incus", A("fd00:1100::1")}, {"web.c0-2.c0.incus", A("fd00:1100::9")}},
                     {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}, {{to_c021, leaf}});
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A("fd00:1000:0:1::1")};
  return Merge("c0", {{"c0.incus", A("fd00:1000::1")}}, {P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"},
               {{to_c02, mid}});
}

TEST(ForestView, ADescendantsServiceCannotShadowAnAncestorsAlias) {
  ForestView v = ForestView::Build({WithServiceInC021("c0-2")}, HelperRecords());
  EXPECT_EQ(v.Lookup("c0-2.incus"), Addrs{A("fd00:1100::1")});  // still c0-2's
  EXPECT_EQ(v.aliases().alias_to_canonical.at("c0-2.incus"), "c0-2.c0.incus");
  // The service keeps its canonical name and its other aliases.
  EXPECT_EQ(v.Lookup("c0-2.c0-2-1.c0-2.c0.incus"), Addrs{A("fd00:1110::25")});
  EXPECT_EQ(v.Lookup("c0-2.c0-2-1.incus"), Addrs{A("fd00:1110::25")});
  ASSERT_EQ(v.held_back().size(), 1u);
  EXPECT_EQ(v.held_back()[0],
            "c0-2.incus (alias candidate of c0-2.c0-2-1.c0-2.c0.incus) held back: it is a name of node "
            "c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree");
  EXPECT_EQ(v.NodesClaiming("c0-2.incus"), std::vector<std::string>{"c0-2.c0.incus"});
  EXPECT_EQ(v.NodeHosting("c0-2.c0-2-1.c0-2.c0.incus"), std::optional<std::string>("c0-2-1.c0-2.c0.incus"));
  EXPECT_EQ(v.NodeHosting("other.example"), std::nullopt);
}

TEST(ForestView, ServicesStillShareAliasesByTheUnambiguityRule) {
  // web in c0-2 and a service web in c0-2-1: web.incus is nobody's (no node
  // is involved), as DESIGN.md's rule says; nothing is held back.
  ForestView v = ForestView::Build({WithServiceInC021("web")}, HelperRecords());
  EXPECT_TRUE(v.Lookup("web.incus").empty());
  EXPECT_TRUE(v.held_back().empty());
  // Without the service, the root of it all: web.incus is c0-2's web.
  EXPECT_EQ(ForestView::Build({WithServiceInC021("other")}, HelperRecords()).Lookup("web.incus"),
            Addrs{A("fd00:1100::9")});
}

TEST(ForestView, RootsCannotSpeakForOthers) {
  Export evil;
  evil.source_node = "evil";
  evil.route = {P("fd00:3000::/20"), A("fd00:f00d:0:1::3"), true, "eth0"};
  evil.records = {{"evil.incus", A("fd00:3000::1")},
                  {"forest-ca.incus", A("fd00:3000::66")},        // a helper name
                  {"c0-2-1.c0-2.c0.incus", A("fd00:3000::66")}};  // another root's name
  evil.descendants = {
      {"c0-2.c0.incus", {P("fd00:3100::/24"), A("fd00:3000:0:1::1"), true, "eth0"}},
      {"x.evil.incus", {P("fd00:1100::/24"), A("fd00:3000:0:1::2"), true, "eth0"}},   // c0-2's prefix
      {"y.evil.incus", {P("fd00:3200::/24"), A("fd00:1000:0:1::1"), true, "eth0"}}};  // c0-2's uplink
  evil.records.push_back({"w.evil.incus", A("fd00:1110::25")});  // c0-2-1's workload address
  Export helper_label = evil;
  helper_label.source_node = "forest-dns";
  ForestView v = ForestView::Build({RootExport(), evil, helper_label}, HelperRecords());
  EXPECT_EQ(v.Lookup("forest-ca.incus"), Addrs{A("fd00:f00d::53")});
  EXPECT_EQ(v.Lookup("c0-2-1.c0-2.c0.incus"), Addrs{A("fd00:1110::1")});
  EXPECT_EQ(v.nodes().at("c0-2.c0.incus").route.subtree, P("fd00:1100::/24"));
  EXPECT_EQ(v.Lookup("evil.incus"), Addrs{A("fd00:3000::1")});
  EXPECT_EQ(v.nodes().count("forest-dns.incus"), 0u);
  EXPECT_EQ(v.nodes().count("x.evil.incus"), 0u);
  EXPECT_EQ(v.nodes().count("y.evil.incus"), 0u);
  EXPECT_TRUE(v.Lookup("w.evil.incus").empty());
  EXPECT_EQ(v.NodeForSource(A("fd00:1100::7")), std::optional<std::string>("c0-2.c0.incus"));
  EXPECT_EQ(v.NodeForSource(A("fd00:1000:0:1::1")), std::optional<std::string>("c0-2.c0.incus"));
  EXPECT_EQ(v.NodeForSource(A("fd00:1110::25")), std::optional<std::string>("c0-2-1.c0-2.c0.incus"));
  EXPECT_EQ(v.Lookup("forest-dns.incus"), Addrs{A("fd00:f00d::53")});
}

TEST(ForestView, PropertyOrderIndependentAndConsistent) {
  std::mt19937 rng(4242);
  for (int iter = 0; iter < 100; ++iter) {
    // Several roots, each with random children named from a small alphabet.
    std::vector<Export> roots;
    int count = 1 + static_cast<int>(rng() % 3);
    for (int r = 0; r < count; ++r) {
      Export e;
      e.source_node = "r" + std::to_string(r);
      auto prefix = P("fd00::/16").Subnet(20, r + 1).value();
      e.route = {prefix, A("fd00:f00d:0:1::").Plus(r + 1), true, "eth0"};
      std::string root = e.source_node + ".incus";
      e.records.push_back({root, prefix.Host(1)});
      int children = static_cast<int>(rng() % 4);
      for (int k = 1; k <= children; ++k) {
        std::string child = "n" + std::to_string(rng() % 3) + "." + root;
        auto sub = prefix.Subnet(24, k).value();
        e.descendants.push_back({child, {sub, prefix.Host(0).Plus(k), true, "eth0"}});
        e.records.push_back({child, sub.Host(1)});
        e.records.push_back({"w" + std::to_string(rng() % 3) + "." + child, sub.Host(0x20)});
      }
      roots.push_back(e);
    }
    ForestView v = ForestView::Build(roots, HelperRecords());
    for (const auto& [alias, canonical] : v.aliases().alias_to_canonical) {
      EXPECT_EQ(v.canonical().count(alias), 0u) << alias;
      EXPECT_EQ(v.Lookup(alias), v.canonical().at(canonical)) << alias;
      EXPECT_TRUE(v.HasNameAtOrUnder(alias));
    }
    for (const auto& [name, addrs] : v.canonical()) {
      EXPECT_TRUE(std::is_sorted(addrs.begin(), addrs.end()));
      EXPECT_TRUE(v.HasNameAtOrUnder(name));
    }
    auto shuffled = roots;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (auto& e : shuffled) std::shuffle(e.records.begin(), e.records.end(), rng);
    ForestView u = ForestView::Build(shuffled, HelperRecords());
    EXPECT_EQ(u.canonical(), v.canonical());
    EXPECT_EQ(u.aliases().alias_to_canonical, v.aliases().alias_to_canonical);
    EXPECT_EQ(u.aliases().aliases_of, v.aliases().aliases_of);
    for (const auto& [name, node] : v.nodes()) {
      EXPECT_EQ(u.NodeForSource(node.route.next_hop), v.NodeForSource(node.route.next_hop));
    }
  }
}

}  // namespace
}  // namespace forest::registration
