// The ssh command line (the connection itself: tests/forest_up_test.sh runs
// `forest ssh` to a node and to a workload).
#include "up/ssh_node.h"

#include <gtest/gtest.h>

namespace forest::up {
namespace {

TEST(SshNode, TheForestsKnownHostsAndADeadline) {
  auto argv = SshArgv("/var/lib/forest/f", "fd00:1110::1", {});
  std::vector<std::string> want = {"ssh",
                                   "-o",
                                   "StrictHostKeyChecking=accept-new",
                                   "-o",
                                   "UserKnownHostsFile=/var/lib/forest/f/known_hosts",
                                   "-o",
                                   "ConnectTimeout=10",
                                   "root@fd00:1110::1"};
  EXPECT_EQ(argv, want);
}

TEST(SshNode, TheRemoteCommandFollowsTheDestinationWordForWord) {
  auto argv = SshArgv("/d", "fd00::1", {"sh", "-c", "echo a b"});
  ASSERT_EQ(argv.size(), 11u);
  EXPECT_EQ(argv[7], "root@fd00::1");
  EXPECT_EQ(argv[8], "sh");
  EXPECT_EQ(argv[10], "echo a b");
}

}  // namespace
}  // namespace forest::up
