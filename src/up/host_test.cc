// Host preparation and `down` against the fake process runner and a
// scripted Incus (the real paths: tests/forest_up_test.sh).
#include "up/host.h"

#include <gtest/gtest.h>

#include <map>

#include "base/fake_process.h"
#include "incus/transport.h"
#include "up/sweep_run.h"

namespace forest::up {
namespace {

// Incus answering by "METHOD path" (query left out); 404 for the rest.
struct FakeIncus : incus::Transport {
  std::map<std::string, std::string> sync;  // "GET /1.0/x" -> metadata JSON
  std::vector<std::string> calls;
  std::vector<std::string> bodies;
  Result<incus::HttpResponse> Send(const std::string& method, const std::string& target,
                                   const std::string& body, const incus::Headers&, incus::Deadline) override {
    std::string key = method + " " + target.substr(0, target.find('?'));
    calls.push_back(key);
    bodies.push_back(body);
    auto it = sync.find(key);
    if (it == sync.end())
      return incus::HttpResponse{404, R"({"type":"error","error":"not found","error_code":404})", {}};
    return incus::HttpResponse{
        200, R"({"type":"sync","status":"Success","status_code":200,"metadata":)" + it->second + "}", {}};
  }
};

struct Fixture {
  topology::Topology t;
  plan::Plan plan;
  Options o;
  FakeProcessRunner run;
  std::shared_ptr<FakeIncus> incus = std::make_shared<FakeIncus>();
  incus::Client c{incus};
  std::vector<std::string> said;
};

std::unique_ptr<Fixture> Make() {
  auto f = std::make_unique<Fixture>();
  f->t = topology::Defaults();
  f->t.file = "t.yaml";
  f->t.name = "t";
  f->t.nat64_prefix = *net::Ipv6Prefix::Parse("fd00:6464::/96");
  topology::Node c0;
  c0.name = "c0";
  f->t.roots.push_back(c0);
  auto p = plan::MakePlan(f->t);
  EXPECT_TRUE(p.ok()) << p.error().message;
  f->plan = std::move(*p);
  f->o.runner = &f->run;
  Fixture* raw = f.get();
  f->o.progress = [raw](const std::string& s) { raw->said.push_back(s); };
  return f;
}

TEST(UpHost, DefaultRouteDevicesOncePerDevice) {
  EXPECT_EQ(DefaultRouteDevices("default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100\n"
                                "default via fe80::1 dev eth0 proto ra metric 1024 pref medium\n"
                                "default via 192.0.2.1 dev wlan0\n"
                                "garbage\n"),
            (std::vector<std::string>{"eth0", "wlan0"}));
  EXPECT_TRUE(DefaultRouteDevices("").empty());
}

TEST(UpHost, GuardLoadsOneTableForTheUplinks) {
  auto f = Make();
  f->run.On({"ip", "-o", "route"}, 0, "default via 10.0.0.1 dev eth0 proto dhcp\n");
  f->run.On({"ip", "-o", "-6", "route"}, 0, "default via fe80::1 dev eth1 proto ra\n");
  Level l{f->c, f->t, f->plan, f->o, RunnerOf(f->o)};
  ASSERT_TRUE(GuardUplink(l).ok());
  ASSERT_EQ(f->run.Lines(), (std::vector<std::string>{"ip -o route show default",
                                                      "ip -o -6 route show default", "nft -f /dev/stdin"}));
  const std::string& rules = *f->run.calls()[2].stdin_text;
  EXPECT_EQ(rules, GuardRuleset(f->t, f->plan, {"eth0", "eth1"}));
  // Replaced in one transaction: made, deleted, made again with its rules.
  EXPECT_EQ(rules.rfind("table inet forest_guard_t {}\ndelete table inet forest_guard_t\n", 0), 0u);
  EXPECT_NE(rules.find("iifname \"" + f->t.host.bridge + "\" oifname \"eth0\" drop"), std::string::npos);
  EXPECT_NE(rules.find("oifname \"eth1\" ip6 saddr { "), std::string::npos);
  EXPECT_NE(rules.find("fd00:6464::/96 } drop"), std::string::npos);
  ASSERT_FALSE(f->said.empty());
  EXPECT_EQ(f->said.back(), "uplink guard: table inet forest_guard_t drops forest traffic to eth0");
}

TEST(UpHost, GuardWithoutUplinkLoadsNothing) {
  auto f = Make();
  Level l{f->c, f->t, f->plan, f->o, RunnerOf(f->o)};
  ASSERT_TRUE(GuardUplink(l).ok());
  EXPECT_EQ(f->run.calls().size(), 2u);  // the two route lists, no nft
}

TEST(UpHost, GuardFailureSaysWhatNftSaid) {
  auto f = Make();
  f->run.On({"ip", "-o", "route"}, 0, "default via 10.0.0.1 dev eth0\n");
  f->run.On({"nft"}, 1, "", "Error: Could not process rule\n");
  Level l{f->c, f->t, f->plan, f->o, RunnerOf(f->o)};
  auto s = GuardUplink(l);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "nft -f (uplink guard): Error: Could not process rule\n");
}

TEST(UpHost, DownRemovesTheGuardThroughTheRunner) {
  auto f = Make();
  f->incus->sync["GET /1.0"] = R"({"config":{}})";
  ASSERT_TRUE(DownHost(f->c, f->t, "/nonexistent-forest-state", nullptr, &f->run).ok());
  EXPECT_EQ(f->run.Lines(), (std::vector<std::string>{"nft delete table inet forest_guard_t"}));
}

TEST(UpSweep, NothingLeftOverRemovesNothing) {
  auto f = Make();
  f->run.On({"nft", "-j", "list", "ruleset"}, 0, R"({"nftables":[{"metainfo":{}}]})");
  f->run.On({"ip", "-j", "link", "show"}, 0, "[]");
  f->incus->sync["GET /1.0/instances"] = "[]";
  f->incus->sync["GET /1.0/operations"] = "{}";
  auto swept = SweepLocal(f->c, {"forest-t"}, f->run);
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_TRUE(swept->empty());
  EXPECT_EQ(f->run.Lines(), (std::vector<std::string>{"nft -j list ruleset", "ip -j link show"}));
}

TEST(UpSweep, BrokenListingIsAnError) {
  auto f = Make();
  f->run.On({"ip", "-j", "link", "show"}, 0, "[]");
  f->run.On({"nft"}, 1);
  auto swept = SweepLocal(f->c, {}, f->run);
  ASSERT_FALSE(swept.ok());
  EXPECT_EQ(swept.error().message, "`nft -j list ruleset` failed (exit 1)");
}

}  // namespace
}  // namespace forest::up
