// libFuzzer target: registration JSON bytes → registration::Parse. Any input
// must give an Export or an error, never a crash or a hang. An accepted input
// must survive Serialize → Parse unchanged (after Normalize), serialise to the
// same bytes again, and go through the parent-side validation and the merge.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "registration/registration.h"

namespace {

using forest::registration::Delegation;
using forest::registration::Export;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_registration: %s\n%s\n", what, detail.c_str());
  std::abort();
}

forest::net::Ipv6Address Addr(const char* text) { return forest::net::Ipv6Address::Parse(text).value(); }
forest::net::Ipv6Prefix Prefix(const char* text) { return forest::net::Ipv6Prefix::Parse(text).value(); }

// What c0-2 delegated to c0-2-1 (DESIGN.md, Address plan).
const Delegation& FixedDelegation() {
  static const Delegation d = [] {
    Delegation x;
    x.child_label = "c0-2-1";
    x.child_canonical = "c0-2-1.c0-2.c0.incus";
    x.subtree = Prefix("fd00:1110::/28");
    x.uplink = Addr("fd00:1100:0:1::1");
    return x;
  }();
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  forest::registration::Limits limits;
  limits.max_bytes = 64 << 10;
  limits.max_records = 256;
  limits.max_descendants = 64;

  auto parsed = forest::registration::Parse(text, limits);
  if (!parsed.ok()) {
    if (parsed.error().message.empty()) Fail("empty error message", std::string(text));
    return 0;
  }
  Export normal = *parsed;
  forest::registration::Normalize(normal);

  std::string once = forest::registration::Serialize(*parsed);
  auto again = forest::registration::Parse(once, limits);
  if (!again.ok()) Fail("serialised export does not parse again", again.error().message + "\n" + once);
  if (!(*again == normal)) Fail("round trip changed the export", once);
  if (forest::registration::Serialize(*again) != once) Fail("serialisation is not stable", once);

  auto status = forest::registration::ValidateChildExport(*again, FixedDelegation());
  if (!status.ok() && status.error().message.empty()) Fail("empty validation message", once);
  if (status.ok()) {
    // A valid child export bubbles up two levels (c0-2, then c0) and every
    // record it carried is answered by the helper's view.
    using forest::registration::Merge;
    using forest::registration::Route;
    Export mid = Merge("c0-2", {{"c0-2.c0.incus", Addr("fd00:1100::1")}},
                       Route{Prefix("fd00:1100::/24"), Addr("fd00:1000:0:1::1"), true, "eth0"},
                       {{FixedDelegation(), *again}, {FixedDelegation(), *again}});
    Delegation to_mid{"c0-2", "c0-2.c0.incus", Prefix("fd00:1100::/24"), Addr("fd00:1000:0:1::1")};
    auto mid_status = forest::registration::ValidateChildExport(mid, to_mid);
    if (!mid_status.ok())
      Fail("a merge of valid exports is invalid one level up", mid_status.error().message);
    Export root =
        Merge("c0", {{"c0.incus", Addr("fd00:1000::1")}},
              Route{Prefix("fd00:1000::/20"), Addr("fd00:f00d:0:1::1"), true, "eth0"}, {{to_mid, mid}});
    auto view =
        forest::registration::ForestView::Build({root}, {{"forest-dns.incus", Addr("fd00:f00d::53")}});
    for (const auto& r : again->records) {
      auto answer = view.Lookup(r.name);
      if (!std::binary_search(answer.begin(), answer.end(), r.address))
        Fail("merged record has no answer", r.name);
      // An address inside the child's prefix never identifies a node outside
      // the child's subtree (it may identify nobody when the child made it
      // ambiguous).
      auto node = view.NodeForSource(r.address);
      if (node && !forest::naming::IsAtOrUnder(*node, FixedDelegation().child_canonical)) {
        Fail("a child's address identifies a foreign node", r.address.ToString() + " -> " + *node);
      }
    }
    for (const auto& [alias, canonical] : view.aliases().alias_to_canonical) {
      if (view.canonical().count(alias) != 0) Fail("an alias shadows a canonical name", alias);
    }
  }
  return 0;
}
