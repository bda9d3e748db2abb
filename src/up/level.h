// One level's convergence (the host, or a node converging its own Incus):
// its client, options, process runner and a count of changes. The verbs of
// `up` (up/host.h, up/install.h, up/shares.h, up/reach.h) each take one.
#pragma once

#include <string>
#include <vector>

#include "base/process.h"
#include "incus/api.h"
#include "incus/client.h"
#include "plan/plan.h"
#include "topology/topology.h"
#include "up/converge.h"

namespace forest::up {

struct Level {
  incus::Client& c;
  const topology::Topology& t;
  const plan::Plan& plan;
  const Options& o;
  ProcessRunner& run;
  int changes = 0;
  void Say(const std::string& s) const {
    if (o.progress) o.progress(s);
  }
  void Changed(const std::string& s) {
    ++changes;
    Say(s);
  }
};

// The runner Options names, else the real one.
inline ProcessRunner& RunnerOf(const Options& o) { return o.runner ? *o.runner : SystemRunner(); }

// Creates or updates `spec` to the topology's profiles and config, and
// starts it.
Status EnsureRunning(Level& l, const incus::InstanceSpec& spec);

}  // namespace forest::up
