// The key tables of forest.yaml (schema version 1) and their readers.
#include "topology/keys.h"

#include <arpa/inet.h>
#include <array>

#include "topology/checks.h"

// Designated initializers leave most Key fields at their defaults on purpose;
// GCC 12 warns about that anyway.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace forest::topology::internal {
namespace {

// A node being read and its level (roots are level 1).
struct NodeTarget {
  Node* node;
  int depth;
};

Status Check(Reader& r, const Field& f, const Status& s) { return s.ok() ? s : r.Fail(f, s.error().message); }

Result<std::string> ReadChecked(Reader& r, const Field& f, Status (*check)(std::string_view)) {
  FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
  FOREST_TRY(Check(r, f, check(s)));
  return s;
}

template <typename V>
Result<V> ReadAddress(Reader& r, const Field& f, std::string_view kind, std::string_view example) {
  FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
  auto v = V::Parse(s);
  if (!v.ok()) {
    return r.Fail(f, Quote(s) + " is not " + std::string(kind) + " (" + v.error().message +
                         "); write one like " + std::string(example));
  }
  return std::move(v).value();
}

Result<net::Ipv6Prefix> ReadPrefix(Reader& r, const Field& f, int required_length, std::string_view example) {
  FOREST_ASSIGN_OR_RETURN(net::Ipv6Prefix p, ReadAddress<net::Ipv6Prefix>(r, f, "an IPv6 prefix", example));
  if (required_length >= 0 && p.length != required_length) {
    return r.Fail(f, Quote(p.ToString()) + " is a /" + std::to_string(p.length) + "; this must be a /" +
                         std::to_string(required_length) + " (e.g. " + std::string(example) + ")");
  }
  return p;
}

std::string Backticks(const std::string& s) { return "`" + s + "`"; }

// ---- limits ---------------------------------------------------------------

template <Status (*check)(std::string_view), std::string Limits::*member>
Status ReadLimit(Reader& r, const Field& f, Limits& l) {
  FOREST_ASSIGN_OR_RETURN(l.*member, ReadChecked(r, f, check));
  return {};
}

const std::array<Key<Limits>, 4> kLimitKeys = {{
    {.name = "cpu",
     .type = "string",
     .doc = "`limits.cpu`: a CPU count (`\"2\"`) or set (`\"0-3\"`).",
     .read = ReadLimit<CheckCpu, &Limits::cpu>},
    {.name = "memory",
     .type = "size or percentage",
     .doc = "`limits.memory`, e.g. `4GiB` or `50%`.",
     .read = ReadLimit<CheckMemory, &Limits::memory>},
    {.name = "processes",
     .type = "integer",
     .doc = "`limits.processes`, e.g. `2000`.",
     .read = ReadLimit<CheckCount, &Limits::processes>},
    {.name = "disk",
     .type = "size",
     .doc = "Size of the root disk, e.g. `20GiB`.",
     .read = ReadLimit<CheckSize, &Limits::disk>},
}};

// ---- shares ---------------------------------------------------------------

const std::array<Key<Share>, 3> kShareKeys = {{
    {.name = "source",
     .type = "absolute path",
     .doc = "Host folder to share; exactly this folder is visible.",
     .read = [](Reader& r, const Field& f, Share& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.source, ReadChecked(r, f, CheckAbsolutePath));
       if (s.source == "/") {
         return r.Fail(f,
                       "sharing the host's whole filesystem is refused; share a project folder such as "
                       "/srv/project");
       }
       return {};
     },
     .required = true},
    {.name = "path",
     .type = "absolute path",
     .doc = "Where the folder appears inside the node.",
     .read = [](Reader& r, const Field& f, Share& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.path, ReadChecked(r, f, CheckAbsolutePath));
       if (s.path == "/") {
         return r.Fail(f,
                       "a share mounted on / would hide the node's whole filesystem; choose a folder such "
                       "as /workspace");
       }
       return {};
     },
     .required = true},
    {.name = "readonly",
     .type = "boolean",
     .doc = "Mount read-only; set `false` to let the node write.",
     .read = [](Reader& r, const Field& f, Share& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.readonly, ReadBool(r, f));
       return {};
     },
     .show_default = [](const Share& s) { return std::string(s.readonly ? "true" : "false"); }},
}};

// ---- workloads ------------------------------------------------------------

const std::array<Key<Workload>, 4> kWorkloadKeys = {{
    {.name = "name",
     .type = "label",
     .doc = "Instance name; published as `<name>.<node's canonical name>`.",
     .read = [](Reader& r, const Field& f, Workload& w) -> Status {
       FOREST_ASSIGN_OR_RETURN(w.name, ReadLabel(r, f));
       if (IsReservedLabel(w.name)) {
         return r.Fail(f, Quote(w.name) + " is reserved for the helper (" + JoinComma(ReservedLabels()) +
                              "); choose another name");
       }
       return {};
     },
     .required = true},
    {.name = "image",
     .type = "string",
     .doc = "Incus image alias or fingerprint the workload starts from.",
     .read = [](Reader& r, const Field& f, Workload& w) -> Status {
       FOREST_ASSIGN_OR_RETURN(w.image, ReadChecked(r, f, CheckImageName));
       return {};
     },
     .show_default = [](const Workload& w) { return w.image; }},
    {.name = "services",
     .type = "list of label paths",
     .default_text = "none",
     .doc = "Extra service names (`auth`, `api.auth`) published as `<service>.<name>.<node...>.incus`.",
     .read = [](Reader& r, const Field& f, Workload& w) -> Status {
       return ReadList(r, f, "a list of service names", [&](const Field& item) -> Status {
         FOREST_ASSIGN_OR_RETURN(std::string s, ReadChecked(r, item, CheckServicePath));
         for (size_t i = 0; i < w.services.size(); ++i) {
           if (w.services[i] == s) {
             return r.Fail(item,
                           Quote(s) + " is listed twice (also at [" + std::to_string(i) + "]); keep one");
           }
         }
         w.services.push_back(std::move(s));
         return {};
       });
     }},
    {.name = "tls",
     .type = "boolean",
     .doc = "The hosting node gets a certificate for the workload's names (base name and services, "
            "with their aliases) from the forest CA and keeps `cert.pem`, `key.pem` and `root.pem` in "
            "`/etc/forest/tls` inside it, renewed before expiry (as `forest cert issue` does).",
     .read = [](Reader& r, const Field& f, Workload& w) -> Status {
       FOREST_ASSIGN_OR_RETURN(w.tls, ReadBool(r, f));
       return {};
     },
     .show_default = [](const Workload& w) { return std::string(w.tls ? "true" : "false"); }},
}};

// ---- nodes ----------------------------------------------------------------

Status ReadNodes(Reader& r, const Field& f, std::vector<Node>& out, int depth);

const std::array<Key<NodeTarget>, 13> kNodeKeys = {{
    {.name = "name",
     .type = "label",
     .doc = "The node's label; its canonical name is `<name>.<ancestors...>.incus`.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->name, ReadLabel(r, f));
       if (t.depth == 1 && IsReservedLabel(t.node->name)) {
         return r.Fail(f, Quote(t.node->name) + " is reserved for the helper (" +
                              JoinComma(ReservedLabels()) + "); choose another root name");
       }
       return {};
     },
     .required = true},
    {.name = "prefix",
     .type = "IPv6 prefix",
     .default_text = "the first free /20 from `fd00:1000::/20`",
     .doc = "The subtree's delegated prefix; each level below adds one nibble.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->prefix, ReadPrefix(r, f, -1, "fd00:1000::/20"));
       // Nodes take addresses from it: it must be unique-local (fc00::/7) or
       // global unicast (2000::/3), never multicast, link-local, loopback or ::.
       const net::Ipv6Prefix& p = *t.node->prefix;
       uint8_t first = p.address.bytes[0];
       bool ula = (first & 0xfe) == 0xfc, global = (first & 0xe0) == 0x20;
       if (!((ula && p.length >= 7) || (global && p.length >= 3))) {
         return r.Fail(f, p.ToString() +
                              " is not unique-local (fc00::/7) or global unicast (2000::/3); nodes need "
                              "routable addresses: use a prefix under fd00::/8 such as fd00:1000::/20, or "
                              "one your network delegates");
       }
       return {};
     },
     .roots_only = true,
     .non_root_hint = "children get their prefix from the address plan; remove it"},
    {.name = "edge",
     .type = "boolean",
     .doc = "Run DNS64 + NAT64 towards the host's IPv4 in this root.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->edge, ReadBool(r, f));
       return {};
     },
     .roots_only = true,
     .non_root_hint = "children reach IPv4 through their CLAT and the root's edge; remove it",
     .show_default = [](const NodeTarget& t) { return std::string(t.node->edge ? "true" : "false"); }},
    {.name = "slot",
     .type = "integer",
     .default_text = "first free",
     .doc = "Children: 1..15, the nibble of the parent's prefix. Roots: 1..4095, the /128 in "
            "`host.uplink_range`.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       bool root = t.depth == 1;
       FOREST_ASSIGN_OR_RETURN(t.node->slot,
                               ReadInt(r, f, 1, root ? 4095 : 15,
                                       root ? "a root's slot picks its uplink address in host.uplink_range"
                                            : "slot 0 is the parent's local region, so children use 1..15"));
       return {};
     }},
    {.name = "kind",
     .type = "`container` or `vm`",
     .doc = "Instance type of the node.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       if (f.node.IsScalar() && f.node.Scalar() == "container") {
         t.node->kind = NodeKind::kContainer;
       } else if (f.node.IsScalar() && f.node.Scalar() == "vm") {
         t.node->kind = NodeKind::kVm;
       } else {
         return r.Fail(f, "expected container or vm, found " + Describe(f.node));
       }
       return {};
     },
     .show_default =
         [](const NodeTarget& t) { return std::string(t.node->kind == NodeKind::kVm ? "vm" : "container"); }},
    {.name = "limits",
     .type = "map (see `limits`)",
     .default_text = "no limits",
     .doc = "Resource limits; unset ones stay unlimited.",
     .read = [](Reader& r, const Field& f,
                NodeTarget& t) { return ReadMap<Limits>(r, f, kLimitKeys, t.node->limits); }},
    {.name = "shares",
     .type = "list (see `shares[]`)",
     .default_text = "none",
     .doc = "Host folders shared into the node.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       auto& shares = t.node->shares;
       return ReadList(r, f, "a list of shares", [&](const Field& item) -> Status {
         Share s;
         s.pos = r.PosOf(item.mark);
         FOREST_TRY(ReadMap<Share>(r, item, kShareKeys, s));
         for (size_t i = 0; i < shares.size(); ++i) {
           if (shares[i].path == s.path) {
             return r.FailPath(item.path + ".path", Quote(s.path) + " is already the path of shares[" +
                                                        std::to_string(i) +
                                                        "]; give each share its own path");
           }
         }
         shares.push_back(std::move(s));
         return {};
       });
     }},
    {.name = "ssh_agent",
     .type = "boolean",
     .doc = "Relay the host's ssh-agent socket into the node (opt-in).",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->ssh_agent, ReadBool(r, f));
       return {};
     },
     .show_default = [](const NodeTarget& t) { return std::string(t.node->ssh_agent ? "true" : "false"); }},
    {.name = "privileged",
     .type = "boolean",
     .doc = "Run the node privileged: an explicit, logged opt-in; nodes are unprivileged otherwise.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->privileged, ReadBool(r, f));
       return {};
     },
     .show_default = [](const NodeTarget& t) { return std::string(t.node->privileged ? "true" : "false"); }},
    {.name = "hardened",
     .type = "boolean",
     .doc = "Also deny the io_uring, bpf, userfaultfd and keyctl system calls (`security.syscalls.deny`).",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->hardened, ReadBool(r, f));
       return {};
     },
     .show_default = [](const NodeTarget& t) { return std::string(t.node->hardened ? "true" : "false"); }},
    {.name = "image",
     .type = "string",
     .default_text = "forest's node image",
     .doc = "An image alias or fingerprint in the forest's Incus project to create this root from, "
            "such as a jail published by `forest shell image publish`; it must be a forest node image.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.node->image, ReadString(r, f));
       return {};
     },
     .roots_only = true,
     .non_root_hint = "children are created from their parent's node image; remove it"},
    {.name = "workloads",
     .type = "list (see `workloads[]`)",
     .default_text = "none",
     .doc = "Plain containers hosted by this node.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       auto& workloads = t.node->workloads;
       return ReadList(r, f, "a list of workloads", [&](const Field& item) -> Status {
         Workload w;
         w.pos = r.PosOf(item.mark);
         w.path = item.path;
         FOREST_TRY(ReadMap<Workload>(r, item, kWorkloadKeys, w));
         for (size_t i = 0; i < workloads.size(); ++i) {
           if (workloads[i].name == w.name) {
             return r.FailPath(item.path + ".name", Quote(w.name) + " is already the name of workloads[" +
                                                        std::to_string(i) +
                                                        "]; workloads of a node need distinct names");
           }
         }
         workloads.push_back(std::move(w));
         return {};
       });
     }},
    {.name = "children",
     .type = "list of nodes",
     .default_text = "none",
     .doc = "Hierarchy-aware child nodes: the same keys minus roots-only ones.",
     .read = [](Reader& r, const Field& f, NodeTarget& t) -> Status {
       return ReadNodes(r, f, t.node->children, t.depth + 1);
     }},
}};

Status ReadNodes(Reader& r, const Field& f, std::vector<Node>& out, int depth) {
  if (depth > kMaxNodeDepth) {
    return r.Fail(f, "nodes nest more than " + std::to_string(kMaxNodeDepth) +
                         " levels deep; flatten the tree (the address plan allows far fewer levels anyway)");
  }
  return ReadList(r, f, "a list of nodes", [&](const Field& item) -> Status {
    Node n;
    n.pos = r.PosOf(item.mark);
    n.path = item.path;
    n.edge = depth == 1;
    NodeTarget t{&n, depth};
    FOREST_TRY(ReadMap<NodeTarget>(r, item, kNodeKeys, t, depth == 1));
    n.slot_pos = r.PosOf(r.MarkOf(item.path + ".slot"));
    n.children_pos = r.PosOf(r.MarkOf(item.path + ".children"));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].name == n.name) {
        std::string sibling = f.path + "[" + std::to_string(i) + "]";
        return r.FailPath(item.path + ".name", Quote(n.name) + " is already the name of " + sibling +
                                                   "; sibling nodes need distinct names");
      }
    }
    out.push_back(std::move(n));
    return {};
  });
}

// ---- host, helper, top level ---------------------------------------------

const std::array<Key<StorageConfig>, 3> kStorageKeys = {{
    {.name = "driver",
     .type = "btrfs, zfs, lvm or dir",
     .doc = "Incus driver of the pool `up` makes when `storage_pool` does not exist. btrfs and zfs are "
            "copy-on-write (a container is a snapshot of its image); dir unpacks every image again.",
     .read = [](Reader& r, const Field& f, StorageConfig& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.driver, ReadString(r, f));
       if (s.driver != "btrfs" && s.driver != "zfs" && s.driver != "lvm" && s.driver != "dir") {
         return r.Fail(f, "expected btrfs, zfs, lvm or dir, found " + Quote(s.driver));
       }
       s.driver_set = true;
       return {};
     },
     .show_default = [](const StorageConfig& s) { return s.driver; }},
    {.name = "source",
     .type = "absolute path",
     .default_text = "a sparse loop file Incus makes",
     .doc = "A block device, or (btrfs, dir) a folder, for the new pool.",
     .read = [](Reader& r, const Field& f, StorageConfig& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.source, ReadChecked(r, f, CheckAbsolutePath));
       return {};
     }},
    {.name = "size",
     .type = "size",
     .default_text = "Incus's (20% of the free space, 5 to 30 GiB)",
     .doc = "Size of the loop file; it is sparse, so only what is written takes space.",
     .read = [](Reader& r, const Field& f, StorageConfig& s) -> Status {
       FOREST_ASSIGN_OR_RETURN(s.size, ReadChecked(r, f, CheckSize));
       return {};
     }},
}};

const std::array<Key<HostConfig>, 6> kHostKeys = {{
    {.name = "bridge",
     .type = "interface name",
     .doc = "Host bridge carrying the helper and the roots' uplinks.",
     .read = [](Reader& r, const Field& f, HostConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.bridge, ReadChecked(r, f, CheckInterfaceName));
       return {};
     },
     .show_default = [](const HostConfig& h) { return h.bridge; }},
    {.name = "ipv6",
     .type = "IPv6 address/64",
     .doc = "The host's address on the bridge; the bridge's /64 follows from it.",
     .read = [](Reader& r, const Field& f, HostConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(
           h.ipv6, ReadAddress<net::Ipv6Interface>(r, f, "an IPv6 interface address", "fd00:f00d::1/64"));
       if (h.ipv6.length != 64) {
         return r.Fail(f, Quote(h.ipv6.ToString()) + " is on a /" + std::to_string(h.ipv6.length) +
                              "; the bridge carries exactly one /64 (e.g. fd00:f00d::1/64)");
       }
       return {};
     },
     .show_default = [](const HostConfig& h) { return h.ipv6.ToString(); }},
    {.name = "ipv4",
     .type = "IPv4 address/length",
     .doc = "The host's IPv4 on the bridge; NAT64 leaves through it.",
     .read = [](Reader& r, const Field& f, HostConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(
           h.ipv4, ReadAddress<net::Ipv4Interface>(r, f, "an IPv4 interface address", "10.203.0.1/24"));
       return {};
     },
     .show_default = [](const HostConfig& h) { return h.ipv4.ToString(); }},
    {.name = "uplink_range",
     .type = "IPv6 prefix, /64",
     .doc = "Where the roots' routed /128 uplinks come from.",
     .read = [](Reader& r, const Field& f, HostConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.uplink_range, ReadPrefix(r, f, 64, "fd00:f00d:0:1::/64"));
       return {};
     },
     .show_default = [](const HostConfig& h) { return h.uplink_range.ToString(); }},
    {.name = "storage_pool",
     .type = "string",
     .doc = "Incus storage pool for every node's root disk: used as it is when it exists (and never "
            "deleted then), else made as `storage` says and deleted by `down`.",
     .read = [](Reader& r, const Field& f, HostConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.storage_pool, ReadChecked(r, f, CheckPoolName));
       return {};
     },
     .show_default = [](const HostConfig& h) { return h.storage_pool; }},
    {.name = "storage",
     .type = "map (see `host.storage`)",
     .default_text = "a btrfs loop file",
     .doc = "How to make `storage_pool` when it does not exist. Nodes make their own pools the same "
            "way on their own filesystem (btrfs below a btrfs parent, else dir).",
     .read = [](Reader& r, const Field& f,
                HostConfig& h) { return ReadMap<StorageConfig>(r, f, kStorageKeys, h.storage); }},
}};

const std::array<Key<HelperConfig>, 4> kHelperKeys = {{
    {.name = "name",
     .type = "label",
     .doc = "Instance name of the helper container.",
     .read = [](Reader& r, const Field& f, HelperConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.name, ReadLabel(r, f));
       return {};
     },
     .show_default = [](const HelperConfig& h) { return h.name; }},
    {.name = "address",
     .type = "IPv6 address",
     .doc = "The helper's address (DNS, CA); must lie in `host.ipv6`'s /64.",
     .read = [](Reader& r, const Field& f, HelperConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.address,
                               ReadAddress<net::Ipv6Address>(r, f, "an IPv6 address", "fd00:f00d::53"));
       return {};
     },
     .show_default = [](const HelperConfig& h) { return h.address.ToString(); }},
    {.name = "cache",
     .type = "boolean",
     .doc = "Also run the apt and image cache helper.",
     .read = [](Reader& r, const Field& f, HelperConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.cache, ReadBool(r, f));
       return {};
     },
     .show_default = [](const HelperConfig& h) { return std::string(h.cache ? "true" : "false"); }},
    {.name = "cache_address",
     .type = "IPv6 address",
     .doc = "The cache helper's address; must lie in `host.ipv6`'s /64.",
     .read = [](Reader& r, const Field& f, HelperConfig& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.cache_address,
                               ReadAddress<net::Ipv6Address>(r, f, "an IPv6 address", "fd00:f00d::3142"));
       return {};
     },
     .show_default = [](const HelperConfig& h) { return h.cache_address.ToString(); }},
}};

const std::array<Key<Topology>, 7> kTopKeys = {{
    {.name = "version",
     .type = "integer",
     .doc = "Schema version; must be 1.",
     .read = [](Reader& r, const Field& f, Topology&) -> Status {
       if (f.node.IsScalar() && f.node.Tag() == "?" && f.node.Scalar() == "1") return {};
       const bool number = f.node.IsScalar() && f.node.Tag() == "?" && !f.node.Scalar().empty() &&
                           f.node.Scalar().find_first_not_of("0123456789") == std::string::npos;
       if (number) {
         return r.Fail(
             f, "version " + Quote(f.node.Scalar()) + " is not supported; this forest reads version 1");
       }
       return r.Fail(f, "expected the integer 1, found " + Describe(f.node) + "; write version: 1");
     },
     .required = true},
    {.name = "name",
     .type = "label",
     .default_text = "the file's stem, else `forest`",
     .doc = "Forest name; the Incus project is `forest-<name>`.",
     .read = [](Reader& r, const Field& f, Topology& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.name, ReadLabel(r, f));
       return {};
     }},
    {.name = "host",
     .type = "map (see `host`)",
     .default_text = "see `host`",
     .doc = "The outer host's bridge, addresses and storage pool.",
     .read = [](Reader& r, const Field& f,
                Topology& t) { return ReadMap<HostConfig>(r, f, kHostKeys, t.host); }},
    {.name = "helper",
     .type = "map (see `helper`)",
     .default_text = "see `helper`",
     .doc = "The helper container (DNS for `.incus`, CA broker).",
     .read = [](Reader& r, const Field& f,
                Topology& t) { return ReadMap<HelperConfig>(r, f, kHelperKeys, t.helper); }},
    {.name = "nat64_prefix",
     .type = "IPv6 prefix, /96",
     .doc = "DNS64/NAT64 prefix; use a ULA such as `fd00:6464::/96` when private IPv4 matters.",
     .read = [](Reader& r, const Field& f, Topology& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(t.nat64_prefix, ReadPrefix(r, f, 96, "fd00:6464::/96"));
       return {};
     },
     .show_default = [](const Topology& t) { return t.nat64_prefix.ToString(); }},
    {.name = "dns64_upstream",
     .type = "IP address",
     .default_text = "host.ipv4's address",
     .doc = "Where the edge's DNS64 resolver sends queries outside `.incus` (default: Incus's dnsmasq on the host bridge, which asks the host's resolvers).",
     .read = [](Reader& r, const Field& f, Topology& t) -> Status {
       FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
       unsigned char buf[16];
       if (s.size() > 45 || (::inet_pton(AF_INET, s.c_str(), buf) != 1 && ::inet_pton(AF_INET6, s.c_str(), buf) != 1)) {
         return r.Fail(f, Quote(s) + " is not an IPv4 or IPv6 address (e.g. 198.51.100.53)");
       }
       t.dns64_upstream = s;
       return {};
     },
     .show_default = [](const Topology& t) { return t.dns64_upstream.empty() ? t.host.ipv4.AddressString() : t.dns64_upstream; }},
    {.name = "roots",
     .type = "list of nodes",
     .doc = "The root nodes, each on the host bridge; at least one.",
     .read = [](Reader& r, const Field& f, Topology& t) -> Status {
       if (f.node.IsSequence() && f.node.size() == 0) {
         return r.Fail(f, "the list is empty; declare at least one root node (- name: c0)");
       }
       return ReadNodes(r, f, t.roots, 1);
     },
     .required = true},
}};

// ---- reference ------------------------------------------------------------

template <typename T>
void RenderSection(std::string& out, std::string_view title, std::string_view intro,
                   std::span<const Key<T>> keys, const T& defaults) {
  out += "### " + std::string(title) + "\n\n";
  if (!intro.empty()) out += std::string(intro) + "\n\n";
  out += "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& k : keys) {
    std::string def = k.required               ? std::string("required")
                      : k.show_default         ? Backticks(k.show_default(defaults))
                      : k.default_text.empty() ? std::string("unset")
                                               : std::string(k.default_text);
    std::string doc = (k.roots_only ? "Roots only. " : "") + std::string(k.doc);
    out += "| `" + std::string(k.name) + "` | " + std::string(k.type) + " | " + def + " | " + doc + " |\n";
  }
  out += "\n";
}

}  // namespace

Status ReadTopology(Reader& r, const Field& document, Topology& t) {
  return ReadMap<Topology>(r, document, kTopKeys, t);
}

}  // namespace forest::topology::internal

namespace forest::topology {

std::string KeysReference() {
  using namespace internal;
  Topology d = Defaults();
  Node node;
  NodeTarget node_defaults{&node, 1};
  std::string out;
  RenderSection<Topology>(out, "Top level", "", kTopKeys, d);
  RenderSection<HostConfig>(out, "`host`", "", kHostKeys, d.host);
  RenderSection<StorageConfig>(out, "`host.storage`", "", kStorageKeys, d.host.storage);
  RenderSection<HelperConfig>(out, "`helper`", "", kHelperKeys, d.helper);
  RenderSection<NodeTarget>(
      out, "Nodes: `roots[]` and `children[]`",
      "Every entry of `roots` and of a node's `children` is a node. Children take the same "
      "keys except the roots-only ones.",
      kNodeKeys, node_defaults);
  RenderSection<Limits>(out, "`limits`", "Values are passed to Incus as written.", kLimitKeys, Limits{});
  RenderSection<Share>(out, "`shares[]`", "", kShareKeys, Share{});
  RenderSection<Workload>(out, "`workloads[]`", "", kWorkloadKeys, Workload{});
  out.pop_back();  // one trailing newline
  return out;
}

}  // namespace forest::topology
