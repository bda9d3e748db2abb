// Ports every forestd uses (the helper's and each node's): api/paths.h has
// them; these names stay for the callers that include this header.
#pragma once

#include <cstdint>

#include "api/paths.h"

namespace forest::node {

inline constexpr uint16_t kApiPort = api::kPort;  // every forestd's HTTP API
inline constexpr uint16_t kNodeDnsPort =
    api::kNodeDnsPort;  // a node's forestd DNS (dnsmasq forwards .incus here)

}  // namespace forest::node
