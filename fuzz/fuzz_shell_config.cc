// libFuzzer target: config layer bytes → shell::ApplyLayer over the built-in
// defaults, then ApplyProfile for the profiles it defines. Any input must give
// a config or an error, never a crash, hang or unbounded recursion; a refused
// layer leaves the config as it was; and a profile accepted with its layer
// re-reads cleanly (only its `tool` may still name no tool).
#include <cstddef>
#include <cstdint>
#include <string>

#include "shell/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forest::shell;
  std::string text(reinterpret_cast<const char*>(data), size);
  Config c = Builtin();
  auto s = ApplyLayer(c, text, "fuzz.yaml");
  if (!s.ok()) {
    bool unchanged = c.sources.empty() && c.profiles.empty() && c.env.empty() && c.allow.empty() &&
                     c.tools.size() == Builtin().tools.size() && c.forest == "shell" && c.tool == "shell";
    if (s.error().message.empty() || !unchanged) __builtin_trap();
    return 0;
  }
  int applied = 0;
  for (const auto& [name, profile] : c.profiles) {
    if (++applied > 8) break;  // each re-read costs up to the whole file
    Config copy = c;
    auto p = ApplyProfile(copy, name);
    if (!p.ok() && p.error().message.find(": profiles." + name + ".tool: ") == std::string::npos)
      __builtin_trap();
  }
  return 0;
}
