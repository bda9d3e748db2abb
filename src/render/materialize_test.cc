#include "render/materialize.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "base/files.h"
#include "render/plan_view.h"

namespace forest::render {
namespace {

struct Fixture {
  topology::Topology topology;
  plan::Plan plan;
};

std::unique_ptr<Fixture> Load(const std::string& text) {
  auto f = std::make_unique<Fixture>();
  auto t = topology::Parse(text, "test.yaml");
  EXPECT_TRUE(t.ok()) << t.error().message;
  f->topology = *t;
  auto p = plan::MakePlan(f->topology);
  EXPECT_TRUE(p.ok()) << p.error().message;
  f->plan = *p;
  return f;
}

std::string SourceChain() {
  auto text = ReadFile(std::string(FOREST_SOURCE_DIR) + "/examples/source-chain.yaml");
  EXPECT_TRUE(text.ok());
  return *text;
}

TEST(Materialize, SameInputsGiveIdenticalTrees) {
  std::string text = SourceChain();
  auto a = Load(text);
  auto b = Load(text);
  GenerateOptions o{"demo", text, true, {{"bin/forestd", "x"}}};
  auto ta = Materialize(a->topology, a->plan, o);
  auto tb = Materialize(b->topology, b->plan, o);
  ASSERT_TRUE(ta.ok()) << ta.error().message;
  ASSERT_TRUE(tb.ok());
  EXPECT_EQ(*ta, *tb);
}

TEST(Materialize, HasEveryRoleProfileAndOneProfilePerNode) {
  std::string text = SourceChain();
  auto f = Load(text);
  auto tree = Materialize(f->topology, f->plan, {"demo", text, true, {}});
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  for (const char* p : {"helper", "cache", "root", "recursive-child", "workload"}) {
    EXPECT_EQ(tree->count(std::string("final/profiles/forest-") + p + ".yaml"), 1u) << p;
  }
  for (const auto& n : f->plan.nodes) {
    auto it = tree->find("final/nodes/" + NodeProfileName(n) + ".yaml");
    ASSERT_NE(it, tree->end()) << n.canonical_name;
    YAML::Node doc = YAML::Load(it->second.contents);
    EXPECT_EQ(doc["devices"]["eth0"]["nictype"].as<std::string>(), "routed");
    // Non-root nodes carry their CLAT sidecar's /128 as the second address;
    // edge roots get their IPv4 egress NIC on the host bridge.
    std::string addresses = n.uplink.ToString() + (n.depth > 0 ? "," + n.clat_uplink.ToString() : "");
    EXPECT_EQ(doc["devices"]["eth0"]["ipv6.address"].as<std::string>(), addresses);
    EXPECT_EQ(static_cast<bool>(doc["devices"]["eth1"]), n.edge) << n.canonical_name;
    if (n.edge) {
      EXPECT_EQ(doc["devices"]["eth1"]["ipv4.address"].as<std::string>(), n.egress_ipv4.AddressString());
    }
    EXPECT_EQ(doc["devices"]["eth0"]["ipv6.routes"].as<std::string>(), n.prefix.ToString());
    EXPECT_FALSE(doc["config"]["security.privileged"]) << "unprivileged unless opted in";
    // cloud-init carries the node's own plan.
    std::string ci = doc["config"]["cloud-init.user-data"].as<std::string>();
    EXPECT_NE(ci.find("FOREST_CANONICAL_NAME=" + n.canonical_name), std::string::npos);
    EXPECT_NE(ci.find("FOREST_PREFIX=" + n.prefix.ToString()), std::string::npos);
    EXPECT_TRUE(YAML::Load(ci).IsMap()) << "cloud-init user data must be valid YAML";
  }
  EXPECT_EQ(tree->count("final/profiles/forest-cache.yaml"), 1u);
  EXPECT_EQ(tree->at("scripts/verify.sh").mode, 0755u);
}

TEST(Materialize, CacheProfileOnlyWhenEnabled) {
  std::string text = SourceChain();
  auto f = Load(text);
  auto tree = Materialize(f->topology, f->plan, {"demo", text, false, {}});
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(tree->count("final/profiles/forest-cache.yaml"), 0u);
  EXPECT_EQ(tree->count("rendered/cache/cloud-init.yaml"), 0u);
}

TEST(Materialize, PrivilegedOptInIsRenderedAndRecorded) {
  std::string text =
      "version: 1\n"
      "roots:\n"
      "  - name: r\n"
      "    privileged: true\n";
  auto f = Load(text);
  auto tree = Materialize(f->topology, f->plan, {"demo", text, false, {}});
  ASSERT_TRUE(tree.ok());
  YAML::Node doc = YAML::Load(tree->at("final/nodes/forest-node_r.yaml").contents);
  EXPECT_EQ(doc["config"]["security.privileged"].as<std::string>(), "true");
  EXPECT_NE(tree->at("forest.json").contents.find("explicit opt-in"), std::string::npos);
}

TEST(Materialize, SharesAreRelayedThroughEveryAncestor) {
  auto f = Load(R"(version: 1
name: s
roots:
  - name: c0
    children:
      - name: c0-1
        children:
          - name: c0-1-1
            shares:
              - {source: /home/dev/project, path: /srv/project, readonly: false}
)");
  auto profiles = AllProfiles(f->topology, f->plan, false);
  ASSERT_TRUE(profiles.ok()) << profiles.error().message;
  std::map<std::string, IncusProfile> by_name;
  for (const auto& p : *profiles) by_name[p.name] = p;
  const std::string staged = "/opt/forest/shares/c0-1-1.c0-1.c0.incus/0";
  // The root mounts the host folder idmapped at the staging path.
  auto root = by_name.at("forest-node_c0").devices.at("relay-c0-1-1-0");
  EXPECT_EQ(root.at("source"), "/home/dev/project");
  EXPECT_EQ(root.at("path"), staged);
  EXPECT_EQ(root.at("shift"), "true");
  EXPECT_EQ(root.at("readonly"), "false");
  // The middle node passes its parent's staging path on, without shift.
  auto mid = by_name.at("forest-node_c0-1_c0").devices.at("relay-c0-1-1-0");
  EXPECT_EQ(mid.at("source"), staged);
  EXPECT_EQ(mid.at("path"), staged);
  EXPECT_EQ(mid.count("shift"), 0u);
  // The node itself sees exactly the folder at its path.
  auto own = by_name.at("forest-node_c0-1-1_c0-1_c0").devices.at("share-0");
  EXPECT_EQ(own.at("source"), staged);
  EXPECT_EQ(own.at("path"), "/srv/project");
  EXPECT_EQ(own.count("shift"), 0u);
  EXPECT_EQ(by_name.at("forest-node_c0-1-1_c0-1_c0").devices.count("relay-c0-1-1-0"), 0u);
}

TEST(Materialize, ArtifactsAreHashed) {
  std::string text = SourceChain();
  auto f = Load(text);
  auto tree = Materialize(f->topology, f->plan, {"demo", text, false, {{"bin/forestd", "abc"}}});
  ASSERT_TRUE(tree.ok());
  // sha256("abc")
  EXPECT_EQ(tree->at("artifacts/SHA256SUMS").contents,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  runtime/bin/forestd\n");
  EXPECT_EQ(tree->at("artifacts/runtime/bin/forestd").mode, 0755u);
}

}  // namespace
}  // namespace forest::render
