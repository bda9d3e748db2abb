// libFuzzer target: the body of POST /v1/poke (api::ParsePoke), which a
// node's forestd reads from its parent, its children and itself. Any input
// gives a poke or an error with a message, never a crash; a parsed poke
// serialises and parses back to the same poke.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/node_api.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = forest::api;
  fuzz_round_trip::Check(
      "fuzz_poke", "poke does not round-trip", std::string_view(reinterpret_cast<const char*>(data), size),
      [](std::string_view t) { return api::ParsePoke(t); },
      [](const api::Poke& p) { return api::SerializePoke(p); });
  return 0;
}
