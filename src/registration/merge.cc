// The parent side of upward publication: validating a child's export against
// what was delegated to it, and merging valid exports into this node's own.
#include <algorithm>
#include <utility>

#include "registration/registration.h"

namespace forest::registration {
namespace {

std::string Index(const char* field, size_t i) { return std::string(field) + "[" + std::to_string(i) + "]"; }

Error Reject(const std::string& field, const std::string& why) { return MakeError(field + ": " + why); }

std::string DelegatedPrefix(const Delegation& d) {
  return d.subtree.ToString() + ", the prefix delegated to " + d.child_canonical;
}

Status CheckRecords(const Export& e, const Delegation& d) {
  for (size_t i = 0; i < e.records.size(); ++i) {
    const Record& r = e.records[i];
    std::string at = Index("records", i);
    if (auto s = naming::ValidateName(r.name); !s.ok()) return s.error().Wrap(at + ".name");
    if (!naming::IsAtOrUnder(r.name, d.child_canonical)) {
      return Reject(at + ".name", naming::QuoteUntrusted(r.name) + " is neither " + d.child_canonical +
                                      " nor a name under it");
    }
    if (!d.subtree.Contains(r.address)) {
      return Reject(at + ".address",
                    r.address.ToString() + " (for " + r.name + ") is outside " + DelegatedPrefix(d));
    }
  }
  return {};
}

Status CheckDescendants(const Export& e, const Delegation& d) {
  std::map<std::string_view, const Route*> seen;
  std::map<net::Ipv6Prefix, std::string_view> subtrees;
  std::map<net::Ipv6Address, std::string_view> next_hops;
  for (size_t i = 0; i < e.descendants.size(); ++i) {
    const Descendant& x = e.descendants[i];
    std::string at = Index("descendants", i);
    if (auto s = naming::ValidateName(x.name); !s.ok()) return s.error().Wrap(at + ".name");
    if (x.name == d.child_canonical || !naming::IsAtOrUnder(x.name, d.child_canonical)) {
      return Reject(at + ".name",
                    naming::QuoteUntrusted(x.name) + " is not a node under " + d.child_canonical);
    }
    // A descendant's subtree is delegated out of the child's, so it is
    // strictly smaller.
    if (!d.subtree.Contains(x.route.subtree) || x.route.subtree.length <= d.subtree.length) {
      return Reject(at + ".route.subtree",
                    x.route.subtree.ToString() + " (for " + x.name + ") is not inside " + DelegatedPrefix(d));
    }
    if (!d.subtree.Contains(x.route.next_hop)) {
      return Reject(at + ".route.next_hop",
                    x.route.next_hop.ToString() + " (for " + x.name + ") is outside " + DelegatedPrefix(d));
    }
    auto [it, inserted] = seen.emplace(x.name, &x.route);
    if (!inserted) {
      if (*it->second == x.route) continue;  // an exact duplicate is harmless
      return Reject(at + ".name", x.name + " is listed twice with different routes");
    }
    // Two nodes never share a subtree or an uplink: either would make the
    // helper's caller identity ambiguous.
    if (auto [p, fresh] = subtrees.emplace(x.route.subtree, x.name); !fresh) {
      return Reject(at + ".route.subtree", x.route.subtree.ToString() + " (for " + x.name + ") is already " +
                                               std::string(p->second) + "'s subtree");
    }
    if (auto [h, fresh] = next_hops.emplace(x.route.next_hop, x.name); !fresh) {
      return Reject(at + ".route.next_hop", x.route.next_hop.ToString() + " (for " + x.name +
                                                ") is already " + std::string(h->second) + "'s uplink");
    }
  }
  return {};
}

}  // namespace

Status ValidateChildExport(const Export& e, const Delegation& d) {
  const std::string speak = "this forestd speaks schema " + std::to_string(kSchema);
  if (e.schema != kSchema)
    return Reject("schema", "schema " + std::to_string(e.schema) + " is not supported; " + speak);
  if (e.source_node != d.child_label) {
    return Reject("source_node", naming::QuoteUntrusted(e.source_node) + " is not " + d.child_label +
                                     ", the child " + d.child_canonical + " this export was taken from");
  }
  if (e.route.subtree != d.subtree) {
    return Reject("route.subtree", e.route.subtree.ToString() + " is not " + DelegatedPrefix(d));
  }
  if (e.route.next_hop != d.uplink) {
    return Reject("route.next_hop", e.route.next_hop.ToString() + " is not " + d.uplink.ToString() +
                                        ", the uplink delegated to " + d.child_canonical);
  }
  FOREST_TRY(CheckRecords(e, d));
  FOREST_TRY(CheckDescendants(e, d));
  return {};
}

Export Merge(std::string_view self_label, const std::vector<Record>& own_records, const Route& own_route,
             const std::vector<ChildExport>& children) {
  Export out;
  out.schema = kSchema;
  out.source_node = std::string(self_label);
  out.route = own_route;
  size_t records = own_records.size();
  size_t descendants = 0;
  for (const auto& c : children) {
    records += c.exported.records.size();
    descendants += 1 + c.exported.descendants.size();
  }
  out.records.reserve(records);
  out.descendants.reserve(descendants);
  out.records.insert(out.records.end(), own_records.begin(), own_records.end());
  for (const auto& c : children) {
    out.records.insert(out.records.end(), c.exported.records.begin(), c.exported.records.end());
    out.descendants.push_back({c.delegation.child_canonical, c.exported.route});
    out.descendants.insert(out.descendants.end(), c.exported.descendants.begin(),
                           c.exported.descendants.end());
  }
  Normalize(out);
  return out;
}

}  // namespace forest::registration
