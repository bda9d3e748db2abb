// Inside a node: what `forest node-up` converges from, as `forest up`
// installed it under /etc/forest (up::kNodeDir).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "up/converge.h"
#include "up/inputs.h"

namespace forest::up {

struct NodeUp {
  std::unique_ptr<Loaded> loaded;  // DIR/topology.yaml with DIR/slots.json
  const plan::NodePlan* self = nullptr;
  ParentInfo parent;            // DIR/parent.json
  std::string authorized_keys;  // DIR/authorized_keys ("" when absent)
  std::string agent_socket;     // AGENT_SOCKET when forest up forwarded an agent there, else ""
};

// SELF is the node's canonical name; errors name the file at fault.
Result<NodeUp> LoadNodeUp(const std::string& dir, const std::string& self,
                          const std::string& agent_socket = kAgentSocket);

}  // namespace forest::up
