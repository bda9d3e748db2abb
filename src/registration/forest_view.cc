// The helper's merged view of the forest: every canonical name with its
// addresses, the objects behind them, the published aliases and the map from
// a caller's source address to its node.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <unordered_set>
#include <utility>

#include "registration/registration.h"

namespace forest::registration {
namespace {

const std::string kDotZone = "." + std::string(naming::kZone);

std::string Reversed(std::string_view s) { return std::string(s.rbegin(), s.rend()); }

// Labels of a name without the zone: "a.b.incus" → {"a","b"}.
std::vector<std::string> LabelsBeforeZone(std::string_view name) {
  std::vector<std::string> labels = naming::SplitLabels(name);
  if (!labels.empty()) labels.pop_back();
  return labels;
}

net::Ipv6Prefix Truncate(const net::Ipv6Address& a, int length) {
  net::Ipv6Prefix p;
  p.length = length;
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(length - 8 * i, 0, 8);
    p.address.bytes[i] = static_cast<uint8_t>(keep == 0 ? 0 : a.bytes[i] & (0xff << (8 - keep)));
  }
  return p;
}

// Adds `key → value`; a key claimed twice with different values maps to ""
// (ambiguous), so that no caller is identified by a contested address.
template <typename Key>
void Claim(std::map<Key, std::string>& index, const Key& key, const std::string& value) {
  auto [it, inserted] = index.emplace(key, value);
  if (!inserted && it->second != value) it->second.clear();
}

// The longest node name at or above `name`, if any; `sorted_nodes` is sorted.
const std::string* HostingNode(std::string_view name, const std::vector<std::string>& sorted_nodes) {
  for (size_t pos = 0;;) {
    std::string_view suffix = name.substr(pos);
    auto it =
        std::lower_bound(sorted_nodes.begin(), sorted_nodes.end(), suffix,
                         [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
    if (it != sorted_nodes.end() && *it == suffix) return &*it;
    size_t dot = name.find('.', pos);
    if (dot == std::string_view::npos) return nullptr;
    pos = dot + 1;
  }
}

}  // namespace

ForestView ForestView::Build(const std::vector<Export>& root_exports,
                             const std::vector<Record>& helper_records) {
  ForestView v;

  // Nodes: each root and what it lists below itself. A root can only speak
  // for names under its own canonical name and addresses in its own prefix
  // (the checks a parent makes, repeated for the top); reserved labels are
  // the helper's.
  std::vector<std::pair<std::string, net::Ipv6Address>> records;
  for (const Export& e : root_exports) {
    if (!naming::ValidateLabel(e.source_node).ok() || naming::IsReservedLabel(e.source_node)) continue;
    std::string root = e.source_node + kDotZone;
    auto add_node = [&v](const std::string& name, const Route& route) {
      auto [it, inserted] = v.nodes_.emplace(name, ViewNode{name, route});
      if (!inserted) it->second.route = std::min(it->second.route, route);  // order-independent
    };
    const net::Ipv6Prefix& subtree = e.route.subtree;
    add_node(root, e.route);
    for (const Descendant& d : e.descendants) {
      bool inside = subtree.Contains(d.route.subtree) && d.route.subtree.length > subtree.length &&
                    subtree.Contains(d.route.next_hop);
      if (inside && d.name != root && naming::IsAtOrUnder(d.name, root)) add_node(d.name, d.route);
    }
    for (const Record& r : e.records) {
      if (subtree.Contains(r.address) && !naming::IsReservedName(r.name) &&
          naming::IsAtOrUnder(r.name, root)) {
        records.emplace_back(r.name, r.address);
      }
    }
  }
  std::vector<std::string> helper_names;
  for (const Record& r : helper_records) {
    records.emplace_back(r.name, r.address);
    helper_names.push_back(r.name);
  }
  std::sort(helper_names.begin(), helper_names.end());

  // Canonical names: sorted once, then appended in order.
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  for (auto& [name, address] : records) {
    if (v.canonical_.empty() || v.canonical_.rbegin()->first != name) {
      v.canonical_.emplace_hint(v.canonical_.end(), std::move(name), std::vector<net::Ipv6Address>{});
    }
    v.canonical_.rbegin()->second.push_back(address);
  }
  records = {};

  // Objects: where the label path ends and the node chain starts.
  std::vector<std::string> node_names;
  node_names.reserve(v.nodes_.size());
  for (const auto& [name, node] : v.nodes_) node_names.push_back(name);
  std::vector<naming::ObjectName> objects;
  std::vector<const std::string*> object_names;
  objects.reserve(v.canonical_.size());
  object_names.reserve(v.canonical_.size());
  for (const auto& [name, addresses] : v.canonical_) {
    naming::ObjectName o;
    std::vector<std::string> labels = LabelsBeforeZone(name);
    if (std::binary_search(helper_names.begin(), helper_names.end(), name)) {
      o.label_path = std::move(labels);
    } else if (const std::string* host = HostingNode(name, node_names)) {
      // The host's labels before the zone form the chain; a node itself keeps
      // its own label as the label path.
      auto chain = std::count(host->begin(), host->end(), '.');
      auto own = std::max<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(labels.size()) - chain, 1);
      o.chain.assign(std::make_move_iterator(labels.begin() + own), std::make_move_iterator(labels.end()));
      labels.resize(static_cast<size_t>(own));
      o.label_path = std::move(labels);
    } else {
      continue;
    }
    objects.push_back(std::move(o));
    object_names.push_back(&name);
  }
  // Node names: each node's canonical name and alias candidates.
  std::unordered_set<std::string_view> node_labels;
  for (const std::string& name : node_names) {
    std::vector<std::string> labels = LabelsBeforeZone(name);
    naming::ObjectName node{{labels.front()}, {labels.begin() + 1, labels.end()}};
    node_labels.insert(std::string_view(name).substr(0, labels.front().size()));
    v.node_claims_[name].push_back(name);
    for (std::string& c : node.AliasCandidates()) v.node_claims_[std::move(c)].push_back(name);
  }
  for (auto& [name, claimants] : v.node_claims_) {
    std::sort(claimants.begin(), claimants.end());
    claimants.erase(std::unique(claimants.begin(), claimants.end()), claimants.end());
  }
  // Nodes win over services outside the service's own subtree. Only a
  // service whose first label is some node's label can collide.
  std::vector<naming::HeldBack> held_back;
  for (size_t i = 0; i < objects.size(); ++i) {
    const naming::ObjectName& o = objects[i];
    if (o.chain.empty() || !node_labels.count(o.label_path.front()) || v.nodes_.count(*object_names[i])) continue;
    std::string host;
    for (const std::string& l : o.chain) host += l + ".";
    host += naming::kZone;
    for (const std::string& c : o.AliasCandidates()) {
      auto it = v.node_claims_.find(c);
      if (it == v.node_claims_.end()) continue;
      for (const std::string& node : it->second) {
        if (naming::IsAtOrUnder(node, host)) continue;
        held_back.push_back({*object_names[i], c});
        v.held_back_.push_back(c + " (alias candidate of " + *object_names[i] + ") held back: it is a name of node " +
                               node + ", outside " + host + "'s subtree");
        break;
      }
    }
  }
  std::sort(v.held_back_.begin(), v.held_back_.end());
  v.aliases_ = naming::ComputeAliases(objects, std::move(held_back));
  for (size_t i = 0; i < objects.size(); ++i) {
    v.objects_.emplace_hint(v.objects_.end(), *object_names[i], std::move(objects[i]));
  }

  v.reversed_names_.reserve(v.canonical_.size() + v.aliases_.alias_to_canonical.size());
  for (const auto& [name, addresses] : v.canonical_) v.reversed_names_.push_back(Reversed(name));
  for (const auto& [alias, canonical] : v.aliases_.alias_to_canonical)
    v.reversed_names_.push_back(Reversed(alias));
  std::sort(v.reversed_names_.begin(), v.reversed_names_.end());

  // Caller identity: uplinks and node addresses exactly, subtrees by prefix.
  for (const auto& [name, node] : v.nodes_) {
    Claim(v.source_exact_, node.route.next_hop, name);
    if (auto it = v.canonical_.find(name); it != v.canonical_.end()) {
      for (const auto& a : it->second) Claim(v.source_exact_, a, name);
    }
    Claim(v.source_subtree_, node.route.subtree, name);
    v.subtree_lengths_.push_back(node.route.subtree.length);
  }
  std::sort(v.subtree_lengths_.begin(), v.subtree_lengths_.end(), std::greater<>());
  v.subtree_lengths_.erase(std::unique(v.subtree_lengths_.begin(), v.subtree_lengths_.end()),
                           v.subtree_lengths_.end());
  return v;
}

std::vector<net::Ipv6Address> ForestView::Lookup(std::string_view name) const {
  std::string key = naming::FoldName(name);
  if (auto it = canonical_.find(key); it != canonical_.end()) return it->second;
  if (auto a = aliases_.alias_to_canonical.find(key); a != aliases_.alias_to_canonical.end()) {
    if (auto it = canonical_.find(a->second); it != canonical_.end()) return it->second;
  }
  return {};
}

bool ForestView::HasNameAtOrUnder(std::string_view name) const {
  std::string key = naming::FoldName(name);
  if (key.empty()) return !reversed_names_.empty();
  std::string rev = Reversed(key);
  if (std::binary_search(reversed_names_.begin(), reversed_names_.end(), rev)) return true;
  rev += '.';  // a name under `key` ends in ".key"
  auto it = std::lower_bound(reversed_names_.begin(), reversed_names_.end(), rev);
  return it != reversed_names_.end() && it->compare(0, rev.size(), rev) == 0;
}

std::optional<std::string> ForestView::NodeForSource(const net::Ipv6Address& source) const {
  if (auto it = source_exact_.find(source); it != source_exact_.end()) {
    if (it->second.empty()) return std::nullopt;
    return it->second;
  }
  for (int length : subtree_lengths_) {
    auto it = source_subtree_.find(Truncate(source, length));
    if (it == source_subtree_.end()) continue;
    if (it->second.empty()) return std::nullopt;
    return it->second;
  }
  return std::nullopt;
}

std::optional<std::string> ForestView::NodeWithAddress(const net::Ipv6Address& source) const {
  auto it = source_exact_.find(source);
  if (it == source_exact_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::vector<std::string> ForestView::NodesClaiming(std::string_view name) const {
  auto it = node_claims_.find(naming::FoldName(name));
  return it == node_claims_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<std::string> ForestView::NodeHosting(std::string_view name) const {
  std::string key = naming::FoldName(name);
  for (std::string_view suffix = key;;) {
    if (auto it = nodes_.find(std::string(suffix)); it != nodes_.end()) return it->first;
    size_t dot = suffix.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    suffix.remove_prefix(dot + 1);
  }
}

std::optional<naming::ObjectName> ForestView::ObjectFor(std::string_view canonical_name) const {
  auto it = objects_.find(std::string(canonical_name));
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

}  // namespace forest::registration
