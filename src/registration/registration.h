// Registration payloads (DESIGN.md, Upward publication): schema-1 parse and
// canonical serialisation, the parent-side validation, the idempotent merge
// and the helper's forest view. Pure.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "naming/names.h"
#include "net/ip.h"

namespace forest::registration {

inline constexpr int kSchema = 1;

struct Record {
  std::string name;
  net::Ipv6Address address;
  auto operator<=>(const Record&) const = default;
};

struct Route {
  net::Ipv6Prefix subtree;
  net::Ipv6Address next_hop;
  bool ready = false;
  std::string uplink_interface = "eth0";
  auto operator<=>(const Route&) const = default;
};

// A node below the exporting node, with the route its parent installed.
// (Extension of schema 1, optional on input: lets the helper map uplinks and
// prefixes of every node to its canonical name.)
struct Descendant {
  std::string name;  // canonical node name
  Route route;
  auto operator<=>(const Descendant&) const = default;
};

struct Export {
  int schema = kSchema;
  std::string source_node;               // label of the exporting node
  std::vector<Record> records;           // sorted, unique after Normalize/Merge
  Route route;                           // the exporting node's own delegation
  std::vector<Descendant> descendants;   // sorted by name, unique
  auto operator<=>(const Export&) const = default;
};

struct Limits {
  size_t max_bytes = 32u << 20;
  size_t max_records = 250000;
  size_t max_descendants = 65536;
};

// Parses a payload. Rejects oversize input, non-JSON, wrong schema, missing or
// mistyped fields, invalid names and addresses, with the field in the message
// (`records[3].address: "x" is not an IPv6 address`).
Result<Export> Parse(std::string_view json, const Limits& limits = {});

// Canonical JSON: sorted keys, records and descendants sorted and unique, one
// trailing newline. Same Export → byte-identical text.
std::string Serialize(const Export& e);

// Sorts and de-duplicates records and descendants.
void Normalize(Export& e);

// What a parent delegated to one direct child.
struct Delegation {
  std::string child_label;       // "c0-2-1"
  std::string child_canonical;   // "c0-2-1.c0-2.c0.incus"
  net::Ipv6Prefix subtree;       // fd00:1110::/28
  net::Ipv6Address uplink;       // fd00:1100:0:1::1
};

// Parent-side check of a child's export; the export is accepted or rejected
// whole. The error names the first offending field and why.
Status ValidateChildExport(const Export& e, const Delegation& d);

struct ChildExport {
  Delegation delegation;
  Export exported;  // last valid export of this child
};

// own records ∪ children's exports; the children themselves and their
// descendants become this node's descendants. Sorted and de-duplicated:
// idempotent and independent of child order.
Export Merge(std::string_view self_label, const std::vector<Record>& own_records, const Route& own_route,
             const std::vector<ChildExport>& children);

struct ViewNode {
  std::string canonical_name;
  Route route;  // subtree and uplink (next_hop)
};

// The helper's merged view of one or more roots.
class ForestView {
 public:
  // `root_exports`: each root's export. A root's canonical name is
  // source_node + ".incus". Helper records (reserved names) are added here.
  // A root speaks only for its own subtree: records outside <root>.incus or
  // its prefix, records with reserved names, descendants not under it (name,
  // subtree, next hop) and roots with a reserved label are left out.
  // O(n log n) in the records.
  static ForestView Build(const std::vector<Export>& root_exports, const std::vector<Record>& helper_records);

  // Addresses answering `name` (canonical or published alias), sorted.
  // Case-insensitive; a trailing dot is allowed.
  std::vector<net::Ipv6Address> Lookup(std::string_view name) const;
  // True when some name is at or under `name` (for NODATA vs NXDOMAIN).
  bool HasNameAtOrUnder(std::string_view name) const;
  // Canonical node whose uplink or node record address equals `source`, or
  // whose subtree contains it most specifically; nullopt for unknown callers
  // and for addresses (or most specific subtrees) that two nodes claim.
  std::optional<std::string> NodeForSource(const net::Ipv6Address& source) const;
  // Only the exact part of NodeForSource: the node whose uplink or node
  // record address is `source` (the CA's caller identity; an address that is
  // merely inside a node's subtree, a workload's say, is nobody).
  std::optional<std::string> NodeWithAddress(const net::Ipv6Address& source) const;

  const std::map<std::string, std::vector<net::Ipv6Address>>& canonical() const { return canonical_; }
  const naming::AliasTable& aliases() const { return aliases_; }
  const std::map<std::string, ViewNode>& nodes() const { return nodes_; }
  // The object for a canonical name (label path + chain), if known.
  std::optional<naming::ObjectName> ObjectFor(std::string_view canonical_name) const;
  // The nodes that have `name` as their canonical name or as one of their
  // alias candidates (published or not), sorted; usually none or one.
  std::vector<std::string> NodesClaiming(std::string_view name) const;
  // The node hosting `name`: the longest node name at or above it, if any.
  std::optional<std::string> NodeHosting(std::string_view name) const;
  // Nodes win over services: a service's alias candidate that is a node's
  // canonical name or alias candidate, that node lying outside the service's
  // own subtree (its hosting node's), takes no part in the alias rule, so a
  // descendant cannot make an ancestor's alias ambiguous. One line per
  // candidate held back, with the reason, sorted (the helper logs them).
  const std::vector<std::string>& held_back() const { return held_back_; }

 private:
  std::map<std::string, std::vector<net::Ipv6Address>> canonical_;  // canonical name → addresses
  std::map<std::string, ViewNode> nodes_;                           // canonical node name → node
  std::map<std::string, naming::ObjectName> objects_;
  naming::AliasTable aliases_;
  std::map<std::string, std::vector<std::string>> node_claims_;  // name → nodes claiming it
  std::vector<std::string> held_back_;
  // Every answerable name (canonical and alias) with its characters reversed,
  // sorted: the names at or under X are a contiguous run starting at rev(X).
  std::vector<std::string> reversed_names_;
  // Node uplinks and node record addresses → canonical node name ("" when
  // two nodes claim the same address: such a caller is nobody).
  std::map<net::Ipv6Address, std::string> source_exact_;
  // Node subtrees → canonical node name, and the prefix lengths in use.
  std::map<net::Ipv6Prefix, std::string> source_subtree_;
  std::vector<int> subtree_lengths_;  // longest first
};

}  // namespace forest::registration
