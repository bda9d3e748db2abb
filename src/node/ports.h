// Ports every forestd uses (the helper's and each node's).
#pragma once

#include <cstdint>

namespace forest::node {

inline constexpr uint16_t kApiPort = 8053;      // every forestd's HTTP API
inline constexpr uint16_t kNodeDnsPort = 5353;  // a node's forestd DNS (dnsmasq forwards .incus here)

}  // namespace forest::node
