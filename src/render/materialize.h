// The generator (DESIGN.md, Generator first): a Topology and its Plan in, the
// whole content/ tree of a materialization out, as an in-memory file map.
// Pure: same inputs → byte-identical files; no clock, no absolute paths.
#pragma once

#include <map>
#include <string>

#include "base/result.h"
#include "plan/plan.h"
#include "render/profile.h"
#include "topology/topology.h"

namespace forest::render {

struct FileEntry {
  std::string contents;
  unsigned mode = 0644;
  bool operator==(const FileEntry&) const = default;
};

// Relative path inside content/ → file.
using FileTree = std::map<std::string, FileEntry>;

struct GenerateOptions {
  std::string materialization;  // NAME (the directory's base name)
  std::string topology_text;    // the input file's bytes, copied to content/topology.yaml
  bool enable_cache = false;    // also render the cache helper (apt/images cache)
  // Runtime bundle (artifacts/runtime/<path> → bytes, mode 0755), e.g.
  // {"bin/forestd", <bytes>}. Empty → no runtime bundle.
  std::map<std::string, std::string> runtime_files;
};

Result<FileTree> Materialize(const topology::Topology& topology, const plan::Plan& plan,
                             const GenerateOptions& options);

// The Incus project a topology lives in: "forest-<name>".
std::string ProjectName(const topology::Topology& topology);

// Profile name of a node's own profile: "forest-node_" + canonical name
// without ".incus", dots as '_' (labels never contain '_').
std::string NodeProfileName(const plan::NodePlan& node);

// The role profiles of final/profiles/ (helper, [cache,] root, recursive-child, workload).
std::vector<IncusProfile> RoleProfiles(const topology::Topology& topology, const plan::Plan& plan,
                                       bool enable_cache, const std::map<std::string, std::string>& rendered);

// Role profiles followed by every node's own profile, as `forest up` loads them.
Result<std::vector<IncusProfile>> AllProfiles(const topology::Topology& topology, const plan::Plan& plan,
                                              bool enable_cache);

// A node's own profile: routed NIC, limits, shares, cloud-init user data.
IncusProfile NodeProfile(const topology::Topology& topology, const plan::NodePlan& node,
                         const std::string& cloud_init);

// Where a share of `node` is staged inside each ancestor that relays it.
std::string ShareStagingPath(const plan::NodePlan& node, size_t index);

// Adds to `relay`'s profile the devices that pass `target`'s shares one level
// down (relay is a strict ancestor of target).
void AddShareRelays(IncusProfile& profile, const plan::NodePlan& relay, const plan::NodePlan& target);

}  // namespace forest::render
