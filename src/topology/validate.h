// Checks that span several keys, run after the whole file has been read.
// Private to src/topology/.
#pragma once

#include "base/result.h"
#include "topology/reader.h"
#include "topology/topology.h"

namespace forest::topology::internal {

// The helper and cache addresses lie on the host bridge's /64 and differ from
// the host's own address; no root takes the helper's instance name; a node's
// workloads and children have distinct names; every canonical node, workload
// and service name fits in 253 characters. Errors point at the offending key.
Status ValidateTopology(const Reader& r, const Topology& t);

}  // namespace forest::topology::internal
