#include "shell/protect.h"

#include <gtest/gtest.h>

#include <map>

namespace forest::shell {
namespace {

// A workspace from workspace-relative paths and their kinds.
WorkspaceView View(const std::map<std::string, PathKind>& have) {
  WorkspaceView v;
  v.kind = [have](const std::string& p) {
    auto it = have.find(p);
    return it == have.end() ? PathKind::kMissing : it->second;
  };
  v.subdirs = [have](const std::string& dir) {
    std::vector<std::string> out;
    std::string prefix = dir + "/";
    for (const auto& [p, k] : have) {
      if (k != PathKind::kDir || p.rfind(prefix, 0) != 0) continue;
      std::string rest = p.substr(prefix.size());
      if (rest.find('/') == std::string::npos) out.push_back(rest);
    }
    return out;
  };
  return v;
}

std::vector<std::string> Paths(const std::vector<Protection>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.path);
  return out;
}

constexpr auto D = PathKind::kDir;
constexpr auto F = PathKind::kFile;

TEST(ShellProtect, EveryGitPathThatRunsOrRedirects) {
  Config c = Builtin();
  auto ws = View({{".git", D}, {".git/config", F}, {".git/HEAD", F}, {".forest.yaml", F}});
  auto got = ProtectedPaths(c, c.tools.at("shell"), ws);
  EXPECT_EQ(Paths(got),
            (std::vector<std::string>{".forest.yaml", ".git/commondir", ".git/config", ".git/config.worktree",
                                      ".git/hooks", ".git/info", ".git/objects/info/alternates"}));
  // Missing ones are made: a "." commondir (no redirection), empty files, dirs.
  for (const auto& p : got) {
    if (p.path == ".git/commondir")
      EXPECT_EQ(p, (Protection{".git/commondir", Protection::kMakeFile, ".\n"}));
    if (p.path == ".git/hooks" || p.path == ".git/info") EXPECT_EQ(p.make, Protection::kMakeDir);
    if (p.path == ".git/config.worktree") EXPECT_EQ(p, (Protection{p.path, Protection::kMakeFile, ""}));
    if (p.path == ".forest.yaml") EXPECT_EQ(p.make, Protection::kKeep);
  }
}

TEST(ShellProtect, WorktreesAndSubmodulesWhenThere) {
  Config c = Builtin();
  auto ws = View({{".git", D},
                  {".git/config", F},
                  {".git/HEAD", F},
                  {".git/worktrees", D},
                  {".git/modules", D},
                  {".git/modules/lib", D},
                  {".git/modules/lib/HEAD", F},
                  {".git/modules/lib/config", F},
                  {".git/modules/lib/modules", D},
                  {".git/modules/lib/modules/inner", D},
                  {".git/modules/lib/modules/inner/HEAD", F},
                  {".git/modules/lib/modules/inner/config", F},
                  {".git/modules/a", D},  // a name with a slash: a/b
                  {".git/modules/a/b", D},
                  {".git/modules/a/b/HEAD", F},
                  {".git/modules/a/b/config", F},
                  {".git/modules/junk", D}});
  auto paths = Paths(ProtectedPaths(c, c.tools.at("shell"), ws));
  auto has = [&](const std::string& p) { return std::find(paths.begin(), paths.end(), p) != paths.end(); };
  EXPECT_TRUE(has(".git/worktrees"));
  for (std::string d : {".git/modules/lib", ".git/modules/lib/modules/inner", ".git/modules/a/b"}) {
    EXPECT_TRUE(has(d + "/config")) << d;
    EXPECT_TRUE(has(d + "/hooks")) << d;
    EXPECT_TRUE(has(d + "/commondir")) << d;
    EXPECT_FALSE(has(d + "/worktrees")) << d;  // not there: left out
  }
  EXPECT_FALSE(has(".git/modules/junk/config"));
}

TEST(ShellProtect, GitFileIsProtectedItself) {
  Config c = Builtin();
  EXPECT_EQ(Paths(ProtectedPaths(c, c.tools.at("shell"), View({{".git", F}}))),
            (std::vector<std::string>{".git"}));
}

TEST(ShellProtect, SettingsProtectAndWritable) {
  Config c = Builtin();
  c.protect = {".envrc", "missing"};
  c.writable = {".forest.yaml", ".git/info"};
  auto ws = View(
      {{".git", D}, {".git/config", F}, {".forest.yaml", F}, {".claude/settings.json", F}, {".envrc", F}});
  auto paths = Paths(ProtectedPaths(c, c.tools.at("claude"), ws));
  EXPECT_EQ(paths,
            (std::vector<std::string>{".claude/settings.json", ".envrc", ".git/commondir", ".git/config",
                                      ".git/config.worktree", ".git/hooks", ".git/objects/info/alternates"}));
  // No repository: no git paths.
  EXPECT_TRUE(ProtectedPaths(Builtin(), c.tools.at("shell"), View({})).empty());
}

TEST(ShellProtect, RulesAndPlaceholders) {
  EXPECT_EQ(MakeRule(".git/modules/x/commondir").content, ".\n");
  EXPECT_EQ(MakeRule(".git/hooks").make, Protection::kMakeDir);
  EXPECT_EQ(MakeRule(".forest.yaml").make, Protection::kKeep);
  EXPECT_EQ(MakeRule("src/commondir").make, Protection::kKeep);  // only under .git
  EXPECT_TRUE(IsPlaceholder(".git/commondir", ".\n"));
  EXPECT_FALSE(IsPlaceholder(".git/commondir", "../elsewhere\n"));
  EXPECT_TRUE(IsPlaceholder(".git/config.worktree", ""));
  EXPECT_FALSE(IsPlaceholder(".git/config", ""));  // the user's, even empty
  EXPECT_FALSE(IsPlaceholder(".forest.yaml", ""));
}

}  // namespace
}  // namespace forest::shell
