#include "shellhost/transfer.h"

#include <gtest/gtest.h>

namespace forest::shellhost {
namespace {

TEST(ShellhostTransfer, SplitsJailAndPath) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(SplitRemote("proj-1a2b3c-1:/workspace/out.log"), (P{"proj-1a2b3c-1", "/workspace/out.log"}));
  EXPECT_EQ(SplitRemote("j:rel"), (P{"j", "rel"}));
  EXPECT_EQ(SplitRemote("./a:b"), (P{"", "./a:b"})) << "a colon after a slash is a host path";
  EXPECT_EQ(SplitRemote(":/x"), (P{"", ":/x"}));
  EXPECT_EQ(SplitRemote("plain"), (P{"", "plain"}));
}

}  // namespace
}  // namespace forest::shellhost
