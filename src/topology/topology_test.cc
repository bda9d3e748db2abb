#include "topology/topology.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include "base/files.h"

namespace forest::topology {
namespace {

Topology LoadExample(const std::string& name) {
  std::string path = std::string(FOREST_SOURCE_DIR) + "/examples/" + name;
  auto t = LoadFile(path);
  EXPECT_TRUE(t.ok()) << t.error().message;
  return t.ok() ? *t : Topology{};
}

std::vector<std::string> Names(const std::vector<Node>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(n.name);
  return out;
}

TEST(Defaults, MatchTheDocumentedValues) {
  Topology d = Defaults();
  EXPECT_EQ(d.host.bridge, "forestbr0");
  EXPECT_EQ(d.host.ipv6.ToString(), "fd00:f00d::1/64");
  EXPECT_EQ(d.host.ipv4.ToString(), "10.203.0.1/24");
  EXPECT_EQ(d.host.uplink_range.ToString(), "fd00:f00d:0:1::/64");
  EXPECT_EQ(d.host.storage_pool, "default");
  EXPECT_EQ(d.helper.name, "forest-helper");
  EXPECT_EQ(d.helper.address.ToString(), "fd00:f00d::53");
  EXPECT_FALSE(d.helper.cache);
  EXPECT_EQ(d.helper.cache_address.ToString(), "fd00:f00d::3142");
  EXPECT_EQ(d.nat64_prefix.ToString(), "64:ff9b::/96");
  EXPECT_TRUE(d.roots.empty());
}

TEST(Parse, MinimalFileGetsEveryDefault) {
  auto t = Parse("version: 1\nroots:\n  - name: c0\n", "dir/my_Forest.yaml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->file, "dir/my_Forest.yaml");
  EXPECT_EQ(t->name, "my-forest");  // the stem, made a label
  Topology d = Defaults();
  EXPECT_EQ(t->host.bridge, d.host.bridge);
  EXPECT_EQ(t->host.ipv6, d.host.ipv6);
  EXPECT_EQ(t->host.ipv4, d.host.ipv4);
  EXPECT_EQ(t->host.uplink_range, d.host.uplink_range);
  EXPECT_EQ(t->helper.address, d.helper.address);
  EXPECT_EQ(t->nat64_prefix, d.nat64_prefix);
  ASSERT_EQ(t->roots.size(), 1u);
  const Node& c0 = t->roots[0];
  EXPECT_EQ(c0.name, "c0");
  EXPECT_FALSE(c0.slot.has_value());
  EXPECT_FALSE(c0.prefix.has_value());
  EXPECT_TRUE(c0.edge);
  EXPECT_EQ(c0.kind, NodeKind::kContainer);
  EXPECT_FALSE(c0.ssh_agent);
  EXPECT_FALSE(c0.privileged);
  EXPECT_EQ(c0.pos.line, 3);
  EXPECT_EQ(c0.pos.column, 5);
}

TEST(Parse, NameDefaultsToForestWithoutAUsableStem) {
  auto t = Parse("version: 1\nroots: [{name: c0}]\n", "___.yaml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->name, "forest");
}

TEST(Parse, EveryKeyIsRead) {
  auto t = Parse(R"(version: 1
name: full
host: {bridge: br-x, ipv6: "fd00:beef::1/64", ipv4: 10.9.0.1/24, uplink_range: "fd00:beef:0:1::/64",
       storage_pool: fast}
helper: {name: dns-helper, address: "fd00:beef::53", cache: true, cache_address: "fd00:beef::3142"}
nat64_prefix: fd00:6464::/96
roots:
  - name: r1
    prefix: fd00:2000::/20
    edge: false
    slot: 7
    kind: vm
    limits: {cpu: 0-3, memory: 50%, processes: 100, disk: 10GB}
    shares: [{source: /srv/a, path: /a}, {source: /srv/b, path: /b, readonly: false}]
    ssh_agent: true
    privileged: true
    workloads:
      - {name: db, image: debian-12, services: [pg, api.pg]}
    children:
      - {name: k, slot: 15}
)",
                 "full.yaml");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->name, "full");
  EXPECT_EQ(t->host.bridge, "br-x");
  EXPECT_EQ(t->host.ipv6.ToString(), "fd00:beef::1/64");
  EXPECT_EQ(t->host.ipv4.ToString(), "10.9.0.1/24");
  EXPECT_EQ(t->host.uplink_range.ToString(), "fd00:beef:0:1::/64");
  EXPECT_EQ(t->host.storage_pool, "fast");
  EXPECT_EQ(t->helper.name, "dns-helper");
  EXPECT_EQ(t->helper.address.ToString(), "fd00:beef::53");
  EXPECT_TRUE(t->helper.cache);
  EXPECT_EQ(t->helper.cache_address.ToString(), "fd00:beef::3142");
  EXPECT_EQ(t->nat64_prefix.ToString(), "fd00:6464::/96");
  const Node& r = t->roots.at(0);
  EXPECT_EQ(r.prefix->ToString(), "fd00:2000::/20");
  EXPECT_FALSE(r.edge);
  EXPECT_EQ(r.slot, 7);
  EXPECT_EQ(r.kind, NodeKind::kVm);
  EXPECT_EQ(r.limits.cpu, "0-3");
  EXPECT_EQ(r.limits.memory, "50%");
  EXPECT_EQ(r.limits.processes, "100");
  EXPECT_EQ(r.limits.disk, "10GB");
  ASSERT_EQ(r.shares.size(), 2u);
  EXPECT_EQ(r.shares[0].source, "/srv/a");
  EXPECT_EQ(r.shares[0].path, "/a");
  EXPECT_TRUE(r.shares[0].readonly);
  EXPECT_FALSE(r.shares[1].readonly);
  EXPECT_EQ(r.shares[1].pos.line, 14);
  EXPECT_TRUE(r.ssh_agent);
  EXPECT_TRUE(r.privileged);
  ASSERT_EQ(r.workloads.size(), 1u);
  EXPECT_EQ(r.workloads[0].name, "db");
  EXPECT_EQ(r.workloads[0].image, "debian-12");
  EXPECT_EQ(r.workloads[0].services, (std::vector<std::string>{"pg", "api.pg"}));
  EXPECT_EQ(r.workloads[0].pos.line, 18);
  ASSERT_EQ(r.children.size(), 1u);
  EXPECT_EQ(r.children[0].slot, 15);
  EXPECT_FALSE(r.children[0].edge);  // only roots are edges
}

TEST(Examples, SourceChain) {
  Topology t = LoadExample("source-chain.yaml");
  EXPECT_EQ(t.name, "source-chain");
  EXPECT_EQ(t.nat64_prefix.ToString(), "fd00:6464::/96");
  ASSERT_EQ(Names(t.roots), std::vector<std::string>{"c0"});
  const Node& c0 = t.roots[0];
  EXPECT_EQ(c0.prefix->ToString(), "fd00:1000::/20");
  EXPECT_TRUE(c0.edge);
  ASSERT_EQ(Names(c0.children), std::vector<std::string>{"c0-2"});
  const Node& c02 = c0.children[0];
  EXPECT_EQ(c02.slot, 1);
  ASSERT_EQ(Names(c02.children), std::vector<std::string>{"c0-2-1"});
  const Node& c021 = c02.children[0];
  EXPECT_EQ(c021.slot, 1);
  EXPECT_TRUE(c021.children.empty());
  EXPECT_TRUE(c021.shares.empty());
  EXPECT_FALSE(c021.ssh_agent);
  ASSERT_EQ(c021.workloads.size(), 1u);
  EXPECT_EQ(c021.workloads[0].name, "fasthtml-plus-integration-test");
  EXPECT_EQ(c021.workloads[0].image, "forest-workload");
  EXPECT_EQ(c021.workloads[0].services, std::vector<std::string>{"auth"});

  std::vector<std::pair<std::string, int>> walk;
  ForEachNode(t.roots, [&](const Node& n, int depth) { walk.emplace_back(n.name, depth); });
  EXPECT_EQ(walk, (std::vector<std::pair<std::string, int>>{{"c0", 0}, {"c0-2", 1}, {"c0-2-1", 2}}));
}

TEST(Examples, AgentJail) {
  Topology t = LoadExample("agent-jail.yaml");
  EXPECT_EQ(t.name, "agent-jail");
  ASSERT_EQ(Names(t.roots), std::vector<std::string>{"agent-jail"});
  const Node& j = t.roots[0];
  EXPECT_EQ(j.limits.cpu, "2");
  EXPECT_EQ(j.limits.memory, "4GiB");
  EXPECT_EQ(j.limits.processes, "2000");
  EXPECT_EQ(j.limits.disk, "20GiB");
  ASSERT_EQ(j.shares.size(), 1u);
  EXPECT_EQ(j.shares[0].source, "/srv/forest/workspace");
  EXPECT_EQ(j.shares[0].path, "/workspace");
  EXPECT_FALSE(j.shares[0].readonly);
  EXPECT_TRUE(j.ssh_agent);
  EXPECT_FALSE(j.privileged);
  ASSERT_EQ(j.workloads.size(), 1u);
  EXPECT_EQ(j.workloads[0].name, "auth-gw");
  EXPECT_EQ(j.workloads[0].services, std::vector<std::string>{"auth"});
  EXPECT_EQ(Names(j.children), (std::vector<std::string>{"blue", "green", "restore"}));
  for (size_t i = 0; i < j.children.size(); ++i) {
    const Node& c = j.children[i];
    EXPECT_EQ(c.slot, static_cast<int>(i) + 1) << c.name;
    ASSERT_EQ(c.workloads.size(), 1u) << c.name;
    EXPECT_EQ(c.workloads[0].name, "app");
    EXPECT_TRUE(c.children.empty());
  }
}

TEST(Examples, Workstation) {
  Topology t = LoadExample("workstation.yaml");
  EXPECT_EQ(t.name, "workstation");
  ASSERT_EQ(Names(t.roots), std::vector<std::string>{"workstation"});
  const Node& w = t.roots[0];
  ASSERT_EQ(Names(w.children), std::vector<std::string>{"agent-jail"});
  const Node& j = w.children[0];
  EXPECT_TRUE(j.ssh_agent);
  ASSERT_EQ(j.shares.size(), 1u);
  EXPECT_FALSE(j.shares[0].readonly);
  EXPECT_EQ(j.workloads.at(0).name, "auth-gw");
  EXPECT_EQ(Names(j.children), (std::vector<std::string>{"green", "blue", "restore"}));
  int max_depth = 0;
  ForEachNode(t.roots, [&](const Node&, int depth) { max_depth = std::max(max_depth, depth); });
  EXPECT_EQ(max_depth, 2);
}

TEST(LoadFile, MissingFileIsAnError) {
  auto t = LoadFile("/nonexistent/forest.yaml");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("/nonexistent/forest.yaml"), std::string::npos) << t.error().message;
}

}  // namespace
}  // namespace forest::topology
