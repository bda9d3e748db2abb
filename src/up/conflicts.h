// Address ranges a forest needs that another Incus network already holds.
// Pure: works on the JSON of GET /1.0/networks?recursion=1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/ip.h"

namespace forest::up {

struct HostRanges {
  std::string bridge;                 // our host bridge (skipped: it may exist already)
  net::Ipv6Prefix bridge_network;     // fd00:f00d::/64
  net::Ipv4Interface bridge_ipv4;     // 10.203.0.1/24
  std::vector<net::Ipv6Prefix> routed;  // the roots' prefixes and the uplink range
};

// The first managed network (other than ours) whose ipv4/ipv6 address
// overlaps what the forest needs, as a message that says what to do;
// nullopt when there is none. Malformed entries are skipped.
std::optional<std::string> FindAddressConflict(const nlohmann::json& networks,
                                               const HostRanges& want);

}  // namespace forest::up
