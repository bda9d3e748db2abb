#include "up/exec_tty.h"

#include <gtest/gtest.h>

namespace forest::up {
namespace {

using Argv = std::vector<std::string>;

TEST(TtyExecArgv, FirstLevelIsOneIncusExecWithATerminal) {
  EXPECT_EQ(TtyExecArgv("forest-demo", {"c0"}, {"top"}),
            (Argv{"incus", "exec", "--project", "forest-demo", "c0", "-t", "--", "top"}));
}

TEST(TtyExecArgv, DeeperLevelsHopThroughEachNodesForestWithATerminal) {
  EXPECT_EQ(TtyExecArgv("p", {"c0", "c0-2", "c0-2-1"}, {"vi", "--", "x"}),
            (Argv{"incus", "exec", "--project", "p", "c0", "-t", "--", "/opt/forest/current/bin/forest",
                  "node-exec", "-t", "c0-2", "c0-2-1", "--", "vi", "--", "x"}));
}

TEST(TtyExecArgv, InsideANodeTheClientsDefaultProject) {
  EXPECT_EQ(TtyExecArgv("", {"c0-2-1", "web"}, {"sh"}),
            (Argv{"incus", "exec", "c0-2-1", "-t", "--", "/opt/forest/current/bin/forest", "node-exec", "-t",
                  "web", "--", "sh"}));
}

TEST(ExecPathTty, RefusesAnEmptyPathOrCommand) {
  EXPECT_FALSE(ExecPathTty("p", {}, {"sh"}).ok());
  EXPECT_FALSE(ExecPathTty("p", {"c0"}, {}).ok());
}

}  // namespace
}  // namespace forest::up
