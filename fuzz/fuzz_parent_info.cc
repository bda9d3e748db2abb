// Fuzz target for the parent description a node reads from
// /etc/forest/parent.json (up::ParentInfoFromJson). What parses is written
// and read back to the same description.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "round_trip.h"
#include "up/converge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace up = forest::up;
  fuzz_round_trip::Check(
      "fuzz_parent_info", "parent info does not round-trip",
      std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view t) { return up::ParentInfoFromJson(std::string(t), "parent.json"); },
      [](const up::ParentInfo& p) { return up::ToJson(p).dump(); });
  return 0;
}
