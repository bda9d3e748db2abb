// The Incus profiles of final/: what every node, helper and workload runs with.
#include "render/materialize.h"

namespace forest::render {
namespace {

// `hardened: true`: system calls a coding agent does not need and that widen
// the kernel's attack surface. Incus pastes each line into LXC's seccomp
// deny list, where a bare name means "kill the process" (systemd probes bpf
// at boot and would die): each one fails with EPERM instead.
constexpr char kHardenedSyscalls[] =
    "io_uring_setup errno 1\nio_uring_enter errno 1\nio_uring_register errno 1\nbpf errno 1\n"
    "userfaultfd errno 1\nkeyctl errno 1\nadd_key errno 1\nrequest_key errno 1";

using Device = std::map<std::string, std::string>;

Device RootDisk(const topology::Topology& t) { return {{"type", "disk"}, {"path", "/"}, {"pool", t.host.storage_pool}}; }

// Settings every hierarchy-aware node needs: nesting for its own Incus, mknod
// and setxattr interception for nested rootfs unpacking, and /dev/net/tun for
// TAYGA (the inherited node cannot be opened in an unprivileged container).
void HierarchyAware(IncusProfile& p, const topology::Topology& t) {
  p.config["security.nesting"] = "true";
  p.config["security.syscalls.intercept.mknod"] = "true";
  p.config["security.syscalls.intercept.setxattr"] = "true";
  p.devices["root"] = RootDisk(t);
  p.devices["tun"] = {{"type", "unix-char"}, {"path", "/dev/net/tun"}, {"source", "/dev/net/tun"}};
}

}  // namespace

std::string NodeProfileName(const plan::NodePlan& node) {
  std::string name = node.canonical_name.substr(0, node.canonical_name.size() - std::string(".incus").size());
  for (char& c : name)
    if (c == '.') c = '_';
  return "forest-node_" + name;
}

std::vector<IncusProfile> RoleProfiles(const topology::Topology& t, const plan::Plan& plan, bool enable_cache,
                                       const std::map<std::string, std::string>& rendered) {
  std::vector<IncusProfile> out;

  IncusProfile helper;
  helper.name = "forest-helper";
  helper.description = "forest helper: authoritative DNS for .incus, CA broker, publication API";
  helper.config["cloud-init.user-data"] = rendered.at("helper/cloud-init.yaml");
  helper.config["cloud-init.network-config"] = rendered.at("helper/network-config.yaml");
  helper.config["user.forest.role"] = "helper";
  helper.devices["root"] = RootDisk(t);
  helper.devices["eth0"] = {{"type", "nic"}, {"name", "eth0"}, {"network", t.host.bridge}};
  out.push_back(helper);

  if (enable_cache) {
    IncusProfile cache;
    cache.name = "forest-cache";
    cache.description = "forest cache helper: apt-cacher-ng for the forest's nodes";
    cache.config["cloud-init.user-data"] = rendered.at("cache/cloud-init.yaml");
    cache.config["cloud-init.network-config"] = rendered.at("cache/network-config.yaml");
    cache.config["user.forest.role"] = "cache";
    cache.devices["root"] = RootDisk(t);
    cache.devices["eth0"] = {{"type", "nic"}, {"name", "eth0"}, {"network", t.host.bridge}};
    out.push_back(cache);
  }

  IncusProfile root;
  root.name = "forest-root";
  root.description = "forest root node: hierarchy-aware, unprivileged, DNS64/NAT64 edge";
  HierarchyAware(root, t);
  root.config["user.forest.role"] = "root";
  out.push_back(root);

  IncusProfile child;
  child.name = "forest-recursive-child";
  child.description = "forest non-root node: hierarchy-aware, unprivileged, CLAT sidecar";
  HierarchyAware(child, t);
  child.config["user.forest.role"] = "recursive-child";
  out.push_back(child);

  IncusProfile workload;
  workload.name = "forest-workload";
  workload.description = "forest plain workload on its node's bridge";
  workload.config["cloud-init.user-data"] = rendered.at("workload/cloud-init.yaml");
  workload.config["user.forest.role"] = "workload";
  workload.devices["root"] = RootDisk(t);
  workload.devices["eth0"] = {{"type", "nic"}, {"name", "eth0"}, {"network", "incusbr0"}};
  out.push_back(workload);
  (void)plan;
  return out;
}

IncusProfile NodeProfile(const topology::Topology& t, const plan::NodePlan& node, const std::string& cloud_init) {
  IncusProfile p;
  p.name = NodeProfileName(node);
  p.description = "forest node " + node.canonical_name + " (" + node.prefix.ToString() + ")";
  p.config["cloud-init.user-data"] = cloud_init;
  p.config["user.forest.canonical_name"] = node.canonical_name;
  p.config["user.forest.prefix"] = node.prefix.ToString();
  p.config["user.forest.slot"] = std::to_string(node.slot);
  const topology::Node& n = *node.node;
  if (!n.limits.cpu.empty()) p.config["limits.cpu"] = n.limits.cpu;
  if (!n.limits.memory.empty()) p.config["limits.memory"] = n.limits.memory;
  if (!n.limits.processes.empty()) p.config["limits.processes"] = n.limits.processes;
  if (n.ssh_agent) p.config["user.forest.ssh_agent"] = "true";
  // Unprivileged unless the topology opts in explicitly (and forest.json records it).
  if (n.privileged) p.config["security.privileged"] = "true";
  if (n.hardened) p.config["security.syscalls.deny"] = std::string(kHardenedSyscalls);
  // The routed NIC: Incus puts the /128 on eth0 with a default route via
  // fe80::1, and installs on the parent `uplink/128 dev vethX` plus
  // `prefix via uplink` and its anti-spoofing chain.
  // A non-root node's second address is its CLAT sidecar's /128: its agent
  // moves it from eth0 to up0 in clatns, where the parent's on-link route
  // for it still arrives (DESIGN.md, IPv4 compatibility).
  std::string addresses = node.uplink.ToString();
  if (node.depth > 0) addresses += "," + node.clat_uplink.ToString();
  p.devices["eth0"] = {{"type", "nic"},
                       {"nictype", "routed"},
                       {"name", "eth0"},
                       {"ipv6.address", addresses},
                       {"ipv6.routes", node.prefix.ToString()}};
  // An edge root's IPv4 egress: a NIC on the host bridge with a fixed
  // address (forestd configures it; NAT64 and the root's LAN leave here).
  if (node.edge) {
    p.devices["eth1"] = {{"type", "nic"},
                         {"name", "eth1"},
                         {"network", t.host.bridge},
                         {"ipv4.address", node.egress_ipv4.AddressString()},
                         // Pinned to its address and MAC, and isolated from the
                         // other roots' egress NICs on the bridge: roots talk
                         // to each other over routed IPv6, never over this L2.
                         {"security.mac_filtering", "true"},
                         {"security.ipv4_filtering", "true"},
                         {"security.port_isolation", "true"}};
  }
  if (!n.limits.disk.empty()) {
    p.devices["root"] = {{"type", "disk"}, {"path", "/"}, {"pool", t.host.storage_pool}, {"size", n.limits.disk}};
  }
  // Shares. A root mounts the host folder directly, idmapped (shift) so host
  // owners stay owners. Deeper nodes mount it from a staging path in their
  // parent, where every ancestor relays it (below); their parent adds a
  // raw.idmap for the owner at creation (forest up), since idmapped mounts
  // are not available inside unprivileged nodes.
  for (size_t i = 0; i < n.shares.size(); ++i) {
    const auto& s = n.shares[i];
    bool root = node.depth == 0;
    p.devices["share-" + std::to_string(i)] = {{"type", "disk"},
                                               {"source", root ? s.source : ShareStagingPath(node, i)},
                                               {"path", s.path},
                                               {"readonly", s.readonly ? "true" : "false"}};
    if (root) p.devices["share-" + std::to_string(i)]["shift"] = "true";
  }
  return p;
}

std::string ShareStagingPath(const plan::NodePlan& node, size_t index) {
  return "/opt/forest/shares/" + node.canonical_name + "/" + std::to_string(index);
}

void AddShareRelays(IncusProfile& p, const plan::NodePlan& relay, const plan::NodePlan& target) {
  for (size_t i = 0; i < target.node->shares.size(); ++i) {
    const auto& s = target.node->shares[i];
    std::string dev = "relay-" + target.label + "-" + std::to_string(i);
    bool root = relay.depth == 0;
    p.devices[dev] = {{"type", "disk"},
                      {"source", root ? s.source : ShareStagingPath(target, i)},
                      {"path", ShareStagingPath(target, i)},
                      {"readonly", s.readonly ? "true" : "false"}};
    if (root) p.devices[dev]["shift"] = "true";
  }
}

}  // namespace forest::render
