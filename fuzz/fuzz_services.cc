// Fuzz target for a node's registered services, <state>/services.json
// (node::ParseServices). What parses serialises and parses back to the same
// services.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "node/local_records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::node::ParseServices(text, "services.json");
  if (!r.ok()) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  auto again = forest::node::ParseServices(forest::node::SerializeServices(*r), "services.json");
  if (!again.ok() || *again != *r) {
    std::fprintf(stderr, "fuzz_services: services do not round-trip\n");
    std::abort();
  }
  return 0;
}
