// Fuzz target for the parent description a node reads from
// /etc/forest/parent.json (up::ParentInfoFromJson).
#include <cstddef>
#include <cstdint>
#include <string>

#include "up/converge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::up::ParentInfoFromJson(text, "parent.json");
  if (r.ok()) {
    // Round trip: what we accept we can write back and read again.
    auto again = forest::up::ParentInfoFromJson(forest::up::ToJson(*r).dump(), "parent.json");
    if (!again.ok() || again->server != r->server || again->node_image != r->node_image) __builtin_trap();
  }
  return 0;
}
