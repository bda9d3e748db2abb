// Fuzz target for where a node finds the forest CA, /etc/forest/mkcert.json
// (trust::ParseCaEndpoint). What parses serialises and parses back to the
// same endpoint, and the port is the number the file holds.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "trust/ca_endpoint.h"

namespace {
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_ca_endpoint: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto e = forest::trust::ParseCaEndpoint(text, "mkcert.json");
  if (!e.ok()) {
    if (e.error().message.empty()) Fail("empty error");
    return 0;
  }
  auto again = forest::trust::ParseCaEndpoint(forest::trust::CaEndpointJson(*e), "mkcert.json");
  if (!again.ok() || again->helper != e->helper || again->node != e->node || again->port != e->port) {
    Fail("endpoint does not round-trip");
  }
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.contains("port") && j["port"].get<uint64_t>() != e->port) Fail("port is not the file's number");
  return 0;
}
