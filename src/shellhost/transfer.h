// Copying files between the host and a forest shell jail (`forest shell
// file push|pull`): pushed files belong to the jail user, pulled ones never
// follow a symlink on the host.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"
#include "incus/files.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// "JAIL:/path" → {jail, path}; empty jail when there is no colon before a '/'.
std::pair<std::string, std::string> SplitRemote(const std::string& s);

// push: host `from` to the jail's `to`; pull: the jail's `from` to host `to`.
Result<incus::CopyReport> Copy(const Session& s, const shell::Jail& jail, bool push, const std::string& from,
                               const std::string& to, bool recursive);

}  // namespace forest::shellhost
