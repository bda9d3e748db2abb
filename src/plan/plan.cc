#include "plan/plan.h"

#include <algorithm>
#include <set>

namespace forest::plan {
namespace {

using topology::Node;
using topology::Topology;

// `<file>:<line>:<column>: <key path>: ` (docs/topology.md), for an error at
// `pos` about the key at `path`; parts that are unknown are left out.
std::string Where(const Topology& t, const topology::SourcePos& pos, const std::string& path = "") {
  std::string out;
  if (pos.line > 0) {
    out = t.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
  } else if (!t.file.empty()) {
    out = t.file + ": ";
  }
  if (!path.empty()) out += path + ": ";
  return out;
}

// Where a node's key was written, or the node itself when it was not.
topology::SourcePos KeyPos(const Node& n, const topology::SourcePos& key) {
  return key.line > 0 ? key : n.pos;
}
std::string KeyPath(const std::string& node_path, const char* key) {
  return node_path.empty() ? "" : node_path + "." + key;
}

std::string Canonical(const std::string& label, const std::vector<std::string>& ancestors) {
  std::string out = label;
  for (const auto& a : ancestors) out += "." + a;
  return out + ".incus";
}

// Assigns slots to `nodes` (siblings): explicit, then remembered, then first free.
Result<std::vector<int>> AssignSlots(const Topology& t, const std::vector<Node>& nodes,
                                     const std::vector<std::string>& canonical, const SlotMemory& previous,
                                     int max_slot, const std::string& parent_name) {
  std::vector<int> slots(nodes.size(), 0);
  std::map<int, size_t> taken;  // slot → index
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].slot) continue;
    int s = *nodes[i].slot;
    if (s < 1 || s > max_slot) {
      return MakeError(Where(t, KeyPos(nodes[i], nodes[i].slot_pos), KeyPath(nodes[i].path, "slot")) +
                       nodes[i].name + ": slot " + std::to_string(s) + " is out of range 1.." +
                       std::to_string(max_slot) + "; pick one in that range or leave slot out");
    }
    if (auto it = taken.find(s); it != taken.end()) {
      const Node& other = nodes[it->second];
      return MakeError(Where(t, KeyPos(nodes[i], nodes[i].slot_pos), KeyPath(nodes[i].path, "slot")) +
                       nodes[i].name + ": slot " + std::to_string(s) + " of " + parent_name +
                       " is already given to " + other.name +
                       (other.path.empty() ? "" : " (" + other.path + ")") +
                       "; pick another slot, or leave slot out to get the first free one");
    }
    taken[s] = i;
    slots[i] = s;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].slot) continue;
    auto it = previous.find(canonical[i]);
    if (it == previous.end() || it->second < 1 || it->second > max_slot) continue;
    if (auto held = taken.find(it->second); held != taken.end()) {
      const Node& other = nodes[held->second];
      return MakeError(
          Where(t, KeyPos(other, other.slot_pos), KeyPath(other.path, "slot")) + other.name + ": slot " +
          std::to_string(it->second) + " of " + parent_name + " is held by " + nodes[i].name +
          " since an earlier run (a child keeps its slot for life); pick another slot or remove " +
          nodes[i].name + " first");
    }
    taken[it->second] = i;
    slots[i] = it->second;
  }
  int next = 1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (slots[i] != 0) continue;
    while (taken.count(next)) ++next;
    if (next > max_slot) {
      return MakeError(
          Where(t, nodes[i].pos, nodes[i].path) + parent_name + " already has " + std::to_string(max_slot) +
          " hierarchy-aware children (slots 1.." + std::to_string(max_slot) + "); " + nodes[i].name +
          " cannot get a slot. A node holds at most " + std::to_string(max_slot) + " child nodes: move " +
          nodes[i].name + " under another node, or make it a workload of " + parent_name +
          " (workloads take no slot)");
    }
    taken[next] = i;
    slots[i] = next;
  }
  return slots;
}

struct Builder {
  const Topology& t;
  const SlotMemory& previous;
  Plan plan;
  std::set<std::string> names;

  Status AddNode(const Node& n, const NodePlan* parent, int slot, const net::Ipv6Prefix& prefix,
                 const net::Ipv6Address& uplink, const net::Ipv6Address& clat) {
    NodePlan np;
    np.label = n.name;
    np.depth = parent ? parent->depth + 1 : 0;
    if (parent) {
      np.ancestors.push_back(parent->label);
      np.ancestors.insert(np.ancestors.end(), parent->ancestors.begin(), parent->ancestors.end());
      np.parent_canonical = parent->canonical_name;
    }
    np.canonical_name = Canonical(n.name, np.ancestors);
    if (!names.insert(np.canonical_name).second) {
      return MakeError(Where(t, n.pos, KeyPath(n.path, "name")) + "two nodes are named " + np.canonical_name +
                       "; names must be unique among siblings");
    }
    np.slot = slot;
    np.prefix = prefix;
    if (prefix.length + 4 > 63) {
      return MakeError(
          Where(t, n.pos, n.path) + np.canonical_name + " at depth " + std::to_string(np.depth) +
          " would get " + prefix.ToString() +
          ", which leaves no room for its LAN and uplink /64s (the tree is too deep for the root "
          "prefix; give the root a shorter prefix or flatten the tree)");
    }
    np.local_region = *prefix.Subnet(prefix.length + 4, 0);
    np.lan = *np.local_region.Subnet(64, 0);
    np.node_address = np.lan.Host(1);
    np.uplink_range = *np.local_region.Subnet(64, 1);
    np.uplink = uplink;
    np.clat_uplink = clat;
    np.edge = parent == nullptr && n.edge;
    np.max_children = prefix.length + 8 <= 63 ? kMaxChildren : 0;
    np.node = &n;
    if (!n.children.empty() && np.max_children == 0) {
      return MakeError(
          Where(t, KeyPos(n, n.children_pos), KeyPath(n.path, "children")) + np.canonical_name + " (" +
          prefix.ToString() + ") is too deep to have hierarchy-aware children: a child would get a /" +
          std::to_string(prefix.length + 4) +
          " with no room for its /64s; move them up to a shallower node, make them workloads, or give "
          "the root a shorter prefix (each level takes 4 bits; the root's /" +
          std::to_string(prefix.length - 4 * np.depth) + " allows " +
          std::to_string((59 - (prefix.length - 4 * np.depth)) / 4 + 1) + " levels)");
    }
    plan.nodes.push_back(np);
    size_t self_index = plan.nodes.size() - 1;

    // Workloads.
    std::set<std::string> local;
    for (const auto& c : n.children) local.insert(c.name);
    std::set<std::string> seen;
    for (const auto& w : n.workloads) {
      if (!seen.insert(w.name).second) {
        return MakeError(Where(t, w.pos, KeyPath(w.path, "name")) + "workload " + w.name +
                         " appears twice on " + np.canonical_name + "; rename one of them");
      }
      if (local.count(w.name)) {
        return MakeError(Where(t, w.pos, KeyPath(w.path, "name")) + "workload " + w.name + " on " +
                         np.canonical_name + " has the name of a child node; rename one of them");
      }
      WorkloadPlan wp;
      wp.name = w.name;
      wp.host_canonical = np.canonical_name;
      wp.canonical_name = w.name + "." + np.canonical_name;
      for (const auto& s : w.services) wp.service_names.push_back(s + "." + wp.canonical_name);
      std::sort(wp.service_names.begin(), wp.service_names.end());
      wp.lan = np.lan;
      plan.workloads.push_back(wp);
    }

    // Children.
    std::vector<std::string> child_ancestors{np.label};
    child_ancestors.insert(child_ancestors.end(), np.ancestors.begin(), np.ancestors.end());
    std::vector<std::string> canon;
    for (const auto& c : n.children) canon.push_back(Canonical(c.name, child_ancestors));
    FOREST_ASSIGN_OR_RETURN(auto slots, AssignSlots(t, n.children, canon, previous, kMaxChildren, np.canonical_name));
    const NodePlan self = plan.nodes[self_index];  // a copy: plan.nodes grows below
    for (size_t i = 0; i < n.children.size(); ++i) {
      auto slot = static_cast<uint64_t>(slots[i]);
      auto child_prefix = prefix.Subnet(prefix.length + 4, slot);
      if (!child_prefix.ok())
        return child_prefix.error().Wrap(Where(t, n.children[i].pos, n.children[i].path) +
                                         n.children[i].name);
      FOREST_TRY(AddNode(n.children[i], &self, slots[i], *child_prefix, self.uplink_range.Host(slot),
                         self.uplink_range.Host(0xc1a70000u + slot)));
    }
    return {};
  }
};

Status CheckApart(const Topology& t, const topology::SourcePos& pos, const std::string& a_what,
                  const net::Ipv6Prefix& a, const std::string& b_what, const net::Ipv6Prefix& b) {
  if (!a.Overlaps(b)) return {};
  return MakeError(Where(t, pos) + a_what + " " + a.ToString() + " overlaps " + b_what + " " + b.ToString() +
                   "; give one of them a disjoint prefix");
}

}  // namespace

net::Ipv4Interface LanIpv4() { return *net::Ipv4Interface::Parse("10.203.254.1/24"); }

net::Ipv6Prefix DefaultRootPrefix() { return *net::Ipv6Prefix::Parse("fd00:1000::/20"); }

Result<Plan> MakePlan(const Topology& t, const SlotMemory& previous) {
  Builder b{t, previous, {}, {}};
  b.plan.host_bridge = t.host.ipv6;
  b.plan.host_uplink_range = t.host.uplink_range;
  b.plan.helper_address = t.helper.address;
  b.plan.nat64_prefix = t.nat64_prefix;
  b.plan.host_ipv4 = t.host.ipv4;
  b.plan.dns64_upstream = t.dns64_upstream.empty() ? t.host.ipv4.AddressString() : t.dns64_upstream;
  const net::Ipv6Prefix bridge = t.host.ipv6.Network();
  FOREST_TRY(CheckApart(t, {}, "the host uplink range", t.host.uplink_range, "the host bridge", bridge));
  FOREST_TRY(CheckApart(t, {}, "the NAT64 prefix", t.nat64_prefix, "the host bridge", bridge));
  FOREST_TRY(CheckApart(t, {}, "the NAT64 prefix", t.nat64_prefix, "the host uplink range", t.host.uplink_range));

  // Root prefixes: explicit ones first, then the next free /20s for the rest.
  std::vector<net::Ipv6Prefix> prefixes(t.roots.size());
  std::vector<bool> have(t.roots.size(), false);
  for (size_t i = 0; i < t.roots.size(); ++i) {
    if (!t.roots[i].prefix) continue;
    prefixes[i] = *t.roots[i].prefix;
    have[i] = true;
    if (prefixes[i].length % kNibble != 0) {
      return MakeError(Where(t, t.roots[i].pos, KeyPath(t.roots[i].path, "prefix")) + t.roots[i].name +
                       ": prefix " + prefixes[i].ToString() +
                       " is not on a nibble boundary; use a length that is a multiple of 4 (e.g. /20)");
    }
  }
  uint64_t next = 1;
  net::Ipv6Prefix base = *net::Ipv6Prefix::Parse("fd00::/16");
  for (size_t i = 0; i < t.roots.size(); ++i) {
    if (have[i]) continue;
    for (;; ++next) {
      if (next >= 16)
        return MakeError(Where(t, t.roots[i].pos, t.roots[i].path) + t.roots[i].name +
                         ": no free default /20 left; give it a prefix (" +
                         KeyPath(t.roots[i].path.empty() ? "roots[]" : t.roots[i].path, "prefix") +
                         ", e.g. fd00:9000::/20)");
      net::Ipv6Prefix cand = *base.Subnet(20, next);
      bool clash = false;
      for (size_t j = 0; j < t.roots.size(); ++j) clash |= have[j] && prefixes[j].Overlaps(cand);
      clash |= cand.Overlaps(bridge) || cand.Overlaps(t.host.uplink_range) || cand.Overlaps(t.nat64_prefix);
      if (!clash) break;
    }
    prefixes[i] = *base.Subnet(20, next++);
    have[i] = true;
  }
  for (size_t i = 0; i < t.roots.size(); ++i) {
    const Node& r = t.roots[i];
    std::string who = "root " + r.name + "'s prefix";
    if (naming::IsReservedLabel(r.name)) {
      return MakeError(Where(t, r.pos, KeyPath(r.path, "name")) + r.name +
                       " is a reserved helper name; choose another root name");
    }
    FOREST_TRY(CheckApart(t, r.pos, who, prefixes[i], "the host bridge", bridge));
    FOREST_TRY(CheckApart(t, r.pos, who, prefixes[i], "the host uplink range", t.host.uplink_range));
    FOREST_TRY(CheckApart(t, r.pos, who, prefixes[i], "the NAT64 prefix", t.nat64_prefix));
    for (size_t j = 0; j < i; ++j) {
      FOREST_TRY(CheckApart(t, r.pos, who, prefixes[i], "root " + t.roots[j].name + "'s prefix", prefixes[j]));
    }
  }
  std::vector<std::string> canon;
  for (const auto& r : t.roots) canon.push_back(r.name + ".incus");
  FOREST_ASSIGN_OR_RETURN(auto slots, AssignSlots(t, t.roots, canon, previous, 4095, "the host"));
  for (size_t i = 0; i < t.roots.size(); ++i) {
    auto uplink = t.host.uplink_range.Host(static_cast<uint64_t>(slots[i]));
    FOREST_TRY(b.AddNode(t.roots[i], nullptr, slots[i], prefixes[i], uplink, uplink));
  }
  // Edge roots: IPv4 on the host bridge, the addresses after the host's.
  uint32_t edges = 0;
  for (auto& n : b.plan.nodes) {
    if (!n.edge) continue;
    auto a = t.host.ipv4.Offset(++edges);
    if (!a) {
      return MakeError(Where(t, n.node->pos) + n.canonical_name + " needs an IPv4 address on the host bridge after " +
                       t.host.ipv4.ToString() + " and none is left; give host.ipv4 a lower address or a larger network");
    }
    n.egress_ipv4 = *a;
  }
  if (t.host.ipv4.Overlaps(LanIpv4())) {
    return MakeError(Where(t, {}) + "host.ipv4 " + t.host.ipv4.ToString() + " overlaps " + LanIpv4().NetworkString() +
                     ", the IPv4 subnet of every node's LAN; choose another host.ipv4");
  }
  return std::move(b.plan);
}

const NodePlan* Plan::FindNode(std::string_view canonical_name) const {
  for (const auto& n : nodes)
    if (n.canonical_name == canonical_name) return &n;
  return nullptr;
}

std::vector<Route> Plan::RoutesAt(std::string_view parent_canonical) const {
  std::vector<Route> out;
  for (const auto& n : nodes) {
    if (n.parent_canonical == parent_canonical) out.push_back({n.prefix, n.uplink, n.canonical_name});
  }
  return out;
}

std::map<std::string, int> Plan::Slots() const {
  std::map<std::string, int> out;
  for (const auto& n : nodes) out[n.canonical_name] = n.slot;
  return out;
}

std::vector<naming::ObjectName> PlanObjects(const Plan& plan) {
  std::vector<naming::ObjectName> out;
  for (const auto& n : plan.nodes) out.push_back({{n.label}, n.ancestors});
  for (const auto& w : plan.workloads) {
    const NodePlan* host = plan.FindNode(w.host_canonical);
    std::vector<std::string> chain{host->label};
    chain.insert(chain.end(), host->ancestors.begin(), host->ancestors.end());
    out.push_back({{w.name}, chain});
    for (const auto& s : w.service_names) {
      std::string path = s.substr(0, s.size() - w.canonical_name.size() - 1);
      std::vector<std::string> labels;
      size_t start = 0;
      for (;;) {
        size_t dot = path.find('.', start);
        labels.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      labels.push_back(w.name);
      out.push_back({labels, chain});
    }
  }
  return out;
}

}  // namespace forest::plan
