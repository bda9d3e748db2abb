// Reaching into the forest: the ssh-agent relay into children, running a
// command in a node some levels down (one hop per level), and the status
// tree gathered the same way.
#pragma once

#include "base/result.h"
#include "up/level.h"

namespace forest::up {

// Relays the ssh-agent socket into the child when it or a descendant opted in.
Status AgentRelay(Level& l, const plan::NodePlan& child);

}  // namespace forest::up
