// A node's request and reply bodies (docs/forestd.md): the poke a child (or
// the node itself) sends to POST /v1/poke, and the status GET /v1/node
// answers. The export (GET /v1/export) is a registration export, schema 1
// (registration/registration.h). Pure; the parsers read hostile input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest::api {

// Who changed: a child (its label), or the node itself ("": its own
// records). A poke only makes the node look; what it pulls is checked as
// always.
struct Poke {
  std::string child;
  bool operator==(const Poke&) const = default;
};
inline constexpr size_t kMaxPokeBody = 4u << 10;
// {} or {"child": "<label>"}; an empty body is {}.
Result<Poke> ParsePoke(std::string_view body);
std::string SerializePoke(const Poke& p);

// GET /v1/node.
struct NodeStatus {
  std::string node;                  // canonical name
  std::vector<std::string> waiting;  // workloads (and services) without an address yet
  uint64_t rounds = 0;
  nlohmann::json exported;  // the node's export, null before the first one
  bool operator==(const NodeStatus&) const = default;
};
nlohmann::json ToJson(const NodeStatus& s);
Result<NodeStatus> ParseNodeStatus(std::string_view body);

}  // namespace forest::api
