// 464XLAT wiring of one node (DESIGN.md, IPv4 compatibility). Pure: the plan
// in, the configuration files and the settings of templates/node/xlat.sh out.
// An edge root runs DNS64 (Unbound) and NAT64 (TAYGA) to its IPv4 egress on
// the host bridge; every other node runs a CLAT sidecar in the network
// namespace `clatns`, so IPv4-only software in the node and on its LAN gets
// an IPv4 view over the IPv6-only tree.
#pragma once

#include <map>
#include <string>

#include "plan/plan.h"

namespace forest::xlat {

// Names every node shares (the contract of DESIGN.md).
inline constexpr char kNetns[] = "clatns";
inline constexpr char kUplink[] = "up0";               // macvlan of eth0 in clatns
inline constexpr char kLanMain[] = "clatlan-main";     // veth end in the node's namespace
inline constexpr char kLanNs[] = "lan0";               // veth end in clatns
inline constexpr char kLanMainAddress[] = "169.254.203.2/30";
inline constexpr char kLanNsAddress[] = "169.254.203.1/30";
inline constexpr int kTable = 203;
inline constexpr int kRulePreference = 1200;
inline constexpr int kLanMtu = 1480;                   // IPv4 + 20 bytes of IPv6 header fits 1500
inline constexpr char kEgressInterface[] = "eth1";     // the edge's NIC on the host bridge
inline constexpr char kConfigDir[] = "/etc/forest/xlat";
inline constexpr uint16_t kDns64Port = 5364;           // Unbound on ::1 at the edge

enum class Role { kNone, kEdge, kClat };

struct Wiring {
  Role role = Role::kNone;
  // File name (under kConfigDir) → content.
  std::map<std::string, std::string> files;
  // XLAT_* settings for templates/node/xlat.sh.
  std::map<std::string, std::string> env;
};

// What `self` runs: the edge for an edge root, a CLAT for every non-root
// node, nothing for a root without the edge flag.
Wiring ForNode(const plan::Plan& plan, const plan::NodePlan& self);

const char* RoleName(Role r);

}  // namespace forest::xlat
