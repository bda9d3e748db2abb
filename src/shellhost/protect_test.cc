#include "shellhost/protect.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/files.h"
#include "shell/protect.h"
#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

namespace fs = std::filesystem;

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(ShellhostProtect, MakesMissingGitPathsAndDropsTheirPlaceholders) {
  testing::Scratch tmp;
  std::string ws = tmp.path();
  fs::create_directories(ws + "/.git");
  ASSERT_TRUE(WriteFileAtomic(ws + "/.git/config", "[core]\n").ok());
  shell::Config c = shell::Builtin();
  auto paths = ProtectWorkspace(ws, c, c.tools.at("shell"));
  ASSERT_TRUE(paths.ok()) << paths.error().message;
  EXPECT_TRUE(Has(*paths, ".git/config"));
  EXPECT_TRUE(Has(*paths, ".git/hooks"));
  EXPECT_TRUE(Has(*paths, ".git/commondir"));
  EXPECT_TRUE(fs::is_directory(ws + "/.git/hooks"));
  auto commondir = ReadFile(ws + "/.git/commondir");
  ASSERT_TRUE(commondir.ok());
  EXPECT_TRUE(shell::IsPlaceholder(".git/commondir", *commondir));

  DropPlaceholders(ws, *paths);
  EXPECT_FALSE(fs::exists(ws + "/.git/commondir")) << "forest's placeholder goes with the last jail";
  EXPECT_TRUE(fs::exists(ws + "/.git/config")) << "the repository's own file stays";
}

TEST(ShellhostProtect, RefusesASymlinkedProtectedPath) {
  testing::Scratch tmp;
  std::string ws = tmp.path() + "/ws";
  fs::create_directories(ws + "/.git");
  fs::create_directories(tmp.path() + "/elsewhere");
  fs::create_directory_symlink(tmp.path() + "/elsewhere", ws + "/.git/hooks");
  shell::Config c = shell::Builtin();
  auto paths = ProtectWorkspace(ws, c, c.tools.at("shell"));
  ASSERT_FALSE(paths.ok());
  EXPECT_NE(paths.error().message.find(ws + "/.git/hooks is a symlink"), std::string::npos)
      << paths.error().message;
  EXPECT_TRUE(fs::is_empty(tmp.path() + "/elsewhere")) << "nothing was made through the link";
}

TEST(ShellhostProtect, HostFacts) {
  shell::HostFacts h = ReadHostFacts();
  EXPECT_GE(h.cpus, 1u);
  EXPECT_GT(h.pid_max, 0);
}

}  // namespace
}  // namespace forest::shellhost
