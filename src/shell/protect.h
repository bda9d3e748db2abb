// What of a workspace a jail must not write, because git or forest on the
// host later reads it and runs what it names. Pure: the caller lists the
// workspace; the adapter (shellhost/protect.cc) makes placeholders and mounts
// every path read-only over the writable workspace.
//
// Per git directory (the repository's .git, and each submodule's under
// .git/modules), from gitrepository-layout(5) and git-config(1):
//   config            core.fsmonitor, core.hooksPath, core.sshCommand, pager,
//                     editor, aliases, diff/merge/filter drivers, includes
//   hooks/            run by commit, merge, checkout, push, ...
//   info/             attributes (assign drivers), exclude (hide files from
//                     `git status`), grafts, sparse-checkout
//   commondir         redirects config, hooks, objects and refs to any
//                     folder; a placeholder "." (the git dir itself, which
//                     git reads as no redirection) holds its place
//   config.worktree   read with extensions.worktreeConfig; empty placeholder
//   objects/info/alternates  objects read from other paths; empty placeholder
//   worktrees/        (when there) the linked worktrees' commondir, gitdir
//                     and config.worktree
// A workspace whose .git is a file (a linked worktree or submodule checkout)
// protects that file: it names the git dir.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shell/config.h"

namespace forest::shell {

enum class PathKind { kMissing, kFile, kDir, kOther };  // kOther: a symlink, socket, ...

// The workspace as the host sees it, workspace-relative, never following a
// symlink: `kind` (lstat), `subdirs` (names of the real directories in a dir).
struct WorkspaceView {
  std::function<PathKind(const std::string&)> kind;
  std::function<std::vector<std::string>(const std::string&)> subdirs;
};

// A protected path and what the host makes there when it is missing.
struct Protection {
  enum Make { kKeep, kMakeDir, kMakeFile };
  std::string path;     // workspace-relative
  Make make = kKeep;    // kKeep: protected only when it exists
  std::string content;  // kMakeFile: the placeholder's bytes
  bool operator==(const Protection&) const = default;
};

// The read-only paths of a jail: the git paths above (each submodule git dir
// under .git/modules too, at most 3 levels and 64 of them), .forest.yaml, the
// tool's settings, `protect`; minus `writable`. Paths that are missing and
// kKeep are left out. Sorted by path.
std::vector<Protection> ProtectedPaths(const Config& c, const Tool& tool, const WorkspaceView& ws);

// What the host makes for `path` when it is missing (kKeep for paths it never
// makes): the rule ProtectedPaths gives a git path, from its name alone.
Protection MakeRule(const std::string& path);

// Whether a missing-then-made file at `path` still holds only its
// placeholder: what forest may remove once no jail uses the workspace.
bool IsPlaceholder(const std::string& path, const std::string& content);

}  // namespace forest::shell
