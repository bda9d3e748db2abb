#include "shellhost/run.h"

#include <gtest/gtest.h>

#include "incus/exec_marks.h"
#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using V = std::vector<std::string>;

shell::Jail Dev() {
  shell::Jail j;
  j.name = "proj-abc123-1";
  j.user = {1000, 1001, "dev"};
  return j;
}

TEST(ShellhostRun, UserEnvHoldsOnlyForestsAndTheConfigs) {
  Session s = testing::FakeSession("/w", "/state");
  s.config.env = {{"EDITOR", "vi"}};
  shell::Jail j = Dev();
  Ready r{"dev", "/home/dev"};
  V env = UserEnv(s, j, r, nullptr);
  EXPECT_EQ(env, (V{"HOME=/home/dev", "USER=dev", "LOGNAME=dev", "SHELL=/bin/bash",
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                    "XDG_RUNTIME_DIR=/run/user/1000", "FOREST_JAIL=proj-abc123-1", "EDITOR=vi"}));
  j.ssh_agent = true;
  env = UserEnv(s, j, r, "xterm");
  EXPECT_EQ(env[8], "TERM=xterm");
  EXPECT_EQ(env[9], std::string("SSH_AUTH_SOCK=") + kAgentSocket);
}

TEST(ShellhostRun, AsUserKeepsTheUsersGroupsAndRootNone) {
  shell::Jail j = Dev();
  EXPECT_EQ(AsUser(j, {"id"}),
            (V{"setpriv", "--reuid", "1000", "--regid", "1001", "--init-groups", "--", "id"}));
  j.user = {0, 0, "root"};
  EXPECT_EQ(AsUser(j, {"id"}), (V{"setpriv", "--reuid", "0", "--regid", "0", "--clear-groups", "--", "id"}));
}

TEST(ShellhostRun, ClientCommandLines) {
  Session s = testing::FakeSession("/w", "/state");
  shell::Jail j = Dev();
  Ready r{"dev", "/home/dev"};
  V user = UserCommand(s, j, r, {"make", "test"}, true);
  V head(user.begin(), user.begin() + 9);
  EXPECT_EQ(head, (V{"incus", "exec", "--project", "forest-shell", "proj-abc123-1", "--cwd", "/workspace",
                     "-t", "--"}));
  EXPECT_EQ(user[9], "setpriv");
  EXPECT_EQ((V{user.end() - 2, user.end()}), (V{"make", "test"}));
  EXPECT_EQ(UserCommand(s, j, r, {"true"}, false)[7], "-T");
  EXPECT_EQ(RootCommand(s, j, {"apt", "update"}, false),
            (V{"incus", "exec", "--project", "forest-shell", "proj-abc123-1", "-T", "--", "apt", "update"}));
}

TEST(ShellhostRun, CaptureRunsInTheWorkspaceAsTheUser) {
  Session s = testing::FakeSession("/w", "/state");
  shell::Jail j = Dev();
  V cmd = CaptureCommand(s, j, {"dev", "/home/dev"}, {"ls", "-l"});
  EXPECT_EQ(cmd[0], "setpriv");
  EXPECT_EQ(cmd[7], "env");
  EXPECT_EQ(cmd[8], "-i");
  EXPECT_EQ((V{cmd.end() - 6, cmd.end()}), (V{"sh", "-c", "cd /workspace && exec \"$@\"", "sh", "ls", "-l"}));
}

TEST(ShellhostRun, ToolRunsInTheForestTmuxSession) {
  Session s = testing::FakeSession("/w", "/state");
  shell::Jail j = Dev();
  j.tool = "shell";
  V cmd = ToolCommand(s, j);
  V head(cmd.begin(), cmd.begin() + 7);
  EXPECT_EQ(head, (V{"tmux", "new-session", "-A", "-s", "forest", "-c", "/workspace"}));
  const auto& tool = s.config.tools.at("shell").command;
  EXPECT_EQ((V{cmd.begin() + 7, cmd.end()}), tool);
}

TEST(ShellhostRun, TmuxFailureCarriesItsStderr) {
  auto incus = std::make_shared<incus::FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  shell::Jail j = Dev();
  // No exec endpoint: the call fails and nothing is taken for alive.
  EXPECT_FALSE(TmuxAlive(s, j, {"dev", "/home/dev"}));
  EXPECT_FALSE(Tmux(s, j, {"dev", "/home/dev"}, {"capture-pane", "-p"}).ok());
  ASSERT_FALSE(incus->calls.empty());
  EXPECT_EQ(incus->calls[0].method, "POST");
  EXPECT_EQ(incus->calls[0].path(), "/1.0/instances/proj-abc123-1/exec");
  auto body = incus->calls[0].json();
  auto command = incus::Unmarked(body["command"]);
  ASSERT_FALSE(command.empty());
  EXPECT_EQ(command.front(), "setpriv");
  EXPECT_EQ(command.back(), "forest");
}

}  // namespace
}  // namespace forest::shellhost
