// The agent's rounds with fakes of its Incus, of the other forestds and of
// its clock (node/local_incus.h, api/forestd_client.h, base/clock.h): no
// sockets, no sleeping. The agent is c0-2 of the source chain, parent c0,
// one child c0-2-1.
#include "node/agent.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "base/files.h"
#include "node/test_plan.h"
#include "serve/metrics.h"

namespace forest::node {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::Six;

std::string ChildExport(const char* address = "fd00:1110::25") {
  registration::Export e;
  e.source_node = "c0-2-1";
  e.records = {{"c0-2-1.c0-2.c0.incus", Six("fd00:1110::1")}, {"app.c0-2-1.c0-2.c0.incus", Six(address)}};
  e.route = {*net::Ipv6Prefix::Parse("fd00:1110::/28"), Six("fd00:1100:0:1::1"), true, "eth0"};
  return registration::Serialize(e);
}

nlohmann::json Child(const char* status = "Running") {
  return {
      {"name", "c0-2-1"}, {"project", "default"}, {"status", status}, {"state", nlohmann::json::object()}};
}

nlohmann::json Workload(const char* name, const char* address) {
  return {
      {"name", name},
      {"status", "Running"},
      {"state",
       {{"network",
         {{"eth0", {{"addresses", {{{"family", "inet6"}, {"address", address}, {"scope", "global"}}}}}}}}}}};
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("forest-agent-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ASSERT_TRUE(MakeDirs(dir_).ok());
    incus_.SetInstances(nlohmann::json::array({Child()}));
    forestd_.on_export = [this](const std::string& address) -> Result<std::string> {
      std::lock_guard<std::mutex> lock(mu_);
      if (address != "fd00:1110::1") return MakeError("no such forestd " + address);
      return child_export_;
    };
  }
  void TearDown() override { fs::remove_all(dir_); }

  Agent& Make(const char* self = "c0-2.c0.incus") {
    AgentOptions o;
    o.state_dir = dir_;
    agent_ = std::make_unique<Agent>(
        o, chain_->p, chain_->Node(self), incus_, forestd_, clock_,
        [this](const std::string& line) {
          std::lock_guard<std::mutex> lock(mu_);
          log_.push_back(line);
        },
        [this](std::shared_ptr<const dns::Zone> z) { zone_ = std::move(z); });
    return *agent_;
  }
  void SetChildExport(std::string text) {
    std::lock_guard<std::mutex> lock(mu_);
    child_export_ = std::move(text);
  }
  bool Logged(const std::string& part) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& l : log_) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }
  bool Exports(const std::string& name) const {
    return agent_->ExportText().find("\"" + name + "\"") != std::string::npos;
  }
  std::string Metrics() const {
    serve::MetricsText m;
    agent_->AddMetrics(m);
    return m.text();
  }
  std::string ChildFile() const { return dir_ + "/children/c0-2-1.json"; }

  std::unique_ptr<testing::Chain> chain_ = testing::SourceChain();
  FakeLocalIncus incus_;
  api::FakeForestdClient forestd_;
  FakeClock clock_;
  std::string dir_;
  std::mutex mu_;
  std::string child_export_ = ChildExport();
  std::vector<std::string> log_;
  std::shared_ptr<const dns::Zone> zone_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(AgentTest, TheFirstRoundMergesTheChildAndPokesTheParent) {
  Agent& a = Make();
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_TRUE(Exports("c0-2.c0.incus"));
  EXPECT_TRUE(Exports("app.c0-2-1.c0-2.c0.incus"));
  ASSERT_NE(zone_, nullptr);
  EXPECT_EQ(*ReadFile(dir_ + "/" + kExportFile), a.ExportText());
  EXPECT_TRUE(fs::exists(ChildFile()));
  auto calls = forestd_.calls();
  ASSERT_EQ(forestd_.Count("poke"), 1u);
  EXPECT_EQ(calls.back().address, "fd00:1000::1");  // c0's node address
  EXPECT_EQ(calls.back().body, R"({"child":"c0-2"})");
  EXPECT_FALSE(a.RunDueRound());  // nothing is due until the probe period
}

TEST_F(AgentTest, AnInstanceEventStartsARound) {
  Agent& a = Make();
  ASSERT_TRUE(a.RunDueRound());
  incus_.SetInstances(nlohmann::json::array({Child(), Workload("web", "fd00:1100::216:3eff:fe00:7")}));
  EXPECT_FALSE(a.RunDueRound());  // Incus changed, but nothing said so
  std::atomic<bool> stop{false};
  incus_.QueueEvents({"network-updated", "storage-pool-updated"}, [&] { stop = true; });
  a.WatchIncus(stop);
  EXPECT_FALSE(a.RunDueRound());  // events that are not an instance's
  stop = false;
  incus_.QueueEvents({"instance-started"}, [&] { stop = true; });
  a.WatchIncus(stop);
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_TRUE(Exports("web.c0-2.c0.incus"));
  EXPECT_EQ(forestd_.Count("poke"), 2u);    // the change went upward
  EXPECT_EQ(forestd_.Count("export"), 1u);  // a local event pulls no child
}

TEST_F(AgentTest, AFailedHopBacksOffAndDoublesUntilItWorks) {
  bool parent_up = false;
  forestd_.on_poke = [&](const std::string&, const api::Poke&) -> Status {
    if (parent_up) return {};
    return MakeError("connect to [fd00:1000::1]:8053: connection refused");
  };
  Agent& a = Make();
  ASSERT_TRUE(a.RunDueRound());
  EXPECT_EQ(forestd_.Count("poke"), 1u);
  EXPECT_TRUE(Logged("cannot poke the parent c0.incus: connect to [fd00:1000::1]:8053: connection refused"));
  for (int backoff_ms : {500, 1000, 2000}) {
    size_t pokes = forestd_.Count("poke");
    clock_.Advance(milliseconds(backoff_ms - 1));
    EXPECT_FALSE(a.RunDueRound()) << backoff_ms;
    clock_.Advance(milliseconds(1));
    EXPECT_TRUE(a.RunDueRound()) << backoff_ms;
    EXPECT_EQ(forestd_.Count("poke"), pokes + 1) << backoff_ms;
  }
  parent_up = true;
  clock_.Advance(milliseconds(4000));
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_EQ(forestd_.Count("poke"), 5u);
  // Through: no more retries (the next round is the probe, 10 s after the start).
  clock_.Advance(milliseconds(2000));
  EXPECT_FALSE(a.RunDueRound());
  EXPECT_NE(Metrics().find("forestd_upward_total{result=\"failed\"} 4"), std::string::npos) << Metrics();
  EXPECT_NE(Metrics().find("forestd_upward_total{result=\"ok\"} 1"), std::string::npos) << Metrics();
}

TEST_F(AgentTest, ARejectedChildKeepsItsLastGoodExport) {
  Agent& a = Make();
  ASSERT_TRUE(a.RunDueRound());
  std::string good = a.ExportText();
  std::string saved = *ReadFile(ChildFile());
  SetChildExport(ChildExport("fd00:1000::66"));  // an address outside c0-2-1's prefix
  a.Poke("c0-2-1");
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_EQ(forestd_.Count("export"), 2u);
  EXPECT_EQ(a.ExportText(), good);
  EXPECT_EQ(*ReadFile(ChildFile()), saved);
  EXPECT_TRUE(Logged("export of c0-2-1.c0-2.c0.incus rejected, last good kept"));
  EXPECT_NE(Metrics().find("forestd_child_exports_rejected_total 1"), std::string::npos) << Metrics();
  EXPECT_EQ(forestd_.Count("poke"), 1u);  // nothing changed, nothing to say upward

  // After a restart, the saved one is the last good one again.
  Agent& b = Make();
  b.LoadState();
  SetChildExport("{not json");
  EXPECT_TRUE(b.RunDueRound());
  EXPECT_TRUE(Exports("app.c0-2-1.c0-2.c0.incus"));
}

TEST_F(AgentTest, ADeletedChildLosesItsNames) {
  Agent& a = Make();
  ASSERT_TRUE(a.RunDueRound());
  ASSERT_TRUE(Exports("c0-2-1.c0-2.c0.incus"));
  incus_.SetInstances(nlohmann::json::array());
  a.Poke("");
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_FALSE(Exports("c0-2-1.c0-2.c0.incus"));
  EXPECT_FALSE(Exports("app.c0-2-1.c0-2.c0.incus"));
  EXPECT_TRUE(Exports("c0-2.c0.incus"));
  EXPECT_FALSE(fs::exists(ChildFile()));
  EXPECT_TRUE(Logged("c0-2-1.c0-2.c0.incus is gone: its names are withdrawn"));
  EXPECT_EQ(forestd_.Count("poke"), 2u);
}

TEST_F(AgentTest, AStoppedChildKeepsItsNamesForTheLivenessBound) {
  Agent& a = Make();
  ASSERT_TRUE(a.RunDueRound());
  incus_.SetInstances(nlohmann::json::array({Child("Stopped")}));
  a.Poke("");
  ASSERT_TRUE(a.RunDueRound());
  EXPECT_TRUE(Exports("app.c0-2-1.c0-2.c0.incus"));
  // The agent asks for a round when the bound runs out, and withdraws then.
  clock_.Advance(kDefaultLivenessBound - milliseconds(1));
  while (a.RunDueRound()) {
  }
  EXPECT_TRUE(Exports("app.c0-2-1.c0-2.c0.incus"));
  clock_.Advance(milliseconds(1));
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_FALSE(Exports("app.c0-2-1.c0-2.c0.incus"));
}

TEST_F(AgentTest, ARootPublishesAndARefusalIsAnAnswer) {
  forestd_.on_publish = [](const std::string&, const std::string&) -> Result<api::PublishAnswer> {
    return api::PublishAnswer{422, "records[0]: not under c0.incus", {}};
  };
  incus_.SetInstances(nlohmann::json::array());  // c0's child c0-2 is not there yet
  Agent& a = Make("c0.incus");
  ASSERT_TRUE(a.RunDueRound());
  auto calls = forestd_.calls();
  ASSERT_EQ(forestd_.Count("publish"), 1u);
  EXPECT_EQ(forestd_.Count("poke"), 0u);
  EXPECT_TRUE(Logged("the helper refused our export (HTTP 422): records[0]: not under c0.incus"));
  clock_.Advance(milliseconds(500));
  EXPECT_FALSE(a.RunDueRound());  // no backoff for an answer
  forestd_.on_publish = [](const std::string&, const std::string&) -> Result<api::PublishAnswer> {
    return MakeError("connect: network unreachable");
  };
  clock_.Advance(milliseconds(9500));  // the probe: a root publishes every period
  ASSERT_TRUE(a.RunDueRound());
  EXPECT_EQ(forestd_.Count("publish"), 2u);
  clock_.Advance(milliseconds(500));  // a failed hop is retried
  EXPECT_TRUE(a.RunDueRound());
  EXPECT_EQ(forestd_.Count("publish"), 3u);
}

}  // namespace
}  // namespace forest::node
