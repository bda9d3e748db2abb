#include "shell/jail.h"

#include <gtest/gtest.h>

#include <set>

#include "plan/plan.h"
#include "topology/topology.h"

namespace forest::shell {
namespace {

Jail MakeJail(const std::string& ws, int slot, int index) {
  Jail j;
  j.workspace = ws;
  j.slot = slot;
  j.index = index;
  j.name = JailName(ws, slot);
  j.user = {2345, 2345, "alice"};
  return j;
}

TEST(ShellJail, NamesAreLabelsFromTheWorkspace) {
  EXPECT_EQ(JailName("/home/alice/My Project!", 1).substr(0, 11), "my-project-");
  std::string n = JailName("/home/alice/My Project!", 2);
  EXPECT_EQ(n, "my-project-" + WorkspaceHash("/home/alice/My Project!") + "-2");
  EXPECT_EQ(JailName("/srv/___", 1).substr(0, 3), "ws-");
  // At most 20 characters of base: the label stays far below 63.
  EXPECT_LE(JailName("/x/" + std::string(200, 'a'), 99).size(), 20u + 1 + 6 + 1 + 2);
  // Stable, and different for different paths.
  EXPECT_EQ(WorkspaceHash("/a/b"), WorkspaceHash("/a/b"));
  EXPECT_NE(WorkspaceHash("/a/b"), WorkspaceHash("/a/c"));
  EXPECT_EQ(WorkspaceHash("/a/b").size(), 6u);
}

TEST(ShellJail, FreeIndexFillsGaps) {
  State s;
  EXPECT_EQ(FreeIndex(s), 1);
  s.jails = {MakeJail("/a", 1, 1), MakeJail("/b", 1, 3)};
  EXPECT_EQ(FreeIndex(s), 2);
  EXPECT_EQ(s.Find("/b", 1)->index, 3);
  EXPECT_EQ(s.Find(JailName("/a", 1))->workspace, "/a");
  EXPECT_EQ(s.Find("/a", 2), nullptr);
}

TEST(ShellJail, PrefixIsTheIndexUnderTheBase) {
  EXPECT_EQ(*JailPrefix("fd00:5e00::/32", 1), "fd00:5e00:1::/48");
  EXPECT_EQ(*JailPrefix("fd00:5e00::/32", 4095), "fd00:5e00:fff::/48");
  EXPECT_FALSE(JailPrefix("fd00:5e00::/40", 1).ok());
}

TEST(ShellJail, DefaultLimitsFromTheHost) {
  auto l = DefaultLimits({2, 32768});
  EXPECT_EQ(l.cpu, "1");
  EXPECT_EQ(l.memory, "50%");
  EXPECT_EQ(l.processes, "4096");
  EXPECT_EQ(DefaultLimits({1, 32768}).cpu, "1");
  EXPECT_EQ(DefaultLimits({16, 4194304}).cpu, "15");
  EXPECT_EQ(DefaultLimits({16, 4194304}).processes, "10000");
  EXPECT_EQ(DefaultLimits({4, 4096}).processes, "1000");
  topology::Limits mine;
  mine.memory = "2GiB";
  auto merged = WithDefaults(mine, l);
  EXPECT_EQ(merged.memory, "2GiB");  // a layer or flag wins
  EXPECT_EQ(merged.processes, "4096");
  EXPECT_EQ(merged.disk, "");
}

TEST(ShellJail, StateRoundTripsAndRefusesGarbage) {
  State s;
  Jail j = MakeJail("/w", 2, 7);
  j.network = NetMode::kAllowlist;
  j.allow = {"example.org"};
  j.limits.memory = "1GiB";
  j.mounts = {{"/data", "/data", true}};
  j.readonly_paths = {".git/config"};
  j.home = "/home/alice";
  j.image = "mybox";
  s.jails.push_back(j);
  auto back = ParseState(StateJson(s), "shell.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->jails.size(), 1u);
  const Jail& b = back->jails[0];
  EXPECT_EQ(b.name, j.name);
  EXPECT_EQ(b.index, 7);
  EXPECT_EQ(b.network, NetMode::kAllowlist);
  EXPECT_EQ(b.allow, j.allow);
  EXPECT_EQ(b.limits.memory, "1GiB");
  EXPECT_EQ(b.mounts[0].path, "/data");
  EXPECT_EQ(b.home, "/home/alice");
  EXPECT_EQ(b.image, "mybox");
  EXPECT_EQ(b.user.uid, 2345u);
  for (const char* bad : {"", "[]", "{\"jails\": 3}", "{\"jails\": [{\"name\": \"x\"}]}",
                          "{\"jails\": [{\"name\":\"x\",\"workspace\":\"/w\",\"slot\":1,\"index\":0,"
                          "\"uid\":1,\"gid\":1,\"user\":\"u\"}]}",
                          // Floats where integers belong (UB in nlohmann's conversion; found by the fuzzer).
                          "{\"jails\": [{\"name\":\"x\",\"workspace\":\"/w\",\"slot\":1,\"index\":1,"
                          "\"uid\":1,\"gid\":1,\"user\":\"u\",\"created\":3.5292e+73}]}",
                          "{\"jails\": [{\"name\":\"x\",\"workspace\":\"/w\",\"slot\":1e300,\"index\":1,"
                          "\"uid\":1,\"gid\":1,\"user\":\"u\"}]}",
                          "{\"jails\": [{\"name\":\"x\",\"workspace\":\"/w\",\"slot\":1,\"index\":1,"
                          "\"uid\":-1,\"gid\":1,\"user\":\"u\"}]}"}) {
    auto r = ParseState(bad, "shell.json");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.rfind("shell.json: ", 0), 0u) << r.error().message;
  }
}

TEST(ShellJail, SessionIdsSortByAgeAndPruneTheOldest) {
  // 2026-12-01 21:15:00 UTC
  EXPECT_EQ(SessionId(1796159700, 2, {}), "20261201-211500-s2");
  EXPECT_EQ(SessionId(1796159700, 2, {"20261201-211500-s2"}), "20261201-211500-s2-2");
  EXPECT_EQ(SessionId(1796159700, 2, {"20261201-211500-s2", "20261201-211500-s2-2"}), "20261201-211500-s2-3");
  EXPECT_TRUE(IsSessionId("20261201-211500-s2"));
  EXPECT_TRUE(IsSessionId("20261201-211500-s12-10"));
  for (const char* bad : {"", "latest", ".20261201-211500-s2.new", "20261201-211500-s", "20261201-211500-s2-",
                          "2026120x-211500-s2", "20261201_211500-s2", "../../etc"}) {
    EXPECT_FALSE(IsSessionId(bad)) << bad;
  }
  std::vector<std::string> ids = {"20261201-211500-s1-10", "20261130-090000-s1", "20261201-211500-s1-2",
                                  "junk", "20261201-211500-s1"};
  EXPECT_EQ(LatestSession(ids), "20261201-211500-s1-10");  // 10 > 2 numerically
  EXPECT_EQ(LatestSession({}), "");
  EXPECT_EQ(SessionsToPrune(ids, 2), (std::vector<std::string>{"20261130-090000-s1", "20261201-211500-s1"}));
  EXPECT_TRUE(SessionsToPrune(ids, 4).empty());
}

TEST(ShellJail, TopologyParsesAndPlansWithTheJailsAddresses) {
  Config c = Builtin();
  State s;
  Jail a = MakeJail("/home/alice/proj", 1, 1);
  a.readonly_paths = {".git/config", ".git/hooks"};
  a.limits.processes = "400";
  a.limits.cpu = "2";
  a.hardened = true;
  a.image = "mybox";
  a.mounts = {{"/srv/data", "/data", true}};
  Jail b = MakeJail("/home/alice/other", 1, 2);
  s.jails = {b, a};
  auto text = TopologyYaml(c, s);
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto t = topology::Parse(*text, "shell.yaml");
  ASSERT_TRUE(t.ok()) << t.error().message << "\n" << *text;
  ASSERT_EQ(t->roots.size(), 2u);
  const auto& r = t->roots[0];  // sorted by index
  EXPECT_EQ(r.name, a.name);
  EXPECT_TRUE(r.hardened);
  EXPECT_EQ(r.image, "mybox");
  EXPECT_EQ(t->roots[1].image, "");  // forest's node image
  EXPECT_EQ(r.limits.processes, "400");
  ASSERT_EQ(r.shares.size(), 5u);  // workspace, .git, two protected paths, one mount
  EXPECT_EQ(r.shares[0].path, "/workspace");
  EXPECT_FALSE(r.shares[0].readonly);
  EXPECT_EQ(r.shares[1].path, "/workspace/.git");
  EXPECT_FALSE(r.shares[1].readonly);
  EXPECT_EQ(r.shares[2].source, "/home/alice/proj/.git/config");
  EXPECT_TRUE(r.shares[2].readonly);
  EXPECT_EQ(t->roots[1].shares.size(), 1u);  // no repository: no .git mount
  auto plan = plan::MakePlan(*t);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->nodes[0].prefix.ToString(), "fd00:5e00:1::/48");
  EXPECT_EQ(plan->nodes[0].uplink.ToString(), "fd00:5e11:0:1::1");
  EXPECT_EQ(plan->helper_address.ToString(), "fd00:5e11::53");
  EXPECT_FALSE(TopologyYaml(c, State{}).ok());
}

}  // namespace
}  // namespace forest::shell
