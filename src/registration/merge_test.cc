// Parent-side validation of child exports and the idempotent merge.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "registration/registration.h"

namespace forest::registration {
namespace {

net::Ipv6Address A(const char* text) { return net::Ipv6Address::Parse(text).value(); }
net::Ipv6Prefix P(const char* text) { return net::Ipv6Prefix::Parse(text).value(); }

// What c0-2 delegated to c0-2-1 (DESIGN.md, Address plan).
Delegation ChildDelegation() {
  return {"c0-2-1", "c0-2-1.c0-2.c0.incus", P("fd00:1110::/28"), A("fd00:1100:0:1::1")};
}

Export GoodChildExport() {
  Export e;
  e.source_node = "c0-2-1";
  e.records = {{"c0-2-1.c0-2.c0.incus", A("fd00:1110::1")},
               {"fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus", A("fd00:1110::25")},
               {"auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus", A("fd00:1110::25")}};
  e.route = {P("fd00:1110::/28"), A("fd00:1100:0:1::1"), true, "eth0"};
  e.descendants = {
      {"c0-2-1-1.c0-2-1.c0-2.c0.incus", {P("fd00:1111::/32"), A("fd00:1110:0:1::1"), true, "eth0"}}};
  return e;
}

std::string Rejection(const Export& e) {
  Status s = ValidateChildExport(e, ChildDelegation());
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : s.error().message;
}

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(ValidateChildExport, AcceptsTheGoodExport) {
  Status s = ValidateChildExport(GoodChildExport(), ChildDelegation());
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(ValidateChildExport, RejectsForeignNames) {
  Export e = GoodChildExport();
  e.records.push_back({"c0-2-2.c0-2.c0.incus", A("fd00:1110::7")});  // a sibling's name
  std::string msg = Rejection(e);
  EXPECT_HAS(msg, "records[3].name");
  EXPECT_HAS(msg, "c0-2-2.c0-2.c0.incus");

  e = GoodChildExport();
  e.records[1].name = "c0-2.c0.incus";  // the parent's name
  EXPECT_HAS(Rejection(e), "\"c0-2.c0.incus\"");

  e = GoodChildExport();
  e.records[1].name = "xc0-2-1.c0-2.c0.incus";  // not on a label boundary
  EXPECT_HAS(Rejection(e), "xc0-2-1.c0-2.c0.incus");

  e = GoodChildExport();
  e.records[1].name = "forest-dns.incus";
  EXPECT_HAS(Rejection(e), "forest-dns.incus");

  e = GoodChildExport();
  e.records[1].name = "Bad_Name.c0-2-1.c0-2.c0.incus";
  EXPECT_HAS(Rejection(e), "records[1].name");
}

TEST(ValidateChildExport, RejectsAddressesOutsideThePrefix) {
  Export e = GoodChildExport();
  e.records[2].address = A("fd00:1000::25");  // in c0's LAN
  std::string msg = Rejection(e);
  EXPECT_HAS(msg, "records[2].address");
  EXPECT_HAS(msg, "fd00:1000::25");
  EXPECT_HAS(msg, "fd00:1110::/28");

  e = GoodChildExport();
  e.records[0].address = A("fd00:1120::1");  // the sibling's prefix
  EXPECT_HAS(Rejection(e), "fd00:1120::1");
}

TEST(ValidateChildExport, RejectsAWrongRoute) {
  Export e = GoodChildExport();
  e.route.subtree = P("fd00:1100::/24");  // claims the parent's whole prefix
  std::string msg = Rejection(e);
  EXPECT_HAS(msg, "route.subtree");
  EXPECT_HAS(msg, "fd00:1100::/24");

  e = GoodChildExport();
  e.route.next_hop = A("fd00:1100:0:1::2");
  msg = Rejection(e);
  EXPECT_HAS(msg, "route.next_hop");
  EXPECT_HAS(msg, "fd00:1100:0:1::2");
}

TEST(ValidateChildExport, RejectsWrongSchemaAndSource) {
  Export e = GoodChildExport();
  e.schema = 2;
  std::string msg = Rejection(e);
  EXPECT_HAS(msg, "schema 2");
  EXPECT_HAS(msg, "speaks schema 1");

  e = GoodChildExport();
  e.source_node = "c0-2-2";
  msg = Rejection(e);
  EXPECT_HAS(msg, "source_node");
  EXPECT_HAS(msg, "c0-2-2");
}

TEST(ValidateChildExport, RejectsDescendantsOutside) {
  Export e = GoodChildExport();
  e.descendants[0].name = "c0-2-2.c0-2.c0.incus";
  std::string msg = Rejection(e);
  EXPECT_HAS(msg, "descendants[0].name");
  EXPECT_HAS(msg, "c0-2-2.c0-2.c0.incus");

  e = GoodChildExport();
  e.descendants[0].name = "c0-2-1.c0-2.c0.incus";  // the child itself is not its own descendant
  EXPECT_HAS(Rejection(e), "descendants[0].name");

  e = GoodChildExport();
  e.descendants[0].route.subtree = P("fd00:1120::/32");
  msg = Rejection(e);
  EXPECT_HAS(msg, "descendants[0].route.subtree");
  EXPECT_HAS(msg, "fd00:1120::/32");

  e = GoodChildExport();
  e.descendants[0].route.subtree = P("fd00:1110::/28");  // the whole delegation
  EXPECT_HAS(Rejection(e), "descendants[0].route.subtree");

  e = GoodChildExport();
  e.descendants[0].route.next_hop = A("fd00:1000:0:1::1");
  msg = Rejection(e);
  EXPECT_HAS(msg, "descendants[0].route.next_hop");
  EXPECT_HAS(msg, "fd00:1000:0:1::1");

  e = GoodChildExport();
  e.descendants.push_back(e.descendants[0]);
  EXPECT_TRUE(ValidateChildExport(e, ChildDelegation()).ok());  // an exact duplicate is harmless
  e.descendants.back().route.next_hop = A("fd00:1110:0:1::9");
  EXPECT_HAS(Rejection(e), "listed twice");

  // Two nodes with one subtree, or one uplink, would make caller identity ambiguous.
  e = GoodChildExport();
  e.descendants.push_back(e.descendants[0]);
  e.descendants.back().name = "other.c0-2-1.c0-2.c0.incus";
  e.descendants.back().route.next_hop = A("fd00:1110:0:1::2");
  msg = Rejection(e);
  EXPECT_HAS(msg, "descendants[1].route.subtree");
  EXPECT_HAS(msg, "already c0-2-1-1.c0-2-1.c0-2.c0.incus's subtree");
  e.descendants.back().route.subtree = P("fd00:1112::/32");
  e.descendants.back().route.next_hop = e.descendants[0].route.next_hop;
  EXPECT_HAS(Rejection(e), "descendants[1].route.next_hop");
  e.descendants.back().route.next_hop = A("fd00:1110:0:1::2");
  EXPECT_TRUE(ValidateChildExport(e, ChildDelegation()).ok());
}

TEST(ValidateChildExport, ParsedForgeriesAreRejected) {
  // The whole path a parent takes: bytes → Parse → ValidateChildExport.
  std::string good = Serialize(GoodChildExport());
  ASSERT_TRUE(ValidateChildExport(Parse(good).value(), ChildDelegation()).ok());
  std::string forged = good;
  forged.replace(forged.find("fd00:1110::25"), 13, "fd00:1000::25");
  auto e = Parse(forged);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_HAS(Rejection(*e), "fd00:1000::25");
}

Route C02Route() { return {P("fd00:1100::/24"), A("fd00:1000:0:1::1"), true, "eth0"}; }
std::vector<Record> C02Own() { return {{"c0-2.c0.incus", A("fd00:1100::1")}}; }

TEST(Merge, ChildrenBecomeDescendants) {
  Export m = Merge("c0-2", C02Own(), C02Route(), {{ChildDelegation(), GoodChildExport()}});
  EXPECT_EQ(m.source_node, "c0-2");
  EXPECT_EQ(m.route, C02Route());
  ASSERT_EQ(m.records.size(), 4u);
  EXPECT_TRUE(std::is_sorted(m.records.begin(), m.records.end()));
  ASSERT_EQ(m.descendants.size(), 2u);
  EXPECT_EQ(m.descendants[0].name, "c0-2-1-1.c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(m.descendants[1].name, "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(m.descendants[1].route, GoodChildExport().route);

  // The merged export is itself valid from c0's point of view.
  Delegation to_c02{"c0-2", "c0-2.c0.incus", P("fd00:1100::/24"), A("fd00:1000:0:1::1")};
  Status s = ValidateChildExport(m, to_c02);
  EXPECT_TRUE(s.ok()) << s.error().message;
}

TEST(Merge, Idempotent) {
  std::vector<ChildExport> children = {{ChildDelegation(), GoodChildExport()}};
  Export once = Merge("c0-2", C02Own(), C02Route(), children);
  Export twice = Merge("c0-2", once.records, C02Route(), children);
  EXPECT_EQ(once, twice);
  EXPECT_EQ(Serialize(once), Serialize(twice));

  children.push_back(children[0]);  // the same child twice
  EXPECT_EQ(Merge("c0-2", C02Own(), C02Route(), children), once);
}

// Children of c0 in random slots, each with random workloads and services.
std::vector<ChildExport> RandomChildren(std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  std::vector<ChildExport> children;
  int count = 1 + pick(6);
  for (int slot = 1; slot <= count; ++slot) {
    std::string label = "c0-" + std::to_string(slot);
    ChildExport c;
    c.delegation = {label, label + ".c0.incus", P("fd00:1000::/20").Subnet(24, slot).value(),
                    A("fd00:1000:0:1::").Plus(slot)};
    c.exported.source_node = label;
    c.exported.route = {c.delegation.subtree, c.delegation.uplink, pick(2) == 0, "eth0"};
    c.exported.records.push_back({c.delegation.child_canonical, c.delegation.subtree.Host(1)});
    int workloads = pick(8);
    for (int w = 0; w < workloads; ++w) {
      std::string name = "w" + std::to_string(pick(5)) + "." + c.delegation.child_canonical;
      if (pick(2) == 0) name = "auth." + name;
      c.exported.records.push_back({name, c.delegation.subtree.Host(0x10 + pick(4))});
    }
    if (pick(2) == 0) {
      c.exported.descendants.push_back(
          {"g1." + c.delegation.child_canonical,
           {c.delegation.subtree.Subnet(28, 1).value(), c.delegation.subtree.Host(0).Plus(uint64_t{1} << 63),
            true, "eth0"}});
    }
    Normalize(c.exported);
    EXPECT_TRUE(ValidateChildExport(c.exported, c.delegation).ok());
    children.push_back(std::move(c));
  }
  return children;
}

TEST(Merge, PropertyIndependentOfChildOrderAndIdempotent) {
  std::mt19937 rng(777);
  Route c0_route{P("fd00:1000::/20"), A("fd00:f00d:0:1::1"), true, "eth0"};
  std::vector<Record> own = {{"c0.incus", A("fd00:1000::1")}, {"web.c0.incus", A("fd00:1000::30")}};
  for (int iter = 0; iter < 200; ++iter) {
    auto children = RandomChildren(rng);
    Export base = Merge("c0", own, c0_route, children);
    std::string text = Serialize(base);

    auto shuffled = children;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (auto& c : shuffled) std::shuffle(c.exported.records.begin(), c.exported.records.end(), rng);
    EXPECT_EQ(Merge("c0", own, c0_route, shuffled), base);
    EXPECT_EQ(Serialize(Merge("c0", own, c0_route, shuffled)), text);

    auto doubled = children;
    doubled.insert(doubled.end(), shuffled.begin(), shuffled.end());
    EXPECT_EQ(Merge("c0", own, c0_route, doubled), base);
    EXPECT_EQ(Merge("c0", base.records, c0_route, children), base);

    size_t expected_descendants = 0;
    for (const auto& c : children) expected_descendants += 1 + c.exported.descendants.size();
    EXPECT_EQ(base.descendants.size(), expected_descendants);
  }
}

}  // namespace
}  // namespace forest::registration
