// libFuzzer target: the body of POST /v1/poke (api::ParsePoke), which a
// node's forestd reads from its parent, its children and itself. Any input
// gives a poke or an error with a message, never a crash; a parsed poke
// serialises and parses back to the same poke.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/node_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = forest::api::ParsePoke(text);
  if (!p.ok()) {
    if (p.error().message.empty()) std::abort();
    return 0;
  }
  auto again = forest::api::ParsePoke(forest::api::SerializePoke(*p));
  if (!again.ok() || again->child != p->child) {
    std::fprintf(stderr, "fuzz_poke: poke does not round-trip\n");
    std::abort();
  }
  return 0;
}
