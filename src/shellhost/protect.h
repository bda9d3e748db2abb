// forest shell on the host: the workspace paths a jail must not write
// (shell/protect.h) made when missing and checked before every start, their
// placeholders removed with the workspace's last jail, and the host facts
// the default limits come from.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "shell/config.h"
#include "shell/jail.h"

namespace forest::shellhost {

// The workspace's protected paths (shell/protect.h) for `tool`: missing ones
// made (owned like .git), none reached through a symlink. Returns the paths
// to mount read-only.
Result<std::vector<std::string>> ProtectWorkspace(const std::string& workspace, const shell::Config& c,
                                                  const shell::Tool& tool);
// Removes the placeholders among `paths` that still hold only what forest
// put there (once no jail uses the workspace).
void DropPlaceholders(const std::string& workspace, const std::vector<std::string>& paths);
// The host's CPUs and pid_max, for the default limits.
shell::HostFacts ReadHostFacts();

}  // namespace forest::shellhost
