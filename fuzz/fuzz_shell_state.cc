// Fuzz target for forest shell's state file, shell.json (shell::ParseState).
#include <cstddef>
#include <cstdint>
#include <string>

#include "shell/jail.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::shell::ParseState(text, "shell.json");
  if (r.ok()) {
    // Round trip: what we accept we can write back and read again unchanged.
    std::string once = forest::shell::StateJson(*r);
    auto again = forest::shell::ParseState(once, "shell.json");
    if (!again.ok() || forest::shell::StateJson(*again) != once) __builtin_trap();
  }
  return 0;
}
