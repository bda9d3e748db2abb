// The hierarchy address plan (DESIGN.md, Address plan). Pure: a Topology and
// the slots remembered from earlier runs in, a Plan or an error naming the
// node out.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "naming/names.h"
#include "net/ip.h"
#include "topology/topology.h"

namespace forest::plan {

inline constexpr int kMaxChildren = 15;     // slots 1..15; slot 0 is the local region
inline constexpr int kNibble = 4;

struct NodePlan {
  std::string label;                   // "c0-2-1"
  std::string canonical_name;          // "c0-2-1.c0-2.c0.incus"
  std::string parent_canonical;        // "" for a root
  std::vector<std::string> ancestors;  // labels, nearest first ({"c0-2","c0"})
  int depth = 0;                       // root = 0
  int slot = 0;                        // slot in the parent (roots: index in the host uplink range)
  net::Ipv6Prefix prefix;              // delegated subtree, length = root length + 4*depth
  net::Ipv6Prefix local_region;        // slot 0: prefix:0/(L+4)
  net::Ipv6Prefix lan;                 // /64 number 0 of the local region (incusbr0)
  net::Ipv6Address node_address;       // lan::1
  net::Ipv6Prefix uplink_range;        // /64 number 1 of the local region (children's /128s)
  net::Ipv6Address uplink;             // own /128: parent's uplink range ::slot (host's for roots)
  net::Ipv6Address clat_uplink;        // the CLAT sidecar's /128 next to it (::c1a7:slot)
  bool edge = false;                   // root with DNS64/NAT64
  net::Ipv4Interface egress_ipv4;      // edge roots: its IPv4 on the host bridge (NAT64 leaves here)
  int max_children = kMaxChildren;     // 0 when the prefix leaves no room for children
  const topology::Node* node = nullptr;  // points into the Topology passed to MakePlan
};

struct WorkloadPlan {
  std::string name;                    // instance name
  std::string host_canonical;          // hosting node
  std::string canonical_name;          // name.<host canonical>
  std::vector<std::string> service_names;  // auth.name.<host canonical>, sorted
  net::Ipv6Prefix lan;                 // the /64 its address comes from
};

// A route the parent (or the host, for roots) installs for a child.
struct Route {
  net::Ipv6Prefix destination;
  net::Ipv6Address via;
  std::string child_canonical;
};

struct Plan {
  std::vector<NodePlan> nodes;          // pre-order, roots in declaration order
  std::vector<WorkloadPlan> workloads;  // in node pre-order, then declaration order
  net::Ipv6Interface host_bridge;
  net::Ipv6Prefix host_uplink_range;
  net::Ipv6Address helper_address;
  net::Ipv6Prefix nat64_prefix;
  net::Ipv4Interface host_ipv4;        // the host's side of the bridge
  std::string dns64_upstream;          // where the edge's DNS64 resolver asks (IPv4 or IPv6 literal)

  const NodePlan* FindNode(std::string_view canonical_name) const;
  // Routes installed by `parent_canonical` ("" = the outer host).
  std::vector<Route> RoutesAt(std::string_view parent_canonical) const;
  // Slot assignments to remember for the next run (canonical name → slot).
  std::map<std::string, int> Slots() const;
};

// Slots handed out by earlier runs: a child keeps its slot for life.
using SlotMemory = std::map<std::string, int>;

// Every node's LAN bridge carries this IPv4 subnet for its workloads: it is
// translated (CLAT) or masqueraded (edge) before it leaves the node, so the
// same subnet serves every node.
net::Ipv4Interface LanIpv4();

// Default root prefix of the first root.
net::Ipv6Prefix DefaultRootPrefix();

// Computes the plan. Refuses, naming the node (file:line when known): a tree
// deeper than the prefix allows, a 16th child, duplicate or out-of-range slots,
// root prefixes that overlap each other, the host bridge, the host uplink
// range or the NAT64 prefix, prefixes not on a nibble boundary, and reserved
// helper labels used as roots.
Result<Plan> MakePlan(const topology::Topology& topology, const SlotMemory& previous = {});

// One object per node, workload and service, for the naming engine.
std::vector<naming::ObjectName> PlanObjects(const Plan& plan);

}  // namespace forest::plan
