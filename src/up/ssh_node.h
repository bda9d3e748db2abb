// `forest ssh`: a node's or workload's address, and the ssh command line to
// it. Works before DNS exists (by address); the host key is learnt on first
// use into the forest's own known_hosts.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "up/registry.h"

namespace forest::up {

// A node's address from the plan; a workload's global IPv6 address on its
// node's LAN, asked inside it through `host` (the forest's project).
Result<std::string> SshAddress(incus::Client& host, const Found& found);

// ssh root@ADDRESS [COMMAND...] with the forest's known_hosts
// (FOREST_DIR/known_hosts, new keys accepted) and a connect deadline.
std::vector<std::string> SshArgv(const std::string& forest_dir, const std::string& address,
                                 const std::vector<std::string>& command);

}  // namespace forest::up
