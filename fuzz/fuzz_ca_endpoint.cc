// Fuzz target for where a node finds the forest CA, /etc/forest/mkcert.json
// (trust::ParseCaEndpoint). What parses serialises and parses back to the
// same endpoint, and the port is the number the file holds.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "round_trip.h"
#include "trust/ca_endpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace trust = forest::trust;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto e = fuzz_round_trip::Parsed(
      "fuzz_ca_endpoint", "endpoint does not round-trip", text,
      [](std::string_view t) { return trust::ParseCaEndpoint(t, "mkcert.json"); },
      [](const trust::CaEndpoint& c) { return trust::CaEndpointJson(c); });
  if (!e.ok()) return 0;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.contains("port") && j["port"].get<uint64_t>() != e->port)
    fuzz_round_trip::Fail("fuzz_ca_endpoint", "port is not the file's number");
  return 0;
}
