// The forest.yaml model: what the user declares. Pure data plus a parser
// that reports errors as `file:line:column: key.path: what was expected`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip.h"

namespace forest::topology {

// 1-based position in the topology file; 0 when unknown (built in code).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// A host folder shared into a node. Narrow by construction: exactly `source`.
struct Share {
  std::string source;  // absolute host path
  std::string path;    // absolute path inside the node
  bool readonly = true;
  SourcePos pos;
};

// Resource limits, passed to Incus as limits.* keys. Empty = unset.
struct Limits {
  std::string cpu;        // limits.cpu, e.g. "2"
  std::string memory;     // limits.memory, e.g. "4GiB"
  std::string processes;  // limits.processes, e.g. "2000"
  std::string disk;       // root disk size, e.g. "20GiB"
};

// A plain workload hosted by a node; `services` are extra label paths
// (e.g. "auth" → auth.<workload>.<node...>.incus).
struct Workload {
  std::string name;
  std::string image = "forest-workload";
  std::vector<std::string> services;
  bool tls = false;  // the hosting node deploys a forest-CA certificate into it
  SourcePos pos;
  std::string path;  // its key path, "roots[0].workloads[1]" ("" when built in code)
};

enum class NodeKind { kContainer, kVm };

// A hierarchy-aware node; children are nested under their parent.
struct Node {
  std::string name;
  std::optional<int> slot;                // 1..15 within the parent; roots: host uplink index
  std::optional<net::Ipv6Prefix> prefix;  // roots only; default fd00:1000::/20 for the first root
  bool edge = true;  // roots only: DNS64 + NAT64 to the host's IPv4 (Parse: false on children)
  NodeKind kind = NodeKind::kContainer;
  Limits limits;
  std::vector<Share> shares;
  bool ssh_agent = false;   // relay the host's ssh-agent socket (opt-in)
  bool privileged = false;  // explicit, logged opt-in; never a default
  bool hardened = false;    // deny io_uring, bpf, userfaultfd, keyctl (security.syscalls.deny)
  std::string image;        // roots only: an image in the forest's project; "" = forest's node image
  std::vector<Workload> workloads;
  std::vector<Node> children;
  SourcePos pos;
  // For errors found after parsing (the planner's): the node's key path,
  // "roots[0].children[2]" ("" when built in code), and where its `slot`
  // and `children` keys were (0 when absent).
  std::string path;
  SourcePos slot_pos;
  SourcePos children_pos;
};

// Where the host's storage pool comes from when `up` has to make it
// (`host.storage`); a pool that exists already is used as it is.
struct StorageConfig {
  std::string driver = "btrfs";  // btrfs | zfs | lvm | dir
  std::string source;            // device or path; "" = a sparse loop file Incus makes
  std::string size;              // loop file size; "" = Incus's default (20% of free space, 5-30 GiB)
  bool driver_set = false;       // named in the topology: no fallback to dir
};

struct HostConfig {
  std::string bridge = "forestbr0";
  net::Ipv6Interface ipv6;       // default fd00:f00d::1/64 (the host side of the bridge)
  net::Ipv4Interface ipv4;       // default 10.203.0.1/24
  net::Ipv6Prefix uplink_range;  // default fd00:f00d:0:1::/64 (roots' /128 uplinks)
  std::string storage_pool = "default";
  StorageConfig storage;
};

struct HelperConfig {
  std::string name = "forest-helper";
  net::Ipv6Address address;        // default fd00:f00d::53 (on the host bridge)
  bool cache = false;              // also run the apt/image cache helper
  net::Ipv6Address cache_address;  // default fd00:f00d::3142
};

struct Topology {
  std::string file;                 // as given by the caller; used in messages
  std::string name;                 // forest name; default: file stem
  int root_prefix_length_step = 4;  // nibble per level (fixed in schema 1)
  HostConfig host;
  HelperConfig helper;
  net::Ipv6Prefix nat64_prefix;  // default 64:ff9b::/96
  std::string dns64_upstream;    // IPv4/IPv6 literal; "" = the host bridge's IPv4 (Incus's dnsmasq)
  std::vector<Node> roots;
};

// Limits on hostile input (DESIGN: topology files are wire input).
inline constexpr size_t kMaxInputBytes = 1u << 20;  // 1 MiB
inline constexpr int kMaxYamlNodes = 10000;         // keys, values and list items visited
inline constexpr int kMaxNodeDepth = 32;            // node levels below the host (roots are level 1)

// Built-in defaults (also used to fill what a file leaves out).
Topology Defaults();

// The reference of every forest.yaml key as Markdown, rendered from the one
// table that also drives the parser (docs/topology.md embeds it verbatim).
std::string KeysReference();

// Parses forest.yaml text. `file_name` prefixes every error message and gives
// the default forest name. Validates types, unknown and duplicate keys (with a
// did-you-mean), labels, slot ranges, duplicate sibling names, prefix syntax,
// shares, services, reserved helper labels and the input limits above; see
// docs/topology.md. Address-plan checks (overlap, depth, width) belong to
// plan::MakePlan.
Result<Topology> Parse(std::string_view text, const std::string& file_name);

// Reads and parses a file (size-limited).
Result<Topology> LoadFile(const std::string& path);

// Walks every node in pre-order (roots in declaration order), with depth.
template <typename F>
void ForEachNode(const std::vector<Node>& nodes, F&& f, int depth = 0) {
  for (const Node& n : nodes) {
    f(n, depth);
    ForEachNode(n.children, f, depth + 1);
  }
}

}  // namespace forest::topology
