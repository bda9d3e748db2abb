// Gathers what up/sweep.h plans from (nft, links, Incus's instances and
// operations) on this machine, and carries the plan out.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/process.h"
#include "base/result.h"
#include "incus/client.h"

namespace forest::up {

// Sweeps this machine for what failed starts of `projects`' instances left
// (empty: every project of this Incus, as inside a node). Returns one line
// per removal.
Result<std::vector<std::string>> SweepLocal(incus::Client& c, const std::set<std::string>& projects,
                                            ProcessRunner& run = SystemRunner());

}  // namespace forest::up
