// Fuzz target for the helper's list of revoked leaves, ca/revoked.json
// (helper::ParseRevocations). What parses serialises and parses back to the
// same list (sorted, one entry per serial, as SerializeRevocations writes it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "helper/revocations.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace helper = forest::helper;
  fuzz_round_trip::Check(
      "fuzz_revocations", "revocations do not round-trip",
      std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view t) { return helper::ParseRevocations(std::string(t), "revoked.json"); },
      [](const auto& r) { return helper::SerializeRevocations(r); },
      /*by_text=*/true);  // the writer sorts by serial
  return 0;
}
