// A shared folder's owner on this node, and allowing it in the subordinate
// id files (idmap.h has the rules).
#pragma once

#include <string>

#include "base/process.h"
#include "base/result.h"
#include "idmap/idmap.h"

namespace forest::idmap {

// The owner of `path` (following a symlink, as the disk device will).
Result<Owner> OwnerOf(const std::string& path);

struct SubidFiles {
  std::string subuid = "/etc/subuid";
  std::string subgid = "/etc/subgid";
};
// Adds root:<uid>:1 and root:<gid>:1 where missing (a missing file is
// made); returns whether either file changed, when incusd must be
// restarted to accept the new raw.idmap.
Result<bool> AllowOwner(const Owner& o, const SubidFiles& files = {});

// Restarts incus.service so it reads the subordinate id files again, and
// waits (a minute at most) until the daemon answers on its socket.
Status RestartIncus(ProcessRunner& run);

}  // namespace forest::idmap
