#include "up/sweep.h"

#include <gtest/gtest.h>

namespace forest::up {
namespace {

using Json = nlohmann::json;

// What c0 showed after `incus restart c0` with the cgroup fix-up missing:
// the first autostart of c0-2 failed in forkstart and left its veth pair
// (vethbc05ac03, named by volatile.eth0.host_name) and the anti-spoofing
// chain, which the two retries (whose veths Incus did remove) left with
// `iif 6` and `iif 8`.
SweepInput AfterAFailedStart() {
  SweepInput in;
  in.instances = Json::parse(R"([
    {"name": "c0-2", "project": "default", "status": "Stopped",
     "config": {"volatile.eth0.host_name": "vethbc05ac03", "volatile.eth0.hwaddr": "10:66:6a:09:51:d1"}},
    {"name": "web", "project": "default", "status": "Running",
     "config": {"volatile.eth0.host_name": "veth11111111"}},
    {"name": "agent-box", "project": "user-2345", "status": "Stopped",
     "config": {"volatile.eth0.host_name": "veth22222222"}}])");
  in.operations = Json::parse(R"({"running": []})");
  in.links = Json::parse(R"([{"ifname": "lo"}, {"ifname": "eth0"}, {"ifname": "incusbr0"},
    {"ifname": "vethf098d244"}, {"ifname": "vethbc05ac03"}, {"ifname": "veth11111111"}])");
  in.nft = Json::parse(R"({"nftables": [
    {"table": {"family": "inet", "name": "incus", "handle": 2}},
    {"chain": {"family": "inet", "table": "incus", "name": "fwd.incusbr0", "handle": 1}},
    {"chain": {"family": "inet", "table": "incus", "name": "prert.c0-2.eth0", "handle": 24}},
    {"chain": {"family": "inet", "table": "incus", "name": "prert.web.eth0", "handle": 30}},
    {"chain": {"family": "inet", "table": "forest_edge", "name": "prert.c0-2.eth0", "handle": 3}},
    {"rule": {"family": "inet", "table": "incus", "chain": "prert.c0-2.eth0", "handle": 25,
      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "vethbc05ac03"}}]}},
    {"rule": {"family": "inet", "table": "incus", "chain": "prert.web.eth0", "handle": 31,
      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "veth11111111"}}, {"drop": null}]}},
    {"rule": {"family": "inet", "table": "incus", "chain": "prert.web.eth0", "handle": 32,
      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": 6}}, {"drop": null}]}},
    {"rule": {"family": "inet", "table": "incus", "chain": "prert.web.eth0", "handle": 33,
      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "vethgone0000"}}, {"drop": null}]}},
    {"rule": {"family": "inet", "table": "incus", "chain": "fwd.incusbr0", "handle": 2,
      "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "gone"}}]}}]})");
  return in;
}

TEST(Sweep, RemovesWhatAFailedStartLeft) {
  SweepPlan p = PlanSweep(AfterAFailedStart());
  EXPECT_EQ(p.links, std::vector<std::string>{"vethbc05ac03"});
  ASSERT_EQ(p.chains.size(), 1u);
  EXPECT_EQ(p.chains[0].chain, "prert.c0-2.eth0");
  EXPECT_EQ(p.chains[0].table, "incus");
  // In the running workload's chain: only the rules for vanished interfaces.
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].handle, 32);
  EXPECT_EQ(p.rules[1].handle, 33);
  EXPECT_EQ(p.log.size(), 4u);
  EXPECT_EQ(NftBatch(p),
            "delete rule inet incus prert.web.eth0 handle 32\n"
            "delete rule inet incus prert.web.eth0 handle 33\n"
            "flush chain inet incus prert.c0-2.eth0\n"
            "delete chain inet incus prert.c0-2.eth0\n");
}

TEST(Sweep, LeavesAnInstanceWithARunningOperationAlone) {
  SweepInput in = AfterAFailedStart();
  in.operations = Json::parse(R"({"running": [{"description": "Starting instance",
    "resources": {"instances": ["/1.0/instances/c0-2"]}}]})");
  SweepPlan p = PlanSweep(in);
  EXPECT_TRUE(p.links.empty());
  EXPECT_TRUE(p.chains.empty());
  EXPECT_EQ(p.rules.size(), 2u);  // the workload's stale rules still go
}

TEST(Sweep, KeepsToItsProjects) {
  SweepInput in = AfterAFailedStart();
  in.projects = {"forest-x"};
  EXPECT_TRUE(PlanSweep(in).empty());
  // Project chains are named <project>_<instance>.
  in.instances = Json::parse(R"([{"name": "c0", "project": "forest-x", "status": "Stopped",
    "config": {"volatile.eth0.host_name": "vethbc05ac03"}}])");
  in.nft = Json::parse(R"({"nftables": [
    {"chain": {"family": "inet", "table": "incus", "name": "prert.forest-x_c0.eth0"}},
    {"chain": {"family": "inet", "table": "incus", "name": "prert.other_c0.eth0"}},
    {"chain": {"family": "bridge", "table": "incus", "name": "in.forest-x_gone.eth1"}}]})");
  SweepPlan p = PlanSweep(in);
  EXPECT_EQ(p.links, std::vector<std::string>{"vethbc05ac03"});
  ASSERT_EQ(p.chains.size(), 2u);
  EXPECT_EQ(p.chains[0].chain, "prert.forest-x_c0.eth0");
  EXPECT_EQ(p.chains[1].chain, "in.forest-x_gone.eth1");
}

TEST(Sweep, IgnoresGarbageAndNamesItDidNotList) {
  SweepInput in;
  in.instances = Json::parse(R"([1, {"name": 3}, {"name": "x", "status": "Stopped",
    "config": {"volatile.eth0.host_name": "veth;reboot"}}])");
  in.links = Json::parse(R"([{"ifname": "veth;reboot"}])");
  in.nft = Json::parse(R"({"nftables": 7})");
  in.operations = Json::parse(R"([])");
  EXPECT_TRUE(PlanSweep(in).empty());
}

TEST(Sweep, NothingToDoOnAHealthyNode) {
  SweepInput in = AfterAFailedStart();
  in.instances[0]["status"] = "Running";
  in.nft["nftables"].erase(in.nft["nftables"].begin() + 7, in.nft["nftables"].begin() + 9);
  SweepPlan p = PlanSweep(in);
  EXPECT_TRUE(p.links.empty());
  EXPECT_TRUE(p.chains.empty());
  EXPECT_TRUE(p.rules.empty()) << NftBatch(p);
}

}  // namespace
}  // namespace forest::up
