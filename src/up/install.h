// Installing forest into instances: the binary under a versioned release,
// a node's inputs under /etc/forest, the helper's daemon and the host's
// mkcert root, a node's own forestd, and the host's ssh keys.
#pragma once

#include <string>

#include "base/result.h"
#include "up/level.h"

namespace forest::up {

// Lets the host's ssh keys in as root (`forest ssh`, plain `ssh` by address).
Status PushAuthorizedKeys(Level& l, const std::string& name);

// Installs forest into a node, plus the node's inputs under /etc/forest.
Status InstallForest(Level& l, const std::string& name, const std::string& canonical,
                     const ParentInfo& parent);

// The helper container runs `forestd --role helper` (DNS for .incus, the
// publication API, the CA broker) from the same binary.
Status InstallHelper(Level& l);

// forestd --role node in this node, and the node's own resolver asking it
// for .incus (systemd-resolved drop-in).
Status EnsureNodeDaemon(Level& l, const plan::NodePlan& self);

}  // namespace forest::up
