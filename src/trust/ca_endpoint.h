// Where a node's mkcert shim and certificate deployment find the forest CA:
// /etc/forest/mkcert.json ({"helper": ..., "port": ..., "node": ...}), which
// `forest up` writes into every node. Pure (parse and serialise).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace forest::trust {

inline constexpr char kMkcertConfig[] = "/etc/forest/mkcert.json";

struct CaEndpoint {
  std::string helper;    // the helper's address
  uint16_t port = 8053;  // its API port
  std::string node;      // this node's canonical name
  bool operator==(const CaEndpoint&) const = default;
};

// Errors name `file` and the field.
Result<CaEndpoint> ParseCaEndpoint(std::string_view text, const std::string& file);
std::string CaEndpointJson(const CaEndpoint& e);

}  // namespace forest::trust
