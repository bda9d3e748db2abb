// Fuzz target for the slot assignments `forest generate` remembers,
// NAME/slots.json (render::ParseSlotMemory). What parses serialises and parses
// back to the same slots.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "render/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::render::ParseSlotMemory(text, "slots.json");
  if (!r.ok()) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  auto again = forest::render::ParseSlotMemory(forest::render::SlotMemoryJson(*r), "slots.json");
  if (!again.ok() || *again != *r) {
    std::fprintf(stderr, "fuzz_slot_memory: slots do not round-trip\n");
    std::abort();
  }
  return 0;
}
