// Fuzz target for the slot assignments `forest generate` remembers,
// NAME/slots.json (render::ParseSlotMemory). What parses serialises and parses
// back to the same slots.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "render/writer.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace render = forest::render;
  fuzz_round_trip::Check(
      "fuzz_slot_memory", "slots do not round-trip",
      std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view t) { return render::ParseSlotMemory(std::string(t), "slots.json"); },
      [](const auto& m) { return render::SlotMemoryJson(m); });
  return 0;
}
