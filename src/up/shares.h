// Shares into nested children: they reach a child from staging paths in
// this node; without idmapped mounts here, the owner keeps its uid through a
// raw.idmap entry (and this node's /etc/subuid, /etc/subgid allow it).
#pragma once

#include <string>

#include "base/result.h"
#include "up/level.h"

namespace forest::up {

// The raw.idmap for `child` ("" when none is needed); restarts this node's
// Incus when /etc/subuid or /etc/subgid had to change.
Result<std::string> ShareIdmap(Level& l, const plan::NodePlan& child);

}  // namespace forest::up
