#include "trust/san_policy.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "naming/names.h"

namespace forest::trust {
namespace {

std::vector<std::string> ChainOf(std::string_view node_canonical) {
  std::vector<std::string> labels = naming::SplitLabels(naming::FoldName(node_canonical));
  if (!labels.empty()) labels.pop_back();  // "incus"
  return labels;
}

std::string Join(const std::vector<std::string>& labels, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (!out.empty()) out += '.';
    out += labels[i];
  }
  return out;
}

bool LooksLikeAddress(std::string_view name) {
  if (name.find(':') != std::string_view::npos) return true;
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

Result<naming::ObjectName> ObjectFor(const std::vector<std::string>& chain, const std::string& label_path) {
  naming::ObjectName o;
  if (label_path.empty()) {
    o.label_path = {chain.front()};
    o.chain.assign(chain.begin() + 1, chain.end());
    return o;
  }
  o.label_path = naming::SplitLabels(label_path);
  for (const std::string& l : o.label_path) {
    if (auto s = naming::ValidateLabel(l); !s.ok()) return s.error();
  }
  o.chain = chain;
  if (o.Canonical().size() > naming::kMaxNameLength) {
    return MakeError("label path " + naming::QuoteUntrusted(label_path) + " makes a name longer than " +
                     std::to_string(naming::kMaxNameLength) + " characters");
  }
  return o;
}

}  // namespace

std::optional<std::string> NameConflict(const registration::ForestView& view, std::string_view caller_canonical,
                                        std::string_view raw_name) {
  const std::string caller = naming::FoldName(caller_canonical);
  const std::string name = naming::FoldName(raw_name);
  for (const std::string& label : naming::ReservedHelperLabels()) {
    std::string reserved = label + "." + std::string(naming::kZone);
    if (naming::IsAtOrUnder(name, reserved)) return "is reserved for the helper (" + reserved + ")";
  }
  // An alias the helper publishes for X is signed only for the node that
  // hosts X (X itself when X is a node).
  const auto& aliases = view.aliases().alias_to_canonical;
  if (auto it = aliases.find(name); it != aliases.end()) {
    if (!naming::IsAtOrUnder(it->second, caller)) {
      return "is published for " + it->second + ", outside " + caller + "'s subtree";
    }
    std::string host = view.NodeHosting(it->second).value_or(it->second);
    if (host != caller) return "is published for " + it->second + ", whose node is " + host + "; it is signed only for " + host;
  }
  // A node's canonical name and alias candidates, published or not, are
  // signed only for that node.
  std::vector<std::string> nodes = view.NodesClaiming(name);
  if (!nodes.empty() && std::find(nodes.begin(), nodes.end(), caller) == nodes.end()) {
    if (!naming::IsAtOrUnder(nodes.front(), caller)) {
      return "is a name of node " + nodes.front() + ", outside " + caller + "'s subtree";
    }
    return "is a name of node " + nodes.front() + "; it is signed only for that node";
  }
  // The name, or a name it lies under, is the canonical name of something
  // outside the caller's subtree (the caller's own ancestors included, unless
  // the name is under the caller itself).
  bool under_caller = naming::IsAtOrUnder(name, caller);
  std::string_view suffix = name;
  while (suffix != naming::kZone) {
    std::string s(suffix);
    if (view.canonical().count(s) && !naming::IsAtOrUnder(s, caller)) {
      if (s == name) return "is the canonical name of something outside " + caller + "'s subtree";
      if (!under_caller) return "lies under " + s + ", outside " + caller + "'s subtree";
    }
    size_t dot = suffix.find('.');
    if (dot == std::string_view::npos) break;
    suffix.remove_prefix(dot + 1);
  }
  // Names under a descendant node are that node's to have signed.
  if (under_caller) {
    if (auto host = view.NodeHosting(name); host && *host != caller) {
      return "lies under node " + *host + ", which has its own names signed";
    }
  }
  return std::nullopt;
}

Result<std::string> LabelPathForName(std::string_view node_canonical, std::string_view name) {
  std::string folded = naming::FoldName(name);
  if (folded.find('*') != std::string::npos) {
    return MakeError(naming::QuoteUntrusted(name) + ": wildcard names are not signed by the forest CA; name each service");
  }
  if (LooksLikeAddress(folded)) {
    return MakeError(naming::QuoteUntrusted(name) + ": IP addresses are not signed by the forest CA; use a name under ." +
                     std::string(naming::kZone));
  }
  if (auto s = naming::ValidateName(folded); !s.ok()) {
    return MakeError(naming::QuoteUntrusted(name) + ": only names under ." + std::string(naming::kZone) +
                     " are signed by the forest CA (" + s.error().message + ")");
  }
  std::vector<std::string> chain = ChainOf(node_canonical);
  std::vector<std::string> labels = naming::SplitLabels(folded);
  labels.pop_back();  // "incus"
  // The longest run of the node's chain that ends the name leaves the
  // shortest label path.
  for (size_t j = std::min(chain.size(), labels.size()); j > 0; --j) {
    if (std::equal(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(j),
                   labels.end() - static_cast<std::ptrdiff_t>(j))) {
      return Join(labels, 0, labels.size() - j);
    }
  }
  return Join(labels, 0, labels.size());
}

Result<SanDecision> DecideSans(const registration::ForestView& view, std::string_view caller_canonical,
                               const std::vector<std::string>& label_paths,
                               const std::vector<std::string>& requested) {
  SanDecision d;
  const std::string caller = naming::FoldName(caller_canonical);
  std::vector<std::string> chain = ChainOf(caller);
  if (chain.empty()) return MakeError("caller " + naming::QuoteUntrusted(caller_canonical) + " is not a node name");
  if (label_paths.empty()) return MakeError("label_paths: at least one label path is needed (\"\" is the node itself)");
  if (label_paths.size() > kMaxLabelPaths) {
    return MakeError("label_paths: " + std::to_string(label_paths.size()) + " label paths; the limit is " +
                     std::to_string(kMaxLabelPaths));
  }

  std::set<std::string> allowed;
  std::map<std::string, std::string> why_withheld;
  std::vector<std::string> family_order;
  std::set<std::string> canonical_names;
  for (size_t i = 0; i < label_paths.size(); ++i) {
    std::string path = naming::FoldName(label_paths[i]);
    auto object = ObjectFor(chain, path);
    if (!object.ok()) return object.error().Wrap("label_paths[" + std::to_string(i) + "]");
    std::vector<std::string> family = {object->Canonical()};
    canonical_names.insert(family.front());
    for (std::string& a : object->AliasCandidates()) family.push_back(std::move(a));
    for (const std::string& name : family) {
      if (allowed.count(name) || why_withheld.count(name)) continue;
      if (auto conflict = NameConflict(view, caller, name)) {
        why_withheld[name] = *conflict;
        d.withheld.push_back(name + " " + *conflict);
        continue;
      }
      allowed.insert(name);
      family_order.push_back(name);
    }
  }

  std::set<std::string> placed;
  for (const std::string& raw : requested) {
    std::string name = naming::FoldName(raw);
    if (placed.count(name)) continue;
    if (!allowed.count(name)) {
      if (auto it = why_withheld.find(name); it != why_withheld.end()) {
        return MakeError(name + " " + it->second + "; it is not signed for " + caller);
      }
      auto path = LabelPathForName(caller, name);
      if (!path.ok()) return path.error();
      return MakeError(name + " is not a name of the requested label paths of " + caller +
                       " (it would be label path " + naming::QuoteUntrusted(*path) + ")");
    }
    placed.insert(name);
    d.sans.push_back(name);
  }
  for (const std::string& name : family_order) {
    if (placed.insert(name).second) d.sans.push_back(name);
  }
  for (const std::string& name : d.sans) d.has_alias = d.has_alias || !canonical_names.count(name);
  if (d.sans.empty()) return MakeError("no name of the requested label paths can be signed for " + caller + ": " + d.withheld.front());
  return d;
}

}  // namespace forest::trust
