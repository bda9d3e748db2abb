// A forest shell jail's snapshots (its whole root disk; the workspace is the
// host's and is never in one): list, take, restore.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "shellhost/session.h"

namespace forest::shellhost {

struct Snapshot {
  std::string name;
  std::string created;  // as Incus reports created_at
};
Result<std::vector<Snapshot>> ListSnapshots(const Session& s, const std::string& jail);
Status TakeSnapshot(const Session& s, const std::string& jail, const std::string& name);
Status RestoreSnapshot(const Session& s, const std::string& jail, const std::string& name);

}  // namespace forest::shellhost
