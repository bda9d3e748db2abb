// libFuzzer target: forest.yaml bytes → topology::Parse. Any input must give a
// Topology or an error, never a crash, hang or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "topology/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = forest::topology::Parse(text, "fuzz.yaml");
  if (t.ok()) {
    // Walk the result so that inconsistent trees would show up under ASan.
    size_t n = 0;
    forest::topology::ForEachNode(t->roots,
                                  [&](const forest::topology::Node& node, int) { n += node.name.size(); });
    (void)n;
  } else if (t.error().message.empty()) {
    __builtin_trap();  // every error must say something
  }
  return 0;
}
