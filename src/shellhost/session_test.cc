#include "shellhost/session.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

TEST(ShellhostSession, NetworkModes) {
  EXPECT_EQ(*ParseMode("restricted"), shell::NetMode::kRestricted);
  EXPECT_EQ(*ParseMode("allowlist"), shell::NetMode::kAllowlist);
  EXPECT_EQ(*ParseMode("open"), shell::NetMode::kOpen);
  auto bad = ParseMode("closed");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("use restricted, allowlist or open"), std::string::npos);
}

TEST(ShellhostSession, OpenAppliesFlagsAndPlacesTheState) {
  testing::Scratch tmp;
  std::filesystem::create_directories(tmp.path() + "/ws");
  Flags f;
  f.workspace = tmp.path() + "/ws";
  f.state_root = tmp.path() + "/state";
  f.network = "open";
  f.env = {"A=1"};
  f.persistent = true;
  auto s = Open(f);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->workspace, std::filesystem::canonical(tmp.path() + "/ws").string());
  EXPECT_EQ(s->config.network, shell::NetMode::kOpen);
  EXPECT_EQ(s->config.env.at("A"), "1");
  EXPECT_TRUE(s->config.persistent);
  EXPECT_EQ(s->dir, f.state_root + "/" + s->config.forest);
  EXPECT_EQ(s->sessions_dir, f.state_root + "/" + s->config.forest + "-sessions");
  EXPECT_EQ(s->Project(), "forest-" + s->config.forest);
}

TEST(ShellhostSession, OpenRefusesBadFlags) {
  testing::Scratch tmp;
  Flags f;
  f.workspace = tmp.path();
  f.state_root = tmp.path();
  f.env = {"=x"};
  EXPECT_NE(Open(f).error().message.find("expected KEY=VALUE"), std::string::npos);
  f.env.clear();
  f.tool = "nope";
  EXPECT_NE(Open(f).error().message.find("--tool: no tool 'nope'"), std::string::npos);
  f.tool.clear();
  f.mounts = {tmp.path() + ":relative"};
  EXPECT_NE(Open(f).error().message.find("DST must be absolute"), std::string::npos);
  f.mounts.clear();
  f.workspace = "/";
  EXPECT_NE(Open(f).error().message.find("cannot be a workspace"), std::string::npos);
  f.workspace = tmp.path();
  f.state_root.clear();
  EXPECT_FALSE(Open(f).ok()) << "the state root is the caller's to give";
}

}  // namespace
}  // namespace forest::shellhost
