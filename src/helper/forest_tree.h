// `forest tree`: the helper's forest view (GET /v1/forest) as an indented
// tree of nodes and services with canonical names, published aliases and
// addresses. Pure.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace forest::helper {

// Each name sits under the nearest name it is a suffix of; nodes are marked.
// Input that does not have the shape of /v1/forest renders what it can.
std::string RenderTree(const nlohmann::json& forest);

}  // namespace forest::helper
