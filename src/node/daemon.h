// forestd --role node: the node agent (node/agent.h) plus this node's DNS
// (its subtree's canonical names; everything else forwarded upward), its
// HTTP API (node/routes.h) and the upkeep every repair period: the sweep of
// failed starts' leftovers (up/sweep_run.h), the 464XLAT wiring
// (up/xlat_apply.h) and the certificates it deployed (node/cert_deploy.h).
// Runs until SIGINT or SIGTERM. cli/forestd.cc turns the flags into these options.
#pragma once

#include <cstdint>
#include <string>

#include "node/ports.h"
#include "plan/plan.h"

namespace forest::node {

struct NodeDaemonOptions {
  std::string dir = "/etc/forest";         // where the plan came from (for messages)
  std::string state = "/var/lib/forestd";  // registrations, child exports, own export
  std::string self;                        // this node's canonical name
  std::string listen;                      // default: the node's LAN address
  uint16_t dns_port = kNodeDnsPort;
  uint16_t http_port = kApiPort;
  double repair_seconds = 30;
  bool edge = false;  // --edge: refuse to start unless the plan makes self the edge
};

// Returns the process's exit code.
int RunNode(const plan::Plan& plan, const NodeDaemonOptions& o);

}  // namespace forest::node
