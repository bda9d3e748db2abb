#include "shellhost/lifecycle.h"

#include <gtest/gtest.h>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using incus::FakeTransport;

TEST(ShellhostLifecycle, StopIsGracefulThenForced) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  std::vector<std::string> said;
  auto say = [&](const std::string& l) { said.push_back(l); };
  incus->On("PUT", "/1.0/instances/j/state", FakeTransport::Sync({}));
  ASSERT_TRUE(Stop(s, "j", 30, say).ok());
  EXPECT_TRUE(said.empty());
  EXPECT_EQ(incus->calls.back().json(),
            (nlohmann::json{{"action", "stop"}, {"timeout", 30}, {"force", false}}));

  auto slow = std::make_shared<FakeTransport>();
  s.transport = slow;
  slow->On("PUT", "/1.0/instances/j/state", FakeTransport::Failure(500, "timed out"));
  slow->On("PUT", "/1.0/instances/j/state", FakeTransport::Sync({}));
  ASSERT_TRUE(Stop(s, "j", 5, say).ok());
  ASSERT_EQ(said, (std::vector<std::string>{"j: did not stop within 5 s; forcing"}));
  ASSERT_EQ(slow->calls.size(), 2u);
  EXPECT_EQ(slow->calls[1].json()["force"], true);
}

TEST(ShellhostLifecycle, JailInfoReportsIncusStatus) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  shell::Jail j;
  j.name = "j";
  j.workspace = "/w";
  EXPECT_EQ(JailInfo(s, j)["status"], "missing");
  incus->On("GET", "/1.0/instances/j", FakeTransport::Sync({{"status", "Running"}}));
  auto info = JailInfo(s, j);
  EXPECT_EQ(info["status"], "Running");
  EXPECT_EQ(info["dns"], "j.incus");
  EXPECT_EQ(info["mode"], "ephemeral");
  EXPECT_EQ(info["image"], "forest-node");
  EXPECT_EQ(info["network"], "restricted");
}

}  // namespace
}  // namespace forest::shellhost
