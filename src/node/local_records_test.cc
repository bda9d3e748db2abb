#include "node/local_records.h"

#include <gtest/gtest.h>

#include <map>

#include "node/test_plan.h"

namespace forest::node {
namespace {

using testing::Six;

TEST(ResolveService, AcceptsShortCanonicalAndAliasForms) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2-1.c0-2.c0.incus");
  for (const char* name : {"auth.app.incus", "auth.app.c0-2-1.c0-2.c0.incus", "auth.app.c0-2-1.incus",
                           "AUTH.app.c0-2-1.c0-2.incus."}) {
    auto s = ResolveService(name, "app.incus", self);
    ASSERT_TRUE(s.ok()) << name << ": " << s.error().message;
    EXPECT_EQ(s->label_path, "auth.app") << name;
    EXPECT_EQ(s->target, "app") << name;
  }
  auto node_target = ResolveService("api.incus", "c0-2-1.incus", self);
  ASSERT_TRUE(node_target.ok());
  EXPECT_EQ(node_target->target, "");
  EXPECT_EQ(ResolveService("auth.app.incus", "app.c0-2-1.c0-2.c0.incus", self)->target, "app");
}

TEST(ResolveService, RefusesWithAReason) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2-1.c0-2.c0.incus");
  auto own = ResolveService("c0-2-1.incus", "app.incus", self);
  ASSERT_FALSE(own.ok());
  EXPECT_NE(own.error().message.find("own name"), std::string::npos);
  auto outside = ResolveService("auth.example.com", "app.incus", self);
  ASSERT_FALSE(outside.ok());
  EXPECT_NE(outside.error().message.find("under .incus"), std::string::npos);
  EXPECT_FALSE(ResolveService("a_b.incus", "app.incus", self).ok());
  auto deep_target = ResolveService("auth.incus", "x.app.incus", self);
  ASSERT_FALSE(deep_target.ok());
  EXPECT_NE(deep_target.error().message.find("--target-name"), std::string::npos);
}

TEST(ServiceShadows, AnAncestorsNameIsRefusedWithTheReason) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2-1.c0-2.c0.incus");
  // The hole of issue 15: `--name c0-2.incus` in c0-2-1 is label path c0-2,
  // whose short candidate c0-2.incus is c0-2's alias.
  auto ancestor = ServiceShadows(*ResolveService("c0-2.incus", "app.incus", self), self, c->p, {});
  ASSERT_TRUE(ancestor.has_value());
  EXPECT_EQ(*ancestor, "c0-2.incus is a name of node c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree");
  // Its canonical name: label path c0-2.c0, candidate c0-2.c0.incus.
  auto canonical = ServiceShadows(*ResolveService("c0-2.c0.incus", "app.incus", self), self, c->p, {});
  ASSERT_TRUE(canonical.has_value());
  EXPECT_NE(canonical->find("canonical name of node c0-2.c0.incus"), std::string::npos) << *canonical;
  // A parent may not register its child's canonical name either.
  const auto& parent = c->Node("c0-2.c0.incus");
  auto child = ServiceShadows(*ResolveService("c0-2-1.c0-2.c0.incus", "c0-2.incus", parent), parent, c->p, {});
  ASSERT_TRUE(child.has_value());
  EXPECT_NE(child->find("canonical name of node c0-2-1.c0-2.c0.incus"), std::string::npos) << *child;
}

TEST(ServiceShadows, PublishedAliasesOutsideTheSubtreeAreRefusedOthersPass) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2-1.c0-2.c0.incus");
  std::map<std::string, std::string> published = {{"peer.incus", "peer.c0-2.c0.incus"},
                                                  {"app.incus", "app.c0-2-1.c0-2.c0.incus"}};
  auto peer = ServiceShadows(*ResolveService("peer.incus", "app.incus", self), self, c->p, published);
  ASSERT_TRUE(peer.has_value());
  EXPECT_EQ(*peer, "peer.incus is published for peer.c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree");
  EXPECT_FALSE(ServiceShadows(*ResolveService("auth.app.incus", "app.incus", self), self, c->p, published));
  EXPECT_FALSE(ServiceShadows(*ResolveService("anything.incus", "app.incus", self), self, c->p, published));
  // A name that is c0-2's candidate only inside c0-2's own subtree is c0-2's business.
  const auto& parent = c->Node("c0-2.c0.incus");
  EXPECT_FALSE(ServiceShadows(*ResolveService("web.incus", "c0-2.incus", parent), parent, c->p, published));
}

TEST(Services, FileRoundTripAndErrors) {
  std::vector<Service> s = {{"web", "app"}, {"auth.app", "app"}};
  auto back = ParseServices(SerializeServices(s), "f");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, (std::vector<Service>{{"auth.app", "app"}, {"web", "app"}}));
  auto bad = ParseServices(R"({"schema":1,"services":[{"name":"ok"},{"name":"Bad_"}]})", "f.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("f.json: services[1].name"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ParseServices("nope", "f").ok());
  EXPECT_FALSE(ParseServices(R"({"schema":2,"services":[]})", "f").ok());
}

TEST(Services, ASchemaOfTheWrongTypeIsAnErrorNotAnException) {
  // Found by fuzz_services: j.value("schema", 0) threw on a string.
  for (const char* text :
       {R"({"schema":"1","services":[]})", R"({"schema":{},"services":[]})", R"({"services":[]})"}) {
    auto r = ParseServices(text, "services.json");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().message, "services.json: schema: expected 1");
  }
  EXPECT_TRUE(ParseServices(R"({"schema":1,"services":[]})", "f").ok());
}

TEST(Services, RegisteringAgainRetargets) {
  auto v = WithService({}, {"auth.app", "green"});
  v = WithService(v, {"auth.app", "blue"});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].target, "blue");
  EXPECT_TRUE(WithoutService(v, "auth.app")->empty());
  EXPECT_FALSE(WithoutService(v, "nope").ok());
}

TEST(WorkloadsFromIncus, RunningWorkloadsWithLanAddressesOnly) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2.c0.incus");  // LAN fd00:1100::/64, child c0-2-1
  auto instances = nlohmann::json::parse(R"([
    {"name":"app","status":"Running","state":{"network":{
      "eth0":{"addresses":[{"family":"inet6","address":"fd00:1100::216:3eff:fe00:1","scope":"global"},
                           {"family":"inet6","address":"fe80::1","scope":"link"},
                           {"family":"inet6","address":"fd00:9999::1","scope":"global"},
                           {"family":"inet","address":"10.0.0.2","scope":"global"}]},
      "lo":{"addresses":[{"family":"inet6","address":"::1","scope":"local"}]}}}},
    {"name":"c0-2-1","status":"Running","state":{}},
    {"name":"stopped","status":"Stopped"},
    {"name":"booting","status":"Running","state":{"network":{}}},
    {"name":"Bad_Name","status":"Running"},
    "garbage"])");
  auto w = WorkloadsFromIncus(instances, self, {"c0-2-1"});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name, "app");
  EXPECT_EQ(w[0].addresses, (std::vector<net::Ipv6Address>{Six("fd00:1100::216:3eff:fe00:1")}));
  EXPECT_EQ(w[1].name, "booting");
  EXPECT_TRUE(w[1].addresses.empty());
}

TEST(WorkloadsFromIncus, OtherProjectsCountAndDefaultWinsANameClash) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2.c0.incus");
  auto instances = nlohmann::json::parse(R"([
    {"name":"web","project":"user-2345","status":"Running","state":{"network":{
      "eth0":{"addresses":[{"family":"inet6","address":"fd00:1100::2","scope":"global"}]}}}},
    {"name":"app","project":"user-2345","status":"Running","state":{"network":{
      "eth0":{"addresses":[{"family":"inet6","address":"fd00:1100::3","scope":"global"}]}}}},
    {"name":"app","project":"default","status":"Running","state":{"network":{
      "eth0":{"addresses":[{"family":"inet6","address":"fd00:1100::4","scope":"global"}]}}}},
    {"name":"c0-2-1","project":"user-2345","status":"Running","state":{}}])");
  auto w = WorkloadsFromIncus(instances, self, {"c0-2-1"});
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].name, "app");
  EXPECT_EQ(w[0].project, "default");
  EXPECT_EQ(w[0].addresses, (std::vector<net::Ipv6Address>{Six("fd00:1100::4")}));
  EXPECT_EQ(w[1].name, "web");
  EXPECT_EQ(w[1].project, "user-2345");
}

TEST(ComputeOwnRecords, NodeWorkloadsAndServices) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2-1.c0-2.c0.incus");
  std::vector<LocalInstance> w = {{"app", {Six("fd00:1110::25")}}, {"new", {}}};
  auto own = ComputeOwnRecords(self, w, {{"auth.app", "app"}, {"api", ""}, {"x", "missing"}});
  std::vector<registration::Record> want = {
      {"api.c0-2-1.c0-2.c0.incus", Six("fd00:1110::1")},
      {"app.c0-2-1.c0-2.c0.incus", Six("fd00:1110::25")},
      {"auth.app.c0-2-1.c0-2.c0.incus", Six("fd00:1110::25")},
      {"c0-2-1.c0-2.c0.incus", Six("fd00:1110::1")},
  };
  EXPECT_EQ(own.records, want);
  EXPECT_EQ(own.waiting, (std::vector<std::string>{"new", "x → missing"}));
}

}  // namespace
}  // namespace forest::node
