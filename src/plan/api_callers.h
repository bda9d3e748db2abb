// Who may call what on forestd's APIs, from the plan (DESIGN.md, Security
// posture: callers are identified by source address). Pure.
#pragma once

#include <vector>

#include "net/ip.h"
#include "plan/plan.h"

namespace forest::plan {

// The forest's own machinery: the host (its bridge address) and every node
// (uplink and node address). These may use the connection reserve that
// workloads cannot exhaust. Sorted, unique.
std::vector<net::Ipv6Address> InfrastructureAddresses(const Plan& plan);

// Who may call a node's node-only endpoints (poke, export, node status):
// the node itself, its parent and its direct children, each by uplink and
// node address — never a plain workload on its LAN. Sorted, unique.
std::vector<net::Ipv6Address> NodeNeighbours(const Plan& plan, const NodePlan& self);

}  // namespace forest::plan
