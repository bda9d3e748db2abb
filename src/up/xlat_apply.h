// Applies a node's 464XLAT wiring on the node itself (xlat/xlat.h for what,
// templates/node/xlat.sh for how). `forest node-up` runs it before the node
// talks to anyone, forestd at start and every repair period, `forest xlat`
// by hand.
#pragma once

#include <string>
#include <vector>

#include "base/process.h"
#include "base/result.h"
#include "plan/plan.h"

namespace forest::up {

// Mode "up" writes the configuration files and builds what is missing (a
// changed file restarts the daemons), "down" removes it all, "status" checks
// each piece. `lines` is the script's output: one fix, or one `ok`/`fail`
// check, per line.
struct XlatRun {
  std::string role;  // "edge", "clat" or "none"
  int rc = 0;
  std::vector<std::string> lines;
};
Result<XlatRun> ApplyXlat(const plan::Plan& plan, const plan::NodePlan& self, const std::string& mode,
                          ProcessRunner& run = SystemRunner());

}  // namespace forest::up
