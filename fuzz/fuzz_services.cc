// Fuzz target for a node's registered services, <state>/services.json
// (node::ParseServices). What parses serialises and parses back to the same
// services.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node/local_records.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace node = forest::node;
  fuzz_round_trip::Check(
      "fuzz_services", "services do not round-trip",
      std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view t) { return node::ParseServices(std::string(t), "services.json"); },
      [](const auto& s) { return node::SerializeServices(s); });
  return 0;
}
