#include "trust/ca_endpoint.h"

#include <nlohmann/json.hpp>

namespace forest::trust {

Result<CaEndpoint> ParseCaEndpoint(std::string_view text, const std::string& file) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(file + ": expected a JSON object");
  CaEndpoint e;
  if (!j["helper"].is_string()) return MakeError(file + ": helper: expected the helper's address (a string)");
  if (!j["node"].is_string()) return MakeError(file + ": node: expected this node's canonical name (a string)");
  e.helper = j["helper"];
  e.node = j["node"];
  if (j.contains("port")) {
    // Compared as 64 bits: 4294975349 is not port 8053.
    if (!j["port"].is_number_unsigned() || j["port"].get<uint64_t>() > 65535) {
      return MakeError(file + ": port: expected a TCP port number");
    }
    e.port = static_cast<uint16_t>(j["port"].get<unsigned>());
  }
  return e;
}

std::string CaEndpointJson(const CaEndpoint& e) {
  return nlohmann::json{{"helper", e.helper}, {"port", e.port}, {"node", e.node}}.dump(2) + "\n";
}

}  // namespace forest::trust
