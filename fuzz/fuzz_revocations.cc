// Fuzz target for the helper's list of revoked leaves, ca/revoked.json
// (helper::ParseRevocations). What parses serialises and parses back to the
// same list (sorted, one entry per serial, as SerializeRevocations writes it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "helper/revocations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::helper::ParseRevocations(text, "revoked.json");
  if (!r.ok()) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  std::string once = forest::helper::SerializeRevocations(*r);
  auto again = forest::helper::ParseRevocations(once, "revoked.json");
  if (!again.ok() || forest::helper::SerializeRevocations(*again) != once) {
    std::fprintf(stderr, "fuzz_revocations: revocations do not round-trip\n");
    std::abort();
  }
  return 0;
}
