#include "shell/protect.h"

#include <algorithm>
#include <set>

namespace forest::shell {
namespace {

constexpr int kMaxModuleDepth = 3;
constexpr size_t kMaxGitDirs = 64;

struct GitName {
  const char* name;
  Protection::Make make;
  const char* content;
};

// Every path of a git directory through which git on the host runs something
// or reads configuration or objects elsewhere (see protect.h).
constexpr GitName kGitNames[] = {
    {"config", Protection::kMakeFile, ""},
    {"hooks", Protection::kMakeDir, ""},
    {"info", Protection::kMakeDir, ""},
    {"commondir", Protection::kMakeFile, ".\n"},
    {"config.worktree", Protection::kMakeFile, ""},
    {"objects/info/alternates", Protection::kMakeFile, ""},
    {"worktrees", Protection::kKeep, ""},
};

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A directory holding a repository: HEAD and config files.
bool IsGitDir(const WorkspaceView& ws, const std::string& dir) {
  return ws.kind(dir + "/HEAD") == PathKind::kFile && ws.kind(dir + "/config") == PathKind::kFile;
}

// The submodule git dirs under `modules` (names may hold slashes, so a
// directory that is no git dir may hold some further down).
void FindModules(const WorkspaceView& ws, const std::string& modules, int depth,
                 std::vector<std::string>& out) {
  if (depth > kMaxModuleDepth || ws.kind(modules) != PathKind::kDir) return;
  std::vector<std::string> names = ws.subdirs(modules);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (out.size() >= kMaxGitDirs) return;
    std::string d = modules + "/" + n;
    if (IsGitDir(ws, d)) {
      out.push_back(d);
      FindModules(ws, d + "/modules", depth + 1, out);
    } else {
      FindModules(ws, d, depth + 1, out);
    }
  }
}

}  // namespace

Protection MakeRule(const std::string& path) {
  if (path.rfind(".git/", 0) == 0) {
    for (const auto& g : kGitNames) {
      if (EndsWith(path, std::string("/") + g.name)) return {path, g.make, g.content};
    }
  }
  return {path, Protection::kKeep, ""};
}

bool IsPlaceholder(const std::string& path, const std::string& content) {
  Protection r = MakeRule(path);
  // A config is the user's even when forest had to make it.
  return r.make == Protection::kMakeFile && !EndsWith(path, "/config") && content == r.content;
}

std::vector<Protection> ProtectedPaths(const Config& c, const Tool& tool, const WorkspaceView& ws) {
  std::vector<Protection> want;
  PathKind git = ws.kind(".git");
  if (git == PathKind::kFile) {
    // A gitfile names the git dir: the jail must not point it elsewhere.
    want.push_back({".git", Protection::kKeep, ""});
  } else if (git == PathKind::kDir) {
    std::vector<std::string> dirs = {".git"};
    FindModules(ws, ".git/modules", 1, dirs);
    for (const auto& d : dirs) {
      for (const auto& g : kGitNames) want.push_back({d + "/" + g.name, g.make, g.content});
    }
  }
  std::vector<std::string> plain = {".forest.yaml"};
  plain.insert(plain.end(), tool.settings.begin(), tool.settings.end());
  plain.insert(plain.end(), c.protect.begin(), c.protect.end());
  for (const auto& p : plain) want.push_back(MakeRule(p));
  std::set<std::string> writable(c.writable.begin(), c.writable.end());
  std::vector<Protection> out;
  std::set<std::string> seen;
  for (const auto& p : want) {
    if (writable.count(p.path) || !seen.insert(p.path).second) continue;
    if (p.make == Protection::kKeep && ws.kind(p.path) == PathKind::kMissing) continue;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const Protection& a, const Protection& b) { return a.path < b.path; });
  return out;
}

}  // namespace forest::shell
