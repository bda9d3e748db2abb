// Labels, canonical names, alias candidates and the global unambiguity rule
// (DESIGN.md, Names). Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest::naming {

inline constexpr std::string_view kZone = "incus";
inline constexpr size_t kMaxNameLength = 253;

// RFC 1123 label: [a-z0-9-], 1..63 chars, no leading/trailing '-'.
// The error says which character or rule failed.
Status ValidateLabel(std::string_view label);

// A full name under .incus: valid labels, ends in ".incus", <= 253 chars.
Status ValidateName(std::string_view name);

// Splits "a.b.incus" into {"a","b","incus"}.
std::vector<std::string> SplitLabels(std::string_view name);

// A name as users and resolvers write it, for comparison: ASCII lower case,
// without the trailing dot of an absolute name ("App.Incus." → "app.incus").
std::string FoldName(std::string_view name);

// True if `name` equals `base` or lies under it on a label boundary.
bool IsAtOrUnder(std::string_view name, std::string_view base);

// A double-quoted copy of untrusted text for error messages: quotes,
// backslashes, control and non-ASCII bytes escaped, capped at 80 characters.
std::string QuoteUntrusted(std::string_view text);

// Labels of the helper's reserved names (forest-dns, forest-ca, apt-cache, images-cache).
const std::vector<std::string>& ReservedHelperLabels();
// True for "forest-dns.incus" etc.
bool IsReservedName(std::string_view name);
bool IsReservedLabel(std::string_view label);

// An object in the forest: a label path (the object's own labels, e.g.
// {"auth","app"} or {"c0-2-1"}) hosted under a chain of node labels, nearest
// first (a node's chain is its ancestors; a service's chain is its hosting node
// and that node's ancestors).
struct ObjectName {
  std::vector<std::string> label_path;
  std::vector<std::string> chain;

  // label_path . chain . incus
  std::string Canonical() const;
  // label_path . (nearest j of chain) . incus for j = 0 .. chain.size()-1,
  // shortest first.
  std::vector<std::string> AliasCandidates() const;
  auto operator<=>(const ObjectName&) const = default;
};

// Canonical node name from its labels, self first: {"c0-2","c0"} → "c0-2.c0.incus".
std::string NodeCanonicalName(const std::vector<std::string>& self_then_ancestors);

struct AliasTable {
  // published alias → canonical name of the object it stands for
  std::map<std::string, std::string> alias_to_canonical;
  // canonical name → its published aliases, shortest first
  std::map<std::string, std::vector<std::string>> aliases_of;
};

// The unambiguity rule: an alias candidate is published only when no other
// object has the same name as canonical or as candidate. Canonical names always
// win; reserved helper names are treated as canonical names of the helper.
// Duplicate objects (same canonical) count once. O(n log n) in the number of names.
// `held_back` lists (canonical name of an object, one of its alias
// candidates) pairs that take no part at all: they neither get published nor
// make another object's candidate ambiguous (the helper holds back a
// service's candidate that would shadow a node's name; registration/forest_view.cc).
struct HeldBack {
  std::string canonical;
  std::string candidate;
  auto operator<=>(const HeldBack&) const = default;
};
AliasTable ComputeAliases(const std::vector<ObjectName>& objects, std::vector<HeldBack> held_back = {});

}  // namespace forest::naming
