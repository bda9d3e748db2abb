// A node's HTTP API as a route table (serve/http_route.h). Poke, export and
// node status are for this node, its parent and its direct children
// (plan/api_callers.h), refused (403) to workloads on its LAN on the request
// head; health and metrics are open. Paths and bodies: api/.
#pragma once

#include <functional>
#include <vector>

#include "net/ip.h"
#include "node/agent.h"
#include "serve/http_route.h"
#include "serve/metrics.h"

namespace forest::node {

// `server_metrics` adds the servers' own counters (DNS, connections, fds)
// to /metrics.
http::Router NodeRoutes(Agent& agent, std::vector<net::Ipv6Address> neighbours,
                        std::function<void(serve::MetricsText&)> server_metrics);

}  // namespace forest::node
