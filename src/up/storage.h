// The storage pool a level's containers live on: made when missing
// (copy-on-write where it can be had, dir where not), used as it is when it
// exists, and only ever deleted by `down` when `up` made it.
#pragma once

#include <string>

#include "incus/api.h"
#include "topology/topology.h"
#include "up/level.h"

namespace forest::up {

// What `up` asks Incus for when a level's pool is missing.
struct PoolRequest {
  std::string driver;
  incus::StringMap config;
  std::string Describe() const;  // "btrfs, loop file 30GiB", "btrfs on /var/lib/…", "dir"
};

// The host's pool: as the topology's host.storage says.
PoolRequest HostPoolRequest(const topology::StorageConfig& s);
// A node's own pool: btrfs in a folder of the node's filesystem where that
// is btrfs (the parent's pool is), so instances are snapshots of their
// image; dir otherwise. `fs_type` is `stat -f -c %T` of /var/lib/incus.
PoolRequest NodePoolRequest(const std::string& pool, const std::string& fs_type);

// Makes the level's pool unless it exists. A copy-on-write pool that Incus
// cannot make (no btrfs in the kernel, no btrfs-progs) falls back to dir
// with a line that says so, unless the topology named the driver.
Status EnsureStoragePool(Level& l, bool node);

}  // namespace forest::up
