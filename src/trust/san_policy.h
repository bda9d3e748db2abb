// The CSR policy (DESIGN.md, Trust): which names a node may have signed.
// The caller is a node, identified by the helper from the connection's source
// address; it asks for local label paths ("auth.app" = auth.app.<node>, "" =
// the node itself). The SAN family of each is its canonical name plus its
// alias candidates, minus any name that belongs to something outside the
// caller's subtree. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registration/registration.h"

namespace forest::trust {

inline constexpr size_t kMaxLabelPaths = 16;

// Shim side: the local label path that `name` stands for on the node
// `node_canonical`. "auth.app.incus", "auth.app.c0-2-1.incus" and
// "auth.app.c0-2-1.c0-2.c0.incus" → "auth.app" on c0-2-1.c0-2.c0.incus;
// "c0-2-1.incus" → "" (the node itself). Where a name could be read two
// ways, the shortest label path wins. Names outside .incus, IP addresses and
// wildcards are errors that say so.
Result<std::string> LabelPathForName(std::string_view node_canonical, std::string_view name);

struct SanDecision {
  std::vector<std::string> sans;      // requested names first, then the rest of each family
  std::vector<std::string> withheld;  // family members left out, with the reason
  bool has_alias = false;             // some SAN is an alias candidate, not a canonical name
};

// Why `name` may not be signed for the node `caller_canonical` in `view`, or
// nullopt. Refused: the helper's reserved names; an alias published for an
// object whose hosting node is not the caller; a node's canonical name or
// alias candidate (published or not) unless the caller is that node; a name
// that is, or lies under, the canonical name of something outside the
// caller's subtree; a name under a descendant node (that node's own).
std::optional<std::string> NameConflict(const registration::ForestView& view, std::string_view caller_canonical,
                                        std::string_view name);

// Helper side. `requested` are the names the CSR asks for (they must all be in
// the families); `label_paths` must be 1..kMaxLabelPaths valid label paths.
// Refusals name the offending name and why (published for whom, reserved,
// outside the families).
Result<SanDecision> DecideSans(const registration::ForestView& view, std::string_view caller_canonical,
                               const std::vector<std::string>& label_paths,
                               const std::vector<std::string>& requested);

}  // namespace forest::trust
