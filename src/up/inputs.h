// What `up` computes a level from: a topology file and the slot memory,
// parsed and planned; inside a node, the inputs `forest up` installed under
// /etc/forest and the node's own name.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "plan/plan.h"
#include "topology/topology.h"

namespace forest::up {

// A topology file and its plan (with remembered slots).
struct Loaded {
  std::string text;  // the file's bytes, as parsed
  topology::Topology topology;
  plan::Plan plan;
};
Result<std::unique_ptr<Loaded>> LoadAndPlan(const std::string& path, const plan::SlotMemory& slots = {});

// A node's (or the helper's) inputs as `forest up` installs them: DIR/topology.yaml
// planned with the slot memory in DIR/slots.json.
Result<std::unique_ptr<Loaded>> LoadNodeInputs(const std::string& dir);

// Inside a node: its plan, and `self` as DIR/self names it (written by `forest up`).
struct ThisNode {
  std::unique_ptr<Loaded> loaded;
  const plan::NodePlan* self = nullptr;
};
Result<ThisNode> LoadThisNode(const std::string& dir);

}  // namespace forest::up
