// Boot is convergence: what a node needs before its Incus can run its
// children (forwarding, the cgroup v1 fix-up, subordinate ids) is applied at
// every boot by forest-boot.service, ordered before incus.service, and not
// only by `forest node-up`. forestd (after Incus) then brings the 464XLAT
// wiring, DNS and names back.
#pragma once

#include <string>
#include <vector>

#include "base/process.h"
#include "base/result.h"

namespace forest::up {

inline constexpr char kBootUnitPath[] = "/etc/systemd/system/forest-boot.service";
inline constexpr char kIncusDropinPath[] = "/etc/systemd/system/incus.service.d/forest-boot.conf";

// The unit and the incus.service drop-in that orders Incus after it.
std::string BootUnit();
std::string IncusDropin();

// Runs templates/node/prepare.sh here (`boot`: as forest-boot.service does,
// before incusd, restarting nothing). Returns the fixes it applied, one per
// line; an error carries the script's output.
Result<std::vector<std::string>> RunPrepare(bool boot, ProcessRunner& run = SystemRunner());

// Writes the unit and the drop-in when they differ and enables the unit.
// Returns whether anything changed.
Result<bool> EnsureBootUnits(ProcessRunner& run = SystemRunner());

}  // namespace forest::up
